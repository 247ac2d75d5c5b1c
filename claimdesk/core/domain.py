"""The claim's vocabulary: enums and the dataclasses that cross the workflow's boundary.

Standard library only: the workflow sandbox imports this module, and every message
to or from the workflow is one of these dataclasses, so fields can be added (with
defaults) without breaking claims already running.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum


class Subject(StrEnum):
    PAYMENT = "payment"
    DELIVERY = "delivery"


class Category(StrEnum):
    NOT_RECEIVED = "not_received"
    DAMAGED = "damaged"
    NOT_AS_DESCRIBED = "not_as_described"
    UNAUTHORIZED = "unauthorized"
    AMOUNT_DISCREPANCY = "amount_discrepancy"
    REFUND_ISSUE = "refund_issue"


CATEGORIES: dict[Subject, frozenset[Category]] = {
    Subject.DELIVERY: frozenset(
        {
            Category.NOT_RECEIVED,
            Category.DAMAGED,
            Category.NOT_AS_DESCRIBED,
            Category.REFUND_ISSUE,
        }
    ),
    Subject.PAYMENT: frozenset(
        {Category.UNAUTHORIZED, Category.AMOUNT_DISCREPANCY, Category.REFUND_ISSUE}
    ),
}


class Status(StrEnum):
    OPEN = "open"
    AWAITING_CUSTOMER = "awaiting_customer"
    RESOLVED = "resolved"
    CLOSED = "closed"


class ClosedReason(StrEnum):
    BY_CUSTOMER = "by_customer"
    WITHDRAWN = "withdrawn"
    BY_PLATFORM = "by_platform"
    INACTIVITY = "inactivity"
    TRANSACTION_HORIZON = "transaction_horizon"
    REFERRED_TO_MEDIATION = "referred_to_mediation"


class Role(StrEnum):
    CUSTOMER = "customer"
    MERCHANT = "merchant"
    OPERATOR = "operator"
    SYSTEM = "system"


class Locale(StrEnum):
    EN = "en"
    FR = "fr"


class MerchantAction(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    PROPOSE = "propose"
    REJECT = "reject"
    REQUEST_INFO = "request_info"


class ProposalKind(StrEnum):
    REFUND = "refund"
    REPLACEMENT = "replacement"
    RESHIPMENT = "reshipment"


class DecisionOutcome(StrEnum):
    REFUND = "refund"
    PARTIAL_REFUND = "partial_refund"
    BALANCE_ADJUSTMENT = "balance_adjustment"
    REPLACEMENT = "replacement"
    REJECTED = "rejected"


# Outcomes that move money, and so need an amount.
MONETARY_OUTCOMES = frozenset(
    {DecisionOutcome.REFUND, DecisionOutcome.PARTIAL_REFUND, DecisionOutcome.BALANCE_ADJUSTMENT}
)


class Action(StrEnum):
    """What a principal may do to a claim; the names `allowed_actions` lists."""

    MESSAGE = "message"
    MERCHANT_RESPONSE = "merchant_response"
    ACCEPT_PROPOSAL = "accept_proposal"
    REJECT_PROPOSAL = "reject_proposal"
    CLOSE = "close"
    WITHDRAW = "withdraw"
    SATISFACTION = "satisfaction"
    DECISION = "decision"
    REQUEST_INFO = "request_info"


class Deadline(StrEnum):
    """The durable timers of a claim."""

    LEVEL2 = "level2"
    LEVEL3 = "level3"
    RESOLUTION_TARGET = "resolution_target"
    SATISFACTION = "satisfaction"
    INACTIVITY = "inactivity"
    TRANSACTION_HORIZON = "transaction_horizon"


class EventKind(StrEnum):
    """What a timeline event records; its details are strings (see claimdesk.core.rules)."""

    OPENED = "opened"
    ROUTED = "routed"  # payment claim: to the customer-service queue
    MERCHANT_NOTIFIED = "merchant_notified"
    MESSAGE = "message"
    PROPOSAL_MADE = "proposal_made"
    INFO_REQUESTED = "info_requested"
    MERCHANT_ACKNOWLEDGED = "merchant_acknowledged"
    MERCHANT_REJECTED = "merchant_rejected"
    PROPOSAL_ACCEPTED = "proposal_accepted"
    PROPOSAL_REJECTED = "proposal_rejected"
    ESCALATED = "escalated"
    SATISFACTION = "satisfaction"
    REFERRED_TO_MEDIATION = "referred_to_mediation"
    DECISION = "decision"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    CLOSED = "closed"
    DEADLINE_REACHED = "deadline_reached"
    SLA_BREACHED = "sla_breached"
    MERCHANT_REMINDED = "merchant_reminded"
    MERCHANT_STRIKE = "merchant_strike"
    MERCHANT_RESTRICTED = "merchant_restricted"
    MAIL_UNDELIVERABLE = "mail_undeliverable"


class Standing(StrEnum):
    """A merchant's standing with the platform."""

    ACTIVE = "active"
    RESTRICTED = "restricted"  # at the strike limit, or by an operator


class Recipient(StrEnum):
    CUSTOMER = "customer"
    MERCHANT = "merchant"
    OPERATORS = "operators"


