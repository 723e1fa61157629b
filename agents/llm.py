"""The model an agent talks to: a small ``Model`` protocol and its Anthropic implementation.

``AnthropicModel`` streams each request (long generations never hit the SDK's non-streaming
timeout guard), leaves retries on 429/529/5xx to the SDK (which honours ``retry-after``,
``retry-after-ms`` and ``x-should-retry``), adds the prompt-cache breakpoints, and returns
plain JSON data so a checkpoint can record the reply and replay it.

The caller builds the client from its own settings (:func:`anthropic_client` with an
``AnthropicConfig`` carrying the key and base URL) and shares it: one client is one
connection pool, so a process makes one per configuration, not one per call. The model name
is the caller's choice (settings default, per-repo override).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any, NotRequired, Protocol, TypedDict

import anthropic
from pydantic import BaseModel

from agents.capacity import hinted_wait_s
from agents.errors import AgentLibraryError, ModelError
from agents.model_providers import (
    PROVIDER_NAMES,
    AnthropicConfig,
    AnyClient,
    build_client,
    hint,
    is_regional,
    provider_model_id,
    request_extras,
)
from agents.pricing import Usage, cost_usd

EPHEMERAL: dict[str, str] = {"type": "ephemeral"}
MAX_BREAKPOINTS = 4


class ModelUnavailable(AgentLibraryError):
    """The model API stayed rate-limited, overloaded or unreachable through every retry."""

    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
        """The wait the API asked for (``retry-after``, token-bucket resets), if any."""

    def __reduce__(self) -> tuple[Any, ...]:  # DBOS pickles a workflow's error
        return (type(self), (str(self), self.retry_after_s))


TRANSIENT_ERRORS = frozenset(
    {
        "overloaded_error",
        "api_error",
        "rate_limit_error",
        "throttlingException",
        "serviceUnavailableException",
        "internalServerException",
        "modelStreamErrorException",
    }
)
"""Error types of an SSE ``error`` event that mean "try again later"
(https://docs.claude.com/en/api/errors: 529 ``overloaded_error``, 500 ``api_error``, 429
``rate_limit_error``; any may arrive in the event stream after a 200), and the exception
frames Bedrock's response stream ends with under load
(https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModelWithResponseStream.html
#API_runtime_InvokeModelWithResponseStream_ResponseSyntax)."""


class ModelRequest(TypedDict):
    """The parts of a Messages API request the loop controls."""

    system: list[dict[str, Any]]
    tools: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    max_tokens: int
    thinking: NotRequired[dict[str, Any]]
    """``{"type": "enabled", "budget_tokens": N}`` for extended thinking; absent = off."""
    tool_choice: NotRequired[dict[str, Any]]
    """``{"type": "tool", "name": ...}`` forces that tool; absent = ``auto``. Never sent
    with thinking (the API refuses a forced tool then)."""


class ModelReply(BaseModel):
    """A finished model response, JSON-serialisable for checkpoints."""

    model: str
    message: dict[str, Any]
    """The assistant message as the API returned it (``content``, ``stop_reason``…)."""
    usage: Usage
    cost_usd: float
    duration_ms: float

    @property
    def content(self) -> list[dict[str, Any]]:
        blocks: list[dict[str, Any]] = self.message.get("content") or []
        return blocks

    @property
    def stop_reason(self) -> str | None:
        reason: str | None = self.message.get("stop_reason")
        return reason


class Model(Protocol):
    """Anything that answers a ``ModelRequest``; tests swap in fakes."""

    name: str

    async def complete(self, request: ModelRequest) -> ModelReply: ...


def anthropic_client(config: AnthropicConfig) -> AnyClient:
    """A client for ``config`` (any provider); its owner shares it and closes it when done."""
    return build_client(config)


class AnthropicModel:
    """``Model`` backed by ``anthropic.AsyncAnthropic`` (streaming Messages API).

    Pass the process's shared ``client``; without one, a client of its own is built from
    ``config`` (a script or a test that makes a handful of calls)."""

    def __init__(
        self,
        name: str,
        config: AnthropicConfig | None = None,
        *,
        client: AnyClient | None = None,
    ) -> None:
        self.name = name
        self.config = config or AnthropicConfig()
        self._client = client or anthropic_client(self.config)
        self.provider_id = provider_model_id(self.config, name)
        """The model's id on the configured provider (Bedrock, Vertex forms)."""

    async def complete(self, request: ModelRequest) -> ModelReply:
        cached = with_cache_breakpoints(request)
        started = time.perf_counter()
        extras = request_extras(self.config)
        try:
            # Thinking on means tool_choice stays `auto` (the default; forcing a tool is refused
            # with thinking, https://docs.claude.com/en/docs/build-with-claude/extended-thinking
            # #extended-thinking-with-tool-use), and no temperature/top_k is ever sent.
            options: dict[str, Any] = {}
            if "thinking" in cached:
                options["thinking"] = cached["thinking"]
            if "tool_choice" in cached:
                options["tool_choice"] = cached["tool_choice"]
            async with self._client.messages.stream(
                model=self.provider_id,
                max_tokens=cached["max_tokens"],
                system=cached["system"],  # type: ignore[arg-type]
                tools=cached["tools"],  # type: ignore[arg-type]
                messages=cached["messages"],  # type: ignore[arg-type]
                extra_body=extras or None,
                **options,
            ) as stream:
                final = await stream.get_final_message()
        except Exception as exc:
            raise _translate(exc, self.name, self.config) from exc
        message = final.to_dict(mode="json", exclude_none=True)
        usage = Usage.from_api(final.usage.to_dict(mode="json"))
        return ModelReply(
            model=self.name,
            message=message,
            usage=usage,
            cost_usd=cost_usd(
                self.provider_id, usage, regional=is_regional(self.config, self.provider_id)
            ),
            duration_ms=(time.perf_counter() - started) * 1000,
        )


def _translate(exc: Exception, model: str, config: AnthropicConfig | None = None) -> Exception:
    """SDK errors → the library's: refusals are ``ModelError``, exhausted retries
    ``ModelUnavailable``; anything else is a bug and passes through unchanged."""
    config = config or AnthropicConfig()
    who = PROVIDER_NAMES[config.provider]
    if isinstance(exc, anthropic.AuthenticationError | anthropic.PermissionDeniedError):
        return ModelError(
            f"{who} refused the credentials ({exc.status_code}: {_api_message(exc)}): "
            f"{hint(config)}"
        )
    if isinstance(exc, anthropic.NotFoundError):
        return ModelError(
            f"{who} does not know model {model!r} ({_api_message(exc)}): check FIXER_MODEL "
            "or the repository's `model` setting"
        )
    if isinstance(exc, anthropic.APIStatusError) and (
        exc.status_code in (408, 409, 429) or exc.status_code >= 500
    ):
        return ModelUnavailable(
            f"{who} still failing after retries ({exc.status_code}: {_api_message(exc)})",
            hinted_wait_s(exc.response.headers, datetime.now(UTC)),
        )
    if isinstance(exc, anthropic.APIStatusError) and exc.status_code == 200:
        # An ``error`` event inside a 200 stream: the SDK raises it with the stream's status.
        kind = _error_type(exc)
        if kind in TRANSIENT_ERRORS:
            return ModelUnavailable(f"the response stream broke off with {kind}: {exc.message}")
        return ModelError(f"the response stream ended with an error ({kind}): {exc.message}")
    if isinstance(exc, anthropic.APIStatusError):
        return ModelError(
            f"{who} rejected the request ({exc.status_code}: {_api_message(exc)}); "
            f"request id {exc.request_id}"
        )
    if isinstance(exc, anthropic.APIConnectionError):
        return ModelUnavailable(f"cannot reach {who}: {exc}")
    if isinstance(exc, anthropic.CredentialsError) or (
        isinstance(exc, TypeError) and "authentication" in str(exc)
    ):
        return ModelError(
            "no Anthropic credentials: set ANTHROPIC_API_KEY (in the environment or .env)"
        )
    if isinstance(exc, RuntimeError | ValueError) and config.provider != "anthropic":
        # The platform clients resolve credentials per request (boto3, google-auth).
        return ModelError(f"{who} credentials could not be used: {exc}; {hint(config)}")
    if isinstance(exc, ImportError) and config.provider != "anthropic":
        return ModelError(f"{who} needs {exc.name}: reinstall Fixer (pip install -e .)")
    return exc


def _error_type(exc: anthropic.APIStatusError) -> str | None:
    body = exc.body
    error = body.get("error") if isinstance(body, dict) else None
    kind = error.get("type") if isinstance(error, dict) else None
    return kind if isinstance(kind, str) else None


def _api_message(exc: anthropic.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            return f"{error.get('type')}: {error.get('message')}"
    return exc.message


def with_cache_breakpoints(request: ModelRequest) -> ModelRequest:
    """A copy of ``request`` with prompt-cache breakpoints; ``request`` is left untouched.

    Breakpoints go on the last tool (caches the tool list), the last system block (tools +
    system), the newest message (everything so far, read back next turn) and the newest
    user message before it: that is where the previous request wrote its cache entry, and
    the API looks back only ~20 blocks from a breakpoint for a hit, so a turn that added
    many blocks still reads the previous prefix. Four in all, the API's maximum; they move
    with the conversation instead of piling up.
    """
    messages = list(request["messages"])
    users = [i for i in range(len(messages) - 1, -1, -1) if messages[i]["role"] == "user"]
    if messages and messages[-1]["role"] == "assistant":
        # A paused turn (a server tool mid-flight) goes back exactly as it came: no marker
        # inside it; the newest user messages carry the breakpoints instead.
        marked = users[:2]
    else:
        marked = [len(messages) - 1, *users[1:2]] if messages else []
    for index in marked:
        messages[index] = _mark_last_block(messages[index])
    result = ModelRequest(
        system=_mark_last(request["system"]),
        tools=_mark_last(request["tools"]),
        messages=messages,
        max_tokens=request["max_tokens"],
    )
    if "thinking" in request:
        result["thinking"] = request["thinking"]
    if "tool_choice" in request:
        result["tool_choice"] = request["tool_choice"]
    return result


def _mark_last(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not blocks:
        return blocks
    return [*blocks[:-1], {**blocks[-1], "cache_control": EPHEMERAL}]


def _mark_last_block(message: dict[str, Any]) -> dict[str, Any]:
    content = message["content"]
    if isinstance(content, str):
        content = [{"type": "text", "text": content}]
    return {**message, "content": _mark_last(content)}
