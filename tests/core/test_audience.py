"""Who sees which event of a claim, and that the e-mails tell nobody what they may not see."""

from __future__ import annotations

import pytest

from claimdesk.core.audience import (
    details_for,
    report_for,
    sees,
    sees_customer_phone,
    sees_description,
    timeline_for,
    updated_at_for,
)
from claimdesk.core.domain import (
    Action,
    CloseRequest,
    Contact,
    EventKind,
    InternalNote,
    PostMessage,
    Role,
    Subject,
    TimelineEvent,
)
from claimdesk.core.report import ClaimReport, render_report
from claimdesk.core.rules import ClaimState
from tests.support import claims
from tests.support.claims import CUSTOMER, HOUR, OPENED, OPERATOR, opened


def test_every_email_the_rules_send_is_about_an_event_its_recipient_sees() -> None:
    for step in claims.every_path():
        claims.assert_mails_tell_only_what_the_recipient_sees(step)


@pytest.mark.parametrize("subject", list(Subject))
@pytest.mark.parametrize("kind", list(EventKind))
def test_operators_see_every_event(subject: Subject, kind: EventKind) -> None:
    assert sees(Role.OPERATOR, subject, kind)


@pytest.mark.parametrize("subject", list(Subject))
@pytest.mark.parametrize(
    "kind", [EventKind.MERCHANT_STRIKE, EventKind.MERCHANT_RESTRICTED, EventKind.INTERNAL_NOTE]
)
def test_customers_never_see_merchant_standing_or_internal_notes(
    subject: Subject, kind: EventKind
) -> None:
    assert not sees(Role.CUSTOMER, subject, kind)


def test_the_merchant_of_a_payment_claim_sees_its_opening_the_decision_and_the_closing() -> None:
    seen = {kind for kind in EventKind if sees(Role.MERCHANT, Subject.PAYMENT, kind)}
    assert seen == {EventKind.OPENED, EventKind.DECISION, EventKind.CLOSED}


def test_the_merchant_of_a_delivery_claim_sees_all_but_what_only_operators_see() -> None:
    hidden = {kind for kind in EventKind if not sees(Role.MERCHANT, Subject.DELIVERY, kind)}
    assert hidden == {
        EventKind.INTERNAL_NOTE,
        EventKind.MAIL_UNDELIVERABLE,
        EventKind.FINDINGS_OVERDUE,
    }


def test_the_merchant_of_a_payment_claim_reads_why_it_closed_not_the_note_closing_it() -> None:
    details = {"reason": "withdrawn", "note": "My bank found the fraud"}
    assert details_for(Role.MERCHANT, Subject.PAYMENT, "closed", details) == {"reason": "withdrawn"}
    for role, subject in ((Role.CUSTOMER, Subject.PAYMENT), (Role.MERCHANT, Subject.DELIVERY)):
        assert details_for(role, subject, "closed", details) == details
    decision = {"outcome": "rejected", "note": "PIN used"}
    assert details_for(Role.MERCHANT, Subject.PAYMENT, "decision", decision) == decision


def test_the_report_carries_the_details_each_party_reads() -> None:
    state = opened(Subject.PAYMENT)
    steps = [state.act(Action.WITHDRAW, CloseRequest(CUSTOMER, "Bank sorted it"), OPENED + HOUR)]
    report = ClaimReport(claim=state.view(), timeline=[e for s in steps for e in s.events])
    assert "Bank sorted it" in render_report(report_for(Role.CUSTOMER, report))
    merchants = render_report(report_for(Role.MERCHANT, report))
    assert "Bank sorted it" not in merchants and "withdrawn" in merchants


def test_a_kind_these_rules_do_not_know_is_shown_to_operators_only() -> None:
    assert sees(Role.OPERATOR, Subject.DELIVERY, "kind_from_the_future")
    assert not sees(Role.CUSTOMER, Subject.DELIVERY, "kind_from_the_future")
    assert not sees(Role.MERCHANT, Subject.DELIVERY, "kind_from_the_future")


def test_a_payment_claims_exchanges_are_cut_from_the_merchants_timeline() -> None:
    timeline = [
        event
        for step in claims.every_path()
        for event in step.events
        if step.mails and step.mails[0].claim.subject is Subject.PAYMENT
    ]
    kinds = {event.kind for event in timeline_for(Role.MERCHANT, Subject.PAYMENT, timeline)}
    assert EventKind.MESSAGE not in kinds and EventKind.INFO_REQUESTED not in kinds
    assert EventKind.DECISION in kinds


def test_an_internal_note_is_on_the_timeline_for_operators_only_and_emails_nobody() -> None:
    state = opened(Subject.PAYMENT)
    before = state.last_activity_at
    step = state.act(Action.INTERNAL_NOTE, InternalNote(OPERATOR, "ID checked."), OPENED + HOUR)
    [event] = step.events
    assert (event.kind, event.actor, event.details) == (
        EventKind.INTERNAL_NOTE,
        Role.OPERATOR,
        {"note": "ID checked."},
    )
    assert step.mails == []
    assert state.last_activity_at == before  # not a communication with the parties
    assert timeline_for(Role.CUSTOMER, Subject.PAYMENT, step.events) == []
    assert timeline_for(Role.OPERATOR, Subject.PAYMENT, step.events) == step.events


