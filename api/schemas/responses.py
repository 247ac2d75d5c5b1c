"""Response bodies: complete on the way out, a claim as the store holds it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import ClassVar, Self

from pydantic import BaseModel, Field

from claimdesk.core.audience import (
    sees_customer_phone,
    sees_description,
    sees_merchant_contact,
    updated_at_for,
)
from claimdesk.core.domain import Category, ClosedReason, Locale, Role, Status, Subject
from claimdesk.store.merchants import MerchantClaims, MerchantRatings
from claimdesk.store.models import Claim, ClaimEvent, Merchant, MerchantStrike, Transaction


class ProposalOut(BaseModel):
    kind: str
    amount: Decimal | None = None


class OutcomeOut(BaseModel):
    kind: str
    amount: Decimal | None = None
    note: str | None = None
    decided_by: str | None = None


class MerchantContactOut(BaseModel):
    """How to reach the merchant directly (its record, read when the claim is)."""

    email: str | None
    phone: str | None


class TimelineEventOut(BaseModel):
    seq: int = Field(description="the event's place in the timeline as the caller reads it, from 1")
    at: datetime
    actor: str
    kind: str
    details: dict[str, str]

    @classmethod
    def of(
        cls,
        event: ClaimEvent,
        *,
        seq: int | None = None,
        read: tuple[str, dict[str, str]] | None = None,
    ) -> TimelineEventOut:
        """The event, numbered `seq` and with `read` (its kind and details as a caller reads
        them, claimdesk.core.audience.read_as) instead of its own if given."""
        kind, details = (event.kind, event.details) if read is None else read
        return cls(
            seq=event.seq if seq is None else seq,
            at=event.at,
            actor=event.actor,
            kind=kind,
            details=details,
        )


class ClaimOut(BaseModel):
    """A claim as the store holds it, with what the caller may do to it now."""

    reference: str = Field(description="the claim's reference, e.g. CLM-7Q2M4X9KTD")
    transaction_id: str = Field(description="the transaction the claim is about")
    merchant_id: str = Field(description="the merchant of that transaction")
    customer_email: str = Field(description="the customer's address (the purchase's)")
    customer_name: str = Field(description="the customer's name as they gave it")
    customer_phone: str | None = Field(
        description="the customer's phone, if they gave one; the merchant reads it only if "
        "the customer shared it"
    )
    customer_shares_phone: bool = Field(
        description="whether the customer shares their phone with the merchant"
    )
    subject: Subject = Field(description="payment (platform handles) or delivery (merchant)")
    category: Category = Field(description="what went wrong, within the subject")
    description: str | None = Field(
        description="the customer's account of the problem; null for the merchant of a "
        "payment claim (the customer's word to the platform)"
    )
    locale: Locale = Field(description="the language the customer is written to in")
    amount: Decimal = Field(description="the transaction's amount, a decimal string")
    currency: str = Field(description="the transaction's ISO 4217 currency code")
    status: Status = Field(description="open, awaiting_customer, resolved or closed")
    escalation_level: int = Field(description="1 merchant, 2 platform, 3 customer experience")
    sla_breached: bool = Field(description="true once the resolution target has passed")
    next_deadline: datetime | None = Field(
        description="when the claim next moves by itself if nobody acts, or null"
    )
    next_deadline_kind: str | None = Field(
        description="which deadline that is: level2, level3, resolution_target, "
        "satisfaction, inactivity or transaction_horizon"
    )
    proposal: ProposalOut | None = Field(description="the merchant's pending proposal, if any")
    outcome: OutcomeOut | None = Field(description="how the claim was resolved, once it is")
    closed_reason: ClosedReason | None = Field(description="why the claim closed, once it did")
    opened_at: datetime = Field(description="when the customer filed the claim")
    updated_at: datetime = Field(
        description="when the claim last changed as the caller reads it: for a customer or a "
        "merchant, when the last event of its timeline happened"
    )
    resolved_at: datetime | None = Field(description="when it was resolved, while it is")
    closed_at: datetime | None = Field(description="when it closed, once it did")
    allowed_actions: list[str] = Field(
        description="what the caller may do to the claim now: message, merchant_response, "
        "accept_proposal, reject_proposal, close, withdraw, satisfaction, decision, request_info, "
        "internal_note, findings"
    )

    merchant_name: str = Field(description="the merchant's display name")
    merchant_contact: MerchantContactOut | None = Field(
        description="the merchant's direct contact details: on delivery claims for the "
        "customer, always for operators and the merchant; null when it has none"
    )

    # Read from the merchant's record when the claim is read, never carried by the workflow.
    FROM_THE_MERCHANT: ClassVar[frozenset[str]] = frozenset({"merchant_name", "merchant_contact"})

    @classmethod
    def of(
        cls,
        claim: Claim,
        *,
        role: str,
        merchant: Merchant | None = None,
        last_by_kind: Mapping[str, datetime] | None = None,
    ) -> Self:
        """The claim as `role` reads it; `last_by_kind`: when the last event of each kind on
        its timeline happened (none known: a party reads it as unchanged since opening)."""
        # The stored row has every other field under the same name; the actions are per role.
        fields = {
            name: getattr(claim, name)
            for name in ClaimOut.model_fields
            if name not in cls.FROM_THE_MERCHANT
        }
        fields["allowed_actions"] = list(claim.allowed_actions.get(role, []))
        fields["updated_at"] = updated_at_for(
            Role(role),
            Subject(claim.subject),
            updated_at=claim.updated_at,
            opened_at=claim.opened_at,
            last_by_kind=last_by_kind or {},
        )
        if not sees_description(Role(role), Subject(claim.subject)):
            fields["description"] = None
        if not sees_customer_phone(Role(role), claim.customer_shares_phone):
            fields["customer_phone"] = None
        fields["merchant_name"] = merchant.name if merchant else claim.merchant_id
        fields["merchant_contact"] = None
        if (
            merchant is not None
            and (merchant.email or merchant.phone)
            and sees_merchant_contact(Role(role), Subject(claim.subject))
        ):
            fields["merchant_contact"] = MerchantContactOut(
                email=merchant.email, phone=merchant.phone
            )
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
    phone: str | None = None
    locale: Locale | None = None
    strikes: int
    status: str
    updated_at: datetime
    strike_history: list[StrikeOut]
    open_claims: OpenClaims
    ratings: int = Field(0, description="how many satisfaction answers carried a rating")
    average_rating: Decimal | None = Field(
        None, description="the customers' average rating, 1 to 5 (none rated yet: null)"
    )

    @classmethod
    def of(
        cls,
        row: Merchant,
        strikes: Sequence[MerchantStrike],
        claims: MerchantClaims,
        ratings: MerchantRatings | None = None,
    ) -> MerchantOut:
        return cls(
            id=row.id,
            name=row.name,
            email=row.email,
            phone=row.phone,
            locale=Locale(row.locale) if row.locale else None,
            strikes=row.strikes,
            status=row.status,
            updated_at=row.updated_at,
            strike_history=[StrikeOut(reference=s.reference, at=s.at) for s in strikes],
            open_claims=OpenClaims(
                total=claims.open,
                breached=claims.breached,
                by_level={str(level): n for level, n in sorted(claims.by_level.items())},
            ),
            ratings=ratings.count if ratings else 0,
            average_rating=ratings.average if ratings else None,
        )


class ClaimStaysOut(BaseModel):
    reference: str
    reason: str = Field(description="why the claim did not move: its own refusal")


class MerchantStandingOut(MerchantOut):
    """The merchant after a termination or a reinstatement, and what it did to its claims
    still awaiting an answer."""

    claims_moved: list[str] = Field(
        description="the claims this call moved: to the platform (terminate), back to the "
        "merchant (reinstate)"
    )
    claims_staying: list[ClaimStaysOut] = Field(
        description="the claims this call left where they are, each with the claim's reason"
    )


class Health(BaseModel):
    status: str
    checks: dict[str, str] = Field(default_factory=dict)
