"""Sandbox images: build ``sandbox_images/<name>`` as ``fixer-sandbox:<name>``, check presence.

The build goes through ``sandbox_images/build.sh`` so the CLI, CI and a developer's shell
build the same way (including the registry-free base image).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import docker
from docker.errors import ImageNotFound

from agents.errors import SandboxError

BASE_IMAGE = "debian:bookworm-slim"
IMAGES_DIR = Path(
    os.environ.get(
        "FIXER_SANDBOX_IMAGES_DIR", Path(__file__).resolve().parents[2] / "sandbox_images"
    )
)


def image_tag(name: str) -> str:
    """The tag an image directory builds to."""
    return f"fixer-sandbox:{name}"


def image_exists(tag: str) -> bool:
    """True when ``tag`` is present on the local Docker engine."""
    client = docker.from_env()
    try:
        client.images.get(tag)
        return True
    except ImageNotFound:
        return False
    finally:
        client.close()


def build_image(
    name: str = "default", *, offline_base: bool = False, images_dir: Path | None = None
) -> str:
    """Build ``sandbox_images/<name>`` and return its tag.

    Without ``offline_base`` a missing ``debian:bookworm-slim`` is an error that says how to
    get it; with it, the base is made by debootstrap + ``docker import`` (no registry).
    """
    root = images_dir or IMAGES_DIR
    if not (root / name / "Dockerfile").is_file():
        known = sorted(p.name for p in root.iterdir() if (p / "Dockerfile").is_file())
        raise SandboxError(f"no sandbox image {name!r} in {root}; known: {', '.join(known)}")
    if not offline_base and not image_exists(BASE_IMAGE):
        raise SandboxError(
            f"base image {BASE_IMAGE} is missing: run `fixer sandbox build --offline-base` "
            f"to make it without a registry, or `docker pull {BASE_IMAGE}`"
        )
    result = subprocess.run(
        ["bash", str(root / "build.sh"), name],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-20:])
        raise SandboxError(f"building {image_tag(name)} failed:\n{tail}")
    return image_tag(name)
