"""How a claim closes: the last transition, which an action or a deadline can lead to."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

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
    seq = state.record_event(
        now, by, EventKind.CLOSED, reason=reason.value, note=note, agreement=agreement
    )
    state.order_mail(seq, Template.CLOSED, Recipient.CUSTOMER, reason=reason.value)
    state.order_mail(seq, Template.CLOSED_NOTICE, Recipient.MERCHANT, reason=reason.value)
