"""A claim's page for its customer and its merchant: the claim and the timeline as the API
shows them to the visitor, the forms of what the core allows them now, the report."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from pydantic import ValidationError

from api import claims_read, limits
from api.auth import Principal
from api.deps import EngineDep, SettingsDep, TemporalDep
from api.errors import ProblemError
from api.idempotency import form_key
from api.routes.claims import Caller, ClaimAction
from api.web.claim_actions import ACTION_FORMS, shown_forms
from api.web.identity import CheckedFormDep, PagePrincipalDep, current_visit
from api.web.party_pages import (
    IDEMPOTENCY_FIELD,
    FieldErrors,
    not_found_page,
    page,
    problem_errors,
    refusal_page,
    validation_errors,
)
from api.web.rendering import PAGE_HEADERS
from claimdesk.core.domain import Role
from claimdesk.core.report import Mediator, render_report
from claimdesk.store.db import sessions

router = APIRouter(prefix="/app", include_in_schema=False)
MAX_REFERENCE = 32  # as the API's path parameter
_AMOUNT_FIELDS = {"amount-over-limit": "amount"}


async def _claim_context(engine: EngineDep, principal: Principal, reference: str) -> dict[str, Any]:
    """The claim and its timeline as GET /claims/{reference} gives them to the visitor."""
    async with sessions(engine)() as session:
        claim, timeline = await claims_read.claim_with_timeline(
            session=session, principal=principal, reference=reference
        )
        [out] = await claims_read.claims_out(session=session, principal=principal, rows=[claim])
    # Operators act from their console; here they read the claim as the API shows it.
    parties = principal.role in (Role.CUSTOMER, Role.MERCHANT)
    return {
        "claim": out,
        "timeline": timeline,
        "forms": shown_forms(out.allowed_actions) if parties else set(),
        "role": principal.role.value,
    }


async def _claim_page(
    request: Request,
    engine: EngineDep,
    principal: Principal,
    reference: str,
    extra: dict[str, Any],
    status_code: int = 200,
) -> Response:
    try:
        context = await _claim_context(engine, principal, reference.upper()[:MAX_REFERENCE])
    except ProblemError as problem:
        refused = await refusal_page(request, problem)
        if refused is None:
            raise
        return refused
    values = {"errors": {}, "values": {}, "filed": False, **extra}
    return await page(request, "claim.html", context | values, status_code=status_code)


@router.get("/claims/{reference}")
async def claim(
    request: Request,
    reference: str,
    principal: PagePrincipalDep,
    engine: EngineDep,
    filed: str = "",
) -> Response:
    return await _claim_page(request, engine, principal, reference, {"filed": filed == "1"})


@router.get("/claims/{reference}/report")
async def report(
    request: Request,
    reference: str,
    principal: PagePrincipalDep,
    engine: EngineDep,
    settings: SettingsDep,
) -> Response:
    """The same document as GET /claims/{reference}/report, as a file to keep."""
    try:
        async with sessions(engine)() as session:
            found = await claims_read.visible_report(
                session=session,
                principal=principal,
                reference=reference.upper()[:MAX_REFERENCE],
                operator_locale=settings.operator_locale,
            )
    except ProblemError as problem:
        refused = await refusal_page(request, problem)
        if refused is None:
            raise
        return refused
    name = f"{reference.upper()[:MAX_REFERENCE]}.txt"
    return PlainTextResponse(
        render_report(found, Mediator.of(settings)),
        headers={
            **PAGE_HEADERS,  # no-store, nosniff, the pages' CSP: a file, never a page to run
            "Content-Disposition": f'attachment; filename="{name}"',
            "Content-Language": found.language.value,
        },
    )


@router.post("/claims/{reference}/{form_name}")
async def act(
    request: Request,
    reference: str,
    form_name: str,
    principal: PagePrincipalDep,
    form: CheckedFormDep,
    engine: EngineDep,
    client: TemporalDep,
) -> Response:
    """One of the claim's forms, carried out by the API's route; its errors on the page."""
    action_form = ACTION_FORMS.get(form_name)
    if action_form is None:
        return await not_found_page(request)
    reference = reference.upper()[:MAX_REFERENCE]
    locale = (await current_visit(request)).locale
    # As the API's route would: over a limit, a 429 page (api/web/__init__.py), nothing done.
    limits.count_request(request, principal, limits.scopes_of(action_form.action))
    errors: FieldErrors
    try:
        doing = ClaimAction(
            caller=Caller(principal=principal, engine=engine, client=client),
            reference=reference,
            idempotency_key=form_key(form.get(IDEMPOTENCY_FIELD)),
        )
        body = action_form.model.model_validate(action_form.body(form))
        await action_form.route(body=body, act=doing)
    except (ValidationError, RequestValidationError) as invalid:
        errors, status = validation_errors(locale, invalid.errors(), action_form.where), 422
    except ProblemError as problem:
        refused = await refusal_page(request, problem)
        if refused is not None:
            return refused
        errors = problem_errors(request, locale, problem, _AMOUNT_FIELDS)
        status = problem.status
    else:
        return RedirectResponse(f"/app/claims/{reference}#timeline", status_code=303)
    extra = {"errors": {form_name: errors}, "values": {form_name: dict(form)}}
    return await _claim_page(request, engine, principal, reference, extra, status)
