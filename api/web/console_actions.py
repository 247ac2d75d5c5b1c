"""The operator's forms on a claim: each is read into the JSON API's own request body, turned
into the workflow's message and carried out by `api.acting.act`, exactly as the API does.

What the API would answer with a problem (a 422 for a field, a 409 refusal from the claim's
rules, a 503) comes back as the claim's page with the form's errors and the same status;
a success redirects to the claim's page (303), so reloading it sends nothing again. Each
form carries its own idempotency key: a form sent twice (a double click) acts once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from temporalio.workflow import UpdateMethodMultiParam

from api import acting, limits
from api.deps import EngineDep, TemporalDep
from api.errors import NotFound, ProblemError
from api.idempotency import InvalidFormKey, form_key
from api.schemas import CloseIn, DecisionIn, FindingsIn, InfoRequestIn, InternalNoteIn, MessageIn
from api.web.console import CONSOLE, ConsoleNotFound, OperatorDep, render_claim
from api.web.identity import CheckedFormDep, VisitDep, notice_query
from api.web.messages import message
from claimdesk.core.domain import (
    Action,
    Actor,
    CloseRequest,
    Decision,
    Findings,
    InfoRequest,
    InternalNote,
    Locale,
    PostMessage,
)
from claimdesk.core.wording import typed_amount
from workflows.claim import ClaimWorkflow

router = APIRouter(prefix=CONSOLE, include_in_schema=False)
FORM_KEY = "form_key"  # the hidden field holding the form's idempotency key


@dataclass(frozen=True)
class ActionForm:
    """One form: the API's body it is read into, and the workflow message it becomes."""

    body: type[BaseModel]
    message: Callable[[Any, Actor], object]
    update: UpdateMethodMultiParam[Any, Any]


ACTION_FORMS: dict[Action, ActionForm] = {
    Action.DECISION: ActionForm(
        DecisionIn,
        lambda b, actor: Decision(actor=actor, outcome=b.outcome, note=b.note, amount=b.amount),
        ClaimWorkflow.decide,
    ),
    Action.REQUEST_INFO: ActionForm(
        InfoRequestIn,
        lambda b, actor: InfoRequest(actor=actor, question=b.question),
        ClaimWorkflow.request_info,
    ),
    Action.MESSAGE: ActionForm(
        MessageIn,
        lambda b, actor: PostMessage(actor=actor, body=b.body),
        ClaimWorkflow.post_message,
    ),
    Action.INTERNAL_NOTE: ActionForm(
        InternalNoteIn,
        lambda b, actor: InternalNote(actor=actor, note=b.note),
        ClaimWorkflow.add_internal_note,
    ),
    Action.FINDINGS: ActionForm(
        FindingsIn, lambda b, actor: Findings(actor=actor, note=b.note), ClaimWorkflow.give_findings
    ),
    Action.CLOSE: ActionForm(
        CloseIn, lambda b, actor: CloseRequest(actor=actor, note=b.note), ClaimWorkflow.close
    ),
}


class FormErrors(Exception):
    """What is wrong with a form, by field (`form` for the whole of it), and its status."""

    def __init__(self, status: int, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.status = status
        self.errors = errors


@router.post("/claims/{reference}/actions/{name}")
async def act_on_claim(
    request: Request,
    reference: str,
    name: str,
    principal: OperatorDep,
    form: CheckedFormDep,
    visit: VisitDep,
    engine: EngineDep,
    client: TemporalDep,
) -> Response:
    try:
        action = Action(name)
        spec = ACTION_FORMS[action]
    except (ValueError, KeyError):
        raise ConsoleNotFound() from None
    reference = reference.upper()
    # As the API's route would: over a limit, a 429 page (api/web/__init__.py), nothing done.
    limits.count_request(request, principal, limits.scopes_of(action))
    sent_key = form.pop(FORM_KEY, "")
    try:
        key = _key(sent_key, visit.locale)
        body = _read(spec.body, form, visit.locale)
        await acting.act(
            engine=engine,
            client=client,
            principal=principal,
            reference=reference,
            action=action,
            update=spec.update,
            message=spec.message(body, principal.actor),
            idempotency_key=key,
        )
    except NotFound:
        raise ConsoleNotFound() from None
    except (FormErrors, RequestValidationError, ProblemError) as error:
        status, errors = _form_errors(error, visit.locale)
        return await render_claim(
            request,
            principal,
            engine,
            reference,
            failed=action,
            errors=errors,
            values=form,
            status_code=status,
        )
    target = f"{CONSOLE}/claims/{reference}?{notice_query(visit, done=action.value)}#done"
    return RedirectResponse(target, status_code=303)


def _key(sent: str, locale: Locale) -> str | None:
    """The form's idempotency key, checked as the parties' forms check theirs."""
    try:
        return form_key(sent)
    except InvalidFormKey:
        raise FormErrors(422, {"form": message(locale, "err_form_key")}) from None


def _form_errors(error: Exception, locale: Locale) -> tuple[int, dict[str, str]]:
    """The status and the errors by field a refusal shows on the claim's page."""
    if isinstance(error, FormErrors):
        return error.status, error.errors
    if isinstance(error, RequestValidationError):  # an amount with too many decimals
        return 422, _field_errors(error.errors(), locale)
    assert isinstance(error, ProblemError)
    detail = error.detail or error.title
    return error.status, {"form": message(locale, "err_refused", detail=detail)}


def _read(body: type[BaseModel], form: dict[str, str], locale: Locale) -> BaseModel:
    """The form as the API's request body: blank fields left out, amounts with a point."""
    fields: dict[str, str] = {
        name: value.strip() for name, value in form.items() if value.strip() != ""
    }
    if "amount" in fields:
        fields["amount"] = typed_amount(fields["amount"]) or ""  # 49,90 as the French type it
    try:
        return body.model_validate(fields)
    except ValidationError as invalid:
        raise FormErrors(422, _field_errors(invalid.errors(), locale)) from None


def _field_errors(found: Any, locale: Locale) -> dict[str, str]:
    """Pydantic's errors by the field they name (the whole form for a model's own check)."""
    errors: dict[str, str] = {}
    for error in found:
        loc = [part for part in error.get("loc", ()) if part != "body"]
        name = str(loc[0]) if loc else "form"
        if error.get("type") == "missing":
            text = message(locale, "err_field_required")
        else:
            detail = str(error.get("msg", "")).removeprefix("Value error, ")
            text = message(locale, "err_field_invalid", detail=detail)
        errors.setdefault(name, text)
    return errors
