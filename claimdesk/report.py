"""The documentation of a claim's process: sent on closing and served by the API."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from claimdesk.domain import ClaimView, Locale, TimelineEvent
from claimdesk.store.projection import get_claim, list_events
from claimdesk.wording import format_money, format_when, label


@dataclass
class ClaimReport:
    claim: ClaimView
    timeline: list[TimelineEvent]


async def load_report(*, session: AsyncSession, reference: str) -> ClaimReport | None:
    claim = await get_claim(session=session, reference=reference)
    if claim is None:
        return None
    return ClaimReport(
        claim=claim, timeline=await list_events(session=session, reference=reference)
    )


_HEADINGS: dict[Locale, dict[str, str]] = {
    Locale.EN: {
        "title": "Claim {reference}: documentation of the process",
        "reference": "Reference",
        "customer": "Customer",
        "merchant": "Merchant",
        "transaction": "Transaction",
        "transaction_line": "{id}, {amount} on {when}",
        "subject": "Subject",
        "category": "Category",
        "status": "Status",
        "level": "Escalation level reached",
        "breached": "Resolution target",
        "breached_yes": "missed",
        "breached_no": "met",
        "opened": "Opened",
        "resolved": "Resolved",
        "closed": "Closed",
        "closed_reason": "Closing reason",
        "outcome": "Outcome",
        "adjustment": "Amount",
        "decided_by": "Decided by",
        "note": "Note",
        "none": "none",
        "timeline": "Timeline",
        "no_events": "(no event recorded)",
    },
    Locale.FR: {
        "title": "Réclamation {reference} : compte rendu de la procédure",
        "reference": "Référence",
        "customer": "Client",
        "merchant": "Marchand",
        "transaction": "Transaction",
        "transaction_line": "{id}, {amount} le {when}",
        "subject": "Objet",
        "category": "Catégorie",
        "status": "Statut",
        "level": "Niveau d'escalade atteint",
        "breached": "Délai de résolution",
        "breached_yes": "dépassé",
        "breached_no": "respecté",
        "opened": "Ouverte le",
        "resolved": "Résolue le",
        "closed": "Clôturée le",
        "closed_reason": "Motif de clôture",
        "outcome": "Issue",
        "adjustment": "Montant",
        "decided_by": "Décidée par",
        "note": "Note",
        "none": "aucune",
        "timeline": "Chronologie",
        "no_events": "(aucun événement enregistré)",
    },
}


def _field(name: str, value: str) -> str:
    return f"{name + ':':<28}{value}"


def _event_line(event: TimelineEvent, locale: Locale) -> str:
    details = "; ".join(
        f"{key}={' '.join(value.split())}" for key, value in sorted(event.details.items())
    )
    line = f"{format_when(event.at, locale)}  {event.actor!s:<9} {event.kind.replace('_', ' ')}"
    return f"{line}  ({details})" if details else line


def render_report(report: ClaimReport) -> str:
    """Plain text in the claim's locale, one line per timeline event."""
    claim = report.claim
    locale = claim.locale
    h = _HEADINGS[locale]
    money = format_money(claim.amount, claim.currency, locale)
    title = h["title"].format(reference=claim.reference)
    lines = [
        title,
        "=" * len(title),
        _field(h["reference"], claim.reference),
        _field(h["customer"], claim.customer_name),
        _field(h["merchant"], claim.merchant_id),
        _field(
            h["transaction"],
            h["transaction_line"].format(
                id=claim.transaction_id,
                amount=money,
                when=format_when(claim.transaction_occurred_at, locale),
            ),
        ),
        _field(h["subject"], label(claim.subject, locale)),
        _field(h["category"], label(claim.category, locale)),
        _field(h["status"], label(claim.status, locale)),
        _field(h["level"], str(claim.escalation_level)),
        _field(h["breached"], h["breached_yes"] if claim.sla_breached else h["breached_no"]),
        _field(h["opened"], format_when(claim.opened_at, locale)),
    ]
    if claim.resolved_at is not None:
        lines.append(_field(h["resolved"], format_when(claim.resolved_at, locale)))
    if claim.closed_at is not None:
        lines.append(_field(h["closed"], format_when(claim.closed_at, locale)))
    if claim.closed_reason is not None:
        lines.append(_field(h["closed_reason"], label(claim.closed_reason, locale)))
    outcome = claim.outcome
    lines.append(
        _field(h["outcome"], h["none"] if outcome is None else label(outcome.kind, locale))
    )
    if outcome is not None:
        if outcome.amount is not None:
            lines.append(
                _field(h["adjustment"], format_money(outcome.amount, claim.currency, locale))
            )
        lines.append(_field(h["decided_by"], label(outcome.decided_by, locale)))
        if outcome.note:
            lines.append(_field(h["note"], " ".join(outcome.note.split())))
    lines += ["", h["timeline"], "-" * len(h["timeline"])]
    lines += [_event_line(event, locale) for event in report.timeline] or [h["no_events"]]
    return "\n".join(lines) + "\n"
