"""Screenshots of the web claim center on a running `claimdesk dev` (by take_screenshot.py).

Each person signs in through the pages as on a first visit: the sign-in page sends a link,
read from the dev stack's mailbox folder (one .eml file per e-mail), and the person sets a
password from it. Then the operator's console (a queue, a claim, the merchants) is saved,
and the customer and the merchant play a claim through their pages: the customer fills in
the filing form of a purchase left unclaimed (saved), the merchant sees it in its inbox and
on its claim page with the answer forms (both saved) and proposes a refund there, and the
customer's claim page with the proposal waiting and her list of claims are saved. All
under docs/ui/web-*.png.
"""

from __future__ import annotations

import asyncio
import re
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from playwright.async_api import Browser, Page

HERE = Path(__file__).resolve().parent
PASSWORD = "a long screenshot passphrase"
LINK = re.compile(r"https?://\S+/app/set-password\?token=[\w\-]+")
OPERATOR = "olga@claimdesk.example"
CUSTOMER = "ada@example.com"
MERCHANT = "disputes@lumen-home.example"
FRESH_PURCHASE = "T-1004"  # of Ada's at LUMEN-HOME, without a claim: filed on the pages


def _mailed_link(mail_dir: Path, to: str, within: float = 30) -> str:
    """The newest set-password link e-mailed to `to` (waits for it)."""
    give_up = time.monotonic() + within
    while True:
        found: list[tuple[float, str]] = []
        for path in mail_dir.glob("*.eml"):
            mail = message_from_bytes(path.read_bytes(), policy=policy.default)
            assert isinstance(mail, EmailMessage)
            body = mail.get_body(("plain",))
            link = LINK.search(body.get_content()) if body is not None else None
            if link and to in str(mail["To"]):
                found.append((path.stat().st_mtime, link.group(0)))
        if found:
            return max(found)[1]
        if time.monotonic() > give_up:
            raise RuntimeError(f"no sign-in link e-mailed to {to}")
        time.sleep(0.3)


async def _sign_in(browser: Browser, web: str, mail_dir: Path, email: str) -> Page:
    """A fresh browser signed in as `email` through the first-visit pages."""
    context = await browser.new_context(
        base_url=web, locale="en-GB", viewport={"width": 1280, "height": 900}
    )
    page = await context.new_page()
    await page.goto("/app/first-visit")
    await page.get_by_label("E-mail address").fill(email)
    await page.get_by_role("button", name="Send me a link").click()
    await page.get_by_role("heading", name="Check your e-mail").wait_for()
    await page.goto(await asyncio.to_thread(_mailed_link, mail_dir, email))
    await page.get_by_label("New password", exact=True).fill(PASSWORD)
    await page.get_by_label("Repeat the new password").fill(PASSWORD)
    await page.get_by_role("button", name="Set the password and sign in").click()
    await page.get_by_text(f"Signed in as {email}").wait_for()
    return page


async def _shoot(page: Page, name: str) -> None:
    """Saves the page as it is now (the whole page, not only the window)."""
    await page.wait_for_load_state("networkidle")
    await page.screenshot(path=str(HERE / name), full_page=True)
    print(f"saved docs/ui/{name}: {page.url}")


async def _save(page: Page, path: str, name: str) -> None:
    await page.goto(path)
    await _shoot(page, name)


async def _file_claim(customer: Page) -> str:
    """The customer files a delivery claim on the form (saved filled in); its reference."""
    await customer.goto(f"/app/transactions/{FRESH_PURCHASE}/claim")
    await customer.get_by_label("Delivery: the item or its delivery").check()
    await customer.locator("#file-category").select_option("damaged")
    await customer.locator("#file-description").fill(
        "The lamp arrived with its shade crushed and the base cracked. I would like a "
        "refund; photos on request."
    )
    await customer.locator("#file-contact_name").fill("Ada")
    await _shoot(customer, "web-customer-file.png")
    await customer.get_by_role("button", name="File the claim").click()
    await customer.get_by_role("heading", name="Your claim is filed").wait_for()
    return customer.url.rstrip("/").rsplit("/", 1)[-1].split("?")[0]


async def _propose_refund(merchant: Page, reference: str) -> None:
    """The merchant proposes a full refund on the claim's page."""
    await merchant.goto(f"/app/claims/{reference}")
    await merchant.locator("#propose-kind").select_option("refund")
    await merchant.locator("#propose-amount").fill("89.00")
    await merchant.locator("#propose-message").fill("Sorry about that: here is a full refund.")
    async with merchant.expect_navigation():  # the form's 303 back to the claim's page
        await merchant.get_by_role("button", name="Send the proposal").click()
    await merchant.get_by_text("refund").first.wait_for()


async def web_screenshots(browser: Browser, web: str, mail_dir: Path) -> None:
    operator = await _sign_in(browser, web, mail_dir, OPERATOR)
    await _save(operator, "/app/console/queues/breached", "web-console-queue.png")
    first = operator.locator("table.claims tbody th a").first
    reference = (await first.text_content() or "").strip()
    await _save(operator, f"/app/console/claims/{reference}", "web-console-claim.png")
    await _save(operator, "/app/console/merchants", "web-console-merchants.png")
    customer = await _sign_in(browser, web, mail_dir, CUSTOMER)
    merchant = await _sign_in(browser, web, mail_dir, MERCHANT)
    reference = await _file_claim(customer)
    await _save(merchant, "/app/inbox", "web-merchant-inbox.png")
    await _save(merchant, f"/app/claims/{reference}", "web-merchant-claim.png")
    await _propose_refund(merchant, reference)
    await _save(customer, f"/app/claims/{reference}", "web-customer-claim.png")
    await _save(customer, "/app/claims", "web-customer-claims.png")
