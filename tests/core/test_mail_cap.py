"""Edition 3's cap on updates (e-mails a party's repeatable action sends another party): at
most N per recipient in a rolling hour, the rest told in one digest when the hour ends; a
request or proposal the customer is not yet asked never held; no update lost."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from claimdesk.core.domain import (
    Action,
    Actor,
    CloseRequest,
    EventKind,
    InfoRequest,
    MailOrder,
    MerchantAction,
    MerchantResponse,
    PostMessage,
    Proposal,
    ProposalKind,
    Recipient,
    Role,
    Status,
    Template,
)
from claimdesk.core.rules import ClaimState, Step
from claimdesk.core.settings import Settings
from tests.support.claims import CUSTOMER, HOUR, OPENED, OPERATOR, POLICY, claim_input

MINUTE = timedelta(minutes=1)
CAP = 10
CAPPED = replace(POLICY, edition=3, message_mails_per_hour=CAP)
MERCHANT = Actor(Role.MERCHANT, "M1")


def _claim(edition: int = 3) -> ClaimState:
    state, _ = ClaimState.open(replace(claim_input(), policy=replace(CAPPED, edition=edition)))
    return state


def _write(state: ClaimState, at: datetime, who: Actor = CUSTOMER, said: str = "Hello?") -> Step:
    return state.act(Action.MESSAGE, PostMessage(who, said), at)


def _to(steps: list[Step], template: Template, recipient: Recipient) -> list[MailOrder]:
    return [
        m for s in steps for m in s.mails if m.template is template and m.recipient is recipient
    ]


def test_past_the_cap_messages_are_stored_but_not_mailed_one_by_one() -> None:
    state = _claim()
    steps = [_write(state, OPENED + n * MINUTE, said=f"message {n}") for n in range(25)]
    assert [e.kind for s in steps for e in s.events] == [EventKind.MESSAGE] * 25
    told = _to(steps, Template.MESSAGE, Recipient.MERCHANT)
    assert [m.details["body"] for m in told] == [f"message {n}" for n in range(CAP)]
    # The digest is due when the hour of the first e-mail ends; nothing is shown for it.
    assert state.next_timer() == OPENED + HOUR
    assert state.next_timer_label() == "message_digest"
    assert state.view().next_deadline_kind is not None
    assert state.view().next_deadline != OPENED + HOUR


def test_one_digest_tells_how_many_messages_wait_when_the_hour_ends() -> None:
    state = _claim()
    for n in range(25):
        _write(state, OPENED + n * MINUTE, said=f"message {n}")
    assert state.advance(OPENED + HOUR - MINUTE) == Step()
    digest = state.advance(OPENED + HOUR)
    assert digest.events == []
    [order] = digest.mails
    assert (order.template, order.recipient, order.details) == (
        Template.MESSAGE_DIGEST,
        Recipient.MERCHANT,
        {"count": "15"},
    )
    assert order.key == f"{state.input.reference}/{state.seq}/message_digest/merchant"
    assert state.next_timer() == OPENED + 24 * HOUR  # the ladder again


def test_the_digest_counts_as_one_of_the_hours_emails() -> None:
    state = _claim()
    for n in range(CAP + 1):
        _write(state, OPENED + n * MINUTE)
    state.advance(OPENED + HOUR)  # the digest: with minutes 1..9, ten in the hour
    held = _write(state, OPENED + HOUR + MINUTE // 2)
    assert held.mails == []
    assert state.next_timer() == OPENED + HOUR + MINUTE  # when minute 1's e-mail leaves


def test_each_recipient_has_its_own_cap() -> None:
    state = _claim()
    for n in range(CAP + 3):
        _write(state, OPENED + n * MINUTE)
    answer = _write(state, OPENED + HOUR // 2, MERCHANT, "We are on it.")
    assert [(m.template, m.recipient) for m in answer.mails] == [
        (Template.MESSAGE, Recipient.CUSTOMER)
    ]


def test_deadlines_and_answers_are_never_capped() -> None:
    state = _claim()
    for n in range(CAP + 5):
        _write(state, OPENED + n * MINUTE)
    reminded = state.advance(OPENED + 24 * HOUR)  # the digest, then level 2: merchant reminded
    assert {(m.template, m.recipient) for m in reminded.mails} >= {
        (Template.MESSAGE_DIGEST, Recipient.MERCHANT),
        (Template.MERCHANT_REMINDER, Recipient.MERCHANT),
        (Template.ESCALATED, Recipient.CUSTOMER),
    }


def test_a_claim_that_closes_sends_what_it_held_at_once() -> None:
    state = _claim()
    for n in range(CAP + 4):
        _write(state, OPENED + n * MINUTE)
    withdrawn = state.act(Action.WITHDRAW, CloseRequest(CUSTOMER, None), OPENED + 20 * MINUTE)
    digests = [m for m in withdrawn.mails if m.template is Template.MESSAGE_DIGEST]
    assert [(m.recipient, m.details) for m in digests] == [(Recipient.MERCHANT, {"count": "4"})]
    assert state.next_timer() is None


def test_claims_of_editions_1_and_2_mail_every_message() -> None:
    for edition in (1, 2):
        state = _claim(edition)
        steps = [_write(state, OPENED + n * MINUTE) for n in range(CAP + 15)]
        assert len(_to(steps, Template.MESSAGE, Recipient.MERCHANT)) == CAP + 15
        assert state.next_timer() == OPENED + 24 * HOUR
        assert state.message_mails == []


def test_what_waits_for_a_digest_is_handed_over_to_the_next_run() -> None:
    state = _claim()
    for n in range(CAP + 3):
        _write(state, OPENED + n * MINUTE)
    resumed = ClaimState.resume(state.handover())
    assert resumed == state
    [digest] = resumed.advance(OPENED + HOUR).mails
    assert digest.details == {"count": "3"}


def test_the_cap_is_a_setting_fixed_in_the_claims_policy() -> None:
    policy = Settings(message_mails_per_hour=3).policy
    assert (policy.edition, policy.message_mails_per_hour) == (3, 3)
    assert Settings().policy.message_mails_per_hour == 10


@settings(max_examples=60, deadline=None)
@given(
    cap=st.integers(min_value=1, max_value=5),
    gaps=st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=60),
)
def test_no_rolling_hour_holds_more_than_the_cap_and_no_message_is_lost(
    cap: int, gaps: list[int]
) -> None:
    """Messages minutes apart, the timers fired when due: per recipient at most `cap`
    e-mails about messages in any hour, and every message told, alone or in a digest."""
    policy = replace(CAPPED, message_mails_per_hour=cap)
    state, _ = ClaimState.open(replace(claim_input(), policy=policy))
    sent: list[tuple[datetime, MailOrder]] = []
    now = OPENED
    for gap in gaps:
        now += gap * MINUTE
        while (due := state.next_timer()) is not None and due <= now:
            sent += [(due, m) for m in state.advance(due).mails]
        sent += [(now, m) for m in _write(state, now).mails]
    while (due := state.next_timer()) is not None and due < OPENED + 24 * HOUR:
        sent += [(due, m) for m in state.advance(due).mails]
    about = [(at, m) for at, m in sent if m.recipient is Recipient.MERCHANT]
    told: Counter[Template] = Counter()
    for at, mail in about:
        told[mail.template] += int(mail.details.get("count", "1"))
        hour = [t for t, _ in about if at - HOUR < t <= at]
        assert len(hour) <= cap, (at, hour)
    assert told[Template.MESSAGE] + told[Template.MESSAGE_DIGEST] == len(gaps)


UPDATES = {
    Template.MESSAGE,
    Template.MERCHANT_ANSWERED,
    Template.INFO_REQUESTED,
    Template.PROPOSAL,
    Template.MESSAGE_DIGEST,
}
PROPOSAL = Proposal(ProposalKind.RESHIPMENT)
# What a party may repeat at will, and whom it e-mails an update (a delivery claim, level 1).
REPEATABLE: list[tuple[Action, object, set[Recipient]]] = [
    (Action.MESSAGE, PostMessage(CUSTOMER, "Any news?"), {Recipient.MERCHANT}),
    (Action.MESSAGE, PostMessage(MERCHANT, "Soon."), {Recipient.CUSTOMER}),
    (Action.MESSAGE, PostMessage(OPERATOR, "We see."), {Recipient.CUSTOMER, Recipient.MERCHANT}),
    *[
        (
            Action.MERCHANT_RESPONSE,
            MerchantResponse(MERCHANT, kind, message="Read me.", reason="other", proposal=PROPOSAL),
            {Recipient.CUSTOMER},
        )
        for kind in MerchantAction
    ],
    (Action.REQUEST_INFO, InfoRequest(OPERATOR, "Your receipt?"), {Recipient.CUSTOMER}),
]


def _must_go(state: ClaimState, action: Action, message: object) -> bool:
    """A request while the claim does not await the customer, a proposal while none stands."""
    asks = action is Action.REQUEST_INFO or (
        isinstance(message, MerchantResponse) and message.action is MerchantAction.REQUEST_INFO
    )
    if asks:
        return state.status is not Status.AWAITING_CUSTOMER
    proposes = isinstance(message, MerchantResponse) and message.action is MerchantAction.PROPOSE
    return proposes and state.proposal is None


@settings(max_examples=80, deadline=None)
@given(
    cap=st.integers(min_value=1, max_value=4),
    moves=st.lists(
        st.tuples(st.integers(0, 30), st.integers(0, len(REPEATABLE) - 1)), min_size=1, max_size=50
    ),
)
def test_every_repeatable_action_is_capped_but_what_asks_the_customer_first(
    cap: int, moves: list[tuple[int, int]]
) -> None:
    """Any mix of repeatable actions: per recipient, in any rolling hour, at most `cap`
    updates but for the first requests and proposals, which always go out at once; every
    update told, alone or in a digest."""
    state, _ = ClaimState.open(
        replace(claim_input(), policy=replace(CAPPED, message_mails_per_hour=cap))
    )
    sent: list[tuple[datetime, MailOrder, bool]] = []
    owed: Counter[Recipient] = Counter()
    now = OPENED
    for gap, pick in moves:
        now += gap * MINUTE
        while (due := state.next_timer()) is not None and due <= now:
            sent += [(due, m, False) for m in state.advance(due).mails]
        action, message, told = REPEATABLE[pick]
        if state.refusal(action, message) is not None:  # type: ignore[arg-type]
            continue
        first = _must_go(state, action, message)
        mails = state.act(action, message, now).mails  # type: ignore[arg-type]
        if first:
            assert [m.template for m in mails] in ([Template.INFO_REQUESTED], [Template.PROPOSAL])
        sent += [(now, m, first) for m in mails]
        owed.update(told)
    while (due := state.next_timer()) is not None and due < OPENED + 24 * HOUR:
        sent += [(due, m, False) for m in state.advance(due).mails]
    for recipient in (Recipient.CUSTOMER, Recipient.MERCHANT):
        about = [(at, m, f) for at, m, f in sent if m.recipient is recipient]
        assert {m.template for _, m, _ in about} <= UPDATES
        for at, _, _ in about:
            hour = [f for t, _, f in about if at - HOUR < t <= at]
            assert len(hour) <= cap + sum(hour), (recipient, at, hour)
        told = sum(int(m.details.get("count", "1")) for _, m, _ in about)
        assert told == owed[recipient], recipient


def test_past_the_cap_a_first_request_still_goes_out_and_a_repeat_waits_for_the_digest() -> None:
    state = _claim()
    for n in range(CAP):
        _write(state, OPENED + n * MINUTE, MERCHANT, f"note {n}")  # the customer's hour is full
    ask = MerchantResponse(MERCHANT, MerchantAction.REQUEST_INFO, message="Your receipt?")
    first = state.act(Action.MERCHANT_RESPONSE, ask, OPENED + 20 * MINUTE)
    assert [m.template for m in first.mails] == [Template.INFO_REQUESTED]
    again = state.act(Action.MERCHANT_RESPONSE, ask, OPENED + 21 * MINUTE)
    assert again.mails == [] and again.events[0].kind is EventKind.INFO_REQUESTED
    acknowledged = MerchantResponse(MERCHANT, MerchantAction.ACKNOWLEDGE, message="On it.")
    assert state.act(Action.MERCHANT_RESPONSE, acknowledged, OPENED + 22 * MINUTE).mails == []
    [digest] = state.advance(OPENED + HOUR + MINUTE).mails  # minutes 0 and 1 left the hour
    assert (digest.recipient, digest.details) == (Recipient.CUSTOMER, {"count": "2"})
