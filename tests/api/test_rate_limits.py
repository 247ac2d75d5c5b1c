"""Rate limits: per API key and per client address, 429 with Retry-After, nothing stored."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pydantic
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from claimdesk.core.settings import Settings
from tests.support.api import Api, api_settings, claim_body, serve
from tests.support.mailbox import Mailbox

PROBLEM = "application/problem+json"
TOO_MANY = "https://claimdesk.example/problems/too-many-requests"
HOUR = 3600
# The tests' X-Forwarded-For names each caller's address when the test runner is trusted.
BEHIND_PROXY = {"trusted_proxies": "127.0.0.1"}

Serving = Callable[..., AbstractAsyncContextManager[Api]]


@pytest.fixture
def serving(
    temporal_env: WorkflowEnvironment, database_url: str, engine: AsyncEngine, mailbox: Mailbox
) -> Serving:
    """The API with some settings changed (the rate limits of each test)."""

    @asynccontextmanager
    async def start(**update: Any) -> AsyncIterator[Api]:
        settings = api_settings(temporal_env, database_url, mailbox).model_copy(update=update)
        async with serve(temporal_env, engine, mailbox, settings) as api:
            yield api

    return start


def _retry_after(response: httpx.Response, window: int) -> int:
    """The 429's Retry-After, checked: a problem, and at most the limit's window."""
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["type"] == TOO_MANY and body["status"] == 429, body
    seconds = int(response.headers["Retry-After"])
    assert 1 <= seconds <= window
    return seconds


async def _customer(api: Api, email: str, *transactions: str) -> dict[str, str]:
    for id in transactions:
        await api.transaction(id, customer_email=email)
    return {**await api.key("customer", email=email), "X-Email": email}


async def _open(
    api: Api, key: dict[str, str], transaction: str, address: str | None = None, **extra: str
) -> httpx.Response:
    headers = {**key, **extra, **({"X-Forwarded-For": address} if address else {})}
    email = key.get("X-Email", "ana@example.com")
    body = claim_body(transaction, contact={"name": "A Customer", "email": email})
    return await api.http.post("/claims", json=body, headers=headers)


async def _claim(api: Api) -> tuple[dict[str, str], dict[str, str], str]:
    """Ana's and M1's keys, and the claim ana opened on T1."""
    ana, shop, _ = await api.parties()
    opened = await _open(api, ana, "T1")
    assert opened.status_code == 201, opened.text
    return ana, shop, opened.json()["reference"]


async def _messages(api: Api, reference: str, headers: dict[str, str]) -> list[str]:
    """The messages on the claim's timeline, oldest first."""
    claim = (await api.http.get(f"/claims/{reference}", headers=headers)).json()
    return [e["details"]["body"] for e in claim["timeline"] if e["kind"] == "message"]


async def test_openings_past_a_keys_limit_are_429_and_store_nothing_other_keys_go_on(
    serving: Serving,
) -> None:
    async with serving(rate_openings="2/hour", **BEHIND_PROXY) as api:
        ana = await _customer(api, "ana@example.com", "T1", "T2", "T3")
        bob = await _customer(api, "bob@example.com", "T4")
        assert (await _open(api, ana, "T1", "10.0.0.1")).status_code == 201
        assert (await _open(api, ana, "T2", "10.0.0.2")).status_code == 201
        refused = await _open(api, ana, "T3", "10.0.0.3", **{"Idempotency-Key": "third"})
        _retry_after(refused, HOUR)
        assert await api.count("claims") == 2
        assert await api.count("idempotency_keys") == 0
        # Another key, from another address, is not held back by ana's.
        assert (await _open(api, bob, "T4", "10.0.0.4")).status_code == 201


async def test_an_address_past_its_limit_is_429_whichever_key_it_uses(serving: Serving) -> None:
    async with serving(rate_openings="2/hour", **BEHIND_PROXY) as api:
        keys = [await _customer(api, f"c{n}@example.com", f"T{n}") for n in range(4)]
        assert (await _open(api, keys[0], "T0", "10.0.0.9")).status_code == 201
        assert (await _open(api, keys[1], "T1", "10.0.0.9")).status_code == 201
        _retry_after(await _open(api, keys[2], "T2", "10.0.0.9"), HOUR)
        assert (await _open(api, keys[2], "T2", "10.0.0.10")).status_code == 201
        assert await api.count("claims") == 3


