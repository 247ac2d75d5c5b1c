"""Closed-loop load: a fixed number of clients, each sending its next request when answered."""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

Operation = Callable[[int], Awaitable[None]]


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Run:
    """The measured part of a load run: latencies of the successes, errors by kind."""

    name: str
    concurrency: int
    elapsed: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)

    @property
    def rate(self) -> float:
        """Successes per second over the measured window."""
        return len(self.latencies_ms) / self.elapsed if self.elapsed else math.nan

    def summary(self) -> dict[str, Any]:
        lat = self.latencies_ms
        return {
            "concurrency": self.concurrency,
            "count": len(lat),
            "errors": sum(self.errors.values()),
            "error_kinds": dict(self.errors),
            "elapsed_s": round(self.elapsed, 3),
            "per_second": round(self.rate, 2),
            "p50_ms": round(percentile(lat, 50), 2),
            "p95_ms": round(percentile(lat, 95), 2),
            "p99_ms": round(percentile(lat, 99), 2),
            "max_ms": round(max(lat), 2) if lat else math.nan,
        }


def error_kind(error: BaseException) -> str:
    if isinstance(error, httpx.HTTPStatusError):
        return f"HTTP {error.response.status_code}"
    return type(error).__name__


async def _drive(
    operation: Operation,
    first: int,
    count: int,
    concurrency: int,
    run: Run | None,
    until: float = math.inf,
) -> None:
    next_index = first
    end = first + count

    async def client() -> None:
        nonlocal next_index
        while next_index < end and time.perf_counter() < until:
            index = next_index
            next_index += 1
            started = time.perf_counter()
            try:
                await operation(index)
            except Exception as error:  # counted, and the client goes on
                if run is not None:
                    run.errors[error_kind(error)] += 1
                continue
            if run is not None:
                run.latencies_ms.append((time.perf_counter() - started) * 1000)

    await asyncio.gather(*(client() for _ in range(concurrency)))


async def closed_loop(
    name: str,
    operation: Operation,
    *,
    count: int,
    warmup: int,
    concurrency: int,
    seconds: float = math.inf,
) -> Run:
    """Runs `warmup` operations unmeasured, then `count` measured ones, `concurrency` at a time;
    no new operation starts after `seconds` of measuring.

    Operation `i` gets its index (warm-up first, 0..warmup-1), so each can use its own data.
    """
    await _drive(operation, 0, warmup, concurrency, None)
    run = Run(name=name, concurrency=concurrency)
    started = time.perf_counter()
    await _drive(operation, warmup, count, concurrency, run, until=started + seconds)
    run.elapsed = time.perf_counter() - started
    return run
