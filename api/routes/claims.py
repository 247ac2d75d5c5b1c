"""Claims: open, list, read, act on, and the documentation of the process."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.responses import PlainTextResponse
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client
from temporalio.workflow import UpdateMethodMultiParam

from api import acting, claims_read, filing
from api.auth import Principal, PrincipalDep, require_role
from api.deps import EngineDep, SessionDep, SettingsDep, TemporalDep
from api.errors import problem_responses
from api.idempotency import IdempotencyKey
from api.limits import ActionLimit, MessageLimit, OpeningLimit
from api.schemas import (
    MAX_OFFSET,
    ClaimCreate,
    ClaimDetail,
    ClaimOrder,
    ClaimOut,
    ClaimPage,
    CloseIn,
    DecisionIn,
    FindingsIn,
    InfoRequestIn,
    Instant,
    InternalNoteIn,
    MerchantResponseIn,
    MessageIn,
    ProposalAnswerIn,
    SatisfactionIn,
)
from claimdesk.core.domain import (
    Action,
    Actor,
    ClaimView,
    CloseRequest,
    Decision,
    Findings,
    InfoRequest,
    InternalNote,
    MerchantResponse,
    PostMessage,
    Proposal,
    ProposalAnswer,
    Role,
    SatisfactionAnswer,
    Status,
    Subject,
)
from claimdesk.core.report import Mediator, render_report
from claimdesk.store import claims as store
from claimdesk.store.models import Claim
from workflows.claim import ClaimWorkflow

M = TypeVar("M")

router = APIRouter(
    prefix="/claims", tags=["claims"], responses=problem_responses(400, 401, 413, 422)
)
# What acting on a claim may also answer: wrong role, not yours, refused now, too many
# requests, Temporal down.
_ACTION = problem_responses(403, 404, 409, 429, 503)

Reference = Annotated[str, Path(max_length=32, description="e.g. CLM-7K3F-9QX2")]


@dataclass
class Caller:
    """The caller and what an action needs to reach their claim."""

    principal: Principal
    engine: AsyncEngine
    client: Client


def _caller(principal: PrincipalDep, engine: EngineDep, client: TemporalDep) -> Caller:
    return Caller(principal=principal, engine=engine, client=client)


CallerDep = Annotated[Caller, Depends(_caller)]


async def _out(claim: Claim, caller: Caller) -> ClaimOut:
    return await claims_read.claim_out(engine=caller.engine, principal=caller.principal, row=claim)


@router.post(
    "", status_code=201, summary="Open a claim on one of your transactions", responses=_ACTION
)
async def open_claim(
    body: ClaimCreate,
    caller: CallerDep,
    settings: SettingsDep,
    response: Response,
    _: OpeningLimit,
    idempotency_key: IdempotencyKey = None,
) -> ClaimOut:
    require_role(caller.principal, Role.CUSTOMER)
    claim = await filing.file_claim(
        engine=caller.engine,
        client=caller.client,
        settings=settings,
        principal=caller.principal,
        body=body,
        idempotency_key=idempotency_key,
    )
    response.headers["Location"] = f"/claims/{claim.reference}"
    return await _out(claim, caller)


@router.get("", summary="The claims you may see, newest first or soonest due first")
async def list_claims(
    principal: PrincipalDep,
    session: SessionDep,
    status: Status | None = None,
    subject: Subject | None = None,
    merchant_id: Annotated[str | None, Query(max_length=64)] = None,
    level: Annotated[int | None, Query(ge=1, le=3)] = None,
    breached: bool | None = None,
    due_before: Annotated[
        Instant | None,
        Query(description="Only claims whose next deadline falls before this time (with offset)"),
    ] = None,
    order: ClaimOrder = ClaimOrder.NEWEST,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> ClaimPage:
    """Offset pagination: `limit` (at most 100) and `offset`; `next_offset` is null on the last
    page. Customers see their claims, merchants their shop's, operators all of them.

    An operator's queues, for example: `?breached=true&order=due`, `?level=3`,
    `?due_before=2026-11-23T00:00:00Z&order=due`, `?merchant_id=M1&status=open`."""
    if principal.role is Role.MERCHANT and merchant_id not in (None, principal.merchant_id):
        return ClaimPage(items=[], limit=limit, offset=offset, next_offset=None)
    claims = await store.list_claim_rows(
        session=session,
        customer_email=principal.customer_filter,
        merchant_id=principal.merchant_filter or merchant_id,
        status=status.value if status else None,
        subject=subject.value if subject else None,
        level=level,
        breached=breached,
        due_before=due_before,
        by_deadline=order is ClaimOrder.DUE,
        limit=limit + 1,
        offset=offset,
    )
    return ClaimPage(
        items=await claims_read.claims_out(
            session=session, principal=principal, rows=claims[:limit]
        ),
        limit=limit,
        offset=offset,
        next_offset=offset + limit if len(claims) > limit else None,
    )


@router.get("/{reference}", summary="One claim with its timeline", responses=problem_responses(404))
async def get_claim(
    reference: Reference, principal: PrincipalDep, session: SessionDep
) -> ClaimDetail:
    claim, events = await claims_read.claim_with_timeline(
        session=session, principal=principal, reference=reference.upper()
    )
    [out] = await claims_read.claims_out(session=session, principal=principal, rows=[claim])
    return ClaimDetail(
        **out.model_dump(),
        timeline=events,
    )


@router.get(
    "/{reference}/report",
    response_class=PlainTextResponse,
    summary="The documentation of the process, written to the caller in its language "
    "(the customer's is the text it gets on closing)",
    responses=problem_responses(404),
)
async def get_report(
    reference: Reference,
    principal: PrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
) -> str:
    report = await claims_read.visible_report(
        session=session,
        principal=principal,
        reference=reference.upper(),
        operator_locale=settings.operator_locale,
    )
    response.headers["Content-Language"] = report.language.value
    return render_report(report, Mediator.of(settings))


# ---- actions: each route turns its body into the workflow's message and sends it ----


@dataclass
class ClaimAction:
    """The caller acting on one claim, with the Idempotency-Key that makes it safe to repeat."""

    caller: Caller
    reference: str
    idempotency_key: str | None

    @property
    def actor(self) -> Actor:
        return self.caller.principal.actor

    async def send(
        self,
        action: Action,
        update: UpdateMethodMultiParam[[ClaimWorkflow, M], ClaimView],
        message: M,
    ) -> ClaimOut:
        """Carries `action` out with the workflow's `update`; the claim as it left it."""
        claim = await acting.act(
            engine=self.caller.engine,
            client=self.caller.client,
            principal=self.caller.principal,
            reference=self.reference.upper(),
            action=action,
            update=update,
            message=message,
            idempotency_key=self.idempotency_key,
        )
        return await _out(claim, self.caller)


