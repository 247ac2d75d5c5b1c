"""Merchants: their record and contact, their strikes and standing, their open claims."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, cast, func, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from claimdesk.core.domain import EventKind, Standing, Status, StrikeInput, StrikeResult, Subject
from claimdesk.core.permissions import strike_restricts
from claimdesk.store.models import Claim, ClaimEvent, Merchant, MerchantStrike, table_of

CENT = Decimal("0.01")

# ---- the record ----


async def get_merchant(*, session: AsyncSession, merchant_id: str) -> Merchant | None:
    return await session.get(Merchant, merchant_id)


async def upsert_merchant(
    *,
    session: AsyncSession,
    merchant_id: str,
    name: str,
    email: str | None,
    at: datetime,
    phone: str | None = None,
    locale: str | None = None,
) -> tuple[Merchant, bool]:
    """Creates the merchant or replaces its name and contact details; returns it and
    whether it was created."""
    existed = await session.get(Merchant, merchant_id) is not None
    statement = (
        insert(Merchant)
        .values(**_newcomer(merchant_id, at), name=name, email=email, phone=phone, locale=locale)
        .on_conflict_do_update(
            index_elements=["id"],
            set_={"name": name, "email": email, "phone": phone, "locale": locale, "updated_at": at},
        )
    )
    await session.exec(statement)
    merchant = await session.get(Merchant, merchant_id, populate_existing=True)
    assert merchant is not None
    return merchant, not existed


def _newcomer(merchant_id: str, at: datetime) -> dict[str, Any]:
    """A merchant's record as it starts: active, with no strikes."""
    return {"id": merchant_id, "strikes": 0, "status": Standing.ACTIVE.value, "updated_at": at}


async def ensure_merchant(*, session: AsyncSession, merchant_id: str, at: datetime) -> None:
    """A placeholder merchant (named after its id, no e-mail) unless one exists."""
    await ensure_merchants(session=session, merchant_ids=[merchant_id], at=at)


async def ensure_merchants(
    *, session: AsyncSession, merchant_ids: Sequence[str], at: datetime
) -> None:
    """`ensure_merchant` for each id, a thousand per statement."""
    for start in range(0, len(merchant_ids), 1000):
        statement = (
            insert(Merchant)
            .values(
                [
                    {**_newcomer(merchant_id, at), "name": merchant_id, "email": None}
                    for merchant_id in merchant_ids[start : start + 1000]
                ]
            )
            .on_conflict_do_nothing(index_elements=["id"])
        )
        await session.exec(statement)


async def merchants_by_id(
    *, session: AsyncSession, merchant_ids: Iterable[str]
) -> dict[str, Merchant]:
    """The merchants of these ids that exist, by id (one query for a page of claims)."""
    wanted = set(merchant_ids)
    if not wanted:
        return {}
    found = await session.exec(select(Merchant).where(col(Merchant.id).in_(wanted)))
    return {merchant.id: merchant for merchant in found.all()}


# ---- standing ----


async def list_merchants(*, session: AsyncSession, limit: int, offset: int) -> Sequence[Merchant]:
    """The merchants on file by id, a page of them."""
    query = select(Merchant).order_by(col(Merchant.id)).limit(limit).offset(offset)
    return (await session.exec(query)).all()


async def set_merchant_status(
    *, session: AsyncSession, merchant_id: str, status: str, at: datetime
) -> Merchant | None:
    statement = (
        update(Merchant).where(col(Merchant.id) == merchant_id).values(status=status, updated_at=at)
    )
    await session.exec(statement)
    return await session.get(Merchant, merchant_id, populate_existing=True)


async def merchant_standing(*, session: AsyncSession, merchant_id: str) -> Standing | None:
    """The merchant's standing; None for a merchant not on file."""
    found = await session.exec(select(Merchant.status).where(Merchant.id == merchant_id))
    status = found.one_or_none()
    return None if status is None else Standing(status)


async def live_claim_references(*, session: AsyncSession, merchant_id: str) -> Sequence[str]:
    """The merchant's claims still awaiting an answer (open or awaiting the customer), as
    the store last saw them; the oldest first."""
    query = (
        select(col(Claim.reference))
        .where(
            col(Claim.merchant_id) == merchant_id,
            col(Claim.status).in_([Status.OPEN.value, Status.AWAITING_CUSTOMER.value]),
        )
        .order_by(col(Claim.opened_at))
    )
    return (await session.exec(query)).all()


