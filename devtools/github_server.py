"""The REST side of the emulated GitHub: routes, the HTTP handler, and injected faults.

A stdlib ``ThreadingHTTPServer`` on loopback; every request is handled under the state lock,
so concurrent clients see GitHub-like atomic writes. Paths may carry the GHES ``/api/v3``
prefix, which is how ``GITHUB_API_URL`` points Fixer here.
"""

from __future__ import annotations

import json
import random
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from devtools import github_actions as actions
from devtools import github_assignees as assignees
from devtools import github_checks as checks
from devtools import github_deliveries as deliveries
from devtools import github_issues as issues
from devtools import github_objects as objects
from devtools import github_repos as repos
from devtools import github_review_requests as review_requests
from devtools import github_reviews as reviews
from devtools import github_users as users
from devtools.github_auth import ApiError, Call, mint_token, require_app_jwt
from devtools.github_rate_limits import RateLimits
from devtools.github_state import Site

Reply = tuple[int, Any] | tuple[int, Any, dict[str, str]]
"""(status, JSON body) or (status, body, extra headers such as ``Link``)."""
Handler = Callable[[Call], Reply]


def _get_app(call: Call) -> Reply:
    require_app_jwt(call)
    return 200, objects.app(call.site)


def _access_token(call: Call) -> Reply:
    return 201, mint_token(call, int(call.args[0]))


def _conversion(call: Call) -> Reply:
    # One-time codes, as GitHub's: a second exchange of the same code is 404.
    found = call.site.state.manifest_codes.pop(call.args[0], None)
    if found is None:
        raise ApiError(404, "Not Found")
    return 201, found


_R = r"/repos/([^/]+)/([^/]+)"
ROUTES: list[tuple[str, re.Pattern[str], Handler]] = [
    (method, re.compile(pattern), handler)
    for method, pattern, handler in [
        ("GET", r"/app", _get_app),
        ("GET", r"/users/([^/]+)", users.get_user),
        ("POST", r"/app/installations/(\d+)/access_tokens", _access_token),
        ("POST", r"/app-manifests/([^/]+)/conversions", _conversion),
        ("GET", r"/app/hook/deliveries", deliveries.list_deliveries),
        ("GET", r"/app/hook/deliveries/(\d+)", deliveries.get_delivery),
        ("POST", r"/app/hook/deliveries/(\d+)/attempts", deliveries.redeliver),
        ("GET", _R, repos.get_repo),
        ("GET", _R + r"/contents/?(.*)", repos.get_contents),
        ("GET", _R + r"/collaborators/([^/]+)/permission", repos.get_permission),
        ("GET", _R + r"/pulls", repos.list_pulls),
        ("POST", _R + r"/pulls", repos.create_pull),
        ("GET", _R + r"/pulls/(\d+)", repos.get_pull),
        ("PATCH", _R + r"/pulls/(\d+)", repos.update_pull),
        ("POST", _R + r"/issues", issues.create_issue),
        ("GET", _R + r"/issues/(\d+)", issues.get_issue),
        ("GET", _R + r"/issues/(\d+)/comments", issues.list_comments),
        ("POST", _R + r"/issues/(\d+)/comments", issues.create_comment),
        ("PATCH", _R + r"/issues/comments/(\d+)", issues.edit_comment),
        ("POST", _R + r"/issues/(\d+)/labels", issues.add_labels),
        ("POST", _R + r"/issues/comments/(\d+)/reactions", issues.react_to_comment),
        ("POST", _R + r"/issues/(\d+)/reactions", issues.react_to_issue),
        ("POST", _R + r"/issues/(\d+)/assignees", assignees.add_assignees),
        ("DELETE", _R + r"/issues/(\d+)/assignees", assignees.remove_assignees),
        ("GET", _R + r"/issues/(\d+)/assignees/([^/]+)", assignees.check_issue_assignee),
        ("GET", _R + r"/assignees/([^/]+)", assignees.check_assignee),
        ("GET", _R + r"/pulls/(\d+)/requested_reviewers", review_requests.list_requested),
        ("POST", _R + r"/pulls/(\d+)/requested_reviewers", review_requests.request_reviewers),
        ("DELETE", _R + r"/pulls/(\d+)/requested_reviewers", review_requests.remove_requested),
        ("GET", _R + r"/pulls/(\d+)/reviews", reviews.list_reviews),
        ("POST", _R + r"/pulls/(\d+)/reviews", reviews.create_review),
        ("GET", _R + r"/pulls/(\d+)/reviews/(\d+)", reviews.get_review),
        ("GET", _R + r"/pulls/(\d+)/reviews/(\d+)/comments", reviews.list_review_comments),
        ("GET", _R + r"/pulls/(\d+)/comments", reviews.list_pull_comments),
        ("POST", _R + r"/pulls/(\d+)/comments", reviews.create_pull_comment),
        ("POST", _R + r"/pulls/(\d+)/comments/(\d+)/replies", reviews.create_reply),
        ("GET", _R + r"/commits/([^/]+)/check-runs", checks.runs_for_ref),
        ("GET", _R + r"/commits/([^/]+)/check-suites", checks.suites_for_ref),
        ("GET", _R + r"/check-runs/(\d+)", checks.get_run),
        ("GET", _R + r"/check-runs/(\d+)/annotations", checks.list_annotations),
        ("GET", _R + r"/check-suites/(\d+)", checks.get_suite),
        ("GET", _R + r"/check-suites/(\d+)/check-runs", checks.runs_in_suite),
        ("GET", _R + r"/actions/runs", actions.list_runs),
        ("GET", _R + r"/actions/runs/(\d+)", actions.get_run),
        ("GET", _R + r"/actions/runs/(\d+)/jobs", actions.list_jobs),
        ("GET", _R + r"/actions/jobs/(\d+)", actions.get_job),
        ("GET", _R + r"/actions/jobs/(\d+)/logs", actions.job_logs),
    ]
]


