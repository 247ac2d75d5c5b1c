"""Idempotency records: the keys of the API's writes, their leases and their first answers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import func, or_, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from claimdesk.core.domain import ClaimView, Projection
from claimdesk.store.models import OPENING, IdempotencyRecord, table_of

# ---- the first answers ----

# The first answer a replayed request gets: the claim as the step that carried it out.
_VIEW_JSON = TypeAdapter(ClaimView)


def answer_json(view: ClaimView) -> dict[str, Any]:
    answer: dict[str, Any] = _VIEW_JSON.dump_python(view, mode="json")
    return answer


def answer_view(answer: dict[str, Any]) -> ClaimView:
    return _VIEW_JSON.validate_python(answer)


async def record_answer(*, session: AsyncSession, projection: Projection) -> None:
    """Keeps the step's claim as the answer of the request it carried out, if it had a key.

    The opening step (version 1) answers the `POST /claims` that reserved the reference; a
    step that answers an Update, the action sent with that Update id. A retried write
    finds the answer there and leaves it.
    """
    view = projection.claim
    records = table_of(IdempotencyRecord)
    if projection.answers is not None:
        which = records.c.update_id == projection.answers
    elif view.version == 1:
        which = (records.c.reference == view.reference) & (records.c.operation == OPENING)
    else:
        return
    await session.exec(
        records.update()
        .where(which, records.c.answer.is_(None))
        .values(answer=answer_json(view), lease_until=None, lease_holder=None)
    )


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


# ---- the records and their leases ----


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
