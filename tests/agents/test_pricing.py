"""Costs from real usage payloads (tests/fixtures/anthropic), cache fields priced right."""

from __future__ import annotations

import logging

import pytest

from agents.model_catalog import catalog
from agents.pricing import Usage, cost_usd, price_for, worst_case_cost_usd
from tests.conftest import load_fixture


def cache_usages() -> list[dict[str, object]]:
    data = load_fixture("anthropic/cache_usage.pydantic-ai.test_anthropic_cache_real_api.json")
    return [interaction["response"]["body"]["usage"] for interaction in data["interactions"]]


def test_cache_read_is_priced_at_a_tenth_of_input() -> None:
    first = cache_usages()[0]  # input 3, cache read 1111, output 406 on claude-sonnet-4-5
    expected = (3 * 3.0 + 1111 * 0.30 + 406 * 15.0) / 1_000_000
    assert cost_usd("claude-sonnet-4-5-20250929", first) == pytest.approx(expected)


def test_cache_write_is_priced_at_one_and_a_quarter_input() -> None:
    second = cache_usages()[1]  # input 3, write 418 (5m), read 1111, output 33
    expected = (3 * 3.0 + 418 * 3.75 + 1111 * 0.30 + 33 * 15.0) / 1_000_000
    assert cost_usd("claude-sonnet-4-5", second) == pytest.approx(expected)


def test_usage_reads_recorded_stream_usage_with_cache_fields() -> None:
    exchanges = load_fixture(
        "anthropic/sdk-recorded.429_rate_limit_error_x2_then_200.d743d628.json"
    )
    usage = Usage.from_api(exchanges[2]["response"]["body"]["usage"])
    assert usage == Usage(input_tokens=406, output_tokens=50)
    assert cost_usd("claude-sonnet-4-6", usage) == pytest.approx((406 * 3 + 50 * 15) / 1e6)


def test_one_hour_writes_and_web_searches_are_priced() -> None:
    usage = Usage.from_api(
        {
            "input_tokens": 0,
            "output_tokens": 0,
            "cache_creation_input_tokens": 1000,
            "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 1000},
            "server_tool_use": {"web_search_requests": 3, "web_fetch_requests": 0},
        }
    )
    assert cost_usd("claude-haiku-4-5", usage) == pytest.approx(1000 * 2.0 / 1e6 + 0.03)


# Rates from https://platform.claude.com/docs/en/docs/about-claude/pricing (input, output,
# 5m write, 1h write, cache read, USD per MTok) and each model's overview page.
PUBLISHED = {
    "claude-opus-5-5": (4.0, 20.0, 5.0, 8.0, 0.20),
    "claude-opus-5": (5.0, 25.0, 6.25, 10.0, 0.50),
    "claude-opus-4-8": (5.0, 25.0, 6.25, 10.0, 0.50),
    "claude-opus-4-7": (5.0, 25.0, 6.25, 10.0, 0.50),
    "claude-opus-4-6": (5.0, 25.0, 6.25, 10.0, 0.50),
    "claude-opus-4-5-20251101": (5.0, 25.0, 6.25, 10.0, 0.50),
    "claude-opus-4-1-20250805": (15.0, 75.0, 18.75, 30.0, 1.50),
    "claude-opus-4-20250514": (15.0, 75.0, 18.75, 30.0, 1.50),
    "claude-opus-4-0": (15.0, 75.0, 18.75, 30.0, 1.50),
    "claude-sonnet-5-5": (2.0, 10.0, 2.5, 4.0, 0.20),
    "claude-sonnet-5": (2.0, 10.0, 2.5, 4.0, 0.20),
    "claude-sonnet-4-6": (3.0, 15.0, 3.75, 6.0, 0.30),
    "claude-sonnet-4-5-20250929": (3.0, 15.0, 3.75, 6.0, 0.30),
    "claude-sonnet-4-20250514": (3.0, 15.0, 3.75, 6.0, 0.30),
    "claude-3-7-sonnet-20250219": (3.0, 15.0, 3.75, 6.0, 0.30),
    "claude-haiku-4-5-20251001": (1.0, 5.0, 1.25, 2.0, 0.10),
    "claude-3-5-haiku-20241022": (0.80, 4.0, 1.0, 1.6, 0.08),
    "claude-3-haiku-20240307": (0.25, 1.25, 0.30, 0.50, 0.03),
}


@pytest.mark.parametrize("model", sorted(PUBLISHED))
def test_every_listed_model_has_its_published_rates(model: str) -> None:
    assert tuple(price_for(model)) == pytest.approx(PUBLISHED[model])


def test_a_model_whose_cache_reads_are_not_a_tenth_is_priced_from_its_own_rate() -> None:
    usage = Usage(cache_read_input_tokens=1_000_000)
    assert cost_usd("claude-opus-5-5", usage) == pytest.approx(0.20)


def test_a_newer_model_is_never_charged_an_older_ones_price(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # "claude-opus-4" is in the table; a later "claude-opus-4-9" must not match it.
    with caplog.at_level(logging.WARNING):
        assert price_for("claude-opus-4-9") == catalog().highest_price
        price_for("claude-opus-4-9")
    assert caplog.text.count("claude-opus-4-9") == 1
    assert "models.json" in caplog.text


def test_provider_ids_are_priced_as_the_model_and_regional_endpoints_cost_ten_percent_more() -> (
    None
):
    usage = Usage(input_tokens=1_000_000)
    assert cost_usd("global.anthropic.claude-sonnet-4-5-20250929-v1:0", usage) == 3.0
    assert cost_usd("claude-sonnet-4-5@20250929", usage) == 3.0
    assert cost_usd("us.anthropic.claude-sonnet-4-5-20250929-v1:0", usage, regional=True) == (
        pytest.approx(3.3)
    )
    # Older models have one price on every endpoint.
    assert cost_usd("anthropic.claude-opus-4-1-20250805-v1:0", usage, regional=True) == 15.0


def test_the_price_file_names_its_source_and_date() -> None:
    assert catalog().sources["prices"].startswith("https://platform.claude.com/")
    assert catalog().checked >= "2026-"


def test_unknown_model_is_priced_conservatively_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        assert price_for("claude-future-9") == catalog().highest_price
    assert "claude-future-9" in caplog.text


def test_worst_case_assumes_all_input_written_and_full_output() -> None:
    assert worst_case_cost_usd("claude-sonnet-4-6", 10_000, 1_000) == pytest.approx(
        (10_000 * 3.75 + 1_000 * 15) / 1e6
    )


def test_usages_add_up() -> None:
    total = Usage(input_tokens=1, cache_read_input_tokens=2) + Usage(input_tokens=3)
    assert total == Usage(input_tokens=4, cache_read_input_tokens=2)
    assert total.total_input_tokens == 6
