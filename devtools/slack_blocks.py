"""Block Kit limits as Slack enforces them, for the Slack emulation.

Slack refuses a whole message when one piece breaks a limit: ``invalid_blocks`` with one
``[ERROR] … [json-pointer:/blocks/N/…]`` line per problem in ``response_metadata.messages``
(https://docs.slack.dev/reference/methods/chat.postMessage#errors), and ``msg_too_long`` for
a ``text`` over 40,000 characters (https://docs.slack.dev/reference/methods/chat.postMessage
#truncating-content; Slack documents truncation there, the emulation is strict and refuses).

Lengths are counted after Slack's own escaping (https://docs.slack.dev/messaging/formatting-
message-text#escaping): in ``plain_text`` every ``&``, ``<`` and ``>`` becomes ``&amp;``,
``&lt;``, ``&gt;``; in ``mrkdwn`` a bare ``&`` (not already an entity) becomes ``&amp;``.
"""

from __future__ import annotations

import re
from typing import Any

Args = dict[str, Any]

TEXT_LIMIT = 40_000
"""https://docs.slack.dev/reference/methods/chat.postMessage#truncating-content"""
MESSAGE_BLOCKS = 50
"""https://docs.slack.dev/reference/block-kit/blocks (50 per message, 100 per modal)."""
MODAL_BLOCKS = 100
SECTION_TEXT = 3000
"""https://docs.slack.dev/reference/block-kit/blocks/section-block"""
SECTION_FIELD = 2000
SECTION_FIELDS = 10
HEADER_TEXT = 150
"""https://docs.slack.dev/reference/block-kit/blocks/header-block (plain_text only)."""
CONTEXT_ELEMENTS = 10
"""https://docs.slack.dev/reference/block-kit/blocks/context-block"""
CONTEXT_TEXT = 2000
ACTIONS_ELEMENTS = 25
"""https://docs.slack.dev/reference/block-kit/blocks/actions-block"""
BUTTON_TEXT = 75
"""https://docs.slack.dev/reference/block-kit/block-elements/button-element"""
BUTTON_VALUE = 2000
ID_LIMIT = 255
"""``block_id`` and ``action_id``."""
MODAL_TITLE = 24
"""https://docs.slack.dev/reference/views/modal-views (title, submit, close)."""
PRIVATE_METADATA = 3000

_BARE_AMP = re.compile(r"&(?!amp;|lt;|gt;)")


