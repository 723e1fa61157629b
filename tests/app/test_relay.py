"""``fixer relay``: a smee-protocol channel relayed to the local endpoint, bytes intact."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from githubkit.webhooks import sign

from app.relay import Relay, delivery_from, member_text
from app.sse import EventStreamParser
from devtools.webhook_relay import WebhookRelay

SECRET = "relay-secret"


class Receiver:
    """A local endpoint that records what it was sent."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/github/webhook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def relay_server() -> Iterator[WebhookRelay]:
    server = WebhookRelay(ping_interval=0.2).start()
    yield server
    server.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.httpd.shutdown()


def github_post(channel: str, payload: dict[str, Any]) -> bytes:
    """POST to the channel as GitHub does: compact JSON, signed, GitHub's headers."""
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    response = httpx.post(
        channel,
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-GitHub-Event": "issues",
            "X-GitHub-Delivery": str(uuid.uuid4()),
            "X-Hub-Signature-256": sign(SECRET, body, method="sha256"),
            "User-Agent": "GitHub-Hookshot/abc123",
        },
    )
    assert response.status_code == 200
    return body


async def wait_for(condition: Any, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


def test_body_text_is_the_relays_own_bytes_not_a_python_re_encoding() -> None:
    data = '{"x-github-event":"issues","body":{"n":1e-7,"s":"é\\u001b","a":[1, 2]},"query":{}}'
    assert member_text(data, "body") == '{"n":1e-7,"s":"é\\u001b","a":[1, 2]}'
    assert member_text(data, "missing") is None


def test_raw_body_is_used_only_when_it_is_what_github_signed() -> None:
    raw = '{"value": 1.0}'
    signature = sign(SECRET, raw.encode(), method="sha256")
    data = json.dumps({"x-hub-signature-256": signature, "body": {"value": 1}, "rawdata": raw})
    assert delivery_from(data, SECRET).body == raw.encode()
    forged = json.dumps({"x-hub-signature-256": signature, "body": {"value": 1}, "rawdata": "{}"})
    assert delivery_from(forged, SECRET).body == b'{"value": 1}'


def test_hop_headers_and_relay_fields_are_not_forwarded() -> None:
    data = json.dumps(
        {
            "host": "smee.io",
            "content-length": "99",
            "connection": "close",
            "x-github-event": "ping",
            "body": {},
            "query": {},
            "timestamp": 1,
            "rawdata": "{}",
        }
    )
    headers = delivery_from(data).headers
    assert headers == {"x-github-event": "ping", "content-type": "application/json"}


def test_event_stream_keeps_the_last_id_and_the_servers_retry_delay() -> None:
    parser = EventStreamParser()
    events = [parser.feed(line) for line in ["retry: 2500", "id: 7", "data: a", "data: b", ""]]
    assert events[-1] is not None and events[-1].data == "a\nb" and events[-1].event == "message"
    assert parser.retry_ms == 2500 and parser.last_event_id == "7"
    assert parser.feed(": keep-alive") is None and parser.feed("") is None


async def test_signed_delivery_arrives_with_its_headers_and_a_verifying_signature(
    relay_server: WebhookRelay, receiver: Receiver
) -> None:
    channel = relay_server.channel_url()
    relay = Relay(channel, receiver.url, secret=SECRET, log=lambda _: None)
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    await wait_for(lambda: relay_server.listeners(channel) == 1)
    payload = {"action": "opened", "issue": {"number": 1, "title": "Ünïcode ✓ </b>"}}
    sent = await asyncio.to_thread(github_post, channel, payload)
    await wait_for(lambda: receiver.requests)
    headers, body = receiver.requests[0]
    assert body == sent
    assert headers["x-github-event"] == "issues"
    assert headers["x-hub-signature-256"] == sign(SECRET, body, method="sha256")
    assert headers["user-agent"] == "GitHub-Hookshot/abc123"
    stop.set()
    await task


async def test_relay_reconnects_after_the_stream_drops_and_keeps_forwarding(
    relay_server: WebhookRelay, receiver: Receiver
) -> None:
    channel = relay_server.channel_url()
    relay = Relay(channel, receiver.url, secret=SECRET, log=lambda _: None)
    relay.parser.retry_ms = 50
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    await wait_for(lambda: relay_server.listeners(channel) == 1)
    relay_server.drop_connections()
    await wait_for(lambda: relay_server.state.connections == 2)
    await wait_for(lambda: relay_server.listeners(channel) == 1)
    await asyncio.to_thread(github_post, channel, {"action": "opened"})
    await wait_for(lambda: receiver.requests)
    assert receiver.requests[0][1] == b'{"action":"opened"}'
    stop.set()
    await task


def test_relay_emulation_refuses_what_smee_refuses(relay_server: WebhookRelay) -> None:
    channel = relay_server.channel_url()
    bad_guid = httpx.post(channel, json={}, headers={"X-GitHub-Delivery": "not-a-uuid"})
    assert bad_guid.status_code == 400
    not_object = httpx.post(channel, json=[1, 2])
    assert not_object.status_code == 400
    assert httpx.get(f"{relay_server.url}/new").status_code == 307
