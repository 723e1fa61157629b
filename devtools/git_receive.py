"""What GitHub checks on a push before it updates a ref, and the answer git shows for a refusal.

The emulated git server (:mod:`devtools.git_http`) hands each ``git-receive-pack`` request
here first. The objects are indexed into a throw-away repository that borrows the real one's
objects (nothing lands in the real repository), the new commits are inspected, and a refusal
is written as GitHub writes it: ``remote:`` lines on the progress band and ``ng <ref> <reason>``
in the report, which ``git push`` prints as ``! [remote rejected] ... (<reason>)``.

What GitHub refuses, and where it says so:

* A GitHub App token without the ``workflows`` permission may not create or change files
  under ``.github/workflows/``: "refusing to allow a GitHub App to create or update workflow
  `<path>` without `workflows` permission"
  (https://docs.github.com/en/rest/authentication/permissions-required-for-github-apps#repository-permissions-for-workflows
  — "Workflows: write" is needed to push changes to workflow files).
* A branch protection rule on the ref: ``GH006: Protected branch update failed`` and
  "(protected branch hook declined)"
  (https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-protected-branches/about-protected-branches).
* A ruleset that restricts creating or updating the ref: ``GH013: Repository rule violations
  found`` and "(push declined due to repository rule violations)"
  (https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/troubleshooting-rules).
"""

from __future__ import annotations

import fnmatch
import gzip
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ZERO = "0" * 40
WORKFLOWS_DIR = ".github/workflows/"


@dataclass(frozen=True)
class PushRules:
    """A repository's rules that a push must pass, as its settings on GitHub would say."""

    archived: bool = False
    """Archived repositories are read-only: every push is refused with 403."""
    protected_branches: tuple[str, ...] = ()
    """Branch protection patterns (fnmatch, as GitHub's ``fixer/*``) that refuse pushes."""
    rulesets: tuple[str, ...] = ()
    """Ruleset target patterns that restrict creating and updating matching branches."""


@dataclass
class Command:
    old: str
    new: str
    ref: str


@dataclass
class Refusal:
    """Why the push is declined: lines shown as ``remote:`` and a reason per ref."""

    messages: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)


def pkt(data: bytes) -> bytes:
    return f"{len(data) + 4:04x}".encode() + data


def parse_request(body: bytes, encoding: str) -> tuple[list[Command], set[str], bytes]:
    """The ref updates, the client's capabilities and the pack of a receive-pack request."""
    if encoding.lower() == "gzip":
        body = gzip.decompress(body)
    commands: list[Command] = []
    capabilities: set[str] = set()
    at = 0
    while at + 4 <= len(body):
        size = int(body[at : at + 4], 16)
        if size == 0:
            at += 4
            break
        line = body[at + 4 : at + size]
        at += size
        if b"\0" in line:
            line, _, caps = line.partition(b"\0")
            capabilities = set(caps.decode().split())
        old, new, ref = line.decode().strip().split(" ", 2)
        commands.append(Command(old, new, ref))
    return commands, capabilities, body[at:]


def _changed_paths(repo: Path, commands: list[Command], pack: bytes) -> set[str]:
    """Paths changed by the commits this push adds, read from the pack in a scratch repo."""
    with tempfile.TemporaryDirectory(prefix="fixer-receive-") as tmp:
        scratch = Path(tmp) / "scratch.git"
        subprocess.run(["git", "init", "--quiet", "--bare", str(scratch)], check=True)
        (scratch / "objects" / "info" / "alternates").write_text(f"{repo / 'objects'}\n")

        def git(*args: str, data: bytes | None = None) -> str:
            done = subprocess.run(
                ["git", "--git-dir", str(scratch), *args],
                input=data,
                capture_output=True,
                check=False,
            )
            return done.stdout.decode() if done.returncode == 0 else ""

        if pack:
            git("index-pack", "--stdin", "--fix-thin", data=pack)
        known = subprocess.run(
            ["git", "--git-dir", str(repo), "for-each-ref", "--format=%(objectname)"],
            capture_output=True,
            check=False,
        ).stdout.decode()
        excluded = [f"^{sha}" for sha in known.split()]
        paths: set[str] = set()
        for command in commands:
            if command.new == ZERO:
                continue
            for commit in git("rev-list", command.new, *excluded).split():
                listing = git(
                    "diff-tree", "--no-commit-id", "--name-only", "-r", "-m", "--root", commit
                )
                paths.update(listing.split())
        return paths


def check_push(
    repo: Path, rules: PushRules, can_write_workflows: bool, body: bytes, encoding: str, web: str
) -> tuple[Refusal | None, set[str]]:
    """The refusal GitHub would give this push (None: let it through) and the capabilities."""
    commands, capabilities, pack = parse_request(body, encoding)
    refusal = Refusal()
    for command in commands:
        branch = command.ref.removeprefix("refs/heads/")
        if any(fnmatch.fnmatchcase(branch, p) for p in rules.protected_branches):
            refusal.messages += [
                f"error: GH006: Protected branch update failed for {command.ref}.",
                "error: Changes must be made through a pull request.",
            ]
            refusal.reasons[command.ref] = "protected branch hook declined"
        elif any(fnmatch.fnmatchcase(branch, p) for p in rules.rulesets):
            creating = command.old == ZERO
            rule = (
                "Cannot create ref due to creations being restricted."
                if creating
                else "Cannot update this protected ref."
            )
            refusal.messages += [
                f"error: GH013: Repository rule violations found for {command.ref}.",
                f"Review all repository rules at {web}/rules?ref={quote(command.ref, safe='')}",
                "",
                f"- {rule}",
                "",
            ]
            refusal.reasons[command.ref] = "push declined due to repository rule violations"
    if not refusal.reasons and not can_write_workflows:
        workflows = sorted(
            p for p in _changed_paths(repo, commands, pack) if p.startswith(WORKFLOWS_DIR)
        )
        if workflows:
            reason = (
                f"refusing to allow a GitHub App to create or update workflow `{workflows[0]}` "
                "without `workflows` permission"
            )
            refusal.reasons = {command.ref: reason for command in commands}
    if not refusal.reasons:
        return None, capabilities
    for command in commands:
        refusal.reasons.setdefault(command.ref, "atomic push failed")
    return refusal, capabilities


def refusal_response(refusal: Refusal, capabilities: set[str]) -> bytes:
    """The receive-pack result git prints as ``remote:`` lines and ``! [remote rejected]``."""
    report = pkt(b"unpack ok\n")
    for ref, reason in refusal.reasons.items():
        report += pkt(f"ng {ref} {reason}\n".encode())
    report += b"0000"
    if not capabilities & {"side-band-64k", "side-band"}:
        return report
    out = b"".join(pkt(b"\2" + f"{line}\n".encode()) for line in refusal.messages)
    out += pkt(b"\1" + report)
    return out + b"0000"