def slack_length(text: str, kind: str) -> int:
    """``text``'s length as Slack counts it, after its escaping."""
    if kind == "plain_text":
        return len(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
    return len(_BARE_AMP.sub("&amp;", text))


class _Check:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, message: str, pointer: str) -> None:
        self.errors.append(f"{message} [json-pointer:{pointer}]")

    def text(self, obj: Any, pointer: str, limit: int, *, plain_only: bool = False) -> None:
        if not isinstance(obj, dict) or obj.get("type") not in ("plain_text", "mrkdwn"):
            self.fail("must provide an object", pointer)
            return
        if plain_only and obj["type"] != "plain_text":
            self.fail("must be a plain_text text object", pointer + "/type")
        value = obj.get("text")
        if not isinstance(value, str) or not value:
            self.fail("must be more than 0 characters", pointer + "/text")
        elif slack_length(value, str(obj["type"])) > limit:
            self.fail(f"must be less than {limit + 1} characters", pointer + "/text")

    def ident(self, value: Any, pointer: str) -> None:
        if value is not None and len(str(value)) > ID_LIMIT:
            self.fail(f"must be less than {ID_LIMIT + 1} characters", pointer)

    def button(self, element: Args, pointer: str) -> None:
        self.text(element.get("text"), pointer + "/text", BUTTON_TEXT, plain_only=True)
        self.ident(element.get("action_id"), pointer + "/action_id")
        value = element.get("value")
        if value is not None and len(str(value)) > BUTTON_VALUE:
            self.fail(f"must be less than {BUTTON_VALUE + 1} characters", pointer + "/value")

    def block(self, block: Any, pointer: str) -> None:
        if not isinstance(block, dict):
            self.fail("must provide an object", pointer)
            return
        self.ident(block.get("block_id"), pointer + "/block_id")
        kind = block.get("type")
        if kind == "section":
            if "text" in block:
                self.text(block["text"], pointer + "/text", SECTION_TEXT)
            fields = block.get("fields") or []
            if "text" not in block and not fields:
                self.fail("must provide text or fields", pointer)
            if len(fields) > SECTION_FIELDS:
                self.fail(f"must provide at most {SECTION_FIELDS} items", pointer + "/fields")
            for i, field in enumerate(fields):
                self.text(field, f"{pointer}/fields/{i}", SECTION_FIELD)
            accessory = block.get("accessory")
            if isinstance(accessory, dict) and accessory.get("type") == "button":
                self.button(accessory, pointer + "/accessory")
        elif kind == "header":
            self.text(block.get("text"), pointer + "/text", HEADER_TEXT, plain_only=True)
        elif kind == "context":
            elements = block.get("elements") or []
            if not elements or len(elements) > CONTEXT_ELEMENTS:
                self.fail(f"must provide 1 to {CONTEXT_ELEMENTS} items", pointer + "/elements")
            for i, element in enumerate(elements):
                if isinstance(element, dict) and element.get("type") == "image":
                    continue
                self.text(element, f"{pointer}/elements/{i}", CONTEXT_TEXT)
        elif kind == "actions":
            elements = block.get("elements") or []
            if not elements or len(elements) > ACTIONS_ELEMENTS:
                self.fail(f"must provide 1 to {ACTIONS_ELEMENTS} items", pointer + "/elements")
            for i, element in enumerate(elements):
                if isinstance(element, dict) and element.get("type") == "button":
                    self.button(element, f"{pointer}/elements/{i}")
        elif kind not in ("divider", "input", "image", "rich_text", "file", "markdown"):
            self.fail(f"unsupported type: {kind}", pointer + "/type")

    def blocks(self, blocks: Any, limit: int, pointer: str = "/blocks") -> None:
        if not isinstance(blocks, list):
            self.fail("must provide an array", pointer)
            return
        if len(blocks) > limit:
            self.fail(f"must provide at most {limit} items", pointer)
        for i, block in enumerate(blocks):
            self.block(block, f"{pointer}/{i}")


def _refusal(error: str, problems: list[str]) -> Args:
    return {
        "ok": False,
        "error": error,
        "errors": problems,
        "response_metadata": {"messages": [f"[ERROR] {p}" for p in problems]},
    }


def message_problem(args: Args) -> Args | None:
    """Slack's answer to a ``chat.postMessage``/``chat.update`` breaking a limit, or None."""
    text = args.get("text")
    if isinstance(text, str) and len(text) > TEXT_LIMIT:
        return {"ok": False, "error": "msg_too_long"}
    if "blocks" not in args or args["blocks"] in (None, ""):
        return None
    check = _Check()
    check.blocks(args["blocks"], MESSAGE_BLOCKS)
    return _refusal("invalid_blocks", check.errors) if check.errors else None


def view_problem(view: Any) -> Args | None:
    """Slack's answer to a ``views.open`` whose modal breaks a limit, or None
    (https://docs.slack.dev/reference/methods/views.open#errors)."""
    check = _Check()
    if not isinstance(view, dict):
        return _refusal("invalid_arguments", ["must provide an object [json-pointer:/view]"])
    check.text(view.get("title"), "/view/title", MODAL_TITLE, plain_only=True)
    for button in ("submit", "close"):
        if button in view:
            check.text(view[button], f"/view/{button}", MODAL_TITLE, plain_only=True)
    if len(str(view.get("private_metadata") or "")) > PRIVATE_METADATA:
        check.fail(f"must be less than {PRIVATE_METADATA + 1} characters", "/view/private_metadata")
    check.ident(view.get("callback_id"), "/view/callback_id")
    check.blocks(view.get("blocks"), MODAL_BLOCKS, "/view/blocks")
    return _refusal("invalid_arguments", check.errors) if check.errors else None
