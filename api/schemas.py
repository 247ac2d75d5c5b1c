"""The API's request and response bodies: strict on the way in, complete on the way out."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StrictBool,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from claimdesk.core.domain import (
    MONETARY_OUTCOMES,
    Category,
    ClosedReason,
    DecisionOutcome,
    Locale,
    MerchantAction,
    ProposalKind,
    Status,
    Subject,
)
from claimdesk.store.merchants import MerchantClaims
from claimdesk.store.models import Claim, ClaimEvent, Merchant, MerchantStrike, Transaction

_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?")
_AMOUNT_MAX_CHARS = 32  # 14 digits and a point, with room for zeros a client pads with


def _decimal_string(value: Any) -> Any:
    """Amounts travel as decimal strings ("49.90"): a JSON number would lose cents to floats."""
    if (
        not isinstance(value, str)
        or len(value) > _AMOUNT_MAX_CHARS
        or not _DECIMAL.fullmatch(value)
    ):
        # No exponents, signs, spaces or NaN: the amount reads as it is written.
        raise ValueError('an amount is a decimal string such as "49.90"')
    return value


Amount = Annotated[
    Decimal,
    BeforeValidator(_decimal_string),
    Field(gt=0, max_digits=14, decimal_places=2),
    # What a client must send, said plainly (pydantic would document a number or any string).
    WithJsonSchema(
        {
            "type": "string",
            "pattern": f"^{_DECIMAL.pattern}$",
            "maxLength": _AMOUNT_MAX_CHARS,
            "description": "a decimal string, more than 0, at most 2 decimals and 14 digits",
            "examples": ["49.90"],
        }
    ),
]
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _email(value: str) -> str:
    value = value.strip().lower()  # after the length check: the bound holds for what was sent
    if not _EMAIL.fullmatch(value):
        raise ValueError("an e-mail address such as ana@example.com")
    if not value.isascii():
        # Sending to such an address needs SMTPUTF8 end to end, which claimdesk does not
        # ask of the mail servers yet: refuse it here rather than fail every e-mail later.
        raise ValueError("an e-mail address in ASCII characters (ana@example.com)")
    return value


Email = Annotated[str, StringConstraints(max_length=254), AfterValidator(_email)]
# A transaction happened between the platform's first days and now (give or take a clock's
# skew); outside that it is a typo or a probe, and year 1 at +14:00 is not even a UTC instant.
_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
_CLOCK_SKEW = timedelta(hours=1)


def _plausible_instant(value: datetime) -> datetime:
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not _EARLIEST <= utc <= datetime.now(UTC) + _CLOCK_SKEW:
        raise ValueError("a time from 2000-01-01 up to now, with its offset")
    return value


# RFC 3339, which the schema's `format: date-time` names; pydantic alone also reads Unix times
# (1700000000, "-2.9e-100") and looser spellings ("2026-01-01 10:00Z") the schema never offers.
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})")


def _rfc3339(value: Any) -> Any:
    if isinstance(value, datetime) or (isinstance(value, str) and _RFC3339.fullmatch(value)):
        return value
    raise ValueError("a time as RFC 3339 writes it, such as 2026-01-01T10:00:00Z")


Instant = Annotated[AwareDatetime, BeforeValidator(_rfc3339)]
PastInstant = Annotated[Instant, AfterValidator(_plausible_instant)]
Identifier = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
]


@dataclass(frozen=True)
class Trimmed:
    """Free text: its bounds hold for what the client sent, then its ends are trimmed.

    What must be left once trimmed (`min_length` characters, from the first one that is not
    a space to the last) is the schema's `pattern`, checked with Python's `re` as a client or
    a fuzzer reading the schema would: the OpenAPI says exactly what is accepted.
    """

    min_length: int
    max_length: int

    @property
    def pattern(self) -> str:
        if self.min_length == 1:
            return r"\S"
        return rf"\S[\s\S]{{{self.min_length - 2},}}\S"

    def _trim(self, value: str) -> str:
        if not re.search(self.pattern, value):
            least = "a character" if self.min_length == 1 else f"{self.min_length} characters"
            raise ValueError(f"at least {least} once the spaces around are trimmed")
        return value.strip()

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        limits = core_schema.str_schema(min_length=self.min_length, max_length=self.max_length)
        return core_schema.no_info_after_validator_function(self._trim, limits)

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {**handler(schema), "pattern": self.pattern}


Name = Annotated[str, Trimmed(1, 200)]
Text = Annotated[str, Trimmed(1, 5000)]
ShortText = Annotated[str, Trimmed(1, 2000)]
Phone = Annotated[str, Trimmed(3, 32)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


class Body(BaseModel):
    """A request body: unknown fields are an error, not a silent loss."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        # PostgreSQL text cannot hold U+0000: refused here, before anything is stored or sent.
        if _has_nul(data):
            raise ValueError("text may not contain NUL (U+0000) characters")
        return data


