"""A merchant's standing: operators restrict, terminate and reinstate it; a termination hands
the merchant's claims still awaiting an answer to the platform, a reinstatement gives back
those the termination alone moved (one Update each)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from api.auth import Principal, require_role
from api.records import visible_merchant
from api.temporal_calls import ClaimRefused, WorkflowMissing, call_claim
from claimdesk.core.domain import (
    ClaimView,
    MerchantReinstated,
    MerchantTerminated,
    Role,
    Standing,
)
from claimdesk.store import merchants
from claimdesk.store.db import unit_of_work
from claimdesk.store.models import Merchant
from workflows.claim import ClaimWorkflow

# Claims told of a termination or a reinstatement at once: enough to be quick, few enough
# for one workflow service not to turn them away.
AT_ONCE = 8


async def set_standing(
    *, engine: AsyncEngine, principal: Principal, merchant_id: str, standing: Standing
) -> Merchant:
    """Restricts, terminates or reinstates (active) the merchant; operators only (404 for a
    merchant the caller may not see, 403 for a merchant reading itself)."""
    async with unit_of_work(engine) as session:
        await visible_merchant(session=session, principal=principal, merchant_id=merchant_id)
        require_role(principal, Role.OPERATOR)
        merchant = await merchants.set_merchant_status(
            session=session, merchant_id=merchant_id, status=standing.value, at=datetime.now(UTC)
        )
    assert merchant is not None
    return merchant


async def hand_claims_to_platform(
    *, engine: AsyncEngine, client: Client, merchant_id: str
) -> list[str]:
    """Tells each claim of the terminated merchant still awaiting an answer; the references
    the platform took over now. A claim that refuses (closed or resolved meanwhile, taken
    over already, opened under edition 1) is left as it is, so terminating again is safe
    and reaches only the claims a failed attempt missed."""
    return await _tell_claims(
        engine=engine,
        merchant_id=merchant_id,
        send=lambda reference: client.get_workflow_handle(reference).execute_update(
            ClaimWorkflow.merchant_terminated, MerchantTerminated(merchant_id), id=str(uuid.uuid4())
        ),
        again="terminate",
    )


async def give_claims_back(*, engine: AsyncEngine, client: Client, merchant_id: str) -> list[str]:
    """Tells each claim of the reinstated merchant still awaiting an answer; the references
    given back to it now (edition 3). A claim that refuses (something besides the
    termination brought it to the platform, given back already, opened under edition 1
    or 2) stays as it is, so reinstating again is safe and reaches only the claims a
    failed attempt missed."""
    return await _tell_claims(
        engine=engine,
        merchant_id=merchant_id,
        send=lambda reference: client.get_workflow_handle(reference).execute_update(
            ClaimWorkflow.merchant_reinstated, MerchantReinstated(merchant_id), id=str(uuid.uuid4())
        ),
        again="reinstate",
    )


async def _tell_claims(
    *,
    engine: AsyncEngine,
    merchant_id: str,
    send: Callable[[str], Awaitable[ClaimView]],
    again: str,
) -> list[str]:
    """Sends each claim of the merchant still awaiting an answer its Update (`send`, given
    the claim's reference), a few at once; the references of the claims that took it."""
    async with unit_of_work(engine) as session:
        references = await merchants.live_claim_references(session=session, merchant_id=merchant_id)
    gate = asyncio.Semaphore(AT_ONCE)

    async def tell(reference: str) -> str | None:
        async with gate:
            try:
                await call_claim(
                    lambda: send(reference),
                    too_late=f"claim {reference} did not answer in time; {again} again to "
                    "reach the claims not told yet",
                )
            except (ClaimRefused, WorkflowMissing):
                return None
        return reference

    told: Sequence[str | None] = await asyncio.gather(*(tell(r) for r in references))
    return [reference for reference in told if reference is not None]
