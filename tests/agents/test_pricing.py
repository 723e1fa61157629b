"""Costs from real usage payloads (tests/fixtures/anthropic), cache fields priced right."""

from __future__ import annotations

import logging

import pytest

from agents.pricing import CONSERVATIVE_PRICE, Usage, cost_usd, price_for, worst_case_cost_usd
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


def test_longest_prefix_wins() -> None:
    assert price_for("claude-opus-4-1-20250805") == (15.0, 75.0)
    assert price_for("claude-opus-4-6") == (5.0, 25.0)
    assert price_for("claude-haiku-4-5-20251001") == (1.0, 5.0)


def test_unknown_model_is_priced_conservatively_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        assert price_for("claude-future-9") == CONSERVATIVE_PRICE
    assert "claude-future-9" in caplog.text and "PRICES" in caplog.text


def test_worst_case_assumes_all_input_written_and_full_output() -> None:
    assert worst_case_cost_usd("claude-sonnet-4-6", 10_000, 1_000) == pytest.approx(
        (10_000 * 3.75 + 1_000 * 15) / 1e6
    )


def test_usages_add_up() -> None:
    total = Usage(input_tokens=1, cache_read_input_tokens=2) + Usage(input_tokens=3)
    assert total == Usage(input_tokens=4, cache_read_input_tokens=2)
    assert total.total_input_tokens == 6
