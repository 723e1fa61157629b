"""Fuzzing the two ingress endpoints of the real app with hypothesis.

Unsigned, forged, malformed, huge, empty and replayed requests against ``POST /github/webhook``
and ``POST /slack/events``: never a 5xx, nothing stored or started from an unsigned request,
the service healthy afterwards. Each test sends a fixed number of requests (``EXAMPLES`` per
test, about 10,000 in total) so the file stays well under a minute and a half.
"""

from __future__ import annotations

import copy
import hmac
import json
import re
import time
import uuid
from collections import Counter
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlmodel import select

from app.config import Settings
from app.db import get_engine, session_scope
from app.models import AuditEvent, Run, WebhookDelivery
from devtools.slack_signing import signed_slack_request
from tests.app.conftest import WEBHOOK_SECRET, sign
from tests.conftest import load_fixture, wait_for
from tests.github_fake import FakeGitHub
from tests.slack.conftest import SIGNING_SECRET
from webhooks.triggers import RunRequest, run_request_for

# The service's background threads (DBOS queue polling, retries with jitter) use the global
# `random` while hypothesis draws; hypothesis takes that for a strategy using `random`.
pytestmark = pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies")

EXAMPLES = 1700
"""Requests per fuzz test; six tests plus the fixed cases make a little over 10,000."""

SENT: Counter[str] = Counter()
"""Requests sent, by test: the report's count, and a check that the fuzzing happened."""


def fuzz(examples: int = EXAMPLES) -> Any:
    # Function-scoped fixtures are the point here: one service takes every example, so
    # what one request stores is seen by the next (and by the checks at the end).
    return hypothesis_settings(
        max_examples=examples,
        deadline=None,
        database=None,  # no .hypothesis/ directory in the checkout or in tmp dirs
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# -- what the service must not have done ---------------------------------------------------


def stored_deliveries(settings: Settings) -> list[WebhookDelivery]:
    with session_scope(settings.database_url) as session:
        return list(session.exec(select(WebhookDelivery)).all())


def stored_runs(settings: Settings) -> list[Run]:
    with session_scope(settings.database_url) as session:
        return list(session.exec(select(Run)).all())


def audit_actions(settings: Settings) -> Counter[str]:
    with session_scope(settings.database_url) as session:
        return Counter(event.action for event in session.exec(select(AuditEvent)).all())


def workflow_count(settings: Settings) -> int:
    """Workflows DBOS knows of (its system tables live in the same database)."""
    with get_engine(settings.database_url).connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM workflow_status")).scalar_one())


def assert_nothing_started(settings: Settings, github: FakeGitHub) -> None:
    assert stored_runs(settings) == []
    assert workflow_count(settings) == 0
    assert github.token_requests == []


def assert_healthy(client: TestClient) -> None:
    assert client.get("/healthz").status_code == 200


# -- building blocks -----------------------------------------------------------------------

WEBHOOK_FIXTURES = [
    ("issues", "github_webhooks/issues__opened.payload.json"),
    ("issues", "github_webhooks/issues__labeled.payload.json"),
    ("issue_comment", "github_webhooks/issue_comment__created.payload.json"),
    ("installation", "github_webhooks/installation__created.payload.json"),
    ("installation", "github_webhooks/installation__deleted.payload.json"),
    ("installation_repositories", "github_webhooks/installation_repositories__added.payload.json"),
    ("ping", "github_webhooks/ping__payload.json"),
    ("pull_request", "github_webhooks/pull_request__opened.payload.json"),
]
EVENTS = st.sampled_from(
    ["issues", "issue_comment", "installation", "installation_repositories", "ping",
     "pull_request", "push", "", "ISSUES", "issues\x00", "workflow_run"]
) | st.text(max_size=30)  # fmt: skip
CONTENT_TYPES = st.sampled_from(
    ["application/json", "application/x-www-form-urlencoded", "text/plain", "",
     "multipart/form-data; boundary=x", "application/json; charset=utf-16", "image/png"]
)  # fmt: skip
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=20,
)
BODIES = (
    st.binary(max_size=2048)
    | st.text(max_size=512).map(str.encode)
    | JSON_VALUES.map(lambda value: json.dumps(value).encode())
    | st.just(b"")
    | st.just(b"{")
    | st.just(b"\xff\xfe{}")
)
HEADER_TEXT = st.text(max_size=80)


def _on_the_wire(headers: dict[str, str]) -> dict[str, bytes]:
    """Header values as raw bytes (UTF-8 for text beyond latin-1), minus what HTTP forbids."""
    forbidden = str.maketrans("", "", "\r\n\x00")
    return {name: value.translate(forbidden).encode() for name, value in headers.items()}


