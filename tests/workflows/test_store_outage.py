"""A store out of reach for longer than a local activity retries: the server takes over."""

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
from claimdesk.domain import Projection, Subject
from claimdesk.settings import Settings
from claimdesk.store.db import make_engine
from tests.mailbox import Mailbox
from tests.workflows.conftest import Claims, eventually
from worker import workflow_runner
from workflows.claim import LOCAL_STORE_RETRY, ClaimWorkflow


def _local_window() -> float:
    """Seconds a store write retries locally: the pauses between its attempts, added up."""
    policy = LOCAL_STORE_RETRY
    assert policy.maximum_interval is not None
    pause, total = policy.initial_interval.total_seconds(), 0.0
    for _ in range(policy.maximum_attempts - 1):
        total += pause
        pause = min(pause * policy.backoff_coefficient, policy.maximum_interval.total_seconds())
    return total


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nothing listens once the probe is closed


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


async def test_store_out_of_reach_past_the_local_window_goes_on_as_a_plain_activity(
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

            async def started() -> bool:
                return bool(claims.handles)

            await eventually(started, what="the claim's start")
            handle = claims.handles[0]

            async def handed_to_the_server() -> bool:
                history = await handle.fetch_history()
                return any(
                    e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
                    for e in history.events
                )

            window = _local_window()
            await eventually(handed_to_the_server, within=window + 20, what="the hand-over")
            assert not opening.done()  # the claim waits for its store
            local_attempts = store.attempts
            store.engine = engine  # the store comes back
            await asyncio.wait_for(opening, timeout=30)
            await claims.settle(handle)
            kinds = Counter(
                EventType.Name(e.event_type) for e in (await handle.fetch_history()).events
            )
            await claims.terminate_open_claims()
    finally:
        await nowhere.dispose()

    assert local_attempts > 1  # retried locally first, then handed over
    # The write that finally landed went through the task queue: one plain activity, and
    # the opening's e-mails in theirs.
    assert kinds["EVENT_TYPE_ACTIVITY_TASK_COMPLETED"] == 2, kinds
    # Kept alive while the write retried locally, the workflow task added three events
    # every 8 seconds or so; the server's retries since added none.
    assert kinds["EVENT_TYPE_WORKFLOW_TASK_COMPLETED"] <= 4 + window // 8 + 2, kinds
    async with engine.connect() as conn:
        version = (
            await conn.execute(
                text("SELECT version FROM claims WHERE reference = :r"), {"r": handle.id}
            )
        ).scalar_one()
    assert version == 1
