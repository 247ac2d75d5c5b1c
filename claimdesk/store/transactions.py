"""Payment transactions: recorded by operators and imports, the ground a claim stands on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from claimdesk.store.models import Transaction


@dataclass(frozen=True)
class TransactionRow:
    id: str
    merchant_id: str
    customer_email: str
    amount: Decimal
    currency: str
    occurred_at: datetime

    @classmethod
    def of(cls, stored: Transaction) -> TransactionRow:
        """The stored transaction as a row, to compare with one asked for."""
        return cls(**{name: getattr(stored, name) for name in cls.__dataclass_fields__})

    def values(self) -> dict[str, Any]:
        """The `transactions` columns: one per field, of the same name."""
        return asdict(self)


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
