"""What the routes call to read and act on claims, transactions and merchants."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.workflow import UpdateMethodMultiParam

from api import idempotency
from api.auth import Principal
from api.errors import (
    ActionRefused,
    Forbidden,
    InvalidRequest,
    NotFound,
    ProblemError,
    ServiceUnavailable,
    temporal_problem,
)
from api.schemas import DecisionIn, MerchantOut, MerchantResponseIn, TransactionIn
from claimdesk.domain import (
    Action,
    ClaimView,
    DecisionOutcome,
    ProposalKind,
    Role,
    Status,
)
from claimdesk.store import queries
from claimdesk.store.db import sessions
from claimdesk.store.models import Claim, ClaimEvent, Merchant, Transaction
from claimdesk.store.projection import stored_claim
from workflows.claim import ANSWERED_BEFORE, HANDING_OVER, REFUSED, ClaimWorkflow

# How long a request waits for the claim's workflow before answering 503.
UPDATE_TIMEOUT = timedelta(seconds=30)
BUSY_PAUSE = timedelta(milliseconds=100)

# Who may ever do an action; anyone else who can see the claim gets 403 (the state may
# still refuse it: that is the workflow's 409).
ACTION_ROLES: dict[Action, frozenset[Role]] = {
    Action.MESSAGE: frozenset({Role.CUSTOMER, Role.MERCHANT, Role.OPERATOR}),
    Action.MERCHANT_RESPONSE: frozenset({Role.MERCHANT}),
    Action.ACCEPT_PROPOSAL: frozenset({Role.CUSTOMER}),
    Action.REJECT_PROPOSAL: frozenset({Role.CUSTOMER}),
    Action.CLOSE: frozenset({Role.CUSTOMER, Role.OPERATOR}),
    Action.WITHDRAW: frozenset({Role.CUSTOMER}),
    Action.SATISFACTION: frozenset({Role.CUSTOMER}),
    Action.DECISION: frozenset({Role.OPERATOR}),
    Action.REQUEST_INFO: frozenset({Role.OPERATOR}),
}

M = TypeVar("M")


def check_amounts(claim: Claim, body: MerchantResponseIn | DecisionIn) -> None:
    """Refunds stay within what the customer paid (422): a request error, whatever the state."""
    limit = claim.amount
    if isinstance(body, MerchantResponseIn):
        proposal = body.proposal
        if proposal and proposal.kind is ProposalKind.REFUND:
            _within("proposal.amount", proposal.amount, limit, strictly_less=False)
        return
    if body.amount is not None:
        partial = body.outcome is DecisionOutcome.PARTIAL_REFUND
        _within("amount", body.amount, limit, strictly_less=partial)


def _within(name: str, amount: Decimal | None, limit: Decimal, *, strictly_less: bool) -> None:
    if amount is None:
        return
    if amount > limit or (strictly_less and amount == limit):
        bound = "less than" if strictly_less else "at most"
        raise InvalidRequest(
            "amount-over-limit",
            "Amount over the transaction amount",
            f"{name} must be {bound} the transaction amount {limit}",
        )


# ---- reading what the caller may see ----


async def visible_claim(*, session: AsyncSession, principal: Principal, reference: str) -> Claim:
    claim = await queries.get_claim(
        session=session,
        reference=reference,
        customer_email=principal.customer_filter,
        merchant_id=principal.merchant_filter,
    )
    if claim is None:
        raise NotFound(f"claim {reference}")
    return claim


async def claim_with_timeline(
    *, session: AsyncSession, principal: Principal, reference: str
) -> tuple[Claim, Sequence[ClaimEvent]]:
    claim = await visible_claim(session=session, principal=principal, reference=reference)
    return claim, await queries.claim_timeline(session=session, reference=reference)


# ---- transactions and merchants ----


async def record_transaction(
    *, session: AsyncSession, body: TransactionIn
) -> tuple[Transaction, bool]:
    """Stores a new transaction (and a placeholder for an unknown merchant).

    Posting the same transaction again is harmless and answers it; posting different
    data under an existing id is a conflict, since claims may already rest on it.
    """
    now = datetime.now(UTC)
    await queries.ensure_merchant(session=session, merchant_id=body.merchant_id, at=now)
    row = queries.TransactionRow(**body.model_dump())
    stored, created = await queries.insert_transaction(session=session, row=row)
    if (
        not created
        and queries.TransactionRow(
            id=stored.id,
            merchant_id=stored.merchant_id,
            customer_email=stored.customer_email,
            amount=stored.amount,
            currency=stored.currency,
            occurred_at=stored.occurred_at,
        )
        != row
    ):
        raise ProblemError(
            409,
            "transaction-exists",
            "Transaction exists",
            f"transaction {body.id} is already recorded with different data",
        )
    return stored, created


async def visible_merchant(
    *, session: AsyncSession, principal: Principal, merchant_id: str
) -> Merchant:
    """Operators see every merchant, a merchant only itself, customers none (404)."""
    mine = principal.role is Role.OPERATOR or (
        principal.role is Role.MERCHANT and principal.merchant_id == merchant_id
    )
    merchant = await queries.get_merchant(session=session, merchant_id=merchant_id)
    if merchant is None or not mine:
        raise NotFound(f"merchant {merchant_id}")
    return merchant


async def merchant_record(*, session: AsyncSession, merchant: Merchant) -> MerchantOut:
    """The merchant as an operator weighs it: strikes with their claims, and open claims."""
    strikes = await queries.merchant_strikes(session=session, merchant_id=merchant.id)
    claims = await queries.merchant_claims(session=session, merchant_id=merchant.id)
    return MerchantOut.of(merchant, strikes, claims)


# ---- acting on a claim ----


async def act(
    *,
    engine: AsyncEngine,
    client: Client,
    principal: Principal,
    reference: str,
    action: Action,
    update: UpdateMethodMultiParam[[ClaimWorkflow, M], ClaimView],
    message: M,
    body: Any = None,
    idempotency_key: str | None = None,
) -> Claim:
    """Sends the action to the claim's workflow; answers once the store shows its effect.

    With an `Idempotency-Key`, a request asked again gets the first answer: the claim as
    the action's store write left it, or the claim's refusal (409).
    """
    async with sessions(engine)() as session:
        claim = await visible_claim(session=session, principal=principal, reference=reference)
    if principal.role not in ACTION_ROLES[action]:
        raise Forbidden(f"a {principal.role.value} cannot {action.value.replace('_', ' ')}")
    if isinstance(body, MerchantResponseIn | DecisionIn):
        check_amounts(claim, body)
    if idempotency_key is None:
        return stored_claim(await _send(client, claim, update, message, str(uuid.uuid4())))
    known = await idempotency.remember(
        engine=engine,
        principal=principal,
        key=idempotency_key,
        operation=action.value,
        reference=claim.reference,
        request=message,
    )
    if known.answer is not None:
        return stored_claim(known.answer)
    if known.refusal is not None:
        raise ActionRefused(known.refusal)
    # This request holds the key: it carries the action out, or lets a repeat do it.
    try:
        view = await _send(client, claim, update, message, known.update_id)
    except ClaimRefused as refused:
        view = await idempotency.keep_refusal(
            engine=engine,
            principal=principal,
            key=idempotency_key,
            known=known,
            reason=str(refused),
        )
    except _AnsweredBefore:
        # A run now gone took it, and stored its answer with it before handing over.
        view = await idempotency.first_answer(
            engine=engine, principal=principal, key=idempotency_key
        )
    except BaseException:
        with contextlib.suppress(Exception):  # else the lease runs out by itself
            await idempotency.release(engine=engine, known=known)
        raise
    # The store holds this answer with the action's step (which also ended the key's lease).
    return stored_claim(view)


class ClaimRefused(ActionRefused):
    """The claim's own refusal (409): its answer to the action for good, kept for its key.

    (An opening not finished yet is a 409 too, but a passing one: not kept.)"""


class _AnsweredBefore(Exception):
    """The claim's previous run answered this Update id."""


