"""Edition 3: reinstating a terminated merchant gives it back the claims its termination alone
moved to the platform (issue 12, item 6); what customers read of either; edition-2 claims
stay with the platform."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

import pytest

from claimdesk.core import domain
from claimdesk.core.audience import read_as, report_for
from claimdesk.core.domain import (
    Action,
    Deadline,
    EventKind,
    MerchantAction,
    MerchantResponse,
    PostMessage,
    Proposal,
    ProposalAnswer,
    ProposalKind,
    Recipient,
    Role,
    Standing,
    Subject,
    Template,
)
from claimdesk.core.mail import render
from claimdesk.core.report import ClaimReport, render_report
from claimdesk.core.rules import ClaimState, Refused, Step
from claimdesk.core.settings import Settings
from tests.support.claims import CUSTOMER, DAY, HOUR, MERCHANT, OPENED, claim_input, under

TERMINATED_AT = OPENED + HOUR
SETTINGS = Settings(mediator_name="Médiateur Exemple", mediator_url="https://mediateur.example")


def filed(
    subject: Subject = Subject.DELIVERY, *, edition: int = 3, standing: Standing = Standing.ACTIVE
) -> ClaimState:
    claim = replace(under(edition, claim_input(subject)), merchant_standing=standing)
    state, _ = ClaimState.open(claim)
    return state


def terminated(edition: int = 3) -> ClaimState:
    state = filed(edition=edition)
    state.take_over_from_terminated_merchant(TERMINATED_AT)
    return state


def mails(step: Step) -> list[tuple[Template, Recipient]]:
    return [(m.template, m.recipient) for m in step.mails]


def test_reinstated_merchant_gets_back_the_claim_at_its_level_with_a_fresh_deadline() -> None:
    state = terminated()
    assert state.level == 2 and state.findings_due_at is not None
    at = OPENED + 3 * HOUR
    step = state.return_to_reinstated_merchant(at)
    respond_by = (at + DAY).isoformat()
    withdrawn = (TERMINATED_AT + 2 * DAY).isoformat()  # the findings the take-over owed
    [event] = step.events
    assert (event.kind, event.actor, event.details) == (
        EventKind.MERCHANT_REINSTATED,
        Role.OPERATOR,
        {"level": "1", "respond_by": respond_by, "findings_withdrawn": withdrawn},
    )
    # The operators who owed the findings are told they owe them no more; the merchant
    # is told only its deadline.
    assert [(m.template, m.recipient, m.details) for m in step.mails] == [
        (
            Template.MERCHANT_HANDLES_AGAIN,
            Recipient.CUSTOMER,
            {"respond_by": respond_by, "findings_withdrawn": withdrawn},
        ),
        (Template.MERCHANT_HANDLES_AGAIN, Recipient.MERCHANT, {"respond_by": respond_by}),
        (
            Template.MERCHANT_HANDLES_AGAIN,
            Recipient.OPERATORS,
            {"respond_by": respond_by, "findings_withdrawn": withdrawn},
        ),
    ]
    view = step.mails[0].claim
    assert view.escalation_level == 1
    # Its time to answer counts from the reinstatement, not from the opening.
    assert (view.next_deadline, view.next_deadline_kind) == (at + DAY, domain.Deadline.LEVEL2)
    # The investigation was the take-over's alone: no findings owed, no alert to come.
    assert state.findings_due_at is None
    assert domain.Deadline.FINDINGS not in [kind for _, kind in state.deadlines()]
    assert Action.MERCHANT_RESPONSE in state.allowed_actions(Role.MERCHANT)


def test_given_back_claim_climbs_the_ladder_again_from_the_reinstatement() -> None:
    state = terminated()
    assert state.advance(OPENED + DAY).events == []  # the first rung passes with the platform
    back_at = OPENED + 30 * HOUR
    state.return_to_reinstated_merchant(back_at)
    assert state.advance(back_at + DAY - HOUR).events == []
    assert state.level == 1
    step = state.advance(back_at + DAY)
    # The silent merchant is reminded, as at the first rung of any claim.
    kinds = [event.kind for event in step.events]
    assert kinds == [EventKind.ESCALATED, EventKind.MERCHANT_REMINDED]
    assert state.level == 2 and state.findings_due_at == back_at + DAY + 2 * DAY
    state.advance(back_at + 2 * DAY)
    assert state.level == 3


def test_silent_merchant_is_not_struck_at_the_breach_while_its_new_time_runs() -> None:
    # Level 3 late enough (settings allow it) for a claim to come back a day before its
    # resolution target: the breach then falls within the merchant's new 24 hours.
    claim = under(3, claim_input())
    policy = replace(claim.policy, level3_after=4 * DAY + 18 * HOUR)
    state, _ = ClaimState.open(replace(claim, policy=policy))
    state.take_over_from_terminated_merchant(TERMINATED_AT)
    state.advance(OPENED + 4 * DAY + 12 * HOUR)  # findings overdue; no level beyond 2
    state.return_to_reinstated_merchant(OPENED + 4 * DAY + 12 * HOUR)
    step = state.advance(OPENED + 5 * DAY)
    assert EventKind.SLA_BREACHED in [event.kind for event in step.events]
    assert not step.strike


def test_silent_merchant_is_struck_when_its_renewed_time_ends_not_at_the_breach() -> None:
    # Given back, the merchant's time to answer starts again: the resolution target's span
    # from the give-back, which its reminder names; the breach (from opening) spares it.
    back_at = OPENED + 2 * HOUR
    state = terminated()
    state.return_to_reinstated_merchant(back_at)
    reminded = state.advance(back_at + DAY)
    [event] = [e for e in reminded.events if e.kind is EventKind.MERCHANT_REMINDED]
    assert event.details["respond_by"] == (back_at + 5 * DAY).isoformat()
    step = state.advance(OPENED + 5 * DAY)
    assert EventKind.SLA_BREACHED in [event.kind for event in step.events]
    assert not step.strike
    assert not state.advance(back_at + 5 * DAY - HOUR).strike
    assert state.advance(back_at + 5 * DAY).strike
    assert state.next_deadline() != (back_at + 5 * DAY, Deadline.MERCHANT_TIME)


def test_a_merchant_answering_in_its_renewed_time_is_not_struck() -> None:
    back_at = OPENED + 2 * HOUR
    state = terminated()
    state.return_to_reinstated_merchant(back_at)
    state.act(Action.MESSAGE, PostMessage(MERCHANT, "On it."), back_at + 2 * DAY)
    assert Deadline.MERCHANT_TIME not in [deadline for _, deadline in state.deadlines()]
    assert not state.advance(back_at + 6 * DAY).strike


def _escalated_by_the_ladder() -> ClaimState:
    state = filed()
    state.advance(OPENED + DAY)  # the merchant's 24 hours passed: level 2
    state.take_over_from_terminated_merchant(OPENED + DAY + HOUR)
    return state


def _moved_up_since() -> ClaimState:
    state = terminated()
    state.advance(OPENED + 2 * DAY)  # level 3 while the platform had it
    return state


def _proposal_rejected_since() -> ClaimState:
    state = filed()
    refund = Proposal(ProposalKind.REFUND, Decimal("10"))
    offer = MerchantResponse(MERCHANT, MerchantAction.PROPOSE, proposal=refund)
    state.act(Action.MERCHANT_RESPONSE, offer, OPENED + HOUR)
    state.take_over_from_terminated_merchant(OPENED + 2 * HOUR)
    state.act(Action.REJECT_PROPOSAL, ProposalAnswer(CUSTOMER), OPENED + 3 * HOUR)
    return state


def _unreachable_too() -> ClaimState:
    state = filed()
    state.merchant_mail_unreachable("mail_refused", OPENED)
    state.take_over_from_terminated_merchant(TERMINATED_AT)
    return state


def _restricted_at_filing() -> ClaimState:
    state = filed(standing=Standing.RESTRICTED)
    state.take_over_from_terminated_merchant(TERMINATED_AT)
    return state


def _payment_claim() -> ClaimState:
    state = filed(Subject.PAYMENT)
    state.take_over_from_terminated_merchant(TERMINATED_AT)
    return state


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (_escalated_by_the_ladder, "had reached level 2 before the termination"),
        (_moved_up_since, "moved up to level 3 since"),
        (_proposal_rejected_since, "moved up to level 3 since"),
        (_unreachable_too, "e-mail could not reach it"),
        (_restricted_at_filing, "opened with the platform"),
        (_payment_claim, "payment claim"),
        (lambda: terminated(edition=2), r"edition 2\): it stays with the platform"),
    ],
    ids=["ladder", "moved-up", "proposal-rejected", "unreachable", "restricted", "payment", "ed2"],
)
def test_claim_the_platform_has_for_another_reason_stays_with_it(
    make: Callable[[], ClaimState], why: str
) -> None:
    state = make()
    level, due = state.level, state.findings_due_at
    with pytest.raises(Refused, match=why):
        state.return_to_reinstated_merchant(OPENED + 3 * DAY)
    assert (state.level, state.findings_due_at, state.merchant_terminated) == (level, due, True)


def test_reinstating_again_changes_nothing_and_a_new_termination_takes_the_claim_again() -> None:
    state = terminated()
    state.return_to_reinstated_merchant(OPENED + 2 * HOUR)
    with pytest.raises(Refused, match="no termination of its merchant moved"):
        state.return_to_reinstated_merchant(OPENED + 3 * HOUR)
    again = state.take_over_from_terminated_merchant(OPENED + 4 * HOUR)
    assert state.level == 2 and again.events[0].kind is EventKind.MERCHANT_TERMINATED
    state.return_to_reinstated_merchant(OPENED + 5 * HOUR)
    assert state.level == 1
    assert state.next_deadline() == (OPENED + 5 * HOUR + DAY, domain.Deadline.LEVEL2)


def test_a_claim_never_taken_over_or_closed_is_not_given_back() -> None:
    untouched = filed()
    with pytest.raises(Refused, match="no termination"):
        untouched.return_to_reinstated_merchant(TERMINATED_AT)
    closed = terminated()
    closed.act(Action.WITHDRAW, domain.CloseRequest(CUSTOMER), OPENED + 2 * HOUR)
    with pytest.raises(Refused, match="closed"):
        closed.return_to_reinstated_merchant(OPENED + 3 * HOUR)


def test_taken_over_and_given_back_claims_carry_over_to_a_fresh_run() -> None:
    state = terminated()
    resumed = ClaimState.resume(state.handover())
    resumed.return_to_reinstated_merchant(OPENED + 2 * HOUR)
    again = ClaimState.resume(resumed.handover())
    assert again.level == 1 and again.deadlines() == resumed.deadlines()


# ---- what each party reads ----


def _steps() -> tuple[Step, Step]:
    state = filed()
    taken = state.take_over_from_terminated_merchant(TERMINATED_AT)
    return taken, state.return_to_reinstated_merchant(OPENED + 2 * HOUR)


def test_customers_read_the_take_over_and_the_hand_back_without_the_merchants_standing() -> None:
    taken, back = _steps()
    [termination], [reinstatement] = taken.events, back.events
    kind, details = read_as(Role.CUSTOMER, Subject.DELIVERY, termination.kind, termination.details)
    assert (kind, details) == (
        EventKind.ESCALATED,
        {
            "level": "2",
            "team": "resolution",
            "cause": "taken_over",
            "findings_by": termination.details["findings_by"],
        },
    )
    kind, details = read_as(
        Role.CUSTOMER, Subject.DELIVERY, reinstatement.kind, reinstatement.details
    )
    # The give-back visibly withdraws the findings the take-over had promised.
    assert (kind, details) == (
        EventKind.MERCHANT_NOTIFIED,
        {
            "respond_by": reinstatement.details["respond_by"],
            "findings_withdrawn": termination.details["findings_by"],
        },
    )
    for role in (Role.MERCHANT, Role.OPERATOR):
        assert read_as(role, Subject.DELIVERY, termination.kind, termination.details) == (
            termination.kind,
            termination.details,
        )


@pytest.mark.parametrize("locale", list(domain.Locale))
def test_the_customers_report_and_emails_never_name_the_termination(
    locale: domain.Locale,
) -> None:
    taken, back = _steps()
    view = back.mails[0].claim
    report = ClaimReport(claim=view, timeline=[*taken.events, *back.events])
    standing_words = ("terminat", "reinstat", "radi", "réintégr")
    customers = render_report(report_for(Role.CUSTOMER, report))
    assert not any(word in customers.lower() for word in standing_words)
    operators = render_report(report_for(Role.OPERATOR, report))
    assert "merchant terminated" in operators and "merchant reinstated" in operators
    for order in [*taken.mails, *back.mails]:
        written = replace(order, claim=replace(order.claim, locale=locale))
        mail = render(written, settings=SETTINGS)
        assert not mail.subject.endswith(","), mail.subject  # the greeting is the body's
        body = mail.body.lower()
        if order.recipient is Recipient.CUSTOMER:
            assert not any(word in body for word in standing_words), order.key
        else:
            assert "reinstated" in body or "réintégré" in body
