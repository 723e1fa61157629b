"""What the emulated GitHub knows: repositories, installations, tokens, issues, comments, PRs.

Plain dataclasses behind one lock; :mod:`devtools.github_objects` renders them in the JSON
shapes GitHub returns. Tests read :class:`GitHubState` directly to assert on side effects.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from devtools.git_http import GitHttpServer
from devtools.git_receive import PushRules
from devtools.github_pr_data import PullData

APP_PERMISSIONS: dict[str, str] = {
    "issues": "write",
    "contents": "write",
    "pull_requests": "write",
    "checks": "read",
    "actions": "read",
    "metadata": "read",
}
"""What the App was granted at installation (app.yml): tokens can be narrower, never wider."""

APP_EVENTS: tuple[str, ...] = (
    "issues",
    "issue_comment",
    "pull_request",
    "pull_request_review",
    "pull_request_review_comment",
    "check_suite",
    "workflow_run",
)
"""The events the App subscribes to (app.yml). GitHub delivers no other event to it, except
``installation`` and ``installation_repositories``, which every App gets
(https://docs.github.com/en/apps/creating-github-apps/registering-a-github-app/using-webhooks-with-github-apps)."""

_LEVEL = {"read": 1, "write": 2}


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def permits(granted: dict[str, str], permission: str, level: str) -> bool:
    """``write`` implies ``read``; every installation token can read metadata (as on GitHub)."""
    if permission == "metadata" and level == "read":
        return True
    return _LEVEL.get(granted.get(permission, ""), 0) >= _LEVEL[level]


@dataclass
class Repo:
    id: int
    full_name: str
    default_branch: str
    private: bool = True
    created_at: str = field(default_factory=now_iso)
    archived: bool = False
    """Read-only: writes answer 403 "Repository was archived so is read-only." and pushes fail
    (https://docs.github.com/en/repositories/archiving-a-github-repository/archiving-repositories)."""
    protected_branches: list[str] = field(default_factory=list)
    """Branch protection rule patterns (``main``, ``release/*``) that decline pushes."""
    rulesets: list[str] = field(default_factory=list)
    """Branch patterns a ruleset restricts creating and updating (``fixer/*``)."""
    drafts_supported: bool = True
    """Whether the owner's plan offers draft pull requests here: GitHub Free has them on
    public repositories only (https://docs.github.com/en/pull-requests/collaborating-with-
    pull-requests/proposing-changes-to-your-work-with-pull-requests/about-pull-requests#draft-pull-requests)."""

    def push_rules(self) -> PushRules:
        return PushRules(
            archived=self.archived,
            protected_branches=tuple(self.protected_branches),
            rulesets=tuple(self.rulesets),
        )

    @property
    def owner(self) -> str:
        return self.full_name.split("/", 1)[0]

    @property
    def name(self) -> str:
        return self.full_name.split("/", 1)[1]


@dataclass
class Installation:
    id: int
    account: str
    repos: list[str]
    """Full names of the repositories the App was installed on (``selected``)."""


@dataclass
class Token:
    token: str
    installation_id: int
    repos: frozenset[str]
    permissions: dict[str, str]
    expires_at: datetime


@dataclass
class Issue:
    repo: str
    number: int
    id: int
    title: str
    body: str | None
    author: str
    association: str
    labels: list[str] = field(default_factory=list)
    state: str = "open"
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)
    assignees: list[str] = field(default_factory=list)


@dataclass
class PullRequest:
    repo: str
    number: int
    id: int
    title: str
    body: str | None
    head: str
    base: str
    head_sha: str
    author: str
    state: str = "open"
    created_at: str = field(default_factory=now_iso)
    closed_at: str | None = None
    merged_at: str | None = None
    merge_commit_sha: str | None = None
    assignees: list[str] = field(default_factory=list)
    draft: bool = False
    labels: list[str] = field(default_factory=list)
    requested_reviewers: list[str] = field(default_factory=list)
    """Logins whose review is requested and not yet given (devtools.github_review_requests)."""
    requested_teams: list[str] = field(default_factory=list)
    """Slugs of the teams whose review is requested."""


@dataclass
class Team:
    """A team of the repositories' organisation, by slug, with the repositories it can reach."""

    slug: str
    org: str
    members: list[str] = field(default_factory=list)
    repos: list[str] = field(default_factory=list)
    id: int = 0


@dataclass
class Comment:
    id: int
    repo: str
    issue: int
    body: str
    author: str
    association: str
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)


@dataclass
class Reaction:
    id: int
    subject: str
    """``comment:<id>`` or ``issue:<owner/name>#<number>``."""
    content: str
    user: str
    created_at: str = field(default_factory=now_iso)


