"""How a claim closes: the last transition, which an action or a deadline can lead to."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from claimdesk.core import editions
from claimdesk.core.domain import ClosedReason, EventKind, Recipient, Role, Status, Template

if TYPE_CHECKING:
    from claimdesk.core.rules.state import ClaimState


def close(
    state: ClaimState,
    reason: ClosedReason,
    now: datetime,
    by: Role,
    note: str | None = None,
    agreement: str | None = None,  # a platform close: what the customer agreed to
) -> None:
    state.status = Status.CLOSED
    state.closed_reason = reason
    state.closed_at = now
    state.proposal = None
    recourse = "yes" if _owes_recourse(state, reason) else None
    seq = state.record_event(
        now,
        by,
        EventKind.CLOSED,
        reason=reason.value,
        note=note,
        agreement=agreement,
        recourse=recourse,
    )
    state.order_mail(
        seq, Template.CLOSED, Recipient.CUSTOMER, reason=reason.value, recourse=recourse
    )
    state.order_mail(seq, Template.CLOSED_NOTICE, Recipient.MERCHANT, reason=reason.value)


def _owes_recourse(state: ClaimState, reason: ClosedReason) -> bool:
    """Whether the claim ends without the customer's satisfaction, so they are told of the
    mediator and the court: anything but their own close, withdrawal or satisfaction, or an
    outcome they chose (a proposal they accepted), whether the platform closes it or their
    satisfaction window runs out on it. A referral to mediation is unsatisfied by
    definition: the customer said so at the last level, whoever chose the outcome."""
    if not editions.unsatisfied_ending_owes_recourse(state.input.policy):
        return False
    if reason is ClosedReason.REFERRED_TO_MEDIATION:
        return True
    if reason in (ClosedReason.BY_CUSTOMER, ClosedReason.WITHDRAWN):
        return False
    outcome = state.outcome
    return outcome is None or outcome.decided_by is not Role.CUSTOMER
