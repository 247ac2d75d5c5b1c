"""`python -m bench.profile [N] [CONCURRENCY] [--keep]`: where the CPU goes when claims open.

Opens N claims (default 150) at CONCURRENCY (16) on a fresh stack, and prints the CPU
seconds each process spent per claim, then the worker's and the API's hottest frames as
py-spy sampled them (py-spy must be installed, and allowed to attach: root or ptrace).
CPU per claim moves far less than throughput when other work shares the machine, so this
is the figure to compare before and after a change (docs/bench/history.md).
"""

from __future__ import annotations

import asyncio
import atexit
import shutil
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import httpx
import psutil

from bench import footprint, scenarios
from bench.stack import Stack, running_stack
from claimdesk.store.db import make_engine


def _processes(stack: Stack) -> dict[str, list[psutil.Process]]:
    found: dict[str, list[psutil.Process]] = {
        name: [psutil.Process(stack.pid(name))] for name in ("worker", "api", "sink")
    }
    found["temporal"], found["postgres"] = [], []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        if "start-dev" in cmdline and str(stack.paths.temporal_db) in cmdline:
            found["temporal"].append(process)
        elif "postgres" in cmdline and str(stack.paths.pgdata) in cmdline:
            found["postgres"] += [process, *process.children(recursive=True)]
    found["bench"] = [psutil.Process()]
    return found


def cpu_seconds(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def _spy(spy: str, pid: int, raw: Path) -> subprocess.Popen[bytes]:
    command = [spy, "record", "-p", str(pid), "-f", "raw", "-r", "50", "-o", str(raw)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def hottest(raw: Path, top: int = 25) -> list[tuple[float, str]]:
    """Inclusive share of busy samples per function, from a py-spy `raw` file."""
    busy = 0
    inclusive: Counter[str] = Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        frames = stack.split(";")
        if "select (selectors" in frames[-1] or "Condition.wait" in frames[-1]:
            continue  # idle: the event loop or a pool thread waiting for work
        if "_worker (concurrent/futures/thread.py" in frames[-1]:
            continue
        busy += int(count)
        for name in {frame.split(":")[0] for frame in frames}:
            inclusive[name] += int(count)
    skip = ("asyncio/", "threading.py", "typer", "click", "<module> (claimdesk", "importlib")
    rows = [(n * 100 / busy, name) for name, n in inclusive.most_common() if busy]
    return [row for row in rows if not any(s in row[1] for s in skip)][:top]


async def profile(count: int, concurrency: int, out: Path) -> None:
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    async with running_stack(out / "stack") as stack:
        engine = make_engine(stack.database_url, pool_size=4)
        async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=128)) as http:
            world = scenarios.World(stack=stack, http=http, engine=engine)
            await scenarios.populate(world, count + 30)
            await scenarios.open_claims(world, count=30, warmup=0, concurrency=4)  # warm-up
            processes = _processes(stack)
            before = {name: cpu_seconds(group) for name, group in processes.items()}
            spies = {
                name: _spy(spy, stack.pid(name), out / f"{name}.raw") for name in ("worker", "api")
            }
            await asyncio.sleep(1)
            run, _ = await scenarios.open_claims(
                world, count=count, warmup=0, concurrency=concurrency
            )
            # The claims' e-mails go out after the openings answered: count them too.
            await footprint.wait_idle(stack.pid("worker"))
            after = {name: cpu_seconds(group) for name, group in processes.items()}
            for process in spies.values():
                process.send_signal(signal.SIGINT)
                process.wait(30)
        await engine.dispose()
    print(run.summary())
    print("CPU ms per claim:", end="")
    for name in before:
        print(f"  {name} {(after[name] - before[name]) * 1000 / count:.0f}", end="")
    print()
    for name in spies:
        raw = out / f"{name}.raw"
        if raw.exists():
            print(f"\n{name}: share of busy samples (inclusive)")
            for share, frame in hottest(raw):
                print(f"  {share:5.1f} %  {frame[:120]}")


if __name__ == "__main__":
    numbers = [int(arg) for arg in sys.argv[1:] if not arg.startswith("--")]
    n = numbers[0] if numbers else 150
    c = numbers[1] if len(numbers) > 1 else 16
    folder = Path(tempfile.mkdtemp(prefix="claimdesk-profile-"))
    if "--keep" not in sys.argv:  # after PostgreSQL's handler
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
    try:
        asyncio.run(profile(n, c, folder))
    finally:
        if "--keep" in sys.argv:
            print(f"\nkept {folder} (the stack's logs are under stack/)")
        else:
            shutil.rmtree(folder, ignore_errors=True)
