"""Host-side git against a real git smart-HTTP server on loopback that checks tokens."""

from __future__ import annotations

import base64
import logging
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.errors import PermanentError
from app.git_host import PatchDoesNotApply, PushRefused, RepositoryUnreachable
from app.git_mirror import RepoMirror
from app.git_push import PushDeclined, PushResult, push_fix
from devtools.git_receive import PushRules
from tests.git_server import GitHttpServer

REPO = "octo/app"
READ = "ghs_readTOKEN0123456789"
WRITE = "ghs_writeTOKEN0123456789"
BOT = ("fixer[bot]", "123+fixer[bot]@users.noreply.github.com")
WHEN = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
HUMAN_ENV = {
    "GIT_AUTHOR_NAME": "Human",
    "GIT_AUTHOR_EMAIL": "human@example.com",
    "GIT_COMMITTER_NAME": "Human",
    "GIT_COMMITTER_EMAIL": "human@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def git(cwd: Path, *args: str, strip: bool = True) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **HUMAN_ENV},
        capture_output=True,
        text=True,
        check=True,
    )
    # Diffs keep their trailing blank lines: a binary hunk is corrupt without them.
    return done.stdout.strip() if strip else done.stdout


@dataclass
class Remote:
    server: GitHttpServer
    url: str
    bare: Path
    work: Path
    """A human's clone over the file path: how tests move the default branch."""

    def commit(self, path: str, text: str, message: str) -> str:
        (self.work / path).write_text(text)
        git(self.work, "add", path)
        git(self.work, "commit", "--quiet", "-m", message)
        git(self.work, "push", "--quiet", "origin", "HEAD:main")
        return git(self.work, "rev-parse", "HEAD")

    def patch(self, path: str, text: str) -> str:
        """The diff a sandbox would produce for writing ``text`` to ``path`` at HEAD."""
        original = (self.work / path).read_text() if (self.work / path).exists() else None
        (self.work / path).parent.mkdir(parents=True, exist_ok=True)
        (self.work / path).write_text(text)
        git(self.work, "add", "--intent-to-add", path)
        diff = git(self.work, "diff", "--binary", strip=False)
        git(self.work, "reset", "--quiet", "--", path)
        if original is None:
            (self.work / path).unlink()
        else:
            (self.work / path).write_text(original)
        return diff

    def ref(self, name: str) -> str:
        return git(self.bare, "rev-parse", name)


@pytest.fixture
def remote(tmp_path: Path) -> Iterator[Remote]:
    server = GitHttpServer(tmp_path / "served")
    server.start()
    bare = server.create_repo(REPO)
    server.add_token(READ, REPO, write=False)
    server.add_token(WRITE, REPO, write=True)
    work = tmp_path / "human"
    git(tmp_path, "clone", "--quiet", str(bare), str(work))
    remote = Remote(server, server.clone_url(REPO), bare, work)
    remote.commit("calc.py", "def add(a, b):\n    return a - b\n\n\nVERSION = 1\n", "initial")
    yield remote
    server.stop()


@pytest.fixture
def mirror(tmp_path: Path) -> RepoMirror:
    return RepoMirror(tmp_path / "cache")


def fix(mirror: RepoMirror, remote: Remote, base: str, patch: str) -> PushResult:
    return push_fix(
        mirror,
        remote.url,
        WRITE,
        base_commit=base,
        patch=patch,
        branch="fixer/issue-7",
        message="Fix add\n\nFixes #7",
        author=BOT,
        default_branch="main",
        timestamp=WHEN,
    )


FIXED = "def add(a, b):\n    return a + b\n\n\nVERSION = 1\n"


def secrets(token: str) -> list[bytes]:
    return [token.encode(), base64.b64encode(f"x-access-token:{token}".encode())]


def assert_no_secret_in(directory: Path, token: str) -> None:
    for path in directory.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for secret in secrets(token):
                assert secret not in data, f"token found in {path}"


def test_fetch_with_read_token_returns_default_branch_head(
    remote: Remote, mirror: RepoMirror
) -> None:
    assert mirror.fetch(remote.url, READ) == remote.ref("main")
    assert mirror.path(remote.url) == mirror.cache_dir / "octo" / "app.git"


def test_token_is_nowhere_on_disk_in_mirror_or_worktree(
    remote: Remote, mirror: RepoMirror, tmp_path: Path
) -> None:
    head = mirror.fetch(remote.url, READ)
    remote.commit("calc.py", FIXED, "second")
    mirror.fetch(remote.url, READ)  # an update as well as the initial clone
    dest = mirror.worktree(remote.url, head, tmp_path / "checkout")

    assert_no_secret_in(mirror.cache_dir, READ)
    assert_no_secret_in(dest, READ)
    assert git(dest, "rev-parse", "HEAD") == head
    assert git(dest, "remote") == ""
    assert "a - b" in (dest / "calc.py").read_text()
    # Self-contained: no borrowed objects from the mirror, which the sandbox will not have.
    assert not (dest / ".git" / "objects" / "info" / "alternates").exists()
    git(dest, "fsck", "--no-progress")


