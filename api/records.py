"""Transactions and merchants: recording a transaction, and a merchant as its callers see it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from api.auth import Principal
from api.errors import NotFound, ProblemError
from api.schemas import MerchantOut, TransactionIn
from claimdesk.core.domain import Role
from claimdesk.store import merchants, transactions
from claimdesk.store.models import Merchant, Transaction


async def record_transaction(
    *, session: AsyncSession, body: TransactionIn
) -> tuple[Transaction, bool]:
    """Stores a new transaction (and a placeholder for an unknown merchant).

    Posting the same transaction again is harmless and answers it; posting different
    data under an existing id is a conflict, since claims may already rest on it.
    """
    now = datetime.now(UTC)
    await merchants.ensure_merchant(session=session, merchant_id=body.merchant_id, at=now)
    row = transactions.TransactionRow(**body.model_dump())
    stored, created = await transactions.insert_transaction(session=session, row=row)
    if not created and transactions.TransactionRow.of(stored) != row:
        raise ProblemError(
            409,
            "transaction-exists",
            "Transaction exists",
            f"transaction {body.id} is already recorded with different data",
        )
    return stored, created


async def visible_merchant(
    *, session: AsyncSession, principal: Principal, merchant_id: str
) -> Merchant:
    """Operators see every merchant, a merchant only itself, customers none (404)."""
    mine = principal.role is Role.OPERATOR or (
        principal.role is Role.MERCHANT and principal.merchant_id == merchant_id
    )
    merchant = await merchants.get_merchant(session=session, merchant_id=merchant_id)
    if merchant is None or not mine:
        raise NotFound(f"merchant {merchant_id}")
    return merchant


async def merchant_record(*, session: AsyncSession, merchant: Merchant) -> MerchantOut:
    """The merchant as an operator weighs it: strikes with their claims, and open claims."""
    strikes = await merchants.merchant_strikes(session=session, merchant_id=merchant.id)
    claims = await merchants.merchant_claims(session=session, merchant_id=merchant.id)
    ratings = await merchants.merchant_ratings(session=session, merchant_id=merchant.id)
    return MerchantOut.of(merchant, strikes, claims, ratings)