def _claim_action(
    reference: Reference, caller: CallerDep, _: ActionLimit, idempotency_key: IdempotencyKey = None
) -> ClaimAction:
    return ClaimAction(caller=caller, reference=reference, idempotency_key=idempotency_key)


def _message_action(
    reference: Reference, caller: CallerDep, _: MessageLimit, idempotency_key: IdempotencyKey = None
) -> ClaimAction:
    return ClaimAction(caller=caller, reference=reference, idempotency_key=idempotency_key)


ClaimActionDep = Annotated[ClaimAction, Depends(_claim_action)]
# A message counts against both the message and the action limits.
MessageActionDep = Annotated[ClaimAction, Depends(_message_action)]


@router.post("/{reference}/messages", summary="Write to the claim", responses=_ACTION)
async def post_message(body: MessageIn, act: MessageActionDep) -> ClaimOut:
    message = PostMessage(actor=act.actor, body=body.body)
    return await act.send(Action.MESSAGE, ClaimWorkflow.post_message, message)


@router.post("/{reference}/merchant-response", summary="The merchant's answer", responses=_ACTION)
async def merchant_response(body: MerchantResponseIn, act: ClaimActionDep) -> ClaimOut:
    proposal = body.proposal
    message = MerchantResponse(
        actor=act.actor,
        action=body.action,
        message=body.message,
        proposal=Proposal(kind=proposal.kind, amount=proposal.amount) if proposal else None,
        reason=body.reason,
    )
    return await act.send(Action.MERCHANT_RESPONSE, ClaimWorkflow.submit_merchant_response, message)