# ---- requests ----


class ContactIn(Body):
    name: Name
    email: Email
    phone: Phone | None = None


class ClaimCreate(Body):
    transaction_id: Identifier
    subject: Subject
    category: Category
    description: Text
    contact: ContactIn
    locale: Locale = Locale.EN


class MessageIn(Body):
    body: Text


class ProposalIn(Body):
    kind: ProposalKind
    amount: Amount | None = None

    @model_validator(mode="after")
    def _amount_only_for_refunds(self) -> Self:
        if self.kind is ProposalKind.REFUND and self.amount is None:
            raise ValueError("a refund proposal needs an amount")
        if self.kind is not ProposalKind.REFUND and self.amount is not None:
            raise ValueError(f"a {self.kind.value} proposal takes no amount")
        return self


class MerchantResponseIn(Body):
    action: MerchantAction
    message: Text | None = None
    proposal: ProposalIn | None = None
    reason: ShortText | None = None

    @model_validator(mode="after")
    def _fields_fit_action(self) -> Self:
        if self.action is MerchantAction.PROPOSE and self.proposal is None:
            raise ValueError("action 'propose' needs a proposal")
        if self.action is not MerchantAction.PROPOSE and self.proposal is not None:
            raise ValueError("only action 'propose' takes a proposal")
        if self.action is MerchantAction.REJECT and self.reason is None:
            raise ValueError("action 'reject' needs a reason")
        if self.action is MerchantAction.REQUEST_INFO and self.message is None:
            raise ValueError("action 'request_info' needs a message (the question)")
        return self


class ProposalAnswerIn(Body):
    reason: ShortText | None = None


class CloseIn(Body):
    note: ShortText | None = None


class SatisfactionIn(Body):
    satisfied: StrictBool
    comment: ShortText | None = None


class DecisionIn(Body):
    outcome: DecisionOutcome
    amount: Amount | None = None
    note: ShortText

    @model_validator(mode="after")
    def _amount_fits_outcome(self) -> Self:
        if self.outcome in MONETARY_OUTCOMES and self.amount is None:
            raise ValueError(f"outcome '{self.outcome.value}' needs an amount")
        if self.outcome not in MONETARY_OUTCOMES and self.amount is not None:
            raise ValueError(f"outcome '{self.outcome.value}' takes no amount")
        return self


class InfoRequestIn(Body):
    question: ShortText


class TransactionIn(Body):
    id: Identifier
    merchant_id: Identifier
    customer_email: Email
    amount: Amount
    currency: Currency
    occurred_at: PastInstant


class MerchantIn(Body):
    id: Identifier
    name: Name
    email: Email | None = None


# ---- responses ----


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


# Far past any real listing, and well inside PostgreSQL's bigint OFFSET.
MAX_OFFSET = 1_000_000_000


class Page(BaseModel):
    limit: int
    offset: int
    next_offset: int | None = Field(
        description="the offset of the next page, or null on the last page"
    )


class ClaimPage(Page):
    items: list[ClaimOut]


class ClaimOrder(StrEnum):
    NEWEST = "newest"  # opened most recently first
    DUE = "due"  # the soonest next deadline first; claims with none last


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
