"""The run pages: list, run page (HTML and JSON), the encoded run id, the rendered diff."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from fastapi.testclient import TestClient

from app.telemetry import trace_id_of
from tests.observability.seed import RUN_ID, seed_run

JSON = {"Accept": "application/json"}
PAGE = f"/runs/{quote(RUN_ID, safe='')}"


def test_run_list_shows_repository_issue_state_and_cost(
    database_url: str, make_client: Callable[..., TestClient]
) -> None:
    seed_run(database_url)
    page = make_client().get("/runs")
    assert page.status_code == 200
    assert "acme/calc#1" in page.text and "pr opened" in page.text and "$0.01" in page.text
    assert 'name="viewport"' in page.text
    assert quote(RUN_ID, safe="") in page.text


def test_run_list_filters_by_repo_and_state(
    database_url: str, make_client: Callable[..., TestClient]
) -> None:
    seed_run(database_url)
    client = make_client()
    assert len(client.get("/runs?state=pr_opened", headers=JSON).json()["runs"]) == 1
    assert client.get("/runs?state=failed", headers=JSON).json()["runs"] == []
    assert client.get("/runs?repo=other/repo", headers=JSON).json()["runs"] == []


def test_encoded_run_id_resolves_to_the_run_page(
    database_url: str, make_client: Callable[..., TestClient]
) -> None:
    seed_run(database_url)
    page = make_client().get(PAGE)
    assert page.status_code == 200
    text = page.text
    assert "mean() divides by len(values) - 1" in text  # the plan
    assert "Let me find mean()." in text  # what the model said before it acted
    assert "grep pattern=&#39;def mean&#39;" in text
    assert "edited calc/stats.py" in text and "Ran 2 tests" in text and "exit 0" in text
    assert "1200 input · 3000 cache read · 0 cache write · 80 output" in text
    assert "Ada" in text and "approve" in text
    assert "http://gh.local/acme/calc/pull/2" in text
    assert "calc/stats.py" in text and 'class="add"' in text and 'class="del"' in text
    assert "Round 1" in text and trace_id_of(RUN_ID) in text
    assert 'href="http://gh.local/acme/calc/issues/1"' in text
    assert "location.reload" not in text  # a finished run does not poll


def test_live_run_page_polls_for_changes(
    database_url: str, make_client: Callable[..., TestClient]
) -> None:
    seed_run(database_url, finished=False)
    text = make_client().get(PAGE).text
    assert "live" in text and "location.reload" in text


def test_run_page_json_has_the_same_data(
    database_url: str, make_client: Callable[..., TestClient]
) -> None:
    seed_run(database_url)
    data = make_client().get(PAGE, headers=JSON).json()
    assert set(data) == {"run", "trace_id", "plan", "timeline", "diffs"}
    assert data["run"]["id"] == RUN_ID and data["run"]["state"] == "pr_opened"
    assert data["plan"]["summary"].startswith("mean() divides")
    kinds = [event["kind"] for event in data["timeline"]]
    assert kinds.count("tool_output") == 4 and kinds.count("model_call") == 4
    [model] = [e for e in data["timeline"] if e["kind"] == "model_call"][:1]
    assert model["data"]["tokens"] == {
        "input": 1200,
        "cache_read": 3000,
        "cache_write": 0,
        "output": 80,
    }
    [diff] = data["diffs"]
    assert diff["round"] == 1 and "+    return sum(values) / len(values)" in diff["patch"]


def test_unknown_run_is_404(database_url: str, make_client: Callable[..., TestClient]) -> None:
    assert make_client().get("/runs/nope%2Fnope%231%3A1").status_code == 404
