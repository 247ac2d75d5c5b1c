"""The documentation of a claim's process, rendered: sent on closing and served by the API.

Pure: the store loads the claim and its timeline (`claimdesk.store.claims.load_report`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from claimdesk.core.domain import ClaimView, EventKind, Locale, Role, TimelineEvent
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


_RECOURSE = {
    Locale.EN: (
        "Your recourse",
        "This claim ended without your satisfaction. You may refer the dispute, free of\n"
        "charge, to the consumer mediator:\n  {name}\n  {address}\n"
        "quoting the reference {reference} and this documentation. Should mediation not\n"
        "settle it, you may bring the matter before the competent court (in France the\n"
        "tribunal de proximité or the tribunal judiciaire, depending on the amount).",
    ),
    Locale.FR: (
        "Vos recours",
        "Cette réclamation s'est terminée sans votre satisfaction. Vous pouvez soumettre\n"
        "gratuitement le litige au médiateur de la consommation :\n  {name}\n  {address}\n"
        "en rappelant la référence {reference} et ce compte rendu. Si la médiation\n"
        "n'aboutit pas, vous pouvez saisir la juridiction compétente (le tribunal de\n"
        "proximité ou le tribunal judiciaire, selon le montant).",
    ),
}

# The same recourse as a fact, for operators: what the customer was told.
_RECOURSE_GIVEN = {
    Locale.EN: (
        "Recourse given to the customer",
        "This claim ended without the customer's satisfaction. They were told they may\n"
        "refer the dispute, free of charge, to the consumer mediator:\n  {name}\n  {address}\n"
        "quoting the reference {reference}, and that the competent court remains should\n"
        "mediation not settle it.",
    ),
    Locale.FR: (
        "Recours indiqués au client",
        "Cette réclamation s'est terminée sans la satisfaction du client. Il lui a été\n"
        "indiqué qu'il peut soumettre gratuitement le litige au médiateur de la\n"
        "consommation :\n  {name}\n  {address}\n"
        "en rappelant la référence {reference}, et que la juridiction compétente reste\n"
        "ouverte si la médiation n'aboutit pas.",
    ),
}


_HEADINGS: dict[Locale, dict[str, str]] = {
    Locale.EN: {
        "title": "Claim {reference}: documentation of the process",
        "reference": "Reference",
        "customer": "Customer",
        "phone": "Phone",
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
        "breached_pending": "not reached yet",
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
        "phone": "Téléphone",
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
        "breached_pending": "pas encore atteint",
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


# The timeline's event kinds (claimdesk.core.rules) and actors in words; an unknown kind
# still shows, with its underscores as spaces.
_EVENTS: dict[Locale, dict[str, str]] = {
    Locale.EN: {
        EventKind.OPENED: "claim opened",
        EventKind.ROUTED: "routed to the customer-service queue",
        EventKind.MERCHANT_NOTIFIED: "merchant notified",
        EventKind.MESSAGE: "message",
        EventKind.PROPOSAL_MADE: "proposal made",
        EventKind.INFO_REQUESTED: "information requested",
        EventKind.MERCHANT_ACKNOWLEDGED: "merchant acknowledged the claim",
        EventKind.MERCHANT_REJECTED: "merchant rejected the claim",
        EventKind.PROPOSAL_ACCEPTED: "proposal accepted",
        EventKind.PROPOSAL_REJECTED: "proposal rejected",
        EventKind.ESCALATED: "escalated",
        EventKind.SATISFACTION: "satisfaction answer",
        EventKind.REFERRED_TO_MEDIATION: "referred to the consumer mediator",
        EventKind.DECISION: "platform decision",
        EventKind.RESOLVED: "resolved",
        EventKind.REOPENED: "reopened",
        EventKind.CLOSED: "closed",
        EventKind.DEADLINE_REACHED: "deadline reached",
        EventKind.SLA_BREACHED: "resolution target missed",
        EventKind.MERCHANT_REMINDED: "merchant reminded of good practice",
        EventKind.MERCHANT_STRIKE: "non-cooperation strike",
        EventKind.MERCHANT_RESTRICTED: "merchant restricted",
        EventKind.MAIL_UNDELIVERABLE: "e-mail refused by the recipient's server",
        EventKind.INTERNAL_NOTE: "internal note",
        EventKind.MERCHANT_UNREACHABLE: "merchant unreachable: the platform handles the claim",
        EventKind.MERCHANT_TERMINATED: "merchant terminated: the platform handles the claim",
        EventKind.FINDINGS: "findings of the investigation",
        EventKind.FINDINGS_OVERDUE: "findings overdue: operators alerted",
        # actors
        "customer": "customer",
        "merchant": "merchant",
        "operator": "operator",
        "system": "system",
    },
    Locale.FR: {
        EventKind.OPENED: "réclamation ouverte",
        EventKind.ROUTED: "transmise à la file du service client",
        EventKind.MERCHANT_NOTIFIED: "marchand informé",
        EventKind.MESSAGE: "message",
        EventKind.PROPOSAL_MADE: "proposition faite",
        EventKind.INFO_REQUESTED: "informations demandées",
        EventKind.MERCHANT_ACKNOWLEDGED: "réception accusée par le marchand",
        EventKind.MERCHANT_REJECTED: "réclamation rejetée par le marchand",
        EventKind.PROPOSAL_ACCEPTED: "proposition acceptée",
        EventKind.PROPOSAL_REJECTED: "proposition refusée",
        EventKind.ESCALATED: "escalade",
        EventKind.SATISFACTION: "réponse sur la satisfaction",
        EventKind.REFERRED_TO_MEDIATION: "orientée vers le médiateur de la consommation",
        EventKind.DECISION: "décision de la plateforme",
        EventKind.RESOLVED: "résolue",
        EventKind.REOPENED: "rouverte",
        EventKind.CLOSED: "clôturée",
        EventKind.DEADLINE_REACHED: "échéance atteinte",
        EventKind.SLA_BREACHED: "délai de résolution dépassé",
        EventKind.MERCHANT_REMINDED: "rappel des bonnes pratiques au marchand",
        EventKind.MERCHANT_STRIKE: "avertissement pour non-coopération",
        EventKind.MERCHANT_RESTRICTED: "marchand restreint",
        EventKind.MAIL_UNDELIVERABLE: "e-mail refusé par le serveur du destinataire",
        EventKind.INTERNAL_NOTE: "note interne",
        EventKind.MERCHANT_UNREACHABLE: (
            "marchand injoignable : la plateforme traite la réclamation"
        ),
        EventKind.MERCHANT_TERMINATED: "marchand radié : la plateforme traite la réclamation",
        EventKind.FINDINGS: "conclusions de l'enquête",
        EventKind.FINDINGS_OVERDUE: "conclusions en retard : opérateurs alertés",
        "customer": "client",
        "merchant": "marchand",
        "operator": "opérateur",
        "system": "système",
    },
}


def _words(value: str, locale: Locale) -> str:
    return _EVENTS[locale].get(value, value.replace("_", " "))


def _field(name: str, value: str, locale: Locale) -> str:
    # French typography puts a space before the colon.
    colon = " :" if locale is Locale.FR else ":"
    return f"{name + colon:<28}{value}"


def _detail(value: str, locale: Locale) -> str:
    try:
        return format_when(datetime.fromisoformat(value), locale)
    except ValueError:
        return " ".join(value.split())


# The event details the report leaves out: internal routing and standing, or said by the
# event's own words (the deadline reached, the subject opened on).
LEFT_OUT = frozenset(
    {"cause", "deadline", "limit", "merchant_silent", "queue", "restricted", "subject", "team"}
    # said in a section of its own, with the mediator's contact (see _recourse)
    | {"recourse"}
)

# What the other event details are called in the report (tests/core/test_report.py holds
# these and LEFT_OUT to the keys `claimdesk.core.details` declares).
_DETAILS: dict[Locale, dict[str, str]] = {
    Locale.EN: {
        "level": "level",
        "kind": "proposal",
        "outcome": "outcome",
        "amount": "amount",
        "reason": "reason",
        "note": "note",
        "message": "message",
        "body": "message",
        "question": "question",
        "comment": "comment",
        "verdict": "answer",
        "respond_by": "answer due by",
        "satisfaction_by": "confirm by",
        "strikes": "strikes",
        "template": "e-mail",
        "recipient": "to",
        "agreement": "agreement",
        "rating": "rating",
        "findings_by": "findings due by",
    },
    Locale.FR: {
        "level": "niveau",
        "kind": "proposition",
        "outcome": "issue",
        "amount": "montant",
        "reason": "motif",
        "note": "note",
        "message": "message",
        "body": "message",
        "question": "question",
        "comment": "commentaire",
        "verdict": "réponse",
        "respond_by": "réponse attendue avant le",
        "satisfaction_by": "à confirmer avant le",
        "strikes": "avertissements",
        "template": "e-mail",
        "recipient": "destinataire",
        "agreement": "accord",
        "rating": "évaluation",
        "findings_by": "conclusions attendues avant le",
    },
}
_VERDICTS = {
    Locale.EN: {"satisfied": "satisfied", "not_satisfied": "not satisfied"},
    Locale.FR: {"satisfied": "satisfait", "not_satisfied": "pas satisfait"},
}

_AGREEMENTS = {
    Locale.EN: {
        "proposal_accepted": "proposal accepted",
        "satisfaction_window_passed": "satisfaction window passed unanswered",
    },
    Locale.FR: {
        "proposal_accepted": "proposition acceptée",
        "satisfaction_window_passed": "délai de satisfaction écoulé sans réponse",
    },
}


def _detail_value(key: str, value: str, locale: Locale, currency: str) -> str:
    if key == "amount":
        return format_money(value, currency, locale)
    if key == "verdict":
        return _VERDICTS[locale].get(value, value)
    if key == "agreement":
        return _AGREEMENTS[locale].get(value, value)
    if key == "rating":
        return f"{value}/5"
    if key in ("kind", "outcome", "reason", "recipient"):
        return label(value, locale)
    return _detail(value, locale)


def _event_line(event: TimelineEvent, locale: Locale, currency: str) -> str:
    names = _DETAILS[locale]
    details = "; ".join(
        f"{names[key]}: {_detail_value(key, value, locale, currency)}"
        for key, value in event.details.items()
        if key in names
    )
    actor = _words(str(event.actor), locale)
    line = f"{format_when(event.at, locale)}  {actor:<10}{_words(event.kind, locale)}"
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
    words = _RECOURSE if report.reader is Role.CUSTOMER else _RECOURSE_GIVEN
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
    h = _HEADINGS[locale]

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
