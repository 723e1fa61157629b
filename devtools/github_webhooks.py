"""Webhooks out: what GitHub POSTs to the App when people act, signed with the App's secret.

Headers are GitHub's (``X-GitHub-Event``, ``X-GitHub-Delivery``, ``X-Hub-Signature-256``,
``User-Agent: GitHub-Hookshot/...``); payloads follow the octokit/webhooks examples, with
``installation`` added as GitHub does for App deliveries.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
from githubkit.webhooks import sign

from devtools import github_objects as objects
from devtools.github_issues import find_issue, new_comment, new_issue
from devtools.github_state import Delivery, Installation, Issue, Site, now_iso

Json = dict[str, Any]
DELIVERY_TIMEOUT_S = 10.0
"""GitHub.com gives up on a delivery after 10 seconds (handling-failed-webhook-deliveries)."""


class WebhookSender:
    """Makes things happen on the emulated GitHub as a person would, and tells the App."""

    def __init__(self, site: Site, secret: str, url: Callable[[], str | None]) -> None:
        self.site = site
        self.secret = secret
        self._url = url
        """Read at each delivery: the receiver often starts after the emulation."""
        self._held: list[tuple[str, Json]] | None = None
        self.unreachable = False
        """When set, deliveries fail as if the App's server were down (tests: the event
        happens while Fixer is away)."""
        site.redeliver = self._redeliver_later

    def deliver(self, event: str, payload: Json) -> Delivery:
        """Send one event to the App and log the attempt as GitHub's delivery log does."""
        return self._send(str(uuid.uuid4()), event, payload, redelivery=False)

    def redeliver(self, original: Delivery) -> Delivery:
        """The same payload under the same GUID, logged as a new attempt with
        ``redelivery: true`` (https://docs.github.com/en/rest/apps/webhooks)."""
        return self._send(original.id, original.event, original.payload, redelivery=True)

    def _redeliver_later(self, original: Delivery) -> None:
        # GitHub answers the redelivery request with 202 and delivers afterwards.
        threading.Thread(target=self.redeliver, args=(original,), daemon=True).start()

    def _send(self, guid: str, event: str, payload: Json, *, redelivery: bool) -> Delivery:
        url = self._url()
        if not url:
            raise RuntimeError("no webhook URL: pass webhook_url= or set emulation.webhook_url")
        # GitHub's bytes: compact JSON, non-ASCII as UTF-8. That is why signatures still verify
        # after a relay's JSON.parse/JSON.stringify (probot/smee.io; octokit/webhooks.js#71).
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "GitHub-Hookshot/fixer-devtools",
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": guid,
            "X-GitHub-Hook-Installation-Target-Type": "integration",
            "X-GitHub-Hook-Installation-Target-ID": str(self.site.app.id),
            "X-Hub-Signature-256": sign(self.secret, body, method="sha256"),
        }
        started = time.monotonic()
        status, text = self._post(url, body, headers)
        with self.site.state.lock:
            logged = Delivery(
                guid,
                event,
                payload,
                status,
                attempt_id=self.site.state.next_id(),
                status_text=text,
                duration=round(time.monotonic() - started, 3),
                redelivery=redelivery,
            )
            self.site.state.deliveries.append(logged)
        return logged

    def _post(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        """(status code, GitHub's status text). A receiver that is down or slower than
        GitHub's 10 s is a failed delivery, never redelivered by GitHub on its own
        (https://docs.github.com/en/webhooks/using-webhooks/handling-failed-webhook-deliveries);
        the texts are the ones the delivery log shows
        (https://docs.github.com/en/webhooks/testing-and-troubleshooting-webhooks/troubleshooting-webhooks)."""
        if self.unreachable:
            return 0, "failed to connect to host"
        try:
            response = httpx.post(url, content=body, headers=headers, timeout=DELIVERY_TIMEOUT_S)
        except httpx.TimeoutException:
            return 0, "timed out"
        except httpx.TransportError:
            return 0, "failed to connect to host"
        if 200 <= response.status_code < 300:
            return response.status_code, "OK"
        return response.status_code, f"Invalid HTTP Response: {response.status_code}"

    def install(self, repos: list[str], account: str | None = None) -> int:
        """Install the App on ``repos``; delivers ``installation.created`` when a URL is set."""
        site = self.site
        with site.state.lock:
            missing = [r for r in repos if r not in site.state.repos]
            if missing:
                raise ValueError(f"unknown repositories {missing}: create_repo() them first")
            found = Installation(
                site.state.next_id() % 100_000_000, account or repos[0].split("/")[0], list(repos)
            )
            site.state.installations[found.id] = found
            payload = {
                "action": "created",
                "installation": objects.installation(site, found),
                "repositories": [self._short_repo(r) for r in repos],
                "sender": objects.user(site, found.account),
            }
        if self._url():
            self.deliver("installation", payload)
        return found.id

    def open_issue(
        self,
        repo: str,
        title: str,
        body: str | None,
        author: str,
        association: str | None = None,
        labels: list[str] | None = None,
    ) -> Json:
        """Open an issue as ``author``: ``issues.opened``, then one ``issues.labeled`` per label.

        An issue created with labels (issue forms and templates, ``gh issue create --label``,
        ``POST /issues`` with ``labels``) makes GitHub send ``opened`` — whose issue already
        lists the labels — and then a ``labeled`` delivery per label, sent by the author
        (https://docs.github.com/en/webhooks/webhook-events-and-payloads#issues). GitHub
        does not promise their order of arrival (https://docs.github.com/en/webhooks/using-
        webhooks/best-practices-for-using-webhooks): :meth:`held` lets a test reorder them.
        ``association`` defaults to what GitHub would show for ``author`` on ``repo``.
        """
        with self.site.state.lock:
            shown = association or self.site.state.association_of(repo, author)
            issue = new_issue(self.site, repo, title, body, author, shown, labels)
            rendered = objects.issue(self.site, issue)
            payloads = [("issues", self.envelope("opened", repo, author, issue=rendered))]
            for name in issue.labels:
                label = objects.label(self.site, repo, name)
                payloads.append(
                    ("issues", self.envelope("labeled", repo, author, issue=rendered, label=label))
                )
        for event, payload in payloads:
            self.maybe_deliver(event, payload)
        return rendered

    def comment(
        self, repo: str, issue: int, body: str, author: str, association: str | None = None
    ) -> Json:
        with self.site.state.lock:
            target = find_issue(self.site, repo, issue)
            shown = association or self.site.state.association_of(repo, author)
            made = new_comment(self.site, repo, issue, body, author, shown)
            rendered = objects.comment(self.site, made)
            payload = self.envelope(
                "created", repo, author, issue=objects.issue(self.site, target), comment=rendered
            )
        self.maybe_deliver("issue_comment", payload)
        return rendered

    def add_label(self, repo: str, issue: int, label: str, author: str) -> Json:
        """``author`` adds ``label`` later: the issue's ``updated_at`` moves, as on GitHub."""
        with self.site.state.lock:
            target = find_issue(self.site, repo, issue)
            if not isinstance(target, Issue):
                raise ValueError(f"{repo}#{issue} is a pull request")
            if label not in target.labels:
                target.labels.append(label)
                target.updated_at = now_iso()
            self.site.state.user_id(author)
            rendered = objects.issue(self.site, target)
            payload = self.envelope(
                "labeled", repo, author, issue=rendered, label=objects.label(self.site, repo, label)
            )
        self.maybe_deliver("issues", payload)
        return rendered

    @contextlib.contextmanager
    def held(self) -> Iterator[list[tuple[str, Json]]]:
        """Hold the webhooks people's actions make, instead of sending them.

        Yields the list they collect in, as ``(event, payload)``: the test sends them with
        :meth:`deliver`, in whatever order it wants to check.
        """
        self._held = []
        try:
            yield self._held
        finally:
            self._held = None

    def envelope(self, action: str, repo: str, sender: str, **fields: Any) -> Json:
        site = self.site
        payload: Json = {"action": action, **fields}
        payload["repository"] = objects.repository(site, site.state.repos[repo])
        payload["sender"] = objects.user(site, sender)
        installed = site.state.installation_for(repo)
        if installed is not None:
            payload["installation"] = {
                "id": installed.id,
                "node_id": objects.node_id("Integration::Installation", installed.id),
            }
        return payload

    def maybe_deliver(self, event: str, payload: Json) -> None:
        # GitHub sends App webhooks only for repositories the App is installed on, and only
        # for the events the App subscribes to (app.yml's default_events).
        if event not in self.site.app.events:
            return
        if self._held is not None and "installation" in payload:
            self._held.append((event, payload))
        elif self._url() and "installation" in payload:
            self.deliver(event, payload)

    def _short_repo(self, repo: str) -> Json:
        found = self.site.state.repos[repo]
        return {
            "id": found.id,
            "node_id": objects.node_id("Repository", found.id),
            "name": found.name,
            "full_name": found.full_name,
            "private": found.private,
        }
