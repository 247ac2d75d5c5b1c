"""The report's words, in each language: headings, event kinds, detail names, recourse.

Pure tables for `claimdesk.core.report`; tests/core/test_report.py holds the detail names
and `LEFT_OUT` to the keys `claimdesk.core.details` declares.
"""

from __future__ import annotations

from claimdesk.core.domain import EventKind, Locale

RECOURSE = {
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
RECOURSE_GIVEN = {
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


HEADINGS: dict[Locale, dict[str, str]] = {
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
EVENT_WORDS: dict[Locale, dict[str, str]] = {
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
        EventKind.MERCHANT_REINSTATED: "merchant reinstated: the merchant handles the claim again",
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
        EventKind.MERCHANT_REINSTATED: (
            "marchand réintégré : le marchand traite de nouveau la réclamation"
        ),
        EventKind.FINDINGS: "conclusions de l'enquête",
        EventKind.FINDINGS_OVERDUE: "conclusions en retard : opérateurs alertés",
        "customer": "client",
        "merchant": "marchand",
        "operator": "opérateur",
        "system": "système",
    },
}


# A termination the customer reads as an `escalated` event with `cause: taken_over`
# (claimdesk.core.audience): the platform took the claim, which moved up only if its
# level says so.
TAKEN_OVER = {
    Locale.EN: "the platform handles the claim",
    Locale.FR: "la plateforme traite la réclamation",
}


# The event details the report leaves out: internal routing and standing, or said by the
# event's own words (the deadline reached, the subject opened on).
LEFT_OUT = frozenset(
    {"cause", "deadline", "limit", "merchant_silent", "queue", "restricted", "subject", "team"}
    # said in a section of its own, with the mediator's contact (see _recourse)
    | {"recourse"}
)

# What the other event details are called in the report (tests/core/test_report.py holds
# these and LEFT_OUT to the keys `claimdesk.core.details` declares).
DETAIL_NAMES: dict[Locale, dict[str, str]] = {
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
        "findings_withdrawn": "findings no longer owed (were due by)",
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
        "findings_withdrawn": "conclusions plus dues (étaient attendues avant le)",
    },
}
VERDICTS = {
    Locale.EN: {"satisfied": "satisfied", "not_satisfied": "not satisfied"},
    Locale.FR: {"satisfied": "satisfait", "not_satisfied": "pas satisfait"},
}

AGREEMENTS = {
    Locale.EN: {
        "proposal_accepted": "proposal accepted",
        "satisfaction_window_passed": "satisfaction window passed unanswered",
    },
    Locale.FR: {
        "proposal_accepted": "proposition acceptée",
        "satisfaction_window_passed": "délai de satisfaction écoulé sans réponse",
    },
}
