"""Every query the API and the CLI run: functions with keyword-only arguments, no business rule."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, or_, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from claimdesk.core.domain import Standing, Status
from claimdesk.store.models import (
    ApiKey,
    Claim,
    ClaimEvent,
    IdempotencyRecord,
    Merchant,
    MerchantStrike,
    Transaction,
)

# ---- API keys ----


async def insert_api_key(*, session: AsyncSession, key: ApiKey) -> None:
    session.add(key)
    await session.flush()


async def list_api_keys(*, session: AsyncSession) -> Sequence[ApiKey]:
    return (await session.exec(select(ApiKey).order_by(col(ApiKey.created_at)))).all()


async def revoke_api_key(*, session: AsyncSession, key_id: str, at: datetime) -> bool:
    """Marks the key revoked (the first time stays); False if there is no such key."""
    key = await session.get(ApiKey, key_id)
    if key is None:
        return False
    if key.revoked_at is None:
        key.revoked_at = at
        session.add(key)
        await session.flush()
    return True


async def find_active_api_key(*, session: AsyncSession, secret_hash: str) -> ApiKey | None:
    query = select(ApiKey).where(
        col(ApiKey.secret_hash) == secret_hash, col(ApiKey.revoked_at).is_(None)
    )
    return (await session.exec(query)).first()


# ---- merchants ----


async def get_merchant(*, session: AsyncSession, merchant_id: str) -> Merchant | None:
    return await session.get(Merchant, merchant_id)


async def upsert_merchant(
    *, session: AsyncSession, merchant_id: str, name: str, email: str | None, at: datetime
) -> tuple[Merchant, bool]:
    """Creates or renames the merchant; returns it and whether it was created."""
    existed = await session.get(Merchant, merchant_id) is not None
    statement = (
        insert(Merchant)
        .values(
            id=merchant_id,
            name=name,
            email=email,
            strikes=0,
            status=Standing.ACTIVE.value,
            updated_at=at,
        )
        .on_conflict_do_update(
            index_elements=["id"], set_={"name": name, "email": email, "updated_at": at}
        )
    )
    await session.exec(statement)
    merchant = await session.get(Merchant, merchant_id, populate_existing=True)
    assert merchant is not None
    return merchant, not existed


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


async def merchant_strikes(*, session: AsyncSession, merchant_id: str) -> Sequence[MerchantStrike]:
    query = (
        select(MerchantStrike)
        .where(col(MerchantStrike.merchant_id) == merchant_id)
        .order_by(col(MerchantStrike.at))
    )
    return (await session.exec(query)).all()


async def ensure_merchant(*, session: AsyncSession, merchant_id: str, at: datetime) -> None:
    """A placeholder merchant (named after its id, no e-mail) unless one exists."""
    statement = (
        insert(Merchant)
        .values(
            id=merchant_id,
            name=merchant_id,
            email=None,
            strikes=0,
            status=Standing.ACTIVE.value,
            updated_at=at,
        )
        .on_conflict_do_nothing(index_elements=["id"])
    )
    await session.exec(statement)


async def set_merchant_status(
    *, session: AsyncSession, merchant_id: str, status: str, at: datetime
) -> Merchant | None:
    statement = (
        update(Merchant).where(col(Merchant.id) == merchant_id).values(status=status, updated_at=at)
    )
    await session.exec(statement)
    return await session.get(Merchant, merchant_id, populate_existing=True)


# ---- transactions ----


@dataclass(frozen=True)
class TransactionRow:
    id: str
    merchant_id: str
    customer_email: str
    amount: Decimal
    currency: str
    occurred_at: datetime

    def values(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "merchant_id": self.merchant_id,
            "customer_email": self.customer_email,
            "amount": self.amount,
            "currency": self.currency,
            "occurred_at": self.occurred_at,
        }


async def get_transaction(
    *,
    session: AsyncSession,
    transaction_id: str,
    customer_email: str | None = None,
    merchant_id: str | None = None,
) -> Transaction | None:
    """The transaction, if it exists and matches the given owner filters."""
    query = select(Transaction).where(col(Transaction.id) == transaction_id)
    if customer_email is not None:
        query = query.where(col(Transaction.customer_email) == customer_email)
    if merchant_id is not None:
        query = query.where(col(Transaction.merchant_id) == merchant_id)
    return (await session.exec(query)).first()


async def insert_transaction(
    *, session: AsyncSession, row: TransactionRow
) -> tuple[Transaction, bool]:
    """Inserts the transaction unless its id exists; returns the stored row, and if it is new."""
    statement = (
        insert(Transaction)
        .values(**row.values())
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(col(Transaction.id))
    )
    created = (await session.exec(statement)).first() is not None
    stored = await session.get(Transaction, row.id, populate_existing=True)
    assert stored is not None
    return stored, created


async def upsert_transactions(*, session: AsyncSession, rows: Sequence[TransactionRow]) -> int:
    for row in rows:
        values = row.values()
        statement = (
            insert(Transaction)
            .values(**values)
            .on_conflict_do_update(
                index_elements=["id"], set_={k: v for k, v in values.items() if k != "id"}
            )
        )
        await session.exec(statement)
    return len(rows)


async def list_transactions(
    *,
    session: AsyncSession,
    customer_email: str | None = None,
    merchant_id: str | None = None,
    limit: int,
    offset: int,
) -> Sequence[Transaction]:
    query = select(Transaction)
    if customer_email is not None:
        query = query.where(col(Transaction.customer_email) == customer_email)
    if merchant_id is not None:
        query = query.where(col(Transaction.merchant_id) == merchant_id)
    query = query.order_by(col(Transaction.occurred_at).desc(), col(Transaction.id).desc())
    return (await session.exec(query.limit(limit).offset(offset))).all()


# ---- claims ----


async def get_claim(
    *,
    session: AsyncSession,
    reference: str,
    customer_email: str | None = None,
    merchant_id: str | None = None,
) -> Claim | None:
    """The claim, if it exists and matches the given owner filters."""
    query = select(Claim).where(col(Claim.reference) == reference)
    if customer_email is not None:
        query = query.where(col(Claim.customer_email) == customer_email)
    if merchant_id is not None:
        query = query.where(col(Claim.merchant_id) == merchant_id)
    return (await session.exec(query.execution_options(populate_existing=True))).first()


async def list_claims(
    *,
    session: AsyncSession,
    customer_email: str | None = None,
    merchant_id: str | None = None,
    status: str | None = None,
    subject: str | None = None,
    level: int | None = None,
    breached: bool | None = None,
    due_before: datetime | None = None,
    by_deadline: bool = False,
    limit: int,
    offset: int,
) -> Sequence[Claim]:
    """Newest first, or the earliest next deadline first (claims with none last)."""
    query = select(Claim)
    if customer_email is not None:
        query = query.where(col(Claim.customer_email) == customer_email)
    if merchant_id is not None:
        query = query.where(col(Claim.merchant_id) == merchant_id)
    if status is not None:
        query = query.where(col(Claim.status) == status)
    if subject is not None:
        query = query.where(col(Claim.subject) == subject)
    if level is not None:
        query = query.where(col(Claim.escalation_level) == level)
    if breached is not None:
        query = query.where(col(Claim.sla_breached) == breached)
    if due_before is not None:
        query = query.where(col(Claim.next_deadline) < due_before)
    if by_deadline:
        query = query.order_by(col(Claim.next_deadline).asc().nulls_last())
    query = query.order_by(col(Claim.opened_at).desc(), col(Claim.reference).desc())
    return (await session.exec(query.limit(limit).offset(offset))).all()


async def claim_timeline(*, session: AsyncSession, reference: str) -> Sequence[ClaimEvent]:
    query = (
        select(ClaimEvent)
        .where(col(ClaimEvent.reference) == reference)
        .order_by(col(ClaimEvent.seq))
    )
    return (await session.exec(query)).all()


async def reserve_claim(*, session: AsyncSession, claim: Claim) -> bool:
    """Inserts the opening row unless an open claim holds its transaction and subject.

    The partial unique index `uq_claims_open_per_transaction_subject` is the arbiter, so
    two requests racing for the same transaction cannot both win.
    """
    values = {c.name: getattr(claim, c.name) for c in Claim.__table__.columns}  # type: ignore[attr-defined]
    statement = (
        insert(Claim)
        .values(**values)
        .on_conflict_do_nothing(
            index_elements=["transaction_id", "subject"],
            index_where=text("status <> 'closed'"),
        )
        .returning(col(Claim.reference))
    )
    return (await session.exec(statement)).first() is not None


async def open_claim_reference(
    *, session: AsyncSession, transaction_id: str, subject: str
) -> str | None:
    query = select(Claim.reference).where(
        col(Claim.transaction_id) == transaction_id,
        col(Claim.subject) == subject,
        col(Claim.status) != Status.CLOSED.value,
    )
    return (await session.exec(query)).first()


async def delete_unreported_claim(*, session: AsyncSession, reference: str) -> None:
    """Drops a reservation the workflow never reported on (version 0)."""
    statement = delete(Claim).where(col(Claim.reference) == reference, col(Claim.version) == 0)
    await session.exec(statement)


async def find_idempotency_record(
    *, session: AsyncSession, api_key_id: str, key: str
) -> IdempotencyRecord | None:
    return await session.get(IdempotencyRecord, (api_key_id, key))


async def insert_idempotency_record(
    *, session: AsyncSession, record: IdempotencyRecord, lease_seconds: float | None = None
) -> bool:
    """Inserts the record; False if this key was already used (the caller replays).

    `lease_seconds`: the request inserting it holds the key that long (see
    `take_idempotency_lease`)."""
    statement = (
        insert(IdempotencyRecord)
        .values(
            api_key_id=record.api_key_id,
            key=record.key,
            request_hash=record.request_hash,
            reference=record.reference,
            operation=record.operation,
            update_id=record.update_id,
            lease_until=None if lease_seconds is None else _from_now(lease_seconds),
            lease_holder=record.lease_holder,
            created_at=record.created_at,
        )
        .on_conflict_do_nothing(index_elements=["api_key_id", "key"])
        .returning(col(IdempotencyRecord.key))
    )
    return (await session.exec(statement)).first() is not None


async def record_refusal(
    *, session: AsyncSession, update_id: str, holder: str, reason: str
) -> bool:
    """Keeps the claim's refusal as the first answer of the request sent as `update_id`,
    if `holder` still holds the key; says whether it did."""
    statement = (
        update(IdempotencyRecord)
        .where(
            col(IdempotencyRecord.update_id) == update_id,
            col(IdempotencyRecord.lease_holder) == holder,
            col(IdempotencyRecord.answer).is_(None),
            col(IdempotencyRecord.refusal).is_(None),
        )
        .values(refusal=reason, lease_until=None, lease_holder=None)
        .returning(col(IdempotencyRecord.key))
    )
    return (await session.exec(statement)).first() is not None


async def take_idempotency_lease(
    *, session: AsyncSession, api_key_id: str, key: str, holder: str, seconds: float
) -> bool:
    """Makes this request the one carrying the key's action out, unless another still is
    or the key has its answer; the database's clock decides, whichever API asks."""
    statement = (
        update(IdempotencyRecord)
        .where(
            col(IdempotencyRecord.api_key_id) == api_key_id,
            col(IdempotencyRecord.key) == key,
            col(IdempotencyRecord.answer).is_(None),
            col(IdempotencyRecord.refusal).is_(None),
            or_(
                col(IdempotencyRecord.lease_until).is_(None),
                col(IdempotencyRecord.lease_until) < func.now(),
            ),
        )
        .values(lease_until=_from_now(seconds), lease_holder=holder)
        .returning(col(IdempotencyRecord.key))
    )
    return (await session.exec(statement)).first() is not None


def _from_now(seconds: float) -> Any:
    return func.now() + timedelta(seconds=seconds)


async def release_idempotency_lease(*, session: AsyncSession, update_id: str, holder: str) -> None:
    statement = (
        update(IdempotencyRecord)
        .where(
            col(IdempotencyRecord.update_id) == update_id,
            col(IdempotencyRecord.lease_holder) == holder,
        )
        .values(lease_until=None, lease_holder=None)
    )
    await session.exec(statement)


async def ping(*, session: AsyncSession) -> None:
    await session.exec(select(1))
