"""The operator console's merchants: their strikes, standing and ratings; restrict,
terminate, reinstate (the same service functions as POST /merchants/{id}/...)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api import merchant_standing, records
from api.deps import EngineDep, SessionDep, TemporalDep
from api.errors import NotFound, ProblemError
from api.web.console import CONSOLE, ConsoleNotFound, OperatorDep
from api.web.identity import CheckedFormDep, VisitDep, current_visit, notice_of, notice_query
from api.web.messages import message
from api.web.rendering import render
from claimdesk.core.domain import Standing
from claimdesk.store import merchants

router = APIRouter(prefix=CONSOLE, include_in_schema=False)
PAGE_SIZE = 50
# What each button asks for: the standing it sets (terminating also hands claims over).
CHANGES = {
    "restrict": Standing.RESTRICTED,
    "terminate": Standing.TERMINATED,
    "reinstate": Standing.ACTIVE,
}


@router.get("/merchants", response_class=HTMLResponse)
async def merchants_page(
    request: Request,
    principal: OperatorDep,
    session: SessionDep,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> Response:
    return await _page(request, session, offset)


async def _page(
    request: Request, session: SessionDep, offset: int, *, error: str = "", status_code: int = 200
) -> Response:
    rows = await merchants.list_merchants(session=session, limit=PAGE_SIZE + 1, offset=offset)
    found = [
        await records.merchant_record(session=session, merchant=row) for row in rows[:PAGE_SIZE]
    ]
    # Only our redirect's own notice says what was done: `?done=…&id=…` from a link does not.
    notice = notice_of(request, await current_visit(request), "done", "id") or {}
    done = notice.get("done", "")
    context = {
        "merchants": found,
        "offset": offset,
        "page_size": PAGE_SIZE,
        "more": len(rows) > PAGE_SIZE,
        "done": done if done in CHANGES else "",
        "done_id": notice.get("id", "")[:64],
        "error": error,
    }
    return await render(request, "console/merchants.html", context, status_code=status_code)


@router.post("/merchants/{merchant_id}/{change}")
async def change_standing(
    request: Request,
    merchant_id: str,
    change: str,
    principal: OperatorDep,
    form: CheckedFormDep,
    visit: VisitDep,
    engine: EngineDep,
    client: TemporalDep,
    session: SessionDep,
) -> Response:
    standing = CHANGES.get(change)
    if standing is None or len(merchant_id) > 64:
        raise ConsoleNotFound()
    try:
        await merchant_standing.change_standing(
            engine=engine,
            client=client,
            principal=principal,
            merchant_id=merchant_id,
            standing=standing,
        )
    except NotFound:
        raise ConsoleNotFound() from None
    except ProblemError as problem:  # Temporal did not answer in time for every claim
        detail = problem.detail or problem.title
        error = message(visit.locale, "err_refused", detail=detail)
        return await _page(request, session, 0, error=error, status_code=problem.status)
    query = notice_query(visit, done=change, id=merchant_id)
    target = f"{CONSOLE}/merchants?{query}#merchant-{quote(merchant_id)}"
    return RedirectResponse(target, status_code=303)
