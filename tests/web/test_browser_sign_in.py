"""Sign-in in a real browser (Debian's chromium): the mailed link, errors, CSRF, keyboard."""

from __future__ import annotations

import asyncio
import uuid

from playwright.async_api import Browser, Page, expect

from tests.support.api import claim_body
from tests.support.browser import assert_accessible_basics
from tests.support.web import PASSWORD, Web, link_in

NEW_PASSWORD = "a long new passphrase"


async def _read_link(web: Web, email: str, count: int = 1) -> str:
    return await asyncio.to_thread(link_in, web.mailbox, email, count)


async def _ask_for_link(page: Page, email: str) -> None:
    await page.goto("/app/sign-in")
    await page.get_by_role("link", name="Get a link to set your password").click()
    await page.get_by_label("E-mail address").fill(email)
    await page.get_by_role("button", name="Send me a link").click()
    await expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()


async def _set_password_from(page: Page, link: str, password: str) -> None:
    await page.goto(link)
    await page.get_by_label("New password", exact=True).fill(password)
    await page.get_by_label("Repeat the new password").fill(password)
    await page.get_by_role("button", name="Set the password and sign in").click()


async def test_a_customer_first_visit_through_the_mailed_link(web: Web, browser_page: Page) -> None:
    page = browser_page
    email = await web.records_for("customer", email="ana@example.com")
    await _ask_for_link(page, email)
    await _set_password_from(page, await _read_link(web, email), NEW_PASSWORD)
    await expect(page).to_have_url(f"{web.url}/app/")
    await expect(page.get_by_text("Signed in as ana@example.com (customer)")).to_be_visible()
    # Signing out, then in again with the new password.
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("status")).to_have_text("You are signed out.")
    await page.get_by_label("E-mail address").fill(email)
    await page.get_by_label("Password").fill(NEW_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Your space")).to_be_visible()


async def test_a_used_link_is_refused(web: Web, browser_page: Page) -> None:
    page = browser_page
    email = await web.records_for("merchant")
    await _ask_for_link(page, email)
    link = await _read_link(web, email)
    await _set_password_from(page, link, NEW_PASSWORD)
    await expect(page.get_by_text("(merchant M1)")).to_be_visible()
    await page.goto(link)
    await expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()


async def test_forgotten_password_replaces_the_old_one(web: Web, browser_page: Page) -> None:
    page = browser_page
    email = await web.account("operator")
    await _ask_for_link(page, email)
    await _set_password_from(page, await _read_link(web, email), NEW_PASSWORD)
    await expect(page.get_by_text("(operator)")).to_be_visible()
    other = await page.context.browser.new_context(base_url=web.url)  # type: ignore[union-attr]
    try:
        fresh = await other.new_page()
        await fresh.goto("/app/sign-in")
        await fresh.get_by_label("E-mail address").fill(email)
        await fresh.get_by_label("Password").fill(PASSWORD)  # the old one
        await fresh.get_by_role("button", name="Sign in").click()
        await expect(fresh.get_by_role("alert")).to_contain_text(
            "Wrong e-mail address or password."
        )
    finally:
        await other.close()


async def test_a_wrong_password_is_shown_next_to_the_field(web: Web, browser_page: Page) -> None:
    page = browser_page
    email = await web.account("customer")
    await page.goto("/app/sign-in?next=/app/")
    await page.get_by_label("E-mail address").fill(email)
    await page.get_by_label("Password").fill("not my password")
    await page.get_by_role("button", name="Sign in").click()
    password = page.get_by_label("Password")
    # The summary of errors takes the focus, so a screen reader starts there.
    await expect(page.get_by_role("alert")).to_be_focused()
    await expect(page).to_have_title("Error: Sign in · claimdesk")
    await expect(password).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#password-error")).to_have_text("Wrong e-mail address or password.")
    await expect(page.get_by_label("E-mail address")).to_have_value(email)
    # The summary's link takes the keyboard to the field.
    await page.get_by_role("link", name="Wrong e-mail address or password.").click()
    await expect(password).to_be_focused()


async def test_signing_in_with_the_keyboard_alone(web: Web, browser_page: Page) -> None:
    page = browser_page
    email = await web.account("customer")
    await page.goto("/app/sign-in")
    await page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    await expect(skip).to_be_focused()
    await page.keyboard.press("Enter")
    # From the main content, Tab reaches the e-mail field first, then the password.
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("E-mail address")).to_be_focused()
    await page.keyboard.type(email)
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("Password")).to_be_focused()
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="Your space")).to_be_visible()


