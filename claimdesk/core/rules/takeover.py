"""When the platform takes a claim over from its merchant (edition 2), and what it does.

Three ways (seeds `003`, "restricted or terminated", and `000`, "the merchant's e-mail is
invalid"): the merchant was restricted or terminated when the claim was filed (it opens
with the platform), an operator terminates it while the claim is open, or its e-mail
cannot reach it (no address on file, or its mail refused for good). The claim moves to
level 2 at least, where operators handle it; the merchant stays a party and may answer.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from claimdesk.core import editions
from claimdesk.core.domain import (
    ClaimInput,
    EventKind,
    Recipient,
    Role,
    Standing,
    Template,
)
from claimdesk.core.permissions import LIVE
from claimdesk.core.rules import findings
from claimdesk.core.rules.step import iso

if TYPE_CHECKING:
    from claimdesk.core.rules.state import ClaimState

PLATFORM_LEVEL = 2  # the resolution team: the platform investigates and decides
NO_CONTACT_ADDRESS = "no_contact_address"
MAIL_REFUSED = "mail_refused"
TERMINATED = "merchant_terminated"


def opens_with_platform(claim: ClaimInput) -> bool:
    """A claim filed against a restricted or terminated merchant goes to the platform at once."""
    return claim.merchant_standing is not Standing.ACTIVE and (
        editions.platform_takes_over_from_merchant(claim.policy)
    )


def open_with_platform(state: ClaimState, opened: int, now: datetime) -> None:
    """The opening of such a claim, after its `opened` event: the customer is told the
    platform handles it and when its findings are due; a restricted merchant is still sent
    a delivery claim and its deadline (it may answer), a terminated one is not; the
    operators get it at level 2.

    The timeline says the claim went to the platform, not why: the merchant's standing is
    the operators' business (their e-mail names it)."""
    claim = state.input
    informed = state.is_delivery and claim.merchant_standing is not Standing.TERMINATED
    respond_by = iso(claim.opened_at + claim.policy.level2_after) if informed else None
    findings_by = _to_platform(state, now)
    state.order_mail(
        opened,
        Template.ACKNOWLEDGEMENT,
        Recipient.CUSTOMER,
        handled_by="platform",
        respond_by=respond_by,
        findings_by=findings_by,
    )
    if respond_by is not None:
        seq = state.record_event(
            now, Role.SYSTEM, EventKind.MERCHANT_NOTIFIED, respond_by=respond_by
        )
        state.order_mail(
            seq, Template.NEW_CLAIM_MERCHANT, Recipient.MERCHANT, respond_by=respond_by
        )
    seq = state.record_event(
        now,
        Role.SYSTEM,
        EventKind.ESCALATED,
        level=PLATFORM_LEVEL,
        team="resolution",
        cause="opened_with_platform",
        findings_by=findings_by,
    )
    state.order_mail(seq, Template.NEW_CLAIM_OPERATORS, Recipient.OPERATORS, queue="resolution")


def taken_over(state: ClaimState) -> bool:
    """Whether the platform took the claim over from its merchant, for any cause (edition 2):
    the merchant is then neither reminded nor struck for its silence."""
    return (
        state.merchant_unreachable or state.merchant_terminated or opens_with_platform(state.input)
    )


def merchant_answer_by(state: ClaimState) -> datetime:
    """When a silent delivery merchant's time to answer runs out, so that it is struck: the
    resolution target, counted from the opening; for a claim given back to its reinstated
    merchant (edition 3), the same span counted from the give-back (its time starts again,
    as its ladder does). Its reminder asks it to answer by then."""
    started = state.ladder_from or state.input.opened_at
    return started + state.input.policy.resolution_target


def spares_merchant(state: ClaimState, at: datetime) -> bool:
    """Whether a silent merchant is spared the strike at `at`: the platform took the claim
    over from it, or its time to answer (`merchant_answer_by`) is not over."""
    return taken_over(state) or at < merchant_answer_by(state)


def termination_refusal(state: ClaimState) -> str | None:
    """Why the platform does not take this claim over from its terminated merchant, if so."""
    if not editions.platform_takes_over_from_merchant(state.input.policy):
        return "the claim runs on the rules it opened under (edition 1), without take-over"
    if state.status not in LIVE:
        return f"the claim is {state.status.value}: it no longer awaits the merchant"
    if state.merchant_terminated:
        return "the platform has already taken this claim over from its terminated merchant"
    return None


def merchant_terminated(state: ClaimState, now: datetime) -> None:
    """An operator terminated the merchant: the platform takes the claim, the customer is told."""
    state.merchant_terminated = True
    state.taken_over_at_level = state.level  # where a reinstatement may return it (edition 3)
    findings_by = _to_platform(state, now)
    seq = state.record_event(
        now,
        Role.OPERATOR,
        EventKind.MERCHANT_TERMINATED,
        level=state.level,
        findings_by=findings_by,
    )
    state.order_mail(
        seq,
        Template.PLATFORM_TAKES_OVER,
        Recipient.CUSTOMER,
        cause=TERMINATED,
        level=state.level,
        findings_by=findings_by,
    )


def merchant_unreachable(state: ClaimState, cause: str, now: datetime) -> bool:
    """The merchant's e-mail cannot reach it (`cause`): the platform steps in at once, once
    per claim, while the claim still awaits an answer; whether it did."""
    if not editions.platform_takes_over_from_merchant(state.input.policy):
        return False
    if state.merchant_unreachable or state.status not in LIVE:
        return False
    state.merchant_unreachable = True
    findings_by = _to_platform(state, now)
    details = {"cause": cause, "level": state.level, "findings_by": findings_by}
    seq = state.record_event(now, Role.SYSTEM, EventKind.MERCHANT_UNREACHABLE, **details)
    for recipient in (Recipient.CUSTOMER, Recipient.OPERATORS):
        state.order_mail(seq, Template.PLATFORM_TAKES_OVER, recipient, **details)
    return True


def _to_platform(state: ClaimState, now: datetime) -> str | None:
    """Moves the claim to the platform's level at least; when its findings are due, if owed.

    As up the ladder: a claim leaving level 1 opens the investigation, which owes findings
    from now (edition 2); one already past it keeps the deadline it has."""
    findings_by = findings.owe(state, now) if state.level == 1 else findings.owed_by(state)
    state.level = max(state.level, PLATFORM_LEVEL)
    return findings_by
