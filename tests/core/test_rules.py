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

from claimdesk.core import domain
from claimdesk.core.details import EVENT_DETAILS, MAIL_DETAILS, DetailsMismatch
from claimdesk.core.rules import ClaimState, Refused, Step
from tests.support import claims
from tests.support.claims import CUSTOMER, DAY, HOUR, MERCHANT, OPENED, OPERATOR, opened


def mails(step: Step) -> set[tuple[domain.Template, domain.Recipient]]:
    return {(m.template, m.recipient) for m in step.mails}


def kinds(step: Step) -> list[str]:
    return [e.kind for e in step.events]


def propose(amount: str = "49.90") -> domain.MerchantResponse:
    proposal = domain.Proposal(domain.ProposalKind.REFUND, Decimal(amount))
    return domain.MerchantResponse(MERCHANT, domain.MerchantAction.PROPOSE, proposal=proposal)


def decide(
    outcome: domain.DecisionOutcome = domain.DecisionOutcome.REFUND, amount: str = "49.90"
) -> domain.Decision:
    return domain.Decision(OPERATOR, outcome, note="refund granted", amount=Decimal(amount))


# ---- opening ----


def test_payment_claim_is_acknowledged_and_routed_to_customer_service() -> None:
    _, step = ClaimState.open(claims.claim_input(domain.Subject.PAYMENT))
    assert kinds(step) == ["opened", "routed"]
    assert mails(step) == {
        (domain.Template.ACKNOWLEDGEMENT, domain.Recipient.CUSTOMER),
        (domain.Template.NEW_CLAIM_OPERATORS, domain.Recipient.OPERATORS),
    }


def test_delivery_claim_goes_to_merchant_with_its_deadline_and_platform_is_informed() -> None:
    state, step = ClaimState.open(claims.claim_input(domain.Subject.DELIVERY))
    assert mails(step) == {
        (domain.Template.ACKNOWLEDGEMENT, domain.Recipient.CUSTOMER),
        (domain.Template.NEW_CLAIM_MERCHANT, domain.Recipient.MERCHANT),
        (domain.Template.NEW_CLAIM_OPERATORS, domain.Recipient.OPERATORS),
    }
    notice = next(m for m in step.mails if m.template is domain.Template.NEW_CLAIM_MERCHANT)
    assert notice.details["respond_by"] == (OPENED + 24 * HOUR).isoformat()
    assert state.view().next_deadline == OPENED + 24 * HOUR
    assert state.view().next_deadline_kind is domain.Deadline.LEVEL2


def test_every_mail_has_a_distinct_key_per_event_template_and_recipient() -> None:
    _, step = ClaimState.open(claims.claim_input(domain.Subject.DELIVERY))
    keys = [m.key for m in step.mails]
    assert len(keys) == len(set(keys))
    assert all(key.startswith("CLM-TEST-0001/") for key in keys)


# ---- the escalation ladder ----


@pytest.mark.parametrize("subject", list(domain.Subject))
def test_nothing_happens_before_24_hours(subject: domain.Subject) -> None:
    state = opened(subject)
    step = state.advance(OPENED + 24 * HOUR - timedelta(seconds=1))
    assert step.events == [] and state.level == 1


@pytest.mark.parametrize("subject", list(domain.Subject))
def test_unresolved_claim_reaches_level_2_after_24_hours_and_customer_is_told(
    subject: domain.Subject,
) -> None:
    state = opened(subject)
    step = state.advance(OPENED + 24 * HOUR)
    assert state.level == 2
    assert (domain.Template.ESCALATED, domain.Recipient.CUSTOMER) in mails(step)


def test_merchant_silent_for_24h_gets_reminder_and_customer_is_told_their_rights() -> None:
    state = opened(domain.Subject.DELIVERY)
    step = state.advance(OPENED + 24 * HOUR)
    assert (domain.Template.MERCHANT_REMINDER, domain.Recipient.MERCHANT) in mails(step)
    escalated = next(m for m in step.mails if m.template is domain.Template.ESCALATED)
    assert escalated.details["merchant_silent"] == "yes"


def acknowledged() -> ClaimState:
    """A delivery claim its merchant acknowledged in the first hour."""
    state = opened(domain.Subject.DELIVERY)
    state.act(
        domain.Action.MERCHANT_RESPONSE,
        domain.MerchantResponse(MERCHANT, domain.MerchantAction.ACKNOWLEDGE),
        OPENED + HOUR,
    )
    return state


