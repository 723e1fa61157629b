"""Wheels of pure-Python distributions installed in this interpreter, for a local index.

Tests that install packages inside a sandbox serve them from a local index instead of PyPI;
the wheels come from what this environment already has, so the tests need no network. A
wheel is a zip of the installed files plus its ``.dist-info`` (PEP 427); the RECORD is
rewritten with each file's hash as the format requires.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import zipfile
from pathlib import Path

BINARY_SUFFIXES = (".so", ".pyd", ".dll", ".dylib")


def repack(name: str, dest: Path) -> Path:
    """Write ``name``'s installed files as ``dest/<name>-<version>-py3-none-any.whl``."""
    dist = importlib.metadata.distribution(name)
    files = [f for f in dist.files or [] if not str(f).startswith("..")]
    if any(str(f).endswith(BINARY_SUFFIXES) for f in files):
        raise ValueError(f"{name} has compiled files; only pure-Python wheels can be repacked")
    stem = dist.metadata["Name"].replace("-", "_").replace(".", "_")
    info = f"{stem}-{dist.version}.dist-info"
    dest.mkdir(parents=True, exist_ok=True)
    wheel = dest / f"{stem}-{dist.version}-py3-none-any.whl"
    records: list[str] = []
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in files:
            path = Path(str(file.locate()))
            arc = str(file)
            if "__pycache__" in arc or not path.is_file():
                continue
            top, _, rest = arc.partition("/")
            if top.endswith(".dist-info"):  # the distribution's own metadata, not a vendored one
                if rest in ("RECORD", "INSTALLER", "REQUESTED", "direct_url.json"):
                    continue
                arc = f"{info}/{rest}"
            data = path.read_bytes()
            zf.writestr(arc, data)
            records.append(f"{arc},sha256={_digest(data)},{len(data)}")
        if not any(r.startswith(f"{info}/WHEEL,") for r in records):
            data = b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
            zf.writestr(f"{info}/WHEEL", data)
            records.append(f"{info}/WHEEL,sha256={_digest(data)},{len(data)}")
        records.append(f"{info}/RECORD,,")
        zf.writestr(f"{info}/RECORD", "\n".join(records) + "\n")
    return wheel


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
