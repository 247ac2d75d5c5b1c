"""Response bodies: complete on the way out, a claim as the store holds it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Self

from pydantic import BaseModel, Field

from claimdesk.core.domain import Category, ClosedReason, Locale, Status, Subject
from claimdesk.store.merchants import MerchantClaims
from claimdesk.store.models import Claim, ClaimEvent, Merchant, MerchantStrike, Transaction


class ProposalOut(BaseModel):
    kind: str
    amount: Decimal | None = None


class OutcomeOut(BaseModel):
    kind: str
    amount: Decimal | None = None
    note: str | None = None
    decided_by: str | None = None


class TimelineEventOut(BaseModel):
    seq: int
    at: datetime
    actor: str
    kind: str
    details: dict[str, str]

    @classmethod
    def of(cls, event: ClaimEvent) -> TimelineEventOut:
        return cls(
            seq=event.seq, at=event.at, actor=event.actor, kind=event.kind, details=event.details
        )


class ClaimOut(BaseModel):
    """A claim as the store holds it, with what the caller may do to it now."""

    reference: str
    transaction_id: str
    merchant_id: str
    customer_email: str
    customer_name: str
    subject: Subject
    category: Category
    description: str
    locale: Locale
    amount: Decimal
    currency: str
    status: Status
    escalation_level: int
    sla_breached: bool
    next_deadline: datetime | None
    next_deadline_kind: str | None
    proposal: ProposalOut | None
    outcome: OutcomeOut | None
    closed_reason: ClosedReason | None
    opened_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    allowed_actions: list[str]

    @classmethod
    def of(cls, claim: Claim, *, role: str) -> Self:
        # The stored row has every field under the same name; only the actions are per role.
        fields = {name: getattr(claim, name) for name in ClaimOut.model_fields}
        fields["allowed_actions"] = list(claim.allowed_actions.get(role, []))
        return cls.model_validate(fields)


class ClaimDetail(ClaimOut):
    timeline: list[TimelineEventOut]


class Page(BaseModel):
    limit: int
    offset: int
    next_offset: int | None = Field(
        description="the offset of the next page, or null on the last page"
    )


class ClaimPage(Page):
    items: list[ClaimOut]


class TransactionOut(BaseModel):
    id: str
    merchant_id: str
    customer_email: str
    amount: Decimal
    currency: str
    occurred_at: datetime

    @classmethod
    def of(cls, row: Transaction) -> TransactionOut:
        return cls.model_validate(row, from_attributes=True)


class TransactionPage(Page):
    items: list[TransactionOut]


class StrikeOut(BaseModel):
    reference: str = Field(description="the claim the merchant left unanswered")
    at: datetime


class OpenClaims(BaseModel):
    """The merchant's claims not closed yet; list them with `GET /claims?merchant_id=…`."""

    total: int
    breached: int
    by_level: dict[str, int] = Field(description='e.g. {"1": 4, "3": 1}')


class MerchantOut(BaseModel):
    id: str
    name: str
    email: str | None
    strikes: int
    status: str
    updated_at: datetime
    strike_history: list[StrikeOut]
    open_claims: OpenClaims

    @classmethod
    def of(
        cls, row: Merchant, strikes: Sequence[MerchantStrike], claims: MerchantClaims
    ) -> MerchantOut:
        return cls(
            id=row.id,
            name=row.name,
            email=row.email,
            strikes=row.strikes,
            status=row.status,
            updated_at=row.updated_at,
            strike_history=[StrikeOut(reference=s.reference, at=s.at) for s in strikes],
            open_claims=OpenClaims(
                total=claims.open,
                breached=claims.breached,
                by_level={str(level): n for level, n in sorted(claims.by_level.items())},
            ),
        )


class Health(BaseModel):
    status: str
    checks: dict[str, str] = Field(default_factory=dict)
