"""The customer's and the merchant's journey in a real browser (Debian's chromium): the
customer's first visit from the mailed link, filing from a purchase, the merchant's refund
proposal, the customer accepting and rating it; another person's claim by URL; a forged
form; a form worked with the keyboard alone."""

from __future__ import annotations

import asyncio

from playwright.async_api import Browser, Page, expect

from tests.support.web import PASSWORD, Web, link_in

NEW_PASSWORD = "a long new passphrase"


async def _first_visit(page: Page, web: Web, email: str) -> None:
    """Asks for the link, reads it from the SMTP mailbox, sets the password."""
    await page.goto("/app/sign-in")
    await page.get_by_role("link", name="Get a link to set your password").click()
    await page.get_by_label("E-mail address").fill(email)
    await page.get_by_role("button", name="Send me a link").click()
    await expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    link = await asyncio.to_thread(link_in, web.mailbox, email)
    await page.goto(link)
    await page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    await page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    await page.get_by_role("button", name="Set the password and sign in").click()
    await expect(page.get_by_role("heading", name="Your space")).to_be_visible()


async def _sign_in(page: Page, email: str, path: str = "/app/") -> None:
    await page.goto(path)
    await page.get_by_label("E-mail address").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()


async def _file_a_claim(page: Page) -> str:
    await page.get_by_role("link", name="Your purchases").click()
    await page.get_by_role("link", name="File a claim about this purchase T-LAMP").click()
    await expect(page.get_by_role("heading", name="Before you file")).to_be_visible()
    await page.get_by_label("Delivery: the item or its delivery").check()
    await page.get_by_label("What went wrong").select_option("damaged")
    await page.get_by_label("Describe the problem").fill("The lamp arrived broken.")
    await page.get_by_label("Your name").fill("Ana Lima")
    await page.get_by_role("button", name="File the claim").click()
    await expect(page.get_by_role("heading", name="Your claim is filed")).to_be_visible()
    heading = await page.get_by_role("heading", level=1).text_content()
    assert heading is not None
    return heading.removeprefix("Claim ")


async def test_a_claim_from_filing_to_a_rated_refund(
    web: Web, browser: Browser, browser_page: Page
) -> None:
    customer = browser_page
    await web.api.transaction("T-LAMP", customer_email="ana@example.com")
    await _first_visit(customer, web, "ana@example.com")
    reference = await _file_a_claim(customer)
    await expect(customer.get_by_text("has until")).to_be_visible()

    shop_context = await browser.new_context(base_url=web.url, locale="en-GB")
    try:
        shop = await shop_context.new_page()
        await _sign_in(shop, await web.account("merchant"), "/app/inbox")
        await expect(shop.get_by_role("heading", name="Claims to handle")).to_be_visible()
        await shop.get_by_role("link", name=reference).click()
        await shop.get_by_label("Solution", exact=True).select_option("refund")
        await shop.get_by_label("Refund amount").fill("30.00")
        await shop.get_by_role("button", name="Send the proposal").click()
        await expect(shop.get_by_text("proposal made")).to_be_visible()
    finally:
        await shop_context.close()

    await customer.reload()
    await expect(customer.get_by_text("The merchant proposes: refund 30.00 EUR.")).to_be_visible()
    await customer.get_by_role("button", name="Accept the proposal").click()
    await customer.get_by_role("group", name="Satisfied?").get_by_label("Yes").check()
    await customer.get_by_role("group", name="Your rating (optional)").get_by_label("5").check()
    await customer.get_by_role("button", name="Send my answer").click()
    await expect(customer.locator(".facts").first).to_contain_text("closed")
    await expect(customer.get_by_text("satisfaction answer")).to_be_visible()
    row = await web.api.row(reference)
    assert row["status"] == "closed" and row["outcome"]["amount"] == "30.00"


async def test_another_persons_claim_is_not_found(
    web: Web, browser: Browser, browser_page: Page
) -> None:
    page = browser_page
    await web.api.transaction("T-LAMP", customer_email="ana@example.com")
    await _sign_in(page, await web.account("customer", email="ana@example.com"))
    reference = await _file_a_claim(page)
    other = await browser.new_context(base_url=web.url, locale="en-GB")
    try:
        bob = await other.new_page()
        await _sign_in(bob, await web.account("customer", email="bob@example.com"))
        answer = await bob.goto(f"/app/claims/{reference}")
        assert answer is not None and answer.status == 404
        await expect(bob.get_by_role("heading", name="Page not found")).to_be_visible()
        await expect(bob.get_by_text("The lamp arrived broken.")).to_have_count(0)
    finally:
        await other.close()


async def test_a_forged_form_changes_nothing(web: Web, browser_page: Page) -> None:
    """A page elsewhere posts a withdrawal to claimdesk with a guessed token: refused."""
    page = browser_page
    await web.api.transaction("T-LAMP", customer_email="ana@example.com")
    await _sign_in(page, await web.account("customer", email="ana@example.com"))
    reference = await _file_a_claim(page)
    forged = (
        f'<form method="post" action="{web.url}/app/claims/{reference}/withdraw">'
        '<input name="csrf_token" value="guessed"><button>Win a prize</button></form>'
    )
    await page.set_content(forged)
    await page.get_by_role("button", name="Win a prize").click()
    await expect(page.get_by_role("heading", name="This form was refused")).to_be_visible()
    assert (await web.api.row(reference))["status"] == "open"


async def test_writing_a_message_with_the_keyboard_alone(web: Web, browser_page: Page) -> None:
    page = browser_page
    await web.api.transaction("T-LAMP", customer_email="ana@example.com")
    await _sign_in(page, await web.account("customer", email="ana@example.com"))
    await _file_a_claim(page)
    await page.reload()
    message = page.get_by_label("Message", exact=True)
    for _ in range(60):  # Tab through the page until the message field has the focus
        await page.keyboard.press("Tab")
        if await message.evaluate("field => field === document.activeElement"):
            break
    await expect(message).to_be_focused()
    await page.keyboard.type("The box is kept for inspection.")
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("button", name="Send the message")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.locator("#timeline + ol")).to_contain_text("The box is kept for inspection.")


async def test_a_refund_over_the_amount_is_shown_next_to_its_field(
    web: Web, browser_page: Page
) -> None:
    page = browser_page
    await web.api.transaction("T-LAMP", customer_email="ana@example.com")
    await _sign_in(page, await web.account("customer", email="ana@example.com"))
    reference = await _file_a_claim(page)
    await page.get_by_role("button", name="Sign out").click()
    await _sign_in(page, await web.account("merchant"), f"/app/claims/{reference}")
    await page.get_by_label("Solution", exact=True).select_option("refund")
    await page.get_by_label("Refund amount").fill("500.00")
    await page.get_by_role("button", name="Send the proposal").click()
    amount = page.get_by_label("Refund amount")
    await expect(amount).to_have_attribute("aria-invalid", "true")
    await expect(amount).to_have_value("500.00")
    words = "A refund can be at most the amount the customer paid."
    await expect(page.locator("#propose-amount-error")).to_have_text(words)
    await page.get_by_role("link", name=words).click()  # the summary takes the keyboard there
    await expect(amount).to_be_focused()
    assert (await web.api.row(reference))["proposal"] is None
