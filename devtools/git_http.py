"""A git smart-HTTP server on loopback that authenticates like GitHub does for App tokens.

``git http-backend`` (CGI) behind a stdlib ``ThreadingHTTPServer``. Every request must carry
``Authorization: Basic base64(x-access-token:<token>)`` with a token registered by
:meth:`GitHttpServer.add_token` for that repository: an unknown token is 401, a token for
another repository is 404 (GitHub hides what you cannot see), a push with a read-only token
is 403. Repositories live as bare repos under ``<root>/<owner>/<name>.git``.

Pushes pass GitHub's server-side checks first (:mod:`devtools.git_receive`): an archived
repository is read-only, protected branches and rulesets decline matching refs, and a token
without ``workflows: write`` cannot add or change ``.github/workflows/`` files.

Usage::

    server = GitHttpServer(tmp_path)
    url = server.start()                      # http://127.0.0.1:PORT
    server.create_repo("octo/app")
    server.add_token("ghs_read", "octo/app", write=False)
    clone_url = server.clone_url("octo/app")  # http://127.0.0.1:PORT/octo/app.git
    server.stop()
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from devtools.git_receive import PushRules, check_push, refusal_response

_REPO_PATH = re.compile(r"^/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(?:\.git)?(/.*)$")


@dataclass(frozen=True)
class TokenGrant:
    repos: frozenset[str]
    """Full names (``owner/name``) the token may reach; an installation token may cover several."""
    write: bool
    workflows: bool = False
    """The token has ``workflows: write``: it may push changes to ``.github/workflows/``."""


class GitHttpServer:
    """Serves the bare repositories under ``root`` over HTTP on 127.0.0.1."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tokens: dict[str, TokenGrant] = {}
        self.requests: list[tuple[str, str]] = []
        """(method, path) of every request, for tests that count round trips."""
        self.rules: Callable[[str], PushRules] = lambda repo: PushRules()
        """The push rules of a repository (the GitHub emulation reads them from its state)."""
        self.web_url = ""
        """Where rule links point (the emulated GitHub's web address)."""
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    def add_token(
        self, token: str, repo: str | Iterable[str], write: bool, workflows: bool = False
    ) -> None:
        repos = frozenset([repo] if isinstance(repo, str) else repo)
        self.tokens[token] = TokenGrant(repos=repos, write=write, workflows=workflows)

    def revoke_token(self, token: str) -> None:
        self.tokens.pop(token, None)

    def repo_path(self, repo: str) -> Path:
        owner, name = repo.split("/")
        return self.root / owner / f"{name}.git"

    def create_repo(self, repo: str, default_branch: str = "main") -> Path:
        """An empty bare repository that accepts pushes over HTTP."""
        path = self.repo_path(repo)
        path.mkdir(parents=True)
        subprocess.run(
            ["git", "init", "--quiet", "--bare", f"--initial-branch={default_branch}", str(path)],
            check=True,
        )
        subprocess.run(["git", "-C", str(path), "config", "http.receivepack", "true"], check=True)
        return path

    def clone_url(self, repo: str) -> str:
        return f"{self.url}/{repo}.git"

    def start(self) -> str:
        server = self
        handler = type("Handler", (_GitHandler,), {"server_ref": server})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        return self.url

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


class _GitHandler(BaseHTTPRequestHandler):
    server_ref: GitHttpServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: test output should not carry one line per request."""

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        git = self.server_ref
        git.requests.append((self.command, self.path))
        parts = urlsplit(self.path)
        match = _REPO_PATH.match(parts.path)
        body = self._read_body()
        if match is None:
            return self._reply(404, b"not a repository path\n")
        owner, name, rest = match.groups()
        repo = f"{owner}/{name}"
        grant = git.tokens.get(self._token() or "")
        if grant is None:
            return self._reply(401, b"bad credentials\n", {"WWW-Authenticate": 'Basic realm="git"'})
        if repo not in grant.repos or not git.repo_path(repo).exists():
            return self._reply(404, b"Repository not found.\n")
        service = parse_qs(parts.query).get("service", [""])[0] or rest.rsplit("/", 1)[-1]
        if service == "git-receive-pack":
            if not grant.write:
                # GitHub's words; git shows a text/plain body as ``remote:`` lines.
                denied = f"Permission to {repo}.git denied.\n".encode()
                return self._reply(403, denied, {"Content-Type": "text/plain; charset=utf-8"})
            if self._refused(repo, rest, grant, body):
                return
        self._cgi(repo, rest, parts.query, body)

    def _refused(self, repo: str, rest: str, grant: TokenGrant, body: bytes) -> bool:
        """Answer a push GitHub would refuse; False when it may go on to git."""
        git = self.server_ref
        rules = git.rules(repo)
        if rules.archived:
            # https://docs.github.com/en/repositories/archiving-a-github-repository/archiving-repositories
            # ("archived repositories are read-only"); git shows a text/plain body as remote: lines.
            text = b"This repository was archived so it is read-only.\n"
            self._reply(403, text, {"Content-Type": "text/plain; charset=utf-8"})
            return True
        if self.command != "POST" or not rest.endswith("/git-receive-pack"):
            return False
        web = f"{git.web_url}/{repo}"
        encoding = self.headers.get("Content-Encoding", "")
        refusal, caps = check_push(git.repo_path(repo), rules, grant.workflows, body, encoding, web)
        if refusal is None:
            return False
        kind = "application/x-git-receive-pack-result"
        self._reply(200, refusal_response(refusal, caps), {"Content-Type": kind})
        return True

    def _token(self) -> str | None:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return None
        try:
            user, _, token = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return None
        return token if user == "x-access-token" else None

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _cgi(self, repo: str, rest: str, query: str, body: bytes) -> None:
        owner, name = repo.split("/")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": str(self.server_ref.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "PATH_INFO": f"/{owner}/{name}.git{rest}",
            "REQUEST_METHOD": self.command,
            "QUERY_STRING": query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_USER": "x-access-token",
            "REMOTE_ADDR": "127.0.0.1",
            "GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
            "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
        }
        done = subprocess.run(
            ["git", "http-backend"], input=body, env=env, capture_output=True, check=False
        )
        head, _, payload = done.stdout.partition(b"\r\n\r\n")
        status, headers = 200, {}
        for line in head.decode("latin-1").split("\r\n"):
            key, _, value = line.partition(":")
            if key.lower() == "status":
                status = int(value.strip().split()[0])
            elif key:
                headers[key.strip()] = value.strip()
        self._reply(status, payload, headers)

    def _reply(self, status: int, payload: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
