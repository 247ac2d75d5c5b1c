"""Reading claims: only those the caller may see, with their timeline."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from api.auth import Principal
from api.errors import NotFound
from api.schemas import ClaimOut, TimelineEventOut
from claimdesk.core.audience import read_as, report_for, timeline_for
from claimdesk.core.domain import Locale, Role, Subject
from claimdesk.core.report import ClaimReport
from claimdesk.store import claims, merchants
from claimdesk.store.db import sessions
from claimdesk.store.models import Claim


async def visible_claim(*, session: AsyncSession, principal: Principal, reference: str) -> Claim:
    """The claim if the caller may see it; 404 whether it does not exist or is not theirs."""
    claim = await claims.get_claim_row(
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
) -> tuple[Claim, list[TimelineEventOut]]:
    """The claim and the part of its timeline the caller reads (claimdesk.core.audience)."""
    claim = await visible_claim(session=session, principal=principal, reference=reference)
    rows = await claims.timeline_rows(session=session, reference=reference)
    role, subject = principal.role, Subject(claim.subject)
    return claim, [
        TimelineEventOut.of(row, seq=seq, read=read_as(role, subject, row.kind, row.details))
        for seq, row in enumerate(timeline_for(role, subject, rows), start=1)
    ]


async def visible_report(
    *, session: AsyncSession, principal: Principal, reference: str, operator_locale: Locale
) -> ClaimReport:
    """The documentation of the process, as the caller may read it, in its language."""
    claim = await visible_claim(session=session, principal=principal, reference=reference)
    report = await claims.load_report(session=session, reference=claim.reference)
    if report is None:
        raise NotFound(f"claim {reference}")
    return report_for(principal.role, report, operator_locale=operator_locale)


async def claims_out(
    *, session: AsyncSession, principal: Principal, rows: Sequence[Claim]
) -> list[ClaimOut]:
    """The claims as the caller sees them, with their merchants' names and contacts as
    the merchants' records hold them now (one query for the page), and, for a party, when
    each last changed as it reads it (one more)."""
    found = await merchants.merchants_by_id(
        session=session, merchant_ids={row.merchant_id for row in rows}
    )
    times: dict[str, dict[str, datetime]] = {}
    if principal.role is not Role.OPERATOR:
        times = await claims.last_event_times(
            session=session, until={row.reference: row.updated_at for row in rows}
        )
    role = principal.role.value
    return [
        ClaimOut.of(
            row,
            role=role,
            merchant=found.get(row.merchant_id),
            last_by_kind=times.get(row.reference),
        )
        for row in rows
    ]


async def claim_out(*, engine: AsyncEngine, principal: Principal, row: Claim) -> ClaimOut:
    """One claim as the caller sees it, for an action's answer (which has no session)."""
    async with sessions(engine)() as session:
        [out] = await claims_out(session=session, principal=principal, rows=[row])
    return out
