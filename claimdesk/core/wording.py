"""How claimdesk words things for people, per locale: labels, dates with their zone, money."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from claimdesk.core.currency import decimals_of
from claimdesk.core.domain import Locale

LABELS: dict[Locale, dict[str, str]] = {
    Locale.EN: {
        # subjects
        "payment": "payment",
        "delivery": "delivery",
        # categories
        "not_received": "item not received",
        "damaged": "item damaged",
        "not_as_described": "item not as described",
        "unauthorized": "unauthorised payment",
        "amount_discrepancy": "amount discrepancy",
        "refund_issue": "refund issue",
        # statuses
        "open": "open",
        "awaiting_customer": "awaiting the customer",
        "resolved": "resolved",
        "closed": "closed",
        # proposals and outcomes
        "refund": "refund",
        "replacement": "replacement",
        "reshipment": "reshipment",
        "partial_refund": "partial refund",
        "balance_adjustment": "balance adjustment",
        "rejected": "claim rejected",
        # closing reasons
        "by_customer": "closed by the customer",
        "withdrawn": "withdrawn by the customer",
        "by_platform": "closed by the platform",
        "inactivity": "closed automatically after a long period without communication",
        "transaction_horizon": "closed automatically: the transaction is too old",
        "referred_to_mediation": "referred to the consumer mediator",
        # why the platform takes a claim over from its merchant
        "merchant_terminated": "merchant terminated",
        "no_contact_address": "no contact address on file",
        "mail_refused": "e-mail refused for good",
        # roles
        "customer": "the customer",
        "merchant": "the merchant",
        "operator": "the platform's customer service",
        "system": "claimdesk",
    },
    Locale.FR: {
        "payment": "paiement",
        "delivery": "livraison",
        "not_received": "article non reçu",
        "damaged": "article endommagé",
        "not_as_described": "article non conforme à la description",
        "unauthorized": "paiement non autorisé",
        "amount_discrepancy": "écart de montant",
        "refund_issue": "problème de remboursement",
        "open": "ouverte",
        "awaiting_customer": "en attente du client",
        "resolved": "résolue",
        "closed": "clôturée",
        "refund": "remboursement",
        "replacement": "remplacement",
        "reshipment": "réexpédition",
        "partial_refund": "remboursement partiel",
        "balance_adjustment": "ajustement du solde",
        "rejected": "réclamation rejetée",
        "by_customer": "clôturée par le client",
        "withdrawn": "retirée par le client",
        "by_platform": "clôturée par la plateforme",
        "inactivity": "clôturée automatiquement après une longue période sans échange",
        "transaction_horizon": "clôturée automatiquement : la transaction est trop ancienne",
        "referred_to_mediation": "orientée vers le médiateur de la consommation",
        "merchant_terminated": "marchand radié",
        "no_contact_address": "aucune adresse de contact enregistrée",
        "mail_refused": "e-mail refusé définitivement",
        "customer": "le client",
        "merchant": "le marchand",
        "operator": "le service client de la plateforme",
        "system": "claimdesk",
    },
}


def label(value: object, locale: Locale) -> str:
    """The words for an enum value; an unknown value shows as itself, never fails."""
    text = str(value)
    return LABELS[locale].get(text, text.replace("_", " "))


def parse_when(value: datetime | str) -> datetime:
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    # A naive time is taken as UTC: the workflow only deals in UTC.
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def format_when(value: datetime | str, locale: Locale) -> str:
    """A time in UTC with its zone spelled out, the way each locale writes dates."""
    when = parse_when(value).astimezone(UTC)
    pattern = "%d/%m/%Y %H:%M UTC" if locale is Locale.FR else "%Y-%m-%d %H:%M UTC"
    return when.strftime(pattern)


def format_money(amount: Decimal | str, currency: str, locale: Locale) -> str:
    """`49.90 EUR` in English, `49,90 EUR` in French; with the currency's own decimals
    (ISO 4217): `5,000 JPY`, `1.250 BHD`."""
    places = decimals_of(currency)
    try:
        number = Decimal(str(amount)).quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:
        return f"{amount} {currency}"
    text = f"{number:,.{places}f}"
    if locale is Locale.FR:
        text = text.replace(",", "\u202f").replace(".", ",")
    return f"{text} {currency}"


def typed_amount(value: str) -> str | None:
    """An amount as a person types it into a page's form, as the API's body takes it: blank
    is None; spaces around and between groups (`1 234,50`, as the French pages write it)
    go; a decimal comma becomes a point (`20,00`). Anything else is left for the body's
    own check to refuse (`1,234.50` stays as typed: a form error, never a guess)."""
    text = "".join(value.split())  # str.split() also splits at U+202F and U+00A0
    if not text:
        return None
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    return text
