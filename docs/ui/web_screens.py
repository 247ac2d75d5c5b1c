"""Screenshots of the web claim center on a running `claimdesk dev` (by take_screenshot.py).

Each person signs in through the pages as on a first visit: the sign-in page sends a link,
read from the dev stack's mailbox folder (one .eml file per e-mail), and the person sets a
password from it. Then the operator's console (a queue, a claim, the merchants), the
customer's space and the merchant's inbox are saved under docs/ui/web-*.png.
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


async def _save(page: Page, path: str, name: str) -> None:
    await page.goto(path)
    await page.wait_for_load_state("networkidle")
    await page.screenshot(path=str(HERE / name), full_page=True)
    print(f"saved docs/ui/{name}: {path}")


async def web_screenshots(browser: Browser, web: str, mail_dir: Path) -> None:
    operator = await _sign_in(browser, web, mail_dir, OPERATOR)
    await _save(operator, "/app/console/queues/breached", "web-console-queue.png")
    first = operator.locator("table.claims tbody th a").first
    reference = (await first.text_content() or "").strip()
    await _save(operator, f"/app/console/claims/{reference}", "web-console-claim.png")
    await _save(operator, "/app/console/merchants", "web-console-merchants.png")
    customer = await _sign_in(browser, web, mail_dir, CUSTOMER)
    await _save(customer, "/app/", "web-customer.png")
    merchant = await _sign_in(browser, web, mail_dir, MERCHANT)
    await _save(merchant, "/app/", "web-merchant.png")
