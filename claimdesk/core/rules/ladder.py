"""A claim's deadlines: the escalation ladder, the closing horizons, and what each does when due."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from claimdesk.core import editions
from claimdesk.core.domain import ClosedReason, Deadline, EventKind, Recipient, Role, Template
from claimdesk.core.permissions import LIVE
from claimdesk.core.rules import findings, takeover
from claimdesk.core.rules.closing import close
from claimdesk.core.rules.step import iso, yes

if TYPE_CHECKING:
    from claimdesk.core.rules.state import ClaimState

TOP_LEVEL = 3
LADDER = (Deadline.LEVEL2, Deadline.LEVEL3, Deadline.RESOLUTION_TARGET)
_RUNG_LEVEL = {Deadline.LEVEL2: 2, Deadline.LEVEL3: 3}
# The deadlines that close the claim when reached, and how.
_CLOSING = {
    Deadline.SATISFACTION: ClosedReason.BY_PLATFORM,
    Deadline.INACTIVITY: ClosedReason.INACTIVITY,
    Deadline.TRANSACTION_HORIZON: ClosedReason.TRANSACTION_HORIZON,
}


def deadlines(state: ClaimState) -> list[tuple[datetime, Deadline]]:
    """Every timer the claim is waiting on, earliest first."""
    if state.is_closed:
        return []
    claim, policy = state.input, state.input.policy
    # A claim given back to its reinstated merchant climbs its two levels again from then
    # (edition 3); the resolution target, the platform's word to the customer, stays, and
    # the merchant's own time to answer runs from then too (takeover.merchant_answer_by).
    rungs_from = state.ladder_from or claim.opened_at
    ladder_at = {
        Deadline.LEVEL2: rungs_from + policy.level2_after,
        Deadline.LEVEL3: rungs_from + policy.level3_after,
        Deadline.RESOLUTION_TARGET: claim.opened_at + policy.resolution_target,
    }
    if state.ladder_from is not None and _owes_the_merchant_a_reminder(state):
        # Given back, a silent merchant is owed a time to answer of its own (edition 3).
        ladder_at[Deadline.MERCHANT_TIME] = takeover.merchant_answer_by(state)
    due = [(at, step) for step, at in ladder_at.items() if step not in state.ladder_done]
    if state.resolved_at is not None:
        due.append((state.resolved_at + policy.satisfaction_window, Deadline.SATISFACTION))
    findings_at = findings.timer(state)
    if findings_at is not None:
        due.append((findings_at, Deadline.FINDINGS))
    assert state.last_activity_at is not None
    due.append((state.last_activity_at + policy.inactivity_close_after, Deadline.INACTIVITY))
    if not state.customer_owed_answer:
        due.append((_horizon(state), Deadline.TRANSACTION_HORIZON))
    return sorted(due, key=lambda item: (item[0], list(Deadline).index(item[1])))


def _horizon(state: ClaimState) -> datetime:
    """When the transaction horizon closes the claim, if the customer is owed no answer.

    From edition 2 a claim filed near the horizon still gets its whole ladder: the
    merchant's deadline, both levels and the resolution target, before it closes.
    """
    claim, policy = state.input, state.input.policy
    horizon = claim.transaction.occurred_at + policy.transaction_close_after
    if editions.filing_is_a_request(policy):
        return max(horizon, claim.opened_at + policy.resolution_target)
    return horizon


def next_deadline(state: ClaimState) -> tuple[datetime, Deadline] | None:
    """The next deadline that will change something: what people are shown."""
    for at, deadline in deadlines(state):
        if deadline is Deadline.MERCHANT_TIME:
            continue  # whether the merchant is struck is its standing, shown to nobody
        if deadline in LADDER and not _rung_matters(state, deadline):
            continue
        return at, deadline
    return None


def _rung_matters(state: ClaimState, deadline: Deadline) -> bool:
    """Whether a rung of the ladder would still change the claim when reached."""
    if state.status not in LIVE:
        return False  # resolved: a rung reached now does nothing
    if deadline is Deadline.RESOLUTION_TARGET:
        return True
    if deadline is Deadline.LEVEL2 and _owes_the_merchant_a_reminder(state):
        return True  # a silent merchant is still reminded
    return state.level < _RUNG_LEVEL[deadline]


def fire_due(state: ClaimState, now: datetime) -> bool:
    """Fires every deadline due at `now`, in order; whether any was."""
    fired = False
    while True:
        due = deadlines(state)
        if not due or due[0][0] > now:
            return fired
        at, deadline = due[0]
        _fire(state, deadline, at)
        fired = True


def _fire(state: ClaimState, deadline: Deadline, at: datetime) -> None:
    if deadline in LADDER:
        state.ladder_done.add(deadline)
        if state.status in LIVE:
            _climb(state, deadline, at)
        return
    if deadline is Deadline.FINDINGS:
        findings.overdue(state, at)
        return
    if deadline is Deadline.MERCHANT_TIME:
        state.ladder_done.add(deadline)
        _strike_if_silent(state, at)
        return
    state.record_event(at, Role.SYSTEM, EventKind.DEADLINE_REACHED, deadline=deadline.value)
    agreement = None
    if deadline is Deadline.SATISFACTION and editions.platform_close_needs_agreement(
        state.input.policy
    ):
        agreement = "satisfaction_window_passed"
    close(state, _CLOSING[deadline], at, Role.SYSTEM, agreement=agreement)


def _climb(state: ClaimState, deadline: Deadline, at: datetime) -> None:
    silent = state.is_delivery and not state.merchant_answered
    if deadline is Deadline.RESOLUTION_TARGET:
        _breach(state, at, silent)
        return
    level = _RUNG_LEVEL[deadline]
    if state.level < level:
        # A claim reopened or escalated past this rung already told the customer.
        _escalate(state, level, at, silent)
    if level == 2 and _owes_the_merchant_a_reminder(state):
        _remind_merchant(state, at)


def _breach(state: ClaimState, at: datetime, silent: bool) -> None:
    state.sla_breached = True
    seq = state.record_event(at, Role.SYSTEM, EventKind.SLA_BREACHED, merchant_silent=yes(silent))
    state.order_mail(seq, Template.SLA_BREACHED, Recipient.OPERATORS, merchant_silent=yes(silent))
    _strike_if_silent(state, at)


def _strike_if_silent(state: ClaimState, at: datetime) -> None:
    """A silent delivery merchant whose time to answer is over is struck (seed 003).

    Not a merchant the platform took the claim over from (edition 2: unreachable,
    terminated, or restricted at filing), nor one given the claim back whose renewed time
    runs on (edition 3): its own deadline strikes it when that time is over."""
    silent = state.is_delivery and not state.merchant_answered
    if silent and state.status in LIVE and not takeover.spares_merchant(state, at):
        state.order_strike()


def _owes_the_merchant_a_reminder(state: ClaimState) -> bool:
    """A silent delivery merchant is reminded at level 2, unless the platform took the claim
    over from it (edition 2: unreachable, terminated, or restricted at filing)."""
    return state.is_delivery and not state.merchant_answered and not takeover.taken_over(state)


def _escalate(state: ClaimState, level: int, at: datetime, silent: bool) -> None:
    # Leaving level 1 opens the investigation, which owes findings (edition 2); at level 3
    # the same investigation goes on, under the deadline it already has.
    findings_by = findings.owe(state, at) if state.level == 1 else findings.owed_by(state)
    state.level = level
    team = "resolution" if level == 2 else "customer_experience"
    seq = state.record_event(
        at,
        Role.SYSTEM,
        EventKind.ESCALATED,
        level=level,
        team=team,
        merchant_silent=yes(silent),
        findings_by=findings_by,
    )
    state.order_mail(
        seq,
        Template.ESCALATED,
        Recipient.CUSTOMER,
        level=str(level),
        merchant_silent=yes(silent),
        findings_by=findings_by,
    )


def _remind_merchant(state: ClaimState, at: datetime) -> None:
    respond_by = iso(takeover.merchant_answer_by(state))
    seq = state.record_event(at, Role.SYSTEM, EventKind.MERCHANT_REMINDED, respond_by=respond_by)
    state.order_mail(seq, Template.MERCHANT_REMINDER, Recipient.MERCHANT, respond_by=respond_by)
