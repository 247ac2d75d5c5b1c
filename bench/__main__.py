"""`python -m bench`: one run on a fresh embedded stack; prints the table, writes docs/bench/."""

from __future__ import annotations

import argparse
import asyncio
import atexit
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from bench import footprint, report, scenarios
from bench.stack import running_stack
from claimdesk.store.db import make_engine

OPEN_ALONE_WARMUP = 10
RESPONSE_ALONE_WARMUP = 5


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--concurrency", type=int, default=16, help="for (a), (b), (d), (e)")
    parser.add_argument("--requests", type=int, default=1000, help="measured, for (a) and (b)")
    parser.add_argument("--warmup", type=int, default=100, help="unmeasured, before (a), (b)")
    parser.add_argument("--alone", type=int, default=100, help="measured, (b) one at a time")
    parser.add_argument("--responses", type=int, default=300, help="measured, for (d)")
    parser.add_argument(
        "--responses-alone", type=int, default=100, help="measured, (d) one at a time"
    )
    parser.add_argument("--lifecycles", type=int, default=64, help="measured, for (e)")
    parser.add_argument("--open-claims", type=int, default=10_000, help="held open, for (f)")
    parser.add_argument(
        "--open-seconds",
        type=float,
        default=90,
        help="(f) stops opening claims after this long (the run must fit in 10 minutes)",
    )
    parser.add_argument("--open-concurrency", type=int, default=32, help="for opening (f)")
    parser.add_argument("--out", type=Path, default=Path("docs/bench"), help="where results go")
    parser.add_argument(
        "--keep", action="store_true", help="keep the stack's data and logs (path printed)"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a budget is not kept")
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: few requests, results not written"
    )
    args = parser.parse_args()
    if args.quick:
        args.requests, args.warmup, args.responses, args.alone = 100, 16, 50, 20
        args.responses_alone = 20
        args.lifecycles, args.open_claims, args.open_seconds = 16, 200, 30
    wanted = args.responses + args.warmup // 2 + args.responses_alone + RESPONSE_ALONE_WARMUP
    if wanted > args.requests + args.warmup + args.alone + OPEN_ALONE_WARMUP:
        parser.error("--responses and --responses-alone need that many claims opened by (b)")
    return args


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


async def measure(args: argparse.Namespace) -> tuple[dict[str, Any], list[Any]]:
    c, n, w = args.concurrency, args.requests, args.warmup
    response_warmup = w // 2
    lifecycle_warmup = c
    transactions = (
        (n + w)
        + (args.alone + OPEN_ALONE_WARMUP)
        + (args.lifecycles + lifecycle_warmup)
        + 3
        + args.open_claims
    )
    results: dict[str, Any] = {"load_average_start": [round(x, 2) for x in os.getloadavg()]}
    started = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="claimdesk-bench-")
    if not args.keep:
        # Registered first so it runs last: the embedded PostgreSQL's own exit handler
        # writes a lock file into this folder after the `finally` below removed it.
        atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    try:
        _say(f"starting the stack in {tmp}")
        async with running_stack(Path(tmp)) as stack:
            engine = make_engine(stack.database_url, pool_size=4)
            limits = httpx.Limits(max_connections=128, max_keepalive_connections=128)
            async with httpx.AsyncClient(timeout=60, limits=limits) as http:
                world = scenarios.World(stack=stack, http=http, engine=engine)
                _say(f"stack up; {transactions} transactions, keys and merchants")
                await scenarios.populate(world, transactions)
                async with engine.connect() as conn:
                    pg = (await conn.execute(text("SHOW server_version"))).scalar_one()
                results["machine"] = report.machine(str(pg))
                at_start = await footprint.footprint(world)

                _say(f"(a) {n} bare workflow starts at concurrency {c}")
                a = await scenarios.ceiling(world, count=n, warmup=w, concurrency=c)
                _say(f"(b) {n} POST /claims at concurrency {c}")
                b, opened = await scenarios.open_claims(world, count=n, warmup=w, concurrency=c)
                _say("(b) the same, one at a time: the service time without queueing")
                b1, more = await scenarios.open_claims(
                    world,
                    count=args.alone,
                    warmup=OPEN_ALONE_WARMUP,
                    concurrency=1,
                    name="(b) POST /claims, alone",
                )
                opened += more
                _say(f"(d) {args.responses} merchant responses until visible")
                d, first_get = await scenarios.response_visible(
                    world, opened, count=args.responses, warmup=response_warmup, concurrency=c
                )
                _say("(d) the same, one at a time: what one merchant and customer see")
                d1, _ = await scenarios.response_visible(
                    world,
                    opened[args.responses + response_warmup :],
                    count=args.responses_alone,
                    warmup=RESPONSE_ALONE_WARMUP,
                    concurrency=1,
                    name="(d) merchant response visible, alone",
                )
                _say(f"(e) {args.lifecycles} full lifecycles at concurrency {c}")
                e, happy = await scenarios.lifecycles(
                    world, count=args.lifecycles, warmup=lifecycle_warmup, concurrency=c
                )
                _say("(e) history events per lifecycle path (the breach path takes ~10 s)")
                history = await scenarios.history_sizes(world, happy)
                _say(f"(f) {args.open_claims} claims held open")
                f, before, after = await footprint.many_open_claims(
                    world,
                    count=args.open_claims,
                    concurrency=args.open_concurrency,
                    seconds=args.open_seconds,
                )
            await engine.dispose()
    finally:
        if args.keep:
            _say(f"kept the stack's data and logs in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    results |= {
        "a_ceiling": a.summary(),
        "b_open_claims": b.summary(),
        "b_open_claims_alone": b1.summary(),
        "c_ratio_b_over_a": round(b.rate / a.rate, 3),
        "d_merchant_response": d.summary() | {"visible_at_first_get": round(first_get, 3)},
        "d_merchant_response_alone": d1.summary(),
        "e_lifecycles": e.summary(),
        "e_history_events": history,
        "f_open_claims": {
            "run": f.summary(),
            "at_start": at_start,
            "before": before,
            "after": after,
            "extrapolated": report.extrapolate(before, after, args.open_claims),
        },
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "duration_s": round(time.monotonic() - started, 1),
    }
    results["budgets"] = [budget.as_dict() for budget in report.budgets(results)]
    return results, [a, b, b1, d, d1, e]


def main() -> int:
    args = _arguments()
    results, runs = asyncio.run(measure(args))
    out: Path = args.out
    if args.quick:
        out = Path(tempfile.mkdtemp(prefix="claimdesk-bench-quick-"))
    table = report.write(results, runs, out)
    print()
    print(table)
    print(f"results in {out}/ (results.json, results.md, latency.png)")
    missed = [budget["name"] for budget in results["budgets"] if not budget["kept"]]
    if missed:
        print("budgets not kept: " + "; ".join(missed))
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