async def _send(
    client: Client,
    claim: Claim,
    update: UpdateMethodMultiParam[[ClaimWorkflow, M], ClaimView],
    message: M,
    update_id: str,
) -> ClaimView:
    """The Update's answer, or the problem it stands for (409, 503, ...)."""
    handle = client.get_workflow_handle(claim.reference)
    try:
        async with asyncio.timeout(UPDATE_TIMEOUT.total_seconds()):
            return await _update(handle, update, message, update_id)
    except TimeoutError:
        raise ServiceUnavailable(idempotency.NO_ANSWER) from None
    except RPCError as error:
        if error.status is not RPCStatusCode.NOT_FOUND:
            raise
        raise _missing_workflow(claim) from None
    except WorkflowUpdateFailedError as error:
        cause = error.cause
        if isinstance(cause, ApplicationError) and cause.type == ANSWERED_BEFORE:
            raise _AnsweredBefore() from None
        if isinstance(cause, ApplicationError) and cause.type == REFUSED:
            raise ClaimRefused(cause.message) from None
        problem = temporal_problem(error)
        if problem is None:
            raise
        raise problem from None
    except Exception as error:
        problem = temporal_problem(error)
        if problem is None:
            raise
        raise problem from None


async def _update(
    handle: WorkflowHandle[ClaimWorkflow, ClaimView],
    update: UpdateMethodMultiParam[[ClaimWorkflow, M], ClaimView],
    message: M,
    update_id: str,
) -> ClaimView:
    """Asks again when the claim is busy for a moment: handing its history over to a fresh
    run, or holding as many actions in flight as Temporal takes at once for one workflow.

    The Update id is the same on every try (and on every request with the same
    Idempotency-Key): Temporal takes it at most once.
    """
    while True:
        try:
            return await handle.execute_update(update, message, id=update_id)
        except WorkflowUpdateFailedError as error:
            cause = error.cause
            if not (isinstance(cause, ApplicationError) and cause.type == HANDING_OVER):
                raise
        except RPCError as error:
            if not busy(error):
                raise
        await asyncio.sleep(BUSY_PAUSE.total_seconds())


def busy(error: RPCError) -> bool:
    """Too many actions in flight on one claim, or one cut off by a run handing over."""
    if error.status is RPCStatusCode.RESOURCE_EXHAUSTED:
        return True
    return error.status is RPCStatusCode.UNAVAILABLE and "update was aborted" in error.message


def _missing_workflow(claim: Claim) -> ProblemError:
    """A claim whose workflow has ended (closed) or never started (an unfinished opening)."""
    if claim.status == Status.CLOSED.value:
        return ClaimRefused(f"claim {claim.reference} is closed")
    return ActionRefused(
        f"claim {claim.reference} has not finished opening; "
        "repeat the POST /claims with the same Idempotency-Key"
    )
