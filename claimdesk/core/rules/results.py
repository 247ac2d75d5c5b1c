"""What the workflow learns carrying out a step: a merchant strike counted, an e-mail refused."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from claimdesk.core.domain import EventKind, MailOrder, Recipient, Role, StrikeResult, Template
from claimdesk.core.rules.step import yes

if TYPE_CHECKING:
    from claimdesk.core.rules.state import ClaimState


def strike_recorded(state: ClaimState, result: StrikeResult, now: datetime) -> None:
    """The outcome of a non-cooperation strike the store counted."""
    limit = state.input.policy.merchant_strike_limit
    seq = state.record_event(
        now,
        Role.SYSTEM,
        EventKind.MERCHANT_STRIKE,
        strikes=result.strikes,
        limit=limit,
        restricted=yes(result.restricted),
    )
    state.order_mail(
        seq,
        Template.MERCHANT_STRIKE,
        Recipient.MERCHANT,
        strikes=str(result.strikes),
        limit=str(limit),
        restricted=yes(result.restricted),
    )
    if result.newly_restricted:
        state.record_event(now, Role.SYSTEM, EventKind.MERCHANT_RESTRICTED, strikes=result.strikes)


def mail_undeliverable(state: ClaimState, order: MailOrder, reason: str, now: datetime) -> None:
    """An e-mail the recipient's server refused for good, for operators to see."""
    state.record_event(
        now,
        Role.SYSTEM,
        EventKind.MAIL_UNDELIVERABLE,
        template=order.template.value,
        recipient=order.recipient.value,
        reason=reason,
    )
