"""Container start: what the image already holds is not done again when a sandbox starts."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agents.sandbox import home
from agents.sandbox.config import DockerSandboxConfig
from agents.sandbox.docker import DockerSandbox
from agents.sandbox.run_resources import remove_run

ROOT = Path(__file__).resolve().parents[2]
CHECK = (
    "echo $VIRTUAL_ENV; command -v pip; ls /sys/class/net; "
    "touch /workspace/w ~/h ~/.cache/c && echo writable"
)


@pytest.fixture
def started(docker_client: Any) -> Iterator[list[DockerSandbox]]:
    boxes: list[DockerSandbox] = []
    yield boxes
    for box in boxes:
        remove_run(docker_client, box.run_id)


def start(docker_client: Any, boxes: list[DockerSandbox], image: str) -> DockerSandbox:
    box = DockerSandbox(
        f"test-start-{uuid.uuid4().hex[:8]}", DockerSandboxConfig(image=image), client=docker_client
    )
    boxes.append(box)
    box.ensure()
    return box


def test_the_images_home_script_is_the_one_fixer_runs_at_start() -> None:
    # The image's home is made by this file at build time; Fixer runs home.INIT_SCRIPT on
    # images without it. Regenerate after changing the script: write INIT_SCRIPT to the file.
    assert (ROOT / home.IMAGE_SCRIPT).read_text() == home.INIT_SCRIPT


def test_built_image_starts_with_a_ready_home_and_no_work_at_start(
    docker_client: Any, started: list[DockerSandbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    image = docker_client.images.get("fixer-sandbox:default")
    assert home.built_in(image.labels), "rebuild the image: bash sandbox_images/build.sh default"
    execs: list[object] = []
    monkeypatch.setattr(home, "init_home", lambda box: execs.append(box))
    monkeypatch.setattr(DockerSandbox, "_exec_raw", lambda *args, **kw: execs.append(args))
    box = start(docker_client, started, "fixer-sandbox:default")
    assert execs == [] and box.fresh
    lines = box.exec(CHECK).output.split()
    assert lines == ["/home/fixer/.venv", "/home/fixer/.venv/bin/pip", "lo", "writable"]
    assert not box.fresh


def test_image_without_the_label_gets_its_home_made_at_start(
    docker_client: Any, started: list[DockerSandbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A custom image whose label does not match (an older script, or none at all).
    tag = "fixer-sandbox:test-unlabelled"
    dockerfile = f"FROM fixer-sandbox:default\nLABEL {home.HOME_LABEL}=older\n"
    docker_client.images.build(fileobj=io.BytesIO(dockerfile.encode()), tag=tag, pull=False)
    made: list[DockerSandbox] = []
    real_init = home.init_home

    def spy(box: DockerSandbox) -> None:
        made.append(box)
        real_init(box)

    monkeypatch.setattr(home, "init_home", spy)
    try:
        box = start(docker_client, started, tag)
        assert made == [box]
        lines = box.exec(CHECK).output.split()
        assert lines == ["/home/fixer/.venv", "/home/fixer/.venv/bin/pip", "lo", "writable"]
    finally:
        for box in started:
            remove_run(docker_client, box.run_id)
        started.clear()
        docker_client.images.remove(tag, force=True)