class Template(StrEnum):
    """E-mail templates; each exists in every locale under claimdesk/core/templates/."""

    ACKNOWLEDGEMENT = "acknowledgement"  # customer, at opening
    NEW_CLAIM_OPERATORS = "new_claim_operators"  # operators, at opening
    NEW_CLAIM_MERCHANT = "new_claim_merchant"  # merchant, at opening (delivery)
    ESCALATED = "escalated"  # customer, level 2 and 3 (with their rights if the merchant is silent)
    MERCHANT_REMINDER = "merchant_reminder"  # merchant, level 2, silent merchant
    SLA_BREACHED = "sla_breached"  # operators, resolution target passed
    MERCHANT_STRIKE = "merchant_strike"  # merchant, non-cooperation strike
    MESSAGE = "message"  # whoever is told of a message
    INFO_REQUESTED = "info_requested"  # customer
    MERCHANT_ANSWERED = "merchant_answered"  # customer: acknowledgement or rejection
    PROPOSAL = "proposal"  # customer: the merchant's proposal
    PROPOSAL_ANSWERED = "proposal_answered"  # merchant (and operators on a rejection)
    RESOLVED = "resolved"  # customer: outcome and request to confirm satisfaction
    DECISION = "decision"  # merchant: the platform's decision
    REOPENED = "reopened"  # customer and operators
    MEDIATION = "mediation"  # customer: how to reach the consumer mediator
    CLOSED = "closed"  # customer: the documentation of the process
    CLOSED_NOTICE = "closed_notice"  # merchant and operators


@dataclass(frozen=True)
class Policy:
    """The deadlines a claim runs on, fixed when it opens."""

    level2_after: timedelta
    level3_after: timedelta
    resolution_target: timedelta
    inactivity_close_after: timedelta
    transaction_close_after: timedelta
    satisfaction_window: timedelta
    merchant_strike_limit: int
    # A run hands over to a fresh one (continue-as-new) past this many history events,
    # far below Temporal's 51,200-event limit.
    history_events_per_run: int = 5000


@dataclass
class Contact:
    name: str
    email: str
    phone: str | None = None


@dataclass
class TransactionRef:
    id: str
    merchant_id: str
    amount: Decimal
    currency: str
    occurred_at: datetime


@dataclass
class Actor:
    """Who did something: a customer's e-mail, a merchant id, an operator key id."""

    role: Role
    id: str


@dataclass
class ClaimInput:
    """The workflow's input: everything a claim needs for its whole life."""

    reference: str
    transaction: TransactionRef
    subject: Subject
    category: Category
    description: str
    contact: Contact
    locale: Locale
    opened_at: datetime
    policy: Policy
    carried: CarriedState | None = None  # set when a run continues as new


@dataclass
class CarriedState:
    """What one run of a claim hands to the next when its history grows long."""

    status: Status
    level: int
    sla_breached: bool
    merchant_answered: bool
    customer_owed_answer: bool
    proposal: Proposal | None
    outcome: Outcome | None
    resolved_at: datetime | None
    last_activity_at: datetime
    updated_at: datetime
    ladder_done: list[Deadline]
    seq: int
    version: int
    # The Update ids answered lately: the same id sent to a later run is refused.
    answered: list[Answered] = field(default_factory=list)


@dataclass
class Answered:
    """An Update (an API action) a run of the claim answered, and when."""

    id: str
    at: datetime


@dataclass
class Proposal:
    kind: ProposalKind
    amount: Decimal | None = None


@dataclass
class Outcome:
    """How a claim was resolved: an accepted proposal or a platform decision."""

    kind: str  # a ProposalKind (accepted proposal) or a DecisionOutcome
    amount: Decimal | None
    note: str | None
    decided_by: Role


# ---- messages into the workflow (one dataclass each) ----


@dataclass
class PostMessage:
    actor: Actor
    body: str


@dataclass
class MerchantResponse:
    actor: Actor
    action: MerchantAction
    message: str | None = None
    proposal: Proposal | None = None
    reason: str | None = None


@dataclass
class ProposalAnswer:
    actor: Actor
    reason: str | None = None


@dataclass
class CloseRequest:
    actor: Actor
    note: str | None = None


@dataclass
class SatisfactionAnswer:
    actor: Actor
    satisfied: bool
    comment: str | None = None


@dataclass
class Decision:
    actor: Actor
    outcome: DecisionOutcome
    note: str
    amount: Decimal | None = None


@dataclass
class InfoRequest:
    actor: Actor
    question: str


# ---- what the workflow reports ----


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


@dataclass
class MailOrder:
    """One e-mail to send; `key` makes it at most once per claim event."""

    key: str
    template: Template
    recipient: Recipient
    claim: ClaimView
    details: dict[str, str] = field(default_factory=dict)


@dataclass
class MailBatch:
    """The e-mails of one step, sent by one activity (one history entry instead of one each)."""

    orders: list[MailOrder]


@dataclass
class MailRefusal:
    """An e-mail the recipient's server refused for good: it will never be sent."""

    order: MailOrder
    reason: str


@dataclass
class MailReceipt:
    """What became of a batch: every order sent (or sent before) except those refused."""

    refused: list[MailRefusal] = field(default_factory=list)


@dataclass
class Projection:
    """What the store must hold after a step: the claim and its new timeline events."""

    claim: ClaimView
    events: list[TimelineEvent]
    # The Update (API action) this step answers, if any: its answer is kept with the step.
    answers: str | None = None


@dataclass
class StrikeInput:
    reference: str
    merchant_id: str
    at: datetime
    limit: int


@dataclass
class StrikeResult:
    strikes: int
    restricted: bool
    newly_restricted: bool