def test_merchant_who_answered_gets_no_reminder() -> None:
    state = acknowledged()
    step = state.advance(OPENED + 24 * HOUR)
    assert (domain.Template.MERCHANT_REMINDER, domain.Recipient.MERCHANT) not in mails(step)
    assert state.level == 2


@pytest.mark.parametrize("subject", list(domain.Subject))
def test_unresolved_claim_reaches_level_3_after_48_hours(subject: domain.Subject) -> None:
    state = opened(subject)
    state.advance(OPENED + 24 * HOUR)
    step = state.advance(OPENED + 48 * HOUR)
    assert state.level == 3
    assert kinds(step) == ["escalated"]
    assert (domain.Template.MERCHANT_REMINDER, domain.Recipient.MERCHANT) not in mails(step)


def test_silent_merchant_gets_a_strike_when_the_resolution_target_passes() -> None:
    state = opened(domain.Subject.DELIVERY)
    step = state.advance(OPENED + 5 * DAY)  # all three rungs at once, in order
    assert [e.details.get("level") for e in step.events if e.kind == "escalated"] == ["2", "3"]
    assert state.sla_breached and step.strike
    assert (domain.Template.SLA_BREACHED, domain.Recipient.OPERATORS) in mails(step)
    strike = state.strike_recorded(domain.StrikeResult(3, True, True), OPENED + 5 * DAY)
    assert kinds(strike) == ["merchant_strike", "merchant_restricted"]
    assert mails(strike) == {(domain.Template.MERCHANT_STRIKE, domain.Recipient.MERCHANT)}


def test_payment_claim_past_resolution_target_is_breached_without_strike() -> None:
    state = opened(domain.Subject.PAYMENT)
    step = state.advance(OPENED + 5 * DAY)
    assert state.sla_breached and not step.strike and state.level == 3


def test_merchant_who_answered_gets_no_strike_when_target_passes() -> None:
    state = acknowledged()
    step = state.advance(OPENED + 5 * DAY)
    assert state.sla_breached and not step.strike


def test_ladder_step_reached_after_resolution_does_nothing() -> None:
    state = opened(domain.Subject.PAYMENT)
    state.act(domain.Action.DECISION, decide(), OPENED + HOUR)
    step = state.advance(OPENED + 5 * DAY)
    assert state.level == 1 and not state.sla_breached
    assert step.mails == [] and all(e.kind != "escalated" for e in step.events)
    assert state.view().next_deadline_kind is domain.Deadline.SATISFACTION


def test_rung_of_a_level_already_reached_by_reopening_tells_nobody_again() -> None:
    state = opened(domain.Subject.PAYMENT)
    for _ in range(2):  # decided twice, unsatisfied twice: level 3 within the first hour
        state.act(domain.Action.DECISION, decide(), OPENED + HOUR)
        state.act(
            domain.Action.SATISFACTION, domain.SatisfactionAnswer(CUSTOMER, False), OPENED + HOUR
        )
    assert state.level == 3
    assert state.view().next_deadline_kind is domain.Deadline.RESOLUTION_TARGET
    step = state.advance(OPENED + 48 * HOUR)
    assert step.events == [] and step.mails == [] and state.level == 3


def test_level2_rung_still_reminds_a_silent_merchant_on_a_claim_already_at_level_2() -> None:
    state = opened(domain.Subject.DELIVERY)
    state.act(domain.Action.REQUEST_INFO, domain.InfoRequest(OPERATOR, "Photos?"), OPENED + HOUR)
    state.level = 2  # as if the platform had taken the claim up a level already
    step = state.advance(OPENED + 24 * HOUR)
    assert mails(step) == {(domain.Template.MERCHANT_REMINDER, domain.Recipient.MERCHANT)}


# ---- actions ----


def test_merchant_answering_a_payment_claim_is_refused_and_nothing_changes() -> None:
    state = opened(domain.Subject.PAYMENT)
    before = copy.deepcopy(state.view())
    with pytest.raises(Refused, match="payment"):
        state.act(domain.Action.MERCHANT_RESPONSE, propose(), OPENED + HOUR)
    assert state.view() == before


def test_proposal_waits_for_the_customer_who_accepts_it_and_the_claim_is_resolved() -> None:
    state = opened()
    step = state.act(domain.Action.MERCHANT_RESPONSE, propose("20.00"), OPENED + HOUR)
    assert state.status is domain.Status.AWAITING_CUSTOMER
    assert (domain.Template.PROPOSAL, domain.Recipient.CUSTOMER) in mails(step)
    step = state.act(
        domain.Action.ACCEPT_PROPOSAL, domain.ProposalAnswer(CUSTOMER), OPENED + 2 * HOUR
    )
    assert state.status is domain.Status.RESOLVED
    assert state.outcome is not None and state.outcome.amount == Decimal("20.00")
    assert mails(step) == {
        (domain.Template.PROPOSAL_ANSWERED, domain.Recipient.MERCHANT),
        (domain.Template.RESOLVED, domain.Recipient.CUSTOMER),
    }


