"""Where a claim stands, in words, for operators reading the Temporal UI (no personal data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from claimdesk.core.domain import ClaimInput, Deadline, Locale, Outcome, Proposal, Status, Subject
from claimdesk.core.rules import ClaimState
from claimdesk.core.wording import format_money, format_when, label

EN = Locale.EN  # operators read English, whatever the claim's locale

_NEXT: dict[Deadline, str] = {
    Deadline.LEVEL2: "level 2",
    Deadline.LEVEL3: "level 3",
    Deadline.RESOLUTION_TARGET: "resolution target (SLA breach)",
    Deadline.SATISFACTION: "closes unless the customer answers",
    Deadline.INACTIVITY: "closes for inactivity",
    Deadline.TRANSACTION_HORIZON: "closes at the transaction's 180-day horizon",
    Deadline.FINDINGS: "investigation's findings due to the customer",
    Deadline.MERCHANT_TIME: "merchant's renewed time to answer ends (strike if silent)",
}


@dataclass(frozen=True)
class Visibility:
    """The values a claim's workflow shows operators: search attributes and details."""

    status: str
    subject: str
    merchant_id: str
    level: int
    breached: bool
    next_deadline: datetime | None
    details: str


def summary(claim: ClaimInput) -> str:
    """The one line that stays with the workflow: what the claim is about, and against whom."""
    what = label(claim.category, EN)
    return (
        f"{claim.subject.value.capitalize()} claim against merchant "
        f"{claim.transaction.merchant_id}: {what} (transaction {claim.transaction.id}, "
        f"{format_money(claim.transaction.amount, claim.transaction.currency, EN)})"
    )


def opening_details(claim: ClaimInput) -> str:
    """The static details shown under the summary: what does not change over the claim's life."""
    policy = claim.policy
    lines = [
        f"**Opened** {format_when(claim.opened_at, EN)} · locale {claim.locale.value}",
        f"**Transaction** {claim.transaction.id}, "
        f"paid {format_when(claim.transaction.occurred_at, EN)}",
        f"**Ladder** level 2 at {format_when(claim.opened_at + policy.level2_after, EN)}, "
        f"level 3 at {format_when(claim.opened_at + policy.level3_after, EN)}, "
        f"resolution target {format_when(claim.opened_at + policy.resolution_target, EN)}",
        f"**API** `GET /claims/{claim.reference}`",
    ]
    return "\n\n".join(lines)


def visibility(state: ClaimState) -> Visibility:
    view = state.view()
    return Visibility(
        status=view.status.value,
        subject=view.subject.value,
        merchant_id=view.merchant_id,
        level=view.escalation_level,
        breached=view.sla_breached,
        next_deadline=view.next_deadline,
        details=details(state),
    )


def details(state: ClaimState) -> str:
    """E.g. "Level 2 — merchant has not answered; next: level 3 at 2026-11-23 14:00 UTC"."""
    text = _where(state)
    if state.sla_breached and not state.is_closed:
        text += " (SLA breached)"
    upcoming = state.next_deadline()
    if upcoming is not None:
        at, deadline = upcoming
        text += f"; next: {_NEXT[deadline]} at {format_when(at, EN)}"
    return text


def _where(state: ClaimState) -> str:
    outcome = _offer(state, state.outcome) if state.outcome else None
    if state.status is Status.CLOSED:
        reason = label(state.closed_reason, EN) if state.closed_reason else "closed"
        return f"Closed: {reason}" + (f" after {outcome}" if outcome else "")
    if state.status is Status.RESOLVED:
        return f"Resolved with {outcome}; waiting for the customer's satisfaction"
    level = f"Level {state.level}"
    if state.status is Status.AWAITING_CUSTOMER:
        if state.proposal is not None:
            offer = _offer(state, state.proposal)
            return f"{level} — customer is weighing the merchant's {offer}"
        return f"{level} — waiting for the customer's answer"
    if state.input.subject is Subject.PAYMENT:
        return f"{level} — with customer service"
    if not state.merchant_answered:
        return f"{level} — merchant has not answered"
    return f"{level} — merchant has answered, no agreement yet"


def _offer(state: ClaimState, offer: Proposal | Outcome) -> str:
    words = label(offer.kind, EN)
    if offer.amount is None:
        return words
    return f"{words} of {format_money(offer.amount, state.input.transaction.currency, EN)}"
