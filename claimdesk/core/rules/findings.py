"""The investigation's findings: owed from level 2 (and on a reopening), given or overdue.

Seed 003: the resolution team investigates and the customer is "informed of its
conclusions". From edition 2 an investigation owes the customer findings within
`Policy.findings_within`; an operator's findings note or any resolution (a decision, an
accepted proposal) gives them; none in time alerts the operators, once.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from claimdesk.core import editions
from claimdesk.core.domain import EventKind, Findings, Recipient, Role, Template
from claimdesk.core.rules.step import iso

if TYPE_CHECKING:
    from claimdesk.core.rules.state import ClaimState


def owe(state: ClaimState, now: datetime) -> str | None:
    """Opens the investigation's debt of findings, due `findings_within` from `now`; when
    they are due (for the event and e-mail that say so), or None under edition 1."""
    policy = state.input.policy
    if not editions.investigation_owes_findings(policy):
        return None
    state.findings_due_at = now + policy.findings_within
    state.findings_overdue = False
    return iso(state.findings_due_at)


def owed_by(state: ClaimState) -> str | None:
    """When the findings owed are due, if any are and that time has not passed (a
    customer is never promised a time already gone)."""
    if state.findings_due_at is None or state.findings_overdue:
        return None
    return iso(state.findings_due_at)


def settled(state: ClaimState) -> None:
    """Findings given (a note, a decision, an accepted proposal): nothing owed any more."""
    state.findings_due_at = None
    state.findings_overdue = False


def timer(state: ClaimState) -> datetime | None:
    """When the overdue alert fires: findings owed and no alert sent yet."""
    return None if state.findings_overdue else state.findings_due_at


def on_findings(state: ClaimState, findings: Findings, now: datetime) -> None:
    seq = state.record_event(now, Role.OPERATOR, EventKind.FINDINGS, note=findings.note)
    state.order_mail(seq, Template.FINDINGS, Recipient.CUSTOMER, note=findings.note)
    settled(state)


def overdue(state: ClaimState, at: datetime) -> None:
    """No findings in time: the operators are alerted and the timeline says so; the
    findings stay owed (an operator may still give them), the alert is not repeated."""
    due = owed_by(state)
    assert due is not None
    state.findings_overdue = True
    seq = state.record_event(at, Role.SYSTEM, EventKind.FINDINGS_OVERDUE, findings_by=due)
    state.order_mail(
        seq, Template.FINDINGS_OVERDUE, Recipient.OPERATORS, findings_by=due, level=state.level
    )