def test_only_operators_may_write_internal_notes() -> None:
    state = opened()
    assert "internal_note" in state.view().allowed_actions["operator"]
    assert "internal_note" not in state.view().allowed_actions["customer"]
    assert "internal_note" not in state.view().allowed_actions["merchant"]
    assert state.refusal(Action.INTERNAL_NOTE, InternalNote(CUSTOMER, "x")) is not None


def test_a_customer_message_stays_on_the_customers_timeline() -> None:
    state = opened()
    step = state.act(Action.MESSAGE, PostMessage(CUSTOMER, "Hello"), OPENED + HOUR)
    event: TimelineEvent = step.events[0]
    assert timeline_for(Role.CUSTOMER, Subject.DELIVERY, [event]) == [event]


@pytest.mark.parametrize("subject", list(Subject))
@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.MERCHANT, Role.OPERATOR])
def test_the_merchant_of_a_payment_claim_does_not_read_the_customers_description(
    role: Role, subject: Subject
) -> None:
    reads = role is not Role.MERCHANT or subject is Subject.DELIVERY
    assert sees_description(role, subject) is reads


# ---- the customer's phone ----


@pytest.mark.parametrize(
    ("role", "shared", "reads"),
    [
        (Role.CUSTOMER, False, True),
        (Role.OPERATOR, False, True),
        (Role.MERCHANT, False, False),
        (Role.MERCHANT, True, True),
    ],
)
def test_the_merchant_reads_the_customers_phone_only_if_they_shared_it(
    role: Role, shared: bool, reads: bool
) -> None:
    assert sees_customer_phone(role, shared) is reads


@pytest.mark.parametrize("shared", [False, True])
def test_the_claim_and_its_report_carry_the_phone_to_whom_may_read_it(shared: bool) -> None:
    claim = claims.claim_input()
    claim.contact = Contact("Ana", "ana@example.com", "+33 6 12 34 56 78", shared)
    state, _ = ClaimState.open(claim)
    view = state.view()
    assert (view.customer_phone, view.customer_shares_phone) == ("+33 6 12 34 56 78", shared)
    report = ClaimReport(claim=view, timeline=[])
    for role in (Role.CUSTOMER, Role.OPERATOR):
        assert "Phone:" in render_report(report_for(role, report))
        assert "+33 6 12 34 56 78" in render_report(report_for(role, report))
    assert ("+33 6 12 34 56 78" in render_report(report_for(Role.MERCHANT, report))) is shared


def test_a_claim_without_a_phone_has_no_phone_line() -> None:
    report = ClaimReport(claim=opened().view(), timeline=[])
    assert "Phone" not in render_report(report_for(Role.OPERATOR, report))


# ---- no trace of what a party does not read ----


def test_a_party_reads_its_timeline_numbered_from_one_and_changed_at_its_last_event() -> None:
    state = opened(Subject.PAYMENT)
    events = _payment_claim_events(state)
    report = ClaimReport(claim=state.view(), timeline=events)
    for role in (Role.CUSTOMER, Role.MERCHANT, Role.OPERATOR):
        seqs = [event.seq for event in report_for(role, report).timeline]
        assert seqs == list(range(1, len(seqs) + 1)), role
    last = {event.kind.value: event.at for event in events}
    when = {
        role: updated_at_for(
            role,
            Subject.PAYMENT,
            updated_at=state.view().updated_at,
            opened_at=OPENED,
            last_by_kind=last,
        )
        for role in (Role.CUSTOMER, Role.MERCHANT, Role.OPERATOR)
    }
    # A note came last: only operators read it, and only for them did the claim change.
    assert when[Role.OPERATOR] == OPENED + 4 * HOUR
    assert when[Role.CUSTOMER] == OPENED + 3 * HOUR
    assert when[Role.MERCHANT] == OPENED


def _payment_claim_events(state: ClaimState) -> list[TimelineEvent]:
    """The events of the payment claim `state` (just opened): its opening, the customer's
    message, a note, an operator's message, another note."""
    _, opening = ClaimState.open(state.input)
    steps = [
        opening,
        state.act(Action.MESSAGE, PostMessage(CUSTOMER, "Stolen card"), OPENED + HOUR),
        state.act(Action.INTERNAL_NOTE, InternalNote(OPERATOR, "Same IP"), OPENED + 2 * HOUR),
        state.act(Action.MESSAGE, PostMessage(OPERATOR, "Checking"), OPENED + 3 * HOUR),
        state.act(Action.INTERNAL_NOTE, InternalNote(OPERATOR, "Bank"), OPENED + 4 * HOUR),
    ]
    return [event for step in steps for event in step.events]
