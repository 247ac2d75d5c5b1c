"""Every e-mail template renders in every locale, with the reference and zoned deadlines, and
reads exactly the details declared for it (claimdesk.core.details), each shown."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import jinja2
import pytest
from jinja2 import nodes

from claimdesk.core.details import MAIL_DETAILS, DetailsMismatch
from claimdesk.core.domain import (
    Locale,
    MailOrder,
    Outcome,
    Recipient,
    Role,
    Status,
    Subject,
    Template,
)
from claimdesk.core.mail import (
    NO_MERCHANT_CONTACT,
    TEMPLATES,
    MerchantCard,
    build_message,
    environment,
    message_id,
    render,
    template_details,
)
from claimdesk.core.settings import Settings
from claimdesk.core.wording import format_money, format_when, label
from tests.support.claims import every_path
from tests.support.samples import SAMPLE_DETAILS, sample_claim, sample_order

SETTINGS = Settings(mediator_name="Médiateur Exemple", mediator_url="https://mediateur.example")
CASES = [
    pytest.param(template, locale, recipient, details, id=f"{template}-{locale}-{n}")
    for template, cases in SAMPLE_DETAILS.items()
    for n, (recipient, details) in enumerate(cases)
    for locale in Locale
]
TIME = re.compile(r"\d{2}:\d{2}")


def _is_iso_time(value: str) -> bool:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return "T" in value


def test_every_template_has_a_sample_and_a_file_in_every_locale() -> None:
    assert set(SAMPLE_DETAILS) == set(Template)
    for locale in Locale:
        for template in Template:
            assert (TEMPLATES / str(locale) / f"{template}.txt.j2").is_file()


@pytest.mark.parametrize(("template", "locale", "recipient", "details"), CASES)
def test_template_renders_with_reference_and_zoned_deadlines(
    template: Template, locale: Locale, recipient: Recipient, details: dict[str, str]
) -> None:
    claim = sample_claim(locale=locale)
    order = sample_order(template, recipient=recipient, claim=claim, details=details)
    mail = render(
        order,
        settings=SETTINGS.model_copy(update={"operator_locale": locale}),
        report="REPORT" if template is Template.CLOSED else None,
    )
    assert claim.reference in mail.subject
    assert mail.body.strip() and "\n\n\n" not in mail.body
    for value in details.values():
        if _is_iso_time(value):
            assert value not in mail.body, "a deadline must not show as a raw ISO string"
            assert format_when(value, locale) in mail.body
    for match in TIME.finditer(mail.body):
        assert mail.body[match.end() : match.end() + 4] == " UTC", mail.body
    if locale is Locale.FR:
        assert "réclamation" in (mail.subject + mail.body).lower()


@pytest.mark.parametrize("locale", list(Locale))
def test_silent_merchant_escalation_tells_the_customer_their_rights(locale: Locale) -> None:
    order = sample_order(
        Template.ESCALATED,
        claim=sample_claim(locale=locale),
        details={"level": "2", "merchant_silent": "yes"},
    )
    body = render(order, settings=SETTINGS).body
    words = {
        Locale.EN: ["good practice", "investigating", "refuse", "recourse"],
        Locale.FR: ["bonnes pratiques", "enquête", "refuser", "recours"],
    }[locale]
    for word in words:
        assert word in body
    quiet = sample_order(
        Template.ESCALATED,
        claim=sample_claim(locale=locale),
        details={"level": "2", "merchant_silent": "no"},
    )
    assert words[-1] not in render(quiet, settings=SETTINGS).body


@pytest.mark.parametrize("locale", list(Locale))
def test_mediation_names_the_mediator_and_the_court_but_not_the_odr_platform(
    locale: Locale,
) -> None:
    order = sample_order(Template.MEDIATION, claim=sample_claim(locale=locale))
    body = render(order, settings=SETTINGS).body
    assert "Médiateur Exemple" in body and "https://mediateur.example" in body
    assert ("court" if locale is Locale.EN else "tribunal") in body
    assert "odr" not in body.lower() and "ec.europa.eu" not in body


@pytest.mark.parametrize("locale", list(Locale))
def test_resolved_mail_asks_for_satisfaction_on_the_customer_s_claim_page(locale: Locale) -> None:
    order = sample_order(
        Template.RESOLVED,
        claim=sample_claim(locale=locale),
        details={
            "outcome": "refund",
            "amount": "49.90",
            "satisfaction_by": "2026-11-30T14:00:00+00:00",
        },
    )
    body = render(order, settings=SETTINGS).body
    assert f"{SETTINGS.public_url}/app/claims/CLM-7K3F-9QX2\n" in body
    assert ("49.90 EUR" if locale is Locale.EN else "49,90 EUR") in body
    # The degree of satisfaction is asked for too (seed 003), not only yes or no.
    assert ("from 1 (not at all) to 5" if locale is Locale.EN else "de 1 (pas du tout) à 5") in body


@pytest.mark.parametrize(("template", "locale", "recipient", "details"), CASES)
def test_every_mail_links_to_the_recipient_s_page_and_asks_for_no_json(
    template: Template, locale: Locale, recipient: Recipient, details: dict[str, str]
) -> None:
    """People act on a page of the web claim center, never by POSTing JSON; operators are
    sent to the console and to the claim's workflow in the Temporal UI."""
    order = sample_order(
        template, recipient=recipient, claim=sample_claim(locale=locale), details=details
    )
    settings = SETTINGS.model_copy(
        update={"public_url": "https://claims.example/", "temporal_ui_url": "https://ui.example"}
    )
    body = render(order, settings=settings).body
    reference = order.claim.reference
    assert "POST" not in body and '{"' not in body and "/report" not in body
    links = set(re.findall(r"https?://\S+", body)) - {"https://mediateur.example"}
    workflow = f"https://ui.example/namespaces/default/workflows/{reference}"
    if recipient is Recipient.OPERATORS:
        assert links == {f"https://claims.example/app/console/claims/{reference}", workflow}
    else:
        assert links == {f"https://claims.example/app/claims/{reference}"}


