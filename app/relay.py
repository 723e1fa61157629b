"""``fixer relay URL``: forward a webhook relay channel (smee.io protocol) to ``/github/webhook``.

GitHub delivers only to public URLs; for local use the App's webhook URL is a relay channel,
and this subscribes to it: ``GET <channel>`` with ``Accept: text/event-stream``, as probot's
smee-client does (https://github.com/probot/smee-client, index.ts). smee.io sends ``ready``
first, ``ping`` every 30 s, and per delivery a ``message`` whose data is JSON: the delivery's
headers as keys (``x-github-event``, ``x-github-delivery``, ``x-hub-signature-256``, ...),
plus ``body`` (the parsed payload), ``query`` and ``timestamp``
(https://github.com/probot/smee.io, lib/server.js).

The signature covers GitHub's bytes, and smee.io keeps no raw body: it re-serialises the
parsed payload with ``JSON.stringify``. So this forwards exactly the text of ``body`` as the
relay wrote it (the bytes smee-client would send) and never re-serialises in Python. Those
bytes verify when GitHub's compact JSON survives the round trip, which is most deliveries;
numbers such as ``1.0`` do not (https://github.com/probot/probot/issues/2235). A relay that
does keep the raw body (smee.io's ``rawdata`` field, in some versions) is preferred when its
bytes match the signature. A refused signature is logged with what to do.

The stream reconnects on any drop, after the server's ``retry`` delay, sending
``Last-Event-ID``; smee.io does not replay, so deliveries made during a gap are lost: redeliver
them from the App's settings (``fixer deliveries``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from githubkit.webhooks import verify

from app.sse import EventStreamParser, ServerSentEvent

# Not forwarded: they describe the hop to the relay, not the delivery (smee-client drops
# `host` for the same reason: probot/smee-client#295), or they are fields, not headers.
_NOT_HEADERS = {"body", "query", "timestamp", "rawdata"}
_HOP_BY_HOP = {
    "host", "content-length", "connection", "keep-alive", "transfer-encoding", "te",
    "upgrade", "accept-encoding", "proxy-authorization", "proxy-connection", "trailer",
}  # fmt: skip
_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def member_text(document: str, name: str) -> str | None:
    """The exact source text of top-level member ``name`` of a JSON object (last one wins,
    as in ``JSON.parse``), or None when absent."""
    index = _WS.match(document, 0).end()  # type: ignore[union-attr]
    if document[index : index + 1] != "{":
        raise ValueError("relay message is not a JSON object")
    index = _WS.match(document, index + 1).end()  # type: ignore[union-attr]
    found = None
    while document[index : index + 1] not in ("}", ""):
        key, index = _DECODER.raw_decode(document, index)
        index = _WS.match(document, index).end()  # type: ignore[union-attr]
        if document[index : index + 1] != ":":
            raise ValueError("relay message: ':' expected after a key")
        start = _WS.match(document, index + 1).end()  # type: ignore[union-attr]
        _, index = _DECODER.raw_decode(document, start)
        if key == name:
            found = document[start:index]
        index = _WS.match(document, index).end()  # type: ignore[union-attr]
        if document[index : index + 1] == ",":
            index = _WS.match(document, index + 1).end()  # type: ignore[union-attr]
    return found


@dataclass(frozen=True)
class Delivery:
    headers: dict[str, str]
    body: bytes
    query: dict[str, str]


def delivery_from(data: str, secret: str | None = None) -> Delivery:
    """The webhook request to replay, from one relay ``message`` event's data."""
    message: dict[str, Any] = json.loads(data)
    headers = {
        name: str(value)
        for name, value in message.items()
        if name.lower() not in _NOT_HEADERS | _HOP_BY_HOP and isinstance(value, str | int)
    }
    headers["content-type"] = "application/json"
    text = member_text(data, "body")
    candidates = [text.encode()] if text is not None else [b"{}"]
    raw = message.get("rawdata")
    if isinstance(raw, str) and raw:
        candidates.insert(0, raw.encode())
    signature = headers.get("x-hub-signature-256")
    body = candidates[-1]
    if secret and signature:
        body = next((c for c in candidates if verify(secret, c, signature)), candidates[-1])
    query = message.get("query")
    query = {str(k): str(v) for k, v in query.items()} if isinstance(query, dict) else {}
    return Delivery(headers, body, query)


