"""`python -m bench.floor [N]`: what Temporal itself charges for each kind of operation.

On a fresh dev server (a SQLite file, the pragmas `claimdesk dev` uses) and an in-process
worker running empty workflows unsandboxed, it times N of each operation at concurrency 8
and divides the server's CPU by N: a bare start, a start whose workflow runs one activity
or one local activity, an update-with-start, and an update to a running workflow. A claim
is built from these, so they bound what tuning claimdesk can win (docs/bench/history.md).
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import psutil
from temporalio import activity, workflow
from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from bench.load import closed_loop, percentile
from bench.profile import cpu_seconds
from claimdesk.adapters.embedded import temporal_cli

QUEUE = "floor"
STEP = timedelta(seconds=10)


@activity.defn(name="floor_nothing")
async def nothing() -> None:
    return None


@workflow.defn(name="FloorWorkflow")
class FloorWorkflow:
    def __init__(self) -> None:
        self._ready = False
        self._stop = False

    @workflow.run
    async def run(self, kind: str) -> None:
        if kind == "activity":
            await workflow.execute_activity(nothing, start_to_close_timeout=STEP)
        elif kind == "local activity":
            await workflow.execute_local_activity(nothing, start_to_close_timeout=STEP)
        self._ready = True
        if kind == "wait":
            await workflow.wait_condition(lambda: self._stop)

    @workflow.update
    async def ready(self) -> None:
        await workflow.wait_condition(lambda: self._ready)

    @workflow.signal
    def stop(self) -> None:
        self._stop = True


Operation = Callable[[], Awaitable[object]]


def operations(client: Client, running: str) -> dict[str, Operation]:
    def start(kind: str) -> Operation:
        async def go() -> object:
            return await client.execute_workflow(
                FloorWorkflow.run, kind, id=f"floor-{uuid.uuid4()}", task_queue=QUEUE
            )

        return go

    async def update_with_start() -> object:
        operation = WithStartWorkflowOperation(
            FloorWorkflow.run,
            "empty",
            id=f"floor-{uuid.uuid4()}",
            task_queue=QUEUE,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
        )
        return await client.execute_update_with_start_workflow(
            FloorWorkflow.ready, start_workflow_operation=operation
        )

    async def bare_start() -> object:
        return await client.start_workflow(
            FloorWorkflow.run, "empty", id=f"floor-{uuid.uuid4()}", task_queue=QUEUE
        )

    async def update() -> object:
        return await client.get_workflow_handle(running).execute_update(FloorWorkflow.ready)

    return {
        "start_workflow (answered once stored)": bare_start,
        "start, run to the end (one workflow task)": start("empty"),
        "start, one activity, run to the end": start("activity"),
        "start, one local activity, run to the end": start("local activity"),
        "update-with-start (answered after the first task)": update_with_start,
        "update to a running workflow": update,
    }


async def measure(count: int, concurrency: int = 8) -> list[tuple[str, float, float]]:
    folder = Path(tempfile.mkdtemp(prefix="claimdesk-floor-"))
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(temporal_cli()),
        dev_server_extra_args=[
            "--db-filename",
            str(folder / "temporal.db"),
            "--sqlite-pragma",
            "journal_mode=wal",
            "--sqlite-pragma",
            "synchronous=normal",
            "--headless",
        ],
    )
    server = next(
        p for p in psutil.Process().children(recursive=True) if "start-dev" in " ".join(p.cmdline())
    )
    rows: list[tuple[str, float, float]] = []
    try:
        async with Worker(
            env.client,
            task_queue=QUEUE,
            workflows=[FloorWorkflow],
            activities=[nothing],
            workflow_runner=UnsandboxedWorkflowRunner(),
        ):
            running = f"floor-running-{uuid.uuid4()}"
            handle = await env.client.start_workflow(
                FloorWorkflow.run, "wait", id=running, task_queue=QUEUE
            )
            for name, operation in operations(env.client, running).items():

                async def once(_: int, operation: Operation = operation) -> None:
                    await operation()

                await closed_loop(name, once, count=0, warmup=concurrency, concurrency=concurrency)
                cpu = cpu_seconds([server])
                run = await closed_loop(name, once, count=count, warmup=0, concurrency=concurrency)
                if run.errors:
                    raise RuntimeError(f"{name}: {dict(run.errors)}")
                server_ms = (cpu_seconds([server]) - cpu) * 1000 / count
                rows.append((name, percentile(run.latencies_ms, 50), server_ms))
            await handle.signal(FloorWorkflow.stop)
    finally:
        await env.shutdown()
        shutil.rmtree(folder, ignore_errors=True)
    return rows


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    rows = asyncio.run(measure(count))
    print(f"{count} of each at concurrency 8 on a fresh Temporal dev server")
    print("| operation | p50 ms | Temporal CPU ms per operation |")
    print("|---|---|---|")
    for name, p50, server_ms in rows:
        print(f"| {name} | {p50:.1f} | {server_ms:.1f} |")


if __name__ == "__main__":
    main()