def test_french_dates_read_day_first_with_their_zone() -> None:
    order = sample_order(
        Template.NEW_CLAIM_MERCHANT,
        recipient=Recipient.MERCHANT,
        claim=sample_claim(locale=Locale.FR),
        details={"respond_by": "2026-11-23T14:00:00+00:00"},
    )
    assert "23/11/2026 14:00 UTC" in render(order, settings=SETTINGS).body


def test_the_message_carries_deterministic_id_and_claimdesk_headers() -> None:
    order = sample_order(Template.ACKNOWLEDGEMENT, key="K-1")
    mail = render(order, settings=SETTINGS)
    message = build_message(order, mail, to="jane@example.org", settings=SETTINGS)
    again = build_message(order, mail, to="jane@example.org", settings=SETTINGS)
    assert message["Message-ID"] == again["Message-ID"] == message_id("K-1", SETTINGS)
    assert message_id("K-2", SETTINGS) != message["Message-ID"]
    assert message["From"] == SETTINGS.mail_from
    assert message["X-Claimdesk-Reference"] == order.claim.reference
    assert message["X-Claimdesk-Template"] == "acknowledgement"
    assert message["X-Claimdesk-Key"] == "K-1"
    assert "Jane Doe" in str(message["To"]) and "jane@example.org" in str(message["To"])


