"""What `make bench` measures: (a) the ceiling, (b) opening claims, (d) read-your-writes,
(e) full lifecycles and their history sizes; (f), memory and disk with many open claims, is
in bench/footprint.py."""

from __future__ import annotations

import asyncio
import math
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from api.auth import issue_api_key
from bench.load import Run, closed_loop
from bench.stack import Stack
from claimdesk.store.db import unit_of_work
from claimdesk.store.keys import insert_api_key
from claimdesk.store.merchants import upsert_merchant
from claimdesk.store.models import Transaction
from claimdesk.store.transactions import TransactionRow

CUSTOMERS = 16
MERCHANTS = 4
NOOP_QUEUE = "bench-noop"
# The ladder of the claims that go silent to the breach: seconds instead of days.
SHORT_LADDER = {
    "CLAIMDESK_LEVEL2_AFTER": "2",
    "CLAIMDESK_LEVEL3_AFTER": "4",
    "CLAIMDESK_RESOLUTION_TARGET": "6",
}
POLL_INTERVAL = 0.005


@dataclass
class World:
    """The records every scenario shares: keys, merchants, a pool of transactions."""

    stack: Stack
    http: httpx.AsyncClient
    engine: AsyncEngine
    customers: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    merchants: dict[str, dict[str, str]] = field(default_factory=dict)
    operator: dict[str, str] = field(default_factory=dict)
    transactions: int = 0
    _taken: int = 0

    def take(self, count: int) -> range:
        """`count` transactions no claim was opened on yet (their indexes)."""
        if self._taken + count > self.transactions:
            raise RuntimeError("the bench made too few transactions")
        taken = range(self._taken, self._taken + count)
        self._taken += count
        return taken

    @staticmethod
    def transaction_id(index: int) -> str:
        return f"T{index:06d}"

    def customer(self, index: int) -> tuple[str, dict[str, str]]:
        return self.customers[index % CUSTOMERS]

    def merchant(self, index: int) -> dict[str, str]:
        return self.merchants[f"M{index % MERCHANTS}"]

    def claim_body(self, index: int, subject: str = "delivery") -> dict[str, Any]:
        email, _ = self.customer(index)
        return {
            "transaction_id": self.transaction_id(index),
            "subject": subject,
            "category": "not_received" if subject == "delivery" else "unauthorized",
            "description": "Ordered a lamp three weeks ago; nothing arrived.",
            "contact": {"name": "Ana Lima", "email": email},
            "locale": "en",
        }

    async def open_claim(
        self, index: int, subject: str = "delivery", api_url: str | None = None
    ) -> str:
        """POST /claims as the transaction's customer; answers the new reference."""
        _, headers = self.customer(index)
        response = await self.http.post(
            f"{api_url or self.stack.api_url}/claims",
            json=self.claim_body(index, subject),
            headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
        )
        response.raise_for_status()
        reference: str = response.json()["reference"]
        return reference

    async def post(
        self, path: str, headers: dict[str, str], body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        response = await self.http.post(
            f"{self.stack.api_url}{path}", json=body or {}, headers=headers
        )
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer

    async def get(self, path: str, headers: dict[str, str]) -> dict[str, Any]:
        response = await self.http.get(f"{self.stack.api_url}{path}", headers=headers)
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer


async def _key(
    engine: AsyncEngine, role: str, *, email: str | None = None, merchant_id: str | None = None
) -> dict[str, str]:
    key, secret = issue_api_key(role, email=email, merchant_id=merchant_id)
    async with unit_of_work(engine) as session:
        await insert_api_key(session=session, key=key)
    return {"Authorization": f"Bearer {secret}"}


async def populate(world: World, transactions: int) -> None:
    """Keys for 16 customers, 4 merchants and an operator; `transactions` fresh transactions."""
    now = datetime.now(UTC)
    for m in range(MERCHANTS):
        merchant_id = f"M{m}"
        async with unit_of_work(world.engine) as session:
            await upsert_merchant(
                session=session,
                merchant_id=merchant_id,
                name=f"Shop {m}",
                email=f"shop{m}@example.com",
                at=now,
            )
        world.merchants[merchant_id] = await _key(world.engine, "merchant", merchant_id=merchant_id)
    for c in range(CUSTOMERS):
        email = f"customer{c}@example.com"
        world.customers.append((email, await _key(world.engine, "customer", email=email)))
    world.operator = await _key(world.engine, "operator")
    rows = [
        TransactionRow(
            id=World.transaction_id(i),
            merchant_id=f"M{i % MERCHANTS}",
            customer_email=world.customer(i)[0],
            amount=Decimal("49.90"),
            currency="EUR",
            occurred_at=now - timedelta(days=3),
        ).values()
        for i in range(transactions)
    ]
    # The bench's own fixture rows, in one multi-row insert: `transactions.upsert_transactions`
    # (one statement a row, for imports) took 90 s for 11 000 rows on the loaded machine.
    async with unit_of_work(world.engine) as session:
        await session.execute(insert(Transaction), rows)
    world.transactions = transactions


# ---- (a) the ceiling ----


async def ceiling(world: World, *, count: int, warmup: int, concurrency: int) -> Run:
    """Bare `start_workflow` of a no-op workflow, run by its own worker process."""
    stack = world.stack
    stack.spawn(
        "noop-worker",
        [sys.executable, "-m", "bench.noop", stack.settings.temporal_target, NOOP_QUEUE],
        stack.environment(),
    )
    run_id = uuid.uuid4().hex[:6]

    async def start(index: int) -> None:
        await stack.client.start_workflow(
            "NoopWorkflow", id=f"noop-{run_id}-{index}", task_queue=NOOP_QUEUE
        )

    try:
        return await closed_loop(
            "(a) start_workflow, no-op", start, count=count, warmup=warmup, concurrency=concurrency
        )
    finally:
        await asyncio.sleep(1)  # lets the no-op worker finish what it holds
        stack.stop("noop-worker")


# ---- (b) opening claims ----


async def open_claims(
    world: World,
    *,
    count: int,
    warmup: int,
    concurrency: int,
    name: str = "(b) POST /claims",
    seconds: float = math.inf,
) -> tuple[Run, list[tuple[int, str]]]:
    """POST /claims, each on a fresh transaction; answers the run and the (index, reference)s."""
    indexes = world.take(count + warmup)
    opened: list[tuple[int, str]] = []

    async def open_one(i: int) -> None:
        index = indexes[i]
        opened.append((index, await world.open_claim(index)))

    run = await closed_loop(
        name, open_one, count=count, warmup=warmup, concurrency=concurrency, seconds=seconds
    )
    return run, opened


# ---- (d) read-your-writes ----


async def response_visible(
    world: World,
    claims: list[tuple[int, str]],
    *,
    count: int,
    warmup: int,
    concurrency: int,
    name: str = "(d) merchant response visible",
) -> tuple[Run, float]:
    """From sending a merchant's proposal to the first GET that shows it.

    Answers the run and the share of responses visible at the first GET.
    """
    first_try = 0

    async def respond(i: int) -> None:
        nonlocal first_try
        index, reference = claims[i]
        headers = world.merchant(index)
        await world.post(
            f"/claims/{reference}/merchant-response",
            headers,
            {"action": "propose", "proposal": {"kind": "refund", "amount": "10.00"}},
        )
        tries = 0
        while True:
            tries += 1
            claim = await world.get(f"/claims/{reference}", headers)
            if claim["status"] == "awaiting_customer":
                break
            await asyncio.sleep(POLL_INTERVAL)
        if tries == 1:
            first_try += 1

    run = await closed_loop(
        name,
        respond,
        count=count,
        warmup=warmup,
        concurrency=concurrency,
    )
    return run, first_try / (count + warmup)


# ---- (e) lifecycles and their history ----


async def history_events(world: World, reference: str) -> int:
    history = await world.stack.client.get_workflow_handle(reference).fetch_history()
    return len(history.events)


async def _finished(world: World, reference: str) -> None:
    """Waits for the claim's workflow to end: every e-mail and store write done."""
    await world.stack.client.get_workflow_handle(reference).result()


async def happy_lifecycle(world: World, index: int) -> str:
    """Opened, refund proposed, accepted, satisfied, closed."""
    reference = await world.open_claim(index)
    _, customer = world.customer(index)
    await world.post(
        f"/claims/{reference}/merchant-response",
        world.merchant(index),
        {"action": "propose", "proposal": {"kind": "refund", "amount": "49.90"}},
    )
    await world.post(f"/claims/{reference}/proposal/accept", customer)
    await world.post(f"/claims/{reference}/satisfaction", customer, {"satisfied": True})
    await _finished(world, reference)
    return reference


async def lifecycles(
    world: World, *, count: int, warmup: int, concurrency: int
) -> tuple[Run, list[str]]:
    indexes = world.take(count + warmup)
    references: list[str] = []

    async def one(i: int) -> None:
        references.append(await happy_lifecycle(world, indexes[i]))

    run = await closed_loop(
        "(e) full lifecycle", one, count=count, warmup=warmup, concurrency=concurrency
    )
    return run, references


async def withdrawn_path(world: World) -> str:
    (index,) = world.take(1)
    reference = await world.open_claim(index)
    await world.post(f"/claims/{reference}/withdraw", world.customer(index)[1])
    await _finished(world, reference)
    return reference


async def decision_path(world: World) -> str:
    """A payment claim: the operator refunds, the customer is satisfied, it closes."""
    (index,) = world.take(1)
    reference = await world.open_claim(index, subject="payment")
    await world.post(
        f"/claims/{reference}/decision",
        world.operator,
        {"outcome": "refund", "amount": "49.90", "note": "Refunded in full."},
    )
    await world.post(
        f"/claims/{reference}/satisfaction", world.customer(index)[1], {"satisfied": True}
    )
    await _finished(world, reference)
    return reference


async def breach_path(world: World) -> str:
    """A delivery claim whose merchant stays silent through the ladder (seconds here) to the
    breach and the strike; then the customer withdraws it, so the history is complete."""
    stack = world.stack
    api_url = await stack.start_api("api-short-ladder", **SHORT_LADDER)
    try:
        (index,) = world.take(1)
        reference = await world.open_claim(index, api_url=api_url)
        _, customer = world.customer(index)
        deadline = time.monotonic() + 60
        while not (await world.get(f"/claims/{reference}", customer))["sla_breached"]:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{reference} did not breach its short ladder in 60 s")
            await asyncio.sleep(0.25)
        await world.post(f"/claims/{reference}/withdraw", customer)
        await _finished(world, reference)
        return reference
    finally:
        stack.stop("api-short-ladder")


async def history_sizes(world: World, happy: list[str]) -> dict[str, dict[str, int]]:
    """History events per lifecycle path (min and max over the claims of that path)."""
    paths: dict[str, list[str]] = {"happy path (proposal accepted, satisfied)": happy[:50]}
    paths["withdrawn at once"] = [await withdrawn_path(world)]
    paths["operator decision (payment claim), satisfied"] = [await decision_path(world)]
    paths["silent merchant: level 2, 3, breach + strike, then withdrawn"] = [
        await breach_path(world)
    ]
    sizes: dict[str, dict[str, int]] = {}
    for path, references in paths.items():
        counts = [await history_events(world, reference) for reference in references]
        sizes[path] = {"claims": len(counts), "min": min(counts), "max": max(counts)}
    return sizes
