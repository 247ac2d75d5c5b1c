"""Auth, transactions, merchants, health and error bodies, over real HTTP."""

from __future__ import annotations

import socket
from datetime import UTC, datetime

import httpx
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from claimdesk.core.settings import Settings
from claimdesk.store import keys
from claimdesk.store.db import unit_of_work
from tests.support.api import Api
from tests.support.mailbox import Mailbox
from tests.support.serving import Server

PROBLEM = "application/problem+json"


def txn(id: str = "T1", **overrides: str) -> dict[str, str]:
    body = {
        "id": id,
        "merchant_id": "M1",
        "customer_email": "ana@example.com",
        "amount": "49.90",
        "currency": "EUR",
        "occurred_at": "2026-11-01T10:00:00+01:00",
    }
    body.update(overrides)
    return body


# ---- authentication ----


async def test_request_without_key_is_401_problem(api: Api) -> None:
    response = await api.http.get("/claims")
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["type"].endswith("/unauthorized")


async def test_unknown_key_is_401(api: Api) -> None:
    response = await api.http.get(
        "/claims", headers={"Authorization": "Bearer cdk_nothere_0123456789abcdef"}
    )
    assert response.status_code == 401


async def test_revoked_key_is_refused_on_the_next_request(api: Api) -> None:
    headers = await api.key("operator")
    assert (await api.http.get("/claims", headers=headers)).status_code == 200
    async with unit_of_work(api.engine) as session:
        assert await keys.revoke_api_key(
            session=session, key_id=headers["X-Key-Id"], at=datetime.now(UTC)
        )
    response = await api.http.get("/claims", headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"] == "unknown or revoked API key"


# ---- transactions ----


async def test_operator_records_a_transaction_and_the_unknown_merchant_gets_a_placeholder(
    api: Api,
) -> None:
    operator = await api.key("operator")
    response = await api.http.post("/transactions", json=txn(), headers=operator)
    assert response.status_code == 201
    assert response.json()["amount"] == "49.90"
    assert response.json()["occurred_at"] == "2026-11-01T09:00:00Z"
    merchant = await api.http.get("/merchants/M1", headers=operator)
    assert merchant.status_code == 200
    assert merchant.json()["name"] == "M1"
    assert merchant.json()["email"] is None


async def test_recording_the_same_transaction_twice_is_200_and_different_data_is_409(
    api: Api,
) -> None:
    operator = await api.key("operator")
    assert (await api.http.post("/transactions", json=txn(), headers=operator)).status_code == 201
    assert (await api.http.post("/transactions", json=txn(), headers=operator)).status_code == 200
    changed = await api.http.post("/transactions", json=txn(amount="10.00"), headers=operator)
    assert changed.status_code == 409
    assert changed.json()["type"].endswith("/transaction-exists")
    assert await api.count("transactions") == 1


async def test_only_operators_record_transactions(api: Api) -> None:
    customer = await api.key("customer", email="ana@example.com")
    response = await api.http.post("/transactions", json=txn(), headers=customer)
    assert response.status_code == 403
    assert await api.count("transactions") == 0


async def test_bad_transaction_bodies_are_refused_and_nothing_is_stored(api: Api) -> None:
    operator = await api.key("operator")
    bad = [
        txn(amount="-5.00"),
        txn(amount="49.999"),
        {**txn(), "amount": 49.9},
        txn(currency="euro"),
        txn(occurred_at="2026-11-01T10:00:00"),  # no offset
        {**txn(), "note": "extra"},
        {k: v for k, v in txn().items() if k != "customer_email"},
        txn(id="x" * 65),
        txn(customer_email="zoé@example.com"),  # e-mails to it would need SMTPUTF8
        txn(customer_email="not-an-address"),
    ]
    for body in bad:
        response = await api.http.post("/transactions", json=body, headers=operator)
        assert response.status_code == 422, body
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["errors"], body
    assert await api.count("transactions") == 0


async def test_customers_see_only_their_transactions(api: Api) -> None:
    operator = await api.key("operator")
    await api.http.post("/transactions", json=txn("T1"), headers=operator)
    await api.http.post(
        "/transactions", json=txn("T2", customer_email="bob@example.com"), headers=operator
    )
    ana = await api.key("customer", email="ana@example.com")
    listed = await api.http.get("/transactions", headers=ana)
    assert [t["id"] for t in listed.json()["items"]] == ["T1"]
    assert (await api.http.get("/transactions/T2", headers=ana)).status_code == 404
    assert (await api.http.get("/transactions/T1", headers=ana)).status_code == 200
    everything = await api.http.get("/transactions", headers=operator)
    assert {t["id"] for t in everything.json()["items"]} == {"T1", "T2"}


async def test_transaction_listing_pages(api: Api) -> None:
    operator = await api.key("operator")
    for i in range(3):
        body = txn(f"T{i}", occurred_at=f"2026-11-0{i + 1}T10:00:00+00:00")
        await api.http.post("/transactions", json=body, headers=operator)
    first = (await api.http.get("/transactions?limit=2", headers=operator)).json()
    assert [t["id"] for t in first["items"]] == ["T2", "T1"]
    assert first["next_offset"] == 2
    second = (await api.http.get("/transactions?limit=2&offset=2", headers=operator)).json()
    assert [t["id"] for t in second["items"]] == ["T0"]
    assert second["next_offset"] is None
    too_many = await api.http.get("/transactions?limit=101", headers=operator)
    assert too_many.status_code == 422


# ---- merchants ----


async def test_operator_registers_then_updates_a_merchant(api: Api) -> None:
    operator = await api.key("operator")
    body = {"id": "M9", "name": "Lamps & Co", "email": "Shop@Example.com"}
    created = await api.http.post("/merchants", json=body, headers=operator)
    assert created.status_code == 201
    assert created.json()["email"] == "shop@example.com"
    assert created.json()["status"] == "active"
    body["name"] = "Lamps and Co"
    updated = await api.http.post("/merchants", json=body, headers=operator)
    assert updated.status_code == 200
    assert updated.json()["name"] == "Lamps and Co"


async def test_a_merchant_sees_itself_only_and_customers_see_no_merchant(api: Api) -> None:
    operator = await api.key("operator")
    for merchant_id in ("M1", "M2"):
        await api.http.post(
            "/merchants", json={"id": merchant_id, "name": merchant_id}, headers=operator
        )
    m1 = await api.key("merchant", merchant_id="M1")
    assert (await api.http.get("/merchants/M1", headers=m1)).status_code == 200
    assert (await api.http.get("/merchants/M2", headers=m1)).status_code == 404
    customer = await api.key("customer", email="ana@example.com")
    assert (await api.http.get("/merchants/M1", headers=customer)).status_code == 404
    assert (await api.http.get("/merchants/nobody", headers=operator)).status_code == 404


async def test_operator_restricts_and_reinstates_a_merchant_who_cannot_do_it_itself(
    api: Api,
) -> None:
    operator = await api.key("operator")
    await api.http.post("/merchants", json={"id": "M1", "name": "Shop"}, headers=operator)
    m1 = await api.key("merchant", merchant_id="M1")
    assert (await api.http.post("/merchants/M1/reinstate", headers=m1)).status_code == 403
    assert (await api.http.post("/merchants/M2/restrict", headers=m1)).status_code == 404
    restricted = await api.http.post("/merchants/M1/restrict", headers=operator)
    assert restricted.json()["status"] == "restricted"
    assert (await api.http.get("/merchants/M1", headers=m1)).json()["status"] == "restricted"
    reinstated = await api.http.post("/merchants/M1/reinstate", headers=operator)
    assert reinstated.json()["status"] == "active"


# ---- health and errors ----


async def test_health_and_readiness(api: Api) -> None:
    assert (await api.http.get("/healthz")).json() == {"status": "ok", "checks": {}}
    ready = await api.http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "temporal": "ok"}


