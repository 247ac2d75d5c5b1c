"""Review of edition 3 (issue 12 item 6): sequences of terminate / reinstate that the
change's own tests do not walk, each failing on a defect of the rules.

Every path here runs on the default policy (24 h / 48 h / 5 days) unless it says otherwise.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from claimdesk.core.audience import read_as
from claimdesk.core.domain import (
    Action,
    EventKind,
    InfoRequest,
    PostMessage,
    Recipient,
    Role,
    Subject,
    Template,
)
from claimdesk.core.mail import render
from claimdesk.core.rules import ClaimState, Step
from claimdesk.core.settings import Settings
from tests.support.claims import CUSTOMER, DAY, HOUR, OPENED, OPERATOR, claim_input, under

SETTINGS = Settings(mediator_name="Médiateur Exemple", mediator_url="https://mediateur.example")


def _filed(subject: Subject = Subject.DELIVERY) -> ClaimState:
    state, _ = ClaimState.open(under(3, claim_input(subject)))
    return state


def _given_back_after_its_resolution_target() -> tuple[ClaimState, datetime]:
    """Terminated and reinstated three times, each inside the windows the rules allow (the
    termination while the claim is at level 1, the reinstatement before the ladder's
    level 3): the last reinstatement falls after the resolution target. Returns the claim
    and when it was given back."""
    state = _filed()
    state.take_over_from_terminated_merchant(OPENED + 1 * HOUR)
    state.return_to_reinstated_merchant(OPENED + 47 * HOUR)
    state.take_over_from_terminated_merchant(OPENED + 70 * HOUR)
    state.advance(OPENED + 71 * HOUR)
    state.return_to_reinstated_merchant(OPENED + 94 * HOUR)
    state.take_over_from_terminated_merchant(OPENED + 117 * HOUR)
    breached = state.advance(OPENED + 120 * HOUR)  # the target passes with the platform
    assert EventKind.SLA_BREACHED in [e.kind for e in breached.events]
    back_at = OPENED + 141 * HOUR
    state.return_to_reinstated_merchant(back_at)
    assert state.level == 1
    return state, back_at


def _deadline_details(step: Step) -> list[tuple[str, str, datetime]]:
    """(event kind, detail, time) of every deadline an event of the step states."""
    found = []
    for event in step.events:
        for key, value in event.details.items():
            if key.endswith("_by"):
                found.append((str(event.kind), key, datetime.fromisoformat(value)))
    return found


def test_a_reminder_after_a_late_reinstatement_never_asks_for_an_answer_by_a_time_gone() -> None:
    state, back_at = _given_back_after_its_resolution_target()
    reminded_at = back_at + DAY  # the merchant's new 24 hours are over: level 2, reminder
    step = state.advance(reminded_at)
    assert EventKind.MERCHANT_REMINDED in [e.kind for e in step.events]
    past = [(kind, key, at) for kind, key, at in _deadline_details(step) if at < reminded_at]
    assert past == [], f"deadlines already gone when stated at {reminded_at}: {past}"
    for order in step.mails:
        if order.template is Template.MERCHANT_REMINDER:
            respond_by = datetime.fromisoformat(order.details["respond_by"])
            assert respond_by > reminded_at, (order.key, order.details)


def test_a_reminder_after_a_late_reinstatement_on_a_late_level_3_policy_is_not_in_the_past() -> (
    None
):
    # The settings the change's own breach test uses (level 3 late, one reinstatement).
    claim = under(3, claim_input())
    policy = replace(claim.policy, level3_after=4 * DAY + 18 * HOUR)
    state, _ = ClaimState.open(replace(claim, policy=policy))
    state.take_over_from_terminated_merchant(OPENED + HOUR)
    state.advance(OPENED + 4 * DAY + 12 * HOUR)
    back_at = OPENED + 4 * DAY + 12 * HOUR
    state.return_to_reinstated_merchant(back_at)
    state.advance(OPENED + 5 * DAY)  # the target, within the merchant's new time: no strike
    step = state.advance(back_at + DAY)
    [reminder] = [m for m in step.mails if m.template is Template.MERCHANT_REMINDER]
    assert datetime.fromisoformat(reminder.details["respond_by"]) > back_at + DAY, reminder.details


def test_a_merchant_silent_past_its_new_time_is_struck_some_day() -> None:
    """SPEC: at the resolution target a merchant who never answered is struck; the README
    spares a reinstated merchant only "while its new 24 hours run". Given back after the
    target, a merchant that never answers is never struck (the target fired while the
    platform had the claim, and nothing strikes later), though its reminder threatens it."""
    state, back_at = _given_back_after_its_resolution_target()
    strikes = []
    at = back_at + HOUR
    while at < back_at + 30 * DAY:
        step = state.advance(at)
        strikes.append(step.strike)
        at += 6 * HOUR
    assert state.level == 3 and not state.merchant_answered
    assert any(strikes), "a merchant silent for 30 days after its new deadline was never struck"


def test_a_customer_reads_a_termination_at_level_3_with_the_team_that_handles_level_3() -> None:
    state = _filed()
    state.advance(OPENED + 2 * DAY)  # the ladder: level 3, the customer-experience team
    assert state.level == 3
    step = state.take_over_from_terminated_merchant(OPENED + 2 * DAY + HOUR)
    [event] = step.events
    kind, details = read_as(Role.CUSTOMER, Subject.DELIVERY, event.kind, event.details)
    # Read as an escalation, it must at least name the team the claim is with: every
    # level-3 escalation the customer reads names the customer-experience team.
    assert (kind, details.get("level")) == (EventKind.ESCALATED, "3")
    assert details.get("team") == "customer_experience", details


def test_a_payment_customer_is_not_told_the_platform_took_the_claim_from_the_merchant() -> None:
    """A payment claim is the platform's from the start (README: "the merchant is no party to
    handle it"); the new wording tells its customer the platform took it over from the
    merchant."""
    state = _filed(Subject.PAYMENT)
    step = state.take_over_from_terminated_merchant(OPENED + HOUR)
    [order] = [m for m in step.mails if m.recipient is Recipient.CUSTOMER]
    body = render(order, settings=SETTINGS).body
    assert "over from the merchant" not in body, body


def test_a_customers_answer_to_an_operators_question_reaches_operators_after_a_give_back() -> None:
    """The platform, holding the claim, asks the customer a question; the merchant is
    reinstated and the claim goes back to level 1 while the question stands (the
    customer's e-mail even says "you may still write to us"). The customer's answer must
    reach whoever asked it; at level 1 a customer's message is e-mailed to the merchant
    alone."""
    state = _filed()
    state.take_over_from_terminated_merchant(OPENED + HOUR)
    state.act(
        Action.REQUEST_INFO, InfoRequest(OPERATOR, "Your delivery address?"), OPENED + 2 * HOUR
    )
    state.return_to_reinstated_merchant(OPENED + 3 * HOUR)
    step = state.act(Action.MESSAGE, PostMessage(CUSTOMER, "12 rue de la Paix"), OPENED + 4 * HOUR)
    told = {m.recipient for m in step.mails}
    assert Recipient.OPERATORS in told, told
