"""E-mails send people to the claim's page in their space (the sign-in page keeps it as the
target), never to a JSON API call; operators' e-mails also link the claim's workflow."""

from __future__ import annotations

import pytest

from claimdesk.core.domain import Locale, Recipient
from claimdesk.core.mail import render
from claimdesk.core.settings import Settings
from tests.support.samples import SAMPLE_DETAILS, sample_claim, sample_order

SETTINGS = Settings(public_url="https://claims.example/", temporal_ui_url="https://ui.example")
CASES = [
    pytest.param(template, locale, recipient, details, id=f"{template}-{locale}-{n}")
    for template, cases in SAMPLE_DETAILS.items()
    for n, (recipient, details) in enumerate(cases)
    for locale in Locale
]


@pytest.mark.parametrize(("template", "locale", "recipient", "details"), CASES)
def test_every_mail_links_the_claim_page_and_no_api_call(
    template: str, locale: Locale, recipient: Recipient, details: dict[str, str]
) -> None:
    claim = sample_claim(locale=locale)
    order = sample_order(template, recipient=recipient, claim=claim, details=details)
    body = render(order, settings=SETTINGS).body
    assert f"https://claims.example/app/claims/{claim.reference}" in body
    assert "POST " not in body and '{"' not in body, "an API call in a mail for people"
    workflow = f"https://ui.example/namespaces/default/workflows/{claim.reference}"
    assert (workflow in body) is (recipient is Recipient.OPERATORS)


def test_the_temporal_ui_defaults_to_the_dev_server() -> None:
    settings = Settings(temporal_ui_port=9000, temporal_namespace="claims")
    assert (
        settings.workflow_url("CLM-1") == "http://localhost:9000/namespaces/claims/workflows/CLM-1"
    )