def test_rejected_proposal_escalates_to_the_platform() -> None:
    state = opened()
    state.act(domain.Action.MERCHANT_RESPONSE, propose(), OPENED + HOUR)
    step = state.act(
        domain.Action.REJECT_PROPOSAL,
        domain.ProposalAnswer(CUSTOMER, "too little"),
        OPENED + 2 * HOUR,
    )
    assert state.level == 2 and state.status is domain.Status.OPEN and state.proposal is None
    assert (domain.Template.PROPOSAL_ANSWERED, domain.Recipient.OPERATORS) in mails(step)


def test_refund_proposal_above_the_transaction_amount_is_refused() -> None:
    with pytest.raises(Refused, match="at most"):
        opened().act(domain.Action.MERCHANT_RESPONSE, propose("49.91"), OPENED + HOUR)


def test_accepting_without_a_proposal_is_refused() -> None:
    with pytest.raises(Refused, match="no proposal"):
        opened().act(domain.Action.ACCEPT_PROPOSAL, domain.ProposalAnswer(CUSTOMER), OPENED + HOUR)


def test_info_request_puts_the_claim_in_the_customers_hands_until_they_write() -> None:
    state = opened(domain.Subject.PAYMENT)
    step = state.act(
        domain.Action.REQUEST_INFO, domain.InfoRequest(OPERATOR, "Bank statement?"), OPENED + HOUR
    )
    assert state.status is domain.Status.AWAITING_CUSTOMER
    assert mails(step) == {(domain.Template.INFO_REQUESTED, domain.Recipient.CUSTOMER)}
    step = state.act(
        domain.Action.MESSAGE, domain.PostMessage(CUSTOMER, "Attached."), OPENED + 2 * HOUR
    )
    assert state.status is domain.Status.OPEN
    assert mails(step) == {(domain.Template.MESSAGE, domain.Recipient.OPERATORS)}


def test_merchant_can_ask_the_customer_for_information() -> None:
    state = opened()
    ask = domain.MerchantResponse(
        MERCHANT, domain.MerchantAction.REQUEST_INFO, message="Tracking number?"
    )
    state.act(domain.Action.MERCHANT_RESPONSE, ask, OPENED + HOUR)
    assert state.status is domain.Status.AWAITING_CUSTOMER and state.merchant_answered


def test_partial_refund_must_be_less_than_the_transaction() -> None:
    with pytest.raises(Refused, match="partial"):
        opened(domain.Subject.PAYMENT).act(
            domain.Action.DECISION,
            decide(domain.DecisionOutcome.PARTIAL_REFUND, "49.90"),
            OPENED + HOUR,
        )


def test_operator_closes_only_after_a_decision() -> None:
    state = opened(domain.Subject.PAYMENT)
    with pytest.raises(Refused, match="after a decision"):
        state.act(domain.Action.CLOSE, domain.CloseRequest(OPERATOR), OPENED + HOUR)
    step = state.act(
        domain.Action.DECISION, decide(domain.DecisionOutcome.REJECTED, "1"), OPENED + HOUR
    )
    assert (domain.Template.DECISION, domain.Recipient.MERCHANT) in mails(step)
    state.act(domain.Action.CLOSE, domain.CloseRequest(OPERATOR, "done"), OPENED + 2 * HOUR)
    assert state.closed_reason is domain.ClosedReason.BY_PLATFORM


@pytest.mark.parametrize(
    ("action", "reason"),
    [
        (domain.Action.CLOSE, domain.ClosedReason.BY_CUSTOMER),
        (domain.Action.WITHDRAW, domain.ClosedReason.WITHDRAWN),
    ],
)
def test_customer_closes_or_withdraws_at_any_time(
    action: domain.Action, reason: domain.ClosedReason
) -> None:
    state = opened()
    step = state.act(action, domain.CloseRequest(CUSTOMER), OPENED + HOUR)
    assert state.status is domain.Status.CLOSED and state.closed_reason is reason
    assert (domain.Template.CLOSED, domain.Recipient.CUSTOMER) in mails(step)
    assert state.deadlines() == [] and state.view().allowed_actions == {
        "customer": [],
        "merchant": [],
        "operator": [],
    }


