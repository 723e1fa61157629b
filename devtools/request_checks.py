"""The requests the real Messages API refuses with a 400, for the mistakes a tool loop can make.

Each check cites the documentation of the rule; where the rule's edge is not documented,
the check is strict (it refuses what the API might accept).
"""

from __future__ import annotations

from typing import Any

RESULT_TYPES = ("web_search_tool_result", "web_fetch_tool_result", "code_execution_tool_result")


def prefix_blocks(body: dict[str, Any]) -> tuple[list[Any], list[int]]:
    """The request as the cache sees it: tools, system, then message blocks, in order, each
    without its ``cache_control``; and the indexes of the blocks that carried one."""
    blocks: list[Any] = []
    marks: list[int] = []
    system = body.get("system") or []
    if isinstance(system, str):
        system = [{"type": "text", "text": system}]
    sections = [("tool", body.get("tools") or []), ("system", system)]
    for message in body.get("messages") or []:
        content = message["content"]
        if isinstance(content, str):
            content = [{"type": "text", "text": content}]
        sections.append((message["role"], content))
    for role, items in sections:
        for block in items:
            if "cache_control" in block:
                marks.append(len(blocks))
            blocks.append([role, {k: v for k, v in block.items() if k != "cache_control"}])
    return blocks, marks


def strip_cache_control(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in b.items() if k != "cache_control"} for b in blocks]


def invalid(body: dict[str, Any], paused: list[list[dict[str, Any]]]) -> str | None:
    """Why the real API would answer 400, for the mistakes a tool loop can make."""
    _, marks = prefix_blocks(body)
    if len(marks) > 4:
        return f"A maximum of 4 blocks with cache_control may be provided. Found {len(marks)}."
    messages = body.get("messages") or []
    for n, message in enumerate(messages):
        content = message["content"] if isinstance(message["content"], list) else []
        answered = [b["tool_use_id"] for b in content if b.get("type") == "tool_result"]
        previous = messages[n - 1]["content"] if n else []
        asked = [b["id"] for b in previous if isinstance(b, dict) and b.get("type") == "tool_use"]
        if stray := [i for i in answered if i not in asked]:
            return (
                f"messages.{n}: unexpected `tool_use_id` found in `tool_result` blocks: "
                f"{stray[0]}. Each `tool_result` block must have a corresponding "
                "`tool_use` block in the previous message."
            )
        if asked and message["role"] == "user" and sorted(asked) != sorted(answered):
            return (
                f"messages.{n}: `tool_use` ids were found without `tool_result` blocks "
                "immediately after"
            )
        if problem := _server_tool_problem(n, message, n == len(messages) - 1, paused):
            return problem
    return None


def _server_tool_problem(
    n: int, message: dict[str, Any], last: bool, paused: list[list[dict[str, Any]]]
) -> str | None:
    """A server tool call and its result belong in one assistant message; a call with no
    result yet is only allowed at the end of the final message, when that message is a
    ``pause_turn`` reply sent back unchanged so the API can continue it
    (https://docs.claude.com/en/docs/build-with-claude/handling-stop-reasons#pause-turn:
    "provide the response back as-is in a subsequent request"). Strict where the docs are
    silent: no cache breakpoint on an unfinished server tool call."""
    content = message["content"] if isinstance(message["content"], list) else []
    if message["role"] != "assistant":
        return None
    results = {b.get("tool_use_id") for b in content if b.get("type") in RESULT_TYPES}
    for i, block in enumerate(content):
        if block.get("type") != "server_tool_use" or block.get("id") in results:
            continue
        where = f"messages.{n}.content.{i}"
        if not (last and i == len(content) - 1):
            return (
                f"{where}: `server_tool_use` block {block.get('id')} has no corresponding "
                "result block after it in the same assistant turn"
            )
        if "cache_control" in block:
            return f"{where}: cache_control cannot be set on an unfinished `server_tool_use` block"
        sent = [b for b in strip_cache_control(content) if b.get("type") != "text" or b.get("text")]
        if not any(
            sent == [b for b in p if b.get("type") != "text" or b.get("text")] for p in paused
        ):
            return (
                f"{where}: the paused assistant turn was modified; send the `pause_turn` "
                "response back as it was returned"
            )
    return None


