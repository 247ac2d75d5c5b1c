"""Claims driven through the API as a client would, to their end.

Every script waits for the claim to breach its resolution target before anyone acts, so
the ladder's rungs always come first and an undisturbed run and a disturbed one must
leave the same timeline and the same e-mails, whatever delays the faults add.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from api.auth import issue_api_key
from claimdesk.store.db import unit_of_work
from claimdesk.store.keys import insert_api_key
from claimdesk.store.merchants import upsert_merchant
from claimdesk.store.transactions import TransactionRow, upsert_transactions
from tests.faults.accounts import CUSTOMER, Ledger, ledger
from tests.faults.stack import FaultStack

# What each script does once the claim has breached its target (level 3).
SCRIPTS = ("silent_merchant_withdrawn", "refund_accepted", "payment_decided")
CLAIM_TIMEOUT = 150.0  # a claim's whole life under faults, worst case included
RETRYABLE = (503,)

Headers = dict[str, str]


@dataclass
class Claim:
    reference: str
    script: str
    merchant: Headers


@dataclass
class Actors:
    customer: Headers
    operator: Headers
    merchants: dict[str, Headers] = field(default_factory=dict)


async def api_key(
    stack: FaultStack, role: str, *, email: str | None = None, merchant_id: str | None = None
) -> Headers:
    key, secret = issue_api_key(role, email=email, merchant_id=merchant_id)
    async with unit_of_work(stack.engine) as session:
        await insert_api_key(session=session, key=key)
    return {"Authorization": f"Bearer {secret}"}


async def actors(stack: FaultStack) -> Actors:
    return Actors(
        customer=await api_key(stack, "customer", email=CUSTOMER),
        operator=await api_key(stack, "operator"),
    )


async def transaction(stack: FaultStack) -> tuple[str, str]:
    """A fresh transaction at a fresh merchant (strikes never pile up across claims)."""
    suffix = uuid.uuid4().hex[:10]
    transaction_id, merchant_id = f"T-{suffix}", f"M-{suffix}"
    now = datetime.now(UTC)
    async with unit_of_work(stack.engine) as session:
        await upsert_merchant(
            session=session,
            merchant_id=merchant_id,
            name="Shop",
            email=f"shop-{suffix}@example.com",
            at=now,
        )
        await upsert_transactions(
            session=session,
            rows=[
                TransactionRow(
                    id=transaction_id,
                    merchant_id=merchant_id,
                    customer_email=CUSTOMER,
                    amount=Decimal("49.90"),
                    currency="EUR",
                    occurred_at=now - timedelta(days=3),
                )
            ],
        )
    return transaction_id, merchant_id


def claim_body(transaction_id: str, script: str) -> dict[str, Any]:
    payment = script == "payment_decided"
    return {
        "transaction_id": transaction_id,
        "subject": "payment" if payment else "delivery",
        "category": "amount_discrepancy" if payment else "not_received",
        "description": "Fault test claim.",
        "contact": {"name": "Ana Lima", "email": CUSTOMER},
        "locale": "en",
    }


async def prepare(stack: FaultStack, who: Actors, script: str) -> tuple[str, str]:
    """The records a claim needs (store up): its transaction and its merchant's key."""
    transaction_id, merchant_id = await transaction(stack)
    who.merchants[merchant_id] = await api_key(stack, "merchant", merchant_id=merchant_id)
    return transaction_id, merchant_id


async def open_claim(
    stack: FaultStack, who: Actors, script: str, prepared: tuple[str, str] | None = None
) -> Claim:
    """POST /claims, retried with the same Idempotency-Key while the service says 503."""
    transaction_id, merchant_id = prepared or await prepare(stack, who, script)
    headers = {**who.customer, "Idempotency-Key": str(uuid.uuid4())}
    body = claim_body(transaction_id, script)
    async with asyncio.timeout(CLAIM_TIMEOUT):
        while True:
            answer = await _post(stack.http, "/claims", headers, body)
            if answer is not None and answer.status_code == 201:
                reference = str(answer.json()["reference"])
                return Claim(reference, script, who.merchants[merchant_id])
            assert answer is None or answer.status_code in RETRYABLE, answer.text
            await asyncio.sleep(0.5)


