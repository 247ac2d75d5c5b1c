"""A claim with thousands of messages hands its history over to fresh runs and keeps working."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from sqlalchemy import text
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from claimdesk.domain import CloseRequest, PostMessage, Status, Subject
from tests.workflows.conftest import POLICY, Claims
from tests.workflows.test_claim_workflow import CUSTOMER, MERCHANT
from workflows.claim import HANDING_OVER, ClaimWorkflow

MESSAGES = 2000
EVENTS_PER_RUN = 1000  # low, so the test sees many hand-overs; production's is 5000


@pytest.mark.timeout(600)  # about two minutes on an idle 2-core machine
async def test_claim_with_thousands_of_messages_continues_as_new_and_loses_nothing(
    claims: Claims,
) -> None:
    handle = await claims.open(
        Subject.DELIVERY, policy=replace(POLICY, history_events_per_run=EVENTS_PER_RUN)
    )
    first_run = (await handle.describe()).run_id
    gate = asyncio.Semaphore(16)
    handovers: list[int] = []

    async def post(i: int) -> None:
        actor = CUSTOMER if i % 2 else MERCHANT
        async with gate:
            while True:  # as the API does: a claim handing over turns actions away briefly
                try:
                    await handle.execute_update(
                        ClaimWorkflow.post_message, PostMessage(actor, f"note {i}")
                    )
                    return
                except WorkflowUpdateFailedError as error:
                    assert isinstance(error.cause, ApplicationError)
                    assert error.cause.type == HANDING_OVER
                    handovers.append(i)
                await asyncio.sleep(0.05)

    await asyncio.gather(*(post(i) for i in range(MESSAGES)))

    view = await handle.query(ClaimWorkflow.view)
    assert view.status is Status.OPEN
    latest = await claims.env.client.get_workflow_handle(handle.id).describe()
    assert latest.run_id != first_run
    old = await claims.env.client.get_workflow_handle(handle.id, run_id=first_run).fetch_history()
    assert old.events[-1].event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
    assert len(old.events) < EVENTS_PER_RUN * 1.5
    assert handovers  # some actions were turned away for a moment, and made it on retry

    closing = await claims.env.client.get_workflow_handle(handle.id).execute_update(
        ClaimWorkflow.close, CloseRequest(CUSTOMER)
    )
    assert closing.status is Status.CLOSED
    async with claims.engine.connect() as conn:
        seqs = list(
            (
                await conn.execute(
                    text("SELECT seq FROM claim_events WHERE reference = :r ORDER BY seq"),
                    {"r": handle.id},
                )
            ).scalars()
        )
        assert seqs == list(range(1, len(seqs) + 1))  # no gap, no repeat across runs
        messages = (
            await conn.execute(
                text("SELECT count(*) FROM claim_events WHERE reference = :r AND kind = 'message'"),
                {"r": handle.id},
            )
        ).scalar_one()
        assert messages == MESSAGES
    await claims.mail(handle.id, "message", count=MESSAGES)
    await claims.mail(handle.id, "closed")
    keys = [
        str(m["Message-ID"])
        for m in claims.mailbox.messages
        if str(m["X-Claimdesk-Reference"]) == handle.id
    ]
    assert len(keys) == len(set(keys))  # every e-mail once
