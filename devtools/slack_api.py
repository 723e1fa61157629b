"""A local Slack Web API: the methods Fixer calls, with enough state to check side effects.

It is a real HTTP server on loopback (stdlib, one thread per request), so slack_sdk's
``AsyncWebClient`` talks to it unchanged through ``SLACK_API_URL``. Like Slack, it answers
HTTP 200 with ``{"ok": false, "error": ...}`` for API errors, accepts form-encoded, query
string and JSON arguments alike, and checks the bearer token.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from devtools.slack_blocks import message_problem, view_problem
from devtools.slack_rate import RateLimits

Args = dict[str, Any]

_TRIGGER = re.compile(r"^(\d{13})\.(\d+)\.([0-9a-f]{16})$")
_trigger_serial = itertools.count(1)

TRIGGER_TTL_S = 3.0
"""A ``trigger_id`` is good for one ``views.open``, within 3 seconds of the click
(https://docs.slack.dev/interactivity/handling-user-interaction#modal_responses)."""


def new_trigger_id() -> str:
    """A ``trigger_id`` as a click made now carries; it says when it was issued (in ms), so
    any emulation can tell when it expires."""
    return f"{time.time_ns() // 1_000_000}.{next(_trigger_serial)}.{secrets.token_hex(8)}"


def trigger_issued_at(trigger_id: str) -> float | None:
    """When ``trigger_id`` was issued (epoch seconds), or None for one Slack never issued."""
    match = _TRIGGER.match(trigger_id)
    return int(match.group(1)) / 1000 if match else None


# Arguments that slack_sdk sends as JSON text inside a form field.
_JSON_FIELDS = ("blocks", "metadata", "view", "files", "attachments")


@dataclass
class SlackState:
    """The workspace as the fake sees it: channels of messages, members, files, modals."""

    bot_user_id: str = "UFIXERBOT"
    bot_id: str = "BFIXERBOT"
    team_id: str = "T0FIXER"
    messages: dict[str, list[Args]] = field(default_factory=dict)
    """Per channel, every message (thread replies too), oldest first."""
    members: dict[str, list[str]] = field(default_factory=dict)
    ephemeral: list[Args] = field(default_factory=list)
    views: list[Args] = field(default_factory=list)
    files: dict[str, Args] = field(default_factory=dict)
    used_triggers: set[str] = field(default_factory=set)
    _clock: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._clock):06d}"

    def top_level(self, channel: str) -> list[Args]:
        return [m for m in self.messages.get(channel, []) if m.get("thread_ts") in (None, m["ts"])]

    def thread(self, channel: str, ts: str) -> list[Args]:
        return [
            m for m in self.messages.get(channel, []) if m["ts"] == ts or m.get("thread_ts") == ts
        ]

    def find(self, channel: str, ts: str) -> Args | None:
        return next((m for m in self.messages.get(channel, []) if m["ts"] == ts), None)

    def call(self, method: str, args: Args) -> Args | None:
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        return None if handler is None else handler(args)

    def _post(self, channel: str, fields: Args) -> Args:
        message: Args = {
            "type": "message",
            "ts": self.next_ts(),
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "team": self.team_id,
            **fields,
        }
        self.messages.setdefault(channel, []).append(message)
        return message

    def _auth_test(self, _: Args) -> Args:
        return {
            "ok": True,
            "url": "https://fixer-test.slack.com/",
            "team": "Fixer Test",
            "user": "fixer",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def user_message(
        self, channel: str, user: str, text: str, thread_ts: str | None = None
    ) -> Args:
        """A person's message (not the bot's), as the ``event`` of a ``message`` callback
        (https://docs.slack.dev/reference/events/message)."""
        fields: Args = {"text": text, "user": user, "bot_id": None}
        if thread_ts:
            fields["thread_ts"] = thread_ts
        message = self._post(channel, fields)
        message.pop("bot_id")
        return {**message, "channel": channel, "event_ts": message["ts"], "channel_type": "channel"}

    def _chat_postMessage(self, args: Args) -> Args:
        channel = args.get("channel")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not (args.get("text") or args.get("blocks")):
            return {"ok": False, "error": "no_text"}
        if problem := message_problem(args):
            return problem
        thread_ts = args.get("thread_ts")
        if thread_ts:
            # ``thread_ts`` must be a message of *this* channel, and a parent, not a reply
            # (https://docs.slack.dev/reference/methods/chat.postMessage#arg_thread_ts:
            # "avoid using a reply's ts value; use its parent instead"). Real Slack may even
            # answer ok and show the message nowhere (python-slack-sdk#840); strict here.
            parent = self.find(channel, str(thread_ts))
            if parent is None or parent.get("thread_ts") not in (None, parent["ts"]):
                return {"ok": False, "error": "invalid_thread_ts"}
        fields: Args = {
            k: args[k] for k in ("text", "blocks", "metadata", "thread_ts") if k in args
        }
        message = self._post(channel, fields)
        if "thread_ts" in args and (parent := self.find(channel, args["thread_ts"])):
            parent["reply_count"] = parent.get("reply_count", 0) + 1
        return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}

    def _chat_update(self, args: Args) -> Args:
        message = self.find(args.get("channel", ""), args.get("ts", ""))
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        if problem := message_problem(args):
            return problem
        message.update({k: args[k] for k in ("text", "blocks", "metadata") if k in args})
        message["edited"] = {"user": self.bot_user_id, "ts": self.next_ts()}
        return {"ok": True, "channel": args["channel"], "ts": message["ts"], "message": message}

    def _chat_getPermalink(self, args: Args) -> Args:
        """https://docs.slack.dev/reference/methods/chat.getPermalink"""
        channel = str(args.get("channel", ""))
        message = self.find(channel, str(args.get("message_ts", "")))
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        link = f"https://fixer-test.slack.com/archives/{channel}/p{message['ts'].replace('.', '')}"
        if message.get("thread_ts") not in (None, message["ts"]):
            link += f"?thread_ts={message['thread_ts']}&cid={channel}"
        return {"ok": True, "channel": channel, "permalink": link}

    def _chat_postEphemeral(self, args: Args) -> Args:
        if not args.get("user"):
            return {"ok": False, "error": "user_not_in_channel"}
        ts = self.next_ts()
        self.ephemeral.append({**args, "message_ts": ts})
        return {"ok": True, "message_ts": ts}

    def _visible(self, messages: list[Args], args: Args) -> list[Args]:
        # Slack returns metadata only to callers who ask for it.
        if str(args.get("include_all_metadata", "")).lower() in ("1", "true"):
            return [dict(m) for m in messages]
        return [{k: v for k, v in m.items() if k != "metadata"} for m in messages]

    def _conversations_history(self, args: Args) -> Args:
        channel = args.get("channel", "")
        if channel not in self.messages and channel not in self.members:
            return {"ok": False, "error": "channel_not_found"}
        newest_first = [m for m in reversed(self.top_level(channel)) if _in_window(m, args)]
        limit = int(args.get("limit") or 100)
        page = self._visible(newest_first[:limit], args)
        more = len(newest_first) > limit
        return {
            "ok": True,
            "messages": page,
            "has_more": more,
            "response_metadata": {"next_cursor": ""},
        }

    def _conversations_replies(self, args: Args) -> Args:
        thread = self.thread(args.get("channel", ""), args.get("ts", ""))
        if not thread:
            return {"ok": False, "error": "thread_not_found"}
        return {
            "ok": True,
            "messages": self._visible(thread, args),
            "has_more": False,
            "response_metadata": {"next_cursor": ""},
        }

    def _conversations_members(self, args: Args) -> Args:
        channel = args.get("channel", "")
        if channel not in self.members:
            return {"ok": False, "error": "channel_not_found"}
        return {
            "ok": True,
            "members": list(self.members[channel]),
            "response_metadata": {"next_cursor": ""},
        }

    def _views_open(self, args: Args) -> Args:
        # https://docs.slack.dev/reference/methods/views.open#errors
        trigger_id = str(args.get("trigger_id") or "")
        issued = trigger_issued_at(trigger_id)
        if issued is None:
            return {"ok": False, "error": "invalid_trigger_id"}
        if trigger_id in self.used_triggers:
            return {"ok": False, "error": "exchanged_trigger_id"}
        if time.time() - issued > TRIGGER_TTL_S:
            return {"ok": False, "error": "expired_trigger_id"}
        if problem := view_problem(args.get("view")):
            return problem
        self.used_triggers.add(trigger_id)  # one modal per click
        view = {**args.get("view", {}), "id": f"V{len(self.views) + 1:08d}"}
        self.views.append({"trigger_id": args["trigger_id"], "view": view})
        return {"ok": True, "view": view}

    def complete_upload(self, args: Args) -> Args:
        listed = args.get("files") or []
        if not listed or any(f.get("id") not in self.files for f in listed):
            return {"ok": False, "error": "file_not_found"}
        shared = [
            {
                **{k: v for k, v in self.files[f["id"]].items() if k != "content"},
                "title": f.get("title") or self.files[f["id"]]["name"],
            }
            for f in listed
        ]
        channel = args.get("channel_id")
        if channel:
            fields: Args = {"text": args.get("initial_comment", ""), "files": shared}
            if args.get("thread_ts"):
                fields["thread_ts"] = args["thread_ts"]
            self._post(channel, fields)
        return {"ok": True, "files": shared}


