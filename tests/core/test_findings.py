"""Edition 2: an investigation owes the customer its findings within 48 h (seed 003)."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from pydantic import TypeAdapter, ValidationError

from claimdesk.core import domain
from claimdesk.core.mail import render
from claimdesk.core.report import ClaimReport, render_report
from claimdesk.core.rules import ClaimState, Refused, Step
from claimdesk.core.settings import Settings
from tests.support import claims
from tests.support.claims import CUSTOMER, DAY, HOUR, MERCHANT, OPENED, OPERATOR

SECOND = timedelta(seconds=1)
LEVEL2 = OPENED + 24 * HOUR
DUE = LEVEL2 + 48 * HOUR  # findings owed 48 h after the investigation opened
NOTE = domain.Findings(OPERATOR, "The payment was made with your card and your code.")


def opened(subject: domain.Subject = domain.Subject.PAYMENT, edition: int = 2) -> ClaimState:
    state, _ = ClaimState.open(claims.under(edition, claims.claim_input(subject)))
    return state


def kinds(step: Step) -> list[domain.EventKind]:
    return [event.kind for event in step.events]


def mails(step: Step) -> set[tuple[domain.Template, domain.Recipient]]:
    return {(m.template, m.recipient) for m in step.mails}


def owed(state: ClaimState) -> list[tuple[object, domain.Deadline]]:
    return [(at, d) for at, d in state.deadlines() if d is domain.Deadline.FINDINGS]


@pytest.mark.parametrize("subject", list(domain.Subject))
def test_level_2_owes_findings_within_48_hours_and_tells_the_customer_when(
    subject: domain.Subject,
) -> None:
    state = opened(subject)
    step = state.advance(LEVEL2)
    [escalated] = [e for e in step.events if e.kind is domain.EventKind.ESCALATED]
    assert escalated.details["findings_by"] == DUE.isoformat()
    [mail] = [m for m in step.mails if m.template is domain.Template.ESCALATED]
    assert mail.details["findings_by"] == DUE.isoformat()
    assert owed(state) == [(DUE, domain.Deadline.FINDINGS)]
    assert domain.Action.FINDINGS.value in state.view().allowed_actions["operator"]


def test_no_findings_at_exactly_48_hours_after_level_2_alert_the_operators_once() -> None:
    state = opened()
    state.advance(LEVEL2)
    assert domain.EventKind.FINDINGS_OVERDUE not in kinds(state.advance(DUE - SECOND))
    step = state.advance(DUE)
    assert kinds(step) == [domain.EventKind.FINDINGS_OVERDUE]
    assert step.events[0].at == DUE and step.events[0].actor is domain.Role.SYSTEM
    assert step.events[0].details == {"findings_by": DUE.isoformat()}
    assert mails(step) == {(domain.Template.FINDINGS_OVERDUE, domain.Recipient.OPERATORS)}
    assert owed(state) == []  # the alert is not repeated
    later = state.advance(OPENED + 5 * DAY)
    assert domain.EventKind.FINDINGS_OVERDUE not in kinds(later)


def test_findings_overdue_are_still_given_late() -> None:
    state = opened()
    state.advance(DUE)
    step = state.act(domain.Action.FINDINGS, NOTE, DUE + HOUR)
    assert kinds(step) == [domain.EventKind.FINDINGS]
    assert mails(step) == {(domain.Template.FINDINGS, domain.Recipient.CUSTOMER)}
    assert domain.Action.FINDINGS.value not in state.view().allowed_actions["operator"]


def test_findings_given_in_time_reach_the_customer_and_nobody_is_alerted() -> None:
    state = opened()
    state.advance(LEVEL2)
    step = state.act(domain.Action.FINDINGS, NOTE, LEVEL2 + 5 * HOUR)
    [event] = step.events
    assert (event.kind, event.actor, event.details) == (
        domain.EventKind.FINDINGS,
        domain.Role.OPERATOR,
        {"note": NOTE.note},
    )
    [mail] = step.mails
    assert (mail.template, mail.recipient, mail.details) == (
        domain.Template.FINDINGS,
        domain.Recipient.CUSTOMER,
        {"note": NOTE.note},
    )
    assert owed(state) == []
    assert domain.EventKind.FINDINGS_OVERDUE not in kinds(state.advance(OPENED + 5 * DAY))
    # Met once: a second note is not owed (a message still reaches the customer).
    with pytest.raises(Refused, match="no findings are owed now"):
        state.act(domain.Action.FINDINGS, NOTE, OPENED + 5 * DAY)


def test_next_deadline_shows_the_findings_while_they_are_next() -> None:
    state = opened()
    state.advance(OPENED + 48 * HOUR)  # level 3: the same investigation, its deadline stands
    assert state.level == 3
    assert state.next_deadline() == (DUE, domain.Deadline.FINDINGS)
    state.act(domain.Action.FINDINGS, NOTE, OPENED + 50 * HOUR)
    assert state.next_deadline() == (OPENED + 5 * DAY, domain.Deadline.RESOLUTION_TARGET)


def test_level_3_keeps_the_deadline_of_the_investigation_opened_at_level_2() -> None:
    state = opened()
    state.advance(LEVEL2)
    step = state.advance(OPENED + 48 * HOUR)
    [escalated] = [e for e in step.events if e.kind is domain.EventKind.ESCALATED]
    assert escalated.details["level"] == "3"
    assert escalated.details["findings_by"] == DUE.isoformat()
    assert owed(state) == [(DUE, domain.Deadline.FINDINGS)]


@pytest.mark.parametrize(
    "resolve",
    [
        pytest.param(
            [
                (
                    domain.Action.DECISION,
                    domain.Decision(
                        OPERATOR, domain.DecisionOutcome.REJECTED, "Your card, your code."
                    ),
                )
            ],
            id="decision",
        ),
        pytest.param(
            [
                (
                    domain.Action.MERCHANT_RESPONSE,
                    domain.MerchantResponse(
                        MERCHANT,
                        domain.MerchantAction.PROPOSE,
                        proposal=domain.Proposal(domain.ProposalKind.RESHIPMENT),
                    ),
                ),
                (domain.Action.ACCEPT_PROPOSAL, domain.ProposalAnswer(CUSTOMER)),
            ],
            id="accepted-proposal",
        ),
    ],
)
def test_a_resolution_gives_the_findings(resolve: list[tuple[domain.Action, object]]) -> None:
    state = opened(domain.Subject.DELIVERY)
    state.advance(LEVEL2)
    for action, message in resolve:
        state.act(action, message, LEVEL2 + HOUR)  # type: ignore[arg-type]
    assert owed(state) == []
    assert domain.EventKind.FINDINGS_OVERDUE not in kinds(state.advance(DUE))


def test_findings_are_refused_at_level_1_and_to_anyone_but_an_operator() -> None:
    state = opened()
    with pytest.raises(Refused, match="level 1: no investigation is open"):
        state.act(domain.Action.FINDINGS, NOTE, OPENED + HOUR)
    state.advance(LEVEL2)
    for actor in (CUSTOMER, MERCHANT):
        with pytest.raises(Refused, match="cannot findings"):
            state.act(domain.Action.FINDINGS, domain.Findings(actor, "I found it."), LEVEL2 + HOUR)
    assert owed(state) == [(DUE, domain.Deadline.FINDINGS)]


def test_a_rejected_proposal_opens_the_investigation_and_its_findings_are_owed() -> None:
    state = opened(domain.Subject.DELIVERY)
    proposal = domain.MerchantResponse(
        MERCHANT,
        domain.MerchantAction.PROPOSE,
        proposal=domain.Proposal(domain.ProposalKind.REFUND, Decimal("9")),
    )
    state.act(domain.Action.MERCHANT_RESPONSE, proposal, OPENED + HOUR)
    step = state.act(
        domain.Action.REJECT_PROPOSAL, domain.ProposalAnswer(CUSTOMER), OPENED + 2 * HOUR
    )
    assert state.level == 2
    [escalated] = [e for e in step.events if e.kind is domain.EventKind.ESCALATED]
    due = OPENED + 2 * HOUR + 48 * HOUR
    assert escalated.details["findings_by"] == due.isoformat()
    assert owed(state) == [(due, domain.Deadline.FINDINGS)]


def test_a_reopening_owes_new_findings_even_after_they_were_given() -> None:
    state = opened()
    state.advance(LEVEL2)
    state.act(domain.Action.FINDINGS, NOTE, LEVEL2 + HOUR)
    decision = domain.Decision(OPERATOR, domain.DecisionOutcome.REJECTED, "Your card, your code.")
    state.act(domain.Action.DECISION, decision, LEVEL2 + 2 * HOUR)
    reopened_at = LEVEL2 + 3 * HOUR
    step = state.act(
        domain.Action.SATISFACTION, domain.SatisfactionAnswer(CUSTOMER, False), reopened_at
    )
    assert state.level == 3
    [event] = [e for e in step.events if e.kind is domain.EventKind.REOPENED]
    assert event.details["findings_by"] == (reopened_at + 48 * HOUR).isoformat()
    assert {m.details["findings_by"] for m in step.mails} == {event.details["findings_by"]}
    assert owed(state) == [(reopened_at + 48 * HOUR, domain.Deadline.FINDINGS)]


def test_edition_1_claims_owe_no_findings_and_keep_their_timers() -> None:
    state = opened(edition=1)
    step = state.advance(OPENED + 5 * DAY)
    assert all("findings_by" not in event.details for event in step.events)
    assert domain.EventKind.FINDINGS_OVERDUE not in kinds(step)
    assert owed(state) == []
    with pytest.raises(Refused, match="rules that owe no investigation findings"):
        state.act(domain.Action.FINDINGS, NOTE, OPENED + 5 * DAY)
    fresh = opened(edition=1)
    fresh.advance(LEVEL2)
    assert [d for _, d in fresh.deadlines()] == [
        domain.Deadline.LEVEL3,
        domain.Deadline.RESOLUTION_TARGET,
        domain.Deadline.INACTIVITY,
        domain.Deadline.TRANSACTION_HORIZON,
    ]


def test_the_findings_owed_go_with_a_hand_over() -> None:
    state = opened()
    state.advance(DUE)  # owed and overdue
    resumed = ClaimState.resume(state.handover())
    assert resumed == state and resumed.findings_overdue
    assert resumed.deadlines() == state.deadlines()
    given = ClaimState.resume(resumed.handover())
    assert (
        given.act(domain.Action.FINDINGS, NOTE, DUE + HOUR).events[0].kind
        is domain.EventKind.FINDINGS
    )


def test_the_report_shows_the_findings_and_the_alert() -> None:
    state = opened()
    events = [
        *state.advance(DUE).events,
        *state.act(domain.Action.FINDINGS, NOTE, DUE + HOUR).events,
    ]
    english = render_report(ClaimReport(state.view(), events))
    assert "findings overdue: operators alerted" in english
    assert f"findings of the investigation  (note: {NOTE.note})" in english
    french = render_report(ClaimReport(replace(state.view(), locale=domain.Locale.FR), events))
    assert f"conclusions de l'enquête  (note: {NOTE.note})" in french


@pytest.mark.parametrize("locale", list(domain.Locale))
def test_the_findings_mail_gives_the_customer_the_note(locale: domain.Locale) -> None:
    state = opened()
    state.advance(LEVEL2)
    [order] = state.act(domain.Action.FINDINGS, NOTE, LEVEL2 + HOUR).mails
    order = replace(order, claim=replace(order.claim, locale=locale))
    mail = render(order, settings=Settings())
    assert NOTE.note in mail.body and "CLM-TEST-0001" in mail.subject


def test_findings_within_is_a_positive_setting_carried_by_the_policy() -> None:
    assert Settings().policy.findings_within == timedelta(hours=48)
    assert Settings(findings_due_after="3600").policy.findings_within == timedelta(hours=1)
    with pytest.raises(ValidationError, match="FINDINGS_DUE_AFTER must be positive"):
        Settings(findings_due_after="0")


def test_a_policy_recorded_before_findings_decodes_with_48_hours() -> None:
    fields = {f.name for f in dataclasses.fields(domain.Policy)} - {"findings_within"}
    old = {name: getattr(claims.POLICY, name) for name in fields}
    assert TypeAdapter(domain.Policy).validate_python(old).findings_within == timedelta(hours=48)
    assert TypeAdapter(domain.ClaimInput).validate_python(dataclasses.asdict(claims.claim_input()))


def test_level_3_never_promises_findings_already_overdue() -> None:
    claim = claims.claim_input(domain.Subject.DELIVERY)
    policy = replace(claims.POLICY, edition=2, findings_within=10 * HOUR)
    state, _ = ClaimState.open(replace(claim, policy=policy))
    proposal = domain.MerchantResponse(
        MERCHANT,
        domain.MerchantAction.PROPOSE,
        proposal=domain.Proposal(domain.ProposalKind.RESHIPMENT),
    )
    state.act(domain.Action.MERCHANT_RESPONSE, proposal, OPENED + HOUR)
    state.act(
        domain.Action.REJECT_PROPOSAL, domain.ProposalAnswer(CUSTOMER), OPENED + HOUR
    )  # level 2
    assert kinds(state.advance(OPENED + 11 * HOUR)) == [domain.EventKind.FINDINGS_OVERDUE]
    step = state.advance(OPENED + 48 * HOUR)
    [escalated] = [e for e in step.events if e.kind is domain.EventKind.ESCALATED]
    assert escalated.details["level"] == "3" and "findings_by" not in escalated.details
