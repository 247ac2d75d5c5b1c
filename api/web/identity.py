"""Who is visiting a page: the session cookie, the signed-in Principal, CSRF, the language.

`current_visit` is worked out once per request and kept on `request.state`; the
dependencies below and `rendering.render` read it from there.
The session cookie itself is looked up in `api.auth.session_of`, which the codec server's
`authenticate_operator` shares (the Temporal UI sends the operator's cookie).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import Depends, Request
from starlette.responses import Response

from api.auth import SESSION_COOKIE as SESSION_COOKIE  # where sessions are looked up
from api.auth import Principal, principal_of, session_of
from api.deps import get_engine, get_settings
from api.web import accounts
from api.web.messages import best_locale
from claimdesk.core.domain import Locale
from claimdesk.core.settings import Settings

CSRF_COOKIE = "claimdesk_csrf"  # the double-submit token of forms shown before sign-in
LANG_COOKIE = "claimdesk_lang"
CSRF_FIELD = "csrf_token"
HOME = "/app/"
SIGN_IN = "/app/sign-in"


class SignInRequired(Exception):
    """Raised by `page_principal`: the visitor is sent to sign in, then back to `next`."""

    def __init__(self, next: str) -> None:
        super().__init__(next)
        self.next = next


class CsrfRefused(Exception):
    """A POST without this visitor's form token: answered 403 with a page, nothing done."""


@dataclass
class Visit:
    """The visitor of this request: signed in (`principal`, `email`) or not."""

    locale: Locale
    csrf_token: str
    principal: Principal | None = None
    email: str | None = None
    new_csrf_cookie: bool = False  # the anonymous token was minted now: set its cookie


async def current_visit(request: Request) -> Visit:
    found: Visit | None = getattr(request.state, "web_visit", None)
    if found is None:
        found = await _look_up(request)
        request.state.web_visit = found
    return found


async def _look_up(request: Request) -> Visit:
    settings = get_settings(request)
    chosen = request.cookies.get(LANG_COOKIE)
    locale = Locale(chosen) if chosen in set(Locale) else None
    token = request.cookies.get(SESSION_COOKIE, "")
    # No cookie, no lookup (nor the store: an error page still renders with the store down).
    found = await session_of(get_engine(request), settings, token=token) if token else None
    if found is not None:
        account, row = found
        return Visit(
            locale=locale or accounts.locale_of(account) or _browser_locale(request),
            csrf_token=row.csrf_token,
            principal=principal_of(account, row),
            email=account.email,
        )
    anonymous = request.cookies.get(CSRF_COOKIE)
    fresh = not anonymous or len(anonymous) > 100
    return Visit(
        locale=locale or _browser_locale(request),
        csrf_token=secrets.token_urlsafe(32) if fresh else str(anonymous),
        new_csrf_cookie=fresh,
    )


def _browser_locale(request: Request) -> Locale:
    return best_locale(request.headers.get("accept-language"))


async def page_principal(request: Request) -> Principal:
    """The signed-in person, or a redirect to the sign-in page that comes back here."""
    visit = await current_visit(request)
    if visit.principal is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(safe_next(target if request.method == "GET" else HOME))
    return visit.principal


Form = dict[str, str]


async def checked_form(request: Request) -> Form:
    """The POSTed form (url-encoded), once its CSRF token is this visitor's; else 403."""
    visit = await current_visit(request)
    body = await request.body()
    try:
        fields = dict(parse_qsl(body.decode(), keep_blank_values=True))
    except UnicodeDecodeError as error:
        raise CsrfRefused() from error
    sent = fields.pop(CSRF_FIELD, "")
    if not sent or not secrets.compare_digest(sent.encode(), visit.csrf_token.encode()):
        raise CsrfRefused()
    if visit.new_csrf_cookie:  # an anonymous token the browser never had cannot match
        raise CsrfRefused()
    return fields


NOTICE_SIGNATURE = "sig"  # the query parameter signing a redirect's notice


def _signature(visit: Visit, values: Mapping[str, str]) -> str:
    text = "\x1f".join(f"{name}={value}" for name, value in sorted(values.items()))
    key = visit.csrf_token.encode()  # the session's own secret: no other visitor has it
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()[:32]


def notice_query(visit: Visit, **values: str) -> str:
    """The query string of a redirect saying what was just done (`done=terminate&id=M1`),
    signed with this session's secret: only this server, for this visitor, writes one."""
    return urlencode({**values, NOTICE_SIGNATURE: _signature(visit, values)})


def notice_of(request: Request, visit: Visit, *names: str) -> dict[str, str] | None:
    """The notice a redirect of ours put in this page's query (`names` its fields), or None:
    a link typed or sent by anyone else (no signature, or another's) shows nothing."""
    values = {name: request.query_params.get(name, "") for name in names}
    sent = request.query_params.get(NOTICE_SIGNATURE, "")
    if not sent or not hmac.compare_digest(sent.encode(), _signature(visit, values).encode()):
        return None
    return values


def safe_next(target: str | None) -> str:
    """`target` if it is a path on this site (`/app/...`), else the home page: a sign-in
    link cannot send anyone elsewhere (`//evil.example`, `https://…`, `/\\evil`)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return HOME
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 or c == "\\" for c in target):
        return HOME
    return target


def set_cookie(
    response: Response, settings: Settings, name: str, value: str, max_age: int | None = None
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        secure=settings.secure_cookies,
        httponly=True,
        samesite="lax",
    )


def forget_cookie(response: Response, settings: Settings, name: str) -> None:
    response.delete_cookie(
        name, path="/", secure=settings.secure_cookies, httponly=True, samesite="lax"
    )


# What a page handler asks for.
PagePrincipalDep = Annotated[Principal, Depends(page_principal)]
VisitDep = Annotated[Visit, Depends(current_visit)]
CheckedFormDep = Annotated[Form, Depends(checked_form)]
