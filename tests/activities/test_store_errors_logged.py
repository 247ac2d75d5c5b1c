"""A store error in an activity, as the worker logs it: the statement, never its values."""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from datetime import timedelta

import psycopg
import pytest
from psycopg import sql
from temporalio import workflow
from temporalio.client import Client, WorkflowFailureError
from temporalio.common import RetryPolicy
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from activities.store import StoreActivities
from claimdesk.adapters.logs import JsonFormatter
from claimdesk.core.domain import Projection
from claimdesk.store.db import make_engine
from tests.support.codec import converter
from tests.support.samples import sample_claim

ADDRESS = "zelda.quixote@example.org"


@workflow.defn(sandboxed=False)
class RecordOnce:
    """Runs `record_claim` once, no retry: its failure is the activity's own."""

    @workflow.run
    async def run(self, projection: Projection) -> None:
        await workflow.execute_activity(
            "record_claim",
            projection,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=RetryPolicy(maximum_attempts=1),
        )


async def test_a_store_error_in_an_activity_is_logged_without_the_statements_parameters(
    temporal_env: WorkflowEnvironment, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The SDK logs a failed activity at WARNING with its exception (and the failure goes to
    Temporal): with the engine's hide_parameters, the claim row's values are not in it."""
    client = Client(
        temporal_env.client.service_client,
        namespace=temporal_env.client.namespace,
        data_converter=converter,
    )
    claim = replace(sample_claim(), customer_email=ADDRESS)
    queue = f"store-errors-{uuid.uuid4().hex[:8]}"
    # The claims table held by another transaction, and a short lock_timeout for the
    # worker's sessions: the upsert fails with an OperationalError (lock not available).
    with psycopg.connect(database_url) as holder:
        holder.execute(
            sql.SQL("ALTER DATABASE {} SET lock_timeout = '200ms'").format(
                sql.Identifier(holder.info.dbname)
            )
        )
        holder.commit()
        holder.execute("LOCK TABLE claims IN ACCESS EXCLUSIVE MODE")
        engine = make_engine(database_url, pool_size=1)
        try:
            async with Worker(
                client,
                task_queue=queue,
                workflows=[RecordOnce],
                activities=[StoreActivities(engine).record_claim],
                workflow_runner=UnsandboxedWorkflowRunner(),
            ):
                with caplog.at_level(logging.WARNING), pytest.raises(WorkflowFailureError):
                    await client.execute_workflow(
                        RecordOnce.run,
                        Projection(claim=claim, events=[]),
                        id=f"record-once-{queue}",
                        task_queue=queue,
                    )
        finally:
            await engine.dispose()
        holder.rollback()
    formatter = JsonFormatter()
    failed = [
        formatter.format(r)
        for r in caplog.records
        if r.name.startswith("temporalio.activity") and r.exc_info
    ]
    assert failed and "LockNotAvailable" in failed[0], failed
    assert not [line for line in failed if ADDRESS in line], failed