class Relay:
    """Subscribes to ``source`` and POSTs each delivery to ``target``, in order."""

    def __init__(
        self,
        source: str,
        target: str,
        *,
        secret: str | None = None,
        log: Callable[[str], None] = print,
        read_timeout: float = 90.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.source = source.rstrip("/")
        self.target = target
        self.secret = secret
        self.log = log
        # smee.io pings every 30 s: three missed pings mean the stream is dead.
        self.timeout = httpx.Timeout(10.0, read=read_timeout)
        self.transport = transport
        self.parser = EventStreamParser()
        self.forwarded = 0

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Forward until ``stop`` is set (or forever), reconnecting after every drop."""
        stop = stop or asyncio.Event()
        async with httpx.AsyncClient(timeout=self.timeout, transport=self.transport) as client:
            while not stop.is_set():
                try:
                    await self._listen(client, stop)
                    self.log(f"relay: {self.source} closed the stream; reconnecting")
                except httpx.HTTPError as exc:
                    self.log(f"relay: lost {self.source} ({exc.__class__.__name__}); reconnecting")
                except RelayRefused as exc:
                    self.log(f"relay: {exc}")
                delay = (self.parser.retry_ms or 1000) / 1000
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=delay)

    async def _listen(self, client: httpx.AsyncClient, stop: asyncio.Event) -> None:
        headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
        if self.parser.last_event_id:
            headers["Last-Event-ID"] = self.parser.last_event_id
        async with client.stream("GET", self.source, headers=headers) as response:
            kind = response.headers.get("content-type", "")
            if response.status_code != 200 or not kind.startswith("text/event-stream"):
                raise RelayRefused(
                    f"{self.source} answered {response.status_code} ({kind or 'no type'}), "
                    "not an event stream: give the channel URL (https://smee.io/CHANNEL)"
                )
            async for line in response.aiter_lines():
                event = self.parser.feed(line)
                if event is not None:
                    await self._handle(client, event)
                if stop.is_set():
                    return

    async def _handle(self, client: httpx.AsyncClient, event: ServerSentEvent) -> None:
        if event.event == "ready":
            self.log(f"relay: connected to {self.source}, forwarding to {self.target}")
        elif event.event == "message":
            await self.forward(client, delivery_from(event.data, self.secret))

    async def forward(self, client: httpx.AsyncClient, delivery: Delivery) -> int:
        """POST one delivery; waits for the endpoint while it is starting or restarting."""
        what = delivery.headers.get("x-github-event", "?")
        guid = delivery.headers.get("x-github-delivery", "?")
        for attempt in range(30):
            try:
                response = await client.post(
                    self.target, content=delivery.body, headers=delivery.headers,
                    params=delivery.query,
                )  # fmt: skip
                break
            except httpx.TransportError:
                await asyncio.sleep(min(0.2 * 2**attempt, 2.0))
        else:
            self.log(f"relay: {self.target} is unreachable; dropped {what} {guid}")
            return 0
        self.forwarded += 1
        self.log(f"relay: {what} {guid} → {response.status_code}")
        if response.status_code == 401:
            self.log(
                "relay: the signature did not verify: the relay re-encoded this payload (smee.io "
                "keeps no raw body), or GITHUB_WEBHOOK_SECRET differs from the App's. Check the "
                "secret; for this delivery use a public URL or redeliver it when the payload "
                "has no numbers like 1.0"
            )
        return response.status_code


class RelayRefused(Exception):
    """The relay URL answered, but not with an event stream."""


def local_target(host: str, port: int) -> str:
    """This machine's ``/github/webhook`` for a server bound to ``host:port``."""
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"  # bound to every address: loopback is one of them
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/github/webhook"


def start_in_background(relay: Relay) -> threading.Thread:
    """Run ``relay`` on its own thread and event loop, beside the web server (``--relay``)."""
    thread = threading.Thread(
        target=lambda: asyncio.run(relay.run()), name="fixer-relay", daemon=True
    )
    thread.start()
    return thread
