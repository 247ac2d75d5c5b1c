"""The rules of edition 2 (issue 12), each beside what edition 1 claims still do."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from claimdesk.core import domain
from claimdesk.core.audience import report_for
from claimdesk.core.mail import render
from claimdesk.core.permissions import ActionInput
from claimdesk.core.report import ClaimReport, Mediator, render_report
from claimdesk.core.rules import ClaimState, Refused, Step
from claimdesk.core.settings import Settings
from tests.support import claims
from tests.support.claims import CUSTOMER, DAY, HOUR, MERCHANT, OPENED, OPERATOR


def opened(
    subject: domain.Subject = domain.Subject.DELIVERY,
    bought: timedelta = 10 * DAY,
    edition: int = 2,
) -> ClaimState:
    state, _ = ClaimState.open(claims.under(edition, claims.claim_input(subject, bought)))
    return state


def mails(step: Step) -> set[tuple[domain.Template, domain.Recipient]]:
    return {(m.template, m.recipient) for m in step.mails}


# ---- a merchant's answer is any merchant action ----

MERCHANT_ANSWERS: dict[str, tuple[domain.Action, ActionInput]] = {
    "message": (domain.Action.MESSAGE, domain.PostMessage(MERCHANT, "We are on it.")),
    "acknowledge": (
        domain.Action.MERCHANT_RESPONSE,
        domain.MerchantResponse(MERCHANT, domain.MerchantAction.ACKNOWLEDGE),
    ),
    "propose": (
        domain.Action.MERCHANT_RESPONSE,
        domain.MerchantResponse(
            MERCHANT,
            domain.MerchantAction.PROPOSE,
            proposal=domain.Proposal(domain.ProposalKind.REFUND, Decimal("10.00")),
        ),
    ),
    "reject": (
        domain.Action.MERCHANT_RESPONSE,
        domain.MerchantResponse(
            MERCHANT, domain.MerchantAction.REJECT, reason="Delivered on 12/11."
        ),
    ),
    "request_info": (
        domain.Action.MERCHANT_RESPONSE,
        domain.MerchantResponse(
            MERCHANT, domain.MerchantAction.REQUEST_INFO, "Your tracking number?"
        ),
    ),
}


@pytest.mark.parametrize("kind", list(MERCHANT_ANSWERS))
def test_merchant_who_answered_in_any_way_gets_no_reminder(kind: str) -> None:
    state = opened()
    state.act(*MERCHANT_ANSWERS[kind], OPENED + HOUR)
    step = state.advance(OPENED + 24 * HOUR)
    assert (domain.Template.MERCHANT_REMINDER, domain.Recipient.MERCHANT) not in mails(step)


@pytest.mark.parametrize("kind", list(MERCHANT_ANSWERS))
def test_merchant_who_answered_in_any_way_gets_no_strike(kind: str) -> None:
    state = opened()
    state.act(*MERCHANT_ANSWERS[kind], OPENED + HOUR)
    step = state.advance(OPENED + 5 * DAY)
    assert not step.strike
    breach = next(e for e in step.events if e.kind == "sla_breached")
    assert breach.details["merchant_silent"] == "no"


def test_edition_1_claims_still_take_a_merchant_message_for_silence() -> None:
    state = opened(edition=1)
    state.act(*MERCHANT_ANSWERS["message"], OPENED + HOUR)
    assert (domain.Template.MERCHANT_REMINDER, domain.Recipient.MERCHANT) in mails(
        state.advance(OPENED + 24 * HOUR)
    )
    assert state.advance(OPENED + 5 * DAY).strike


# ---- near the 180-day horizon: a claim just filed is a request ----


def test_claim_filed_on_day_179_and_a_half_gets_the_merchants_deadline_and_the_ladder() -> None:
    state = opened(bought=179 * DAY + 12 * HOUR)
    assert state.view().next_deadline_kind is domain.Deadline.LEVEL2
    assert state.advance(OPENED + 12 * HOUR).events == []  # the horizon passes: still open
    step = state.advance(OPENED + 24 * HOUR)
    assert (domain.Template.MERCHANT_REMINDER, domain.Recipient.MERCHANT) in mails(step)
    assert state.level == 2 and not state.is_closed


def test_edition_1_claim_filed_on_day_179_and_a_half_closes_before_the_merchants_deadline() -> None:
    state = opened(bought=179 * DAY + 12 * HOUR, edition=1)
    state.advance(OPENED + 12 * HOUR)
    assert state.closed_reason is domain.ClosedReason.TRANSACTION_HORIZON


def test_claim_filed_on_day_180_nobody_answers_is_not_closed_by_the_horizon() -> None:
    state = opened(bought=180 * DAY)
    step = state.advance(OPENED + 5 * DAY)
    assert state.level == 3 and state.sla_breached and step.strike
    state.advance(OPENED + 100 * DAY)
    assert state.status is domain.Status.OPEN  # the customer is still owed an answer
    state.advance(OPENED + 120 * DAY)
    assert state.closed_reason is domain.ClosedReason.INACTIVITY


def test_claim_filed_on_day_180_answered_at_once_closes_once_its_ladder_has_run() -> None:
    state = opened(bought=180 * DAY)
    state.act(*MERCHANT_ANSWERS["acknowledge"], OPENED + HOUR)
    state.advance(OPENED + 5 * DAY - timedelta(seconds=1))
    assert state.level == 3 and not state.is_closed
    assert state.view().next_deadline == OPENED + 5 * DAY
    state.advance(OPENED + 5 * DAY)
    assert state.sla_breached and state.closed_reason is domain.ClosedReason.TRANSACTION_HORIZON


def test_payment_claim_filed_on_day_60_closes_at_the_horizon_once_answered() -> None:
    state = opened(domain.Subject.PAYMENT, bought=60 * DAY)
    state.advance(OPENED + 119 * DAY)
    assert not state.is_closed  # nobody has answered the customer yet
    state.act(
        domain.Action.MESSAGE,
        domain.PostMessage(OPERATOR, "We are investigating."),
        OPENED + 119 * DAY,
    )
    assert state.view().next_deadline == OPENED + 120 * DAY
    state.advance(OPENED + 120 * DAY)
    assert state.closed_reason is domain.ClosedReason.TRANSACTION_HORIZON
    assert state.closed_at == OPENED + 120 * DAY


def test_the_horizon_waits_for_an_answer_to_the_filing_itself() -> None:
    state = opened(bought=100 * DAY)
    state.advance(OPENED + 80 * DAY)
    assert not state.is_closed
    state.act(*MERCHANT_ANSWERS["message"], OPENED + 81 * DAY)
    state.advance(OPENED + 81 * DAY)
    assert state.closed_reason is domain.ClosedReason.TRANSACTION_HORIZON


# ---- the platform closes only in agreement with the customer ----

REFUND = domain.Decision(
    OPERATOR, domain.DecisionOutcome.REFUND, note="Refund granted.", amount=Decimal("5")
)


def closing_event(step: Step) -> dict[str, str]:
    return next(e.details for e in step.events if e.kind == "closed")


def test_operator_may_not_close_a_claim_without_an_outcome() -> None:
    state = opened(domain.Subject.PAYMENT)
    with pytest.raises(Refused, match="no outcome yet for the customer to agree to"):
        state.act(domain.Action.CLOSE, domain.CloseRequest(OPERATOR), OPENED + HOUR)


def test_operator_may_not_close_after_its_own_decision_before_the_customer_agreed() -> None:
    state = opened(domain.Subject.PAYMENT)
    state.act(domain.Action.DECISION, REFUND, OPENED + HOUR)
    assert "close" not in state.view().allowed_actions["operator"]
    with pytest.raises(Refused, match="has not accepted the outcome nor said they are satisfied"):
        state.act(domain.Action.CLOSE, domain.CloseRequest(OPERATOR), OPENED + 2 * HOUR)
    assert state.status is domain.Status.RESOLVED


def test_operator_closes_once_the_customer_accepted_the_proposal_and_says_so() -> None:
    state = opened()
    state.act(*MERCHANT_ANSWERS["propose"], OPENED + HOUR)
    state.act(domain.Action.ACCEPT_PROPOSAL, domain.ProposalAnswer(CUSTOMER), OPENED + HOUR)
    assert "close" in state.view().allowed_actions["operator"]
    step = state.act(
        domain.Action.CLOSE, domain.CloseRequest(OPERATOR, "Refund sent."), OPENED + 2 * HOUR
    )
    assert state.closed_reason is domain.ClosedReason.BY_PLATFORM
    assert closing_event(step) == {
        "reason": "by_platform",
        "note": "Refund sent.",
        "agreement": "proposal_accepted",
    }


def test_unanswered_satisfaction_window_closes_by_the_platform_saying_so() -> None:
    state = opened(domain.Subject.PAYMENT)
    state.act(domain.Action.DECISION, REFUND, OPENED + HOUR)
    step = state.advance(OPENED + HOUR + claims.POLICY.satisfaction_window)
    assert state.closed_reason is domain.ClosedReason.BY_PLATFORM
    assert closing_event(step)["agreement"] == "satisfaction_window_passed"


def test_edition_1_operator_still_closes_right_after_its_decision() -> None:
    state = opened(domain.Subject.PAYMENT, edition=1)
    state.act(domain.Action.DECISION, REFUND, OPENED + HOUR)
    step = state.act(domain.Action.CLOSE, domain.CloseRequest(OPERATOR), OPENED + 2 * HOUR)
    assert closing_event(step) == {"reason": "by_platform"}


# ---- mediation and court for every customer whose claim ends unsatisfied ----

REJECTION = domain.Decision(
    OPERATOR, domain.DecisionOutcome.REJECTED, note="Authorised with your card."
)
NOT_SATISFIED = domain.SatisfactionAnswer(CUSTOMER, False)
SETTINGS = Settings(mediator_name="Médiateur Exemple", mediator_url="https://mediateur.example")


def _rejected_then_window(state: ClaimState) -> list[Step]:
    return [
        state.act(domain.Action.DECISION, REJECTION, OPENED + HOUR),
        state.advance(OPENED + HOUR + claims.POLICY.satisfaction_window),
    ]


def _unsatisfied_three_times(state: ClaimState) -> list[Step]:
    steps = []
    for _ in range(3):
        steps.append(state.act(domain.Action.DECISION, REFUND, OPENED + HOUR))
        steps.append(state.act(domain.Action.SATISFACTION, NOT_SATISFIED, OPENED + HOUR))
    return steps


def _silence(state: ClaimState) -> list[Step]:
    return [state.advance(OPENED + 120 * DAY)]


def _satisfied(state: ClaimState) -> list[Step]:
    state.act(domain.Action.DECISION, REJECTION, OPENED + HOUR)
    return [
        state.act(
            domain.Action.SATISFACTION, domain.SatisfactionAnswer(CUSTOMER, True), OPENED + HOUR
        )
    ]


def _withdrawn(state: ClaimState) -> list[Step]:
    return [state.act(domain.Action.WITHDRAW, domain.CloseRequest(CUSTOMER), OPENED + HOUR)]


def _accepted_and_closed(state: ClaimState) -> list[Step]:
    state.act(*MERCHANT_ANSWERS["propose"], OPENED + HOUR)
    state.act(domain.Action.ACCEPT_PROPOSAL, domain.ProposalAnswer(CUSTOMER), OPENED + HOUR)
    return [state.act(domain.Action.CLOSE, domain.CloseRequest(OPERATOR), OPENED + HOUR)]


def _accepted_and_window_passed(state: ClaimState) -> list[Step]:
    state.act(*MERCHANT_ANSWERS["propose"], OPENED + HOUR)
    state.act(domain.Action.ACCEPT_PROPOSAL, domain.ProposalAnswer(CUSTOMER), OPENED + HOUR)
    return [state.advance(OPENED + HOUR + claims.POLICY.satisfaction_window)]


ENDINGS = {
    "rejected, window passed": (_rejected_then_window, True),
    "not satisfied at the last level": (_unsatisfied_three_times, True),
    "120 days of silence": (_silence, True),
    "satisfied with a rejection": (_satisfied, False),
    "withdrawn": (_withdrawn, False),
    "accepted proposal closed by the platform": (_accepted_and_closed, False),
    # Their own choice, left unanswered: as agreed as the platform's close of it.
    "accepted proposal, window passed": (_accepted_and_window_passed, False),
}


def closing_mail(steps: list[Step]) -> domain.MailOrder:
    return next(m for step in steps for m in step.mails if m.template is domain.Template.CLOSED)


@pytest.mark.parametrize("ending", list(ENDINGS))
def test_a_claim_ending_without_satisfaction_gives_the_customer_their_recourse(
    ending: str,
) -> None:
    path, owed = ENDINGS[ending]
    state = opened(domain.Subject.DELIVERY)
    order = closing_mail(path(state))
    assert state.is_closed
    assert ("recourse" in order.details) is owed
    mail = render(order, settings=SETTINGS, report="REPORT")
    assert ("Médiateur Exemple" in mail.body and "competent court" in mail.body) is owed


def test_edition_1_claims_close_without_the_recourse() -> None:
    state = opened(domain.Subject.PAYMENT, edition=1)
    assert "recourse" not in closing_mail(_rejected_then_window(state)).details


@pytest.mark.parametrize("locale", list(domain.Locale))
def test_the_report_of_an_unsatisfied_ending_names_the_mediator_and_the_court(
    locale: domain.Locale,
) -> None:
    state, opening = ClaimState.open(
        claims.under(2, replace(claims.claim_input(domain.Subject.PAYMENT), locale=locale))
    )
    steps = [opening, *_rejected_then_window(state)]
    events = [event for step in steps for event in step.events]
    text = render_report(ClaimReport(state.view(), events), Mediator.of(SETTINGS))
    assert "Médiateur Exemple" in text and "https://mediateur.example" in text
    assert ("competent court" if locale is domain.Locale.EN else "juridiction compétente") in text


def test_the_recourse_is_told_to_the_customer_stated_to_operators_and_not_the_merchants() -> None:
    claim = replace(claims.claim_input(domain.Subject.DELIVERY), locale=domain.Locale.FR)
    state, opening = ClaimState.open(claims.under(2, claim))
    steps = [opening, *_rejected_then_window(state)]
    events = [event for step in steps for event in step.events]
    report = ClaimReport(state.view(), events, merchant_locale=domain.Locale.EN)
    mediator = Mediator.of(SETTINGS)

    def text(role: domain.Role) -> str:
        return render_report(report_for(role, report, operator_locale=domain.Locale.FR), mediator)

    customer, merchant, operator = (
        text(domain.Role.CUSTOMER),
        text(domain.Role.MERCHANT),
        text(domain.Role.OPERATOR),
    )
    assert customer.startswith("Réclamation ") and "Vos recours" in customer
    assert "sans votre satisfaction" in customer
    # The merchant: in its own language, nothing addressed to the customer.
    assert merchant.startswith("Claim ") and "Médiateur Exemple" not in merchant
    assert "recourse" not in merchant.lower() and "recours" not in merchant.lower()
    # Operators: in theirs, what the customer was told, as a fact.
    assert operator.startswith("Réclamation ") and "Recours indiqués au client" in operator
    assert "Médiateur Exemple" in operator and "votre" not in operator


def test_the_report_of_a_satisfied_ending_has_no_recourse_section() -> None:
    state, opening = ClaimState.open(claims.under(2, claims.claim_input(domain.Subject.PAYMENT)))
    steps = [opening, *_satisfied(state)]
    events = [event for step in steps for event in step.events]
    text = render_report(ClaimReport(state.view(), events), Mediator.of(SETTINGS))
    assert "Médiateur Exemple" not in text and "recourse" not in text.lower()


def test_the_mediator_settings_are_placeholders_until_set() -> None:
    assert Settings().placeholders() == ["CLAIMDESK_MEDIATOR_NAME", "CLAIMDESK_MEDIATOR_URL"]
    assert SETTINGS.placeholders() == []


# ---- satisfaction with a degree ----


def test_the_satisfaction_answer_carries_its_rating_to_the_timeline_and_the_report() -> None:
    state, opening = ClaimState.open(claims.under(2, claims.claim_input(domain.Subject.PAYMENT)))
    decided = state.act(domain.Action.DECISION, REFUND, OPENED + HOUR)
    answer = domain.SatisfactionAnswer(CUSTOMER, True, rating=4)
    rated = state.act(domain.Action.SATISFACTION, answer, OPENED + 2 * HOUR)
    event = next(e for e in rated.events if e.kind == "satisfaction")
    assert event.details == {"verdict": "satisfied", "rating": "4"}
    events = [e for step in (opening, decided, rated) for e in step.events]
    text = render_report(ClaimReport(state.view(), events), Mediator.of(SETTINGS))
    assert "(answer: satisfied; rating: 4/5)" in text


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_a_rating_outside_1_to_5_is_refused_and_nothing_changes(rating: int) -> None:
    state = opened(domain.Subject.PAYMENT)
    state.act(domain.Action.DECISION, REFUND, OPENED + HOUR)
    with pytest.raises(Refused, match="a rating is from 1 to 5"):
        state.act(
            domain.Action.SATISFACTION,
            domain.SatisfactionAnswer(CUSTOMER, True, rating=rating),
            OPENED,
        )
    assert state.status is domain.Status.RESOLVED