async def test_a_form_posted_from_another_site_is_refused(web: Web, browser_page: Page) -> None:
    """A page elsewhere (here, a `data:` document) posts a sign-out form to claimdesk: the
    browser sends it, without the token, and claimdesk refuses it; the person stays in."""
    page = browser_page
    person_email = await web.account("customer")
    await page.goto("/app/sign-in")
    await page.get_by_label("E-mail address").fill(person_email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Your space")).to_be_visible()
    forged = (
        f'<form method="post" action="{web.url}/app/sign-out">'
        '<input name="csrf_token" value="guessed"><button>Win a prize</button></form>'
    )
    await page.set_content(forged)
    await page.get_by_role("button", name="Win a prize").click()
    await expect(page.get_by_role("heading", name="This form was refused")).to_be_visible()
    await page.goto("/app/")
    await expect(page.get_by_role("heading", name="Your space")).to_be_visible()


async def test_the_pages_speak_french_to_a_french_browser(web: Web, browser: Browser) -> None:
    context = await browser.new_context(base_url=web.url, locale="fr-FR")
    try:
        page = await context.new_page()
        await page.goto("/app/sign-in")
        await expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
        await expect(page.locator("html")).to_have_attribute("lang", "fr")
        await page.get_by_role("button", name="English").click()
        await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        await page.reload()
        await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    finally:
        await context.close()


async def test_a_claim_e_mail_link_leads_through_sign_in_to_the_claim_page(
    web: Web, browser_page: Page
) -> None:
    """The customer's acknowledgement links the claim's page; signed out, the browser is
    sent to sign in, and from there on to that page."""
    page = browser_page
    email = await web.account("customer")
    customer = await web.api.key("customer", email=email)
    transaction = (await web.api.http.get("/transactions", headers=customer)).json()["items"][0]
    opened = await web.api.http.post(
        "/claims",
        json=claim_body(transaction["id"], contact={"name": "Ana", "email": email}),
        headers={**customer, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert opened.status_code == 201, opened.text
    reference = opened.json()["reference"]
    mails = await asyncio.to_thread(
        web.mailbox.wait_for, 1, X_Claimdesk_Template="acknowledgement", To=email
    )
    body = mails[0].get_body(("plain",))
    assert body is not None
    link = f"{web.url}/app/claims/{reference}"
    assert link in body.get_content()
    await page.goto(link)
    await expect(page).to_have_url(f"{web.url}/app/sign-in?next=%2Fapp%2Fclaims%2F{reference}")
    await page.get_by_label("E-mail address").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(link)


async def test_the_sign_in_pages_meet_the_basics_of_accessibility(
    web: Web, browser_page: Page
) -> None:
    page = browser_page
    email = await web.records_for("customer")
    await page.goto("/app/sign-in")
    await assert_accessible_basics(page)
    await page.get_by_role("button", name="Sign in").click()  # empty: both fields in error
    await assert_accessible_basics(page)
    await _ask_for_link(page, email)
    await assert_accessible_basics(page)
    await page.goto(await _read_link(web, email))
    await assert_accessible_basics(page)
    await page.get_by_role("button", name="Set the password and sign in").click()
    await expect(page.locator("#password-error")).to_be_visible()
    await assert_accessible_basics(page)


async def test_signing_in_works_without_javascript(web: Web, browser: Browser) -> None:
    email = await web.account("merchant")
    context = await browser.new_context(base_url=web.url, java_script_enabled=False)
    try:
        page = await context.new_page()
        await page.goto("/app/")
        await page.get_by_label("E-mail address").fill(email)
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await expect(page.get_by_text("(merchant M1)")).to_be_visible()
        await page.get_by_role("button", name="Sign out").click()
        await expect(page.get_by_role("status")).to_have_text("You are signed out.")
    finally:
        await context.close()
