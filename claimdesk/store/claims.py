"""Claims as the store holds them: the row of a `ClaimView`, its timeline, reads and writes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, text
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from claimdesk.core.domain import (
    Category,
    ClaimView,
    ClosedReason,
    Deadline,
    EventKind,
    Locale,
    Outcome,
    Projection,
    Proposal,
    ProposalKind,
    Role,
    Status,
    Subject,
    TimelineEvent,
)
from claimdesk.core.report import ClaimReport
from claimdesk.store.idempotency import record_answer
from claimdesk.store.models import Claim, ClaimEvent, table_of

# ---- ClaimView <-> row ----


def _money(amount: Decimal | None) -> str | None:
    # A string keeps the exact decimal in JSON, as the API writes amounts.
    return None if amount is None else str(amount)


def proposal_json(proposal: Proposal | None) -> dict[str, Any] | None:
    if proposal is None:
        return None
    return {"kind": str(proposal.kind), "amount": _money(proposal.amount)}


def outcome_json(outcome: Outcome | None) -> dict[str, Any] | None:
    if outcome is None:
        return None
    return {
        "kind": outcome.kind,
        "amount": _money(outcome.amount),
        "note": outcome.note,
        "decided_by": str(outcome.decided_by),
    }


def claim_row(view: ClaimView) -> dict[str, Any]:
    """The `claims` columns for a claim as the workflow reports it."""
    return {
        "reference": view.reference,
        "transaction_id": view.transaction_id,
        "merchant_id": view.merchant_id,
        "customer_email": view.customer_email,
        "customer_name": view.customer_name,
        "subject": str(view.subject),
        "category": str(view.category),
        "description": view.description,
        "locale": str(view.locale),
        "amount": view.amount,
        "currency": view.currency,
        "status": str(view.status),
        "escalation_level": view.escalation_level,
        "sla_breached": view.sla_breached,
        "next_deadline": view.next_deadline,
        "next_deadline_kind": None
        if view.next_deadline_kind is None
        else str(view.next_deadline_kind),
        "proposal": proposal_json(view.proposal),
        "outcome": outcome_json(view.outcome),
        "closed_reason": None if view.closed_reason is None else str(view.closed_reason),
        "opened_at": view.opened_at,
        "updated_at": view.updated_at,
        "resolved_at": view.resolved_at,
        "closed_at": view.closed_at,
        "transaction_occurred_at": view.transaction_occurred_at,
        "allowed_actions": {
            role: [str(a) for a in acts] for role, acts in view.allowed_actions.items()
        },
        "version": view.version,
    }


def stored_claim(view: ClaimView) -> Claim:
    """The row `record_claim` writes for `view`, unsaved: what a read right after would find."""
    return Claim(**claim_row(view))


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def claim_view(row: Claim) -> ClaimView:
    """The stored claim back as the workflow's `ClaimView`."""
    proposal = None
    if row.proposal is not None:
        proposal = Proposal(
            kind=ProposalKind(row.proposal["kind"]), amount=_decimal(row.proposal.get("amount"))
        )
    outcome = None
    if row.outcome is not None:
        outcome = Outcome(
            kind=row.outcome["kind"],
            amount=_decimal(row.outcome.get("amount")),
            note=row.outcome.get("note"),
            decided_by=Role(row.outcome.get("decided_by", Role.OPERATOR)),
        )
    return ClaimView(
        reference=row.reference,
        transaction_id=row.transaction_id,
        merchant_id=row.merchant_id,
        customer_email=row.customer_email,
        customer_name=row.customer_name,
        subject=Subject(row.subject),
        category=Category(row.category),
        description=row.description,
        locale=Locale(row.locale),
        amount=row.amount,
        currency=row.currency,
        status=Status(row.status),
        escalation_level=row.escalation_level,
        sla_breached=row.sla_breached,
        next_deadline=row.next_deadline,
        next_deadline_kind=None
        if row.next_deadline_kind is None
        else Deadline(row.next_deadline_kind),
        proposal=proposal,
        outcome=outcome,
        closed_reason=None if row.closed_reason is None else ClosedReason(row.closed_reason),
        opened_at=row.opened_at,
        updated_at=row.updated_at,
        resolved_at=row.resolved_at,
        closed_at=row.closed_at,
        transaction_occurred_at=row.transaction_occurred_at,
        allowed_actions=dict(row.allowed_actions),
        version=row.version,
    )


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


async def timeline_rows(*, session: AsyncSession, reference: str) -> Sequence[ClaimEvent]:
    """The claim's timeline as stored, in sequence order."""
    query = (
        select(ClaimEvent)
        .where(col(ClaimEvent.reference) == reference)
        .order_by(col(ClaimEvent.seq))
    )
    return (await session.exec(query)).all()


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
    return ClaimReport(
        claim=claim, timeline=await timeline_events(session=session, reference=reference)
    )


# ---- writes ----


async def reserve_claim(*, session: AsyncSession, claim: Claim) -> bool:
    """Inserts the opening row unless an open claim holds its transaction and subject.

    The partial unique index `uq_claims_open_per_transaction_subject` is the arbiter, so
    two requests racing for the same transaction cannot both win.
    """
    values = {c.name: getattr(claim, c.name) for c in table_of(Claim).columns}
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
