"""The operator console: the queues of claims and a claim's page with its full timeline.

Only operators see it: anyone else signed in gets the same 404 page as for a page that does
not exist (the console's addresses are no business of theirs), an anonymous visitor is sent
to sign in. The actions (api.web.console_actions) and the merchants (console_merchants) are
mounted with it by `mount`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api import claims_read
from api.auth import Principal
from api.deps import EngineDep, SessionDep, get_settings
from api.errors import NotFound
from api.web.identity import PagePrincipalDep, current_visit, notice_of
from api.web.rendering import render
from claimdesk.core.domain import Action, DecisionOutcome, Role, Status
from claimdesk.core.wording import format_money, format_when, label
from claimdesk.store import claims as store
from claimdesk.store.db import sessions

CONSOLE = "/app/console"
PAGE_SIZE = 50
IDENTIFIER = re.compile(r"[a-z]+(_[a-z]+)+")  # a value's name (customer_experience), not text


class ConsoleNotFound(Exception):
    """A console page asked for by someone who is not an operator, or that does not exist."""


async def operator_principal(principal: PagePrincipalDep) -> Principal:
    """The signed-in operator; anyone else signed in gets the 404 page."""
    if principal.role is not Role.OPERATOR:
        raise ConsoleNotFound()
    return principal


OperatorDep = Annotated[Principal, Depends(operator_principal)]

router = APIRouter(prefix=CONSOLE, include_in_schema=False)


@dataclass(frozen=True)
class Queue:
    """One of the operators' queues: the API's list filters (GET /claims) under a name."""

    name: str
    status: Status | None = None
    level: int | None = None
    breached: bool | None = None
    due_within: timedelta | None = None
    by_deadline: bool = False
    by_merchant: bool = False


QUEUES = {
    queue.name: queue
    for queue in (
        Queue("new", status=Status.OPEN),
        Queue("breached", breached=True, by_deadline=True),
        Queue("level3", level=3, by_deadline=True),
        Queue("due_soon", due_within=timedelta(hours=24), by_deadline=True),
        Queue("merchant", by_merchant=True),
        Queue("awaiting_customer", status=Status.AWAITING_CUSTOMER, by_deadline=True),
    )
}


@router.get("")
async def console_home(principal: OperatorDep) -> Response:
    return RedirectResponse(f"{CONSOLE}/queues/new", status_code=303)


@router.get("/queues/{name}", response_class=HTMLResponse)
async def queue_page(
    request: Request,
    name: str,
    principal: OperatorDep,
    session: SessionDep,
    merchant_id: Annotated[str, Query(max_length=64)] = "",
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> Response:
    queue = QUEUES.get(name)
    if queue is None:
        raise ConsoleNotFound()
    merchant_id = merchant_id.strip()
    rows = []
    if not queue.by_merchant or merchant_id:
        due = datetime.now(UTC) + queue.due_within if queue.due_within else None
        rows = list(
            await store.list_claim_rows(
                session=session,
                merchant_id=merchant_id or None,
                status=queue.status.value if queue.status else None,
                level=queue.level,
                breached=queue.breached,
                due_before=due,
                by_deadline=queue.by_deadline,
                limit=PAGE_SIZE + 1,
                offset=offset,
            )
        )
    items = await claims_read.claims_out(
        session=session, principal=principal, rows=rows[:PAGE_SIZE]
    )
    context = {
        "queues": list(QUEUES),
        "queue": queue,
        "items": items,
        "merchant_id": merchant_id,
        "offset": offset,
        "page_size": PAGE_SIZE,
        "more": len(rows) > PAGE_SIZE,
    }
    return await render(request, "console/queue.html", context | await _formatters(request))


@router.get("/claims/{reference}", response_class=HTMLResponse)
async def claim_page(
    request: Request, reference: str, principal: OperatorDep, engine: EngineDep
) -> Response:
    return await render_claim(request, principal, engine, reference.upper())


# The forms the claim page offers, in this order, when the claim allows them.
FORMS = (
    Action.DECISION,
    Action.REQUEST_INFO,
    Action.FINDINGS,
    Action.MESSAGE,
    Action.INTERNAL_NOTE,
    Action.CLOSE,
)


async def render_claim(
    request: Request,
    principal: Principal,
    engine: EngineDep,
    reference: str,
    *,
    failed: Action | None = None,
    errors: Mapping[str, str] | None = None,
    values: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The claim's page; after a refused form, with its errors and what was typed."""
    if len(reference) > 32:
        raise ConsoleNotFound()
    try:
        async with sessions(engine)() as session:
            row, timeline = await claims_read.claim_with_timeline(
                session=session, principal=principal, reference=reference
            )
            [claim] = await claims_read.claims_out(session=session, principal=principal, rows=[row])
    except NotFound:
        raise ConsoleNotFound() from None
    # What the claim allows an operator now, as the workflow's rules left it in the store.
    allowed = [action for action in FORMS if action.value in claim.allowed_actions]
    # Only our redirect's own notice says an action was done: `?done=…` from a link does not.
    notice = notice_of(request, await current_visit(request), "done") or {}
    done = notice.get("done", "")
    context = {
        "claim": claim,
        "timeline": timeline,
        "allowed": allowed,
        "outcomes": list(DecisionOutcome),
        "workflow_url": get_settings(request).workflow_url(claim.reference),
        "done": done if done in {action.value for action in FORMS} else "",
        "failed": failed.value if failed else "",
        "errors": dict(errors or {}),
        "values": dict(values or {}),
        "form_key": lambda: uuid.uuid4().hex,
    }
    return await render(
        request, "console/claim.html", context | await _formatters(request), status_code=status_code
    )


async def _formatters(request: Request) -> dict[str, Any]:
    """Times and amounts written the visitor's way (the e-mails' own wording functions)."""
    locale = (await current_visit(request)).locale

    def when(value: datetime | None) -> str:
        return format_when(value, locale) if value is not None else "—"

    def money(amount: object, currency: str) -> str:
        return format_money(str(amount), currency, locale)

    def detail(value: str) -> str:
        """A timeline detail: a time in the visitor's words, a value's label, a text as is."""
        if IDENTIFIER.fullmatch(value):
            return label(value, locale)
        try:
            return format_when(datetime.fromisoformat(value), locale) if "T" in value else value
        except ValueError:
            return value

    return {"when": when, "money": money, "detail": detail}


async def _not_found(request: Request, error: Exception) -> Response:
    return await render(request, "console/not_found.html", status_code=404)


def mount(app: FastAPI) -> None:
    """The console's routers and its 404 page."""
    from api.web import console_actions, console_merchants

    for routes in (router, console_actions.router, console_merchants.router):
        app.include_router(routes)
    app.add_exception_handler(ConsoleNotFound, _not_found)
