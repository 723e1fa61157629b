"""Setup commands install as a project's README says, and every later command uses it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from agents.sandbox.config import DockerSandboxConfig, SetupNetwork
from agents.sandbox.docker import DockerSandbox
from devtools.package_index import PackageIndex
from devtools.sample_repos import node_app, python_app
from tests.sandbox_setup.conftest import checkout

MakeSandbox = Callable[[Path, DockerSandboxConfig], DockerSandbox]


def config(index: PackageIndex, cache: str | None = None) -> DockerSandboxConfig:
    return DockerSandboxConfig(
        setup_network=SetupNetwork(
            pip_index_url=f"{index.url}/simple/", npm_registry=f"{index.url}/npm/"
        ),
        cache_volume=cache,
    )


def test_pip_install_editable_works_and_later_commands_use_it(
    make_sandbox: MakeSandbox, package_index: PackageIndex, tmp_path: Path
) -> None:
    sample = python_app.sample()
    sandbox = make_sandbox(checkout(tmp_path / "py", sample.files), config(package_index))
    [result] = sandbox.prepare(sample.setup)
    assert result.exit_code == 0, result.output
    assert "externally-managed-environment" not in result.output
    # The tests run with what setup installed: the package (editable) and pytest.
    tests = sandbox.exec("pytest -q")
    assert tests.exit_code == 1 and "2 failed" in tests.output, tests.output
    assert sandbox.exec("which python pip pytest").output.splitlines() == [
        "/home/fixer/.venv/bin/python",
        "/home/fixer/.venv/bin/pip",
        "/home/fixer/.venv/bin/pytest",
    ]
    # The index was only reachable during setup, and its settings are gone with it.
    assert "PIP_INDEX_URL" not in sandbox.exec("env").output
    # Installed files (egg-info, caches) never show up in the patch.
    assert sandbox.snapshot().patch == ""


def test_npm_ci_installs_the_lockfile_and_node_modules_stay_out_of_the_patch(
    make_sandbox: MakeSandbox, package_index: PackageIndex, tmp_path: Path
) -> None:
    sample = node_app.sample(node_app.publish(package_index))
    assert "node_modules" not in sample.files.get(".gitignore", "")
    sandbox = make_sandbox(checkout(tmp_path / "node", sample.files), config(package_index))
    [result] = sandbox.prepare(sample.setup)
    assert result.exit_code == 0, result.output
    assert f"/npm/{node_app.DEP[0]}/-/" in " ".join(package_index.requests)
    tests = sandbox.exec("npm test")
    assert tests.exit_code != 0 and "$199.90" in tests.output, tests.output
    sandbox.exec("sed -i 's#cents / 10,#cents / 100,#' index.js")
    assert sandbox.exec("npm test").exit_code == 0
    patch = sandbox.snapshot().patch
    assert "index.js" in patch and "node_modules" not in patch


def test_second_setup_of_a_repository_installs_from_its_cache(
    make_sandbox: MakeSandbox, package_index: PackageIndex, tmp_path: Path
) -> None:
    sample = python_app.sample()
    repo = checkout(tmp_path / "py", sample.files)
    cache = f"fixer-cache-test-{uuid.uuid4().hex[:8]}"
    first = make_sandbox(repo, config(package_index, cache))
    assert first.prepare(sample.setup)[0].exit_code == 0
    downloads = [p for p in package_index.requests if p.startswith("/files/")]
    assert downloads
    package_index.requests.clear()
    second = make_sandbox(repo, config(package_index, cache))
    [result] = second.prepare(sample.setup)
    assert result.exit_code == 0, result.output
    # Every wheel came from the repository's cache: no file was downloaded again.
    assert not [p for p in package_index.requests if p.startswith("/files/")]
    # Another repository gets a cache of its own, empty.
    other = make_sandbox(repo, config(package_index, cache + "-other"))
    assert other.exec("ls ~/.cache | wc -l").output.strip() == "0"


def test_restored_sandbox_after_a_loss_still_has_its_packages(
    make_sandbox: MakeSandbox, package_index: PackageIndex, tmp_path: Path
) -> None:
    sample = python_app.sample()
    repo = checkout(tmp_path / "py", sample.files)
    sandbox = make_sandbox(repo, config(package_index))
    assert sandbox.prepare(sample.setup)[0].exit_code == 0
    sandbox.exec(f"sed -i 's/{sample.old}/{sample.new}/' {sample.path}")
    snapshot = sandbox.snapshot()
    sandbox.container.remove(force=True)  # the host died with the container
    sandbox.restore(repo, snapshot, sample.setup)
    tests = sandbox.exec("pytest -q")
    assert tests.exit_code == 0 and "2 passed" in tests.output, tests.output
    assert sandbox.snapshot().tree_hash == snapshot.tree_hash


def test_files_setup_generates_stay_out_of_the_patch_but_the_agents_new_files_do_not(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    repo = checkout(tmp_path / "r", {"README.md": "# r\n"})
    setup = ["echo generated > Cargo.lock && mkdir -p gen && echo x > gen/out.txt"]
    sandbox = make_sandbox(repo, DockerSandboxConfig())
    assert sandbox.prepare(setup)[0].exit_code == 0
    sandbox.exec("echo new > added.txt && echo more >> README.md")
    snapshot = sandbox.snapshot()
    assert "added.txt" in snapshot.patch and "README.md" in snapshot.patch
    assert "Cargo.lock" not in snapshot.patch and "gen/out.txt" not in snapshot.patch
    # A rebuilt sandbox runs setup again: the agent's file is still part of the patch.
    sandbox.restore(repo, snapshot, setup)
    again = sandbox.snapshot()
    assert again.tree_hash == snapshot.tree_hash and "added.txt" in again.patch