def github_post(client: TestClient, body: bytes, headers: dict[str, str], test: str) -> Any:
    SENT[test] += 1
    return client.post("/github/webhook", content=body, headers=_on_the_wire(headers))


def slack_post(client: TestClient, body: bytes, headers: dict[str, str], test: str) -> Any:
    SENT[test] += 1
    return client.post("/slack/events", content=body, headers=_on_the_wire(headers))


# Mutations are drawn as plain data and applied in the test body: a @composite strategy
# trips hypothesis' "random module inside strategies" check whenever DBOS' background
# threads (queue polling with jitter) happen to use `random` during the draw.
MUTATIONS = st.lists(
    st.tuples(
        st.lists(st.integers(min_value=0, max_value=50), max_size=3),  # path of nested objects
        st.integers(min_value=0, max_value=50),  # which key at the end of the path
        st.booleans(),  # drop the key, or replace its value
        JSON_VALUES,
    ),
    min_size=1,
    max_size=4,
)


def mutate(payload: dict[str, Any], mutations: list[tuple[list[int], int, bool, Any]]) -> None:
    """Replace or drop a few fields, anywhere in the payload, by values of any JSON type."""
    for path, key_index, drop, value in mutations:
        target: dict[str, Any] = payload
        for step in path:
            children = sorted(key for key, child in target.items() if isinstance(child, dict))
            if not children:
                break
            target = target[children[step % len(children)]]
        if not target:
            continue
        key = sorted(target)[key_index % len(target)]
        if drop:
            del target[key]
        else:
            target[key] = value


def _would_start_a_run(event: str, payload: dict[str, Any]) -> bool:
    try:
        return isinstance(run_request_for(event, payload), RunRequest)
    except Exception:  # the service must answer 400 for these; the request says so
        return False


# -- GitHub --------------------------------------------------------------------------------


@fuzz()
@given(
    body=BODIES,
    event=EVENTS,
    content_type=CONTENT_TYPES,
    signature=st.one_of(
        st.none(),
        HEADER_TEXT,
        st.text(alphabet="0123456789abcdef", min_size=64, max_size=64).map("sha256=".__add__),
        st.just("sha1=" + "0" * 40),
        st.just("sha256="),
        st.sampled_from(["wrong secret", WEBHOOK_SECRET + " ", ""]).map(lambda s: ("secret", s)),
    ),
)
def test_unsigned_or_forged_webhooks_are_401_and_store_nothing(
    client: TestClient,
    github: FakeGitHub,
    settings: Settings,
    body: bytes,
    event: str,
    content_type: str,
    signature: str | tuple[str, str] | None,
) -> None:
    headers = {"X-GitHub-Event": event, "X-GitHub-Delivery": str(uuid.uuid4())}
    if content_type:
        headers["Content-Type"] = content_type
    if isinstance(signature, tuple):  # a real HMAC, under a secret that is not ours
        headers["X-Hub-Signature-256"] = sign(body, signature[1])
    elif signature is not None:
        headers["X-Hub-Signature-256"] = signature
    response = github_post(client, body, headers, "github_unsigned")
    assert response.status_code == 401
    assert stored_deliveries(settings) == []


def test_after_unsigned_webhooks_nothing_started_and_service_healthy(
    client: TestClient, github: FakeGitHub, settings: Settings
) -> None:
    # Hypothesis re-runs the body, not the fixtures: check the aftermath in a fresh service
    # that first takes a burst of forged requests of every kind the fuzz test sends.
    body = json.dumps(load_fixture("github_webhooks/issues__opened.payload.json")).encode()
    for bad in ("", "sha256=" + "0" * 64, sign(body, "wrong secret"), sign(body + b" ")):
        headers = {"X-GitHub-Event": "issues", "X-GitHub-Delivery": str(uuid.uuid4()),
                   "X-Hub-Signature-256": bad, "Content-Type": "application/json"}  # fmt: skip
        assert github_post(client, body, headers, "github_unsigned").status_code == 401
    assert stored_deliveries(settings) == []
    assert_nothing_started(settings, github)
    assert_healthy(client)


@fuzz()
@given(
    body=BODIES,
    event=EVENTS,
    content_type=CONTENT_TYPES,
    delivery=st.one_of(st.none(), st.just(""), HEADER_TEXT),
)
def test_signed_garbage_is_400_never_5xx(
    client: TestClient,
    github: FakeGitHub,
    settings: Settings,
    body: bytes,
    event: str,
    content_type: str,
    delivery: str | None,
) -> None:
    headers = {"X-GitHub-Event": event, "X-Hub-Signature-256": sign(body)}
    if content_type:
        headers["Content-Type"] = content_type
    if delivery is not None:
        headers["X-GitHub-Delivery"] = delivery
    try:
        payload = json.loads(body)
    except ValueError:
        payload = None
    if isinstance(payload, dict) and event and delivery and _would_start_a_run(event, payload):
        return  # a well-formed trigger: covered by the signed-shape test
    response = github_post(client, body, headers, "github_signed_garbage")
    assert response.status_code < 500, response.text
    if not isinstance(payload, dict) or not event.strip() or not delivery:
        assert response.status_code == 400
    assert stored_runs(settings) == []


