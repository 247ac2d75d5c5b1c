"""Acting on a claim: the core's role and amount rules, then the Update to its workflow."""

from __future__ import annotations

import contextlib
import uuid
from typing import TypeVar

from fastapi.exceptions import RequestValidationError
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client
from temporalio.workflow import UpdateMethodMultiParam

from api import idempotency
from api.auth import Principal
from api.claims_read import visible_claim
from api.errors import ActionRefused, Forbidden, InvalidRequest, ProblemError
from api.temporal_calls import AnsweredBefore, ClaimRefused, WorkflowMissing, call_claim
from claimdesk.core.currency import decimals_refusal
from claimdesk.core.domain import Action, ClaimView, Decision, MerchantResponse, Role, Status
from claimdesk.core.permissions import ACTION_ROLES, amount_over_limit, requested_amount
from claimdesk.store.claims import stored_claim
from claimdesk.store.db import sessions
from claimdesk.store.models import Claim
from workflows.claim import ClaimWorkflow

M = TypeVar("M")


async def act(
    *,
    engine: AsyncEngine,
    client: Client,
    principal: Principal,
    reference: str,
    action: Action,
    update: UpdateMethodMultiParam[[ClaimWorkflow, M], ClaimView],
    message: M,
    idempotency_key: str | None = None,
) -> Claim:
    """Sends the action to the claim's workflow; answers once the store shows its effect.

    With an `Idempotency-Key`, a request asked again gets the first answer: the claim as
    the action's store write left it, or the claim's refusal (409).
    """
    async with sessions(engine)() as session:
        claim = await visible_claim(session=session, principal=principal, reference=reference)
    _check_request(claim, principal.role, action, message)
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
    except AnsweredBefore:
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


def _check_request(claim: Claim, role: Role, action: Action, message: object) -> None:
    """The core's refusals that hold whatever the claim's state, as request errors.

    A role that may never do the action is 403; an amount over what the customer paid,
    422. The claim's state may still refuse the action: that is the workflow's 409.
    """
    if role not in ACTION_ROLES[action]:
        raise Forbidden(f"a {role.value} cannot {action.value.replace('_', ' ')}")
    if isinstance(message, MerchantResponse | Decision):
        over = amount_over_limit(message, claim.amount)
        if over is not None:
            raise InvalidRequest(over.code, over.title, over.detail)
        asked = requested_amount(message)
        why = None if asked is None else decimals_refusal(asked[1], claim.currency)
        if asked is not None and why is not None:
            # Known only with the claim's currency, but as wrong as a malformed amount.
            loc = ("body", *asked[0].split("."))
            raise RequestValidationError([{"loc": loc, "msg": why, "type": "amount_decimals"}])


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
        return await call_claim(
            lambda: handle.execute_update(update, message, id=update_id),
            too_late=idempotency.NO_ANSWER,
        )
    except WorkflowMissing:
        raise _missing_workflow(claim) from None


def _missing_workflow(claim: Claim) -> ProblemError:
    """A claim whose workflow has ended (closed) or never started (an unfinished opening)."""
    if claim.status == Status.CLOSED.value:
        return ClaimRefused(f"claim {claim.reference} is closed")
    return ActionRefused(
        f"claim {claim.reference} has not finished opening; "
        "repeat the POST /claims with the same Idempotency-Key"
    )
