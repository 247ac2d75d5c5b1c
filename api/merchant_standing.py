"""A merchant's standing: operators restrict, terminate and reinstate it; a termination hands
the merchant's claims still awaiting an answer to the platform (one Update each)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from api.auth import Principal, require_role
from api.records import visible_merchant
from api.temporal_calls import ClaimRefused, WorkflowMissing, call_claim
from claimdesk.core.domain import MerchantTerminated, Role, Standing
from claimdesk.store import merchants
from claimdesk.store.db import unit_of_work
from claimdesk.store.models import Merchant
from workflows.claim import ClaimWorkflow

# Claims told of a termination at once: enough to be quick, few enough for one workflow
# service not to turn them away.
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


async def terminate(
    *, engine: AsyncEngine, client: Client, principal: Principal, merchant_id: str
) -> Merchant:
    """Terminates the merchant, then hands its claims awaiting an answer to the platform."""
    merchant = await set_standing(
        engine=engine, principal=principal, merchant_id=merchant_id, standing=Standing.TERMINATED
    )
    await hand_claims_to_platform(engine=engine, client=client, merchant_id=merchant_id)
    return merchant


async def hand_claims_to_platform(
    *, engine: AsyncEngine, client: Client, merchant_id: str
) -> list[str]:
    """Tells each claim of the terminated merchant still awaiting an answer; the references
    the platform took over now. A claim that refuses (closed or resolved meanwhile, taken
    over already, opened under edition 1) is left as it is, so terminating again is safe
    and reaches only the claims a failed attempt missed."""
    async with unit_of_work(engine) as session:
        references = await merchants.live_claim_references(session=session, merchant_id=merchant_id)
    gate = asyncio.Semaphore(AT_ONCE)
    notice = MerchantTerminated(merchant_id=merchant_id)

    async def tell(reference: str) -> str | None:
        handle = client.get_workflow_handle(reference)
        async with gate:
            try:
                await call_claim(
                    lambda: handle.execute_update(
                        ClaimWorkflow.merchant_terminated, notice, id=str(uuid.uuid4())
                    ),
                    too_late=f"claim {reference} did not answer in time; terminate again to "
                    "reach the claims not moved yet",
                )
            except (ClaimRefused, WorkflowMissing):
                return None
        return reference

    moved: Sequence[str | None] = await asyncio.gather(*(tell(r) for r in references))
    return [reference for reference in moved if reference is not None]