@fuzz()
@given(source=st.sampled_from(WEBHOOK_FIXTURES), mutations=MUTATIONS, content_type=CONTENT_TYPES)
def test_signed_payloads_of_the_wrong_shape_never_5xx(
    client: TestClient,
    github: FakeGitHub,
    settings: Settings,
    source: tuple[str, str],
    mutations: list[tuple[list[int], int, bool, Any]],
    content_type: str,
) -> None:
    event, fixture = source
    payload: dict[str, Any] = copy.deepcopy(load_fixture(fixture))
    mutate(payload, mutations)
    issue = payload.get("issue")
    if _would_start_a_run(event, payload) and isinstance(issue, dict):
        # Still a valid trigger after mutation: keep the parse, but not the (slow) run.
        issue["state"] = "closed"
    body = json.dumps(payload).encode()
    headers = {"X-GitHub-Event": event, "X-GitHub-Delivery": str(uuid.uuid4()),
               "X-Hub-Signature-256": sign(body)}  # fmt: skip
    if content_type:
        headers["Content-Type"] = content_type
    response = github_post(client, body, headers, "github_wrong_shape")
    assert response.status_code in (202, 400), response.text
    assert stored_runs(settings) == []


def test_huge_and_empty_webhook_bodies(
    client: TestClient, github: FakeGitHub, settings: Settings
) -> None:
    huge = b"x" * (26 * 1024 * 1024)
    headers = {"X-GitHub-Event": "issues", "X-GitHub-Delivery": "huge",
               "X-Hub-Signature-256": sign(huge), "Content-Type": "application/json"}  # fmt: skip
    assert github_post(client, huge, headers, "github_fixed").status_code == 413
    empty_unsigned = {"X-GitHub-Event": "issues", "X-GitHub-Delivery": "empty"}
    assert github_post(client, b"", empty_unsigned, "github_fixed").status_code == 401
    empty_signed = {**empty_unsigned, "X-Hub-Signature-256": sign(b"")}
    assert github_post(client, b"", empty_signed, "github_fixed").status_code == 400
    assert stored_deliveries(settings) == []
    assert_nothing_started(settings, github)
    assert_healthy(client)


def test_replays_of_a_valid_delivery_start_one_run(
    client: TestClient, github: FakeGitHub, settings: Settings
) -> None:
    payload = load_fixture("github_webhooks/issues__opened.payload.json")
    payload["installation"] = {"id": 1}
    payload["issue"]["author_association"] = "OWNER"
    body = json.dumps(payload).encode()
    headers = {"X-GitHub-Event": "issues", "X-GitHub-Delivery": "replayed",
               "X-Hub-Signature-256": sign(body), "Content-Type": "application/json"}  # fmt: skip
    first = github_post(client, body, headers, "github_replay")
    assert first.status_code == 202
    assert first.json()["outcome"] == "pending"
    for _ in range(500):
        again = github_post(client, body, headers, "github_replay")
        assert again.status_code == 202
        assert again.json()["message"] == "duplicate delivery, already handled"
    wait_for(lambda: len(stored_runs(settings)) == 1)
    assert [d.id for d in stored_deliveries(settings)] == ["replayed"]
    assert [r.id for r in stored_runs(settings)] == ["Codertocat/Hello-World#1:1"]
    assert_healthy(client)


@fuzz()
@given(event_and_payload=st.sampled_from(WEBHOOK_FIXTURES[3:]), association=st.text(max_size=12))
def test_signed_well_formed_deliveries_are_accepted(
    client: TestClient,
    github: FakeGitHub,
    settings: Settings,
    event_and_payload: tuple[str, str],
    association: str,
) -> None:
    event, fixture = event_and_payload
    payload = load_fixture(fixture)
    payload["sender"]["login"] = association or "someone"
    body = json.dumps(payload).encode()
    headers = {"X-GitHub-Event": event, "X-GitHub-Delivery": str(uuid.uuid4()),
               "X-Hub-Signature-256": sign(body), "Content-Type": "application/json"}  # fmt: skip
    response = github_post(client, body, headers, "github_well_formed")
    assert response.status_code == 202
    assert response.json()["message"] == "accepted"
    assert stored_runs(settings) == []


# -- Slack ---------------------------------------------------------------------------------

SLACK_FIXTURES = [
    "slack/bolt_event_callback.app_mention.json",
    "slack/bolt_block_actions.button.json",
    "slack/bolt_view_submission.json",
]


