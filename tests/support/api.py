"""What the API tests share: the running API and its records, claim bodies, serving it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from api.auth import issue_api_key
from claimdesk.core.settings import Settings
from claimdesk.store.db import unit_of_work
from claimdesk.store.keys import insert_api_key
from claimdesk.store.merchants import upsert_merchant
from claimdesk.store.transactions import TransactionRow, upsert_transactions
from tests.support.mailbox import Mailbox
from tests.support.serving import Server
from worker import build_worker

DAY = timedelta(days=1)
# Rate limits no burst, fuzz or load test reaches; tests/api/test_rate_limits.py tightens them.
GENEROUS_RATES = {
    "rate_openings": "100000/minute",
    "rate_actions": "100000/minute",
    "rate_messages": "100000/minute",
}


@dataclass
class Api:
    """The running API and what a test needs around it: keys, records, the store."""

    http: httpx.AsyncClient
    engine: AsyncEngine
    settings: Settings
    mailbox: Mailbox

    async def key(
        self, role: str, *, email: str | None = None, merchant_id: str | None = None
    ) -> dict[str, str]:
        """A fresh API key for `role`, as request headers."""
        key, secret = issue_api_key(role, email=email, merchant_id=merchant_id)
        async with unit_of_work(self.engine) as session:
            await insert_api_key(session=session, key=key)
        return {"Authorization": f"Bearer {secret}", "X-Key-Id": key.id}

    async def transaction(
        self,
        id: str,
        *,
        customer_email: str = "ana@example.com",
        merchant_id: str = "M1",
        days_ago: float = 3,
        amount: str = "49.90",
        currency: str = "EUR",
    ) -> None:
        async with unit_of_work(self.engine) as session:
            now = datetime.now(UTC)
            await upsert_merchant(
                session=session,
                merchant_id=merchant_id,
                name="Shop",
                email="shop@example.com",
                at=now,
            )
            await upsert_transactions(
                session=session,
                rows=[
                    TransactionRow(
                        id=id,
                        merchant_id=merchant_id,
                        customer_email=customer_email,
                        amount=Decimal(amount),
                        currency=currency,
                        occurred_at=now - days_ago * DAY,
                    )
                ],
            )

    async def parties(
        self, *transactions: str
    ) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
        """The transactions (T1 unless named; ana@example.com bought each from M1), and the keys
        of ana, of M1 and of an operator, as request headers."""
        for id in transactions or ("T1",):
            await self.transaction(id)
        customer = await self.key("customer", email="ana@example.com")
        merchant = await self.key("merchant", merchant_id="M1")
        return customer, merchant, await self.key("operator")

    async def count(self, table: str) -> int:
        async with self.engine.connect() as conn:
            return int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())

    async def row(self, reference: str) -> dict[str, Any]:
        async with self.engine.connect() as conn:
            result = await conn.execute(
                text("SELECT * FROM claims WHERE reference = :r"), {"r": reference}
            )
            return dict(result.mappings().one())


def claim_body(transaction_id: str = "T1", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "transaction_id": transaction_id,
        "subject": "delivery",
        "category": "not_received",
        "description": "Ordered a lamp three weeks ago; nothing arrived.",
        "contact": {"name": "Ana Lima", "email": "ana@example.com"},
        "locale": "en",
    }
    body.update(overrides)
    return body


def api_settings(
    temporal_env: WorkflowEnvironment, database_url: str, mailbox: Mailbox
) -> Settings:
    return Settings(
        database_url=database_url,
        temporal_address=temporal_env.client.service_client.config.target_host,
        temporal_namespace=temporal_env.client.namespace,
        task_queue=f"api-{uuid.uuid4().hex[:10]}",  # fresh per test: no stray tasks
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
        **GENEROUS_RATES,
    )


@asynccontextmanager
async def serve(
    temporal_env: WorkflowEnvironment, engine: AsyncEngine, mailbox: Mailbox, settings: Settings
) -> AsyncIterator[Api]:
    """The API over real HTTP, with a worker running the claims it opens."""
    server = Server(create_app(settings))
    await server.start()
    try:
        async with (
            build_worker(temporal_env.client, engine, settings),
            httpx.AsyncClient(base_url=server.url, timeout=30) as http,
        ):
            yield Api(http=http, engine=engine, settings=settings, mailbox=mailbox)
    finally:
        await server.stop()


SECOND = timedelta(seconds=1)
