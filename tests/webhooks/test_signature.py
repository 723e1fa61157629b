from __future__ import annotations

from tests.conftest import load_fixture
from webhooks.signature import signature_is_valid


def test_githubs_published_vector_verifies() -> None:
    vector = load_fixture("github_signature/vector.json")
    assert signature_is_valid(
        vector["secret"], vector["payload"].encode(), vector["x_hub_signature_256"]
    )


def test_a_changed_body_or_secret_fails() -> None:
    vector = load_fixture("github_signature/vector.json")
    header = vector["x_hub_signature_256"]
    assert not signature_is_valid(vector["secret"], b"Hello, World?", header)
    assert not signature_is_valid("another secret", vector["payload"].encode(), header)


def test_missing_or_sha1_signature_is_refused() -> None:
    vector = load_fixture("github_signature/vector.json")
    body = vector["payload"].encode()
    assert not signature_is_valid(vector["secret"], body, None)
    assert not signature_is_valid(vector["secret"], body, "")
    assert not signature_is_valid(vector["secret"], body, "sha1=" + vector["signature_hex"][:40])
