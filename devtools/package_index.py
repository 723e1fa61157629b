"""A local package index for sandbox tests: PyPI's simple API, an npm registry, a Go proxy.

It listens on an address of this machine that sandboxes reach (the Docker bridge's gateway),
so a repository's setup installs real packages with real clients (pip, uv, npm, go) and no
outside network. Every request is recorded, so a test can prove the index was used (and that
a second run's setup was served from the cache instead).

- ``/simple/<name>/``: PEP 503 project pages (https://peps.python.org/pep-0503/) linking to
  ``/files/<wheel>#sha256=<hex>``; names are normalised as the PEP says.
- ``/npm/<name>``: an abbreviated packument with ``versions[v].dist.tarball``, ``shasum`` and
  ``integrity`` (https://github.com/npm/registry/blob/main/docs/responses/package-metadata.md).
- ``/goproxy/...``: files of a GOPROXY directory (https://go.dev/ref/mod#goproxy-protocol).
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


def normalise(name: str) -> str:
    """PEP 503 normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


class PackageIndex:
    """Serves ``root``'s ``wheels/``, ``npm/`` and ``goproxy/`` directories over HTTP."""

    def __init__(self, root: Path, host: str = "127.0.0.1") -> None:
        self.root = root
        self.host = host
        self.requests: list[str] = []
        self._npm: dict[str, dict[str, Any]] = {}
        for sub in ("wheels", "npm", "goproxy"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the index first"
        return f"http://{self.host}:{self._server.server_address[1]}"

    def add_npm(self, name: str, version: str, tarball: bytes) -> str:
        """Publish an npm tarball; returns its ``integrity`` (sha512, as lockfiles record)."""
        file = f"{name}-{version}.tgz"
        (self.root / "npm" / file).write_bytes(tarball)
        integrity = "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode()
        entry = self._npm.setdefault(name, {"name": name, "versions": {}})
        entry["versions"][version] = {
            "name": name,
            "version": version,
            "dist": {
                "tarball": f"/npm/{name}/-/{file}",
                "shasum": hashlib.sha1(tarball).hexdigest(),
                "integrity": integrity,
            },
        }
        entry["dist-tags"] = {"latest": version}
        return integrity

    def start(self) -> PackageIndex:
        index = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                index.requests.append(self.path)
                status, body, kind = index.answer(self.path.split("?", 1)[0])
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                if status == 200 and kind == "application/octet-stream":
                    # As PyPI's file host and npm's registry do: release files never change,
                    # so clients (pip's HTTP cache among them) may keep them.
                    self.send_header("Cache-Control", "max-age=365000000, immutable, public")
                    self.send_header("ETag", f'"{hashlib.sha256(body).hexdigest()}"')
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: object) -> None:
                pass

        self._server = ThreadingHTTPServer((self.host, 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def answer(self, path: str) -> tuple[int, bytes, str]:
        if path.startswith("/simple/"):
            return self._simple(path.removeprefix("/simple/").strip("/"))
        if path.startswith("/files/"):
            return self._file(self.root / "wheels", path.removeprefix("/files/"))
        if path.startswith("/npm/"):
            rest = path.removeprefix("/npm/")
            if "/-/" in rest:
                return self._file(self.root / "npm", rest.split("/-/", 1)[1])
            entry = self._npm.get(rest.replace("%2f", "/").replace("%2F", "/"))
            if entry is None:
                return 404, b'{"error":"Not found"}', "application/json"
            doc = json.loads(json.dumps(entry))
            for meta in doc["versions"].values():
                meta["dist"]["tarball"] = self.url + meta["dist"]["tarball"]
            return 200, json.dumps(doc).encode(), "application/json"
        if path.startswith("/goproxy/"):
            return self._file(self.root / "goproxy", path.removeprefix("/goproxy/"))
        return 404, b"not found", "text/plain"

    def _simple(self, project: str) -> tuple[int, bytes, str]:
        wheels = sorted((self.root / "wheels").glob("*.whl"))
        if not project:
            names = sorted({normalise(w.name.split("-")[0]) for w in wheels})
            links = "".join(f'<a href="/simple/{n}/">{n}</a>\n' for n in names)
            return 200, f"<html><body>{links}</body></html>".encode(), "text/html"
        found = [w for w in wheels if normalise(w.name.split("-")[0]) == normalise(project)]
        if not found:
            return 404, b"not found", "text/html"
        links = "".join(
            f'<a href="/files/{w.name}#sha256={hashlib.sha256(w.read_bytes()).hexdigest()}">'
            f"{w.name}</a>\n"
            for w in found
        )
        return 200, f"<html><body>{links}</body></html>".encode(), "text/html"

    def _file(self, base: Path, name: str) -> tuple[int, bytes, str]:
        path = (base / name).resolve()
        if not path.is_relative_to(base.resolve()) or not path.is_file():
            return 404, b"not found", "text/plain"
        return 200, path.read_bytes(), "application/octet-stream"


def docker_bridge_address(client: Any) -> str:
    """This machine's address on Docker's default bridge: every sandbox network reaches it."""
    config = client.networks.get("bridge").attrs["IPAM"]["Config"][0]
    if config.get("Gateway"):
        return str(config["Gateway"])
    # The engine assigns the subnet's first address to the bridge when it names none.
    return str(next(ipaddress.ip_network(config["Subnet"]).hosts()))
