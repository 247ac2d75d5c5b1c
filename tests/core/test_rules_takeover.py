"""Edition 2: the platform takes a claim over from a restricted, terminated or unreachable
merchant (issue 12, items 6 and 7); edition-1 claims go on as before."""

from __future__ import annotations

from dataclasses import replace

import pytest

from claimdesk.core import domain
from claimdesk.core.rules import ClaimState, Refused
from tests.support.claims import CUSTOMER, DAY, HOUR, MERCHANT, OPENED, POLICY, claim_input


def filed(
    subject: domain.Subject = domain.Subject.DELIVERY,
    *,
    standing: domain.Standing = domain.Standing.ACTIVE,
    edition: int = 2,
) -> domain.ClaimInput:
    policy = replace(POLICY, edition=edition)
    return replace(claim_input(subject), policy=policy, merchant_standing=standing)


def mails(step: object) -> list[tuple[domain.Template, domain.Recipient]]:
    return [(m.template, m.recipient) for m in step.mails]  # type: ignore[attr-defined]


# ---- restricted (or terminated) at filing ----


# A terminated merchant is not sent the claim: tests/core/test_takeover_gaps.py.
@pytest.mark.parametrize("standing", [domain.Standing.RESTRICTED])
def test_restricted_merchants_delivery_claim_opens_at_level_2_merchant_still_informed(
    standing: domain.Standing,
) -> None:
    state, opening = ClaimState.open(filed(standing=standing))
    assert state.level == 2
    kinds = [e.kind for e in opening.events]
    assert kinds == [
        domain.EventKind.OPENED,
        domain.EventKind.MERCHANT_NOTIFIED,
        domain.EventKind.ESCALATED,
    ]
    assert opening.events[-1].details == {
        "level": "2",
        "team": "resolution",
        "cause": "opened_with_platform",
        "findings_by": "2026-11-23T14:00:00+00:00",  # the investigation owes findings
    }
    assert mails(opening) == [
        (domain.Template.ACKNOWLEDGEMENT, domain.Recipient.CUSTOMER),
        (domain.Template.NEW_CLAIM_MERCHANT, domain.Recipient.MERCHANT),
        (domain.Template.NEW_CLAIM_OPERATORS, domain.Recipient.OPERATORS),
    ]
    assert opening.mails[-1].details == {"queue": "resolution"}
    # The merchant is still a party and may answer; the operators decide.
    assert domain.Action.MERCHANT_RESPONSE in state.allowed_actions(domain.Role.MERCHANT)
    assert domain.Action.DECISION in state.allowed_actions(domain.Role.OPERATOR)
    answer = domain.MerchantResponse(MERCHANT, domain.MerchantAction.ACKNOWLEDGE, "On it.")
    state.act(domain.Action.MERCHANT_RESPONSE, answer, OPENED + HOUR)
    assert state.merchant_answered


def test_restricted_merchants_payment_claim_opens_at_level_2_with_the_resolution_team() -> None:
    state, opening = ClaimState.open(
        filed(domain.Subject.PAYMENT, standing=domain.Standing.RESTRICTED)
    )
    assert state.level == 2
    assert [e.kind for e in opening.events] == [domain.EventKind.OPENED, domain.EventKind.ESCALATED]
    assert mails(opening)[-1] == (domain.Template.NEW_CLAIM_OPERATORS, domain.Recipient.OPERATORS)
    assert opening.mails[-1].details == {"queue": "resolution"}


def test_restricted_merchants_claim_at_level_2_is_not_escalated_again_at_24h() -> None:
    state, _ = ClaimState.open(filed(standing=domain.Standing.RESTRICTED))
    step = state.advance(OPENED + DAY)
    # Neither escalated again nor reminded: the platform handles the claim.
    assert [e.kind for e in step.events] == []
    assert state.level == 2
    state.advance(OPENED + 2 * DAY)
    assert state.level == 3  # the ladder goes on


def test_under_edition_1_a_restricted_merchants_claim_opens_at_level_1_as_before() -> None:
    state, opening = ClaimState.open(filed(standing=domain.Standing.RESTRICTED, edition=1))
    assert state.level == 1
    assert opening.mails[-1].details == {"queue": "informed"}


# ---- terminated while the claim is open ----


def test_terminated_merchants_open_claim_goes_to_level_2_and_the_customer_is_told() -> None:
    state, _ = ClaimState.open(filed())
    step = state.take_over_from_terminated_merchant(OPENED + HOUR)
    assert state.level == 2
    [event] = step.events
    assert (event.kind, event.actor, event.details) == (
        domain.EventKind.MERCHANT_TERMINATED,
        domain.Role.OPERATOR,
        {"level": "2", "findings_by": "2026-11-23T15:00:00+00:00"},
    )
    assert mails(step) == [(domain.Template.PLATFORM_TAKES_OVER, domain.Recipient.CUSTOMER)]
    assert step.mails[0].details == {
        "cause": "merchant_terminated",
        "level": "2",
        "findings_by": "2026-11-23T15:00:00+00:00",
    }
    assert step.mails[0].claim.escalation_level == 2


