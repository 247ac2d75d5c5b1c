"""What the workflow tests share: claims opened on the time-skipping server, and asking them."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from claimdesk.core.domain import (
    Category,
    ClaimInput,
    ClaimView,
    Contact,
    Locale,
    Policy,
    Standing,
    Subject,
    TransactionRef,
)
from claimdesk.core.settings import Settings
from claimdesk.store.db import unit_of_work
from claimdesk.store.merchants import upsert_merchant
from tests.support.mailbox import Mailbox
from workflows.claim import HANDING_OVER, ClaimWorkflow

DAY = timedelta(days=1)
MERCHANT_EMAIL = "shop@example.com"
POLICY = Settings().policy  # the default policy: 24 h, 48 h, 5 days, 120 and 180 days


@dataclass
class Claims:
    """Opens claims on a fresh task queue served by a worker with the real activities."""

    env: WorkflowEnvironment
    engine: AsyncEngine
    mailbox: Mailbox
    task_queue: str
    handles: list[WorkflowHandle[ClaimWorkflow, ClaimView]] = field(default_factory=list)

    async def open(
        self,
        subject: Subject = Subject.DELIVERY,
        bought_days_ago: float = 3,
        merchant_id: str = "M1",
        policy: Policy = POLICY,
        merchant_email: str | None = MERCHANT_EMAIL,
        merchant_standing: Standing = Standing.ACTIVE,
    ) -> WorkflowHandle[ClaimWorkflow, ClaimView]:
        """A claim as the API opens it, on a merchant with `merchant_email` on file (None:
        a placeholder merchant without an address) and `merchant_standing` at filing."""
        now = await self.env.get_current_time()
        async with unit_of_work(self.engine) as session:
            await upsert_merchant(
                session=session, merchant_id=merchant_id, name="Shop", email=merchant_email, at=now
            )
        reference = f"CLM-{uuid.uuid4().hex[:4].upper()}-{uuid.uuid4().hex[:4].upper()}"
        category = Category.NOT_RECEIVED if subject is Subject.DELIVERY else Category.UNAUTHORIZED
        claim = ClaimInput(
            reference=reference,
            transaction=TransactionRef(
                id=f"T-{reference}",
                merchant_id=merchant_id,
                amount=Decimal("49.90"),
                currency="EUR",
                occurred_at=now - bought_days_ago * DAY,
            ),
            subject=subject,
            category=category,
            description="Ordered a lamp; nothing arrived.",
            contact=Contact(name="Ana Lima", email="ana@example.com"),
            locale=Locale.EN,
            opened_at=now,
            policy=policy,
            merchant_standing=merchant_standing,
        )
        handle = await self.env.client.start_workflow(
            ClaimWorkflow.run, claim, id=reference, task_queue=self.task_queue
        )
        self.handles.append(handle)
        await handle.execute_update(ClaimWorkflow.opened)
        return handle

    async def settle(self, handle: WorkflowHandle[ClaimWorkflow, ClaimView]) -> None:
        """Waits until the claim has no activity pending (its e-mails sent, say)."""

        async def settled() -> bool:
            # Raw: the test server returns Datetime search attributes the SDK can't parse.
            description = await self.env.client.workflow_service.describe_workflow_execution(
                DescribeWorkflowExecutionRequest(
                    namespace=self.env.client.namespace,
                    execution=WorkflowExecution(workflow_id=handle.id),
                )
            )
            return not description.pending_activities

        await eventually(settled, what=f"{handle.id}'s activities to finish")

    async def terminate_open_claims(self) -> None:
        """Ends what a test left running: its timers would fire later with no worker to
        serve them, and the time-skipping server does not skip while work is pending."""
        for handle in self.handles:
            # An activity cut off by the worker's shutdown would hold time for its timeout.
            await self.settle(handle)
            with contextlib.suppress(RPCError):
                await handle.terminate("test finished")
        if os.environ.get("CLAIMDESK_RECORD_HISTORIES"):
            await self.record_histories(Path(os.environ["CLAIMDESK_RECORD_HISTORIES"]))

    async def record_histories(self, folder: Path) -> None:
        """Keeps every run of this test's claims under `folder` for the replay test."""
        await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
        test = os.environ["PYTEST_CURRENT_TEST"].split(" ")[0].split("::")[-1]
        name = re.sub(r"[^A-Za-z0-9_]+", "-", test).strip("-")
        for number, handle in enumerate(self.handles, start=1):
            run_id: str | None = handle.first_execution_run_id
            run = 1
            while run_id:
                history = await self.env.client.get_workflow_handle(
                    handle.id, run_id=run_id
                ).fetch_history()
                path = folder / f"{name}-{number}-run{run}.json"
                path.write_text(json.dumps(json.loads(history.to_json()), indent=1) + "\n")
                last = history.events[-1]
                attributes = last.workflow_execution_continued_as_new_event_attributes
                run_id = attributes.new_execution_run_id or None
                run += 1

    async def row(self, reference: str) -> dict[str, Any]:
        async with self.engine.connect() as conn:
            result = await conn.execute(
                text("SELECT * FROM claims WHERE reference = :r"), {"r": reference}
            )
            return dict(result.mappings().one())

    async def timeline(self, reference: str) -> list[str]:
        async with self.engine.connect() as conn:
            result = await conn.execute(
                text("SELECT kind FROM claim_events WHERE reference = :r ORDER BY seq"),
                {"r": reference},
            )
            return list(result.scalars())

    async def strikes(self, merchant_id: str) -> int:
        async with self.engine.connect() as conn:
            result = await conn.execute(
                text("SELECT strikes FROM merchants WHERE id = :m"), {"m": merchant_id}
            )
            return int(result.scalar_one_or_none() or 0)

    async def mail(self, reference: str, template: str, count: int = 1) -> list[EmailMessage]:
        """The e-mails of one template for a claim, once `count` of them arrived."""

        def found() -> list[EmailMessage]:
            return [
                m
                for m in self.mailbox.messages
                if str(m["X-Claimdesk-Reference"]) == reference
                and str(m["X-Claimdesk-Template"]) == template
            ]

        async def arrived() -> bool:
            return len(found()) >= count

        await eventually(arrived, what=f"{count} {template} e-mail(s)")
        return found()

    def templates(self, reference: str) -> list[str]:
        """The templates of the e-mails received for a claim, in arrival order."""
        return [
            str(m["X-Claimdesk-Template"])
            for m in self.mailbox.messages
            if str(m["X-Claimdesk-Reference"]) == reference
        ]


async def ask(
    handle: WorkflowHandle[ClaimWorkflow, ClaimView],
    update: Callable[[ClaimWorkflow, Any], Awaitable[ClaimView]],
    message: Any,
    *,
    update_id: str | None = None,
) -> ClaimView:
    """An Update as the API sends it: asked again while the claim hands over to a new run,
    under one Update id."""
    update_id = update_id or str(uuid.uuid4())
    while True:
        try:
            return await handle.execute_update(update, message, id=update_id)
        except WorkflowUpdateFailedError as error:
            cause = error.cause
            if not (isinstance(cause, ApplicationError) and cause.type == HANDING_OVER):
                raise
        await asyncio.sleep(0.05)


async def eventually(
    check: Callable[[], Awaitable[bool]], within: float = 15.0, what: str = "condition"
) -> None:
    """Waits (in real time) for work the workflow does after the test's last move."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + within
    while not await check():
        if loop.time() > give_up:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def at(moment: datetime) -> str:
    return moment.isoformat()