@dataclass
class Delivery:
    """One attempt in the App's delivery log (a redelivery is a new attempt, same GUID)."""

    id: str
    """The ``X-GitHub-Delivery`` GUID."""
    event: str
    payload: dict[str, Any]
    status: int
    """The receiver's HTTP status; 0 when it could not be reached or timed out."""
    attempt_id: int = 0
    """The numeric delivery id GitHub lists and redelivers by."""
    status_text: str = ""
    delivered_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    duration: float = 0.0
    redelivery: bool = False


@dataclass
class App:
    id: int
    slug: str
    name: str
    owner: str
    public_key_pem: str
    permissions: dict[str, str] = field(default_factory=lambda: dict(APP_PERMISSIONS))
    events: list[str] = field(default_factory=lambda: list(APP_EVENTS))

    @property
    def bot_login(self) -> str:
        return f"{self.slug}[bot]"


@dataclass
class GitHubState:
    """Everything the emulation holds; mutate only under :attr:`lock`."""

    repos: dict[str, Repo] = field(default_factory=dict)
    installations: dict[int, Installation] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    issues: dict[tuple[str, int], Issue] = field(default_factory=dict)
    pulls: dict[tuple[str, int], PullRequest] = field(default_factory=dict)
    comments: dict[int, Comment] = field(default_factory=dict)
    reactions: list[Reaction] = field(default_factory=list)
    pr: PullData = field(default_factory=PullData)
    """Reviews, review comments, checks and Actions runs (:mod:`devtools.github_pr_data`)."""
    permissions: dict[str, str] = field(default_factory=dict)
    """Collaborator role by login (a base role or a custom role's name); the repository
    owner is ``admin``; anyone else is no collaborator."""
    custom_roles: dict[str, str] = field(default_factory=dict)
    """Custom repository role name → the base role it inherits (read, triage, write, maintain)."""
    org_members: dict[str, bool] = field(default_factory=dict)
    """Members of the repositories' owning organisation → whether the membership is public."""
    teams: dict[str, Team] = field(default_factory=dict)
    """The organisation's teams by slug."""
    manifest_codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    deliveries: list[Delivery] = field(default_factory=list)
    requests: list[tuple[str, str, int]] = field(default_factory=list)
    """(method, path, status) of every REST call, in order."""
    lock: threading.RLock = field(default_factory=threading.RLock)
    # Ids beyond 2**31, as GitHub's comment ids are: a client that stores them in int32 breaks.
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(2_200_000_001))
    _numbers: dict[str, itertools.count[int]] = field(default_factory=dict)
    _users: dict[str, int] = field(default_factory=dict)

    def next_id(self) -> int:
        return next(self._ids)

    def next_number(self, repo: str) -> int:
        """Issues and pull requests share one number sequence per repository."""
        return next(self._numbers.setdefault(repo, itertools.count(1)))

    def user_id(self, login: str) -> int:
        return self._users.setdefault(login, 1000 + len(self._users))

    def comments_on(self, repo: str, issue: int) -> list[Comment]:
        return [c for c in self.comments.values() if c.repo == repo and c.issue == issue]

    def role_of(self, repo: str, login: str) -> str | None:
        """The role ``login`` holds on ``repo`` (custom roles by name); None: no collaborator."""
        if login in self.permissions:
            return self.permissions[login]
        return "admin" if repo.split("/", 1)[0] == login else None

    def base_role_of(self, role: str) -> str:
        """A custom role's base role; a base role is its own."""
        return self.custom_roles.get(role, role)

    def is_user(self, login: str) -> bool:
        """Whether ``login`` is an account this GitHub knows (it acted, or holds a role)."""
        owners = {name.split("/", 1)[0] for name in self.repos}
        return login in self._users or login in self.permissions or login in owners

    def association_of(self, repo: str, login: str) -> str:
        """``author_association`` as webhooks show it for ``login`` on ``repo``.

        https://docs.github.com/en/graphql/reference/enums#commentauthorassociation — MEMBER
        only shows for public organisation membership: a private member (with write access
        through the organisation) shows as NONE, like any outsider.
        """
        if repo.split("/", 1)[0] == login:
            return "OWNER"
        if self.org_members.get(login):
            return "MEMBER"
        if login in self.permissions and login not in self.org_members:
            return "COLLABORATOR"
        return "NONE"

    def installation_for(self, repo: str) -> Installation | None:
        return next((i for i in self.installations.values() if repo in i.repos), None)


@dataclass
class Site:
    """The pieces a request handler needs: the App, the data, the git server, the URLs."""

    app: App
    state: GitHubState
    git: GitHttpServer
    web_url: str = ""
    api_url: str = ""
    redeliver: Callable[[Delivery], None] | None = None
    """Sends a logged delivery again (set by the webhook sender)."""
