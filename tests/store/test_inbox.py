"""The merchant's inbox order: the soonest deadline, then the higher level, then breached."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from claimdesk.core.domain import ClaimView, Status
from claimdesk.store.claims import stored_claim
from claimdesk.store.db import sessions, unit_of_work
from claimdesk.store.inbox import inbox_rows
from tests.support.samples import OPENED, sample_claim

SOON = OPENED + timedelta(hours=2)
LATER = OPENED + timedelta(hours=20)


def _claim(reference: str, **changes: object) -> ClaimView:
    view = sample_claim(reference=reference)
    return replace(view, transaction_id=f"T-{reference}", **changes)  # type: ignore[arg-type]


async def _store(engine: AsyncEngine, *views: ClaimView) -> None:
    async with unit_of_work(engine) as session:
        for view in views:
            session.add(stored_claim(view))


async def _inbox(engine: AsyncEngine, *, closed: bool = False) -> list[str]:
    async with sessions(engine)() as session:
        rows = await inbox_rows(
            session=session, merchant_id="M1", closed=closed, limit=20, offset=0
        )
    return [row.reference for row in rows]


async def test_the_most_urgent_claims_come_first(engine: AsyncEngine) -> None:
    await _store(
        engine,
        _claim("NO-DEADLINE", next_deadline=None, next_deadline_kind=None, escalation_level=3),
        _claim("LATER", next_deadline=LATER),
        _claim("SOON-LEVEL1", next_deadline=SOON),
        _claim("SOON-LEVEL2", next_deadline=SOON, escalation_level=2),
        _claim("SOON-LEVEL2-BREACHED", next_deadline=SOON, escalation_level=2, sla_breached=True),
        _claim("SOON-LEVEL1-BREACHED", next_deadline=SOON, sla_breached=True),
    )
    assert await _inbox(engine) == [
        "SOON-LEVEL2-BREACHED",
        "SOON-LEVEL2",
        "SOON-LEVEL1-BREACHED",
        "SOON-LEVEL1",
        "LATER",
        "NO-DEADLINE",
    ]


async def test_the_inbox_holds_the_merchants_claims_not_closed(engine: AsyncEngine) -> None:
    closed = _claim("CLOSED", status=Status.CLOSED, next_deadline=None, closed_at=LATER)
    await _store(
        engine,
        _claim("MINE"),
        closed,
        replace(_claim("ANOTHER-SHOP"), merchant_id="M2"),
    )
    assert await _inbox(engine) == ["MINE"]
    assert await _inbox(engine, closed=True) == ["CLOSED"]
