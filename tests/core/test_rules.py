"""The claim's rules, without Temporal: the ladder, the actions, the closings."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimdesk.core.details import EVENT_DETAILS, MAIL_DETAILS, DetailsMismatch
from claimdesk.core.domain import (
    Action,
    Answered,
    CarriedState,
    ClosedReason,
    CloseRequest,
    Deadline,
    Decision,
    DecisionOutcome,
    EventKind,
    InfoRequest,
    InternalNote,
    MerchantAction,
    MerchantResponse,
    PostMessage,
    Proposal,
    ProposalAnswer,
    ProposalKind,
    Recipient,
    Role,
    SatisfactionAnswer,
    Status,
    StrikeResult,
    Subject,
    Template,
)
from claimdesk.core.rules import ClaimState, Refused, Step
from tests.support.claims import (
    CUSTOMER,
    DAY,
    HOUR,
    MERCHANT,
    OPENED,
    OPERATOR,
    assert_mails_tell_only_what_the_recipient_sees,
    claim_input,
    every_path,
    opened,
)


def mails(step: Step) -> set[tuple[Template, Recipient]]:
    return {(m.template, m.recipient) for m in step.mails}


def kinds(step: Step) -> list[str]:
    return [e.kind for e in step.events]


def propose(amount: str = "49.90") -> MerchantResponse:
    proposal = Proposal(ProposalKind.REFUND, Decimal(amount))
    return MerchantResponse(MERCHANT, MerchantAction.PROPOSE, proposal=proposal)


def decide(outcome: DecisionOutcome = DecisionOutcome.REFUND, amount: str = "49.90") -> Decision:
    return Decision(OPERATOR, outcome, note="refund granted", amount=Decimal(amount))


# ---- opening ----


def test_payment_claim_is_acknowledged_and_routed_to_customer_service() -> None:
    _, step = ClaimState.open(claim_input(Subject.PAYMENT))
    assert kinds(step) == ["opened", "routed"]
    assert mails(step) == {
        (Template.ACKNOWLEDGEMENT, Recipient.CUSTOMER),
        (Template.NEW_CLAIM_OPERATORS, Recipient.OPERATORS),
    }


def test_delivery_claim_goes_to_merchant_with_its_deadline_and_platform_is_informed() -> None:
    state, step = ClaimState.open(claim_input(Subject.DELIVERY))
    assert mails(step) == {
        (Template.ACKNOWLEDGEMENT, Recipient.CUSTOMER),
        (Template.NEW_CLAIM_MERCHANT, Recipient.MERCHANT),
        (Template.NEW_CLAIM_OPERATORS, Recipient.OPERATORS),
    }
    notice = next(m for m in step.mails if m.template is Template.NEW_CLAIM_MERCHANT)
    assert notice.details["respond_by"] == (OPENED + 24 * HOUR).isoformat()
    assert state.view().next_deadline == OPENED + 24 * HOUR
    assert state.view().next_deadline_kind is Deadline.LEVEL2


def test_every_mail_has_a_distinct_key_per_event_template_and_recipient() -> None:
    _, step = ClaimState.open(claim_input(Subject.DELIVERY))
    keys = [m.key for m in step.mails]
    assert len(keys) == len(set(keys))
    assert all(key.startswith("CLM-TEST-0001/") for key in keys)


# ---- the escalation ladder ----


@pytest.mark.parametrize("subject", list(Subject))
def test_nothing_happens_before_24_hours(subject: Subject) -> None:
    state = opened(subject)
    step = state.advance(OPENED + 24 * HOUR - timedelta(seconds=1))
    assert step.events == [] and state.level == 1


@pytest.mark.parametrize("subject", list(Subject))
def test_unresolved_claim_reaches_level_2_after_24_hours_and_customer_is_told(
    subject: Subject,
) -> None:
    state = opened(subject)
    step = state.advance(OPENED + 24 * HOUR)
    assert state.level == 2
    assert (Template.ESCALATED, Recipient.CUSTOMER) in mails(step)


def test_merchant_silent_for_24h_gets_reminder_and_customer_is_told_their_rights() -> None:
    state = opened(Subject.DELIVERY)
    step = state.advance(OPENED + 24 * HOUR)
    assert (Template.MERCHANT_REMINDER, Recipient.MERCHANT) in mails(step)
    escalated = next(m for m in step.mails if m.template is Template.ESCALATED)
    assert escalated.details["merchant_silent"] == "yes"


def test_merchant_who_answered_gets_no_reminder() -> None:
    state = opened(Subject.DELIVERY)
    state.act(
        Action.MERCHANT_RESPONSE,
        MerchantResponse(MERCHANT, MerchantAction.ACKNOWLEDGE),
        OPENED + HOUR,
    )
    step = state.advance(OPENED + 24 * HOUR)
    assert (Template.MERCHANT_REMINDER, Recipient.MERCHANT) not in mails(step)
    assert state.level == 2


@pytest.mark.parametrize("subject", list(Subject))
def test_unresolved_claim_reaches_level_3_after_48_hours(subject: Subject) -> None:
    state = opened(subject)
    state.advance(OPENED + 24 * HOUR)
    step = state.advance(OPENED + 48 * HOUR)
    assert state.level == 3
    assert kinds(step) == ["escalated"]
    assert (Template.MERCHANT_REMINDER, Recipient.MERCHANT) not in mails(step)


def test_silent_merchant_gets_a_strike_when_the_resolution_target_passes() -> None:
    state = opened(Subject.DELIVERY)
    step = state.advance(OPENED + 5 * DAY)  # all three rungs at once, in order
    assert [e.details.get("level") for e in step.events if e.kind == "escalated"] == ["2", "3"]
    assert state.sla_breached and step.strike
    assert (Template.SLA_BREACHED, Recipient.OPERATORS) in mails(step)
    strike = state.strike_recorded(StrikeResult(3, True, True), OPENED + 5 * DAY)
    assert kinds(strike) == ["merchant_strike", "merchant_restricted"]
    assert mails(strike) == {(Template.MERCHANT_STRIKE, Recipient.MERCHANT)}


def test_payment_claim_past_resolution_target_is_breached_without_strike() -> None:
    state = opened(Subject.PAYMENT)
    step = state.advance(OPENED + 5 * DAY)
    assert state.sla_breached and not step.strike and state.level == 3


def test_merchant_who_answered_gets_no_strike_when_target_passes() -> None:
    state = opened(Subject.DELIVERY)
    state.act(
        Action.MERCHANT_RESPONSE,
        MerchantResponse(MERCHANT, MerchantAction.ACKNOWLEDGE),
        OPENED + HOUR,
    )
    step = state.advance(OPENED + 5 * DAY)
    assert state.sla_breached and not step.strike


def test_ladder_step_reached_after_resolution_does_nothing() -> None:
    state = opened(Subject.PAYMENT)
    state.act(Action.DECISION, decide(), OPENED + HOUR)
    step = state.advance(OPENED + 5 * DAY)
    assert state.level == 1 and not state.sla_breached
    assert step.mails == [] and all(e.kind != "escalated" for e in step.events)
    assert state.view().next_deadline_kind is Deadline.SATISFACTION


def test_rung_of_a_level_already_reached_by_reopening_tells_nobody_again() -> None:
    state = opened(Subject.PAYMENT)
    for _ in range(2):  # decided twice, unsatisfied twice: level 3 within the first hour
        state.act(Action.DECISION, decide(), OPENED + HOUR)
        state.act(Action.SATISFACTION, SatisfactionAnswer(CUSTOMER, False), OPENED + HOUR)
    assert state.level == 3
    assert state.view().next_deadline_kind is Deadline.RESOLUTION_TARGET
    step = state.advance(OPENED + 48 * HOUR)
    assert step.events == [] and step.mails == [] and state.level == 3


def test_level2_rung_still_reminds_a_silent_merchant_on_a_claim_already_at_level_2() -> None:
    state = opened(Subject.DELIVERY)
    state.act(Action.REQUEST_INFO, InfoRequest(OPERATOR, "Photos?"), OPENED + HOUR)
    state.level = 2  # as if the platform had taken the claim up a level already
    step = state.advance(OPENED + 24 * HOUR)
    assert mails(step) == {(Template.MERCHANT_REMINDER, Recipient.MERCHANT)}


# ---- actions ----


def test_merchant_answering_a_payment_claim_is_refused_and_nothing_changes() -> None:
    state = opened(Subject.PAYMENT)
    before = copy.deepcopy(state.view())
    with pytest.raises(Refused, match="payment"):
        state.act(Action.MERCHANT_RESPONSE, propose(), OPENED + HOUR)
    assert state.view() == before


def test_proposal_waits_for_the_customer_who_accepts_it_and_the_claim_is_resolved() -> None:
    state = opened()
    step = state.act(Action.MERCHANT_RESPONSE, propose("20.00"), OPENED + HOUR)
    assert state.status is Status.AWAITING_CUSTOMER
    assert (Template.PROPOSAL, Recipient.CUSTOMER) in mails(step)
    step = state.act(Action.ACCEPT_PROPOSAL, ProposalAnswer(CUSTOMER), OPENED + 2 * HOUR)
    assert state.status is Status.RESOLVED
    assert state.outcome is not None and state.outcome.amount == Decimal("20.00")
    assert mails(step) == {
        (Template.PROPOSAL_ANSWERED, Recipient.MERCHANT),
        (Template.RESOLVED, Recipient.CUSTOMER),
    }


def test_rejected_proposal_escalates_to_the_platform() -> None:
    state = opened()
    state.act(Action.MERCHANT_RESPONSE, propose(), OPENED + HOUR)
    step = state.act(
        Action.REJECT_PROPOSAL, ProposalAnswer(CUSTOMER, "too little"), OPENED + 2 * HOUR
    )
    assert state.level == 2 and state.status is Status.OPEN and state.proposal is None
    assert (Template.PROPOSAL_ANSWERED, Recipient.OPERATORS) in mails(step)


def test_refund_proposal_above_the_transaction_amount_is_refused() -> None:
    with pytest.raises(Refused, match="at most"):
        opened().act(Action.MERCHANT_RESPONSE, propose("49.91"), OPENED + HOUR)


def test_accepting_without_a_proposal_is_refused() -> None:
    with pytest.raises(Refused, match="no proposal"):
        opened().act(Action.ACCEPT_PROPOSAL, ProposalAnswer(CUSTOMER), OPENED + HOUR)


def test_info_request_puts_the_claim_in_the_customers_hands_until_they_write() -> None:
    state = opened(Subject.PAYMENT)
    step = state.act(Action.REQUEST_INFO, InfoRequest(OPERATOR, "Bank statement?"), OPENED + HOUR)
    assert state.status is Status.AWAITING_CUSTOMER
    assert mails(step) == {(Template.INFO_REQUESTED, Recipient.CUSTOMER)}
    step = state.act(Action.MESSAGE, PostMessage(CUSTOMER, "Attached."), OPENED + 2 * HOUR)
    assert state.status is Status.OPEN
    assert mails(step) == {(Template.MESSAGE, Recipient.OPERATORS)}


def test_merchant_can_ask_the_customer_for_information() -> None:
    state = opened()
    ask = MerchantResponse(MERCHANT, MerchantAction.REQUEST_INFO, message="Tracking number?")
    state.act(Action.MERCHANT_RESPONSE, ask, OPENED + HOUR)
    assert state.status is Status.AWAITING_CUSTOMER and state.merchant_answered


def test_partial_refund_must_be_less_than_the_transaction() -> None:
    with pytest.raises(Refused, match="partial"):
        opened(Subject.PAYMENT).act(
            Action.DECISION, decide(DecisionOutcome.PARTIAL_REFUND, "49.90"), OPENED + HOUR
        )


def test_operator_closes_only_after_a_decision() -> None:
    state = opened(Subject.PAYMENT)
    with pytest.raises(Refused, match="after a decision"):
        state.act(Action.CLOSE, CloseRequest(OPERATOR), OPENED + HOUR)
    step = state.act(Action.DECISION, decide(DecisionOutcome.REJECTED, "1"), OPENED + HOUR)
    assert (Template.DECISION, Recipient.MERCHANT) in mails(step)
    state.act(Action.CLOSE, CloseRequest(OPERATOR, "done"), OPENED + 2 * HOUR)
    assert state.closed_reason is ClosedReason.BY_PLATFORM


@pytest.mark.parametrize(
    ("action", "reason"),
    [(Action.CLOSE, ClosedReason.BY_CUSTOMER), (Action.WITHDRAW, ClosedReason.WITHDRAWN)],
)
def test_customer_closes_or_withdraws_at_any_time(action: Action, reason: ClosedReason) -> None:
    state = opened()
    step = state.act(action, CloseRequest(CUSTOMER), OPENED + HOUR)
    assert state.status is Status.CLOSED and state.closed_reason is reason
    assert (Template.CLOSED, Recipient.CUSTOMER) in mails(step)
    assert state.deadlines() == [] and state.view().allowed_actions == {
        "customer": [],
        "merchant": [],
        "operator": [],
    }


def test_anyone_acting_on_a_closed_claim_is_refused() -> None:
    state = opened()
    state.act(Action.WITHDRAW, CloseRequest(CUSTOMER), OPENED + HOUR)
    for actor in (CUSTOMER, MERCHANT, OPERATOR):
        with pytest.raises(Refused, match="closed"):
            state.act(Action.MESSAGE, PostMessage(actor, "hello?"), OPENED + 2 * HOUR)


def test_allowed_actions_say_what_each_role_may_do_now() -> None:
    state = opened()
    view = state.view().allowed_actions
    assert view["customer"] == ["message", "close", "withdraw"]
    assert view["merchant"] == ["message", "merchant_response"]
    assert view["operator"] == ["message", "decision", "request_info", "internal_note"]
    state.act(Action.MERCHANT_RESPONSE, propose(), OPENED + HOUR)
    assert "accept_proposal" in state.view().allowed_actions["customer"]
    assert opened(Subject.PAYMENT).view().allowed_actions["merchant"] == []


# ---- satisfaction, mediation, automatic closing ----


def test_satisfied_customer_closes_the_claim() -> None:
    state = opened(Subject.PAYMENT)
    state.act(Action.DECISION, decide(), OPENED + HOUR)
    step = state.act(Action.SATISFACTION, SatisfactionAnswer(CUSTOMER, True), OPENED + 2 * HOUR)
    assert state.closed_reason is ClosedReason.BY_CUSTOMER
    assert (Template.CLOSED, Recipient.CUSTOMER) in mails(step)


def test_unanswered_satisfaction_request_closes_after_the_window() -> None:
    state = opened(Subject.PAYMENT)
    state.act(Action.DECISION, decide(), OPENED + HOUR)
    assert state.advance(OPENED + HOUR + 7 * DAY - timedelta(seconds=1)).events == []
    state.advance(OPENED + HOUR + 7 * DAY)
    assert state.closed_reason is ClosedReason.BY_PLATFORM


def test_unsatisfied_customer_reopens_one_level_up_then_is_referred_to_mediation() -> None:
    state = opened(Subject.PAYMENT)
    for expected_level in (2, 3):
        state.act(Action.DECISION, decide(), OPENED + HOUR)
        step = state.act(Action.SATISFACTION, SatisfactionAnswer(CUSTOMER, False), OPENED + HOUR)
        assert state.status is Status.OPEN and state.level == expected_level
        assert (Template.REOPENED, Recipient.OPERATORS) in mails(step)
        assert state.outcome is None
    state.act(Action.DECISION, decide(), OPENED + 2 * HOUR)
    step = state.act(Action.SATISFACTION, SatisfactionAnswer(CUSTOMER, False), OPENED + 3 * HOUR)
    assert state.closed_reason is ClosedReason.REFERRED_TO_MEDIATION
    assert (Template.MEDIATION, Recipient.CUSTOMER) in mails(step)


def test_claim_closes_after_120_days_without_communication() -> None:
    state = opened(bought=DAY)
    state.act(Action.MESSAGE, PostMessage(MERCHANT, "We are looking."), OPENED + 10 * DAY)
    state.advance(OPENED + 129 * DAY)
    assert not state.is_closed  # the merchant's message moved the inactivity deadline
    state.advance(OPENED + 130 * DAY)
    assert state.closed_reason is ClosedReason.INACTIVITY


def test_claim_closes_180_days_after_the_transaction() -> None:
    state = opened(bought=100 * DAY)
    state.act(Action.MESSAGE, PostMessage(OPERATOR, "Investigating."), OPENED + 70 * DAY)
    state.advance(OPENED + 80 * DAY)
    assert state.closed_reason is ClosedReason.TRANSACTION_HORIZON


def test_transaction_horizon_waits_while_the_customer_is_owed_an_answer() -> None:
    state = opened(bought=100 * DAY)
    state.act(Action.MESSAGE, PostMessage(CUSTOMER, "Any news?"), OPENED + 70 * DAY)
    state.advance(OPENED + 85 * DAY)
    assert not state.is_closed
    state.act(Action.MESSAGE, PostMessage(MERCHANT, "Refund on its way."), OPENED + 86 * DAY)
    state.advance(OPENED + 86 * DAY)
    assert state.closed_reason is ClosedReason.TRANSACTION_HORIZON


# ---- details: what each event and e-mail carries is declared ----


def assert_declared(step: Step) -> None:
    for event in step.events:
        EVENT_DETAILS[event.kind].check(event.details, event)
    for order in step.mails:
        MAIL_DETAILS[order.template].check(order.details, order.key)


def test_the_rules_record_every_event_kind_with_every_detail_it_may_carry() -> None:
    carried: dict[EventKind, set[str]] = {}
    for step in every_path():
        assert_declared(step)
        for event in step.events:
            carried.setdefault(event.kind, set()).update(event.details)
    assert carried == {kind: set(keys.names) for kind, keys in EVENT_DETAILS.items()}


def test_details_the_rules_do_not_declare_fail_at_once() -> None:
    state = opened()
    with pytest.raises(DetailsMismatch, match="event message: missing \\['body'\\]"):
        state.record_event(OPENED, Role.CUSTOMER, EventKind.MESSAGE, text="hello")
    with pytest.raises(DetailsMismatch, match="not declared \\['reply_by'\\]"):
        state.order_mail(
            1, Template.MERCHANT_REMINDER, Recipient.MERCHANT, respond_by="x", reply_by="y"
        )


# ---- properties ----

ACTORS = st.sampled_from([CUSTOMER, MERCHANT, OPERATOR])
MESSAGES = st.one_of(
    st.builds(lambda a: (Action.MESSAGE, PostMessage(a, "hi")), ACTORS),
    st.builds(
        lambda kind: (Action.MERCHANT_RESPONSE, MerchantResponse(MERCHANT, kind, "m", None, "r")),
        st.sampled_from(list(MerchantAction)),
    ),
    st.just((Action.MERCHANT_RESPONSE, propose("10"))),
    st.just((Action.ACCEPT_PROPOSAL, ProposalAnswer(CUSTOMER))),
    st.just((Action.REJECT_PROPOSAL, ProposalAnswer(CUSTOMER))),
    st.builds(lambda a: (Action.CLOSE, CloseRequest(a)), ACTORS),
    st.just((Action.WITHDRAW, CloseRequest(CUSTOMER))),
    st.builds(lambda s: (Action.SATISFACTION, SatisfactionAnswer(CUSTOMER, s)), st.booleans()),
    st.just((Action.DECISION, decide())),
    st.just((Action.REQUEST_INFO, InfoRequest(OPERATOR, "?"))),
    st.just((Action.INTERNAL_NOTE, InternalNote(OPERATOR, "n"))),
)
MOVES = st.lists(
    st.one_of(MESSAGES, st.integers(min_value=1, max_value=24 * 200).map(lambda h: h * HOUR)),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(subject=st.sampled_from(list(Subject)), moves=MOVES)
def test_any_history_keeps_the_claim_consistent(subject: Subject, moves: list[object]) -> None:
    state = opened(subject, bought=DAY)
    now = OPENED
    seqs: list[int] = []
    levels_announced: list[int] = []
    for move in moves:
        if isinstance(move, timedelta):
            now += move
            step = state.advance(now)
        else:
            action, message = move  # type: ignore[misc]
            before = copy.deepcopy(state.view())
            refusal = state.refusal(action, message)
            allowed = action.value in before.allowed_actions[message.actor.role.value]
            try:
                step = state.act(action, message, now)
            except Refused:
                assert refusal is not None and state.view() == before
                continue
            assert allowed and refusal is None
        seqs += [e.seq for e in step.events]
        assert_declared(step)
        assert_mails_tell_only_what_the_recipient_sees(step)
        levels_announced += [
            int(e.details["level"]) for e in step.events if e.kind in ("escalated", "reopened")
        ]
        assert 1 <= state.level <= 3
        assert (state.closed_reason is not None) == state.is_closed
        assert (state.outcome is not None) == (state.status is Status.RESOLVED) or state.is_closed
        deadline = state.next_timer()
        assert state.is_closed or deadline is not None
        if isinstance(move, timedelta):
            # Only advancing fires deadlines: an action may leave one due (an answer owed to
            # the customer given past the transaction horizon), which the workflow fires at once.
            assert state.is_closed or deadline > now
    assert seqs == sorted(seqs) and len(seqs) == len(set(seqs))
    assert levels_announced == sorted(set(levels_announced))  # each level announced once


def test_a_claim_handed_to_a_fresh_run_is_the_same_claim() -> None:
    state = opened()
    state.advance(OPENED + 25 * HOUR)
    state.act(Action.MESSAGE, PostMessage(CUSTOMER, "Still nothing."), OPENED + 26 * HOUR)
    resumed = ClaimState.resume(state.handover())
    assert resumed == state
    assert resumed.view() == state.view()
    assert resumed.deadlines() == state.deadlines()
    later = OPENED + 5 * DAY
    assert [e.kind for e in resumed.advance(later).events] == [
        e.kind for e in state.advance(later).events
    ]


def test_every_field_a_run_hands_over_is_a_field_of_the_claim_state() -> None:
    state_fields = {f.name for f in dataclasses.fields(ClaimState)}
    carried = {f.name for f in dataclasses.fields(CarriedState)} - {"answered"}
    assert carried <= state_fields


def test_the_updates_answered_lately_go_with_the_hand_over() -> None:
    answered = [Answered("update-1", OPENED + HOUR)]
    carried = opened().handover(answered).carried
    assert carried is not None and carried.answered == answered


@settings(max_examples=200, deadline=None)
@given(subject=st.sampled_from(list(Subject)), moves=MOVES)
def test_any_claim_handed_over_and_resumed_is_the_same_claim(
    subject: Subject, moves: list[object]
) -> None:
    state = opened(subject, bought=DAY)
    now = OPENED
    for move in moves:
        if isinstance(move, timedelta):
            now += move
            state.advance(now)
        else:
            action, message = move  # type: ignore[misc]
            with contextlib.suppress(Refused):
                state.act(action, message, now)
    if state.is_closed:
        return  # a closed claim never hands over
    resumed = ClaimState.resume(state.handover())
    assert resumed == state
    assert resumed.view() == state.view() and resumed.deadlines() == state.deadlines()