def test_a_checkout_left_half_made_by_a_killed_process_is_made_again_whole(
    remote: Remote, mirror: RepoMirror, tmp_path: Path
) -> None:
    head = mirror.fetch(remote.url, READ)
    dest = tmp_path / "checkout"
    # What a process killed between the shared clone and the repack left behind.
    git(tmp_path, "clone", "--quiet", "--shared", str(mirror.path(remote.url)), str(dest))
    assert (dest / ".git" / "objects" / "info" / "alternates").exists()

    made = mirror.worktree(remote.url, head, dest)

    assert made == dest and git(dest, "rev-parse", "HEAD") == head
    assert not (dest / ".git" / "objects" / "info" / "alternates").exists()
    assert [p.name for p in tmp_path.iterdir() if ".partial-" in p.name] == []
    git(dest, "fsck", "--no-progress")


def test_wrong_token_is_repository_unreachable_without_the_token(
    remote: Remote, mirror: RepoMirror
) -> None:
    with pytest.raises(RepositoryUnreachable) as caught:
        mirror.fetch(remote.url, "ghs_wrongTOKEN987")
    text = str(caught.value) + repr(caught.value.args)
    for secret in secrets("ghs_wrongTOKEN987"):
        assert secret.decode() not in text
    assert remote.url in text
    assert caught.value.__context__ is None and caught.value.__cause__ is None


def test_push_with_read_only_token_is_refused(remote: Remote, mirror: RepoMirror) -> None:
    base = mirror.fetch(remote.url, READ)
    with pytest.raises(PushRefused) as caught:
        push_fix(
            mirror,
            remote.url,
            READ,
            base_commit=base,
            patch=remote.patch("calc.py", FIXED),
            branch="fixer/issue-7",
            message="Fix",
            author=BOT,
            default_branch="main",
            timestamp=WHEN,
        )
    assert READ not in str(caught.value)
    assert "contents:write" in str(caught.value)
    assert git(remote.bare, "branch", "--list", "fixer/*") == ""