@router.post(
    "/{reference}/proposal/accept", summary="Accept the merchant's proposal", responses=_ACTION
)
async def accept_proposal(act: ClaimActionDep, body: ProposalAnswerIn | None = None) -> ClaimOut:
    answer = ProposalAnswer(actor=act.actor, reason=body.reason if body else None)
    return await act.send(Action.ACCEPT_PROPOSAL, ClaimWorkflow.accept_proposal, answer)


@router.post(
    "/{reference}/proposal/reject", summary="Reject the merchant's proposal", responses=_ACTION
)
async def reject_proposal(act: ClaimActionDep, body: ProposalAnswerIn | None = None) -> ClaimOut:
    answer = ProposalAnswer(actor=act.actor, reason=body.reason if body else None)
    return await act.send(Action.REJECT_PROPOSAL, ClaimWorkflow.reject_proposal, answer)


@router.post("/{reference}/close", summary="Close the claim", responses=_ACTION)
async def close(act: ClaimActionDep, body: CloseIn | None = None) -> ClaimOut:
    request = CloseRequest(actor=act.actor, note=body.note if body else None)
    return await act.send(Action.CLOSE, ClaimWorkflow.close, request)


@router.post("/{reference}/withdraw", summary="Withdraw the claim", responses=_ACTION)
async def withdraw(act: ClaimActionDep, body: CloseIn | None = None) -> ClaimOut:
    request = CloseRequest(actor=act.actor, note=body.note if body else None)
    return await act.send(Action.WITHDRAW, ClaimWorkflow.withdraw, request)


@router.post(
    "/{reference}/satisfaction", summary="Say whether the outcome satisfies you", responses=_ACTION
)
async def satisfaction(body: SatisfactionIn, act: ClaimActionDep) -> ClaimOut:
    answer = SatisfactionAnswer(
        actor=act.actor, satisfied=body.satisfied, comment=body.comment, rating=body.rating
    )
    return await act.send(Action.SATISFACTION, ClaimWorkflow.confirm_satisfaction, answer)


@router.post("/{reference}/decision", summary="The platform's decision", responses=_ACTION)
async def decision(body: DecisionIn, act: ClaimActionDep) -> ClaimOut:
    message = Decision(actor=act.actor, outcome=body.outcome, note=body.note, amount=body.amount)
    return await act.send(Action.DECISION, ClaimWorkflow.decide, message)


@router.post(
    "/{reference}/request-info", summary="Ask the customer for information", responses=_ACTION
)
async def request_info(body: InfoRequestIn, act: ClaimActionDep) -> ClaimOut:
    message = InfoRequest(actor=act.actor, question=body.question)
    return await act.send(Action.REQUEST_INFO, ClaimWorkflow.request_info, message)


@router.post(
    "/{reference}/notes",
    summary="An internal note, seen by operators only (nobody is e-mailed)",
    responses=_ACTION,
)
async def internal_note(body: InternalNoteIn, act: ClaimActionDep) -> ClaimOut:
    note = InternalNote(actor=act.actor, note=body.note)
    return await act.send(Action.INTERNAL_NOTE, ClaimWorkflow.add_internal_note, note)


@router.post(
    "/{reference}/findings",
    summary="Tell the customer what the investigation found (owed from level 2)",
    responses=_ACTION,
)
async def findings(body: FindingsIn, act: ClaimActionDep) -> ClaimOut:
    message = Findings(actor=act.actor, note=body.note)
    return await act.send(Action.FINDINGS, ClaimWorkflow.give_findings, message)