def test_anyone_acting_on_a_closed_claim_is_refused() -> None:
    state = opened()
    state.act(domain.Action.WITHDRAW, domain.CloseRequest(CUSTOMER), OPENED + HOUR)
    for actor in (CUSTOMER, MERCHANT, OPERATOR):
        with pytest.raises(Refused, match="closed"):
            state.act(domain.Action.MESSAGE, domain.PostMessage(actor, "hello?"), OPENED + 2 * HOUR)


def test_allowed_actions_say_what_each_role_may_do_now() -> None:
    state = opened()
    view = state.view().allowed_actions
    assert view["customer"] == ["message", "close", "withdraw"]
    assert view["merchant"] == ["message", "merchant_response"]
    assert view["operator"] == ["message", "decision", "request_info", "internal_note"]
    state.act(domain.Action.MERCHANT_RESPONSE, propose(), OPENED + HOUR)
    assert "accept_proposal" in state.view().allowed_actions["customer"]
    assert opened(domain.Subject.PAYMENT).view().allowed_actions["merchant"] == []


# ---- satisfaction, mediation, automatic closing ----


def test_satisfied_customer_closes_the_claim() -> None:
    state = opened(domain.Subject.PAYMENT)
    state.act(domain.Action.DECISION, decide(), OPENED + HOUR)
    step = state.act(
        domain.Action.SATISFACTION, domain.SatisfactionAnswer(CUSTOMER, True), OPENED + 2 * HOUR
    )
    assert state.closed_reason is domain.ClosedReason.BY_CUSTOMER
    assert (domain.Template.CLOSED, domain.Recipient.CUSTOMER) in mails(step)


def test_unanswered_satisfaction_request_closes_after_the_window() -> None:
    state = opened(domain.Subject.PAYMENT)
    state.act(domain.Action.DECISION, decide(), OPENED + HOUR)
    assert state.advance(OPENED + HOUR + 7 * DAY - timedelta(seconds=1)).events == []
    state.advance(OPENED + HOUR + 7 * DAY)
    assert state.closed_reason is domain.ClosedReason.BY_PLATFORM


def test_unsatisfied_customer_reopens_one_level_up_then_is_referred_to_mediation() -> None:
    state = opened(domain.Subject.PAYMENT)
    for expected_level in (2, 3):
        state.act(domain.Action.DECISION, decide(), OPENED + HOUR)
        step = state.act(
            domain.Action.SATISFACTION, domain.SatisfactionAnswer(CUSTOMER, False), OPENED + HOUR
        )
        assert state.status is domain.Status.OPEN and state.level == expected_level
        assert (domain.Template.REOPENED, domain.Recipient.OPERATORS) in mails(step)
        assert state.outcome is None
    state.act(domain.Action.DECISION, decide(), OPENED + 2 * HOUR)
    step = state.act(
        domain.Action.SATISFACTION, domain.SatisfactionAnswer(CUSTOMER, False), OPENED + 3 * HOUR
    )
    assert state.closed_reason is domain.ClosedReason.REFERRED_TO_MEDIATION
    assert (domain.Template.MEDIATION, domain.Recipient.CUSTOMER) in mails(step)


def test_claim_closes_after_120_days_without_communication() -> None:
    state = opened(bought=DAY)
    state.act(
        domain.Action.MESSAGE, domain.PostMessage(MERCHANT, "We are looking."), OPENED + 10 * DAY
    )
    state.advance(OPENED + 129 * DAY)
    assert not state.is_closed  # the merchant's message moved the inactivity deadline
    state.advance(OPENED + 130 * DAY)
    assert state.closed_reason is domain.ClosedReason.INACTIVITY


def test_claim_closes_180_days_after_the_transaction() -> None:
    state = opened(bought=100 * DAY)
    state.act(
        domain.Action.MESSAGE, domain.PostMessage(OPERATOR, "Investigating."), OPENED + 70 * DAY
    )
    state.advance(OPENED + 80 * DAY)
    assert state.closed_reason is domain.ClosedReason.TRANSACTION_HORIZON


def test_transaction_horizon_waits_while_the_customer_is_owed_an_answer() -> None:
    state = opened(bought=100 * DAY)
    state.act(domain.Action.MESSAGE, domain.PostMessage(CUSTOMER, "Any news?"), OPENED + 70 * DAY)
    state.advance(OPENED + 85 * DAY)
    assert not state.is_closed
    state.act(
        domain.Action.MESSAGE, domain.PostMessage(MERCHANT, "Refund on its way."), OPENED + 86 * DAY
    )
    state.advance(OPENED + 86 * DAY)
    assert state.closed_reason is domain.ClosedReason.TRANSACTION_HORIZON


