"""What the customer's and the merchant's pages share: the service layer's refusals as form
errors or refusal pages, times in the visitor's zone, the pages' idempotency keys."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from fastapi import Request
from fastapi.responses import HTMLResponse

from api.deps import get_settings
from api.errors import ProblemError
from api.web.identity import current_visit
from api.web.messages import message
from api.web.rendering import render
from claimdesk.core.domain import Locale
from claimdesk.core.report_words import AGREEMENTS, DETAIL_NAMES, EVENT_WORDS, LEFT_OUT, VERDICTS
from claimdesk.core.wording import format_money, label, parse_when

ZONE_COOKIE = "claimdesk_tz"
IDEMPOTENCY_FIELD = "idempotency_key"
FORM_ERROR = "_form"  # the errors of a whole form, not of one field

# The refusals a page answers with a page of their own; the others are a form's error.
_REFUSAL_PAGES = {404: "not_found", 403: "forbidden"}


@lru_cache
def zones() -> list[str]:
    """The IANA time zones a visitor may choose (the system's tz database), sorted."""
    return sorted(zone for zone in available_timezones() if "/" in zone or zone == "UTC")


def zone_of(request: Request) -> str:
    """The visitor's chosen time zone (a cookie), UTC when none or an unknown one."""
    chosen = request.cookies.get(ZONE_COOKIE, "")
    return chosen if chosen in set(zones()) else "UTC"


def local_when(value: datetime | None, zone: str, locale: Locale) -> str:
    """A time in the visitor's zone, the zone named: `2026-12-02 16:07 (Europe/Paris)`."""
    if value is None:
        return ""
    when = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(ZoneInfo(zone))
    pattern = "%d/%m/%Y %H:%M" if locale is Locale.FR else "%Y-%m-%d %H:%M"
    return f"{when.strftime(pattern)} ({zone})"


def new_idempotency_key() -> str:
    """Each form shown carries a fresh key: sent twice (a double click, a reload of the
    answer), it has one effect and the first answer."""
    return f"web-{uuid.uuid4().hex}"


async def page(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """`render` with what the parties' pages add: times in the visitor's zone, money."""
    locale = (await current_visit(request)).locale
    zone = zone_of(request)
    values = {
        "when": lambda value: local_when(value, zone, locale),
        "event_words": lambda kind: EVENT_WORDS[locale].get(kind, kind.replace("_", " ")),
        "detail_items": lambda details: detail_items(details, zone, locale),
        "money": lambda amount, currency: format_money(amount, currency, locale),
        "zone": zone,
        "idempotency_key": new_idempotency_key,
        **(context or {}),
    }
    return await render(request, template, values, status_code=status_code)


def detail_items(details: Mapping[str, str], zone: str, locale: Locale) -> list[tuple[str, str]]:
    """A timeline event's details as the report words them (its names, its left-outs)."""
    words = {**VERDICTS[locale], **AGREEMENTS[locale]}
    shown = []
    for key, value in details.items():
        if key in LEFT_OUT:
            continue
        if key.endswith("_by"):
            value = local_when(parse_when(value), zone, locale)
        elif key in ("verdict", "agreement"):
            value = words.get(value, value)
        elif key in ("kind", "outcome", "reason") and " " not in value:
            value = label(value, locale)
        shown.append((DETAIL_NAMES[locale].get(key, key.replace("_", " ")), value))
    return shown


async def refusal_page(request: Request, error: ProblemError) -> HTMLResponse | None:
    """The page for a refusal that is not a form's error (not found, forbidden), or None."""
    kind = _REFUSAL_PAGES.get(error.status)
    if kind is None:
        return None
    return await render(request, "refused.html", {"kind": kind}, status_code=error.status)


async def forbidden_page(request: Request) -> HTMLResponse:
    return await render(request, "refused.html", {"kind": "forbidden"}, status_code=403)


async def not_found_page(request: Request) -> HTMLResponse:
    return await render(request, "refused.html", {"kind": "not_found"}, status_code=404)


FieldErrors = dict[str, str]  # a field's id (or FORM_ERROR) -> the words shown


def validation_errors(
    locale: Locale, errors: Sequence[Any], where: Mapping[str, tuple[str, str]]
) -> FieldErrors:
    """A body model's errors (pydantic's, or the API's RequestValidationError) as the form's:
    `where` maps an error's location (`proposal.amount`, "" for the whole body) to the
    field's id and the catalogue key of its message."""
    found: FieldErrors = {}
    for error in errors:
        loc = [str(part) for part in error.get("loc", ()) if part != "body"]
        place = ".".join(loc)
        field, key = where.get(place) or where.get(place.split(".")[0]) or (FORM_ERROR, "")
        found.setdefault(field, message(locale, key or "err_invalid"))
    return found


def problem_errors(
    request: Request, locale: Locale, error: ProblemError, where: Mapping[str, str]
) -> FieldErrors:
    """A 409/422/503 of the service layer as a form's error: `where` names the field a
    problem type belongs to (else the whole form's)."""
    slug = error.type.rsplit("/", 1)[-1]
    field = where.get(slug, FORM_ERROR)
    settings = get_settings(request)
    fields: dict[str, object] = {
        "reason": error.detail or error.title,
        "reference": error.extra.get("existing_reference", ""),
        "payment_days": settings.payment_filing_window.days,
        "any_days": settings.transaction_close_after.days,
    }
    key = f"err_{slug.replace('-', '_')}"
    known = {
        "err_action_refused",
        "err_filing_window_closed",
        "err_category_does_not_fit_subject",
        "err_open_claim_exists",
        "err_amount_over_limit",
        "err_service_unavailable",
        "err_invalid_form_key",
    }
    if key not in known:
        key = "err_problem"
    return {field: message(locale, key, **fields)}
