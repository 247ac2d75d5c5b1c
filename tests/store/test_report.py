"""The documentation of a claim's process, loaded from the real store and rendered per locale."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncEngine

from activities.store import StoreActivities
from claimdesk.core.domain import (
    ClaimView,
    ClosedReason,
    Locale,
    Outcome,
    Projection,
    Role,
    Status,
    TimelineEvent,
)
from claimdesk.core.report import render_report
from claimdesk.store.claims import load_report
from claimdesk.store.db import unit_of_work
from claimdesk.store.models import Merchant
from tests.support.samples import OPENED, sample_claim


def closed_claim(locale: Locale) -> ClaimView:
    return replace(
        sample_claim(locale=locale, version=7, status=Status.CLOSED),
        escalation_level=2,
        outcome=Outcome(
            kind="partial_refund", amount=Decimal("20.00"), note="Half", decided_by=Role.OPERATOR
        ),
        closed_reason=ClosedReason.BY_PLATFORM,
        resolved_at=OPENED + timedelta(days=1),
        closed_at=OPENED + timedelta(days=3),
    )


async def store_claim(engine: AsyncEngine, claim: ClaimView) -> None:
    store = StoreActivities(engine)
    # Later events first: the report orders by sequence, not by arrival.
    await store.record_claim(
        Projection(
            claim=claim,
            events=[
                TimelineEvent(2, OPENED + timedelta(days=1), Role.OPERATOR, "decision"),
                TimelineEvent(
                    3,
                    OPENED + timedelta(days=3),
                    Role.OPERATOR,
                    "closed",
                    {"reason": "by_platform"},
                ),
            ],
        )
    )
    await store.record_claim(
        Projection(claim=claim, events=[TimelineEvent(1, OPENED, Role.CUSTOMER, "opened")])
    )


async def report_text(engine: AsyncEngine) -> str:
    """The report of the stored claim CLM-7K3F-9QX2, as text."""
    async with unit_of_work(engine) as session:
        report = await load_report(session=session, reference="CLM-7K3F-9QX2")
    assert report is not None
    return render_report(report)


async def test_report_of_an_unknown_claim_is_none(engine: AsyncEngine) -> None:
    async with unit_of_work(engine) as session:
        assert await load_report(session=session, reference="CLM-NONE-0000") is None


async def test_report_lists_parties_outcome_and_the_timeline_in_order(engine: AsyncEngine) -> None:
    await store_claim(engine, closed_claim(Locale.EN))
    text = await report_text(engine)
    for expected in [
        "Claim CLM-7K3F-9QX2: documentation of the process",
        "Merchant:                   M1",
        "Category:                   item not received",
        "Outcome:                    partial refund",
        "Amount:                     20.00 EUR",
        "Closing reason:             closed by the platform",
        "Closed:                     2026-11-24 14:00 UTC",
    ]:
        assert expected in text, text
    timeline = text.split("Timeline\n--------\n")[1].splitlines()
    assert timeline == [
        "2026-11-21 14:00 UTC  customer  claim opened",
        "2026-11-22 14:00 UTC  operator  platform decision",
        "2026-11-24 14:00 UTC  operator  closed  (reason: closed by the platform)",
    ]


async def test_report_is_written_in_the_claims_locale(engine: AsyncEngine) -> None:
    await store_claim(engine, closed_claim(Locale.FR))
    text = await report_text(engine)
    assert "Réclamation CLM-7K3F-9QX2 : compte rendu de la procédure" in text
    assert "Montant :                   20,00 EUR" in text
    assert "21/11/2026 14:00 UTC  client    réclamation ouverte" in text
    assert "clôturée par la plateforme" in text


async def test_report_names_the_merchant_by_its_record(engine: AsyncEngine) -> None:
    await store_claim(engine, closed_claim(Locale.EN))
    async with unit_of_work(engine) as session:
        session.add(Merchant(id="M1", name="Lamp shop", email=None, updated_at=OPENED))
    assert "Merchant:                   Lamp shop" in await report_text(engine)
