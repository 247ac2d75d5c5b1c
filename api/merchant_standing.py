"""A merchant's standing: operators restrict, terminate and reinstate it; a termination hands
the merchant's claims still awaiting an answer to the platform, a reinstatement gives back
those the termination alone moved (one Update each)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class ClaimsTold:
    """What telling a merchant's claims did: the references moved, and those staying where
    they are with each claim's reason."""

    moved: list[str]
    staying: list[tuple[str, str]]


async def change_standing(
    *,
    engine: AsyncEngine,
    client: Client,
    principal: Principal,
    merchant_id: str,
    standing: Standing,
) -> tuple[Merchant, ClaimsTold]:
    """Sets the merchant's standing (operators only), then tells its claims awaiting an
    answer: a termination hands them to the platform, a reinstatement gives back those the
    termination alone moved; a restriction tells none (it reaches only new claims)."""
    merchant = await set_standing(
        engine=engine, principal=principal, merchant_id=merchant_id, standing=standing
    )
    if standing is Standing.TERMINATED:
        told = await hand_claims_to_platform(engine=engine, client=client, merchant_id=merchant_id)
    elif standing is Standing.ACTIVE:
        told = await give_claims_back(engine=engine, client=client, merchant_id=merchant_id)
    else:
        told = ClaimsTold(moved=[], staying=[])
    return merchant, told


async def hand_claims_to_platform(
    *, engine: AsyncEngine, client: Client, merchant_id: str
) -> ClaimsTold:
    """Tells each claim of the terminated merchant still awaiting an answer; those the
    platform took over now, and those it did not. A claim that refuses (closed or resolved
    meanwhile, taken over already, opened under edition 1) is left as it is, so terminating
    again is safe and reaches only the claims a failed attempt missed."""
    return await _tell_claims(
        engine=engine,
        merchant_id=merchant_id,
        send=lambda reference: client.get_workflow_handle(reference).execute_update(
            ClaimWorkflow.merchant_terminated, MerchantTerminated(merchant_id), id=str(uuid.uuid4())
        ),
        again="terminate",
    )


async def give_claims_back(*, engine: AsyncEngine, client: Client, merchant_id: str) -> ClaimsTold:
    """Tells each claim of the reinstated merchant still awaiting an answer; those given
    back to it now (edition 3), and those staying with the platform. A claim that refuses
    (something besides the termination brought it to the platform, given back already,
    opened under edition 1 or 2) stays as it is, so reinstating again is safe and reaches
    only the claims a failed attempt missed."""
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
) -> ClaimsTold:
    """Sends each claim of the merchant still awaiting an answer its Update (`send`, given
    the claim's reference), a few at once; those that took it, and those that refused it
    with their reason (a claim whose workflow ended meanwhile is no longer the merchant's)."""
    async with unit_of_work(engine) as session:
        references = await merchants.live_claim_references(session=session, merchant_id=merchant_id)
    gate = asyncio.Semaphore(AT_ONCE)

    async def tell(reference: str) -> str | None:
        """None if the claim took the Update, else its reason; raises `WorkflowMissing`."""
        async with gate:
            try:
                await call_claim(
                    lambda: send(reference),
                    too_late=f"claim {reference} did not answer in time; {again} again to "
                    "reach the claims not told yet",
                )
            except ClaimRefused as refused:
                return refused.detail or str(refused)
        return None

    async def answer(reference: str) -> tuple[str, str | None] | None:
        try:
            return reference, await tell(reference)
        except WorkflowMissing:
            return None

    told: Sequence[tuple[str, str | None] | None] = await asyncio.gather(
        *(answer(r) for r in references)
    )
    answered = [item for item in told if item is not None]
    return ClaimsTold(
        moved=[reference for reference, why in answered if why is None],
        staying=[(reference, why) for reference, why in answered if why is not None],
    )
