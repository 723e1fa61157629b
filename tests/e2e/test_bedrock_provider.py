"""A whole run on Amazon Bedrock: `fixer serve` with FIXER_MODEL_PROVIDER=bedrock and AWS keys
in `.env`, every model call SigV4-signed to the Bedrock emulation's InvokeModel stream route."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from devtools import sample_repo
from devtools.bedrock_front import AwsKey, BedrockFront
from devtools.scripted_model import ScriptedModelServer
from devtools.stack import Stack, wait_until

KEY = AwsKey("AKIAFIXERE2E", "e2e-secret", "e2e-session")


def test_a_run_on_bedrock_signs_every_model_call_and_reaches_approval(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    stack = make_stack(sample_repo.fix_script())
    front = BedrockFront(stack.model, region="us-west-2", keys=[KEY])
    with ScriptedModelServer(front.respond) as bedrock:
        for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"):
            del stack.env[name]  # nothing of Anthropic's API is configured
        stack.env.update(
            {
                "FIXER_MODEL_PROVIDER": "bedrock",
                "AWS_REGION": "us-west-2",
                "AWS_ACCESS_KEY_ID": KEY.access_key_id,
                "AWS_SECRET_ACCESS_KEY": KEY.secret,
                "AWS_SESSION_TOKEN": KEY.session_token or "",
                "ANTHROPIC_BEDROCK_BASE_URL": bedrock.base_url,
                "FIXER_BEDROCK_INFERENCE_PROFILE": "us",
            }
        )
        stack.start_fixer()
        stack.open_issue()
        wait_until(lambda: stack.approval_messages(), timeout=180, what="the approval message")
    paths = {request.path for request in front.requests}
    assert paths == {"/model/us.anthropic.claude-sonnet-4-6/invoke-with-response-stream"}
    assert len(front.requests) == len(stack.model.requests) == len(sample_repo.fix_script())
    assert all(
        r.headers["x-amz-security-token"] == KEY.session_token
        and r.body["anthropic_version"] == "bedrock-2023-05-31"
        for r in front.requests
    )
    assert "Fixer stopped" not in next(iter(stack.github.state.comments.values())).body
