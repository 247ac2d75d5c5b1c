"""A reinstated merchant gets back the claims its termination moved to the platform (edition 3).

Seed `003` lets the platform restrict or terminate a non-cooperating merchant; an operator
who reinstates it undoes the termination for the claims it alone moved: each goes back to
the level it had, the merchant handling it again, with its time to answer from now (it was
cut off). A claim something else brought to the platform stays there: the ladder, a
rejected proposal or a reopening (a level above the platform's), an unreachable merchant,
a claim filed while the merchant was restricted or terminated, and payment claims, which
the platform handles from the start.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from claimdesk.core import editions
from claimdesk.core.domain import Deadline, EventKind, Recipient, Role, Template
from claimdesk.core.permissions import LIVE
from claimdesk.core.rules import findings, takeover
from claimdesk.core.rules.step import iso, text

if TYPE_CHECKING:
    from claimdesk.core.rules.state import ClaimState


def refusal(state: ClaimState) -> str | None:
    """Why the claim does not go back to its reinstated merchant, if so."""
    policy = state.input.policy
    if not editions.reinstatement_returns_claims(policy):
        return (
            f"the claim runs on the rules it opened under (edition {policy.edition}): "
            "it stays with the platform"
        )
    if state.status not in LIVE:
        return f"the claim is {state.status.value}: it no longer awaits the merchant"
    if not state.merchant_terminated:
        return "no termination of its merchant moved this claim to the platform"
    why = _brought_otherwise(state)
    return None if why is None else f"the claim stays with the platform: {why}"


def _brought_otherwise(state: ClaimState) -> str | None:
    """What besides the termination keeps the claim with the platform, if anything."""
    if not state.is_delivery:
        return "a payment claim is the platform's to handle from the start"
    if takeover.opens_with_platform(state.input):
        return "it opened with the platform (its merchant was restricted or terminated then)"
    if state.merchant_unreachable:
        return "the merchant's e-mail could not reach it"
    if state.taken_over_at_level != 1:
        return f"it had reached level {state.taken_over_at_level} before the termination"
    if state.level != takeover.PLATFORM_LEVEL:
        return f"it has moved up to level {state.level} since"
    return None


def merchant_reinstated(state: ClaimState, now: datetime) -> None:
    """The claim goes back to its merchant: the level it had, the findings the take-over
    alone owed withdrawn, the ladder's levels and the merchant's time to answer counted
    again from now; customer and merchant are told, the merchant when it must answer by,
    and the operators, if they owed findings, that they owe them no more."""
    level = state.taken_over_at_level
    assert level is not None
    withdrawn = None if state.findings_due_at is None else iso(state.findings_due_at)
    state.merchant_terminated = False
    state.taken_over_at_level = None
    state.level = level
    findings.settled(state)
    state.ladder_from = now
    state.ladder_done -= {Deadline.LEVEL2, Deadline.LEVEL3, Deadline.MERCHANT_TIME}
    details = text(
        respond_by=iso(now + state.input.policy.level2_after), findings_withdrawn=withdrawn
    )
    seq = state.record_event(
        now, Role.OPERATOR, EventKind.MERCHANT_REINSTATED, level=level, **details
    )
    state.order_mail(seq, Template.MERCHANT_HANDLES_AGAIN, Recipient.CUSTOMER, **details)
    state.order_mail(
        seq, Template.MERCHANT_HANDLES_AGAIN, Recipient.MERCHANT, respond_by=details["respond_by"]
    )
    if withdrawn is not None:
        # Who owed the findings learns they owe them no more (the findings are not the
        # merchant's business).
        state.order_mail(seq, Template.MERCHANT_HANDLES_AGAIN, Recipient.OPERATORS, **details)
