"""What a claim's workflow reports: the claim as it stands and its timeline events."""

# Annotations are evaluated here, not deferred: see the package's docstring.

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from claimdesk.core.domain.inputs import Outcome, Proposal
from claimdesk.core.domain.vocabulary import (
    Category,
    ClosedReason,
    Deadline,
    EventKind,
    Locale,
    Role,
    Status,
    Subject,
)


@dataclass
class TimelineEvent:
    seq: int
    at: datetime
    actor: Role
    kind: EventKind
    details: dict[str, str] = field(default_factory=dict)


@dataclass
class ClaimView:
    """The claim as the workflow last reported it: what the store holds and the API shows."""

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
    next_deadline_kind: Deadline | None
    proposal: Proposal | None
    outcome: Outcome | None
    closed_reason: ClosedReason | None
    opened_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    transaction_occurred_at: datetime
    allowed_actions: dict[str, list[str]]  # by role
    version: int
    customer_phone: str | None = None  # who reads it: claimdesk.core.audience
    customer_shares_phone: bool = False
