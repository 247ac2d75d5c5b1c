"""The web claim center's fixtures: the app over HTTP, and a real browser (Debian's chromium)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, async_playwright
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.testing import WorkflowEnvironment

from tests.support.api import api_settings
from tests.support.browser import launch_chromium
from tests.support.mailbox import Mailbox
from tests.support.web import Web, serve_web


@pytest.fixture
async def web(
    temporal_env: WorkflowEnvironment, database_url: str, engine: AsyncEngine, mailbox: Mailbox
) -> AsyncIterator[Web]:
    settings = api_settings(temporal_env, database_url, mailbox)
    async with serve_web(temporal_env, engine, mailbox, settings) as web:
        yield web


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await launch_chromium(playwright)
        yield browser
        await browser.close()


@pytest.fixture
async def browser_page(browser: Browser, web: Web) -> AsyncIterator[Page]:
    """A fresh browser context (no cookies) on the served app, English first."""
    context = await browser.new_context(base_url=web.url, locale="en-GB")
    page = await context.new_page()
    yield page
    await context.close()
