"""A local webhook relay speaking smee.io's protocol, for tests and the offline demo.

Modelled on the smee.io server (https://github.com/probot/smee.io, lib/server.js):

* ``GET /new`` answers 307 to a fresh channel URL (12 random bytes, base64url).
* ``GET /CHANNEL`` with ``Accept: text/event-stream`` (exactly that header value) opens a
  server-sent-events stream: ``id: 0`` / ``event: ready`` / ``data: {}`` first, an
  ``event: ping`` every 30 s, and one unnamed (``message``) event per delivery. Event ids count
  per connection from 0, and nothing is replayed: ``Last-Event-ID`` is ignored, and a delivery
  made while no client listens is lost. Any other ``GET`` gets the web page.
* ``POST /CHANNEL`` takes a JSON object body (fastify's schema: 400 otherwise, 415 for another
  content type), checks ``x-github-delivery`` is a UUID and ``x-hub-signature-256`` is
  ``sha256=<64 hex>``, and publishes ``{...headers, body, query, timestamp}`` re-serialised
  with ``JSON.stringify`` (:mod:`devtools.js_json`). The raw body is not kept.
* Channel names match ``^[a-zA-Z0-9-_]+$``, 1 to 128 characters.
"""

from __future__ import annotations

import base64
import json
import queue
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from devtools.js_json import stringify

_CHANNEL = re.compile(r"^/([a-zA-Z0-9_-]{1,128})$")
_SIGNATURE = re.compile(r"^sha256=[a-f0-9]{64}$")
_CLOSE = object()


@dataclass
class RelayState:
    subscribers: dict[str, list[queue.Queue[Any]]] = field(default_factory=dict)
    published: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    connections: int = 0
    """SSE connections opened so far (a reconnecting client adds one each time)."""
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    state: RelayState
    ping_interval: float

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == "/new":
            channel = base64.urlsafe_b64encode(secrets.token_bytes(12)).decode().rstrip("=")
            self.send_response(307)
            self.send_header("Location", f"http://{self.headers['Host']}/{channel}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        match = _CHANNEL.match(path)
        if match is None:
            return self._error(400, "params/channel must match pattern")
        if self.headers.get("Accept") != "text/event-stream":
            return self._send(
                200, b"<!doctype html><title>smee</title>", "text/html; charset=utf-8"
            )
        self._stream(match.group(1))

    def _stream(self, channel: str) -> None:
        inbox: queue.Queue[Any] = queue.Queue()
        with self.state.lock:
            self.state.subscribers.setdefault(channel, []).append(inbox)
            self.state.connections += 1
        count = 0

        def write(event: str | None, data: str) -> None:
            nonlocal count
            name = f"event: {event}\n" if event else ""
            self.wfile.write(f"id: {count}\n{name}data: {data}\n\n".encode())
            self.wfile.flush()
            count += 1

        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "keep-alive")
            self.end_headers()
            write("ready", "{}")
            while True:
                try:
                    item = inbox.get(timeout=self.ping_interval)
                except queue.Empty:
                    write("ping", "{}")
                    continue
                if item is _CLOSE:
                    break
                write(None, item)
        except OSError:
            pass  # the client went away
        finally:
            with self.state.lock:
                self.state.subscribers[channel].remove(inbox)
            self.close_connection = True

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        match = _CHANNEL.match(parts.path)
        if match is None:
            return self._error(400, "params/channel must match pattern")
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {name.lower(): value for name, value in self.headers.items()}
        if not headers.get("content-type", "").startswith("application/json"):
            return self._error(415, f"Unsupported Media Type: {headers.get('content-type')}")
        try:
            body = json.loads(raw)
        except ValueError:
            return self._error(400, "Body is not valid JSON")
        if not isinstance(body, dict):
            return self._error(400, "body must be object")
        problem = _header_problem(headers)
        if problem:
            return self._error(400, problem)
        message = {
            **headers,
            "body": body,
            "query": dict(parse_qsl(parts.query)),
            "timestamp": int(time.time() * 1000),
        }
        channel = match.group(1)
        data = stringify(message)
        with self.state.lock:
            self.state.published.append((channel, message))
            for inbox in self.state.subscribers.get(channel, []):
                inbox.put(data)
        self._send(200, b"", "text/plain; charset=utf-8")

    def _error(self, status: int, message: str) -> None:
        error = {"statusCode": status, "error": "Bad Request", "message": message}
        self._send(status, json.dumps(error).encode(), "application/json; charset=utf-8")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _header_problem(headers: dict[str, str]) -> str | None:
    delivery = headers.get("x-github-delivery")
    if delivery is not None:
        try:
            uuid.UUID(delivery)
        except ValueError:
            return 'headers/x-github-delivery must match format "uuid"'
    signature = headers.get("x-hub-signature-256")
    if signature is not None and not _SIGNATURE.match(signature):
        return 'headers/x-hub-signature-256 must match pattern "^sha256=[a-f0-9]{64}$"'
    return None


class WebhookRelay:
    """The relay on 127.0.0.1; :meth:`channel_url` gives a channel to point GitHub at."""

    def __init__(self, ping_interval: float = 30.0) -> None:
        self.state = RelayState()
        attrs = {"state": self.state, "ping_interval": ping_interval}
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), type("H", (_Handler,), attrs))
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def start(self) -> WebhookRelay:
        self._thread.start()
        return self

    def channel_url(self, channel: str | None = None) -> str:
        return f"{self.url}/{channel or secrets.token_urlsafe(12)}"

    def listeners(self, channel_url: str) -> int:
        channel = channel_url.rstrip("/").rsplit("/", 1)[1]
        with self.state.lock:
            return len(self.state.subscribers.get(channel, []))

    def drop_connections(self) -> None:
        """End every open stream, as a relay restart or a network blip would."""
        with self.state.lock:
            for inboxes in self.state.subscribers.values():
                for inbox in inboxes:
                    inbox.put(_CLOSE)

    def stop(self) -> None:
        self.drop_connections()
        self._httpd.shutdown()
        self._httpd.server_close()
