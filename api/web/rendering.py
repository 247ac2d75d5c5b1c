"""Server-side pages: one Jinja environment (autoescape on), the layout's context, headers."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape

from api.deps import get_settings
from api.web.identity import CSRF_COOKIE, CSRF_FIELD, Visit, current_visit, set_cookie
from api.web.messages import message
from claimdesk.core.domain import Locale, Role
from claimdesk.core.wording import label

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
STATIC_PREFIX = "/static"

# Pages hold personal data and one-time tokens: never cached, never framed, never a Referer
# (a set-password link's token must not leak to another site), scripts only from here.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}


@lru_cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["static_url"] = static_url
    return env


@lru_cache
def static_url(name: str) -> str:
    """The file's address with its content's hash, so it can be cached for a year."""
    digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]
    return f"{STATIC_PREFIX}/{name}?v={digest}"


def csrf_field(visit: Visit) -> Markup:
    """The hidden input every POST form carries (`{{ csrf_field() }}` in a template)."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        CSRF_FIELD, escape(visit.csrf_token)
    )


def context_of(request: Request, visit: Visit) -> dict[str, Any]:
    """What every template sees besides its own context."""
    locale = visit.locale

    def t(key: str, **fields: object) -> str:
        return message(locale, key, **fields)

    def words(value: object) -> str:
        return label(value, locale)

    principal = visit.principal
    role = ""
    if principal is not None:
        role = t(f"role_{principal.role.value}", merchant_id=principal.merchant_id or "")
    return {
        "request": request,
        "locale": locale.value,
        "locales": [item.value for item in Locale],
        "t": t,
        "label": words,
        "visit": visit,
        "principal": principal,
        "signed_in_email": visit.email,
        "signed_in_role": role,
        "Role": Role,
        "csrf_field": lambda: csrf_field(visit),
        "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
    }


async def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """The page `template` (under api/web/templates/) in the visitor's language, in the
    layout, with the visitor's CSRF token; the anonymous token's cookie set when new."""
    visit = await current_visit(request)
    values = context_of(request, visit) | dict(context or {})
    html = environment().get_template(template).render(values)
    response = HTMLResponse(
        html, status_code=status_code, headers={**PAGE_HEADERS, **(headers or {})}
    )
    response.headers["Content-Language"] = visit.locale.value
    if visit.new_csrf_cookie:
        set_cookie(response, get_settings(request), CSRF_COOKIE, visit.csrf_token)
    return response
