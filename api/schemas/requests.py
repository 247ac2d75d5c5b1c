"""Request bodies and query parameters: strict on the way in, unknown fields refused."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    StrictBool,
    StrictInt,
    ValidationError,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from api.schemas.fields import (
    Amount,
    Currency,
    Email,
    Identifier,
    Name,
    PastInstant,
    Phone,
    ShortText,
    Text,
)
from claimdesk.core.currency import decimals_refusal
from claimdesk.core.domain import (
    MONETARY_OUTCOMES,
    Category,
    DecisionOutcome,
    Locale,
    MerchantAction,
    ProposalKind,
    Subject,
)
from claimdesk.core.permissions import RATINGS


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


class ContactIn(Body):
    name: Name
    email: Email
    phone: Phone | None = None
    share_phone_with_merchant: StrictBool = False


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
    # The degree of satisfaction (seed 003); optional, so a yes/no alone still answers.
    rating: Annotated[StrictInt, Field(ge=RATINGS.start, le=RATINGS.stop - 1)] | None = None


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


class InternalNoteIn(Body):
    """An operator's note on a claim: seen by operators only, nobody is e-mailed."""

    note: ShortText


class FindingsIn(Body):
    note: ShortText  # what the investigation found, for the customer


class TransactionIn(Body):
    id: Identifier
    merchant_id: Identifier
    customer_email: Email
    amount: Amount
    currency: Currency
    occurred_at: PastInstant

    @model_validator(mode="wrap")
    @classmethod
    def _amount_fits_currency(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        transaction = handler(data)
        why = decimals_refusal(transaction.amount, transaction.currency)
        if why is not None:
            # Named as the amount's own error, so the problem details point at the field.
            raise ValidationError.from_exception_data(
                cls.__name__,
                [
                    InitErrorDetails(
                        type=PydanticCustomError("amount_decimals", why),
                        loc=("amount",),
                        input=data.get("amount") if isinstance(data, dict) else None,
                    )
                ],
            )
        return transaction


class MerchantIn(Body):
    id: Identifier
    name: Name
    email: Email | None = None
    phone: Phone | None = None
    locale: Locale | None = None  # the merchant's e-mails; unset: each claim's locale


# ---- query parameters ----

# Far past any real listing, and well inside PostgreSQL's bigint OFFSET.
MAX_OFFSET = 1_000_000_000


class ClaimOrder(StrEnum):
    NEWEST = "newest"  # opened most recently first
    DUE = "due"  # the soonest next deadline first; claims with none last
