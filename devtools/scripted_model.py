"""A scripted Claude: replays a list of replies over the real Messages API wire format.

Used by unit tests (``transport()`` plugs into ``AsyncAnthropic(http_client=…)``, or
``handle_httpx`` as a respx side effect), and by ``fixer demo`` and end-to-end tests as a
loopback HTTP server reached through ``ANTHROPIC_BASE_URL`` (``ScriptedModelServer``).

It answers JSON or SSE (``"stream": true``) like the API, records every request, rejects
requests the API would reject (more than 4 cache breakpoints, tool results that answer no
tool call), and reports ``usage`` as the API would with prompt caching: the longest prefix
that a previous request wrote at a breakpoint is read from cache, the rest up to the last
breakpoint is written, the remainder is plain input. Tokens are counted as JSON chars / 4.

    script = [reply(text("Looking."), tool_use("grep", {"pattern": "def add"})),
              rate_limited(retry_after=0.1),
              reply(tool_use("submit_plan", {...}))]
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

import httpx
import httpx2

from devtools.request_checks import invalid, prefix_blocks, thinking_problem

Message = dict[str, Any]


def text(value: str) -> dict[str, Any]:
    """A text content block."""
    return {"type": "text", "text": value}


def tool_use(name: str, input: dict[str, Any], id: str | None = None) -> dict[str, Any]:
    """A tool call; ``id`` defaults to a deterministic ``toolu_scripted_…`` value."""
    return {"type": "tool_use", "id": id, "name": name, "input": input}


def thinking(value: str) -> dict[str, Any]:
    """A thinking block; the scripted model signs it when it sends it."""
    return {"type": "thinking", "thinking": value}


def redacted_thinking(data: str) -> dict[str, Any]:
    """A redacted thinking block (opaque ``data``, passed back as-is)."""
    return {"type": "redacted_thinking", "data": data}


def reply(*blocks: dict[str, Any], stop_reason: str | None = None) -> Message:
    """An assistant message; ``stop_reason`` is ``tool_use`` when it calls a tool."""
    if stop_reason is None:
        calls = any(block["type"] == "tool_use" for block in blocks)
        stop_reason = "tool_use" if calls else "end_turn"
    return {"content": list(blocks), "stop_reason": stop_reason}


@dataclass(frozen=True)
class ScriptedError:
    """An HTTP error the scripted model answers with instead of a reply."""

    status: int
    type: str
    message: str
    headers: dict[str, str] = field(default_factory=dict)


def rate_limited(retry_after: float = 1.0) -> ScriptedError:
    """A 429 like the API's, with ``retry-after`` (seconds)."""
    return ScriptedError(
        429,
        "rate_limit_error",
        "This request would exceed your organization's rate limit. (scripted)",
        {"retry-after": f"{retry_after:g}", "x-should-retry": "true"},
    )


def overloaded(retry_after: float | None = None) -> ScriptedError:
    """A 529 ``overloaded_error`` as the API sends it (no retry-after unless asked)."""
    return ScriptedError(529, "overloaded_error", "Overloaded", _retry_headers(retry_after))


def server_error(retry_after: float | None = None) -> ScriptedError:
    """A 500 ``api_error``."""
    return ScriptedError(
        500, "api_error", "Internal server error (scripted)", _retry_headers(retry_after)
    )


@dataclass(frozen=True)
class StreamError:
    """A 200 whose event stream breaks off with an ``error`` event, as the API does under load.

    https://docs.claude.com/en/docs/build-with-claude/streaming#error-events: "We may
    occasionally send errors in the event stream. For example, during periods of high usage,
    you may receive an overloaded_error, which would normally correspond to an HTTP 529 in a
    non-streaming context." https://docs.claude.com/en/api/errors: "When receiving a
    streaming response via SSE, it's possible that an error can occur after returning a 200
    response". The stream carries ``message_start``, a partly streamed text block, then the
    error; a non-streaming request gets the HTTP error it corresponds to.
    """

    type: str = "overloaded_error"
    message: str = "Overloaded"

    def as_http(self) -> ScriptedError:
        status = 529 if self.type == "overloaded_error" else 500
        return ScriptedError(status, self.type, self.message, {"x-should-retry": "true"})


def mid_stream_error(kind: str = "overloaded_error") -> StreamError:
    """``overloaded_error`` or ``api_error`` after a 200, inside the event stream."""
    message = "Overloaded" if kind == "overloaded_error" else "Internal server error"
    return StreamError(kind, message)


