"""The time zone the parties' pages show times in: chosen on a page, kept in a cookie.

No script guesses it: a visitor who never chose one reads UTC, named on every time shown.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import SettingsDep
from api.web.identity import CheckedFormDep, PagePrincipalDep, current_visit, safe_next, set_cookie
from api.web.messages import message
from api.web.party_pages import ZONE_COOKIE, page, zone_of, zones

router = APIRouter(prefix="/app", include_in_schema=False)
YEAR = 365 * 24 * 3600


@router.get("/time-zone")
async def time_zone(request: Request, principal: PagePrincipalDep, next: str = "") -> Response:
    return await page(
        request,
        "time_zone.html",
        {"zones": zones(), "chosen": zone_of(request), "next": safe_next(next), "errors": {}},
    )


@router.post("/time-zone")
async def choose_time_zone(
    request: Request, principal: PagePrincipalDep, form: CheckedFormDep, settings: SettingsDep
) -> Response:
    chosen = form.get("zone", "")
    target = safe_next(form.get("next"))
    if chosen not in set(zones()):
        locale = (await current_visit(request)).locale
        context = {
            "zones": zones(),
            "chosen": zone_of(request),
            "next": target,
            "errors": {"zone": message(locale, "err_zone")},
        }
        return await page(request, "time_zone.html", context, status_code=422)
    response = RedirectResponse(target, status_code=303)
    set_cookie(response, settings, ZONE_COOKIE, chosen, max_age=YEAR)
    return response