def _without_empty_text(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # The API refuses empty text blocks in requests, so a client drops them.
    return [b for b in blocks if b.get("type") != "text" or b.get("text")]


THINKING_DOCS = "https://docs.claude.com/en/docs/build-with-claude/extended-thinking"
THINKING_TYPES = ("thinking", "redacted_thinking")


def thinking_problem(body: dict[str, Any], signed: set[str]) -> str | None:
    """The API's 400s for extended thinking (https://docs.claude.com/en/docs/build-with-claude/
    extended-thinking): ``budget_tokens`` of at least 1024 and below ``max_tokens``;
    ``temperature`` only 1 and no ``top_k``; no ``tool_choice`` that forces a tool; and in a
    tool loop the assistant turn with the lastmost ``tool_use`` must start with its thinking
    block, passed back unmodified (``signed`` holds the signatures and redacted data this
    emulation sent). Strict where the docs are silent: every thinking block sent back must
    be one it sent, unmodified."""
    thinking = body.get("thinking") or {}
    messages = body.get("messages") or []
    if thinking.get("type") != "enabled":
        last = messages[-1] if messages else None
        content = last["content"] if last and isinstance(last["content"], list) else []
        if last and last["role"] == "assistant":
            for i, block in enumerate(content):
                if block.get("type") in THINKING_TYPES:
                    return (
                        f"messages.{len(messages) - 1}.content.{i}: When thinking is disabled, "
                        "an `assistant` message in the final position cannot contain "
                        "`thinking`. To use thinking blocks, enable `thinking` in your request."
                    )
        return None
    budget = thinking.get("budget_tokens")
    if not isinstance(budget, int) or budget < 1024:
        return "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"
    if budget >= int(body.get("max_tokens") or 0):
        return (
            "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our "
            f"documentation at {THINKING_DOCS}#max-tokens-and-context-window-size"
        )
    if body.get("temperature", 1) != 1:
        return (
            "`temperature` may only be set to 1 when thinking is enabled. Please consult our "
            f"documentation at {THINKING_DOCS}#feature-compatibility"
        )
    if "top_k" in body:
        return (
            "`top_k` must be unset when thinking is enabled. Please consult our documentation "
            f"at {THINKING_DOCS}#feature-compatibility"
        )
    if (body.get("tool_choice") or {}).get("type") in ("any", "tool"):
        return "Thinking may not be enabled when `tool_choice` forces tool use."
    return _thinking_blocks_problem(messages, signed)


def _thinking_blocks_problem(messages: list[dict[str, Any]], signed: set[str]) -> str | None:
    for n, message in enumerate(messages):
        content = message["content"] if isinstance(message["content"], list) else []
        for i, block in enumerate(content):
            kind = block.get("type")
            if kind == "thinking" and block.get("signature") not in signed:
                return f"messages.{n}.content.{i}: Invalid `signature` in `thinking` block"
            if kind == "redacted_thinking" and block.get("data") not in signed:
                return f"messages.{n}.content.{i}: Invalid `data` in `redacted_thinking` block"
    assistants = [n for n, m in enumerate(messages) if m["role"] == "assistant"]
    if not assistants:
        return None
    n = assistants[-1]
    content = messages[n]["content"] if isinstance(messages[n]["content"], list) else []
    in_tool_loop = any(b.get("type") in ("tool_use", "server_tool_use") for b in content)
    if in_tool_loop and (not content or content[0].get("type") not in THINKING_TYPES):
        found = content[0].get("type") if content else "nothing"
        return (
            f"messages.{n}.content.0.type: Expected `thinking` or `redacted_thinking`, but found "
            f"`{found}`. When `thinking` is enabled, a final `assistant` message must start "
            "with a thinking block (preceeding the lastmost set of `tool_use` and `tool_result` "
            "blocks). We recommend you include thinking blocks from previous turns. To avoid "
            f"this requirement, disable `thinking`. Please consult our documentation at "
            f"{THINKING_DOCS}"
        )
    return None
