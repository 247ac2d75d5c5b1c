"""What the operator console's tests share: a claim filed through the API, its store row."""

from __future__ import annotations

import uuid

from tests.support.api import claim_body
from tests.support.web import Web


async def file_claim(
    web: Web,
    *,
    subject: str = "payment",
    category: str = "unauthorized",
    merchant_id: str = "M1",
    customer: str = "ana@example.com",
) -> str:
    """A claim the customer files with its API key on a fresh transaction; its reference."""
    transaction = f"T-{uuid.uuid4().hex[:8]}"
    await web.api.transaction(transaction, merchant_id=merchant_id, customer_email=customer)
    key = await web.api.key("customer", email=customer)
    body = claim_body(transaction, subject=subject, category=category)
    body["contact"]["email"] = customer
    answer = await web.api.http.post("/claims", json=body, headers=key)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["reference"])


async def timeline_kinds(web: Web, reference: str) -> list[str]:
    """The kinds of the claim's events as the store holds them, in order."""
    operator = await web.api.key("operator")
    answer = await web.api.http.get(f"/claims/{reference}", headers=operator)
    assert answer.status_code == 200, answer.text
    return [event["kind"] for event in answer.json()["timeline"]]
