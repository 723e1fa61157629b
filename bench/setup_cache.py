"""Setup benchmark: first vs second setup of the same repository, with its dependency cache.

Run: ``.venv/bin/python bench/setup_cache.py``. For the Python sample (``pip install -e
".[test]"``) and the Node sample (``npm ci``), each from a local index on the Docker bridge:
the first setup starts with an empty cache, the second with the cache the first left. The
ratio is first / second, measured in the same run. The last line printed is one JSON object.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import docker
from docker.errors import NotFound

from agents.sandbox.config import DockerSandboxConfig, SetupNetwork
from agents.sandbox.docker import DockerSandbox
from agents.sandbox.trust import read_ca_certs
from devtools.package_index import PackageIndex, docker_bridge_address
from devtools.sample_repos import SampleRepo, node_app, python_app

HOST_BUNDLE = Path(os.environ.get("SSL_CERT_FILE") or "/etc/ssl/certs/ca-certificates.crt")


def checkout(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True)
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    ident = ["-c", "user.name=b", "-c", "user.email=b@example.com"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "initial"]):
        subprocess.run(["git", *ident, *args], cwd=root, check=True, capture_output=True)
    return root


def setup_seconds(
    client: object, repo: Path, sample: SampleRepo, config: DockerSandboxConfig
) -> float:
    sandbox = DockerSandbox(f"bench-setup-{uuid.uuid4().hex[:8]}", config, client=client)
    try:
        sandbox.ensure()
        sandbox.copy_in(repo)
        started = time.perf_counter()
        results = sandbox.prepare(sample.setup, timeout=900)
        elapsed = time.perf_counter() - started
        if results[-1].exit_code != 0:
            raise RuntimeError(f"setup of {sample.name} failed:\n{results[-1].output[-2000:]}")
        return elapsed
    finally:
        sandbox.stop()


def main() -> None:
    client = docker.from_env()
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="fixer-bench-setup-") as tmp:
        root = Path(tmp)
        index = PackageIndex(root / "index", docker_bridge_address(client))
        python_app.publish(root / "index" / "wheels")
        index.start()
        samples = {"python": python_app.sample(), "node": node_app.sample(node_app.publish(index))}
        # The same, from the real registries through this machine's proxy (its CA trusted):
        # where downloads cost real time, as on most hosts.
        real = python_app.sample()
        real.setup = ['pip install -e ".[test]" requests']
        samples["python_real_registry"] = real
        try:
            for label, sample in samples.items():
                repo = checkout(root / label, sample.files)
                cache = f"fixer-cache-bench-{uuid.uuid4().hex[:8]}"
                network = SetupNetwork(
                    pip_index_url=f"{index.url}/simple/", npm_registry=f"{index.url}/npm/"
                )
                if label.endswith("_real_registry"):
                    network = SetupNetwork(ca_certs=read_ca_certs(HOST_BUNDLE))
                config = DockerSandboxConfig(setup_network=network, cache_volume=cache)
                try:
                    first = setup_seconds(client, repo, sample, config)
                    second = setup_seconds(client, repo, sample, config)
                finally:
                    with contextlib.suppress(NotFound):
                        client.volumes.get(cache).remove(force=True)
                figures[f"{label}_first_s"] = round(first, 2)
                figures[f"{label}_second_s"] = round(second, 2)
                figures[f"{label}_first_over_second"] = round(first / second, 2)
                ratio = first / second
                print(f"{label}: first setup {first:.1f}s, second {second:.1f}s ({ratio:.1f}x)")
        finally:
            index.stop()
    print(json.dumps({"setup_cache": figures}))


if __name__ == "__main__":
    main()