@pytest.mark.parametrize("locale", list(Locale))
def test_a_long_subject_travels_on_one_line(locale: Locale) -> None:
    order = sample_order(
        Template.RESOLVED,
        claim=replace(sample_claim(), locale=locale),
        details=SAMPLE_DETAILS[Template.RESOLVED][0][1],
    )
    mail = render(order, settings=SETTINGS)
    raw = build_message(order, mail, to="jane@example.org", settings=SETTINGS).as_bytes()
    subject_line = next(line for line in raw.splitlines() if line.startswith(b"Subject:"))
    assert len(subject_line) > 78  # long enough that default folding would split it
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == mail.subject and not str(parsed["Subject"]).startswith(" ")


def test_a_template_naming_an_unknown_variable_fails_loudly(tmp_path: Path) -> None:
    root = tmp_path
    (root / "en").mkdir()
    (root / "en" / "acknowledgement.txt.j2").write_text(
        "Subject: {{ claim.reference }}\n{{ nope }}\n"
    )
    with pytest.raises(jinja2.UndefinedError):
        environment(root).get_template("en/acknowledgement.txt.j2").render(claim=sample_claim())


@pytest.mark.parametrize("locale", list(Locale))
def test_accepted_proposal_tells_the_merchant_what_to_carry_out(locale: Locale) -> None:
    claim = replace(
        sample_claim(locale=locale, status=Status.RESOLVED),
        outcome=Outcome("refund", Decimal("49.90"), None, Role.CUSTOMER),
    )
    order = sample_order(
        Template.PROPOSAL_ANSWERED,
        recipient=Recipient.MERCHANT,
        claim=claim,
        details={"answer": "accepted"},
    )
    body = render(order, settings=SETTINGS).body
    expected = {Locale.EN: "Refund of 49.90 EUR", Locale.FR: "Remboursement de 49,90 EUR"}
    assert expected[locale] in body


# ---- the details each template reads are those declared for it ----


def details_read(env: jinja2.Environment, name: str) -> set[str]:
    """The keys `name` reads of `details`, itself and in the partials it includes."""
    assert env.loader is not None
    tree = env.parse(env.loader.get_source(env, name)[0])
    reads = [
        node
        for node in tree.find_all((nodes.Getattr, nodes.Getitem))
        if isinstance(node.node, nodes.Name) and node.node.name == "details"
    ]
    uses = [node for node in tree.find_all(nodes.Name) if node.name == "details"]
    assert len(reads) == len(uses), f"{name} uses `details` other than to read one key"
    keys = set()
    for node in reads:
        if isinstance(node, nodes.Getattr):
            keys.add(node.attr)
        else:
            assert isinstance(node.arg, nodes.Const), f"{name} reads a key of `details` by name"
            keys.add(node.arg.value)
    hiding = [
        node.name
        for node in tree.find_all((nodes.Filter, nodes.Test))
        if node.name in ("default", "d", "defined", "undefined") and node.node in reads
    ]
    assert not hiding, f"{name} hides a missing key of `details` with {hiding}"
    for include in tree.find_all(nodes.Include):
        assert isinstance(include.template, nodes.Const)
        keys |= details_read(env, include.template.value)
    return keys


@pytest.mark.parametrize("locale", list(Locale))
@pytest.mark.parametrize("template", list(Template))
def test_a_template_reads_exactly_the_details_declared_for_it(
    template: Template, locale: Locale
) -> None:
    read = details_read(environment(), f"{locale}/{template}.txt.j2")
    assert read == set(MAIL_DETAILS[template].names)


def test_the_keys_a_partial_reads_count_for_the_template_including_it(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "_part.txt.j2").write_text("{% if details.comment %}x{% endif %}\n")
    (tmp_path / "en" / "main.txt.j2").write_text(
        'Subject: {{ details["level"] }}\n{% include "en/_part.txt.j2" %}\n'
    )
    assert details_read(environment(tmp_path), "en/main.txt.j2") == {"level", "comment"}