@dataclass
class ApiCall:
    method: str
    args: Args


@dataclass
class FakeSlack:
    """The Slack Web API on ``127.0.0.1``; ``url`` ends with ``/`` like ``SLACK_API_URL``."""

    token: str = "xoxb-fixer-test"
    state: SlackState = field(default_factory=SlackState)
    calls: list[ApiCall] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _file_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    fail_rate: float = 0.0
    """Share of API calls answered HTTP 500 before anything is done (chaos tests)."""
    fail_after_rate: float = 0.0
    """Share of API calls answered HTTP 500 after they took effect (the caller never hears)."""
    seed: int = 0
    injected: int = 0
    """Calls answered 500 by ``fail_rate`` or ``fail_after_rate`` so far."""
    _rng: random.Random | None = None
    rate: RateLimits = field(default_factory=RateLimits)
    """Slack's per-method tiers; ``rate.enabled = False`` for tests about something else."""
    delays: dict[str, float] = field(default_factory=dict)
    """Seconds a method takes before it answers (a slow Slack, e.g. a big channel's
    ``conversations.members``)."""

    def user_message(
        self, channel: str, user: str, text: str, thread_ts: str | None = None
    ) -> Args:
        with self._lock:
            return self.state.user_message(channel, user, text, thread_ts)

    def fails(self, rate: float) -> bool:
        """A seeded draw: does this call fail at ``rate``? (No draw at rate 0, so the
        faults of one rate do not shift when the other is set.)"""
        if rate <= 0:
            return False
        with self._lock:
            if self._rng is None:
                self._rng = random.Random(self.seed)
            failed = self._rng.random() < rate
            self.injected += failed
            return failed

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the Slack fake is not started: call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/api/"

    def start(self) -> FakeSlack:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # stop() waits for one poll
            name="fake-slack",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def calls_to(self, method: str) -> list[Args]:
        with self._lock:
            return [call.args for call in self.calls if call.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Args]:
        """The calls to ``method`` once there are ``count`` of them (listeners run after ack)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.calls_to(method)
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise TimeoutError(f"expected {count} call(s) to {method}, got {self.calls_to(method)}")

    # -- dispatch ---------------------------------------------------------------------------

    def handle(self, method: str, authorization: str, args: Args) -> Args:
        with self._lock:
            self.calls.append(ApiCall(method, args))
            if not authorization.startswith("Bearer "):
                return {"ok": False, "error": "not_authed"}
            if authorization.removeprefix("Bearer ") != self.token:
                return {"ok": False, "error": "invalid_auth"}
            if method.startswith("files."):
                return self._files(method, args)
            answer = self.state.call(method, args)
            if answer is None:
                return {"ok": False, "error": "unknown_method"}
            return answer

    def _files(self, method: str, args: Args) -> Args:
        if method == "files.getUploadURLExternal":
            if not args.get("filename") or not args.get("length"):
                return {"ok": False, "error": "invalid_arguments"}
            file_id = f"F{next(self._file_ids):08d}"
            self.state.files[file_id] = {"id": file_id, "name": args["filename"], "content": b""}
            return {"ok": True, "file_id": file_id, "upload_url": f"{self.url}upload/{file_id}"}
        if method == "files.completeUploadExternal":
            return self.state.complete_upload(args)
        return {"ok": False, "error": "unknown_method"}

    def upload(self, file_id: str, content: bytes) -> bool:
        with self._lock:
            if file_id not in self.state.files:
                return False
            self.state.files[file_id]["content"] = content
            return True


def _in_window(message: Args, args: Args) -> bool:
    """Slack's ``oldest``/``latest`` bounds (exclusive unless ``inclusive``)."""
    ts = float(message["ts"])
    inclusive = str(args.get("inclusive", "")).lower() in ("1", "true")
    latest, oldest = args.get("latest"), args.get("oldest")
    if latest and (ts > float(latest) or (ts == float(latest) and not inclusive)):
        return False
    return not (oldest and (ts < float(oldest) or (ts == float(oldest) and not inclusive)))