# ---- details: what each event and e-mail carries is declared ----


def assert_declared(step: Step) -> None:
    for event in step.events:
        EVENT_DETAILS[event.kind].check(event.details, event)
    for order in step.mails:
        MAIL_DETAILS[order.template].check(order.details, order.key)


def test_the_rules_record_every_event_kind_with_every_detail_it_may_carry() -> None:
    carried: dict[domain.EventKind, set[str]] = {}
    for step in claims.every_path():
        assert_declared(step)
        for event in step.events:
            carried.setdefault(event.kind, set()).update(event.details)
    assert carried == {kind: set(keys.names) for kind, keys in EVENT_DETAILS.items()}


def test_details_the_rules_do_not_declare_fail_at_once() -> None:
    state = opened()
    with pytest.raises(DetailsMismatch, match="event message: missing \\['body'\\]"):
        state.record_event(OPENED, domain.Role.CUSTOMER, domain.EventKind.MESSAGE, text="hello")
    with pytest.raises(DetailsMismatch, match="not declared \\['reply_by'\\]"):
        state.order_mail(
            1,
            domain.Template.MERCHANT_REMINDER,
            domain.Recipient.MERCHANT,
            respond_by="x",
            reply_by="y",
        )


# ---- properties ----

ACTORS = st.sampled_from([CUSTOMER, MERCHANT, OPERATOR])
MESSAGES = st.one_of(
    st.builds(lambda a: (domain.Action.MESSAGE, domain.PostMessage(a, "hi")), ACTORS),
    st.builds(
        lambda kind: (
            domain.Action.MERCHANT_RESPONSE,
            domain.MerchantResponse(MERCHANT, kind, "m", None, "r"),
        ),
        st.sampled_from(list(domain.MerchantAction)),
    ),
    st.just((domain.Action.MERCHANT_RESPONSE, propose("10"))),
    st.just((domain.Action.ACCEPT_PROPOSAL, domain.ProposalAnswer(CUSTOMER))),
    st.just((domain.Action.REJECT_PROPOSAL, domain.ProposalAnswer(CUSTOMER))),
    st.builds(lambda a: (domain.Action.CLOSE, domain.CloseRequest(a)), ACTORS),
    st.just((domain.Action.WITHDRAW, domain.CloseRequest(CUSTOMER))),
    st.builds(
        lambda s: (domain.Action.SATISFACTION, domain.SatisfactionAnswer(CUSTOMER, s)),
        st.booleans(),
    ),
    st.just((domain.Action.DECISION, decide())),
    st.just((domain.Action.REQUEST_INFO, domain.InfoRequest(OPERATOR, "?"))),
    st.just((domain.Action.INTERNAL_NOTE, domain.InternalNote(OPERATOR, "n"))),
)
MOVES = st.lists(
    st.one_of(MESSAGES, st.integers(min_value=1, max_value=24 * 200).map(lambda h: h * HOUR)),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(subject=st.sampled_from(list(domain.Subject)), moves=MOVES)
def test_any_history_keeps_the_claim_consistent(
    subject: domain.Subject, moves: list[object]
) -> None:
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
        claims.assert_mails_tell_only_what_the_recipient_sees(step)
        levels_announced += [
            int(e.details["level"]) for e in step.events if e.kind in ("escalated", "reopened")
        ]
        assert 1 <= state.level <= 3
        assert (state.closed_reason is not None) == state.is_closed
        assert (state.outcome is not None) == (
            state.status is domain.Status.RESOLVED
        ) or state.is_closed
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
    state.act(
        domain.Action.MESSAGE, domain.PostMessage(CUSTOMER, "Still nothing."), OPENED + 26 * HOUR
    )
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
    carried = {f.name for f in dataclasses.fields(domain.CarriedState)} - {"answered"}
    assert carried <= state_fields


def test_the_updates_answered_lately_go_with_the_hand_over() -> None:
    answered = [domain.Answered("update-1", OPENED + HOUR)]
    carried = opened().handover(answered).carried
    assert carried is not None and carried.answered == answered


@settings(max_examples=200, deadline=None)
@given(subject=st.sampled_from(list(domain.Subject)), moves=MOVES)
def test_any_claim_handed_over_and_resumed_is_the_same_claim(
    subject: domain.Subject, moves: list[object]
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