@pytest.mark.parametrize(
    "source",
    ["{{ details.nope }}", '{{ details.get("comment") }}', "{% if details.nope %}{% endif %}"],
)
def test_a_template_reading_an_undeclared_key_fails_to_render(tmp_path: Path, source: str) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "mediation.txt.j2").write_text(f"Subject: x\n{source}\n")
    order = sample_order(Template.MEDIATION, details={})
    page = environment(tmp_path).get_template("en/mediation.txt.j2")
    with pytest.raises(jinja2.UndefinedError):
        page.render(details=template_details(order))


def test_an_order_without_a_required_key_does_not_render() -> None:
    order = sample_order(Template.MERCHANT_REMINDER, recipient=Recipient.MERCHANT, details={})
    with pytest.raises(DetailsMismatch, match="respond_by"):
        render(order, settings=SETTINGS)


# ---- every e-mail the rules send shows what its details carry ----

# Details that choose the wording rather than show as themselves.
WORDING_CHOICES = {
    "queue",
    "action",
    "answer",
    "merchant_silent",
    "restricted",
    "recourse",
    "handled_by",
}
# A customer reads how their claim moved, not why the platform took it over from the
# merchant (the merchant's standing is not theirs to read): the cause only chooses words.
CUSTOMER_WORDING_CHOICES = {"cause"}
MAILS = [order for step in every_path() for order in step.mails]


def shown(key: str, value: str, locale: Locale) -> str:
    """How a detail reads in an e-mail."""
    if key == "amount":
        return format_money(value, "EUR", locale)
    if key in ("respond_by", "satisfaction_by", "findings_by", "findings_withdrawn"):
        return format_when(value, locale)
    return label(value, locale)  # an enum value in words; a free text as written


def test_the_rules_send_every_template_with_every_detail_it_may_carry() -> None:
    carried: dict[Template, set[str]] = {}
    for order in MAILS:
        carried.setdefault(order.template, set()).update(order.details)
    assert carried == {template: set(keys.names) for template, keys in MAIL_DETAILS.items()}


@pytest.mark.parametrize("locale", list(Locale))
@pytest.mark.parametrize(
    "order", MAILS, ids=[f"{n}-{order.template}-{order.recipient}" for n, order in enumerate(MAILS)]
)
def test_every_mail_the_rules_send_shows_what_it_is_about(order: MailOrder, locale: Locale) -> None:
    order = replace(order, claim=replace(order.claim, locale=locale))
    settings = SETTINGS.model_copy(update={"operator_locale": locale})
    mail = render(order, settings=settings, report="REPORT")
    text = f"{mail.subject}\n{mail.body}".lower()
    choices = WORDING_CHOICES
    if order.recipient is Recipient.CUSTOMER:
        choices = choices | CUSTOMER_WORDING_CHOICES
    for key, value in order.details.items():
        if key not in choices:
            assert shown(key, value, locale).lower() in text, f"{key}={value!r} not shown"


# ---- each party in its own language; the merchant by its name ----

MERCHANT_EN = MerchantCard("Lamps Ltd", "shop@lamps.example", "+44 20 7946 0000", Locale.EN)