def _parse_args(query: str, content_type: str, body: bytes) -> Args:
    args: Args = dict(parse_qsl(query, keep_blank_values=True))
    if body:
        if content_type.startswith("application/json"):
            args.update(json.loads(body))
        else:
            args.update(parse_qsl(body.decode(), keep_blank_values=True))
    for name in _JSON_FIELDS:
        if isinstance(args.get(name), str) and args[name]:
            args[name] = json.loads(args[name])
    return args


def _handler_for(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            return

        def do_GET(self) -> None:
            self._serve(b"")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self._serve(self.rfile.read(length))

        def _serve(self, body: bytes) -> None:
            parts = urlsplit(self.path)
            if parts.path.startswith("/api/upload/"):
                ok = fake.upload(parts.path.rsplit("/", 1)[1], body)
                self._reply(200 if ok else 404, f"OK - {len(body)}".encode(), "text/plain")
                return
            method = parts.path.removeprefix("/api/")
            try:
                args = _parse_args(parts.query, self.headers.get("Content-Type", ""), body)
            except (ValueError, UnicodeDecodeError):
                self._reply(200, json.dumps({"ok": False, "error": "invalid_json"}).encode())
                return
            if fake.fails(fake.fail_rate):
                self._reply(500, b"internal_error (injected)", "text/plain")
                return
            if (delay := fake.delays.get(method)) is not None:
                time.sleep(delay)
            if (wait := fake.rate.retry_after(method, args)) is not None:
                payload = json.dumps({"ok": False, "error": "ratelimited"}).encode()
                self._reply(429, payload, headers={"Retry-After": str(wait)})
                return
            answer = fake.handle(method, self.headers.get("Authorization", ""), args)
            if fake.fails(fake.fail_after_rate):
                self._reply(500, b"internal_error (injected)", "text/plain")
                return
            self._reply(200, json.dumps(answer).encode())

        def _reply(
            self,
            status: int,
            payload: bytes,
            content_type: str = "application/json",
            headers: dict[str, str] | None = None,
        ) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler
