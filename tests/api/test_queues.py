"""The operator's queues (`GET /claims` filters) and a merchant's record, as claims move."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from tests.support.api import Api, claim_body


async def test_operator_queues_and_merchant_record_follow_a_silent_merchant(fast_api: Api) -> None:
    api = fast_api
    run = uuid.uuid4().hex[:6].upper()
    shop = f"Q{run}"
    customer = await api.key("customer", email="ana@example.com")
    operator = await api.key("operator")
    merchant = await api.key("merchant", merchant_id=shop)

    async def open_claim(tx: str, subject: str, category: str) -> str:
        await api.transaction(tx, merchant_id=shop)
        response = await api.http.post(
            "/claims", json=claim_body(tx, subject=subject, category=category), headers=customer
        )
        assert response.status_code == 201, response.text
        return str(response.json()["reference"])

    silent = await open_claim(f"T{run}1", "delivery", "not_received")
    answered = await open_claim(f"T{run}2", "delivery", "damaged")
    proposal = {"action": "propose", "proposal": {"kind": "replacement"}}
    response = await api.http.post(
        f"/claims/{answered}/merchant-response", json=proposal, headers=merchant
    )
    assert response.status_code == 200, response.text
    response = await api.http.post(f"/claims/{answered}/proposal/accept", headers=customer)
    assert response.status_code == 200, response.text

    async def listed(**filters: str) -> list[str]:
        response = await api.http.get(
            "/claims", params={"merchant_id": shop, **filters}, headers=operator
        )
        assert response.status_code == 200, response.text
        return [claim["reference"] for claim in response.json()["items"]]

    give_up = asyncio.get_running_loop().time() + 30
    while await listed(breached="true") != [silent]:
        assert asyncio.get_running_loop().time() < give_up, "the silent claim never breached"
        await asyncio.sleep(0.2)

    assert await listed(level="3") == [silent]
    assert await listed(level="1") == [answered]
    assert await listed(status="resolved") == [answered]
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    # The resolved claim awaits the customer's satisfaction within the hour; the breached one
    # waits on the 120 days of inactivity.
    assert await listed(due_before=tomorrow) == [answered]
    later = (datetime.now(UTC) + timedelta(days=200)).isoformat()
    assert await listed(due_before=later, order="due") == [answered, silent]
    naive = await api.http.get(
        "/claims", params={"due_before": "2026-11-23T00:00:00"}, headers=operator
    )
    assert naive.status_code == 422
    assert naive.headers["content-type"].startswith("application/problem+json")

    async def record() -> dict[str, object]:
        response = await api.http.get(f"/merchants/{shop}", headers=operator)
        assert response.status_code == 200, response.text
        return dict(response.json())

    give_up = asyncio.get_running_loop().time() + 15
    while (shop_record := await record())["strikes"] != 1:
        assert asyncio.get_running_loop().time() < give_up, "the strike was never recorded"
        await asyncio.sleep(0.2)
    assert shop_record["status"] == "active"
    assert [strike["reference"] for strike in shop_record["strike_history"]] == [silent]  # type: ignore[attr-defined]
    assert shop_record["open_claims"] == {"total": 2, "breached": 1, "by_level": {"1": 1, "3": 1}}
    own = await api.http.get(f"/merchants/{shop}", headers=merchant)
    assert own.status_code == 200 and own.json()["open_claims"]["total"] == 2
