"""Store activities: write the claim as the workflow reports it, and record merchant strikes."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from claimdesk.core.domain import Projection, StrikeInput, StrikeResult
from claimdesk.store import claims, merchants
from claimdesk.store.db import unit_of_work

# The refusal of an opening whose reference another run of its workflow opened before.
OPENED_BEFORE = "OpenedByAnotherRun"


class StoreActivities:
    """Each activity is one transaction and safe to run twice (retries, replays)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @activity.defn(name="record_claim")
    async def record_claim(self, projection: Projection) -> None:
        async with unit_of_work(self._engine) as session:
            if await claims.opened_by_another_run(session=session, projection=projection):
                # A start sent again around the API (e.g. a closed claim's, read from its
                # history): its run fails at its opening, before any deadline is armed.
                raise ApplicationError(
                    f"claim {projection.claim.reference} was opened by another run",
                    type=OPENED_BEFORE,
                    non_retryable=True,
                )
            await claims.record_claim(session=session, projection=projection)

    @activity.defn(name="record_strike")
    async def record_strike(self, strike: StrikeInput) -> StrikeResult:
        async with unit_of_work(self._engine) as session:
            return await merchants.record_strike(session=session, strike=strike)