def test_termination_keeps_a_claim_already_at_level_3_there() -> None:
    state, _ = ClaimState.open(filed())
    state.advance(OPENED + 2 * DAY)
    step = state.take_over_from_terminated_merchant(OPENED + 2 * DAY + HOUR)
    assert state.level == 3
    # The investigation the ladder opened keeps its deadline.
    assert step.events[0].details == {"level": "3", "findings_by": "2026-11-24T14:00:00+00:00"}


def test_termination_is_taken_once_and_never_by_a_closed_or_edition_1_claim() -> None:
    state, _ = ClaimState.open(filed())
    state.take_over_from_terminated_merchant(OPENED + HOUR)
    with pytest.raises(Refused, match="already taken this claim over"):
        state.take_over_from_terminated_merchant(OPENED + 2 * HOUR)
    closed, _ = ClaimState.open(filed())
    closed.act(domain.Action.WITHDRAW, domain.CloseRequest(CUSTOMER), OPENED + HOUR)
    assert closed.termination_refusal() is not None
    with pytest.raises(Refused):
        closed.take_over_from_terminated_merchant(OPENED + 2 * HOUR)
    assert closed.closed_reason is domain.ClosedReason.WITHDRAWN
    old, _ = ClaimState.open(filed(edition=1))
    with pytest.raises(Refused, match="edition 1"):
        old.take_over_from_terminated_merchant(OPENED + HOUR)
    assert old.level == 1


# ---- unreachable by e-mail ----


@pytest.mark.parametrize("cause", ["no_contact_address", "mail_refused"])
def test_unreachable_merchant_sends_the_claim_to_the_platform_at_once(cause: str) -> None:
    state, _ = ClaimState.open(filed())
    step = state.merchant_mail_unreachable(cause, OPENED)
    assert state.level == 2 and state.status is domain.Status.OPEN
    [event] = step.events
    assert (event.kind, event.details) == (
        domain.EventKind.MERCHANT_UNREACHABLE,
        {"cause": cause, "level": "2", "findings_by": "2026-11-23T14:00:00+00:00"},
    )
    assert mails(step) == [
        (domain.Template.PLATFORM_TAKES_OVER, domain.Recipient.CUSTOMER),
        (domain.Template.PLATFORM_TAKES_OVER, domain.Recipient.OPERATORS),
    ]
    # Once per claim: the merchant's next refused e-mail changes nothing more.
    version = state.version
    again = state.merchant_mail_unreachable(cause, OPENED + DAY)
    assert again.events == [] and again.mails == [] and state.version == version


def test_unreachable_merchant_changes_nothing_on_a_settled_or_edition_1_claim() -> None:
    closed, _ = ClaimState.open(filed())
    closed.act(domain.Action.WITHDRAW, domain.CloseRequest(CUSTOMER), OPENED + HOUR)
    version = closed.version
    assert closed.merchant_mail_unreachable("mail_refused", OPENED + HOUR).events == []
    assert closed.version == version
    old, _ = ClaimState.open(filed(edition=1))
    assert old.merchant_mail_unreachable("no_contact_address", OPENED).events == []
    assert old.level == 1 and old.version == 1


def test_the_take_over_survives_a_hand_over() -> None:
    state, _ = ClaimState.open(filed())
    state.merchant_mail_unreachable("mail_refused", OPENED)
    state.take_over_from_terminated_merchant(OPENED + HOUR)
    resumed = ClaimState.resume(state.handover())
    assert resumed.merchant_unreachable and resumed.merchant_terminated
    assert resumed.merchant_mail_unreachable("mail_refused", OPENED + DAY).events == []


def test_a_merchant_the_platform_could_not_reach_is_neither_reminded_nor_struck() -> None:
    state, _ = ClaimState.open(filed())
    state.merchant_mail_unreachable("no_contact_address", OPENED)
    ladder = state.advance(OPENED + 5 * DAY)
    kinds = [e.kind for e in ladder.events]
    assert domain.EventKind.MERCHANT_REMINDED not in kinds and not ladder.strike
    # level 3, the findings owed since the take-over overdue, then breached
    assert kinds == [
        domain.EventKind.ESCALATED,
        domain.EventKind.FINDINGS_OVERDUE,
        domain.EventKind.SLA_BREACHED,
    ]
    assert state.level == 3 and state.sla_breached


def test_a_silent_merchant_it_could_reach_is_still_reminded_and_struck() -> None:
    state, _ = ClaimState.open(filed())
    ladder = state.advance(OPENED + 5 * DAY)
    assert domain.EventKind.MERCHANT_REMINDED in [e.kind for e in ladder.events] and ladder.strike
