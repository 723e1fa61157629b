"""Everything Docker holds for one run, found by label: container, workspace volume, network.

Labels, not names, are the source of truth, so a worker that restarts (or another worker)
finds a run's container by its run id, and cleanup misses nothing a crash left behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from typing import Any

from docker.errors import APIError, NotFound

RUN_LABEL = "fixer.run_id"
MANAGED_LABEL = "fixer.managed"


def labels(run_id: str) -> dict[str, str]:
    """Labels every resource of ``run_id`` carries."""
    return {RUN_LABEL: run_id, MANAGED_LABEL: "true"}


def resource_name(run_id: str) -> str:
    """A Docker-safe, readable, collision-free name for the run's resources."""
    slug = re.sub(r"[^a-zA-Z0-9_.-]+", "-", run_id).strip("-.")[:40] or "run"
    digest = hashlib.sha256(run_id.encode()).hexdigest()[:10]
    return f"fixer-{slug}-{digest}"


def _filters(run_id: str | None) -> dict[str, list[str]]:
    label = f"{RUN_LABEL}={run_id}" if run_id is not None else f"{MANAGED_LABEL}=true"
    return {"label": [label]}


def find_run_containers(client: Any, run_id: str) -> list[Any]:
    """Containers of ``run_id`` in any state, newest first."""
    # docker-py inspects each listed container; one removed in between (a cleanup racing
    # this one) would raise NotFound for a container that is, as asked, gone.
    found: list[Any] = client.containers.list(
        all=True, filters=_filters(run_id), ignore_removed=True
    )
    return found


def remove_run(client: Any, run_id: str) -> int:
    """Remove the run's containers, volumes and networks; returns how many containers went."""
    containers = find_run_containers(client, run_id)
    for container in containers:
        with contextlib.suppress(NotFound):
            container.remove(force=True, v=True)
    for volume in client.volumes.list(filters=_filters(run_id)):
        with contextlib.suppress(NotFound):
            volume.remove(force=True)
    for network in client.networks.list(filters=_filters(run_id)):
        # A network still attached to a container being removed concurrently: the next
        # cleanup of this run takes it.
        with contextlib.suppress(NotFound, APIError):
            network.remove()
    return len(containers)


def remove_all_managed(client: Any) -> int:
    """Remove every Fixer sandbox on the engine (tests, ``fixer doctor --clean``)."""
    run_ids = {
        c.labels.get(RUN_LABEL, "")
        for c in client.containers.list(all=True, filters=_filters(None), ignore_removed=True)
    }
    return sum(remove_run(client, run_id) for run_id in run_ids if run_id)