@dataclass
class Outage:
    """Every request fails with ``error`` for ``seconds`` after the first one it answers; then
    the script moves on. Models a sustained overload or rate-limit window, which outlasts
    the SDK's own retries (2 by default, https://github.com/anthropics/anthropic-sdk-python
    #retries) when it is longer than their few seconds of backoff."""

    seconds: float
    error: ScriptedError | StreamError
    started: float | None = None
    answered: int = 0
    """Requests refused during the window."""

    def over(self, now: float) -> bool:
        if self.started is None:
            self.started = now
        return now - self.started >= self.seconds


def overloaded_for(seconds: float, retry_after: float | None = None) -> Outage:
    """529 ``overloaded_error`` on every request for ``seconds``."""
    return Outage(seconds, overloaded(retry_after))


def rate_limited_for(seconds: float, retry_after: float = 1.0) -> Outage:
    """429 ``rate_limit_error`` (with ``retry-after``) on every request for ``seconds``."""
    return Outage(seconds, rate_limited(retry_after))


def _retry_headers(retry_after: float | None) -> dict[str, str]:
    headers = {"x-should-retry": "true"}
    if retry_after is not None:
        headers["retry-after"] = f"{retry_after:g}"
    return headers


@dataclass
class RecordedRequest:
    """One request the scripted model received, and the usage it reported."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    usage: dict[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=time.time)
    """When the request arrived (epoch seconds)."""


@dataclass
class WireResponse:
    status: int
    headers: dict[str, str]
    body: bytes


class ScriptedModel:
    """Replays ``script`` one item per request; see the module docstring."""

    def __init__(
        self,
        script: Iterable[Any],
        *,
        model: str | None = None,
        min_cacheable_tokens: int = 1024,
        lookback_blocks: int = 20,
        chars_per_token: float = 4.0,
        context_window: int | None = None,
    ) -> None:
        self.script: list[Any] = list(script)
        self.model = model
        """Model name in replies; by default the one each request asked for."""
        self.min_cacheable_tokens = min_cacheable_tokens
        self.lookback_blocks = lookback_blocks
        self.chars_per_token = chars_per_token
        """JSON characters per token; code and JSON run nearer 3 than 4 on real tokenizers."""
        self.context_window = context_window
        """Largest prompt accepted; None = the requested model's (``agents/models.json``)."""
        self.requests: list[RecordedRequest] = []
        self._cache: set[str] = set()
        self._lock = threading.Lock()
        self._replies = itertools.count(1)
        self._answered: dict[str, WireResponse] = {}
        self.repeated = 0
        self._signed: set[str] = set()
        """Signatures (and redacted data) of the thinking blocks sent: only these may return."""
        self._paused: list[list[dict[str, Any]]] = []
        """Content of the ``pause_turn`` replies sent, which must come back unchanged."""
        """Requests that repeated a conversation already answered (paid for twice)."""

    @property
    def remaining(self) -> int:
        return len(self.script)

    def respond(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> WireResponse:
        """Answer one HTTP request (thread-safe)."""
        with self._lock:
            body = json.loads(raw or b"{}")
            recorded = RecordedRequest(
                method, path, {k.lower(): v for k, v in headers.items()}, body
            )
            self.requests.append(recorded)
            route = path.split("?")[0].rstrip("/")
            if method == "POST" and route == "/v1/messages/count_tokens":
                # Free, and what `fixer doctor` calls: https://docs.claude.com/en/api/
                # messages-count-tokens (``{"input_tokens": N}``).
                tokens = sum(self._sizes(prefix_blocks(body)[0]))
                return WireResponse(
                    200,
                    {"content-type": "application/json"},
                    json.dumps({"input_tokens": tokens}).encode(),
                )
            if method != "POST" or route != "/v1/messages":
                return _error(ScriptedError(404, "not_found_error", f"no route {method} {path}"))
            if problem := invalid(body, self._paused):
                return _error(ScriptedError(400, "invalid_request_error", problem))
            if problem := thinking_problem(body, self._signed):
                return _error(ScriptedError(400, "invalid_request_error", problem))
            if problem := self._too_long(body):
                return _error(ScriptedError(400, "invalid_request_error", problem))
            conversation = _conversation_key(body)
            if conversation in self._answered:
                # The same conversation asked again (a caller that crashed before recording
                # the reply): answer as before, as a real model would answer equivalently.
                self.repeated += 1
                return self._answered[conversation]
            if not self.script:
                done = len(self.requests) - 1
                return _error(
                    ScriptedError(
                        400,
                        "invalid_request_error",
                        f"script exhausted after {done} requests (scripted model)",
                    )
                )
            head = self.script[0]
            if isinstance(head, Outage):
                if not head.over(time.monotonic()):
                    head.answered += 1
                    return self._refuse(head.error, body)
                self.script.pop(0)
                if not self.script:
                    return _error(ScriptedError(400, "invalid_request_error", "script exhausted"))
            item = self.script.pop(0)
            if callable(item):
                item = item(body)
            if isinstance(item, ScriptedError | StreamError):
                return self._refuse(item, body)
            item = self._with_thinking(item, body)
            recorded.usage = self._usage(body, item)
            message = self._message(item, recorded.usage, str(body.get("model", "")))
            if message["stop_reason"] == "pause_turn":
                self._paused.append(message["content"])
            if body.get("stream"):
                wire = WireResponse(
                    200,
                    {"content-type": "text/event-stream; charset=utf-8"},
                    _sse(message).encode(),
                )
            else:
                wire = WireResponse(
                    200, {"content-type": "application/json"}, json.dumps(message).encode()
                )
            self._answered[conversation] = wire
            return wire

    def _with_thinking(self, item: Message, body: dict[str, Any]) -> Message:
        """With thinking on, a reply starts with a signed thinking block, as the API's do
        (https://docs.claude.com/en/docs/build-with-claude/extended-thinking); thinking
        blocks count as output tokens. Off, scripted thinking blocks are dropped."""
        on = (body.get("thinking") or {}).get("type") == "enabled"
        blocks = [
            b for b in item["content"] if on or b["type"] not in ("thinking", "redacted_thinking")
        ]
        if on and (not blocks or blocks[0]["type"] not in ("thinking", "redacted_thinking")):
            blocks.insert(0, thinking("Let me reason about this step before acting."))
        signed = []
        for block in blocks:
            if block["type"] == "thinking":
                mac = hashlib.sha256(f"scripted-thinking:{block['thinking']}".encode()).digest()
                block = {**block, "signature": base64.b64encode(mac).decode()}
                self._signed.add(block["signature"])
            elif block["type"] == "redacted_thinking":
                self._signed.add(block["data"])
            signed.append(block)
        return {**item, "content": signed}

    def _refuse(self, error: ScriptedError | StreamError, body: dict[str, Any]) -> WireResponse:
        if isinstance(error, ScriptedError):
            return _error(error)
        if not body.get("stream"):
            return _error(error.as_http())
        number = next(self._replies)
        start: dict[str, Any] = {
            "id": f"msg_scripted_{number:03d}",
            "type": "message",
            "role": "assistant",
            "model": self.model or str(body.get("model", "")),
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": 1, "output_tokens": 1},
        }
        events: list[tuple[str, dict[str, Any]]] = [
            ("message_start", {"type": "message_start", "message": start}),
            ("ping", {"type": "ping"}),
            (
                "content_block_start",
                {"type": "content_block_start", "index": 0, "content_block": text("")},
            ),
            (
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "text_delta", "text": "Let me look at"},
                },
            ),
            ("error", {"type": "error", "error": {"type": error.type, "message": error.message}}),
        ]
        sse = "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events)
        return WireResponse(200, {"content-type": "text/event-stream; charset=utf-8"}, sse.encode())

    def handle_httpx(self, request: httpx.Request) -> httpx.Response:
        """A respx side effect: ``route.mock(side_effect=model.handle_httpx)``."""
        wire = self.respond(
            request.method, request.url.raw_path.decode(), dict(request.headers), request.content
        )
        return httpx.Response(wire.status, headers=wire.headers, content=wire.body)

    def transport(self) -> httpx2.MockTransport:
        """For ``AsyncAnthropic(http_client=httpx2.AsyncClient(transport=model.transport()))``."""

        def handle(request: httpx2.Request) -> httpx2.Response:
            wire = self.respond(
                request.method,
                request.url.raw_path.decode(),
                dict(request.headers),
                request.content,
            )
            return httpx2.Response(wire.status, headers=wire.headers, content=wire.body)

        return httpx2.MockTransport(handle)

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> ScriptedModelServer:
        """A loopback HTTP server for this model (use as a context manager)."""
        return ScriptedModelServer(self.respond, host=host, port=port)

    def _message(self, item: Message, usage: dict[str, Any], requested: str) -> Message:
        number = next(self._replies)
        content = []
        for index, block in enumerate(item["content"], start=1):
            if block["type"] in ("tool_use", "server_tool_use") and not block.get("id"):
                block = {**block, "id": f"toolu_scripted_{number:03d}_{index}"}
            content.append(block)
        return {
            "id": f"msg_scripted_{number:03d}",
            "type": "message",
            "role": "assistant",
            "model": self.model or requested,
            "content": content,
            "stop_reason": item["stop_reason"],
            "stop_sequence": None,
            "usage": usage,
        }

    def _sizes(self, blocks: list[Any]) -> list[int]:
        return [
            max(1, int(len(json.dumps(b, sort_keys=True)) / self.chars_per_token)) for b in blocks
        ]

    def _too_long(self, body: dict[str, Any]) -> str | None:
        """The API refuses a prompt longer than the model's context window, before any
        work: "prompt is too long: 205351 tokens > 200000 maximum" (a real 400, quoted in
        coder/aibridge#56; https://docs.claude.com/en/docs/build-with-claude/context-windows)."""
        from agents.context import DEFAULT_WINDOW
        from agents.model_catalog import catalog

        facts = catalog().find(str(body.get("model", "")))
        window = self.context_window or (facts.context if facts else DEFAULT_WINDOW)
        tokens = sum(self._sizes(prefix_blocks(body)[0]))
        if tokens > window:
            return f"prompt is too long: {tokens} tokens > {window} maximum"
        return None

    def _usage(self, body: dict[str, Any], item: Message) -> dict[str, Any]:
        blocks, marks = prefix_blocks(body)
        sizes = self._sizes(blocks)
        cumulative = list(itertools.accumulate(sizes))
        digests = list(
            itertools.accumulate(
                (json.dumps(b, sort_keys=True) for b in blocks),
                lambda acc, cur: hashlib.sha256((acc + cur).encode()).hexdigest(),
                initial="",
            )
        )[1:]
        read_upto = 0  # number of leading blocks read from the cache
        for mark in marks:
            for i in range(mark, max(mark - self.lookback_blocks, -1), -1):
                if digests[i] in self._cache:
                    read_upto = max(read_upto, i + 1)
                    break
        cacheable = [m for m in marks if cumulative[m] >= self.min_cacheable_tokens]
        write_upto = max([m + 1 for m in cacheable] + [read_upto])
        self._cache.update(digests[m] for m in cacheable)
        read = cumulative[read_upto - 1] if read_upto else 0
        written = (cumulative[write_upto - 1] if write_upto else 0) - read
        total = cumulative[-1] if cumulative else 0
        return {
            "input_tokens": total - read - written,
            "cache_creation_input_tokens": written,
            "cache_read_input_tokens": read,
            "cache_creation": {
                "ephemeral_5m_input_tokens": written,
                "ephemeral_1h_input_tokens": 0,
            },
            "output_tokens": max(1, int(len(json.dumps(item["content"])) / self.chars_per_token)),
            "service_tier": "standard",
        }


