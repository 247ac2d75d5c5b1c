"""The claimdesk worker: runs the claim workflows and their activities on the task queue."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client
from temporalio.runtime import Runtime
from temporalio.worker import UnsandboxedWorkflowRunner, Worker, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from activities.mail import MailActivities
from activities.store import StoreActivities
from claimdesk.adapters.embedded import database_url
from claimdesk.adapters.logs import warn_of_placeholders
from claimdesk.adapters.seal import SealCheck
from claimdesk.adapters.telemetry import worker_runtime
from claimdesk.adapters.temporal import connect
from claimdesk.core.settings import Settings, get_settings
from claimdesk.store.db import make_engine
from workflows.claim import ClaimWorkflow


def workflow_runner(settings: Settings) -> WorkflowRunner:
    """The sandbox guards workflow code against non-determinism at a price: it re-imports
    the workflow module for every claim. The test suite runs the workflow sandboxed (and
    replays recorded histories so); a worker in service runs it directly unless told not to.
    """
    if settings.workflow_sandbox:
        return SandboxedWorkflowRunner()
    return UnsandboxedWorkflowRunner()


def build_worker(client: Client, engine: AsyncEngine, settings: Settings) -> Worker:
    store = StoreActivities(engine)
    mail = MailActivities(engine, settings)
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[ClaimWorkflow],
        activities=[store.record_claim, store.record_strike, mail.send_mails],
        workflow_runner=workflow_runner(settings),
        # Acts only on starts and Updates the API sealed (raises without CLAIMDESK_SEAL_KEYS).
        interceptors=[SealCheck(settings.keyring())],
        # Lets an e-mail being sent finish on shutdown instead of being cut off and retried.
        graceful_shutdown_timeout=timedelta(seconds=10),
    )


async def run_worker(
    settings: Settings, stop: asyncio.Event | None = None, runtime: Runtime | None = None
) -> None:
    """Runs until `stop` is set (or forever), then finishes the tasks in hand.

    Its metrics are served on CLAIMDESK_WORKER_METRICS_HOST:PORT, by `runtime` if given.
    """
    settings.keyring()  # no seal keys, no worker: refused before anything starts
    runtime = runtime or worker_runtime(settings)
    warn_of_placeholders(settings, "worker")
    engine = make_engine(database_url(settings))
    try:
        client = await connect(settings, runtime=runtime)
        async with build_worker(client, engine, settings):
            await (stop or asyncio.Event()).wait()
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(run_worker(get_settings()))
