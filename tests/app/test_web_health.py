from __future__ import annotations

from fastapi.testclient import TestClient


def test_healthz_answers(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_readyz_checks_database_and_docker(client: TestClient, docker_client: object) -> None:
    response = client.get("/readyz")
    assert response.json()["checks"] == {"database": True, "docker": True}
    assert response.status_code == 200
