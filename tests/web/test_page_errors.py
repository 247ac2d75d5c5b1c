"""Errors under /app are pages in the visitor's language; the API's stay problem+json."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlencode

import httpx
import pytest
from fastapi import APIRouter

from api.app import create_app
from api.errors import ActionRefused, NotFound
from claimdesk.core.settings import Settings
from tests.support.web import Web


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """The app in process, with two pages that fail as the service layer does (no store
    needed: nobody signs in)."""
    settings = Settings()
    app = create_app(settings)
    app.state.settings = settings
    failing = APIRouter()

    @failing.get("/app/test/not-yours")
    async def not_yours() -> None:
        raise NotFound("claim CLM-XXXX-XXXX")

    @failing.get("/app/test/refused")
    async def refused() -> None:
        raise ActionRefused("the claim is closed")

    app.include_router(failing)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def test_a_stranger_meeting_a_missing_page_is_sent_to_sign_in_first(
    http: httpx.AsyncClient,
) -> None:
    """An e-mailed link to a claim page leads through sign-in to it; and a stranger cannot
    tell a page that does not exist from one that needs signing in."""
    for path in ("/app/no-such-page?x=1", "/app/test/not-yours"):
        answer = await http.get(path)
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/app/sign-in?{urlencode({'next': path})}"


async def test_a_page_not_found_is_a_page_in_the_visitor_s_language(web: Web) -> None:
    person = await web.client_for("customer")
    answer = await person.http.get("/app/no-such-page", headers={"Accept-Language": "fr"})
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "Page introuvable" in answer.text and '<html lang="fr">' in answer.text


async def test_a_refused_action_on_a_page_says_so_and_why(http: httpx.AsyncClient) -> None:
    answer = await http.get("/app/test/refused")
    assert answer.status_code == 409
    assert "Not possible now" in answer.text
    assert '<p class="detail" lang="en">the claim is closed</p>' in answer.text


async def test_the_api_keeps_its_problem_details(http: httpx.AsyncClient) -> None:
    answer = await http.get("/no-such-route")
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
