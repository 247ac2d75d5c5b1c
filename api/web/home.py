"""The home page of each person's space, `/` sending people there, and the language switch."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import EngineDep, SettingsDep
from api.web import accounts
from api.web.identity import (
    HOME,
    LANG_COOKIE,
    CheckedFormDep,
    PagePrincipalDep,
    VisitDep,
    safe_next,
    set_cookie,
)
from api.web.rendering import render
from claimdesk.core.domain import Locale

router = APIRouter(include_in_schema=False)
YEAR = 365 * 24 * 3600


@router.get("/")
async def root() -> Response:
    """People land in their space (or on the sign-in page, which brings them back there)."""
    return RedirectResponse(HOME, status_code=303)


@router.get(HOME, response_class=HTMLResponse)
async def home(request: Request, principal: PagePrincipalDep) -> Response:
    return await render(request, "home.html")


@router.post("/app/language")
async def choose_language(
    request: Request,
    form: CheckedFormDep,
    visit: VisitDep,
    engine: EngineDep,
    settings: SettingsDep,
) -> Response:
    """Kept in a cookie, and on the account of a signed-in person (their e-mails' language
    is the claim's, not this)."""
    chosen = form.get("locale", "")
    response = RedirectResponse(safe_next(form.get("next")), status_code=303)
    if chosen not in set(Locale):
        return response
    set_cookie(response, settings, LANG_COOKIE, chosen, max_age=YEAR)
    if visit.principal is not None:
        await accounts.remember_locale(engine, account_id=visit.principal.key_id, locale=chosen)
    return response
