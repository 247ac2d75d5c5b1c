"""Edition 3's cap on e-mails about messages: at most N per recipient in a rolling hour, the
rest told in one digest when the hour ends; nothing else capped, no message lost."""

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
    MailOrder,
    PostMessage,
    Recipient,
    Role,
    Template,
)
from claimdesk.core.rules import ClaimState, Step
from claimdesk.core.settings import Settings
from tests.support.claims import CUSTOMER, HOUR, OPENED, POLICY, claim_input

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
