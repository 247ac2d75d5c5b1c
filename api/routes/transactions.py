"""Transactions: operators record them; customers (and merchants) see their own."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from api import records
from api.auth import PrincipalDep, require_role
from api.deps import SessionDep
from api.errors import NotFound, problem_responses
from api.schemas import MAX_OFFSET, TransactionIn, TransactionOut, TransactionPage
from claimdesk.core.domain import Role
from claimdesk.store import transactions

router = APIRouter(
    prefix="/transactions",
    tags=["transactions"],
    responses=problem_responses(400, 401, 413, 422),
)


@router.post(
    "",
    status_code=201,
    summary="Record a transaction (201 when new, 200 when the same one was already there)",
    responses={
        200: {"model": TransactionOut, "description": "Already recorded, the same"},
        **problem_responses(403, 409),
    },
)
async def record_transaction(
    body: TransactionIn, principal: PrincipalDep, session: SessionDep, response: Response
) -> TransactionOut:
    require_role(principal, Role.OPERATOR)
    stored, created = await records.record_transaction(session=session, body=body)
    await session.commit()
    if not created:
        response.status_code = 200
    response.headers["Location"] = f"/transactions/{stored.id}"
    return TransactionOut.of(stored)


@router.get("", summary="The transactions you may see, newest first")
async def list_transactions(
    principal: PrincipalDep,
    session: SessionDep,
    merchant_id: Annotated[str | None, Query(max_length=64)] = None,
    customer_email: Annotated[str | None, Query(max_length=254)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> TransactionPage:
    if principal.role is not Role.OPERATOR and (merchant_id or customer_email):
        # Only operators filter by owner; everyone else already sees only their own.
        merchant_id = customer_email = None
    rows = await transactions.list_transactions(
        session=session,
        customer_email=principal.customer_filter or (customer_email or "").lower() or None,
        merchant_id=principal.merchant_filter or merchant_id,
        limit=limit + 1,
        offset=offset,
    )
    return TransactionPage(
        items=[TransactionOut.of(row) for row in rows[:limit]],
        limit=limit,
        offset=offset,
        next_offset=offset + limit if len(rows) > limit else None,
    )


@router.get("/{transaction_id}", summary="One transaction", responses=problem_responses(404))
async def get_transaction(
    transaction_id: Annotated[str, Path(max_length=64)],
    principal: PrincipalDep,
    session: SessionDep,
) -> TransactionOut:
    row = await transactions.get_transaction(
        session=session,
        transaction_id=transaction_id,
        customer_email=principal.customer_filter,
        merchant_id=principal.merchant_filter,
    )
    if row is None:
        raise NotFound(f"transaction {transaction_id}")
    return TransactionOut.of(row)
