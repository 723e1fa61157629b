"""Per-repository dependency caches: a Docker volume mounted at the sandbox's ``~/.cache``.

pip, uv, npm, pnpm, yarn, Go, cargo, Maven and Gradle all download into it (see
``environment.COMMAND_ENV``), so a repository's second run installs from local files. A
cache belongs to one repository (its key names the repository and the deployment) and is
never mounted into another's sandbox. ``fixer sandbox prune`` removes them.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from docker.errors import APIError, NotFound

CACHE_LABEL = "fixer.dependency_cache"


def cache_volume_name(key: str) -> str:
    """A Docker-safe volume name for the repository ``key`` (e.g. ``owner/repo@scope``)."""
    slug = re.sub(r"[^a-zA-Z0-9_.-]+", "-", key.split("@")[0]).strip("-.")[:40] or "repo"
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return f"fixer-cache-{slug}-{digest}"


def ensure_cache_volume(client: Any, name: str) -> None:
    """Create the cache volume if it is missing (creating an existing one is a no-op)."""
    client.volumes.create(name, labels={CACHE_LABEL: name})


def list_caches(client: Any) -> list[Any]:
    """Every dependency cache volume on the engine."""
    found: list[Any] = client.volumes.list(filters={"label": [CACHE_LABEL]})
    return found


def prune_caches(client: Any) -> tuple[int, list[str]]:
    """Remove every cache not in use; returns (removed, names still used by a sandbox)."""
    removed, busy = 0, []
    for volume in list_caches(client):
        try:
            volume.remove(force=True)
            removed += 1
        except NotFound:
            continue
        except APIError as exc:
            if exc.status_code != 409:
                raise
            busy.append(volume.name)
    return removed, busy