async def test_x_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(
    serving: Serving,
) -> None:
    async with serving(rate_openings="2/hour") as api:  # no trusted proxy: the peer counts
        keys = [await _customer(api, f"c{n}@example.com", f"T{n}") for n in range(3)]
        for n in range(2):
            opened = await _open(api, keys[n], f"T{n}", f"10.0.1.{n}")
            assert opened.status_code == 201
        _retry_after(await _open(api, keys[2], "T2", "10.0.1.2"), HOUR)


async def test_messages_past_the_limit_are_429_neither_stored_nor_emailed(
    serving: Serving,
) -> None:
    async with serving(rate_messages="2/hour") as api:
        ana, shop, reference = await _claim(api)
        path = f"/claims/{reference}/messages"
        for n in range(2):
            sent = await api.http.post(path, json={"body": f"note {n}"}, headers=ana)
            assert sent.status_code == 200, sent.text
        refused = await api.http.post(path, json={"body": "one too many"}, headers=ana)
        _retry_after(refused, HOUR)
        # Other actions have their own limit: the merchant still answers.
        answer = {"action": "acknowledge", "message": "Looking into it"}
        merchant = await api.http.post(
            f"/claims/{reference}/merchant-response", json=answer, headers=shop
        )
        assert merchant.status_code == 200, merchant.text
        assert await _messages(api, reference, ana) == ["note 0", "note 1"]
        for template, count in (("merchant_answered", 1), ("message", 2)):
            await asyncio.to_thread(api.mailbox.wait_for, count, 15, X_Claimdesk_Template=template)
        assert not any("one too many" in mail.get_content() for mail in api.mailbox.messages)


async def test_the_window_reopens_after_retry_after_and_a_refused_key_is_still_unused(
    serving: Serving,
) -> None:
    async with serving(rate_actions="1 per 3 seconds") as api:
        ana, _, reference = await _claim(api)
        path = f"/claims/{reference}/messages"
        for attempt in range(50):  # requests until two fall within the window
            headers = {**ana, "Idempotency-Key": str(uuid.uuid4())}
            body = {"body": f"attempt {attempt}"}
            response = await api.http.post(path, json=body, headers=headers)
            if response.status_code == 429:
                break
            assert response.status_code == 200, response.text
        await asyncio.sleep(_retry_after(response, 3))
        again = await _once_taken(api, path, body, headers)
        assert again.status_code == 200, again.text
        repeat = await _once_taken(api, path, body, headers)
        assert repeat.json() == again.json()  # the first answer, one effect
        assert (await _messages(api, reference, ana)).count(body["body"]) == 1


async def _once_taken(
    api: Api, path: str, body: dict[str, str], headers: dict[str, str]
) -> httpx.Response:
    """The answer to the request once no limit holds it back, waiting out each 429."""
    for _ in range(10):
        response = await api.http.post(path, json=body, headers=headers)
        if response.status_code != 429:
            return response
        await asyncio.sleep(_retry_after(response, 3))
    raise AssertionError(f"still 429 after 10 waits: {response.text}")


@pytest.mark.parametrize("field", ["rate_openings", "rate_actions", "rate_messages", "rate_signin"])
@pytest.mark.parametrize("rate", ["lots", "0/minute", "10/fortnight", ""])
def test_a_rate_limit_the_library_cannot_read_stops_the_start(field: str, rate: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=field):
        Settings.model_validate({field: rate})


def test_every_limited_route_documents_its_429() -> None:
    document = create_app(Settings(database_url="postgresql://unused/x")).openapi()
    limited = [
        (path, operation)
        for path, operations in document["paths"].items()
        if path.startswith("/claims")
        for method, operation in operations.items()
        if method == "post"
    ]
    assert len(limited) >= 12
    for path, operation in limited:
        assert "429" in operation["responses"], path
        assert PROBLEM in operation["responses"]["429"]["content"], path