def _slack_forms(name: str) -> list[bytes]:
    """A real Slack payload as Events API JSON, and form-encoded as interactivity sends it."""
    raw = json.dumps(load_fixture(name))
    return [raw.encode(), urlencode({"payload": raw}).encode()]


SLACK_BODIES = (
    BODIES
    | JSON_VALUES.map(lambda value: urlencode({"payload": json.dumps(value)}).encode())
    | st.sampled_from([form for name in SLACK_FIXTURES for form in _slack_forms(name)])
)


@fuzz()
@given(
    body=SLACK_BODIES,
    content_type=CONTENT_TYPES,
    stamp=st.one_of(
        st.none(),
        st.just("expired"),
        st.just("future"),
        HEADER_TEXT,
        st.integers(min_value=-(2**63), max_value=2**63).map(str),
    ),
    signing=st.sampled_from(["ours", "wrong secret", "none", "garbage"]),
)
def test_unsigned_expired_or_forged_slack_requests_are_401(
    client: TestClient,
    settings: Settings,
    github: FakeGitHub,
    body: bytes,
    content_type: str,
    stamp: str | None,
    signing: str,
) -> None:
    now = int(time.time())
    timestamp = {"expired": str(now - 6 * 60), "future": str(now + 6 * 60)}.get(stamp or "", stamp)
    headers: dict[str, str] = {}
    if content_type:
        headers["Content-Type"] = content_type
    if signing in ("ours", "wrong secret") and timestamp is not None:
        secret = SIGNING_SECRET if signing == "ours" else "wrong secret"
        try:
            headers.update(signed_slack_request(secret, body, timestamp))
        except ValueError:
            headers["X-Slack-Request-Timestamp"] = timestamp
    else:
        if timestamp is not None:
            headers["X-Slack-Request-Timestamp"] = timestamp
        if signing == "garbage":
            headers["X-Slack-Signature"] = "v0=" + "ab" * 32
    fresh = (
        timestamp is not None
        and re.fullmatch(r"\s*-?[0-9]+\s*", timestamp) is not None
        and (abs(int(timestamp) - now) < 4 * 60)
    )
    if signing == "ours" and fresh:
        return  # a genuinely valid signature: the signed-garbage test covers these
    response = slack_post(client, body, headers, "slack_unsigned")
    assert response.status_code == 401, response.text
    assert_nothing_started(settings, github)


@fuzz()
@given(body=SLACK_BODIES, content_type=CONTENT_TYPES)
def test_signed_slack_garbage_never_5xx(
    client: TestClient, settings: Settings, github: FakeGitHub, body: bytes, content_type: str
) -> None:
    # Signed by hand: slack_sdk's signer refuses bodies that are not UTF-8, Slack's HMAC does not.
    stamp = str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), b"v0:" + stamp.encode() + b":" + body, "sha256")
    headers = {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=" + digest.hexdigest()}
    if content_type:
        headers["Content-Type"] = content_type
    response = slack_post(client, body, headers, "slack_signed_garbage")
    assert response.status_code < 500, response.text
    assert stored_runs(settings) == []


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "view_submission", "view": None},
        {"type": "block_actions", "actions": [None]},
        {"type": "event_callback", "event": []},
        [1, 2],
    ],
)
def test_signed_slack_body_of_the_wrong_shape_is_400_not_a_bolt_crash(
    client: TestClient, settings: Settings, payload: Any
) -> None:
    body = urlencode({"payload": json.dumps(payload)}).encode()
    headers = {
        **signed_slack_request(SIGNING_SECRET, body),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    response = slack_post(client, body, headers, "slack_fixed")
    assert response.status_code == 400, response.text
    assert stored_runs(settings) == []


def test_forged_slack_requests_are_audited_and_service_healthy(
    client: TestClient, settings: Settings, github: FakeGitHub
) -> None:
    body = json.dumps(load_fixture("slack/bolt_event_callback.app_mention.json")).encode()
    expired = signed_slack_request(SIGNING_SECRET, body, int(time.time()) - 600)
    forged = signed_slack_request("wrong secret", body)
    for headers in (expired, forged, {}):
        response = slack_post(
            client, body, {**headers, "Content-Type": "application/json"}, "slack_fixed"
        )
        assert response.status_code == 401
    assert audit_actions(settings)["slack.signature_refused"] == 3
    assert_nothing_started(settings, github)
    assert_healthy(client)


@pytest.fixture(scope="module", autouse=True)
def report_counts() -> Any:
    yield
    # Shown with `pytest -s`; also a guard that the fuzzing really ran its examples.
    print(f"\nfuzz requests sent: {sum(SENT.values())} {dict(SENT)}")
