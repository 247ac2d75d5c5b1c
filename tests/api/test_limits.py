"""The API's limits, each answered with its exact 4xx and problem type: body size, text
lengths, amounts, pagination and header sizes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from api.app import MAX_BODY_BYTES, create_app
from api.schemas import MAX_OFFSET
from claimdesk.core.settings import Settings
from tests.support.api import Api, claim_body

PROBLEM = "application/problem+json"
TYPES = "https://claimdesk.example/problems/"
ANA = "ana@example.com"
NOWHERE = "CLM-0000-0000"  # no such claim: a body is validated before anyone looks the claim up


def _assert_problem(response: httpx.Response, status: int, kind: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["type"] == TYPES + kind, body
    assert body["status"] == status
    return body


def _openapi() -> dict[str, Any]:
    document: dict[str, Any] = create_app(Settings(database_url="postgresql://unused/x")).openapi()
    return document


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _strings(
    document: dict[str, Any], schema: dict[str, Any], loc: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    """Every string a request body can carry, with where it sits."""
    schema = _resolve(document, schema)
    for option in schema.get("anyOf", []):
        yield from _strings(document, option, loc)
    if schema.get("type") == "string" and "enum" not in schema:
        yield loc, schema
    for name, sub in schema.get("properties", {}).items():
        yield from _strings(document, sub, (*loc, name))


def _body_strings() -> dict[tuple[str, str], list[tuple[tuple[str, ...], dict[str, Any]]]]:
    document = _openapi()
    found = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if "requestBody" in operation:
                schema = operation["requestBody"]["content"]["application/json"]["schema"]
                found[(method.upper(), path)] = list(_strings(document, schema, ()))
    return found


# ---- text lengths ----


def test_every_text_a_request_body_carries_has_an_upper_bound() -> None:
    found = _body_strings()
    assert len(found) == 14  # every POST with a body
    for operation, strings in found.items():
        for loc, schema in strings:
            # A date-time is parsed (and refused) by its format; every other text is capped.
            if schema.get("format") == "date-time" or schema.get("pattern") == "^[A-Z]{3}$":
                continue
            assert 0 < schema.get("maxLength", 0) <= 5000, (operation, loc, schema)


# A valid body for each operation, and the key its caller needs.
BODIES: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {
    ("POST", "/claims"): (
        "customer",
        {**claim_body("T1"), "contact": {"name": "Ana", "email": ANA, "phone": "+33 1 23"}},
    ),
    ("POST", "/claims/{reference}/messages"): ("customer", {"body": "hello"}),
    ("POST", "/claims/{reference}/merchant-response"): (
        "merchant",
        {"action": "reject", "message": "m", "reason": "r"},
    ),
    ("POST", "/claims/{reference}/proposal/accept"): ("customer", {"reason": "r"}),
    ("POST", "/claims/{reference}/proposal/reject"): ("customer", {"reason": "r"}),
    ("POST", "/claims/{reference}/close"): ("customer", {"note": "n"}),
    ("POST", "/claims/{reference}/withdraw"): ("customer", {"note": "n"}),
    ("POST", "/claims/{reference}/satisfaction"): (
        "customer",
        {"satisfied": True, "comment": "c"},
    ),
    ("POST", "/claims/{reference}/decision"): (
        "operator",
        {"outcome": "refund", "amount": "1.00", "note": "n"},
    ),
    ("POST", "/claims/{reference}/request-info"): ("operator", {"question": "q"}),
    ("POST", "/claims/{reference}/notes"): ("operator", {"note": "n"}),
    ("POST", "/claims/{reference}/findings"): ("operator", {"note": "n"}),
    ("POST", "/transactions"): (
        "operator",
        {
            "id": "T9",
            "merchant_id": "M9",
            "customer_email": ANA,
            "amount": "1.00",
            "currency": "EUR",
            "occurred_at": "2026-01-01T00:00:00Z",
        },
    ),
    ("POST", "/merchants"): ("operator", {"id": "M9", "name": "Shop", "email": "s@example.com"}),
}


def _with(body: dict[str, Any], loc: tuple[str, ...], value: Any) -> dict[str, Any]:
    copy = dict(body)
    if len(loc) == 1:
        copy[loc[0]] = value
    else:
        copy[loc[0]] = _with(copy.get(loc[0]) or {}, loc[1:], value)
    return copy


async def test_a_text_one_character_over_its_bound_is_422_naming_the_field(api: Api) -> None:
    keys = {
        "customer": await api.key("customer", email=ANA),
        "merchant": await api.key("merchant", merchant_id="M1"),
        "operator": await api.key("operator"),
    }
    found = _body_strings()
    assert set(found) == set(BODIES), "a new request body needs a valid example here"
    tried = 0
    for (method, path), strings in found.items():
        role, body = BODIES[(method, path)]
        url = path.replace("{reference}", NOWHERE)
        for loc, schema in strings:
            if "maxLength" not in schema:
                continue
            too_long = "a" * (schema["maxLength"] + 1)
            response = await api.http.request(
                method, url, json=_with(body, loc, too_long), headers=keys[role]
            )
            problem = _assert_problem(response, 422, "validation-error")
            assert ["body", *loc] in [error["loc"] for error in problem["errors"]], (path, loc)
            tried += 1
    assert tried >= 24
    assert await api.count("claims") == 0
    assert await api.count("transactions") == 0


async def test_the_longest_texts_allowed_are_accepted_and_kept_whole(api: Api) -> None:
    await api.transaction("T1")
    ana = await api.key("customer", email=ANA)
    description = "d" * 5000
    opened = await api.http.post(
        "/claims",
        json=claim_body(description=description, contact={"name": "n" * 200, "email": ANA}),
        headers=ana,
    )
    assert opened.status_code == 201, opened.text
    assert opened.json()["description"] == description
    reference = opened.json()["reference"]
    written = await api.http.post(
        f"/claims/{reference}/messages", json={"body": "b" * 5000}, headers=ana
    )
    assert written.status_code == 200, written.text
    timeline = (await api.http.get(f"/claims/{reference}", headers=ana)).json()["timeline"]
    assert any("b" * 5000 in event["details"].values() for event in timeline), timeline


# ---- body size ----


async def test_a_body_over_64_kib_is_413_whether_its_length_is_declared_or_streamed(
    api: Api,
) -> None:
    operator = await api.key("operator")
    at_limit = b'{"id": "' + b"x" * (MAX_BODY_BYTES - 10) + b'"}'
    assert len(at_limit) == MAX_BODY_BYTES
    response = await api.http.post("/merchants", content=at_limit, headers=operator)
    # read, parsed, and refused for what it says (an id far too long), not for its size
    _assert_problem(response, 422, "validation-error")
    over = at_limit[:-2] + b'x"}'
    response = await api.http.post("/merchants", content=over, headers=operator)
    _assert_problem(response, 413, "body-too-large")

    async def chunks() -> AsyncIterator[bytes]:
        # no Content-Length: the body arrives chunked and is counted as it comes
        yield b'{"id": "M1", "name": "'
        for _ in range(40):
            yield b"x" * 4096
        yield b'"}'

    response = await api.http.post("/merchants", content=chunks(), headers=operator)
    assert "content-length" not in response.request.headers
    _assert_problem(response, 413, "body-too-large")
    assert await api.count("merchants") == 0


# ---- amounts ----


async def test_amounts_are_decimal_strings_above_zero_with_two_decimals_at_most(
    api: Api,
) -> None:
    operator = await api.key("operator")
    transaction = BODIES[("POST", "/transactions")][1]
    for amount in ("-1.00", "0", "0.00", "1.005", "0.001", "1" * 13, "1" * 33, 49.9, 5):
        response = await api.http.post(
            "/transactions", json={**transaction, "amount": amount}, headers=operator
        )
        problem = _assert_problem(response, 422, "validation-error")
        assert ["body", "amount"] in [error["loc"] for error in problem["errors"]], amount
    assert await api.count("transactions") == 0
    for amount in ("0.01", "49.90", "999999999999.99"):
        response = await api.http.post(
            "/transactions",
            json={**transaction, "id": f"T-{amount}", "amount": amount},
            headers=operator,
        )
        assert response.status_code == 201, response.text
        assert response.json()["amount"] == amount


async def test_a_refund_is_at_most_the_transaction_amount_and_a_partial_one_less(
    api: Api,
) -> None:
    await api.transaction("T1", amount="49.90")
    await api.transaction("T2", amount="49.90")
    ana = await api.key("customer", email=ANA)
    m1 = await api.key("merchant", merchant_id="M1")
    operator = await api.key("operator")
    delivery = await api.http.post("/claims", json=claim_body("T1"), headers=ana)
    payment = await api.http.post(
        "/claims", json=claim_body("T2", subject="payment", category="unauthorized"), headers=ana
    )
    delivery_ref, payment_ref = delivery.json()["reference"], payment.json()["reference"]

    def refund(amount: str) -> dict[str, Any]:
        return {"action": "propose", "proposal": {"kind": "refund", "amount": amount}}

    path = f"/claims/{delivery_ref}/merchant-response"
    response = await api.http.post(path, json=refund("49.91"), headers=m1)
    problem = _assert_problem(response, 422, "amount-over-limit")
    assert "49.90" in problem["detail"]
    path = f"/claims/{payment_ref}/decision"
    for outcome, amount in (("refund", "50.00"), ("partial_refund", "49.90")):
        response = await api.http.post(
            path, json={"outcome": outcome, "amount": amount, "note": "n"}, headers=operator
        )
        _assert_problem(response, 422, "amount-over-limit")
    # Nothing of it reached the claims.
    for reference in (delivery_ref, payment_ref):
        claim = (await api.http.get(f"/claims/{reference}", headers=operator)).json()
        assert claim["status"] == "open" and claim["proposal"] is None, claim
    # The whole amount is a refund the merchant may propose, and the operator may decide.
    proposed = await api.http.post(
        f"/claims/{delivery_ref}/merchant-response", json=refund("49.90"), headers=m1
    )
    assert proposed.status_code == 200, proposed.text
    assert proposed.json()["proposal"] == {"kind": "refund", "amount": "49.90"}
    decided = await api.http.post(
        path, json={"outcome": "refund", "amount": "49.90", "note": "n"}, headers=operator
    )
    assert decided.status_code == 200, decided.text


async def test_a_transaction_happened_between_2000_and_now(api: Api) -> None:
    operator = await api.key("operator")
    transaction = BODIES[("POST", "/transactions")][1]
    for at in (
        "0001-01-01T00:00:00+14:00",  # before year 1 in UTC: was a 500
        "1999-12-31T23:59:59Z",
        "9999-12-31T23:59:59Z",
        (datetime.now(UTC) + timedelta(days=1)).isoformat(),
    ):
        response = await api.http.post(
            "/transactions", json={**transaction, "occurred_at": at}, headers=operator
        )
        problem = _assert_problem(response, 422, "validation-error")
        assert ["body", "occurred_at"] in [error["loc"] for error in problem["errors"]], at
    assert await api.count("transactions") == 0
    response = await api.http.post(
        "/transactions",
        json={**transaction, "occurred_at": "2000-01-01T01:00:00+01:00"},
        headers=operator,
    )
    assert response.status_code == 201, response.text


async def test_a_body_that_does_not_decode_is_400_malformed_json(api: Api) -> None:
    operator = await api.key("operator")
    headers = {**operator, "content-type": "application/json"}
    for body in (
        b"[" * 30_000 + b"]" * 30_000,  # nested past what Python's parser takes
        b'{"id": "M\xff1", "name": "Shop"}',  # not UTF-8
        b'{"id": "M1", "name": ',
    ):
        response = await api.http.post("/merchants", content=body, headers=headers)
        _assert_problem(response, 400, "malformed-json")
    assert await api.count("merchants") == 0


# ---- pagination ----


async def test_pages_hold_1_to_100_items_from_an_offset_up_to_a_billion(api: Api) -> None:
    operator = await api.key("operator")
    for path in ("/claims", "/transactions"):
        for query in (
            "limit=0",
            "limit=101",
            "limit=-1",
            "limit=ten",
            "offset=-1",
            f"offset={MAX_OFFSET + 1}",
            "offset=1.5",
        ):
            response = await api.http.get(f"{path}?{query}", headers=operator)
            problem = _assert_problem(response, 422, "validation-error")
            assert problem["errors"][0]["loc"][0] == "query", (path, query)
        response = await api.http.get(f"{path}?limit=100&offset={MAX_OFFSET}", headers=operator)
        assert response.status_code == 200
        assert response.json() == {
            "items": [],
            "limit": 100,
            "offset": MAX_OFFSET,
            "next_offset": None,
        }


# ---- headers ----


async def test_an_idempotency_key_is_1_to_200_characters(api: Api) -> None:
    await api.transaction("T1")
    ana = await api.key("customer", email=ANA)
    for key in ("", "k" * 201):
        response = await api.http.post(
            "/claims", json=claim_body(), headers={**ana, "Idempotency-Key": key}
        )
        problem = _assert_problem(response, 422, "validation-error")
        assert problem["errors"][0]["loc"] == ["header", "idempotency-key"]
    assert await api.count("claims") == 0
    response = await api.http.post(
        "/claims", json=claim_body(), headers={**ana, "Idempotency-Key": "k" * 200}
    )
    assert response.status_code == 201, response.text


async def test_an_overlong_or_malformed_authorization_is_401(api: Api) -> None:
    ana = await api.key("customer", email=ANA)
    real = ana["Authorization"]
    for authorization in (
        real + "x" * 200,  # past any key claimdesk issues
        real.replace("Bearer", "Basic"),
        "Bearer",
        "Bearer cdk_",
        real[: len("Bearer cdk_")] + "é" * 10,  # sent as UTF-8 bytes
    ):
        headers = [(b"Authorization", authorization.encode())]
        response = await api.http.get("/claims", headers=headers)
        _assert_problem(response, 401, "unauthorized")
        assert response.headers["www-authenticate"].startswith("Bearer")
