"""An issue assigned to a bot user starts a run only when that bot is this App's.

Ingress takes any ``[bot]`` assignee (it must not call GitHub); the run asks GitHub who its
bot is (``GET /app`` for the slug, then ``GET /users/{slug}[bot]``, cached per process by
:func:`app.bot_identity.bot_identity`) before anything shows on the issue.
"""

from __future__ import annotations

from typing import Any

from dbos import DBOS

from app.bot_identity import bot_identity
from app.runs.context import current
from app.runs.github_steps import GITHUB_STEP
from app.runs.request import RunRequest
from app.runs.step_errors import recordable_errors


@DBOS.step(name="app_bot_login", **GITHUB_STEP)
@recordable_errors
async def app_bot_login_step(request: dict[str, Any]) -> str:
    """The App's bot login as GitHub spells it, e.g. ``fixer[bot]``."""
    req = RunRequest.model_validate(request)
    login, _ = await bot_identity(current().github, req.installation_id, req.repo_full_name)
    return login


def assignee_refusal(request: RunRequest, bot_login: str) -> str | None:
    """Why an assignment is not to this App (logins compare without case, as GitHub's)."""
    if request.assignee is not None and request.assignee.lower() == bot_login.lower():
        return None
    return f"the issue was assigned to {request.assignee}, not to {bot_login}"
