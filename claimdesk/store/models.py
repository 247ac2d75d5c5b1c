"""The relational store's tables: transactions, merchants, keys, claims, timeline, mail log."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, Numeric, Table, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

# The operation of an `IdempotencyRecord` that opened a claim (the others name an Action).
OPENING = "open"


def table_of(model: type[Any]) -> Table:
    """The model's table, typed: SQLModel does not declare `__table__`."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _tz(**kwargs: Any) -> Any:
    """A timestamptz column: every time in the store carries its offset."""
    return Field(sa_column=Column(DateTime(timezone=True), **kwargs))


class TransactionBase(SQLModel):
    id: str = Field(primary_key=True, min_length=1, max_length=64)
    merchant_id: str = Field(index=True, min_length=1, max_length=64)
    customer_email: str = Field(index=True, max_length=254)
    amount: Decimal = Field(sa_column=Column(Numeric(14, 2), nullable=False))
    currency: str = Field(min_length=3, max_length=3)
    occurred_at: datetime = _tz(nullable=False)


class Transaction(TransactionBase, table=True):
    __tablename__ = "transactions"


class Merchant(SQLModel, table=True):
    __tablename__ = "merchants"

    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=254)
    strikes: int = 0
    status: str = Field(
        default="active", max_length=16
    )  # a Standing: active, restricted, terminated
    updated_at: datetime = _tz(nullable=False)
    phone: str | None = Field(default=None, max_length=32)
    locale: str | None = Field(default=None, max_length=2)  # a Locale; None: the claim's


class MerchantStrike(SQLModel, table=True):
    """One non-cooperation strike per claim: the key makes recording it idempotent."""

    __tablename__ = "merchant_strikes"

    merchant_id: str = Field(primary_key=True, max_length=64)
    reference: str = Field(primary_key=True, max_length=32)
    at: datetime = _tz(nullable=False)


class ApiKey(SQLModel, table=True):
    """An API key; only the SHA-256 of the secret is kept."""

    __tablename__ = "api_keys"

    id: str = Field(primary_key=True, max_length=32)
    role: str = Field(max_length=16)
    email: str | None = Field(default=None, max_length=254)
    merchant_id: str | None = Field(default=None, max_length=64)
    secret_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = _tz(nullable=False)
    revoked_at: datetime | None = _tz(nullable=True)


class Claim(SQLModel, table=True):
    """A claim as the workflow last reported it (`version` orders the reports)."""

    __tablename__ = "claims"
    __table_args__ = (
        # At most one claim per transaction and subject that is not closed.
        Index(
            "uq_claims_open_per_transaction_subject",
            "transaction_id",
            "subject",
            unique=True,
            postgresql_where=text("status <> 'closed'"),
        ),
        Index("ix_claims_merchant_status", "merchant_id", "status"),
        Index("ix_claims_customer_email", "customer_email"),
        Index("ix_claims_opened_at", "opened_at"),
        # The operators' queue: what falls due next among claims not closed.
        Index(
            "ix_claims_next_deadline_open",
            "next_deadline",
            postgresql_where=text("status <> 'closed'"),
        ),
    )

    reference: str = Field(primary_key=True, max_length=32)
    transaction_id: str = Field(max_length=64)
    merchant_id: str = Field(max_length=64)
    customer_email: str = Field(max_length=254)
    customer_name: str = Field(max_length=200)
    subject: str = Field(max_length=16)
    category: str = Field(max_length=32)
    description: str
    locale: str = Field(max_length=2)
    amount: Decimal = Field(sa_column=Column(Numeric(14, 2), nullable=False))
    currency: str = Field(max_length=3)
    status: str = Field(max_length=24)
    escalation_level: int = 1
    sla_breached: bool = False
    next_deadline: datetime | None = _tz(nullable=True)
    next_deadline_kind: str | None = Field(default=None, max_length=32)
    proposal: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    outcome: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    closed_reason: str | None = Field(default=None, max_length=32)
    opened_at: datetime = _tz(nullable=False)
    updated_at: datetime = _tz(nullable=False)
    resolved_at: datetime | None = _tz(nullable=True)
    closed_at: datetime | None = _tz(nullable=True)
    transaction_occurred_at: datetime = _tz(nullable=False)
    allowed_actions: dict[str, list[str]] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    version: int = 0
    customer_phone: str | None = Field(default=None, max_length=32)
    customer_shares_phone: bool = False