def test_each_party_is_written_to_in_its_own_language() -> None:
    claim = sample_claim(locale=Locale.FR)
    to_customer = sample_order(Template.ACKNOWLEDGEMENT, recipient=Recipient.CUSTOMER, claim=claim)
    to_operators = sample_order(
        Template.NEW_CLAIM_OPERATORS, recipient=Recipient.OPERATORS, claim=claim
    )
    to_merchant = sample_order(
        Template.NEW_CLAIM_MERCHANT, recipient=Recipient.MERCHANT, claim=claim
    )
    assert render(to_customer, settings=SETTINGS, merchant=MERCHANT_EN).locale is Locale.FR
    assert render(to_operators, settings=SETTINGS).locale is Locale.EN  # the default
    french_operators = SETTINGS.model_copy(update={"operator_locale": Locale.FR})
    assert render(to_operators, settings=french_operators).locale is Locale.FR
    english = render(to_merchant, settings=SETTINGS, merchant=MERCHANT_EN)
    assert english.locale is Locale.EN and "réclamation" not in english.body.lower()
    # Its dates and amounts the English way, not the claim's French way.
    respond_by = to_merchant.details["respond_by"]
    assert format_when(respond_by, Locale.EN) in english.body
    assert format_when(respond_by, Locale.FR) not in english.body
    assert format_money(claim.amount, claim.currency, Locale.EN) in english.body
    # A merchant that set no language is written to in the claim's.
    unset = replace(MERCHANT_EN, locale=None)
    assert render(to_merchant, settings=SETTINGS, merchant=unset).locale is Locale.FR
    message = build_message(to_merchant, english, to="shop@lamps.example", settings=SETTINGS)
    assert message["Content-Language"] == "en"
    # A merchant's notice sent to the operators for want of an address is theirs to read.
    rerouted = render(to_merchant, settings=SETTINGS, merchant=unset, merchant_without_contact=True)
    assert rerouted.locale is Locale.EN
    assert rerouted.body.startswith(NO_MERCHANT_CONTACT[Locale.EN].format(merchant_id="M1"))


@pytest.mark.parametrize("locale", list(Locale))
def test_emails_name_the_merchant_and_a_delivery_acknowledgement_gives_its_contact(
    locale: Locale,
) -> None:
    claim = replace(sample_claim(locale=locale), subject=Subject.DELIVERY)
    order = sample_order(Template.ACKNOWLEDGEMENT, recipient=Recipient.CUSTOMER, claim=claim)
    body = render(order, settings=SETTINGS, merchant=MERCHANT_EN).body
    assert "Lamps Ltd" in body and f": {claim.merchant_id}" not in body
    assert "shop@lamps.example" in body and "+44 20 7946 0000" in body
    payment = replace(claim, subject=Subject.PAYMENT)
    order = sample_order(Template.ACKNOWLEDGEMENT, recipient=Recipient.CUSTOMER, claim=payment)
    body = render(order, settings=SETTINGS, merchant=MERCHANT_EN).body
    assert "Lamps Ltd" in body and "shop@lamps.example" not in body


# ---- a party's words set apart ----

# A customer posing as the platform: a line of their own must not read as the platform's.
SPOOF = "My parcel never came.\n\nPLATFORM NOTICE: refund this claim now\nto avoid a strike."
PARTY_TEXT = {  # template, recipient, where the customer's (or merchant's) text goes
    Template.NEW_CLAIM_MERCHANT: (Recipient.MERCHANT, "description"),
    Template.NEW_CLAIM_OPERATORS: (Recipient.OPERATORS, "description"),
    Template.MESSAGE: (Recipient.MERCHANT, "body"),
    Template.PROPOSAL_ANSWERED: (Recipient.MERCHANT, "reason"),
    Template.REOPENED: (Recipient.OPERATORS, "comment"),
    Template.MERCHANT_ANSWERED: (Recipient.CUSTOMER, "reason"),
}


@pytest.mark.parametrize("locale", list(Locale))
@pytest.mark.parametrize("template", list(PARTY_TEXT))
def test_a_party_s_words_are_quoted_line_by_line(template: Template, locale: Locale) -> None:
    recipient, where = PARTY_TEXT[template]
    claim = sample_claim(locale=locale)
    details = dict(SAMPLE_DETAILS[template][0][1])
    if where == "description":
        claim = replace(claim, description=SPOOF)
    else:
        details[where] = SPOOF
    if template is Template.MERCHANT_ANSWERED:
        details["action"] = "reject"
    order = sample_order(template, recipient=recipient, claim=claim, details=details)
    body = render(order, settings=SETTINGS.model_copy(update={"operator_locale": locale})).body
    assert "\n> My parcel never came.\n>\n> PLATFORM NOTICE: refund this claim now\n" in body
    assert "\nPLATFORM NOTICE" not in body and "\nto avoid a strike." not in body
