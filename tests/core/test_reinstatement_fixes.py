"""Edition 3's give-back, after the review (tests/core/test_reinstatement_review.py): what
the customer's report says of withdrawn findings and of a take-over, who a customer's
answer reaches, and what a payment claim's customer is told."""

from __future__ import annotations

from dataclasses import replace

import pytest

from claimdesk.core.audience import read_as, report_for
from claimdesk.core.domain import (
    Action,
    EventKind,
    InfoRequest,
    Locale,
    PostMessage,
    Recipient,
    Role,
    Subject,
)
from claimdesk.core.mail import render
from claimdesk.core.report import ClaimReport, render_report
from claimdesk.core.rules import ClaimState, Step
from claimdesk.core.settings import Settings
from tests.support.claims import CUSTOMER, DAY, HOUR, OPENED, OPERATOR, claim_input, under

SETTINGS = Settings(mediator_name="Médiateur Exemple", mediator_url="https://mediateur.example")


def _filed(subject: Subject = Subject.DELIVERY, edition: int = 3) -> ClaimState:
    state, _ = ClaimState.open(under(edition, claim_input(subject)))
    return state


def _report(state: ClaimState, steps: list[Step], role: Role, locale: Locale) -> str:
    """The report `role` reads, in `locale` (the claim's for the customer, the settings'
    for operators)."""
    view = replace(state.view(), locale=locale)
    events = [event for step in steps for event in step.events]
    report = ClaimReport(claim=view, timeline=events)
    return render_report(report_for(role, report, operator_locale=locale))


@pytest.mark.parametrize(
    ("locale", "withdrawn", "owed"),
    [
        (Locale.EN, "findings no longer owed", "findings due by"),
        (Locale.FR, "conclusions plus dues", "conclusions attendues"),
    ],
)
def test_the_customers_report_says_the_give_back_withdrew_the_findings(
    locale: Locale, withdrawn: str, owed: str
) -> None:
    state = _filed()
    taken = state.take_over_from_terminated_merchant(OPENED + HOUR)
    back = state.return_to_reinstated_merchant(OPENED + 2 * HOUR)
    lines = _report(state, [taken, back], Role.CUSTOMER, locale).splitlines()
    [given_back] = [line for line in lines if "2026" in line and withdrawn in line]
    assert owed not in given_back, given_back


def test_operators_read_the_withdrawn_findings_on_the_give_back_event() -> None:
    state = _filed()
    taken = state.take_over_from_terminated_merchant(OPENED + HOUR)
    back = state.return_to_reinstated_merchant(OPENED + 2 * HOUR)
    [event] = back.events
    assert event.details["findings_withdrawn"] == taken.events[0].details["findings_by"]
    assert "findings no longer owed" in _report(state, [taken, back], Role.OPERATOR, Locale.EN)
    [operators] = [m for m in back.mails if m.recipient is Recipient.OPERATORS]
    body = render(operators, settings=SETTINGS).body
    assert "no longer owed" in body and operators.claim.merchant_id in body


@pytest.mark.parametrize(("level", "team"), [(2, "resolution"), (3, "customer_experience")])
def test_a_customer_reads_a_take_over_as_no_move_up_with_its_levels_team(
    level: int, team: str
) -> None:
    state = _filed()
    state.advance(OPENED + (DAY if level == 2 else 2 * DAY))
    assert state.level == level
    step = state.take_over_from_terminated_merchant(OPENED + 2 * DAY + HOUR)
    [event] = step.events
    _, details = read_as(Role.CUSTOMER, Subject.DELIVERY, event.kind, event.details)
    assert (details["level"], details["team"], details["cause"]) == (str(level), team, "taken_over")
    for locale, said in ((Locale.EN, "the platform handles"), (Locale.FR, "plateforme traite")):
        lines = _report(state, [step], Role.CUSTOMER, locale).splitlines()
        [taken] = [line for line in lines if said in line]
        assert "escalad" not in taken and "escalat" not in taken, taken
    mail = render(step.mails[0], settings=SETTINGS).body
    expected = "customer-experience team" if level == 3 else "resolution team"
    assert f"Our {expected} (level {level})" in " ".join(mail.split()), mail


def test_a_payment_customer_is_told_in_french_too_which_team_has_the_claim() -> None:
    state = _filed(Subject.PAYMENT)
    step = state.take_over_from_terminated_merchant(OPENED + HOUR)
    [order] = [m for m in step.mails if m.recipient is Recipient.CUSTOMER]
    body = render(replace(order, claim=replace(order.claim, locale=Locale.FR)), settings=SETTINGS)
    text = " ".join(body.body.split())
    assert "repris au marchand" not in text and "équipe de résolution" in text, text


def _asked_then_given_back(edition: int = 3) -> ClaimState:
    state = _filed(edition=edition)
    state.take_over_from_terminated_merchant(OPENED + HOUR)
    question = InfoRequest(OPERATOR, "Your delivery address?")
    state.act(Action.REQUEST_INFO, question, OPENED + 2 * HOUR)
    if edition >= 3:
        state.return_to_reinstated_merchant(OPENED + 3 * HOUR)
    return state


def test_only_the_answer_reaches_operators_later_messages_go_to_the_merchant() -> None:
    state = _asked_then_given_back()
    say = Action.MESSAGE
    first = state.act(say, PostMessage(CUSTOMER, "12 rue de la Paix"), OPENED + 4 * HOUR)
    second = state.act(say, PostMessage(CUSTOMER, "Any news?"), OPENED + 5 * HOUR)
    assert {m.recipient for m in first.mails} == {Recipient.MERCHANT, Recipient.OPERATORS}
    assert {m.recipient for m in second.mails} == {Recipient.MERCHANT}


def test_an_operators_question_at_level_1_brings_the_answer_to_operators() -> None:
    state = _filed()
    state.act(Action.REQUEST_INFO, InfoRequest(OPERATOR, "Order number?"), OPENED + HOUR)
    step = state.act(Action.MESSAGE, PostMessage(CUSTOMER, "A-42"), OPENED + 2 * HOUR)
    assert {m.recipient for m in step.mails} == {Recipient.MERCHANT, Recipient.OPERATORS}


def test_under_edition_2_a_level_1_answer_still_goes_to_the_merchant_alone() -> None:
    state = _filed(edition=2)
    state.act(Action.REQUEST_INFO, InfoRequest(OPERATOR, "Order number?"), OPENED + HOUR)
    step = state.act(Action.MESSAGE, PostMessage(CUSTOMER, "A-42"), OPENED + 2 * HOUR)
    assert {m.recipient for m in step.mails} == {Recipient.MERCHANT}


def test_the_open_question_survives_continue_as_new() -> None:
    state = _asked_then_given_back()
    resumed = ClaimState.resume(state.handover())
    assert resumed.platform_question_open
    step = resumed.act(Action.MESSAGE, PostMessage(CUSTOMER, "12 rue"), OPENED + 4 * HOUR)
    assert Recipient.OPERATORS in {m.recipient for m in step.mails}


def test_events_read_by_the_customer_keep_their_kinds() -> None:
    # The take-over's reading stays an `escalated` event (the API's timeline kinds).
    state = _filed()
    [event] = state.take_over_from_terminated_merchant(OPENED + HOUR).events
    kind, _ = read_as(Role.CUSTOMER, Subject.DELIVERY, event.kind, event.details)
    assert kind == EventKind.ESCALATED