def test_push_fix_pushes_the_patched_tree_authored_by_the_bot(
    remote: Remote, mirror: RepoMirror
) -> None:
    base = mirror.fetch(remote.url, READ)
    result = fix(mirror, remote, base, remote.patch("calc.py", FIXED))

    assert result == PushResult(
        commit=remote.ref("refs/heads/fixer/issue-7"),
        branch="fixer/issue-7",
        base=base,
        rebased=False,
        conflict=False,
        pushed=True,
    )
    assert git(remote.bare, "show", f"{result.commit}:calc.py") + "\n" == FIXED
    who = git(remote.bare, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%P", result.commit)
    assert who == f"{BOT[0]} <{BOT[1]}>|{BOT[0]} <{BOT[1]}>|{base}"
    assert_no_secret_in(mirror.cache_dir, WRITE)


def test_retried_push_fix_builds_the_same_commit_and_leaves_the_remote_alone(
    remote: Remote, mirror: RepoMirror
) -> None:
    base = mirror.fetch(remote.url, READ)
    patch = remote.patch("calc.py", FIXED)
    first = fix(mirror, remote, base, patch)
    pushes = sum("receive-pack" in path for _, path in remote.server.requests)

    again = fix(mirror, remote, base, patch)

    assert again.commit == first.commit
    assert again.pushed is False
    assert remote.ref("refs/heads/fixer/issue-7") == first.commit
    assert sum("receive-pack" in path for _, path in remote.server.requests) == pushes


def test_moved_default_branch_without_conflict_is_rebased_onto_the_new_head(
    remote: Remote, mirror: RepoMirror
) -> None:
    base = mirror.fetch(remote.url, READ)
    patch = remote.patch("calc.py", FIXED)
    new_head = remote.commit("README.md", "# calc\n", "docs")

    result = fix(mirror, remote, base, patch)

    assert (result.rebased, result.conflict, result.base) == (True, False, new_head)
    assert git(remote.bare, "rev-parse", f"{result.commit}^") == new_head
    assert git(remote.bare, "show", f"{result.commit}:calc.py") + "\n" == FIXED
    assert fix(mirror, remote, base, patch).commit == result.commit  # still deterministic


def test_moved_default_branch_with_conflict_keeps_the_fix_on_the_base_commit(
    remote: Remote, mirror: RepoMirror
) -> None:
    base = mirror.fetch(remote.url, READ)
    patch = remote.patch("calc.py", FIXED)
    remote.commit("calc.py", "def add(a, b):\n    return b - a\n\n\nVERSION = 1\n", "clash")

    result = fix(mirror, remote, base, patch)

    assert (result.rebased, result.conflict, result.base) == (False, True, base)
    assert git(remote.bare, "rev-parse", "refs/heads/fixer/issue-7^") == base


def test_branch_from_an_earlier_attempt_is_replaced_by_the_rebased_commit(
    remote: Remote, mirror: RepoMirror
) -> None:
    base = mirror.fetch(remote.url, READ)
    patch = remote.patch("calc.py", FIXED)
    first = fix(mirror, remote, base, patch)
    remote.commit("README.md", "# calc\n", "docs")

    second = fix(mirror, remote, base, patch)

    assert second.rebased and second.pushed and second.commit != first.commit
    assert remote.ref("refs/heads/fixer/issue-7") == second.commit


def test_patch_that_does_not_apply_is_reported(remote: Remote, mirror: RepoMirror) -> None:
    base = mirror.fetch(remote.url, READ)
    patch = remote.patch("calc.py", FIXED).replace("return a - b", "return a * b")

    with pytest.raises(PatchDoesNotApply, match="applying the approved patch"):
        fix(mirror, remote, base, patch)
    assert git(remote.bare, "branch", "--list", "fixer/*") == ""


def test_binary_patch_applies(remote: Remote, mirror: RepoMirror) -> None:
    base = mirror.fetch(remote.url, READ)
    (remote.work / "logo.bin").write_bytes(bytes(range(256)))
    git(remote.work, "add", "--intent-to-add", "logo.bin")
    patch = git(remote.work, "diff", "--binary", strip=False)

    result = fix(mirror, remote, base, patch)

    data = subprocess.run(
        ["git", "cat-file", "blob", f"{result.commit}:logo.bin"],
        cwd=remote.bare,
        capture_output=True,
        check=True,
    ).stdout
    assert data == bytes(range(256))


def test_token_for_another_repository_is_repository_unreachable(
    remote: Remote, mirror: RepoMirror
) -> None:
    remote.server.add_token("ghs_otherREPO42", "octo/other", write=True)
    with pytest.raises(RepositoryUnreachable, match="installed there"):
        mirror.fetch(remote.url, "ghs_otherREPO42")


def test_logged_git_command_lines_carry_no_token(
    remote: Remote, mirror: RepoMirror, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    base = mirror.fetch(remote.url, READ)
    fix(mirror, remote, base, remote.patch("calc.py", FIXED))

    assert "Popen(['git', 'fetch'" in caplog.text  # gitpython logs every command line
    for token in (READ, WRITE):
        for secret in secrets(token):
            assert secret.decode() not in caplog.text


WORKFLOW = "on: push\njobs: {}\n"


@pytest.mark.parametrize(
    ("rules", "patch_path", "said", "hint"),
    [
        (
            PushRules(),
            ".github/workflows/ci.yml",
            "refusing to allow a GitHub App to create or update workflow "
            "`.github/workflows/ci.yml` without `workflows` permission",
            "allow_workflow_changes: true",
        ),
        (
            PushRules(rulesets=("fixer/*",)),
            "calc.py",
            "Cannot create ref due to creations being restricted.",
            "bypass list",
        ),
        (
            PushRules(archived=True),
            "calc.py",
            "This repository was archived so it is read-only.",
            "unarchive it",
        ),
    ],
    ids=["workflow file", "ruleset", "archived"],
)
def test_push_github_declines_is_a_permanent_refusal_with_the_reason(
    remote: Remote,
    mirror: RepoMirror,
    rules: PushRules,
    patch_path: str,
    said: str,
    hint: str,
) -> None:
    base = mirror.fetch(remote.url, WRITE)
    patch = remote.patch(patch_path, WORKFLOW if patch_path.endswith(".yml") else FIXED)
    remote.server.rules = lambda repo: rules
    with pytest.raises(PushDeclined) as caught:
        fix(mirror, remote, base, patch)
    assert isinstance(caught.value, PermanentError)
    assert said in str(caught.value) and hint in str(caught.value)
    assert WRITE not in str(caught.value)
    assert git(remote.bare, "branch", "--list", "fixer/*") == ""


def test_push_with_read_only_token_is_permanent(remote: Remote, mirror: RepoMirror) -> None:
    base = mirror.fetch(remote.url, READ)
    with pytest.raises(PushDeclined):
        push_fix(
            mirror,
            remote.url,
            READ,
            base_commit=base,
            patch=remote.patch("calc.py", FIXED),
            branch="fixer/issue-7",
            message="Fix",
            author=BOT,
            default_branch="main",
            timestamp=WHEN,
        )
