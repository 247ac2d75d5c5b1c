"""Every page route, as it is mounted: a stranger is sent to sign in (but for the sign-in
pages themselves), and a POST without its form token is refused (403) before anything runs.

The routes are read from the app, so a page added later is checked without a new row."""

from __future__ import annotations

import re
from typing import Any

from fastapi.routing import APIRoute

from api.app import create_app
from api.web.identity import CSRF_FIELD
from tests.support.web import Web

# The pages a stranger may open: signing in and getting in.
PUBLIC = {"/", "/app/sign-in", "/app/first-visit", "/app/set-password", "/docs"}


def _flat(routes: list[Any], prefix: str = "") -> list[tuple[str, APIRoute]]:
    """Every route with its full path (FastAPI keeps an included router as one entry)."""
    found: list[tuple[str, APIRoute]] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append((prefix + route.path, route))
        elif hasattr(route, "original_router"):
            found += _flat(route.original_router.routes, prefix + route.include_context.prefix)
    return found


def page_routes() -> list[tuple[str, str]]:
    routes = []
    for path, route in _flat(create_app().routes):
        if path.startswith("/app"):
            concrete = re.sub(r"\{[^}]+\}", "x", path)
            routes += [(method, concrete) for method in sorted(route.methods)]
    return routes


def test_the_page_routes_include_the_sign_in_pages() -> None:
    assert {("GET", "/app/sign-in"), ("POST", "/app/sign-in"), ("GET", "/app/")} <= set(
        page_routes()
    )


async def test_a_stranger_is_sent_to_sign_in_from_every_private_page(web: Web) -> None:
    http = await web.anonymous()
    for method, path in page_routes():
        if method != "GET" or path in PUBLIC:
            continue
        answer = await http.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/app/sign-in?next="), path


async def test_every_form_without_its_token_is_refused(web: Web) -> None:
    person = await web.client_for("operator")
    for method, path in page_routes():
        if method != "POST":
            continue
        for data in ({}, {CSRF_FIELD: "not the token"}):
            answer = await person.http.post(path, data=data)
            assert answer.status_code == 403, (path, data)
            assert "This form was refused" in answer.text
    assert (await person.http.get("/app/")).status_code == 200
