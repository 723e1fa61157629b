"""Host git trusts the CA bundle the operator configured (SSL_CERT_FILE / GIT_SSL_CAINFO)."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.git_host import RepositoryUnreachable, ca_bundle_env
from app.git_mirror import RepoMirror


def self_signed(tmp: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Corp Internal CA")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "ca.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class NotFound(BaseHTTPRequestHandler):
    def log_message(self, *_: object) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def https_host(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An HTTPS server with a certificate from a private CA; every path is 404."""
    cert, key = self_signed(tmp_path)
    server = ThreadingHTTPServer(("127.0.0.1", 0), NotFound)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{server.server_address[1]}/octo/app.git", cert
    server.shutdown()


def fetch_error(url: str, cache: Path) -> str:
    with pytest.raises(RepositoryUnreachable) as caught:
        RepoMirror(cache).fetch(url, "ghs_token")
    return str(caught.value)


def test_git_trusts_the_ca_in_ssl_cert_file(
    https_host: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, cert = https_host
    monkeypatch.delenv("GIT_SSL_CAINFO", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    untrusted = fetch_error(url, tmp_path / "a")
    assert "certificate verification failed" in untrusted

    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    trusted = fetch_error(url, tmp_path / "b")  # TLS now succeeds; the server says 404
    assert "certificate" not in trusted.lower() and "not found" in trusted


def test_git_ssl_cainfo_wins_over_ssl_cert_file() -> None:
    env = ca_bundle_env({"SSL_CERT_FILE": "/etc/a.pem", "GIT_SSL_CAINFO": "/etc/b.pem"})
    assert env == {"GIT_SSL_CAINFO": "/etc/b.pem"}
    assert ca_bundle_env({}) == {}
