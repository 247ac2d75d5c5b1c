"""A merchant's inbox: the claims against its shop, the most urgent first (one order, here)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from claimdesk.core.domain import Status
from claimdesk.store.models import Claim

# Most urgent first: the soonest next deadline (at level 1, the merchant's response
# deadline; none last), then the higher escalation level, then breached claims, then the
# oldest; the reference keeps pages stable.
URGENCY = (
    col(Claim.next_deadline).asc().nulls_last(),
    col(Claim.escalation_level).desc(),
    col(Claim.sla_breached).desc(),
    col(Claim.opened_at).asc(),
    col(Claim.reference).asc(),
)


async def inbox_rows(
    *, session: AsyncSession, merchant_id: str, closed: bool, limit: int, offset: int
) -> Sequence[Claim]:
    """The merchant's claims not closed, most urgent first (`closed`: its closed claims,
    the most recently closed first)."""
    query = select(Claim).where(col(Claim.merchant_id) == merchant_id)
    if closed:
        query = query.where(col(Claim.status) == Status.CLOSED.value).order_by(
            col(Claim.closed_at).desc().nulls_last(), col(Claim.reference).asc()
        )
    else:
        query = query.where(col(Claim.status) != Status.CLOSED.value).order_by(*URGENCY)
    return (await session.exec(query.limit(limit).offset(offset))).all()
