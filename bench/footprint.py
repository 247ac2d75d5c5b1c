"""(f) of `make bench`: memory and disk with many open claims (process sizes, store, Temporal)."""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

import psutil
from sqlalchemy import text

from bench.load import Run
from bench.scenarios import World, open_claims
from bench.stack import Stack


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB."""
    process = psutil.Process(pid)
    total: int = process.memory_info().rss
    for child in process.children(recursive=True):
        total += child.memory_info().rss
    return round(total / 2**20, 1)


async def wait_idle(pid: int, *, below_percent: float = 5.0, limit_s: float = 120.0) -> float:
    """Waits until the process uses under `below_percent` of a core over a second."""
    process = psutil.Process(pid)
    started = time.monotonic()
    process.cpu_percent(None)
    while time.monotonic() - started < limit_s:
        await asyncio.sleep(1.0)
        if process.cpu_percent(None) < below_percent:
            break
    return time.monotonic() - started


async def footprint(world: World) -> dict[str, Any]:
    """Memory of the worker, the API and Temporal; sizes of the store and of Temporal's file."""
    stack = world.stack
    async with world.engine.connect() as conn:
        database_bytes = (
            await conn.execute(text("SELECT pg_database_size(current_database())"))
        ).scalar_one()
        claims = (await conn.execute(text("SELECT count(*) FROM claims"))).scalar_one()
        still_open = (
            await conn.execute(text("SELECT count(*) FROM claims WHERE status <> 'closed'"))
        ).scalar_one()
        mails = (await conn.execute(text("SELECT count(*) FROM sent_mails"))).scalar_one()
    temporal_files = stack.paths.temporal_db.parent.glob(stack.paths.temporal_db.name + "*")
    sqlite_bytes = sum(path.stat().st_size for path in temporal_files)
    temporal_pid = _temporal_pid(stack)
    return {
        "worker_rss_mb": rss_mb(stack.pid("worker")),
        "api_rss_mb": rss_mb(stack.pid("api")),
        "temporal_rss_mb": rss_mb(temporal_pid) if temporal_pid else math.nan,
        "database_mb": round(int(database_bytes) / 2**20, 1),
        "temporal_sqlite_mb": round(sqlite_bytes / 2**20, 1),
        "claims_in_store": int(claims),
        "open_claims": int(still_open),
        "mails_sent": int(mails),
    }


def _temporal_pid(stack: Stack) -> int | None:
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info["cmdline"] or []
        if "start-dev" in cmdline and str(stack.paths.temporal_db) in cmdline:
            return int(process.pid)
    return None


async def many_open_claims(
    world: World, *, count: int, concurrency: int, seconds: float
) -> tuple[Run, dict[str, Any], dict[str, Any]]:
    """Opens up to `count` claims through the API, for at most `seconds`; footprint before and
    after (worker idle)."""
    worker = world.stack.pid("worker")
    await wait_idle(worker)
    before = await footprint(world)
    run, _ = await open_claims(
        world,
        count=count,
        warmup=0,
        concurrency=concurrency,
        name="(f) opening claims to hold",
        seconds=seconds,
    )
    # Their e-mails go out after the answer: wait until the worker has nothing left to do.
    drained = await wait_idle(worker)
    after = await footprint(world) | {"worker_drained_after_s": round(drained, 1)}
    return run, before, after
