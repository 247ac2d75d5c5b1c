"""What goes into a claim's workflow: its input, what a run hands over, each message."""

# Annotations are evaluated here, not deferred: see the package's docstring.

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from claimdesk.core.domain.vocabulary import (
    Category,
    Deadline,
    DecisionOutcome,
    Locale,
    MerchantAction,
    ProposalKind,
    Recipient,
    Role,
    Standing,
    Status,
    Subject,
)

# The edition of the rules new claims open under; raise it with every change to what the
# rules decide, and gate the change on `claimdesk.core.editions`. 1: the rules
# before editions; 2: the seeds' rules of issue 12; 3: reinstating a merchant gives it back
# the claims its termination moved to the platform, and update e-mails are capped per hour
# (see editions.py).
CURRENT_EDITION = 3


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
    # The edition of the rules the claim opened under, kept for its whole life: a claim
    # opened before a rule changed replays and runs on the rules it started with
    # (claimdesk/core/editions.py). Claims started before editions existed read 1.
    edition: int = 1
    # From edition 2: how long an investigation (level 2, or a reopening) has to give the
    # customer its findings before operators are alerted (claimdesk/core/rules/findings.py).
    findings_within: timedelta = timedelta(hours=48)
    # From edition 3: updates (e-mails of repeatable actions) one recipient gets per rolling
    # hour; those past it are told in one digest (claimdesk/core/rules/mail_cap.py).
    message_mails_per_hour: int = 10


@dataclass
class Contact:
    name: str
    email: str
    phone: str | None = None
    # The customer's choice: the merchant reads the phone only if they share it.
    share_phone_with_merchant: bool = False


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


@dataclass
class MessageMails:
    """Edition 3: the updates one recipient was e-mailed in the rolling hour, and the
    updates held for its digest (claimdesk/core/rules/mail_cap.py)."""

    recipient: Recipient
    sent: list[datetime] = field(default_factory=list)  # within the hour, oldest first
    held: int = 0  # updates not e-mailed one by one, told in the digest
    last_held_seq: int = 0  # the digest's e-mail is keyed on the last of them
    digest_at: datetime | None = None  # when the hour of the oldest e-mail ends


@dataclass
class CarriedState:
    """What one run of a claim hands to the next when its history grows long.

    Every field but `answered` is the `ClaimState` field of the same name: the rules hand
    over and resume from this list (claimdesk.core.rules.state).
    """

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
    # The platform took the claim over from its merchant (edition 2), once each.
    merchant_unreachable: bool = False
    merchant_terminated: bool = False
    # Edition 2: when the investigation's findings are due (None: none owed), and whether
    # operators were alerted they are overdue.
    findings_due_at: datetime | None = None
    findings_overdue: bool = False
    # Edition 3: the level a claim had when its merchant's termination moved it to the
    # platform, and when its ladder starts again after the merchant's reinstatement.
    taken_over_at_level: int | None = None
    ladder_from: datetime | None = None
    # Edition 3: each recipient's e-mails about messages within the hour, and what waits.
    message_mails: list[MessageMails] = field(default_factory=list)
    # Edition 3: an operator's request for information awaits the customer's message.
    platform_question_open: bool = False


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
    # The merchant's standing when the claim was filed: a restricted or terminated
    # merchant's claims open with the platform (edition 2).
    merchant_standing: Standing = Standing.ACTIVE


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
    rating: int | None = None  # the degree of satisfaction, 1 to 5 (optional)


@dataclass
class Decision:
    actor: Actor
    outcome: DecisionOutcome
    note: str
    amount: Decimal | None = None


@dataclass
class MerchantTerminated:
    """An operator terminated the claim's merchant: the platform takes the claim over."""

    merchant_id: str = ""


@dataclass
class MerchantReinstated:
    """An operator reinstated the claim's merchant: a claim its termination moved to the
    platform goes back to it (edition 3)."""

    merchant_id: str = ""


@dataclass
class InfoRequest:
    actor: Actor
    question: str


@dataclass
class InternalNote:
    """An operator's note on the claim, for operators only: no e-mail, no party told."""

    actor: Actor
    note: str


@dataclass
class Findings:
    """An investigation's findings, for the customer (an operator's note)."""

    actor: Actor
    note: str
