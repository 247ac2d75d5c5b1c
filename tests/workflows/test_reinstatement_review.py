"""Review of edition 3 through the workflow (time-skipping server, real SMTP sink,
PostgreSQL): a claim given back late sends its merchant a reminder whose deadline has
already passed."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import text

from claimdesk.core.domain import MerchantReinstated, MerchantTerminated, Subject
from tests.support.workflows import POLICY, Claims, ask, eventually
from workflows.claim import ClaimWorkflow

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


async def test_a_claim_given_back_late_never_reminds_its_merchant_of_a_deadline_gone(
    claims: Claims,
) -> None:
    # Level 3 late (as the change's own breach test sets it), so the claim can still come
    # back to its merchant a day before its resolution target.
    policy = replace(POLICY, level3_after=4 * DAY + 18 * HOUR)
    handle = await claims.open(Subject.DELIVERY, policy=policy)
    await ask(handle, ClaimWorkflow.merchant_terminated, MerchantTerminated("M1"))
    await claims.env.sleep(4 * DAY + 12 * HOUR)
    view = await ask(handle, ClaimWorkflow.merchant_reinstated, MerchantReinstated("M1"))
    assert view.escalation_level == 1
    await claims.env.sleep(DAY + HOUR)  # the merchant's new 24 hours pass in silence

    async def reminded() -> bool:
        return "merchant_reminded" in await claims.timeline(handle.id)

    await eventually(reminded, what="the silent merchant reminded at its new deadline")
    async with claims.engine.connect() as conn:
        at, details = (
            await conn.execute(
                text(
                    "SELECT at, details FROM claim_events "
                    "WHERE reference = :r AND kind = 'merchant_reminded'"
                ),
                {"r": handle.id},
            )
        ).one()
    respond_by = datetime.fromisoformat(details["respond_by"])
    [mail] = await claims.mail(handle.id, "merchant_reminder")
    assert respond_by > at, (
        f"reminded at {at} to respond by {respond_by}; e-mail says:\n{mail.get_content()}"
    )
