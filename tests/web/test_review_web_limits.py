"""Hostile review of issue 14 item 3: the web claim center files claims and posts messages
through the API's service layer, but around the API's rate limits (api/limits.py is a
route dependency of the JSON routes only)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.testing import WorkflowEnvironment

from tests.support.api import api_settings
from tests.support.mailbox import Mailbox
from tests.support.parties import file_through_page, filing_form
from tests.support.web import Web, serve_web


@pytest.fixture
async def tight_web(
    temporal_env: WorkflowEnvironment, database_url: str, engine: AsyncEngine, mailbox: Mailbox
) -> AsyncIterator[Web]:
    settings = api_settings(temporal_env, database_url, mailbox).model_copy(
        update={"rate_openings": "2/hour", "rate_messages": "2/minute"}
    )
    async with serve_web(temporal_env, engine, mailbox, settings) as web:
        yield web


async def test_the_opening_limit_holds_for_claims_filed_on_the_web(tight_web: Web) -> None:
    for n in range(3):
        await tight_web.api.transaction(f"T-W{n}", customer_email="ana@example.com", days_ago=3)
    ana = await tight_web.client_for("customer", email="ana@example.com")
    await file_through_page(ana, "T-W0")
    await file_through_page(ana, "T-W1")
    third = await ana.post_form("/app/transactions/T-W2/claim", filing_form())
    assert third.status_code == 429, (third.status_code, third.headers.get("location"))
    assert "retry-after" in third.headers


async def test_the_message_limit_holds_for_messages_posted_on_the_web(tight_web: Web) -> None:
    await tight_web.api.transaction("T-M", customer_email="ana@example.com", days_ago=3)
    ana = await tight_web.client_for("customer", email="ana@example.com")
    reference = await file_through_page(ana, "T-M")
    statuses = []
    for n in range(4):
        said = await ana.post_form(f"/app/claims/{reference}/message", {"body": f"hello {n}"})
        statuses.append(said.status_code)
    assert statuses[-1] == 429, statuses
