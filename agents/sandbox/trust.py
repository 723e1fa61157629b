"""Reading the CA certificates a sandbox trusts during setup (``FIXER_SANDBOX_CA_CERTS``)."""

from __future__ import annotations

from pathlib import Path

from agents.errors import SandboxError

PEM_SUFFIXES = (".pem", ".crt", ".cer")
BEGIN = b"-----BEGIN CERTIFICATE-----"


def read_ca_certs(path: Path) -> bytes:
    """The PEM certificates in ``path`` (a file, or every PEM file of a directory)."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in PEM_SUFFIXES and p.is_file())
    elif path.is_file():
        files = [path]
    else:
        raise SandboxError(
            f"FIXER_SANDBOX_CA_CERTS names {path}, which does not exist: point it at a PEM "
            "file or a directory of them (e.g. /etc/ssl/certs/ca-certificates.crt)"
        )
    data = b"".join(p.read_bytes().strip() + b"\n" for p in files)
    if BEGIN not in data:
        raise SandboxError(
            f"FIXER_SANDBOX_CA_CERTS: no PEM certificate (-----BEGIN CERTIFICATE-----) in {path}"
        )
    return data
