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
- Tests: `tests/support/web.py` serves the app over real HTTP (Temporal, worker, PostgreSQL,
  SMTP) and gives signed-in httpx clients (`await web.client_for("customer", …)`) and a
  Playwright page on Debian's chromium (`tests/web/conftest.py`: `web`, `browser_page`).
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from api.web import console, docs, home, signin
from api.web.identity import SIGN_IN, CsrfRefused, SignInRequired
from api.web.rendering import STATIC, STATIC_PREFIX, render
from api.web.signin import TooManyAttempts
from api.web.static import CachedStatic
from api.web.throttle import Throttle
from claimdesk.core.settings import Settings

RETRY_AFTER_SECONDS = 60


def install(app: FastAPI, settings: Settings) -> None:
    """Mounts the pages, their static files and /docs, and renders their refusals as pages."""
    app.state.web_throttle = Throttle(settings)
    docs.mount(app)
    app.mount(STATIC_PREFIX, CachedStatic(directory=str(STATIC)), name="static")
    for router in (home.router, signin.router):
        app.include_router(router)
    console.mount(app)
    app.add_exception_handler(SignInRequired, _to_sign_in)
    app.add_exception_handler(CsrfRefused, _csrf_refused)
    app.add_exception_handler(TooManyAttempts, _too_many)


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
