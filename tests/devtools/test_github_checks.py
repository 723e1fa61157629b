"""CI on the emulated GitHub: check suites and runs, annotations, Actions jobs and their logs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.devtools.conftest import PullSite

LOG = "2024-01-01T00:00:00Z Run pytest\nFAILED test_calc.py::test_sub - assert 1 == -1\n"
FAILING = {
    "name": "test",
    "conclusion": "failure",
    "title": "1 test failed",
    "summary": "pytest: 1 failed, 3 passed",
    "annotations": [
        {
            "path": "calc.py",
            "start_line": 6,
            "end_line": 6,
            "annotation_level": "failure",
            "message": "assert 1 == -1",
            "title": "test_sub",
        }
    ],
    "log": LOG,
    "steps": [("Set up job", "success"), ("Run pytest", "failure")],
}
PASSING = {"name": "lint", "conclusion": "success", "log": "All checks passed!\n"}


def fail_ci(site: PullSite) -> tuple[int, list[tuple[str, dict[str, Any]]]]:
    with site.github.webhooks.held() as sent:
        suite = site.github.complete_check_suite("octo/lib", site.head_sha, [FAILING, PASSING])
    return suite, list(sent)


def test_failing_actions_suite_sends_check_suite_and_workflow_run_for_the_pull_request(
    pull_site: PullSite,
) -> None:
    suite_id, sent = fail_ci(pull_site)
    # check_run is sent too by GitHub, but the App does not subscribe to it (app.yml).
    assert [(event, p["action"]) for event, p in sent] == [
        ("check_suite", "completed"),
        ("workflow_run", "completed"),
    ]
    suite = sent[0][1]["check_suite"]
    assert (suite["id"], suite["conclusion"], suite["head_sha"]) == (
        suite_id, "failure", pull_site.head_sha,
    )  # fmt: skip
    assert suite["head_branch"] == "fixer/issue-1"
    assert suite["app"]["slug"] == "github-actions"
    assert [p["number"] for p in suite["pull_requests"]] == [pull_site.number]
    run = sent[1][1]["workflow_run"]
    assert (run["conclusion"], run["check_suite_id"], run["event"]) == (
        "failure", suite_id, "pull_request",
    )  # fmt: skip
    assert [p["number"] for p in run["pull_requests"]] == [pull_site.number]
    assert sent[1][1]["workflow"]["path"] == run["path"]


def test_check_runs_of_a_commit_need_checks_read_and_carry_their_output(
    pull_site: PullSite,
) -> None:
    fail_ci(pull_site)
    path = f"/commits/{pull_site.head_sha}/check-runs"
    assert pull_site.call("GET", path, pull_site.token(pull_requests="read")).status_code == 403
    listed = pull_site.call("GET", path, pull_site.token(checks="read")).json()
    assert listed["total_count"] == 2
    failing = next(r for r in listed["check_runs"] if r["conclusion"] == "failure")
    assert failing["output"]["title"] == "1 test failed"
    assert failing["output"]["annotations_count"] == 1
    by_name = pull_site.call("GET", path, params={"check_name": "lint"}).json()
    assert [r["name"] for r in by_name["check_runs"]] == ["lint"]
    by_branch = pull_site.call("GET", "/commits/fixer%2Fissue-1/check-runs").json()
    assert by_branch["total_count"] == 2
    unknown = pull_site.call("GET", "/commits/0123456789abcdef0123456789abcdef01234567/check-runs")
    assert unknown.status_code == 422
    suites = pull_site.call("GET", f"/commits/{pull_site.head_sha}/check-suites").json()
    assert [s["conclusion"] for s in suites["check_suites"]] == ["failure"]


def test_annotations_of_a_failing_check_run_name_the_file_and_lines(pull_site: PullSite) -> None:
    fail_ci(pull_site)
    runs = pull_site.call("GET", f"/commits/{pull_site.head_sha}/check-runs").json()
    failing = next(r for r in runs["check_runs"] if r["conclusion"] == "failure")
    [note] = pull_site.call("GET", f"/check-runs/{failing['id']}/annotations").json()
    assert (note["path"], note["start_line"], note["end_line"]) == ("calc.py", 6, 6)
    assert (note["annotation_level"], note["message"]) == ("failure", "assert 1 == -1")
    assert pull_site.call("GET", "/check-runs/12345/annotations").status_code == 404


def test_job_logs_redirect_to_a_signed_url_that_serves_text_for_a_minute(
    pull_site: PullSite,
) -> None:
    _, sent = fail_ci(pull_site)
    run_id = sent[1][1]["workflow_run"]["id"]
    assert (
        pull_site.call(
            "GET", f"/actions/runs/{run_id}/jobs", pull_site.token(checks="read")
        ).status_code
        == 403
    )
    jobs = pull_site.call("GET", f"/actions/runs/{run_id}/jobs").json()
    assert jobs["total_count"] == 2
    job = next(j for j in jobs["jobs"] if j["conclusion"] == "failure")
    assert [s["conclusion"] for s in job["steps"]] == ["success", "failure"]
    redirect = pull_site.call(
        "GET", f"/actions/jobs/{job['id']}/logs", pull_site.token(actions="read")
    )
    assert redirect.status_code == 302
    location = redirect.headers["Location"]
    assert location.startswith(pull_site.github.site.web_url)
    # The signed URL needs no token and is plain text.
    download = httpx.get(location)
    assert (download.status_code, download.text) == (200, LOG)
    assert download.headers["content-type"].startswith("text/plain")
    for link in pull_site.github.state.pr.log_links.values():
        link.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    assert httpx.get(location).status_code == 403
    assert httpx.get(location + "forged").status_code == 403
    # The job id is its check run's id.
    check = pull_site.call("GET", f"/check-runs/{job['id']}").json()
    assert check["name"] == job["name"]


def test_a_suite_concludes_with_its_worst_run(pull_site: PullSite) -> None:
    with pull_site.github.webhooks.held() as sent:
        pull_site.github.complete_check_suite(
            "octo/lib", pull_site.head_sha,
            [{"name": "a", "conclusion": "success"}, {"name": "b", "conclusion": "timed_out"},
             {"name": "c", "conclusion": "neutral"}],
            app="circleci",
        )  # fmt: skip
    # Not GitHub Actions: no workflow run.
    assert [event for event, _ in sent] == ["check_suite"]
    assert sent[0][1]["check_suite"]["conclusion"] == "timed_out"
    assert pull_site.call("GET", "/actions/runs").json()["total_count"] == 0
