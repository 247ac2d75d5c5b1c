"""The sign-in pages: sign in, ask for a one-time link, set a password from it, sign out."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine

from api.auth import Space
from api.deps import EngineDep, SettingsDep
from api.limits import client_address
from api.schemas import Email
from api.web import accounts, linkmail
from api.web.identity import (
    HOME,
    SESSION_COOKIE,
    SIGN_IN,
    CheckedFormDep,
    VisitDep,
    checked_form,
    forget_cookie,
    safe_next,
    set_cookie,
)
from api.web.rendering import render
from claimdesk.core.domain import Locale
from claimdesk.core.settings import Settings
from claimdesk.store.models import WebAccount

log = logging.getLogger(__name__)
router = APIRouter(prefix="/app", include_in_schema=False)
_email = TypeAdapter(Email)


class TooManyAttempts(Exception):
    """Over a sign-in rate limit: answered 429 with a page."""


def _valid_email(value: str) -> str | None:
    try:
        return _email.validate_python(value)
    except ValidationError:
        return None


async def _throttle(request: Request, action: str, address: str) -> None:
    throttle = request.app.state.web_throttle
    if not await throttle.allow(action, address=address, client=client_address(request)):
        raise TooManyAttempts()


def _minutes(settings: Settings) -> int:
    return int(settings.web_link_ttl.total_seconds() // 60)


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in_page(
    request: Request, visit: VisitDep, next: Annotated[str | None, Query()] = None
) -> Response:
    if visit.principal is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    signed_out = request.query_params.get("signed_out") == "1"
    return await render(
        request,
        "sign_in.html",
        {"next": safe_next(next), "email": "", "errors": {}, "signed_out": signed_out},
    )


@router.post("/sign-in", response_class=HTMLResponse)
async def sign_in(
    request: Request, form: CheckedFormDep, engine: EngineDep, settings: SettingsDep
) -> Response:
    typed = form.get("email", "").strip()
    password = form.get("password", "")
    target = safe_next(form.get("next"))
    errors: dict[str, str] = {}
    email = _valid_email(typed)
    if email is None:
        errors["email"] = "err_email"
    if not password:
        errors["password"] = "err_password_empty"
    if email is not None and password:
        await _throttle(request, "sign-in", email)
        outcome = await accounts.check_password(engine, email=email, password=password)
        if outcome.account is not None and outcome.space is not None:
            return await _sign_in_to(
                request, engine, settings, outcome.account, outcome.space, target
            )
        errors["password"] = outcome.refusal or "err_credentials"
    context = {"next": target, "email": typed, "errors": errors, "signed_out": False}
    return await render(request, "sign_in.html", context, status_code=400)


@router.get("/first-visit", response_class=HTMLResponse)
async def link_page(request: Request, settings: SettingsDep) -> Response:
    context = {"email": "", "errors": {}, "minutes": _minutes(settings)}
    return await render(request, "first_visit.html", context)


@router.post("/first-visit", response_class=HTMLResponse)
async def ask_for_link(
    request: Request,
    form: CheckedFormDep,
    visit: VisitDep,
    engine: EngineDep,
    settings: SettingsDep,
    background: BackgroundTasks,
) -> Response:
    typed = form.get("email", "").strip()
    email = _valid_email(typed)
    minutes = _minutes(settings)
    if email is None:
        context = {"email": typed, "errors": {"email": "err_email"}, "minutes": minutes}
        return await render(request, "first_visit.html", context, status_code=400)
    await _throttle(request, "link", email)
    # After the answer: known or not, the page comes back as fast and says the same.
    background.add_task(_offer_link, engine, settings, email, visit.locale)
    return await render(request, "link_sent.html", {"minutes": minutes})


async def _offer_link(engine: AsyncEngine, settings: Settings, email: str, locale: Locale) -> None:
    """After the answer was sent: a failure can only be logged (without the address)."""
    try:
        token = await accounts.offer_link(engine, settings, email=email)
    except Exception:
        log.exception("a sign-in link could not be made")
        return
    if token is not None:
        await linkmail.send_link(settings, to=email, token=token, locale=locale)


@router.get(linkmail.SET_PASSWORD.removeprefix("/app"), response_class=HTMLResponse)
async def set_password_page(
    request: Request, engine: EngineDep, token: Annotated[str, Query(max_length=100)] = ""
) -> Response:
    account = await accounts.link_account(engine, token=token) if token else None
    if account is None:
        return await render(request, "link_invalid.html", status_code=410)
    context = {"token": token, "email": account.email, "errors": {}, "min": accounts.PASSWORD_MIN}
    return await render(request, "set_password.html", context)


@router.post(linkmail.SET_PASSWORD.removeprefix("/app"), response_class=HTMLResponse)
async def set_password(
    request: Request, form: CheckedFormDep, engine: EngineDep, settings: SettingsDep
) -> Response:
    token = form.get("token", "")[:100]
    account = await accounts.link_account(engine, token=token) if token else None
    if account is None:
        return await render(request, "link_invalid.html", status_code=410)
    problem = accounts.password_problem(form.get("password", ""), form.get("confirm", ""))
    if problem is not None:
        key, fields = problem
        context = {
            "token": token,
            "email": account.email,
            "errors": {"password": key},
            "fields": fields,
            "min": accounts.PASSWORD_MIN,
        }
        return await render(request, "set_password.html", context, status_code=400)
    account = await accounts.use_link(engine, token=token, password=form["password"])
    if account is None:  # spent by another request in between
        return await render(request, "link_invalid.html", status_code=410)
    signed_in = await accounts.check_password(
        engine, email=account.email, password=form["password"]
    )
    if signed_in.account is None or signed_in.space is None:
        return RedirectResponse(SIGN_IN, status_code=303)
    return await _sign_in_to(request, engine, settings, signed_in.account, signed_in.space, HOME)


@router.post("/sign-out")
async def sign_out(request: Request, visit: VisitDep, engine: EngineDep) -> Response:
    """Signed in, the form's token is checked (a forged sign-out is refused); with the session
    already over there is nothing to end, and the page says they are signed out."""
    token = request.cookies.get(SESSION_COOKIE)
    if visit.principal is not None:
        await checked_form(request)
        if token:
            await accounts.close_session(engine, token=token)
    response = RedirectResponse(f"{SIGN_IN}?signed_out=1", status_code=303)
    forget_cookie(response, request.app.state.settings, SESSION_COOKIE)
    return response


async def _sign_in_to(
    request: Request,
    engine: AsyncEngine,
    settings: Settings,
    account: WebAccount,
    space: Space,
    target: str,
) -> Response:
    """A new session for `account` in its `space`, and on to `target`: the browser's
    session of before (maybe another account's) ends, as the session id is never reused."""
    token = await accounts.open_session(
        engine,
        settings,
        account=account,
        space=space,
        replacing=request.cookies.get(SESSION_COOKIE),
    )
    response = RedirectResponse(target, status_code=303)
    set_cookie(response, settings, SESSION_COOKIE, token)
    return response
