"""Errors under /app are pages in the visitor's language; the API's stay problem+json."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter

from api.app import create_app
from api.errors import ActionRefused, NotFound
from claimdesk.core.settings import Settings


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


async def test_a_page_not_found_is_a_page(http: httpx.AsyncClient) -> None:
    for path in ("/app/no-such-page", "/app/test/not-yours"):
        answer = await http.get(path, headers={"Accept-Language": "fr"})
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
