"""The rules of edition 2 (issue 12) through the workflow, on the time-skipping server."""

from __future__ import annotations

from datetime import timedelta

from claimdesk.core.domain import Actor, PostMessage, Role, Subject
from tests.support.workflows import DAY, Claims
from workflows.claim import ClaimWorkflow

HOUR = timedelta(hours=1)


async def test_merchant_who_only_writes_messages_gets_no_reminder_and_no_strike(
    claims: Claims,
) -> None:
    handle = await claims.open(Subject.DELIVERY, merchant_id="M-WRITES")
    message = PostMessage(Actor(Role.MERCHANT, "M-WRITES"), "We are looking into it.")
    await handle.execute_update(ClaimWorkflow.post_message, message)
    await claims.env.sleep(5 * DAY + HOUR)
    view = await handle.query(ClaimWorkflow.view)
    assert view.escalation_level == 3 and view.sla_breached
    assert await claims.strikes("M-WRITES") == 0
    assert "merchant_reminder" not in claims.templates(handle.id)
