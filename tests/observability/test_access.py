"""FIXER_UI_TOKEN: bearer or cookie when set; loopback clients only when unset."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from fastapi.testclient import TestClient

from app.pages.access import COOKIE
from tests.observability.seed import RUN_ID, seed_run

TOKEN = "s3cret-ui-token"
PAGE = f"/runs/{quote(RUN_ID, safe='')}"
ELSEWHERE = ("203.0.113.9", 40000)


def test_without_a_token_the_pages_refuse_non_loopback_clients(
    make_client: Callable[..., TestClient],
) -> None:
    for path in ("/runs", PAGE, "/metrics"):
        refused = make_client(ELSEWHERE).get(path)
        assert refused.status_code == 403
        assert "FIXER_UI_TOKEN" in refused.json()["detail"]


def test_without_a_token_loopback_clients_are_served(
    database_url: str, make_client: Callable[..., TestClient]
) -> None:
    seed_run(database_url)
    assert make_client(("::1", 40000)).get(PAGE).status_code == 200


def test_with_a_token_requests_without_it_are_refused(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(ELSEWHERE, fixer_ui_token=TOKEN)
    assert client.get("/runs").status_code == 401
    assert client.get("/runs", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert make_client(fixer_ui_token=TOKEN).get("/runs").status_code == 401  # loopback too


def test_bearer_token_opens_the_pages(
    database_url: str, make_client: Callable[..., TestClient]
) -> None:
    seed_run(database_url)
    client = make_client(ELSEWHERE, fixer_ui_token=TOKEN)
    page = client.get(PAGE, headers={"Authorization": f"Bearer {TOKEN}"})
    assert page.status_code == 200 and "calc/stats.py" in page.text


def test_token_visit_sets_an_httponly_cookie_and_redirects_to_the_clean_address(
    database_url: str, make_client: Callable[..., TestClient]
) -> None:
    seed_run(database_url)
    client = make_client(ELSEWHERE, fixer_ui_token=TOKEN)
    visit = client.get(f"{PAGE}?token={TOKEN}")
    assert visit.status_code == 303
    assert visit.headers["location"] == PAGE  # the run id stays encoded, the token is gone
    cookie = visit.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie
    follow = client.get(visit.headers["location"])  # the client keeps the cookie
    assert follow.status_code == 200 and "mean()" in follow.text