class ClaimEvent(SQLModel, table=True):
    """The append-only timeline: (reference, seq) makes each event land once."""

    __tablename__ = "claim_events"
    __table_args__ = (UniqueConstraint("reference", "seq", name="uq_claim_events_reference_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(index=True, max_length=32)
    seq: int
    at: datetime = _tz(nullable=False)
    actor: str = Field(max_length=16)
    kind: str = Field(max_length=48)
    details: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class SentMail(SQLModel, table=True):
    """The log of e-mails sent; `key` (claim, event, template, recipient) sends each once."""

    __tablename__ = "sent_mails"

    key: str = Field(primary_key=True, max_length=200)
    reference: str = Field(index=True, max_length=32)
    template: str = Field(max_length=48)
    recipient: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    message_id: str = Field(max_length=300)
    sent_at: datetime = _tz(nullable=False)


class IdempotencyRecord(SQLModel, table=True):
    """An `Idempotency-Key` of a write on a claim, per API key: replays get the first answer.

    `answer` is the claim as the step that carried the request out stored it, written by
    the workflow's store write in the same transaction as that step; `refusal`, the 409's
    words when the claim refused it.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (Index("ix_idempotency_keys_update_id", "update_id", unique=True),)

    api_key_id: str = Field(primary_key=True, max_length=32)
    key: str = Field(primary_key=True, max_length=200)
    request_hash: str = Field(max_length=64)
    reference: str = Field(index=True, max_length=32)
    operation: str = Field(default=OPENING, max_length=32)  # "open", or an Action
    update_id: str | None = Field(default=None, max_length=64)
    answer: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON(none_as_null=True)))
    refusal: str | None = Field(default=None, sa_column=Column(Text))
    # Until when the request that holds the key is carrying its action out: a repeat that
    # arrives meanwhile waits for its answer instead of sending the action too.
    lease_until: datetime | None = _tz(nullable=True)
    lease_holder: str | None = Field(default=None, max_length=36)  # which request holds it
    created_at: datetime = _tz(nullable=False)


class WebAccount(SQLModel, table=True):
    """A person who signs in to the web claim center, by e-mail address (one row per address).

    What they may see is decided from the records, at sign-in and on every request: an
    operator is flagged here (`claimdesk operators add`); a merchant is the contact address
    of a merchant; a customer is an address that bought something. Only the Argon2id hash of
    the password is kept; None until the person sets one from a one-time link.
    """

    __tablename__ = "web_accounts"

    id: str = Field(primary_key=True, max_length=32)
    email: str = Field(unique=True, max_length=254)
    operator: bool = False
    password_hash: str | None = Field(default=None, max_length=200)
    locale: str | None = Field(default=None, max_length=2)  # a Locale; None: the browser's
    created_at: datetime = _tz(nullable=False)
    password_set_at: datetime | None = _tz(nullable=True)


class WebSession(SQLModel, table=True):
    """A signed-in browser: the cookie holds a random id, the row only its SHA-256."""

    __tablename__ = "web_sessions"

    id_hash: str = Field(primary_key=True, max_length=64)
    account_id: str = Field(index=True, max_length=32)
    role: str = Field(max_length=16)
    merchant_id: str | None = Field(default=None, max_length=64)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = _tz(nullable=False)
    last_seen_at: datetime = _tz(nullable=False)
    expires_at: datetime = _tz(nullable=False)


class WebLink(SQLModel, table=True):
    """A one-time link to set a password: only the SHA-256 of its token is kept."""

    __tablename__ = "web_links"

    token_hash: str = Field(primary_key=True, max_length=64)
    account_id: str = Field(index=True, max_length=32)
    created_at: datetime = _tz(nullable=False)
    expires_at: datetime = _tz(nullable=False)
    used_at: datetime | None = _tz(nullable=True)
