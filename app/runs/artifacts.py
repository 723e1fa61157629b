"""Artifacts: big data (patches, transcripts) stored once, referenced by sha256.

Step outputs carry the hash, never the data, so DBOS checkpoints stay small.
"""

from __future__ import annotations

import hashlib

from app.db import session_scope
from app.models import Artifact


def put_artifact(database_url: str, kind: str, content: bytes) -> str:
    """Store ``content`` (idempotent) and return its sha256."""
    digest = hashlib.sha256(content).hexdigest()
    with session_scope(database_url) as session:
        if session.get(Artifact, digest) is None:
            session.add(Artifact(sha256=digest, kind=kind, content=content))
    return digest


def get_artifact(database_url: str, digest: str) -> bytes:
    with session_scope(database_url) as session:
        artifact = session.get(Artifact, digest)
        if artifact is None:
            raise LookupError(f"artifact {digest} is not stored")
        return bytes(artifact.content)
