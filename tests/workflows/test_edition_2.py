"""The rules of edition 2 (issue 12) through the workflow, on the time-skipping server."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from claimdesk.core import domain
from tests.support.workflows import DAY, Claims, eventually
from workflows.claim import ClaimWorkflow

HOUR = timedelta(hours=1)


async def test_merchant_who_only_writes_messages_gets_no_reminder_and_no_strike(
    claims: Claims,
) -> None:
    handle = await claims.open(domain.Subject.DELIVERY, merchant_id="M-WRITES")
    message = domain.PostMessage(
        domain.Actor(domain.Role.MERCHANT, "M-WRITES"), "We are looking into it."
    )
    await handle.execute_update(ClaimWorkflow.post_message, message)
    await claims.env.sleep(5 * DAY + HOUR)
    view = await handle.query(ClaimWorkflow.view)
    assert view.escalation_level == 3 and view.sla_breached
    assert await claims.strikes("M-WRITES") == 0
    assert "merchant_reminder" not in claims.templates(handle.id)


async def test_claim_filed_on_day_179_and_a_half_gets_its_merchant_deadline_and_ladder(
    claims: Claims,
) -> None:
    handle = await claims.open(domain.Subject.DELIVERY, bought_days_ago=179.5)
    await claims.env.sleep(24 * HOUR + HOUR)
    view = await handle.query(ClaimWorkflow.view)
    assert view.status is domain.Status.OPEN and view.escalation_level == 2
    await eventually(lambda: _reminded(claims, handle.id), what="the merchant's reminder")
    message = domain.PostMessage(domain.Actor(domain.Role.MERCHANT, "M1"), "Refunded today.")
    await handle.execute_update(ClaimWorkflow.post_message, message)
    result = await handle.result()
    assert result.closed_reason is domain.ClosedReason.TRANSACTION_HORIZON
    assert result.closed_at == result.opened_at + 5 * DAY  # once its ladder has run


async def _reminded(claims: Claims, reference: str) -> bool:
    return "merchant_reminder" in claims.templates(reference)


async def test_operator_closes_an_accepted_proposal_with_the_agreement_on_the_timeline(
    claims: Claims,
) -> None:
    handle = await claims.open(domain.Subject.DELIVERY)
    replacement = domain.MerchantResponse(
        domain.Actor(domain.Role.MERCHANT, "M1"),
        domain.MerchantAction.PROPOSE,
        proposal=domain.Proposal(domain.ProposalKind.REPLACEMENT),
    )
    await handle.execute_update(ClaimWorkflow.submit_merchant_response, replacement)
    customer = domain.Actor(domain.Role.CUSTOMER, "ana@example.com")
    await handle.execute_update(ClaimWorkflow.accept_proposal, domain.ProposalAnswer(customer))
    operator = domain.Actor(domain.Role.OPERATOR, "key_op")
    view = await handle.execute_update(ClaimWorkflow.close, domain.CloseRequest(operator, "Sent."))
    assert view.closed_reason is domain.ClosedReason.BY_PLATFORM
    assert await claims.timeline(handle.id) == [
        "opened",
        "merchant_notified",
        "proposal_made",
        "proposal_accepted",
        "resolved",
        "closed",
    ]
    async with claims.engine.connect() as conn:
        closing = await conn.execute(
            text("SELECT details FROM claim_events WHERE reference = :r AND kind = 'closed'"),
            {"r": handle.id},
        )
        assert closing.scalar_one()["agreement"] == "proposal_accepted"
