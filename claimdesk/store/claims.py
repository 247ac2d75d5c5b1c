"""Claims as the store holds them: the row of a `ClaimView`, its timeline, reads and writes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields
from datetime import datetime
from enum import Enum
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import JSON, and_, delete, func, or_, text
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from claimdesk.core.domain import (
    ClaimView,
    EventKind,
    Locale,
    Projection,
    Role,
    Status,
    TimelineEvent,
)
from claimdesk.core.report import ClaimReport
from claimdesk.store.idempotency import record_answer
from claimdesk.store.models import Claim, ClaimEvent, Merchant, table_of

# ---- ClaimView <-> row: each field of ClaimView is the column of the same name ----

_VIEW = TypeAdapter(ClaimView)
# Where a column holds JSON, the field's JSON form goes in: amounts as exact decimal strings,
# as the API writes them. Elsewhere the field's value, an enum as its value.
_JSON_COLUMNS = frozenset(c.name for c in table_of(Claim).columns if isinstance(c.type, JSON))
# What an outcome stored before a key existed means: decisions were all the platform's.
_OUTCOME_DEFAULTS = {"amount": None, "note": None, "decided_by": Role.OPERATOR.value}


def claim_row(view: ClaimView) -> dict[str, Any]:
    """The `claims` columns for a claim as the workflow reports it."""
    as_json = _VIEW.dump_python(view, mode="json")
    return {
        field.name: as_json[field.name]
        if field.name in _JSON_COLUMNS
        else _plain(getattr(view, field.name))
        for field in fields(ClaimView)
    }


def _plain(value: object) -> object:
    return value.value if isinstance(value, Enum) else value


def stored_claim(view: ClaimView) -> Claim:
    """The row `record_claim` writes for `view`, unsaved: what a read right after would find."""
    return Claim(**claim_row(view))


def claim_view(row: Claim) -> ClaimView:
    """The stored claim back as the workflow's `ClaimView`."""
    values = {field.name: getattr(row, field.name) for field in fields(ClaimView)}
    if values["outcome"] is not None:
        values["outcome"] = {**_OUTCOME_DEFAULTS, **values["outcome"]}
    return _VIEW.validate_python(values)


# ---- reads ----


async def get_claim_row(
    *,
    session: AsyncSession,
    reference: str,
    customer_email: str | None = None,
    merchant_id: str | None = None,
) -> Claim | None:
    """The claim's row, if it exists and matches the given owner filters."""
    query = select(Claim).where(col(Claim.reference) == reference)
    if customer_email is not None:
        query = query.where(col(Claim.customer_email) == customer_email)
    if merchant_id is not None:
        query = query.where(col(Claim.merchant_id) == merchant_id)
    return (await session.exec(query.execution_options(populate_existing=True))).first()


async def get_claim_view(*, session: AsyncSession, reference: str) -> ClaimView | None:
    """The claim as the workflow last reported it."""
    row = await get_claim_row(session=session, reference=reference)
    return None if row is None else claim_view(row)


