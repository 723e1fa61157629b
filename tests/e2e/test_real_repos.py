"""Real-shaped repositories fixed end to end through `fixer serve`, set up as their README says.

Python (pyproject, ``pip install -e ".[test]"``, pytest) and Node (lockfile, ``npm ci``,
``npm test``) in the default image; Go and Rust in ``universal``. Packages come from a local
index on the Docker bridge (FIXER_SANDBOX_PIP_INDEX_URL, FIXER_SANDBOX_NPM_REGISTRY).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from docker.errors import NotFound

from agents.sandbox.dependency_cache import cache_volume_name
from app.runs.workspace import sandbox_key
from devtools import github_repos
from devtools.package_index import PackageIndex, docker_bridge_address
from devtools.sample_repos import AUTHOR, SampleRepo, compiled_apps, node_app, python_app
from devtools.stack import Stack, wait_until


@pytest.fixture(scope="module")
def index(docker_client: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PackageIndex]:
    root = tmp_path_factory.mktemp("index")
    served = PackageIndex(root, docker_bridge_address(docker_client))
    python_app.publish(root / "wheels")
    yield served.start()
    served.stop()


def fix_end_to_end(
    make_stack: Callable[[list[Any]], Stack],
    docker_client: Any,
    index: PackageIndex,
    sample: SampleRepo,
) -> Stack:
    """Open the sample's issue, wait for the approval, approve, return with the PR open."""
    stack = make_stack(sample.fix_script())
    stack.github.create_repo(sample.name, files=sample.files)
    stack.env["FIXER_SANDBOX_PIP_INDEX_URL"] = f"{index.url}/simple/"
    stack.env["FIXER_SANDBOX_NPM_REGISTRY"] = f"{index.url}/npm/"
    stack.start_fixer()
    stack.github.install([sample.name])  # the App is installed on this repository too
    try:
        stack.github.open_issue(sample.name, sample.issue_title, sample.issue_body, AUTHOR)
        run_id = f"{sample.name}#1:1"

        def bodies() -> list[str]:
            return [c.body for c in stack.github.state.comments.values()]

        def settled() -> bool:
            stopped = any("Fixer stopped" in body for body in bodies())
            return stopped or bool(stack.approval_messages())

        wait_until(settled, timeout=600, what="the approval message")
        assert stack.approval_messages(), f"no approval; comments: {bodies()}"
        assert stack.click("fixer_approve", run_id, 1).status_code == 200
        wait_until(
            lambda: stack.github.state.pulls, timeout=120, what=f"the pull request of {run_id}"
        )
    finally:
        with contextlib.suppress(NotFound):
            key = sandbox_key(stack.database_url, sample.name)
            docker_client.volumes.get(cache_volume_name(key)).remove(force=True)
    return stack


def coder_test_output(stack: Stack) -> str:
    """What the coder's last `shell` call (the test command) returned, as the model saw it."""
    results = [
        str(block.get("content"))
        for message in stack.model.requests[-1].body.get("messages", [])
        if isinstance(message.get("content"), list)
        for block in message["content"]
        if block.get("type") == "tool_result" and "[exit code" in str(block.get("content"))
    ]
    return results[-1]


def assert_fixed(stack: Stack, sample: SampleRepo) -> None:
    fixed = stack.github.file_at(sample.name, "fixer/issue-1", sample.path) or ""
    assert sample.new in fixed and sample.old not in fixed
    # Only the fix was pushed: nothing setup installed came along.
    names = github_repos.git(
        stack.github.site, sample.name, "diff", "--name-only", "main", "fixer/issue-1"
    )
    assert (names or b"").decode().split() == [sample.path]


def test_python_pyproject_repository_is_set_up_with_pip_install_e_and_fixed(
    make_stack: Callable[[list[Any]], Stack], docker_client: Any, index: PackageIndex
) -> None:
    sample = python_app.sample()
    stack = fix_end_to_end(make_stack, docker_client, index, sample)
    assert_fixed(stack, sample)
    output = coder_test_output(stack)
    assert "2 passed" in output and "[exit code 0]" in output
    # No `test:` in fixer.yml: the approval says which command was discovered, and why.
    blocks = str(stack.approval_messages()[0]["blocks"])
    assert "`pytest` (discovered from the repository" in blocks
    assert "pyproject.toml configures pytest" in blocks
    assert any(p.startswith("/files/pytest-") for p in index.requests)


def test_node_repository_with_a_lockfile_is_set_up_with_npm_ci_and_fixed(
    make_stack: Callable[[list[Any]], Stack], docker_client: Any, index: PackageIndex
) -> None:
    sample = node_app.sample(node_app.publish(index))
    stack = fix_end_to_end(make_stack, docker_client, index, sample)
    assert_fixed(stack, sample)
    output = coder_test_output(stack)
    assert "# pass 1" in output and "[exit code 0]" in output


@pytest.mark.parametrize("make_sample", [compiled_apps.go_sample, compiled_apps.rust_sample])
def test_go_and_rust_repositories_are_fixed_in_the_universal_image(
    make_stack: Callable[[list[Any]], Stack],
    docker_client: Any,
    index: PackageIndex,
    make_sample: Callable[[], SampleRepo],
) -> None:
    sample = make_sample()
    stack = fix_end_to_end(make_stack, docker_client, index, sample)
    assert_fixed(stack, sample)
    assert "[exit code 0]" in coder_test_output(stack)
