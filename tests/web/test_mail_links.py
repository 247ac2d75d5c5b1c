"""The links of the e-mails a claim sends, followed on the served app: each leads to the
page where the recipient acts (through the sign-in page, which keeps it as its target)."""

from __future__ import annotations

import asyncio
import re
from email.message import EmailMessage
from urllib.parse import urlencode, urlsplit

from claimdesk.core.mail import PARTY_CLAIM_PAGE
from tests.support.console import file_claim
from tests.support.web import Web

LINK = re.compile(r"https?://\S+")


def _links(mail: EmailMessage) -> set[str]:
    body = mail.get_body(("plain",))
    assert body is not None
    return set(LINK.findall(body.get_content()))


async def _mails(web: Web, template: str, to: str) -> list[EmailMessage]:
    found = await asyncio.to_thread(web.mailbox.wait_for, 1, X_Claimdesk_Template=template, To=to)
    assert found, f"no {template} e-mail to {to}"
    return found


async def test_an_operator_s_e_mail_leads_to_the_console_and_the_temporal_ui(web: Web) -> None:
    reference = await file_claim(web)
    [mail] = await _mails(web, "new_claim_operators", web.settings.operator_email)
    console = f"{web.url}/app/console/claims/{reference}"
    assert _links(mail) == {console, web.settings.workflow_url(reference)}
    # Followed without a session: the sign-in page, which brings the operator back there.
    anonymous = await web.anonymous()
    answer = await anonymous.get(console)
    assert answer.status_code == 303
    path = urlsplit(console).path
    assert answer.headers["location"] == f"/app/sign-in?{urlencode({'next': path})}"
    sign_in = await anonymous.get(answer.headers["location"])
    assert sign_in.status_code == 200 and f'name="next" value="{path}"' in sign_in.text
    operator = await web.client_for("operator")
    page = await operator.http.get(console)
    assert page.status_code == 200 and reference in page.text


async def test_a_party_s_e_mail_leads_to_the_claim_s_page_in_its_space(web: Web) -> None:
    reference = await file_claim(web, subject="delivery", category="not_received")
    page = web.url + PARTY_CLAIM_PAGE.format(reference=reference)
    for template, to in (
        ("acknowledgement", "ana@example.com"),
        ("new_claim_merchant", "shop@example.com"),
    ):
        [mail] = await _mails(web, template, to)
        assert _links(mail) == {page}, template
    # The sign-in page keeps the claim's page as where to go once signed in.
    path = urlsplit(page).path
    sign_in = await (await web.anonymous()).get(f"/app/sign-in?{urlencode({'next': path})}")
    assert sign_in.status_code == 200 and f'name="next" value="{path}"' in sign_in.text
