"""Playwright on Debian's chromium (never a downloaded browser), headless."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, Page, Playwright

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium() -> str:
    if not CHROMIUM.exists():
        raise RuntimeError(
            f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium)"
        )
    return str(CHROMIUM)


async def launch_chromium(playwright: Playwright) -> Browser:
    return await playwright.chromium.launch(executable_path=chromium(), headless=True, args=ARGS)


async def assert_accessible_basics(page: Page) -> None:
    """What every page owes, checked in the rendered DOM: a language, one h1, a working skip
    link, and every visible field, select and text area with a label of its own."""
    assert await page.locator("html").get_attribute("lang") in {"en", "fr"}
    assert await page.locator("h1").count() == 1
    target = await page.locator("a.skip-link").get_attribute("href")
    assert target is not None and await page.locator(target).count() == 1
    fields = page.locator("input:not([type=hidden]), select, textarea")
    for index in range(await fields.count()):
        field = fields.nth(index)
        name = await field.evaluate("e => e.labels && e.labels.length ? e.labels[0].innerText : ''")
        assert name.strip(), await field.evaluate("e => e.outerHTML")
        described = await field.get_attribute("aria-describedby")
        for id in (described or "").split():
            assert await page.locator(f"#{id}").count() == 1, f"aria-describedby #{id} missing"
