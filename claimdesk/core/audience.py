"""Who sees which timeline event: the one place the timeline and the report are cut per party.

Operators see everything. A customer never sees the merchant's internal standing (strikes,
restriction) nor what only operators see, and reads a termination or a reinstatement of the
merchant as what it did to their claim (`read_as`). A merchant sees a delivery claim, where it is a
party, except what only operators see; of a payment claim, which is between the customer
and the platform, only its header and the events that concern the merchant: the opening,
the platform's decision and the closing (the two it is e-mailed about). The e-mail rules
(`claimdesk.core.rules`) tell nobody of an event its audience does not show them
(tests/core/test_audience.py holds the two together). The customer's phone goes to the
merchant only if the customer shared it.

What a party reads leaves no trace of what it does not: its timeline is numbered 1..n as it
reads it (the store's numbers would show a gap where an event was kept back), and the claim
changed, for it, when the last event it reads happened. Pure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol, TypeVar

from claimdesk.core.domain import EventKind, Locale, Role, Subject
from claimdesk.core.report import ClaimReport

# Operators' own: their internal notes, e-mails a server refused and findings they owe
# past their time (matters for them, which they alone are told of).
OPERATORS_ONLY = frozenset(
    {EventKind.INTERNAL_NOTE, EventKind.MAIL_UNDELIVERABLE, EventKind.FINDINGS_OVERDUE}
)

# A merchant's standing with the platform, between it and the platform.
MERCHANT_STANDING = frozenset({EventKind.MERCHANT_STRIKE, EventKind.MERCHANT_RESTRICTED})

# What concerns the merchant of a payment claim, and of its closing only why (its e-mail
# says no more): a note closing it is the customer's or the operator's word to the other.
PAYMENT_MERCHANT_SEES = frozenset({EventKind.OPENED, EventKind.DECISION, EventKind.CLOSED})
_PAYMENT_MERCHANT_DETAILS = {EventKind.CLOSED: frozenset({"reason"})}


_KNOWN = frozenset(EventKind)


@dataclass(frozen=True)
class _ReadAs:
    kind: EventKind
    kept: frozenset[str]
    added: Callable[[Mapping[str, str]], Mapping[str, str]] = lambda details: {}


# The team that handles a claim at each level the platform holds it.
TEAMS = {"2": "resolution", "3": "customer_experience"}


def _taken_over(details: Mapping[str, str]) -> Mapping[str, str]:
    """A take-over names the team of the level the claim is at (the event's `level`), and
    says it is a take-over, so it reads as no move up where the claim stayed at its level
    (the report words it so: `report_words.TAKEN_OVER`)."""
    return {"team": TEAMS.get(details.get("level", ""), "resolution"), "cause": "taken_over"}


# What a customer reads of the operators' dealings with the merchant's standing: how their
# claim moved, not why. A termination is the platform taking the claim over (as a claim
# opened with the platform reads), a reinstatement the merchant sent the claim again.
_CUSTOMER_READS = {
    EventKind.MERCHANT_TERMINATED: _ReadAs(
        EventKind.ESCALATED, frozenset({"level", "findings_by"}), _taken_over
    ),
    EventKind.MERCHANT_REINSTATED: _ReadAs(
        EventKind.MERCHANT_NOTIFIED, frozenset({"respond_by", "findings_withdrawn"})
    ),
}


class _Event(Protocol):
    @property
    def kind(self) -> str: ...


E = TypeVar("E", bound=_Event)


def sees(role: Role, subject: Subject, kind: str) -> bool:
    """Whether `role` sees an event of `kind` on a claim of `subject`; a kind these rules
    do not know (a newer one read by older code) only operators see."""
    if role in (Role.OPERATOR, Role.SYSTEM):
        return True
    if kind not in _KNOWN or kind in OPERATORS_ONLY:
        return False
    if role is Role.CUSTOMER:
        return kind not in MERCHANT_STANDING
    if subject is Subject.PAYMENT:
        return kind in PAYMENT_MERCHANT_SEES
    return True


def details_for(
    role: Role, subject: Subject, kind: str, details: Mapping[str, str]
) -> dict[str, str]:
    """The details of an event `role` sees that `role` reads."""
    kept = None
    if role is Role.MERCHANT and subject is Subject.PAYMENT:
        kept = _PAYMENT_MERCHANT_DETAILS.get(EventKind(kind))
    return {key: value for key, value in details.items() if kept is None or key in kept}


def read_as(
    role: Role, subject: Subject, kind: str, details: Mapping[str, str]
) -> tuple[str, dict[str, str]]:
    """The kind and details of an event `role` sees, as `role` reads them."""
    read = details_for(role, subject, kind, details)
    shown = _CUSTOMER_READS.get(EventKind(kind)) if kind in _KNOWN else None
    if role is not Role.CUSTOMER or shown is None:
        return kind, read
    return shown.kind, {k: v for k, v in read.items() if k in shown.kept} | dict(shown.added(read))


def timeline_for(role: Role, subject: Subject, events: Iterable[E]) -> list[E]:
    """The events of a claim's timeline (the rules' or the store's) `role` sees, in order."""
    return [event for event in events if sees(role, subject, event.kind)]


def updated_at_for(
    role: Role,
    subject: Subject,
    *,
    updated_at: datetime,
    opened_at: datetime,
    last_by_kind: Mapping[str, datetime],
) -> datetime:
    """When the claim last changed as `role` reads it: for operators at its last step; for
    a party at the last event it reads (`last_by_kind`: the time of each kind's last event),
    so a step it does not read, an internal note say, does not move it."""
    if role in (Role.OPERATOR, Role.SYSTEM):
        return updated_at
    seen = [at for kind, at in last_by_kind.items() if sees(role, subject, kind)]
    return max(seen, default=opened_at)


def sees_description(role: Role, subject: Subject) -> bool:
    """The customer's account of the problem: on a payment claim their first word to the
    platform (no e-mail carries it to the merchant), not part of the header the merchant
    reads; on a delivery claim the merchant's to answer."""
    return role is not Role.MERCHANT or subject is Subject.DELIVERY


def sees_customer_phone(role: Role, shared: bool) -> bool:
    """The customer's phone: theirs and the operators' to read; the merchant's only if the
    customer chose to share it (`contact.share_phone_with_merchant`)."""
    return role is not Role.MERCHANT or shared


def sees_merchant_contact(role: Role, subject: Subject) -> bool:
    """The merchant's direct contact details: the customer's to read on delivery claims
    (seeds 001 and 003: contacting the seller first, and the right to its details); a
    payment claim is between the customer and the platform."""
    return role is not Role.CUSTOMER or subject is Subject.DELIVERY


def reader_locale(
    role: Role, *, claim: Locale, merchant: Locale | None, operators: Locale
) -> Locale:
    """Each party in its own language: the customer in the claim's, the merchant in its own
    (the claim's if it set none), operators in theirs (`operator_locale`)."""
    if role is Role.CUSTOMER:
        return claim
    if role is Role.MERCHANT:
        return merchant or claim
    return operators


def report_for(
    role: Role, report: ClaimReport, *, operator_locale: Locale = Locale.EN
) -> ClaimReport:
    """The documentation of the process as `role` may read it, written to `role` in its
    language (`operator_locale`: the settings' `operator_locale`)."""
    claim = report.claim
    if not sees_customer_phone(role, claim.customer_shares_phone):
        claim = replace(claim, customer_phone=None)
    timeline = []
    for seq, event in enumerate(timeline_for(role, claim.subject, report.timeline), start=1):
        kind, details = read_as(role, claim.subject, event.kind, event.details)
        timeline.append(replace(event, seq=seq, kind=EventKind(kind), details=details))
    locale = reader_locale(
        role, claim=claim.locale, merchant=report.merchant_locale, operators=operator_locale
    )
    return replace(report, claim=claim, timeline=timeline, reader=role, locale=locale)
