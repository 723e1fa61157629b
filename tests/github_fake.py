"""A respx-backed stand-in for the GitHub REST API: enough state to check side effects.

It answers at the transport, so githubkit runs for real (JWT, token minting, retries).
"""

from __future__ import annotations

import base64
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
import respx

from tests.conftest import load_fixture

API = "https://ghe.fixer.test/api/v3"


@dataclass
class FakeGitHub:
    public_key_pem: str
    files: dict[tuple[str, str], str] = field(default_factory=dict)
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)
    permissions: dict[str, str] = field(default_factory=dict)
    reactions: list[tuple[str, str]] = field(default_factory=list)
    """(path under /repos/, content) of every reaction made."""
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    fail_next_comment_response: bool = False
    history: list[tuple[int, str]] = field(default_factory=list)
    """Every body each comment had, in order: (comment id, body)."""
    next_id: int = 1_000_000_000_001
    """Comment ids beyond 2**31, as GitHub's are."""

    def comments_on(self, repo: str, issue: int) -> list[dict[str, Any]]:
        return [c for c in self.comments.values() if c["_repo"] == repo and c["_issue"] == issue]

    def install(self, router: respx.Router) -> None:
        router.get(f"{API}/app").mock(side_effect=self._app)
        router.post(url__regex=rf"{API}/app/installations/\d+/access_tokens").mock(
            side_effect=self._token
        )
        router.get(url__regex=rf"{API}/repos/[^/]+/[^/]+/contents/.+").mock(side_effect=self._file)
        router.get(url__regex=rf"{API}/repos/[^/]+/[^/]+$").mock(side_effect=self._repo)
        router.get(url__regex=rf"{API}/repos/[^/]+/[^/]+/issues/\d+$").mock(side_effect=self._issue)
        router.get(url__regex=rf"{API}/repos/[^/]+/[^/]+/issues/\d+/comments").mock(
            side_effect=self._list_comments
        )
        router.post(url__regex=rf"{API}/repos/[^/]+/[^/]+/issues/\d+/comments").mock(
            side_effect=self._create_comment
        )
        router.patch(url__regex=rf"{API}/repos/[^/]+/[^/]+/issues/comments/\d+").mock(
            side_effect=self._edit_comment
        )
        router.get(url__regex=rf"{API}/repos/[^/]+/[^/]+/collaborators/[^/]+/permission").mock(
            side_effect=self._permission
        )
        router.post(url__regex=rf"{API}/repos/[^/]+/[^/]+/issues/.+/reactions$").mock(
            side_effect=self._react
        )

    def _check_jwt(self, request: httpx.Request) -> httpx.Response | None:
        auth = request.headers.get("authorization", "")
        try:
            jwt.decode(auth.removeprefix("Bearer "), self.public_key_pem, algorithms=["RS256"])
        except jwt.PyJWTError as exc:
            return httpx.Response(401, json={"message": f"bad JWT: {exc}"})
        return None

    def _app(self, request: httpx.Request) -> httpx.Response:
        return self._check_jwt(request) or httpx.Response(
            200, json={"id": 4242, "slug": "fixer-test", "name": "Fixer Test"}
        )

    def _token(self, request: httpx.Request) -> httpx.Response:
        if refused := self._check_jwt(request):
            return refused
        body = json.loads(request.content or b"{}")
        self.token_requests.append(body)
        example = load_fixture("github_rest/create_installation_access_token.docs-example.json")
        response = dict(example["response_body"])
        response.update(
            token=f"ghs_fake{len(self.token_requests)}",
            expires_at="2099-01-01T00:00:00Z",
            permissions=body.get("permissions", {}),
        )
        return httpx.Response(201, json=response)

    def _file(self, request: httpx.Request) -> httpx.Response:
        match = re.search(r"/repos/([^/]+/[^/]+)/contents/(.+)$", request.url.path)
        assert match
        text = self.files.get((match.group(1), match.group(2)))
        if text is None:
            return httpx.Response(404, json={"message": "Not Found"})
        encoded = base64.b64encode(text.encode()).decode()
        return httpx.Response(
            200,
            json={"type": "file", "encoding": "base64", "content": encoded, "path": match.group(2)},
        )

    def _repo(self, request: httpx.Request) -> httpx.Response:
        full_name = request.url.path.split("/repos/", 1)[1]
        repo = dict(load_fixture("github_rest/get_repository.githubkit-tests-fake_response.json"))
        # Nothing listens on the discard port: a clone fails at once, on this machine.
        repo.update(full_name=full_name, clone_url=f"http://127.0.0.1:9/{full_name}.git")
        return httpx.Response(200, json=repo)

    def _issue(self, request: httpx.Request) -> httpx.Response:
        number = int(request.url.path.rsplit("/", 1)[1])
        issue = dict(load_fixture("github_webhooks/issues__opened.payload.json")["issue"])
        issue.update(number=number)
        return httpx.Response(200, json=issue)

    def first_body(self, comment: dict[str, Any]) -> str:
        return next(body for cid, body in self.history if cid == comment["id"])

    def _list_comments(self, request: httpx.Request) -> httpx.Response:
        match = re.search(r"/repos/([^/]+/[^/]+)/issues/(\d+)/comments", request.url.path)
        assert match
        found = self.comments_on(match.group(1), int(match.group(2)))
        page = int(request.url.params.get("page", "1"))
        per_page = int(request.url.params.get("per_page", "30"))
        chunk = found[(page - 1) * per_page : page * per_page]
        return httpx.Response(200, json=[self._public(c) for c in chunk])

    def _create_comment(self, request: httpx.Request) -> httpx.Response:
        match = re.search(r"/repos/([^/]+/[^/]+)/issues/(\d+)/comments", request.url.path)
        assert match
        comment = dict(
            load_fixture("github_rest/issue_comment_object.proxy-from-webhook-payload.json")[
                "comment"
            ]
        )
        comment.update(
            id=self.next_id,
            body=json.loads(request.content)["body"],
            html_url=f"https://ghe.fixer.test/{match.group(1)}/issues/{match.group(2)}#issuecomment-{self.next_id}",
            _repo=match.group(1),
            _issue=int(match.group(2)),
        )
        self.comments[self.next_id] = comment
        self.history.append((self.next_id, comment["body"]))
        self.next_id += 1
        if self.fail_next_comment_response:
            # GitHub made the comment, but the caller never hears so (a crash or a cut line).
            self.fail_next_comment_response = False
            return httpx.Response(502, json={"message": "Server Error"})
        return httpx.Response(201, json=self._public(comment))

    def _edit_comment(self, request: httpx.Request) -> httpx.Response:
        comment_id = int(request.url.path.rsplit("/", 1)[1])
        if comment_id not in self.comments:
            return httpx.Response(404, json={"message": "Not Found"})
        self.comments[comment_id]["body"] = json.loads(request.content)["body"]
        self.history.append((comment_id, self.comments[comment_id]["body"]))
        return httpx.Response(200, json=self._public(self.comments[comment_id]))

    def _permission(self, request: httpx.Request) -> httpx.Response:
        parts = request.url.path.split("/")
        owner, user = parts[parts.index("repos") + 1], parts[-2]
        # The repository's owner is admin; anyone else reads it unless given a role.
        role = self.permissions.get(user, "admin" if user == owner else "read")
        legacy = {"maintain": "write", "triage": "read"}.get(role, role)  # GitHub's mapping
        return httpx.Response(
            200, json={"permission": legacy, "role_name": role, "user": {"login": user}}
        )

    def _react(self, request: httpx.Request) -> httpx.Response:
        content = json.loads(request.content)["content"]
        self.reactions.append((request.url.path.split("/repos/", 1)[1], content))
        return httpx.Response(201, json={"id": len(self.reactions), "content": content})

    @staticmethod
    def _public(comment: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in comment.items() if not k.startswith("_")}


