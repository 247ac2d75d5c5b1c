"""The bench's arithmetic: percentiles, the closed loop's bookkeeping, budgets, extrapolation."""

from __future__ import annotations

import asyncio

import pytest

from bench.load import closed_loop, percentile
from bench.report import Budget, extrapolate


def test_percentile_interpolates_between_ranks() -> None:
    values = [10.0, 20.0, 30.0, 40.0]
    assert percentile(values, 0) == 10.0
    assert percentile(values, 50) == 25.0
    assert percentile(values, 100) == 40.0
    assert percentile([5.0], 99) == 5.0


async def test_closed_loop_measures_only_after_warmup_and_counts_errors() -> None:
    seen: list[int] = []
    in_flight = 0
    most = 0

    async def operation(index: int) -> None:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        await asyncio.sleep(0.001)
        in_flight -= 1
        seen.append(index)
        if index % 10 == 9:
            raise ValueError("every tenth fails")

    run = await closed_loop("t", operation, count=40, warmup=8, concurrency=4)
    assert sorted(seen) == list(range(48))
    assert most == 4
    # Warm-up is 0..7 (no failure there); the measured 8..47 hold 9, 19, 29 and 39.
    assert run.errors == {"ValueError": 4}
    assert len(run.latencies_ms) == 36
    assert run.rate > 0


def test_budget_sides() -> None:
    assert Budget("ratio", 0.7, 0.6, at_least=True).kept
    assert not Budget("ratio", 0.5, 0.6, at_least=True).kept
    assert Budget("p99", 150, 150, at_least=False, unit=" ms").as_dict()["limit"] == "≤ 150 ms"
    assert not Budget("p99", 151, 150, at_least=False).kept


def test_extrapolate_is_linear_in_the_claims_opened() -> None:
    before = {"claims_in_store": 1000, "database_mb": 10.0, "temporal_sqlite_mb": 20.0}
    after = {"claims_in_store": 2000, "database_mb": 12.0, "temporal_sqlite_mb": 30.0}
    projected = extrapolate(before, after, 10_000)
    assert projected["database_kb_per_claim"] == pytest.approx(2.05, abs=0.01)
    assert projected["database_mb"] == pytest.approx(28.0)
    assert projected["temporal_sqlite_mb"] == pytest.approx(110.0)
    assert extrapolate(before, before, 10_000) == {}
