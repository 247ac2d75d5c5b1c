"""The store access of the activities: the claim projection, strikes, the mail log, the report."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Table, func
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
    Standing,
    Status,
    StrikeInput,
    StrikeResult,
    Subject,
    TimelineEvent,
)
from claimdesk.core.permissions import strike_restricts
from claimdesk.core.report import ClaimReport
from claimdesk.store import queries
from claimdesk.store.models import (
    OPENING,
    Claim,
    ClaimEvent,
    IdempotencyRecord,
    Merchant,
    MerchantStrike,
    SentMail,
)


def _table(model: type[Any]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


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


# ---- writes ----


async def record_claim(*, session: AsyncSession, projection: Projection) -> bool:
    """Upserts the claim unless the store already holds a newer version; adds new events.

    Returns whether the claim row was written. A replayed or late projection (same or
    older version) leaves the row alone; its events land at most once all the same.
    """
    claims = _table(Claim)
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
    records = _table(IdempotencyRecord)
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


async def record_events(
    *, session: AsyncSession, reference: str, events: list[TimelineEvent]
) -> None:
    if not events:
        return
    events_table = _table(ClaimEvent)
    statement = insert(events_table).values(
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


async def record_strike(*, session: AsyncSession, strike: StrikeInput) -> StrikeResult:
    """One non-cooperation strike per (merchant, claim); restricts the merchant at the limit.

    A replay (the strike is already there) changes nothing, so an operator who
    reinstated the merchant meanwhile is not overruled by a retried activity.
    """
    await queries.ensure_merchant(session=session, merchant_id=strike.merchant_id, at=strike.at)
    merchants = _table(Merchant)
    # Lock the merchant so concurrent strikes from two claims count in turn.
    status = (
        await session.exec(
            select(Merchant.status).where(Merchant.id == strike.merchant_id).with_for_update()
        )
    ).one()
    strikes_table = _table(MerchantStrike)
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


# ---- the mail log ----


async def mail_already_sent(*, session: AsyncSession, key: str) -> bool:
    found = await session.exec(select(SentMail.key).where(SentMail.key == key))
    return found.first() is not None


async def log_sent_mail(
    *,
    session: AsyncSession,
    key: str,
    reference: str,
    template: str,
    recipient: str,
    subject: str,
    message_id: str,
    sent_at: datetime,
) -> bool:
    """Logs a mail; False if the key is already logged.

    On a key a concurrent, uncommitted attempt holds, PostgreSQL makes this wait
    for that attempt to finish, so two attempts never both send.
    """
    sent = _table(SentMail)
    statement = (
        insert(sent)
        .values(
            key=key,
            reference=reference,
            template=template,
            recipient=recipient[:254],
            subject=subject[:300],
            message_id=message_id[:300],
            sent_at=sent_at,
        )
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(sent.c.key)
    )
    return (await session.exec(statement)).first() is not None


async def merchant_contact(*, session: AsyncSession, merchant_id: str) -> str | None:
    found = await session.exec(select(Merchant.email).where(Merchant.id == merchant_id))
    return found.one_or_none() or None


# ---- reads for the report ----


async def get_claim(*, session: AsyncSession, reference: str) -> ClaimView | None:
    row = await session.get(Claim, reference)
    return None if row is None else claim_view(row)


async def list_events(*, session: AsyncSession, reference: str) -> list[TimelineEvent]:
    rows = await session.exec(
        select(ClaimEvent).where(ClaimEvent.reference == reference).order_by(col(ClaimEvent.seq))
    )
    return [
        TimelineEvent(
            seq=row.seq,
            at=row.at,
            actor=Role(row.actor),
            kind=EventKind(row.kind),
            details=dict(row.details),
        )
        for row in rows
    ]


async def load_report(*, session: AsyncSession, reference: str) -> ClaimReport | None:
    """The claim and its timeline, for `claimdesk.core.report.render_report`."""
    claim = await get_claim(session=session, reference=reference)
    if claim is None:
        return None
    return ClaimReport(
        claim=claim, timeline=await list_events(session=session, reference=reference)
    )