class HttpFakeGitHub:
    """The same fake served over HTTP on loopback, for tests that run Fixer as a process.

    ``hold_next_comment_response`` makes GitHub create the next comment and then never
    answer, the moment a test kills the process in.
    """

    def __init__(self, fake: FakeGitHub, port: int) -> None:
        import asyncio
        import threading

        import uvicorn

        self.fake = fake
        self.port = port
        self.url = f"http://127.0.0.1:{port}/api/v3"
        self.hold_next_comment_response = False
        self.held = threading.Event()
        self._router = respx.Router(assert_all_mocked=True)
        fake.install(self._router)
        self._server = uvicorn.Server(
            uvicorn.Config(
                self._asgi,
                host="127.0.0.1",
                port=port,
                log_level="warning",
                lifespan="off",
                interface="asgi3",
            )
        )
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._asyncio = asyncio

    async def _asgi(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        query = scope.get("query_string", b"").decode()
        path = scope["path"].removeprefix("/api/v3")
        request = httpx.Request(
            scope["method"],
            f"{API}{path}" + (f"?{query}" if query else ""),
            headers=[(k.decode(), v.decode()) for k, v in scope["headers"]],
            content=body,
        )
        creating = scope["method"] == "POST" and path.endswith("/comments")
        response = self._router.handler(request)
        if creating and self.hold_next_comment_response:
            self.hold_next_comment_response = False
            self.held.set()
            await self._asyncio.sleep(3600)  # the caller dies before it hears back
        await send(
            {
                "type": "http.response.start",
                "status": response.status_code,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": response.content})

    def __enter__(self) -> HttpFakeGitHub:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake GitHub did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)
