"""The codec server takes an operator's web session too: the Temporal UI calls it from the
browser with credentials (cookies) and cannot send an API key. Over real HTTP, and from a
real browser page at another origin of the same site (as the UI is)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from google.protobuf import json_format
from playwright.async_api import Browser
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.testing import WorkflowEnvironment

from api.web.identity import SESSION_COOKIE
from claimdesk.store.db import unit_of_work
from claimdesk.store.models import WebSession
from tests.support.api import api_settings
from tests.support.codec import codec
from tests.support.mailbox import Mailbox
from tests.support.serving import Server
from tests.support.web import PASSWORD, Web, serve_web

NAME = "Zelda Quixote-Marlowe"
ORIGINAL = Payload(metadata={"encoding": b"json/plain"}, data=json.dumps(NAME).encode())


async def _sealed_body() -> dict[str, Any]:
    [sealed] = await codec.encode([ORIGINAL])
    document: dict[str, Any] = json.loads(json_format.MessageToJson(Payloads(payloads=[sealed])))
    return document


def _decoded(answer: httpx.Response) -> list[Payload]:
    assert answer.status_code == 200, answer.text
    return list(json_format.Parse(answer.text, Payloads()).payloads)


async def _holding(web: Web, cookie: str) -> httpx.AsyncClient:
    """A client sending this session cookie, as a browser would."""
    client = await web.anonymous()
    client.cookies.set(SESSION_COOKIE, cookie)
    return client


async def test_an_operators_session_decodes_and_encodes(web: Web) -> None:
    olga = await web.client_for("operator")
    body = await _sealed_body()
    assert _decoded(await olga.http.post("/codec/decode", json=body)) == [ORIGINAL]
    plain = json.loads(json_format.MessageToJson(Payloads(payloads=[ORIGINAL])))
    [resealed] = _decoded(await olga.http.post("/codec/encode", json=plain))
    assert NAME.encode() not in resealed.data
    assert await codec.decode([resealed]) == [ORIGINAL]


async def test_customers_and_merchants_sessions_are_refused(web: Web) -> None:
    body = await _sealed_body()
    for role in ("customer", "merchant"):
        person = await web.client_for(role)
        for path in ("/codec/decode", "/codec/encode"):
            refused = await person.http.post(path, json=body)
            assert refused.status_code == 403, (role, path, refused.text)
            assert refused.headers["content-type"] == "application/problem+json"
            assert "payloads" not in refused.json()


async def test_no_session_a_stale_one_or_a_bad_key_is_refused(web: Web) -> None:
    body = await _sealed_body()
    stranger = await web.anonymous()
    nobody = await stranger.post("/codec/decode", json=body)
    assert nobody.status_code == 401 and "sign in" in nobody.json()["detail"]
    forged = await (await _holding(web, "x" * 43)).post("/codec/decode", json=body)
    assert forged.status_code == 401
    # A key sent decides alone: a bad one is refused, whatever the cookie says.
    olga = await web.client_for("operator")
    bad_key = {"Authorization": "Bearer cdk_nope_nope"}
    assert (await olga.http.post("/codec/decode", json=body, headers=bad_key)).status_code == 401
    assert (await olga.http.post("/codec/decode", json=body)).status_code == 200
    # Signed out: the cookie the browser may still hold opens nothing.
    cookie = olga.http.cookies[SESSION_COOKIE]
    signed_out = await olga.post_form("/app/sign-out", {})
    assert signed_out.status_code in (200, 303), signed_out.text
    replay = await (await _holding(web, cookie)).post("/codec/decode", json=body)
    assert replay.status_code == 401, replay.text
    # Expired: the same.
    oscar = await web.client_for("operator", email="oscar@claimdesk.example")
    assert (await oscar.http.post("/codec/decode", json=body)).status_code == 200
    async with unit_of_work(web.engine) as session:
        past = datetime.now(UTC) - timedelta(seconds=1)
        await session.exec(update(WebSession).values(expires_at=past))  # type: ignore[call-overload]
    expired = await oscar.http.post("/codec/decode", json=body)
    assert expired.status_code == 401, expired.text


@pytest.fixture
async def ui_and_web(
    temporal_env: WorkflowEnvironment, database_url: str, engine: AsyncEngine, mailbox: Mailbox
) -> AsyncIterator[tuple[Server, Web]]:
    """A stand-in for the Temporal UI's pages (a real server on another port of 127.0.0.1),
    and the app with that UI's origins (by address and by `localhost`) allowed by CORS."""

    async def ui_page(request: Request) -> HTMLResponse:
        return HTMLResponse("<!doctype html><title>Temporal UI</title>")

    ui = Server(Starlette(routes=[Route("/{path:path}", ui_page)]))
    await ui.start()
    origins = f"{ui.url},http://localhost:{ui.port}"
    settings = api_settings(temporal_env, database_url, mailbox)
    settings = settings.model_copy(update={"temporal_ui_origins": origins})
    try:
        async with serve_web(temporal_env, engine, mailbox, settings) as web:
            yield ui, web
    finally:
        await ui.stop()


_FETCH = """async ([url, body]) => {
    const answer = await fetch(url, {method: "POST", credentials: "include",
        headers: {"Content-Type": "application/json", "X-Namespace": "default"}, body});
    return [answer.status, await answer.text()];
}"""


async def test_a_page_of_the_same_site_reads_payloads_with_the_operators_cookie(
    ui_and_web: tuple[Server, Web], browser: Browser
) -> None:
    """The Temporal UI's page, at another port of the API's host (the same site), fetches with
    `credentials: "include"`: the SameSite=Lax cookie goes along and the payload is read. From
    another site (`localhost` is not `127.0.0.1`) the cookie stays home: 401."""
    ui, web = ui_and_web
    email = await web.account("operator")
    context = await browser.new_context(base_url=web.url, locale="en-GB")
    try:
        page = await context.new_page()
        await page.goto("/app/sign-in")
        await page.get_by_label("E-mail address").fill(email)
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await page.wait_for_url(lambda url: "/app/sign-in" not in url)
        body = json.dumps(await _sealed_body())
        answers = {}
        for origin in (ui.url, f"http://localhost:{ui.port}"):
            await page.goto(f"{origin}/namespaces/default/workflows")
            answers[origin] = await page.evaluate(_FETCH, [f"{web.url}/codec/decode", body])
    finally:
        await context.close()
    status, text = answers[ui.url]
    assert status == 200, text
    assert list(json_format.Parse(text, Payloads()).payloads) == [ORIGINAL]
    status, text = answers[f"http://localhost:{ui.port}"]
    assert status == 401, text