async def open_every_script(stack: FaultStack) -> tuple[Actors, list[Claim]]:
    """The actors, and a claim opened for each of the SCRIPTS."""
    who = await actors(stack)
    return who, [await open_claim(stack, who, script) for script in SCRIPTS]


async def _post(
    http: httpx.AsyncClient, path: str, headers: Headers, body: dict[str, Any]
) -> httpx.Response | None:
    """The answer, or None when the request never got one (the client would retry)."""
    try:
        return await http.post(path, headers=headers, json=body)
    except httpx.TransportError:
        return None


async def read(stack: FaultStack, who: Actors, reference: str) -> dict[str, Any] | None:
    """The claim as the API shows it, or None while the service answers 503."""
    try:
        answer = await stack.http.get(f"/claims/{reference}", headers=who.operator)
    except httpx.TransportError:
        return None
    if answer.status_code in RETRYABLE:
        return None
    assert answer.status_code == 200, answer.text
    claim: dict[str, Any] = answer.json()
    return claim


async def until(
    stack: FaultStack, who: Actors, reference: str, done: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    while True:
        claim = await read(stack, who, reference)
        if claim is not None and done(claim):
            return claim
        await asyncio.sleep(0.25)


async def act(
    stack: FaultStack,
    who: Actors,
    claim: Claim,
    path: str,
    headers: Headers,
    body: dict[str, Any],
    done: Callable[[dict[str, Any]], bool],
) -> None:
    """Does an action until the claim shows it done, as a client that lost answers would.

    A 503 (or no answer) may hide an action that was taken: the retry is then refused
    with 409, and the claim must show the change; any other answer is a failure.
    """
    while True:
        answer = await _post(stack.http, f"/claims/{claim.reference}{path}", headers, body)
        if answer is not None and answer.status_code == 200:
            return
        assert answer is None or answer.status_code in (*RETRYABLE, 409), answer.text
        await asyncio.sleep(0.5)
        current = await read(stack, who, claim.reference)
        if current is not None and done(current):
            return


def breached(claim: dict[str, Any]) -> bool:
    return bool(claim["sla_breached"]) and claim["escalation_level"] == 3


def status(*wanted: str) -> Callable[[dict[str, Any]], bool]:
    return lambda claim: claim["status"] in wanted


async def drive(stack: FaultStack, who: Actors, claim: Claim) -> None:
    """Runs the claim's script to its end, then waits for its workflow to complete."""
    async with asyncio.timeout(CLAIM_TIMEOUT):
        await until(stack, who, claim.reference, breached)
        if claim.script == "silent_merchant_withdrawn":
            body: dict[str, Any] = {"note": "I give up."}
            await act(stack, who, claim, "/withdraw", who.customer, body, status("closed"))
        elif claim.script == "refund_accepted":
            body = {
                "action": "propose",
                "message": "Refunding you.",
                "proposal": {"kind": "refund", "amount": "49.90"},
            }
            answered = status("awaiting_customer", "resolved", "closed")
            await act(stack, who, claim, "/merchant-response", claim.merchant, body, answered)
            resolved = status("resolved", "closed")
            await act(stack, who, claim, "/proposal/accept", who.customer, {}, resolved)
            body = {"satisfied": True}
            await act(stack, who, claim, "/satisfaction", who.customer, body, status("closed"))
        else:
            body = {"outcome": "refund", "amount": "49.90", "note": "Refund granted."}
            resolved = status("resolved", "closed")
            await act(stack, who, claim, "/decision", who.operator, body, resolved)
            # The satisfaction window (a durable timer) closes it.
        await stack.client.get_workflow_handle(claim.reference).result()


async def run_claims(stack: FaultStack, who: Actors, claims: list[Claim]) -> list[Ledger]:
    """Drives every claim to its end at the same time, then takes their accounts."""
    await asyncio.gather(*(drive(stack, who, claim) for claim in claims))
    return [await ledger(stack, claim.reference, claim.script) for claim in claims]
