"""The documentation of a claim's process, rendered: sent on closing and served by the API.

Pure: the store loads the claim and its timeline (`claimdesk.store.claims.load_report`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from claimdesk.core.domain import ClaimView, EventKind, Locale, Role, TimelineEvent
from claimdesk.core.report_words import (
    AGREEMENTS,
    DETAIL_NAMES,
    EVENT_WORDS,
    HEADINGS,
    RECOURSE,
    RECOURSE_GIVEN,
    TAKEN_OVER,
    VERDICTS,
)
from claimdesk.core.settings import Settings
from claimdesk.core.wording import format_money, format_when, label


@dataclass
class ClaimReport:
    claim: ClaimView
    timeline: list[TimelineEvent]
    merchant_name: str | None = None  # from the merchant's record; None: its id
    merchant_locale: Locale | None = None  # from the merchant's record; None: it set none
    # Whom it is written to, in which language (None: the claim's); cut and set for a
    # reader by `claimdesk.core.audience.report_for`. As stored: the customer's.
    reader: Role = Role.CUSTOMER
    locale: Locale | None = None

    @property
    def language(self) -> Locale:
        return self.locale or self.claim.locale


@dataclass(frozen=True)
class Mediator:
    """The platform's consumer mediator (settings), named to customers left unsatisfied."""

    name: str
    address: str

    @classmethod
    def of(cls, settings: Settings) -> Mediator:
        return cls(settings.mediator_name, settings.mediator_url)

    @classmethod
    def unset(cls) -> Mediator:
        """The settings' placeholders, for a caller that did not say."""
        fields = Settings.model_fields
        return cls(str(fields["mediator_name"].default), str(fields["mediator_url"].default))


def _words(value: str, locale: Locale) -> str:
    return EVENT_WORDS[locale].get(value, value.replace("_", " "))


def _field(name: str, value: str, locale: Locale) -> str:
    # French typography puts a space before the colon.
    colon = " :" if locale is Locale.FR else ":"
    return f"{name + colon:<28}{value}"


def _detail(value: str, locale: Locale) -> str:
    try:
        return format_when(datetime.fromisoformat(value), locale)
    except ValueError:
        return " ".join(value.split())


def _detail_value(key: str, value: str, locale: Locale, currency: str) -> str:
    if key == "amount":
        return format_money(value, currency, locale)
    if key == "verdict":
        return VERDICTS[locale].get(value, value)
    if key == "agreement":
        return AGREEMENTS[locale].get(value, value)
    if key == "rating":
        return f"{value}/5"
    if key in ("kind", "outcome", "reason", "recipient"):
        return label(value, locale)
    return _detail(value, locale)


def _event_line(event: TimelineEvent, locale: Locale, currency: str) -> str:
    names = DETAIL_NAMES[locale]
    details = "; ".join(
        f"{names[key]}: {_detail_value(key, value, locale, currency)}"
        for key, value in event.details.items()
        if key in names
    )
    actor = _words(str(event.actor), locale)
    words = _words(event.kind, locale)
    if event.kind == EventKind.ESCALATED and event.details.get("cause") == "taken_over":
        words = TAKEN_OVER[locale]  # a take-over, read by the customer: no move up said
    line = f"{format_when(event.at, locale)}  {actor:<10}{words}"
    return f"{line}  ({details})" if details else line


def _target(claim: ClaimView, h: dict[str, str]) -> str:
    if claim.sla_breached:
        return h["breached_yes"]
    # An open claim has not met its target yet; it just has not missed it.
    return h["breached_no"] if claim.resolved_at or claim.closed_at else h["breached_pending"]


def _recourse(report: ClaimReport, mediator: Mediator | None) -> list[str]:
    """The mediator and the court, for a claim that ended without the customer's
    satisfaction (its closing event says so, from edition 2 of the rules): told to the
    customer, stated as what they were told to operators, and none of the merchant's."""
    closing = [e for e in report.timeline if e.kind == EventKind.CLOSED]
    if not closing or closing[-1].details.get("recourse") != "yes":
        return []
    if report.reader is Role.MERCHANT:
        return []
    words = RECOURSE if report.reader is Role.CUSTOMER else RECOURSE_GIVEN
    heading, body = words[report.language]
    mediator = mediator or Mediator.unset()
    text = body.format(
        name=mediator.name, address=mediator.address, reference=report.claim.reference
    )
    return ["", heading, "-" * len(heading), *text.splitlines()]


def render_report(report: ClaimReport, mediator: Mediator | None = None) -> str:
    """Plain text in its reader's language, one line per timeline event, then the
    customer's recourse if the claim ended without their satisfaction (see `_recourse`)."""
    claim = report.claim
    locale = report.language
    h = HEADINGS[locale]

    def field(heading: str, value: str) -> str:
        return _field(h[heading], value, locale)

    money = format_money(claim.amount, claim.currency, locale)
    title = h["title"].format(reference=claim.reference)
    lines = [
        title,
        "=" * len(title),
        field("reference", claim.reference),
        field("customer", claim.customer_name),
        *([field("phone", claim.customer_phone)] if claim.customer_phone else []),
        field("merchant", report.merchant_name or claim.merchant_id),
        field(
            "transaction",
            h["transaction_line"].format(
                id=claim.transaction_id,
                amount=money,
                when=format_when(claim.transaction_occurred_at, locale),
            ),
        ),
        field("subject", label(claim.subject, locale)),
        field("category", label(claim.category, locale)),
        field("status", label(claim.status, locale)),
        field("level", str(claim.escalation_level)),
        field("breached", _target(claim, h)),
        field("opened", format_when(claim.opened_at, locale)),
    ]
    if claim.resolved_at is not None:
        lines.append(field("resolved", format_when(claim.resolved_at, locale)))
    if claim.closed_at is not None:
        lines.append(field("closed", format_when(claim.closed_at, locale)))
    if claim.closed_reason is not None:
        lines.append(field("closed_reason", label(claim.closed_reason, locale)))
    outcome = claim.outcome
    lines.append(field("outcome", h["none"] if outcome is None else label(outcome.kind, locale)))
    if outcome is not None:
        if outcome.amount is not None:
            lines.append(field("adjustment", format_money(outcome.amount, claim.currency, locale)))
        lines.append(field("decided_by", label(outcome.decided_by, locale)))
        if outcome.note:
            lines.append(field("note", " ".join(outcome.note.split())))
    lines += ["", h["timeline"], "-" * len(h["timeline"])]
    lines += [_event_line(event, locale, claim.currency) for event in report.timeline] or [
        h["no_events"]
    ]
    lines += _recourse(report, mediator)
    return "\n".join(lines) + "\n"