async def list_claim_rows(
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
    equal_to = {
        Claim.customer_email: customer_email,
        Claim.merchant_id: merchant_id,
        Claim.status: status,
        Claim.subject: subject,
        Claim.escalation_level: level,
        Claim.sla_breached: breached,
    }
    for column, value in equal_to.items():
        if value is not None:
            query = query.where(col(column) == value)
    if due_before is not None:
        query = query.where(col(Claim.next_deadline) < due_before)
    if by_deadline:
        query = query.order_by(col(Claim.next_deadline).asc().nulls_last())
    query = query.order_by(col(Claim.opened_at).desc(), col(Claim.reference).desc())
    return (await session.exec(query.limit(limit).offset(offset))).all()


async def timeline_rows(*, session: AsyncSession, reference: str) -> Sequence[ClaimEvent]:
    """The claim's timeline as stored, in sequence order."""
    query = (
        select(ClaimEvent)
        .where(col(ClaimEvent.reference) == reference)
        .order_by(col(ClaimEvent.seq))
    )
    return (await session.exec(query)).all()


async def last_event_times(
    *, session: AsyncSession, until: Mapping[str, datetime]
) -> dict[str, dict[str, datetime]]:
    """For each claim of `until`, when the last event of each kind on its timeline happened,
    up to the claim's given time (a claim as an older step left it, say an action's answer,
    counts only the events it had): what a party reads of it changed last at the latest of
    the kinds it reads."""
    if not until:
        return {}
    query = (
        select(ClaimEvent.reference, ClaimEvent.kind, func.max(ClaimEvent.at))
        .where(
            or_(
                *(
                    and_(col(ClaimEvent.reference) == reference, col(ClaimEvent.at) <= at)
                    for reference, at in until.items()
                )
            )
        )
        .group_by(col(ClaimEvent.reference), col(ClaimEvent.kind))
    )
    found: dict[str, dict[str, datetime]] = {}
    for reference, kind, at in (await session.exec(query)).all():
        found.setdefault(reference, {})[kind] = at
    return found


async def timeline_events(*, session: AsyncSession, reference: str) -> list[TimelineEvent]:
    """The claim's timeline as the workflow reported it, in sequence order."""
    return [
        TimelineEvent(
            seq=row.seq,
            at=row.at,
            actor=Role(row.actor),
            kind=EventKind(row.kind),
            details=dict(row.details),
        )
        for row in await timeline_rows(session=session, reference=reference)
    ]


async def load_report(*, session: AsyncSession, reference: str) -> ClaimReport | None:
    """The claim and its timeline, for `claimdesk.core.report.render_report`."""
    claim = await get_claim_view(session=session, reference=reference)
    if claim is None:
        return None
    merchant = await session.get(Merchant, claim.merchant_id)
    return ClaimReport(
        claim=claim,
        timeline=await timeline_events(session=session, reference=reference),
        merchant_name=merchant.name if merchant else None,
        merchant_locale=Locale(merchant.locale) if merchant and merchant.locale else None,
    )


# ---- writes ----


async def reserve_claim(*, session: AsyncSession, view: ClaimView) -> bool:
    """Inserts the opening row (version 0, before the workflow reports) unless an open
    claim holds its transaction and subject.

    The partial unique index `uq_claims_open_per_transaction_subject` is the arbiter, so
    two requests racing for the same transaction cannot both win.
    """
    statement = (
        insert(Claim)
        .values(**claim_row(view))
        .on_conflict_do_nothing(
            index_elements=["transaction_id", "subject"],
            index_where=text("status <> 'closed'"),
        )
        .returning(col(Claim.reference))
    )
    return (await session.exec(statement)).first() is not None


async def open_claim_reference(
    *, session: AsyncSession, transaction_id: str, subject: str, customer_email: str | None
) -> str | None:
    """The open claim on the transaction and subject; with `customer_email`, only theirs."""
    query = select(Claim.reference).where(
        col(Claim.transaction_id) == transaction_id,
        col(Claim.subject) == subject,
        col(Claim.status) != Status.CLOSED.value,
    )
    if customer_email is not None:
        query = query.where(col(Claim.customer_email) == customer_email)
    return (await session.exec(query)).first()


async def delete_unreported_claim(*, session: AsyncSession, reference: str) -> None:
    """Drops a reservation the workflow never reported on (version 0)."""
    statement = delete(Claim).where(col(Claim.reference) == reference, col(Claim.version) == 0)
    await session.exec(statement)


async def opened_by_another_run(*, session: AsyncSession, projection: Projection) -> bool:
    """Whether `projection` is an opening (version 1) while the store holds its claim past
    it: another run of the reference's workflow opened it first.

    A run writes its opening before anything else, so the store never holds its claim past
    version 1 when that write (or a retry of it) runs; only a second run under the same
    reference finds it so: a start sent again once the claim's workflow had ended."""
    if projection.claim.version != 1:
        return False
    query = select(Claim.version).where(col(Claim.reference) == projection.claim.reference)
    stored = (await session.exec(query)).first()
    return stored is not None and stored > 1


async def record_claim(*, session: AsyncSession, projection: Projection) -> bool:
    """Upserts the claim unless the store already holds a newer version; adds new events.

    Returns whether the claim row was written. A replayed or late projection (same or
    older version) leaves the row alone; its events land at most once all the same.
    """
    claims = table_of(Claim)
    row = claim_row(projection.claim)
    statement = insert(claims).values(**row)
    upsert = statement.on_conflict_do_update(
        index_elements=[claims.c.reference],
        set_={name: statement.excluded[name] for name in row if name != "reference"},
        # The API may have reserved the reference with version 0 before the workflow ran.
        where=claims.c.version < statement.excluded.version,
    ).returning(claims.c.reference)
    written = (await session.exec(upsert)).first() is not None
    await record_events(
        session=session, reference=projection.claim.reference, events=projection.events
    )
    await record_answer(session=session, projection=projection)
    return written


async def record_events(
    *, session: AsyncSession, reference: str, events: list[TimelineEvent]
) -> None:
    if not events:
        return
    statement = insert(table_of(ClaimEvent)).values(
        [
            {
                "reference": reference,
                "seq": event.seq,
                "at": event.at,
                "actor": str(event.actor),
                "kind": event.kind,
                "details": dict(event.details),
            }
            for event in events
        ]
    )
    await session.exec(statement.on_conflict_do_nothing(constraint="uq_claim_events_reference_seq"))
