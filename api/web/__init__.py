"""The web claim center: server-rendered pages for people, in the same app as the JSON API.

Web claim center: how pages are built
-------------------------------------
Pages live under `/app/...` (the JSON API keeps `/claims`, `/transactions`, …), one router
module per space in this package, mounted by `install` below. A page handler is as thin as
an API route: it parses, authorises and calls the same service layer as the API
(`api.filing`, `api.acting`, `api.claims_read`, …), never a rule of its own::

    from api.web.identity import CheckedFormDep, PagePrincipalDep
    from api.web.rendering import render

    router = APIRouter(prefix="/app", include_in_schema=False)

    @router.get("/claims/{reference}")
    async def claim_page(request: Request, reference: str, principal: PagePrincipalDep):
        claim = ...  # the API's service functions, called with `principal`
        return await render(request, "claim.html", {"claim": claim})

    @router.post("/claims/{reference}/messages")
    async def write(request: Request, reference: str, principal: PagePrincipalDep,
                    form: CheckedFormDep):
        ...  # form: dict[str, str], its CSRF token already checked (403 page otherwise)
        return RedirectResponse(f"/app/claims/{reference}", status_code=303)

- `PagePrincipalDep` (identity.py): the signed-in person as the API's `Principal` (role,
  `key_id` = the web account id `web-…`, `email` for a customer, `merchant_id` for a
  merchant), or a 303 to `/app/sign-in?next=<this page>` (only same-site paths are kept).
- `CheckedFormDep`: the url-encoded POST form as a dict once its `csrf_token` matched the
  visitor's (the session's token when signed in, a cookie's before); else the 403 page.
  Every POST form in a template carries `{{ csrf_field() }}`.
- `render(request, template, context, status_code=…)` (rendering.py): the template from
  `api/web/templates/` extending `base.html` (skip link, language switch, who is signed in,
  sign-out), with `t("key", field=…)` for words (messages.py: one dict per locale, the same
  keys in both; a test checks), `label(value)` for claim values, `static_url("file.css")`,
  `csrf_field()`, and the security headers (no-store, no Referer, CSP: no inline script).
  Form fields: the `field` macro of `_forms.html` ties a label, hint and error to its input
  (`aria-describedby`, `aria-invalid`), and `error_summary` lists the errors at the top.
- Addresses the e-mails already use (claimdesk.core.mail.PARTY_CLAIM_PAGE; operators'
  e-mails: CONSOLE_CLAIM_PAGE): each party's page of a claim is `/app/claims/{reference}`
  (the same path for customer and merchant: the page shows what the signed-in person may
  see and do), and its report `/app/claims/{reference}/report`.
  A stranger following one is sent to sign in and then on to it (a 404 under /app is a
  sign-in redirect for a visitor not signed in).
- Errors: a service's `ProblemError` (NotFound, ActionRefused, …), a missing page, a
  failure, raised under `/app` is answered as a page in the visitor's language with the
  API's status (404 for another person's claim, as in the API); catch it in the handler
  instead where a form should show the error next to its field.
- Tests: `tests/support/web.py` serves the app over real HTTP (Temporal, worker, PostgreSQL,
  SMTP) and gives signed-in httpx clients (`await web.client_for("customer", …)`) and a
  Playwright page on Debian's chromium (`tests/web/conftest.py`: `web`, `browser`,
  `browser_page`); `tests.support.browser.assert_accessible_basics(page)` on every page.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from api import errors
from api.errors import ProblemError
from api.web import claim_page, console, customer, docs, home, merchant, signin, time_zone
from api.web.identity import (
    SIGN_IN,
    CsrfRefused,
    SignInRequired,
    current_visit,
    safe_next,
)
from api.web.rendering import STATIC, STATIC_PREFIX, render
from api.web.signin import TooManyAttempts
from api.web.static import CachedStatic
from api.web.throttle import Throttle
from claimdesk.core.settings import Settings

RETRY_AFTER_SECONDS = 60
PAGES_PREFIX = "/app"
KNOWN_PROBLEMS = {404, 405, 409, 413, 429, 503}  # statuses with their own words; others by class


def install(app: FastAPI, settings: Settings) -> None:
    """Mounts the pages, their static files and /docs, and renders their refusals as pages."""
    app.state.web_throttle = Throttle(settings)
    docs.mount(app)
    app.mount(STATIC_PREFIX, CachedStatic(directory=str(STATIC)), name="static")
    for router in (home.router, signin.router):
        app.include_router(router)
    # The customer's and the merchant's spaces.
    for router in (customer.router, merchant.router, claim_page.router, time_zone.router):
        app.include_router(router)
    # A page's error is a page: the API's handlers answer problem+json everywhere else.
    for kind, api_handler in list(app.exception_handlers.items()):
        app.add_exception_handler(kind, _pages_in_html(api_handler))
    console.mount(app)
    app.add_exception_handler(SignInRequired, _to_sign_in)
    app.add_exception_handler(CsrfRefused, _csrf_refused)
    app.add_exception_handler(TooManyAttempts, _too_many)


ApiHandler = Callable[[Request, Any], Response | Awaitable[Response]]


def _pages_in_html(api_handler: ApiHandler) -> Callable[[Request, Any], Awaitable[Response]]:
    """Under /app, the API's answer to an error (its status, its detail) as a page."""

    async def handle(request: Request, error: Any) -> Response:
        answer = api_handler(request, error)
        if inspect.isawaitable(answer):
            answer = await answer
        return await _as_page(request, error, answer)

    return handle


async def problem_answer(request: Request, problem: ProblemError) -> Response:
    """The answer of a refusal made before any route (api/app.py's middlewares: a body too
    large, a NUL): problem+json, or under /app a page in the visitor's language."""
    return await _as_page(request, problem, errors.problem_response(problem, request))


async def _as_page(request: Request, error: Any, answer: Response) -> Response:
    if not request.url.path.startswith(PAGES_PREFIX):
        return answer
    try:
        return await _error_page(request, error, answer.status_code)
    except Exception:  # the store down, say: the API's answer is still an answer
        return answer


async def _error_page(request: Request, error: Any, status: int) -> Response:
    visit = await current_visit(request)
    if status == 404 and request.method == "GET" and visit.principal is None:
        # A stranger signs in first: an e-mailed link then leads on to its page, and which
        # pages exist is nobody's business before that.
        return await _to_sign_in(request, SignInRequired(_here(request)))
    kind = f"problem_{status}" if status in KNOWN_PROBLEMS else f"problem_{status // 100}xx"
    detail = error.detail if isinstance(error, ProblemError) else None
    headers = error.headers if isinstance(error, ProblemError) else {}  # 429's Retry-After
    context = {"kind": kind, "detail": detail}
    return await render(request, "refused.html", context, status_code=status, headers=headers)


def _here(request: Request) -> str:
    query = f"?{request.url.query}" if request.url.query else ""
    return safe_next(request.url.path + query)


async def _to_sign_in(request: Request, error: Exception) -> Response:
    assert isinstance(error, SignInRequired)
    return RedirectResponse(f"{SIGN_IN}?{urlencode({'next': error.next})}", status_code=303)


async def _csrf_refused(request: Request, error: Exception) -> Response:
    return await render(request, "refused.html", {"kind": "csrf"}, status_code=403)


async def _too_many(request: Request, error: Exception) -> Response:
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return await render(
        request, "refused.html", {"kind": "too_many"}, status_code=429, headers=headers
    )
