"""The ceiling's workflow: does nothing, so its start costs only what Temporal itself costs.

`python -m bench.noop ADDRESS TASK_QUEUE` runs a worker for it in its own process.
"""

from __future__ import annotations

import asyncio
import signal
import sys

from temporalio import workflow
from temporalio.client import Client
from temporalio.worker import Worker

from claimdesk.core.settings import get_settings
from worker import workflow_runner


@workflow.defn(name="NoopWorkflow")
class NoopWorkflow:
    @workflow.run
    async def run(self) -> None:
        return None


async def serve(address: str, task_queue: str) -> None:
    client = await Client.connect(address)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=[NoopWorkflow],
        # The claim worker's runner (CLAIMDESK_WORKFLOW_SANDBOX): the ceiling pays what it pays.
        workflow_runner=workflow_runner(get_settings()),
    ):
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(serve(sys.argv[1], sys.argv[2]))
