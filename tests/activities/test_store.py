"""The store activities on a real PostgreSQL: idempotent claim projection, events, strikes."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.exceptions import ApplicationError

from activities.store import OPENED_BEFORE, StoreActivities
from claimdesk.core.domain import (
    Outcome,
    Projection,
    Proposal,
    ProposalKind,
    Role,
    Status,
    StrikeInput,
    TimelineEvent,
)
from claimdesk.store.claims import claim_row, get_claim_view
from claimdesk.store.db import unit_of_work
from claimdesk.store.models import Claim, Merchant
from tests.support.samples import OPENED, sample_claim


def event(seq: int, kind: str, **details: str) -> TimelineEvent:
    return TimelineEvent(
        seq=seq, at=OPENED + timedelta(minutes=seq), actor=Role.SYSTEM, kind=kind, details=details
    )


async def fetch(engine: AsyncEngine, sql: str, **params: Any) -> list[dict[str, Any]]:
    async with engine.connect() as conn:
        return [dict(row) for row in (await conn.execute(text(sql), params)).mappings()]


async def test_recording_a_claim_twice_stores_it_once(engine: AsyncEngine) -> None:
    store = StoreActivities(engine)
    projection = Projection(claim=sample_claim(version=1), events=[event(1, "opened")])
    await store.record_claim(projection)
    await store.record_claim(projection)
    rows = await fetch(engine, "SELECT reference, version, status FROM claims")
    assert rows == [{"reference": "CLM-7K3F-9QX2", "version": 1, "status": "open"}]
    assert len(await fetch(engine, "SELECT id FROM claim_events")) == 1


async def test_an_older_version_arriving_late_is_ignored(engine: AsyncEngine) -> None:
    store = StoreActivities(engine)
    newer = sample_claim(version=3, status=Status.RESOLVED)
    older = sample_claim(version=2, status=Status.OPEN)
    await store.record_claim(Projection(claim=newer, events=[]))
    await store.record_claim(Projection(claim=older, events=[event(2, "late")]))
    rows = await fetch(engine, "SELECT version, status FROM claims")
    assert rows == [{"version": 3, "status": "resolved"}]
    # The late projection's events still land: they are part of the timeline.
    assert [r["kind"] for r in await fetch(engine, "SELECT kind FROM claim_events")] == ["late"]


async def test_a_newer_version_replaces_the_api_reservation(engine: AsyncEngine) -> None:
    reservation = claim_row(sample_claim(version=0))
    reservation["description"] = "reserved by the API"
    async with unit_of_work(engine) as session:
        session.add(Claim(**reservation))
    await StoreActivities(engine).record_claim(Projection(claim=sample_claim(version=1), events=[]))
    rows = await fetch(engine, "SELECT version, description FROM claims")
    assert rows == [{"version": 1, "description": "The parcel never arrived."}]


async def test_an_opening_finding_its_claim_past_it_is_refused(engine: AsyncEngine) -> None:
    """Another run of the reference's workflow opened it (a closed claim's start sent again
    around the API): its opening is refused for good and changes nothing."""
    store = StoreActivities(engine)
    await store.record_claim(Projection(claim=sample_claim(version=1), events=[event(1, "o")]))
    closed = sample_claim(version=2, status=Status.CLOSED)
    await store.record_claim(Projection(claim=closed, events=[event(2, "withdrawn")]))
    with pytest.raises(ApplicationError) as refused:
        await store.record_claim(
            Projection(claim=sample_claim(version=1), events=[event(1, "o"), event(3, "again")])
        )
    assert (refused.value.type, refused.value.non_retryable) == (OPENED_BEFORE, True)
    assert await fetch(engine, "SELECT version, status FROM claims") == [
        {"version": 2, "status": "closed"}
    ]
    assert len(await fetch(engine, "SELECT id FROM claim_events")) == 2


async def test_each_event_lands_once_in_sequence_order(engine: AsyncEngine) -> None:
    store = StoreActivities(engine)
    first = [event(1, "opened"), event(2, "merchant_notified")]
    await store.record_claim(Projection(claim=sample_claim(version=1), events=first))
    # A retry of the first step, then the next step repeating an already stored event.
    await store.record_claim(Projection(claim=sample_claim(version=1), events=first))
    await store.record_claim(
        Projection(
            claim=sample_claim(version=2), events=[event(2, "merchant_notified"), event(3, "x")]
        )
    )
    rows = await fetch(engine, "SELECT seq, kind FROM claim_events ORDER BY seq")
    assert rows == [
        {"seq": 1, "kind": "opened"},
        {"seq": 2, "kind": "merchant_notified"},
        {"seq": 3, "kind": "x"},
    ]


async def test_proposal_and_outcome_round_trip_with_exact_amounts(engine: AsyncEngine) -> None:
    claim = replace(
        sample_claim(version=4, status=Status.RESOLVED),
        proposal=Proposal(ProposalKind.REFUND, Decimal("49.90")),
        outcome=Outcome(
            kind="refund", amount=Decimal("49.90"), note="ok", decided_by=Role.CUSTOMER
        ),
    )
    await StoreActivities(engine).record_claim(Projection(claim=claim, events=[]))
    rows = await fetch(engine, "SELECT proposal, outcome FROM claims")
    assert rows[0]["proposal"] == {"kind": "refund", "amount": "49.90"}
    assert rows[0]["outcome"]["amount"] == "49.90"
    async with unit_of_work(engine) as session:
        assert await get_claim_view(session=session, reference=claim.reference) == claim


def strike(reference: str, merchant_id: str = "M-SILENT", limit: int = 2) -> StrikeInput:
    return StrikeInput(reference=reference, merchant_id=merchant_id, at=OPENED, limit=limit)


async def test_a_strike_counts_once_per_claim(engine: AsyncEngine) -> None:
    store = StoreActivities(engine)
    first = await store.record_strike(strike("CLM-A"))
    again = await store.record_strike(strike("CLM-A"))
    assert (first.strikes, first.restricted) == (1, False)
    assert (again.strikes, again.restricted, again.newly_restricted) == (1, False, False)
    rows = await fetch(engine, "SELECT name, strikes, status FROM merchants")
    # The merchant row is created when the platform had none.
    assert rows == [{"name": "M-SILENT", "strikes": 1, "status": "active"}]


async def test_the_merchant_is_restricted_at_the_strike_limit(engine: AsyncEngine) -> None:
    store = StoreActivities(engine)
    async with unit_of_work(engine) as session:
        session.add(
            Merchant(id="M-SILENT", name="Silent shop", email="s@shop.example", updated_at=OPENED)
        )
    await store.record_strike(strike("CLM-A", limit=2))
    second = await store.record_strike(strike("CLM-B", limit=2))
    replay = await store.record_strike(strike("CLM-B", limit=2))
    assert (second.strikes, second.restricted, second.newly_restricted) == (2, True, True)
    assert (replay.strikes, replay.restricted, replay.newly_restricted) == (2, True, False)
    rows = await fetch(engine, "SELECT name, strikes, status FROM merchants")
    assert rows == [{"name": "Silent shop", "strikes": 2, "status": "restricted"}]