async def merchant_strikes(*, session: AsyncSession, merchant_id: str) -> Sequence[MerchantStrike]:
    query = (
        select(MerchantStrike)
        .where(col(MerchantStrike.merchant_id) == merchant_id)
        .order_by(col(MerchantStrike.at))
    )
    return (await session.exec(query)).all()


async def record_strike(*, session: AsyncSession, strike: StrikeInput) -> StrikeResult:
    """One non-cooperation strike per (merchant, claim); restricts the merchant at the limit.

    A replay (the strike is already there) changes nothing, so an operator who
    reinstated the merchant meanwhile is not overruled by a retried activity.
    """
    await ensure_merchant(session=session, merchant_id=strike.merchant_id, at=strike.at)
    merchants = table_of(Merchant)
    # Lock the merchant so concurrent strikes from two claims count in turn.
    status = (
        await session.exec(
            select(Merchant.status).where(Merchant.id == strike.merchant_id).with_for_update()
        )
    ).one()
    strikes_table = table_of(MerchantStrike)
    inserted = (
        await session.exec(
            insert(strikes_table)
            .values(merchant_id=strike.merchant_id, reference=strike.reference, at=strike.at)
            .on_conflict_do_nothing(index_elements=["merchant_id", "reference"])
            .returning(strikes_table.c.reference)
        )
    ).first() is not None
    count = (
        await session.exec(
            select(func.count())
            .select_from(MerchantStrike)
            .where(MerchantStrike.merchant_id == strike.merchant_id)
        )
    ).one()
    newly_restricted = inserted and strike_restricts(
        strikes=count, limit=strike.limit, standing=Standing(status)
    )
    values: dict[str, Any] = {"strikes": count}
    if inserted:
        values["updated_at"] = strike.at
    if newly_restricted:
        values["status"] = Standing.RESTRICTED.value
    await session.exec(
        merchants.update().where(merchants.c.id == strike.merchant_id).values(**values)
    )
    return StrikeResult(
        strikes=count,
        restricted=newly_restricted or status == Standing.RESTRICTED,
        newly_restricted=newly_restricted,
    )


@dataclass(frozen=True)
class MerchantClaims:
    """A merchant's claims not closed yet, as an operator weighs them."""

    open: int
    breached: int
    by_level: dict[int, int]


async def merchant_claims(*, session: AsyncSession, merchant_id: str) -> MerchantClaims:
    query = (
        select(col(Claim.escalation_level), col(Claim.sla_breached), func.count())
        .where(col(Claim.merchant_id) == merchant_id, col(Claim.status) != Status.CLOSED.value)
        .group_by(col(Claim.escalation_level), col(Claim.sla_breached))
    )
    by_level: dict[int, int] = {}
    breached = 0
    for level, is_breached, count in (await session.exec(query)).all():
        by_level[level] = by_level.get(level, 0) + count
        breached += count if is_breached else 0
    return MerchantClaims(open=sum(by_level.values()), breached=breached, by_level=by_level)


@dataclass(frozen=True)
class MerchantRatings:
    """The degrees of satisfaction customers gave on the merchant's claims (1 to 5)."""

    count: int
    average: Decimal | None  # none rated yet


async def merchant_ratings(*, session: AsyncSession, merchant_id: str) -> MerchantRatings:
    """Read from the stored satisfaction events of the merchant's delivery claims: each
    answer a customer rated counts once (a claim reopened and answered again counts each
    answer). A payment claim is between the customer and the platform: its rating is about
    the platform, and the merchant does not see it (`claimdesk.core.audience`)."""
    rating = cast(col(ClaimEvent.details)["rating"].as_string(), Integer)
    query = (
        select(func.count(rating), func.avg(rating))
        .join(Claim, col(Claim.reference) == col(ClaimEvent.reference))
        .where(
            col(Claim.merchant_id) == merchant_id,
            col(ClaimEvent.kind) == EventKind.SATISFACTION.value,
            col(Claim.subject) == Subject.DELIVERY.value,
        )
    )
    count, average = (await session.exec(query)).one()
    return MerchantRatings(
        count=count, average=None if average is None else Decimal(average).quantize(CENT)
    )