def _conversation_key(body: dict[str, Any]) -> str:
    """What identifies a request's conversation so far (cache markers aside)."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "cache_control"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    core = {k: strip(body.get(k)) for k in ("system", "messages", "tools")}
    return hashlib.sha256(json.dumps(core, sort_keys=True).encode()).hexdigest()


def _error(error: ScriptedError) -> WireResponse:
    headers = {"content-type": "application/json", "request-id": "req_scripted", **error.headers}
    if error.status == 429 and "retry-after" in headers:
        headers.update(_bucket_headers(float(headers["retry-after"])))
    body = {
        "type": "error",
        "error": {"type": error.type, "message": error.message},
        "request_id": "req_scripted",
    }
    return WireResponse(error.status, headers, json.dumps(body).encode())


def _bucket_headers(retry_after: float) -> dict[str, str]:
    """The token-bucket headers a 429 carries (https://docs.claude.com/en/api/rate-limits
    #response-headers): the exhausted input-token bucket, refilled by ``-reset`` (RFC 3339)."""
    from datetime import UTC, datetime, timedelta

    reset = (datetime.now(UTC) + timedelta(seconds=retry_after)).isoformat().replace("+00:00", "Z")
    return {
        "anthropic-ratelimit-input-tokens-limit": "30000",
        "anthropic-ratelimit-input-tokens-remaining": "0",
        "anthropic-ratelimit-input-tokens-reset": reset,
        "anthropic-ratelimit-requests-limit": "50",
        "anthropic-ratelimit-requests-remaining": "49",
        "anthropic-ratelimit-requests-reset": reset,
    }


def _sse(message: Message) -> str:
    """``message`` as the event stream the API sends for it."""
    usage = message["usage"]
    start = {**message, "content": [], "stop_reason": None, "usage": {**usage, "output_tokens": 1}}
    events: list[tuple[str, dict[str, Any]]] = [
        ("message_start", {"type": "message_start", "message": start}),
        ("ping", {"type": "ping"}),
    ]
    for index, block in enumerate(message["content"]):
        kind = block["type"]
        if kind == "text":
            opening: dict[str, Any] = {"type": "text", "text": ""}
            deltas = [{"type": "text_delta", "text": p} for p in _pieces(block["text"])]
        elif kind == "thinking":
            # https://docs.claude.com/en/docs/build-with-claude/streaming#thinking-delta
            opening = {"type": "thinking", "thinking": ""}
            deltas = [{"type": "thinking_delta", "thinking": p} for p in _pieces(block["thinking"])]
            deltas.append({"type": "signature_delta", "signature": block["signature"]})
        elif kind in ("tool_use", "server_tool_use"):
            opening = {**block, "input": {}}
            deltas = [
                {"type": "input_json_delta", "partial_json": p}
                for p in _pieces(json.dumps(block["input"]))
            ]
        else:  # results of server tools arrive whole
            opening, deltas = block, []
        events.append(
            (
                "content_block_start",
                {"type": "content_block_start", "index": index, "content_block": opening},
            )
        )
        events += [
            ("content_block_delta", {"type": "content_block_delta", "index": index, "delta": d})
            for d in deltas
        ]
        events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    events.append(
        (
            "message_delta",
            {
                "type": "message_delta",
                "usage": usage,
                "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
            },
        )
    )
    events.append(("message_stop", {"type": "message_stop"}))
    return "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events)


def _pieces(value: str, size: int = 64) -> list[str]:
    return [value[i : i + size] for i in range(0, len(value), size)] or [""]


def httpx2_transport(handler: Callable[[httpx.Request], Any]) -> httpx2.MockTransport:
    """Route the SDK's ``httpx2`` requests through an ``httpx`` handler, such as a respx
    router's ``async_handler`` (respx patches ``httpx`` only; the SDK uses ``httpx2``)."""

    async def handle(request: httpx2.Request) -> httpx2.Response:
        mirrored = httpx.Request(
            request.method,
            str(request.url),
            headers=list(request.headers.multi_items()),
            content=request.content,
        )
        response = handler(mirrored)
        if not isinstance(response, httpx.Response):
            response = await response
        return httpx2.Response(
            response.status_code,
            content=response.content,
            headers=[
                (k, v)
                for k, v in response.headers.multi_items()
                if k.lower() not in ("content-encoding", "content-length")
            ],
        )

    return httpx2.MockTransport(handle)


Responder = Callable[[str, str, dict[str, str], bytes], WireResponse]


class ScriptedModelServer:
    """Serves a ``ScriptedModel`` on loopback; point ``ANTHROPIC_BASE_URL`` at ``base_url``."""

    def __init__(self, respond: Responder, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.connections = 0
        """TCP connections accepted so far (HTTP/1.1 keep-alive serves many requests on one)."""
        self._count_lock = threading.Lock()
        served = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:  # once per connection, not per request
                super().setup()
                with served._count_lock:
                    served.connections += 1

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                wire = respond(self.command, self.path, dict(self.headers.items()), raw)
                self.send_response(wire.status)
                for name, value in wire.headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(wire.body)))
                self.end_headers()
                self.wfile.write(wire.body)

            do_GET = do_POST

            def log_message(self, format: str, *args: Any) -> None:
                pass  # tests and the demo print what matters themselves

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    """``python -m devtools.scripted_model script.json [--port N]``: serve a script of
    messages (a JSON list of ``{"content": [...], "stop_reason": ...}``) until Ctrl-C."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("script")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    with open(args.script, encoding="utf-8") as handle:
        model = ScriptedModel(json.load(handle))
    with model.serve(port=args.port) as server:
        print(f"ANTHROPIC_BASE_URL={server.base_url}", flush=True)
        try:
            while model.remaining:
                time.sleep(0.2)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