@dataclass
class Hold:
    """One held answer: ``reached`` once the call was made, answered once ``release`` is set."""

    pattern: re.Pattern[str]
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


@dataclass
class Faults:
    """Injected failures for chaos tests; decisions come from a seeded RNG, so runs repeat."""

    fail_rate: float = 0.0
    """Share of REST calls answered 502 before anything is done."""
    fail_after_rate: float = 0.0
    """Share of POSTs answered 502 after their side effect (done; the caller never hears)."""
    fail_next_after: int = 0
    """The next N successful POSTs answer 502 after their side effect, whatever the rates."""
    only: str | None = None
    """Regex on ``"METHOD /path"`` (prefix stripped) limiting which calls may fail."""
    seed: int = 0
    holds: list[Hold] = field(default_factory=list)
    """Answers held back after their side effect (see :meth:`hold`)."""
    limits: RateLimits = field(default_factory=RateLimits)
    """GitHub's primary and secondary rate limits (not faults: GitHub always enforces them)."""
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def _applies(self, method: str, path: str) -> bool:
        return self.only is None or re.search(self.only, f"{method} {path}") is not None

    def hold(self, pattern: str) -> Hold:
        """Hold the answer of the next call matching ``pattern`` (on ``"METHOD /path"``)
        until released: GitHub has done what was asked, the caller has not heard yet (a slow
        network). Tests use it to act inside a window that is otherwise milliseconds wide."""
        held = Hold(re.compile(pattern))
        self.holds.append(held)
        return held

    def wait_if_held(self, method: str, path: str) -> None:
        """Called with no lock held, so the test can act on the emulation meanwhile."""
        for held in self.holds:
            if not held.reached.is_set() and held.pattern.search(f"{method} {path}"):
                held.reached.set()
                held.release.wait(timeout=120)
                return

    def before(self, method: str, path: str) -> bool:
        return (
            self.fail_rate > 0
            and self._applies(method, path)
            and self.rng.random() < self.fail_rate
        )

    def after(self, method: str, path: str) -> bool:
        if method != "POST" or not self._applies(method, path):
            return False
        if self.fail_next_after > 0:
            self.fail_next_after -= 1
            return True
        return self.fail_after_rate > 0 and self.rng.random() < self.fail_after_rate


def dispatch(site: Site, faults: Faults, call: Call) -> Reply:
    """Route one call; returns (status, JSON body) and never raises for API errors."""
    if faults.before(call.method, call.path):
        return 502, {"message": "Server Error", "documentation_url": "https://docs.github.com/rest"}
    for method, pattern, handler in ROUTES:
        match = pattern.fullmatch(call.path)
        if match is None or method != call.method:
            continue
        call.args = tuple(unquote(group) for group in match.groups())
        try:
            reply = handler(call)
        except ApiError as exc:
            return exc.status, exc.body
        except (ValueError, KeyError, TypeError) as exc:
            return 400, {"message": f"Problems parsing request: {exc}"}
        if reply[0] < 300 and faults.after(call.method, call.path):
            return 502, {
                "message": "Server Error",
                "documentation_url": "https://docs.github.com/rest",
            }
        return reply
    return 404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}


class RestHandler(BaseHTTPRequestHandler):
    """Parses a request into a :class:`Call` and writes the JSON answer."""

    site: Site
    faults: Faults
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the request log lives in ``state.requests``."""

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        if parts.path.startswith(actions.LOG_PATH):
            # A signed download URL (job logs): no token, no API rate limit, plain text.
            with self.site.state.lock:
                status, text = actions.download_log(self.site, parts.path[len(actions.LOG_PATH) :])
            return self._reply(status, text, {})
        path = parts.path.removeprefix("/api/v3").rstrip("/") or "/"
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw) if raw.strip() else None
        except ValueError:
            return self._reply(400, {"message": "Problems parsing JSON"}, {})
        call = Call(
            site=self.site,
            method=self.command,
            path=path,
            headers={k.lower(): v for k, v in self.headers.items()},
            query=dict(parse_qsl(parts.query)),
            body=body,
        )
        limits, request_id = self.faults.limits, uuid.uuid4().hex[:20].upper()
        with self.site.state.lock:
            key, limit = limits.identity(self.site.state, call.credential())
        with limits.in_flight(key, self.command) as allowed:
            if not allowed:
                reply: Reply = limits.concurrency_refusal(self.command, path, request_id)
            else:
                with self.site.state.lock:
                    headers, refused = limits.charge(key, limit, self.command, path, request_id)
                    reply = refused or dispatch(self.site, self.faults, call)
                    # Every answer carries the rate-limit headers, GitHub's way.
                    extra = reply[2] if len(reply) == 3 else {}
                    reply = (reply[0], reply[1], {**headers, **extra})
                    self.site.state.requests.append((self.command, path, reply[0]))
        self.faults.wait_if_held(self.command, path)
        self._reply(reply[0], reply[1], reply[2] if len(reply) == 3 else {}, request_id)

    def _reply(
        self, status: int, answer: Any, headers: dict[str, str], request_id: str = ""
    ) -> None:
        # Bytes are sent as they are (log downloads, redirects); 204 has no body at all.
        raw = isinstance(answer, bytes) or status == 204
        payload = (answer or b"") if raw else json.dumps(answer).encode()
        self.send_response(status)
        kind = "text/plain; charset=utf-8" if raw else "application/json; charset=utf-8"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("X-GitHub-Media-Type", "github.v3; format=json")
        self.send_header("X-GitHub-Request-Id", request_id or uuid.uuid4().hex[:20].upper())
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)
