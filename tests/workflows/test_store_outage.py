"""A store out of reach for a while: the server retries the write, the history stays put."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections import Counter

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.mail import MailActivities
from activities.store import StoreActivities
from claimdesk.core.domain import Projection, Subject
from claimdesk.core.settings import Settings
from claimdesk.store.db import make_engine
from tests.support.mailbox import Mailbox
from tests.support.workflows import Claims, eventually
from worker import workflow_runner
from workflows.claim import ClaimWorkflow


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nothing listens once the probe is closed


OUTAGE_ATTEMPTS = 4


class MovingStore:
    """The real store activity, on a PostgreSQL address where nothing answers until
    `reachable` points it at the real one."""

    def __init__(self, unreachable: AsyncEngine) -> None:
        self.engine = unreachable
        self.attempts = 0

    @activity.defn(name="record_claim")
    async def record_claim(self, projection: Projection) -> None:
        self.attempts += 1
        await StoreActivities(self.engine).record_claim(projection)


async def test_store_out_of_reach_is_retried_by_the_server_without_growing_history(
    time_env: WorkflowEnvironment, engine: AsyncEngine, mailbox: Mailbox, database_url: str
) -> None:
    task_queue = f"outage-{uuid.uuid4().hex[:8]}"
    settings = Settings(database_url=database_url, smtp_host="127.0.0.1", smtp_port=mailbox.port)
    nowhere = make_engine(f"postgresql://claimdesk@127.0.0.1:{_closed_port()}/claimdesk")
    store = MovingStore(nowhere)
    mail = MailActivities(engine, settings)
    worker = Worker(
        time_env.client,
        task_queue=task_queue,
        workflows=[ClaimWorkflow],
        activities=[store.record_claim, mail.send_mails],
        workflow_runner=workflow_runner(settings),
    )
    claims = Claims(time_env, engine, mailbox, task_queue)
    try:
        async with worker:
            opening = asyncio.create_task(claims.open(Subject.DELIVERY))

            async def retried() -> bool:
                return store.attempts >= OUTAGE_ATTEMPTS

            await eventually(retried, within=60, what="the store write's retries")
            assert not opening.done()  # the claim waits for its store
            handle = claims.handles[0]
            store.engine = engine  # the store comes back
            await asyncio.wait_for(opening, timeout=60)
            await claims.settle(handle)
            kinds = Counter(
                EventType.Name(e.event_type) for e in (await handle.fetch_history()).events
            )
            await claims.terminate_open_claims()
    finally:
        await nowhere.dispose()

    # The server retried the write as one activity: its attempts left no trace in the
    # history but the attempt count of the one that finally landed.
    assert kinds["EVENT_TYPE_ACTIVITY_TASK_SCHEDULED"] == 2, kinds  # the write, the e-mails
    assert kinds["EVENT_TYPE_ACTIVITY_TASK_COMPLETED"] == 2, kinds
    assert kinds["EVENT_TYPE_MARKER_RECORDED"] == 1, kinds  # the patch marker alone
    # Whatever the attempts: the start, the write, the answer, the e-mails, the timer.
    assert kinds["EVENT_TYPE_WORKFLOW_TASK_COMPLETED"] <= 6, kinds
    async with engine.connect() as conn:
        version = (
            await conn.execute(
                text("SELECT version FROM claims WHERE reference = :r"), {"r": handle.id}
            )
        ).scalar_one()
    assert version == 1
