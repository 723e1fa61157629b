"""Changes to ``.github/workflows/``: flagged before anyone approves, pushed only when allowed.

GitHub refuses a push by a GitHub App that creates or updates a workflow file unless the
App holds the ``workflows`` permission ("refusing to allow a GitHub App to create or update
workflow ... without `workflows` permission";
https://docs.github.com/en/rest/authentication/permissions-required-for-github-apps).
Fixer's App does not ask for it (``app.yml``), so such a fix would be approved and then fail
at the push. The approval message and the status comment say so up front; a repository that
opts in (``allow_workflow_changes: true``, with ``workflows: write`` added to the App) gets
a push token carrying that permission.
"""

from __future__ import annotations

WORKFLOWS_DIR = ".github/workflows/"


def workflow_files(paths: list[str]) -> list[str]:
    return sorted(path for path in paths if path.startswith(WORKFLOWS_DIR))


def workflow_warning(paths: list[str], allowed: bool) -> str:
    """What reviewers must know about workflow files in the patch ("" when there are none)."""
    found = workflow_files(paths)
    if not found:
        return ""
    named = ", ".join(f"`{path}`" for path in found[:5]) + (" …" if len(found) > 5 else "")
    if allowed:
        return (
            f"⚠️ This fix changes workflow files ({named}); `allow_workflow_changes` lets the "
            "App push them, which needs the `workflows: write` permission on the App."
        )
    return (
        f"⚠️ This fix changes {named}, which cannot be pushed by the App: it lacks the "
        "workflows permission. Request changes to leave `.github/workflows/` alone, or set "
        "`allow_workflow_changes: true` in `.github/fixer.yml` and grant the App "
        "`workflows: write`."
    )
