"""What starts a run, whichever door it came through (webhook, Slack, CLI)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

Trigger = Literal["opened", "labeled", "comment", "assigned", "slack", "cli"]


class RunRequest(BaseModel):
    """Everything a run needs to begin; serialised as the workflow's argument."""

    repo_full_name: str
    repo_id: int
    installation_id: int
    issue_number: int
    issue_title: str = ""
    trigger: Trigger
    actor: str
    """GitHub login (or Slack user id for ``slack``) of whoever asked."""
    label: str | None = None
    """For ``labeled``: the label that was added (checked against the repo's trigger)."""
    instructions: str = ""
    """Extra instructions from ``/fix ...`` or the Slack mention."""
    slack_channel: str | None = None
    slack_thread_ts: str | None = None
    assignee: str | None = None
    """For ``assigned``: the bot user the issue was assigned to; the run checks it is this
    App's (ingress cannot ask GitHub for the App's slug)."""
    comment_id: int | None = None
    """For ``comment``: the ``/fix`` comment, which gets the 👀 acknowledgement."""
    issue_labels: list[str] = []
    """For ``opened``/``labeled``: the issue's labels as the delivery showed them."""
    at_creation: bool = False
    """The delivery is part of the issue's creation: ``opened``, or a ``labeled`` that
    GitHub sends right after it for each label the issue was created with. All of them
    together start at most one run, judged on the issue as created."""

    @property
    def on_issue(self) -> bool:
        """Whether an issue event (not a comment, Slack or the CLI) asked for the run."""
        return self.trigger in ("opened", "labeled", "assigned")

    @property
    def issue_ref(self) -> str:
        return f"{self.repo_full_name}#{self.issue_number}"

    def run_id(self, attempt: int) -> str:
        return f"{self.issue_ref}:{attempt}"
