"""The claim workflow on the time-skipping server, with the real store and a real SMTP server."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from claimdesk.core import domain
from tests.support.workflows import DAY, Claims, eventually
from workflows.claim import ClaimWorkflow

HOUR = timedelta(hours=1)
CUSTOMER = domain.Actor(domain.Role.CUSTOMER, "ana@example.com")
MERCHANT = domain.Actor(domain.Role.MERCHANT, "M1")
OPERATOR = domain.Actor(domain.Role.OPERATOR, "key_op")


def refund(amount: str = "49.90") -> domain.MerchantResponse:
    return domain.MerchantResponse(
        MERCHANT,
        domain.MerchantAction.PROPOSE,
        proposal=domain.Proposal(domain.ProposalKind.REFUND, Decimal(amount)),
    )


def decision(outcome: domain.DecisionOutcome = domain.DecisionOutcome.REFUND) -> domain.Decision:
    return domain.Decision(OPERATOR, outcome, note="Refund granted.", amount=Decimal("49.90"))


async def test_opening_a_delivery_claim_stores_it_and_tells_everyone(claims: Claims) -> None:
    handle = await claims.open(domain.Subject.DELIVERY)
    row = await claims.row(handle.id)
    assert row["status"] == "open" and row["escalation_level"] == 1
    assert await claims.timeline(handle.id) == ["opened", "merchant_notified"]
    await eventually(lambda: _count(claims, handle.id, 3), what="three opening e-mails")
    assert Counter(claims.templates(handle.id)) == {
        "acknowledgement": 1,
        "new_claim_merchant": 1,
        "new_claim_operators": 1,
    }


async def test_silent_merchant_ends_at_level_3_breached_with_one_strike(claims: Claims) -> None:
    handle = await claims.open(domain.Subject.DELIVERY, merchant_id="M-SILENT")
    await claims.env.sleep(5 * DAY + HOUR)

    async def breached() -> bool:
        row = await claims.row(handle.id)
        return bool(row["sla_breached"]) and await claims.strikes("M-SILENT") == 1

    await eventually(breached, what="the breach and the strike")
    row = await claims.row(handle.id)
    assert row["escalation_level"] == 3 and row["status"] == "open"
    expected = {
        "acknowledgement": 1,
        "new_claim_merchant": 1,
        "new_claim_operators": 1,
        "escalated": 2,
        "merchant_reminder": 1,
        "sla_breached": 1,
        "merchant_strike": 1,
        "findings_overdue": 1,  # edition 2: nobody gave the investigation's findings in 48 h
    }
    await eventually(lambda: _count(claims, handle.id, sum(expected.values())), what="e-mails")
    assert Counter(claims.templates(handle.id)) == expected
    kinds = await claims.timeline(handle.id)
    assert kinds.count("escalated") == 2 and "merchant_strike" in kinds


@pytest.mark.parametrize(
    ("elapsed", "level", "breached"),
    [(23 * HOUR, 1, False), (25 * HOUR, 2, False), (49 * HOUR, 3, False), (5 * DAY, 3, True)],
)
async def test_payment_claim_climbs_the_ladder_on_time(
    claims: Claims, elapsed: timedelta, level: int, breached: bool
) -> None:
    handle = await claims.open(domain.Subject.PAYMENT)
    await claims.env.sleep(elapsed)
    view = await handle.query(ClaimWorkflow.view)
    assert (view.escalation_level, view.sla_breached) == (level, breached)
    await eventually(
        lambda: _row_is(claims, handle.id, escalation_level=level, sla_breached=breached)
    )
    assert "merchant_reminder" not in claims.templates(handle.id)


async def test_merchant_who_acknowledges_gets_no_reminder_and_no_strike(claims: Claims) -> None:
    handle = await claims.open(domain.Subject.DELIVERY, merchant_id="M-OK")
    ack = domain.MerchantResponse(
        MERCHANT, domain.MerchantAction.ACKNOWLEDGE, message="Looking into it."
    )
    view = await handle.execute_update(ClaimWorkflow.submit_merchant_response, ack)
    assert view.allowed_actions["merchant"] == ["message", "merchant_response"]
    await claims.env.sleep(5 * DAY + HOUR)
    view = await handle.query(ClaimWorkflow.view)
    assert view.escalation_level == 3 and view.sla_breached
    assert await claims.strikes("M-OK") == 0
    assert "merchant_reminder" not in claims.templates(handle.id)


async def test_the_retired_merchant_response_signal_changes_nothing(claims: Claims) -> None:
    """It carried no seal: a way around the API (histories from before replay it as taken,
    tests/workflows/test_replay.py)."""
    handle = await claims.open(domain.Subject.DELIVERY)
    before = await claims.row(handle.id)
    await handle.signal(ClaimWorkflow.merchant_response, refund("30.00"))
    await handle.execute_update(ClaimWorkflow.opened)  # the signal's task has run since
    view = await handle.query(ClaimWorkflow.view)
    assert view.proposal is None and view.version == before["version"]
    assert await claims.row(handle.id) == before


async def test_accepted_proposal_then_satisfaction_closes_the_claim_with_its_report(
    claims: Claims,
) -> None:
    handle = await claims.open(domain.Subject.DELIVERY)
    view = await handle.execute_update(ClaimWorkflow.submit_merchant_response, refund())
    assert view.status is domain.Status.AWAITING_CUSTOMER
    stored = await claims.row(handle.id)  # the update answers once the store shows the change
    assert stored["version"] == view.version and stored["status"] == "awaiting_customer"
    view = await handle.execute_update(
        ClaimWorkflow.accept_proposal, domain.ProposalAnswer(CUSTOMER)
    )
    assert view.status is domain.Status.RESOLVED and view.outcome is not None
    assert view.allowed_actions["customer"] == ["message", "close", "withdraw", "satisfaction"]
    view = await handle.execute_update(
        ClaimWorkflow.confirm_satisfaction, domain.SatisfactionAnswer(CUSTOMER, True, "Thanks")
    )
    assert view.closed_reason is domain.ClosedReason.BY_CUSTOMER
    result = await handle.result()
    assert result.status is domain.Status.CLOSED
    assert (await claims.row(handle.id))["status"] == "closed"
    closing = await claims.mail(handle.id, "closed")
    assert "49.90" in closing[0].get_content()


async def test_refused_update_changes_nothing_and_says_why(claims: Claims) -> None:
    handle = await claims.open(domain.Subject.PAYMENT)
    before = await handle.query(ClaimWorkflow.view)
    with pytest.raises(WorkflowUpdateFailedError) as failure:
        await handle.execute_update(ClaimWorkflow.submit_merchant_response, refund())
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == "ActionRefused"
    assert "payment" in cause.message
    assert await handle.query(ClaimWorkflow.view) == before


async def test_rejected_proposal_escalates_and_operator_decision_resolves(claims: Claims) -> None:
    handle = await claims.open(domain.Subject.DELIVERY)
    await handle.execute_update(ClaimWorkflow.submit_merchant_response, refund("10.00"))
    view = await handle.execute_update(
        ClaimWorkflow.reject_proposal, domain.ProposalAnswer(CUSTOMER, "Not enough.")
    )
    assert view.escalation_level == 2 and view.status is domain.Status.OPEN
    view = await handle.execute_update(ClaimWorkflow.decide, decision())
    assert view.status is domain.Status.RESOLVED and view.outcome is not None
    assert view.outcome.decided_by is domain.Role.OPERATOR
    # Edition 2: the platform closes only in agreement with the customer.
    with pytest.raises(WorkflowUpdateFailedError) as failure:
        await handle.execute_update(ClaimWorkflow.close, domain.CloseRequest(OPERATOR, "Refunded."))
    assert "agreement with the customer" in str(failure.value.cause)
    view = await handle.execute_update(
        ClaimWorkflow.confirm_satisfaction, domain.SatisfactionAnswer(CUSTOMER, True)
    )
    assert view.closed_reason is domain.ClosedReason.BY_CUSTOMER


async def test_messages_and_info_requests_move_the_claim_between_parties(claims: Claims) -> None:
    handle = await claims.open(domain.Subject.PAYMENT)
    view = await handle.execute_update(
        ClaimWorkflow.request_info, domain.InfoRequest(OPERATOR, "Your bank statement, please.")
    )
    assert view.status is domain.Status.AWAITING_CUSTOMER
    view = await handle.execute_update(
        ClaimWorkflow.post_message, domain.PostMessage(CUSTOMER, "Here it is.")
    )
    assert view.status is domain.Status.OPEN
    assert await claims.timeline(handle.id) == ["opened", "routed", "info_requested", "message"]


async def test_unanswered_satisfaction_request_closes_after_seven_days(claims: Claims) -> None:
    handle = await claims.open(domain.Subject.PAYMENT)
    await handle.execute_update(ClaimWorkflow.decide, decision())
    result = await handle.result()  # time skips while the test waits for the result
    assert result.closed_reason is domain.ClosedReason.BY_PLATFORM
    assert result.resolved_at is not None
    assert result.closed_at == result.resolved_at + 7 * DAY


async def test_unsatisfied_customer_is_reopened_then_referred_to_mediation(claims: Claims) -> None:
    handle = await claims.open(domain.Subject.PAYMENT)
    unsatisfied = domain.SatisfactionAnswer(CUSTOMER, False, "Still charged twice.")
    for level in (2, 3):
        await handle.execute_update(ClaimWorkflow.decide, decision())
        view = await handle.execute_update(ClaimWorkflow.confirm_satisfaction, unsatisfied)
        assert view.status is domain.Status.OPEN and view.escalation_level == level
    await handle.execute_update(ClaimWorkflow.decide, decision(domain.DecisionOutcome.REJECTED))
    view = await handle.execute_update(ClaimWorkflow.confirm_satisfaction, unsatisfied)
    assert view.closed_reason is domain.ClosedReason.REFERRED_TO_MEDIATION
    mediation = await claims.mail(handle.id, "mediation")
    assert "ODR" not in mediation[0].get_content()


@pytest.mark.parametrize(
    ("update", "reason"),
    [("close", domain.ClosedReason.BY_CUSTOMER), ("withdraw", domain.ClosedReason.WITHDRAWN)],
)
async def test_customer_closes_or_withdraws(
    claims: Claims, update: str, reason: domain.ClosedReason
) -> None:
    handle = await claims.open(domain.Subject.DELIVERY)
    view = await handle.execute_update(
        getattr(ClaimWorkflow, update), domain.CloseRequest(CUSTOMER)
    )
    assert view.closed_reason is reason
    assert (await handle.result()).status is domain.Status.CLOSED


async def test_claim_closes_after_120_days_without_communication(claims: Claims) -> None:
    handle = await claims.open(domain.Subject.DELIVERY, bought_days_ago=1)
    result = await handle.result()
    assert result.closed_reason is domain.ClosedReason.INACTIVITY
    assert result.closed_at == result.opened_at + 120 * DAY


async def test_claim_closes_180_days_after_the_transaction(claims: Claims) -> None:
    handle = await claims.open(domain.Subject.DELIVERY, bought_days_ago=100)
    # Edition 2: the filing is a request; the horizon waits until a party answered it.
    await handle.execute_update(
        ClaimWorkflow.post_message, domain.PostMessage(MERCHANT, "Shipped.")
    )
    result = await handle.result()
    assert result.closed_reason is domain.ClosedReason.TRANSACTION_HORIZON
    assert result.closed_at == result.transaction_occurred_at + 180 * DAY


async def test_transaction_horizon_waits_for_an_answer_owed_to_the_customer(
    claims: Claims,
) -> None:
    handle = await claims.open(domain.Subject.DELIVERY, bought_days_ago=170)
    await handle.execute_update(ClaimWorkflow.post_message, domain.PostMessage(CUSTOMER, "News?"))
    await claims.env.sleep(20 * DAY)
    assert (await handle.query(ClaimWorkflow.view)).status is not domain.Status.CLOSED
    await handle.execute_update(
        ClaimWorkflow.post_message, domain.PostMessage(MERCHANT, "Shipped.")
    )
    assert (await handle.result()).closed_reason is domain.ClosedReason.TRANSACTION_HORIZON


async def _count(claims: Claims, reference: str, expected: int) -> bool:
    return len(claims.templates(reference)) >= expected


async def _row_is(claims: Claims, reference: str, **expected: object) -> bool:
    row = await claims.row(reference)
    return all(row[key] == value for key, value in expected.items())


async def test_mail_refused_for_good_is_recorded_and_the_claim_goes_on(claims: Claims) -> None:
    claims.mailbox.reject_for_good("ana@example.com")
    handle = await claims.open(domain.Subject.DELIVERY)

    async def recorded() -> bool:
        return "mail_undeliverable" in await claims.timeline(handle.id)

    await eventually(recorded, what="the undeliverable e-mail on the timeline")
    assert Counter(claims.templates(handle.id)) == {
        "new_claim_merchant": 1,
        "new_claim_operators": 1,
    }
    view = await handle.execute_update(ClaimWorkflow.withdraw, domain.CloseRequest(CUSTOMER))
    assert view.closed_reason is domain.ClosedReason.WITHDRAWN
    assert (await handle.result()).status is domain.Status.CLOSED  # no mail retried forever
