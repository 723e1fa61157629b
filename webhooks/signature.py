"""``X-Hub-Signature-256`` verification, delegated to githubkit (constant-time compare)."""

from __future__ import annotations

from githubkit.webhooks import verify


def signature_is_valid(secret: str, body: bytes, header: str | None) -> bool:
    """True when ``header`` is GitHub's HMAC-SHA256 of ``body`` under ``secret``.

    Only ``sha256=`` is accepted: the SHA-1 header is legacy and weaker.
    """
    if not header or not header.startswith("sha256="):
        return False
    return verify(secret, body, header)
