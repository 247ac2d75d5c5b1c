"""The operator console in a real browser (Debian's chromium): an operator signs in from the
mailed link, decides a customer's payment claim and restricts a merchant; nobody else
reaches the console, and a forged form changes nothing."""

from __future__ import annotations

import asyncio

from playwright.async_api import Page, expect

from tests.support.console import file_claim, timeline_kinds
from tests.support.web import PASSWORD, Web, link_in

OPERATOR = "olga@claimdesk.example"


async def _operator_first_visit(web: Web, page: Page) -> None:
    """The operator's first visit: a link by e-mail (the real SMTP mailbox), a password."""
    await web.records_for("operator", email=OPERATOR)
    await page.goto("/app/console")
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await page.get_by_role("link", name="Get a link to set your password").click()
    await page.get_by_label("E-mail address").fill(OPERATOR)
    await page.get_by_role("button", name="Send me a link").click()
    link = await asyncio.to_thread(link_in, web.mailbox, OPERATOR)
    await page.goto(link)
    await page.get_by_label("New password", exact=True).fill(PASSWORD)
    await page.get_by_label("Repeat the new password").fill(PASSWORD)
    await page.get_by_role("button", name="Set the password and sign in").click()
    await expect(page.get_by_text(f"Signed in as {OPERATOR} (operator)")).to_be_visible()


async def _sign_in(page: Page, email: str, target: str) -> None:
    await page.goto(target)
    await page.get_by_label("E-mail address").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()


async def test_an_operator_decides_a_payment_claim_and_restricts_its_merchant(
    web: Web, browser_page: Page
) -> None:
    page = browser_page
    reference = await file_claim(web)  # the customer files a payment claim
    await _operator_first_visit(web, page)
    await page.get_by_role("link", name="Console", exact=True).click()
    await expect(page.get_by_role("heading", name="New", exact=True)).to_be_visible()
    await page.get_by_role("link", name=reference).click()
    await expect(page.get_by_role("heading", name=f"Claim {reference}")).to_be_visible()
    await expect(
        page.get_by_role("link", name="Its workflow in the Temporal UI")
    ).to_have_attribute("href", web.settings.workflow_url(reference))
    decide = page.get_by_role("form", name="Decide")
    await decide.get_by_label("Outcome").select_option("refund")
    await decide.get_by_label("Amount (EUR)").fill("49.90")
    await decide.get_by_label("Note").fill("The payment was not authorised: refunded.")
    await decide.get_by_role("button", name="Record the decision").click()
    await expect(page.get_by_role("status")).to_have_text("The decision is recorded.")
    decision = page.locator(".timeline .event-decision")
    await expect(decision.get_by_text("Decision", exact=True)).to_be_visible()
    await expect(decision.get_by_text("The payment was not authorised: refunded.")).to_be_visible()
    # The claim awaits the customer now: deciding again is not offered.
    await expect(page.get_by_role("form", name="Decide")).to_have_count(0)
    resolved = await asyncio.to_thread(
        web.mailbox.wait_for, 1, X_Claimdesk_Template="resolved", To="ana@example.com"
    )
    assert resolved and reference in str(resolved[0]["Subject"])
    # The merchant, from the claim's page: restricted.
    await page.get_by_role("link", name="Merchants", exact=True).click()
    await page.get_by_role("button", name="Restrict Shop (M1)").click()
    await expect(page.get_by_role("status")).to_have_text("Merchant M1 is restricted.")
    await expect(page.locator("#merchant-M1 .standing")).to_have_text("restricted")


async def test_customers_and_merchants_reaching_the_console_get_404(
    web: Web, browser_page: Page
) -> None:
    page = browser_page
    reference = await file_claim(web)
    for role in ("customer", "merchant"):
        email = await web.account(role)
        await _sign_in(page, email, f"/app/console/claims/{reference}")
        await expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
        response = await page.goto("/app/console/queues/new")
        assert response is not None and response.status == 404
        await expect(page.get_by_text(reference)).to_have_count(0)
        await page.get_by_role("button", name="Sign out").click()


async def test_a_forged_console_form_is_refused_and_changes_nothing(
    web: Web, browser_page: Page
) -> None:
    page = browser_page
    reference = await file_claim(web)
    email = await web.account("operator")
    await _sign_in(page, email, f"/app/console/claims/{reference}")
    before = await timeline_kinds(web, reference)
    form = page.get_by_role("form", name="Internal note (operators only)")
    await form.get_by_label("Note").fill("forged")
    # Another site's copy of the form: the same fields, any token but this visitor's.
    await form.locator("input[name=csrf_token]").evaluate("field => field.value = 'forged'")
    await form.get_by_role("button", name="Add the note").click()
    await expect(page.get_by_role("heading", name="This form was refused")).to_be_visible()
    assert await timeline_kinds(web, reference) == before
