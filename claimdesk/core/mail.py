"""E-mail rendering, pure: a mail order and its context in, a ready `EmailMessage` out."""

from __future__ import annotations

import email.policy
import hashlib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

import jinja2

from claimdesk.core.details import MAIL_DETAILS
from claimdesk.core.domain import Locale, MailOrder, Recipient
from claimdesk.core.settings import Settings
from claimdesk.core.wording import format_money, format_when, label

TEMPLATES = Path(__file__).resolve().parent / "templates"
SUBJECT_PREFIX = "Subject: "
# SMTP's line limit: headers are written on one line up to it, never folded at 78 columns.
MAX_HEADER_LINE = 998
# The pages of the web claim center e-mails link to (api.web serves them).
PARTY_CLAIM_PAGE = "/app/claims/{reference}"
CONSOLE_CLAIM_PAGE = "/app/console/claims/{reference}"

# Prepended when a merchant's mail goes to the operators because the merchant has no address.
NO_MERCHANT_CONTACT: dict[Locale, str] = {
    Locale.EN: (
        "[claimdesk] Merchant {merchant_id} has no contact e-mail address on file: this "
        "message, meant for the merchant, was sent to the operators instead. Please pass it on."
    ),
    Locale.FR: (
        "[claimdesk] Le marchand {merchant_id} n'a pas d'adresse e-mail de contact : ce "
        "message, destiné au marchand, a été envoyé aux opérateurs. Merci de le lui transmettre."
    ),
}


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    body: str
    locale: Locale | None = None  # the recipient's; None: the claim's


@dataclass(frozen=True)
class MerchantCard:
    """The merchant as e-mails name it, read from its record when the e-mail is sent (the
    workflow never carries it, so a renamed merchant is named anew)."""

    name: str
    email: str | None = None
    phone: str | None = None
    locale: Locale | None = None  # None: the claim's


def claim_page_url(settings: Settings, recipient: Recipient, reference: str) -> str:
    """Where the recipient acts on the claim: the claim's page in their space on the web
    claim center (the sign-in page brings them back there), the console's for operators."""
    page = CONSOLE_CLAIM_PAGE if recipient is Recipient.OPERATORS else PARTY_CLAIM_PAGE
    return settings.public_url.rstrip("/") + page.format(reference=reference)


def recipient_locale(
    order: MailOrder,
    settings: Settings,
    merchant: MerchantCard | None,
    merchant_without_contact: bool = False,
) -> Locale:
    """Each party in its own language: the customer in the claim's, the merchant in its own
    (the claim's if it set none), the operators in `operator_locale`, a merchant's notice
    sent to them for want of an address included."""
    if order.recipient is Recipient.OPERATORS or merchant_without_contact:
        return settings.operator_locale
    if order.recipient is Recipient.MERCHANT and merchant is not None and merchant.locale:
        return merchant.locale
    return order.claim.locale


def quoted(text: str) -> str:
    """A party's own words set apart as a quotation, every line behind `> `, as mail readers
    show a quote: what a customer or a merchant wrote cannot pass for the platform's text."""
    return "\n".join(f"> {line}".rstrip() for line in str(text).splitlines() or [""])


@lru_cache
def environment(root: Path = TEMPLATES) -> jinja2.Environment:
    # StrictUndefined: a template naming a missing variable fails instead of printing "".
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(root),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["quoted"] = quoted
    return env


def template_name(order: MailOrder, locale: Locale | None = None) -> str:
    return f"{locale or order.claim.locale}/{order.template}.txt.j2"


def template_details(order: MailOrder) -> SimpleNamespace:
    """What a template reads as `details`: each key declared for it, None for an optional one
    the order leaves out. Any other name, `details.get` included, is undefined and fails."""
    return SimpleNamespace(**MAIL_DETAILS[order.template].complete(order.details))


def render(
    order: MailOrder,
    *,
    settings: Settings,
    report: str | None = None,
    merchant_without_contact: bool = False,
    merchant: MerchantCard | None = None,
) -> RenderedMail:
    """The subject (the template's first line, `Subject: …`) and the body (the rest), in
    the recipient's language, dates and amounts written its way."""
    claim = order.claim
    locale = recipient_locale(order, settings, merchant, merchant_without_contact)

    def when(value: datetime | str) -> str:
        return format_when(value, locale)

    def money(amount: Decimal | str) -> str:
        return format_money(amount, claim.currency, locale)

    def words(value: object) -> str:
        return label(value, locale)

    text = (
        environment()
        .get_template(template_name(order, locale))
        .render(
            claim=claim,
            merchant=merchant or MerchantCard(name=claim.merchant_id),
            details=template_details(order),
            recipient=str(order.recipient),
            report=report,
            when=when,
            money=money,
            label=words,
            claim_url=claim_page_url(settings, order.recipient, claim.reference),
            workflow_url=(
                settings.workflow_url(claim.reference)
                if order.recipient is Recipient.OPERATORS
                else ""
            ),
            public_url=settings.public_url.rstrip("/"),
            mediator_name=settings.mediator_name,
            mediator_url=settings.mediator_url,
            operator_email=settings.operator_email,
        )
    )
    first, _, body = text.partition("\n")
    if not first.startswith(SUBJECT_PREFIX):
        raise ValueError(
            f"{template_name(order, locale)} must start with a '{SUBJECT_PREFIX}' line"
        )
    body = body.lstrip("\n")
    if merchant_without_contact:
        note = NO_MERCHANT_CONTACT[locale].format(merchant_id=claim.merchant_id)
        body = f"{note}\n\n{body}"
    subject = " ".join(first[len(SUBJECT_PREFIX) :].split())
    return RenderedMail(subject=subject, body=body, locale=locale)


def message_id(key: str, settings: Settings) -> str:
    """The same key always gives the same Message-ID, so a duplicate is recognisable."""
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "claimdesk.localhost"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


def build_message(
    order: MailOrder,
    rendered: RenderedMail,
    *,
    to: str,
    settings: Settings,
    date: datetime | None = None,
) -> EmailMessage:
    # Headers are not folded at 78 columns: a folded Subject arrives with a leading space
    # in some readers, and every line stays far below SMTP's 998.
    message = EmailMessage(policy=email.policy.default.clone(max_line_length=MAX_HEADER_LINE))
    message["From"] = settings.mail_from
    if order.recipient is Recipient.CUSTOMER and to == order.claim.customer_email:
        message["To"] = formataddr((order.claim.customer_name, to))
    else:
        message["To"] = to
    if date is not None:
        message["Date"] = format_datetime(date)
    message["Subject"] = rendered.subject
    message["Message-ID"] = message_id(order.key, settings)
    message["X-Claimdesk-Reference"] = order.claim.reference
    message["X-Claimdesk-Template"] = str(order.template)
    message["X-Claimdesk-Key"] = order.key
    message.set_content(rendered.body)
    # After set_content, which clears every Content-* header set before it.
    message["Content-Language"] = str(rendered.locale or order.claim.locale)
    return message