async def test_readiness_is_503_when_the_database_does_not_answer(
    temporal_env: WorkflowEnvironment, mailbox: Mailbox
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    settings = Settings(
        database_url=f"postgresql://nobody:x@127.0.0.1:{dead_port}/none",
        temporal_address=temporal_env.client.service_client.config.target_host,
        smtp_port=mailbox.port,
    )
    server = Server(create_app(settings))
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            ready = await http.get("/readyz")
            assert (await http.get("/healthz")).status_code == 200
    finally:
        await server.stop()
    assert ready.status_code == 503
    assert ready.headers["retry-after"]
    assert ready.json()["checks"]["temporal"] == "ok"
    assert ready.json()["checks"]["database"].startswith("unavailable")


async def test_unknown_route_and_oversize_body_are_problems(api: Api) -> None:
    missing = await api.http.get("/nowhere")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == PROBLEM
    operator = await api.key("operator")
    huge = await api.http.post(
        "/transactions", content=b"{" + b" " * 70_000 + b"}", headers=operator
    )
    assert huge.status_code == 413
    assert huge.headers["content-type"] == PROBLEM


async def test_openapi_is_served(api: Api) -> None:
    schema = (await api.http.get("/openapi.json")).json()
    assert "/claims/{reference}/merchant-response" in schema["paths"]
    assert (await api.http.get("/docs")).status_code == 200


async def test_nul_characters_anywhere_are_refused_as_problems_not_500(api: Api) -> None:
    # PostgreSQL cannot store (or even compare with) U+0000: each of these was a 500.
    operator = await api.key("operator")
    for path in ("/claims/%00", "/merchants/M%00", "/transactions/T%00"):
        response = await api.http.get(path, headers=operator)
        assert response.status_code == 400, path
        assert response.headers["content-type"] == PROBLEM
    for query in ("merchant_id=%00", "status=open&merchant_id=M1%00"):
        response = await api.http.get(f"/claims?{query}", headers=operator)
        assert response.status_code == 400, query
    response = await api.http.get("/transactions?customer_email=a%00b", headers=operator)
    assert response.status_code == 400
    response = await api.http.post(
        "/transactions", json=txn(customer_email="a\x00b@example.com"), headers=operator
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert "NUL" in response.json()["detail"]
    assert await api.count("transactions") == 0


async def test_an_offset_past_what_postgresql_takes_is_422_not_500(api: Api) -> None:
    operator = await api.key("operator")
    for path in ("/claims", "/transactions"):
        response = await api.http.get(f"{path}?offset=99999999999999999999", headers=operator)
        assert response.status_code == 422, path
        assert response.headers["content-type"] == PROBLEM
        assert (await api.http.get(f"{path}?offset=1000000", headers=operator)).json()[
            "items"
        ] == []


async def test_amounts_are_plain_decimal_strings(api: Api) -> None:
    operator = await api.key("operator")
    for amount in ("1e5", " 1.00", "+1.00", "NaN", "Infinity", "1,00", "1."):
        response = await api.http.post("/transactions", json=txn(amount=amount), headers=operator)
        assert response.status_code == 422, amount
    assert await api.count("transactions") == 0
    response = await api.http.post("/transactions", json=txn(amount="7"), headers=operator)
    assert response.status_code == 201
    assert response.json()["amount"] in ("7", "7.00")
