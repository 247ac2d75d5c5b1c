"""The claim's vocabulary: the StrEnums every layer speaks, and the sets built on them."""

# Annotations are evaluated here, not deferred: see the package's docstring.

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
    INTERNAL_NOTE = "internal_note"  # operators only, seen by operators only
    FINDINGS = "findings"  # an operator gives the investigation's findings (edition 2)


class Deadline(StrEnum):
    """The durable timers of a claim."""

    LEVEL2 = "level2"
    LEVEL3 = "level3"
    RESOLUTION_TARGET = "resolution_target"
    SATISFACTION = "satisfaction"
    INACTIVITY = "inactivity"
    TRANSACTION_HORIZON = "transaction_horizon"
    FINDINGS = "findings"  # the investigation owes the customer its findings (edition 2)
    # A merchant given its claim back runs out of its renewed time to answer (edition 3).
    MERCHANT_TIME = "merchant_time"


class EventKind(StrEnum):
    """What a timeline event records; its details are strings (see claimdesk.core.details)."""

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
    INTERNAL_NOTE = "internal_note"  # an operator's note only operators see
    # The platform takes the claim over from its merchant (edition 2): the merchant's
    # e-mail cannot reach it, or an operator terminated it.
    MERCHANT_UNREACHABLE = "merchant_unreachable"
    MERCHANT_TERMINATED = "merchant_terminated"
    # Edition 3: the merchant reinstated, the claim its termination moved goes back to it.
    MERCHANT_REINSTATED = "merchant_reinstated"
    FINDINGS = "findings"  # the investigation's findings, given to the customer
    FINDINGS_OVERDUE = "findings_overdue"  # none given in time: operators alerted


class Standing(StrEnum):
    """A merchant's standing with the platform."""

    ACTIVE = "active"
    RESTRICTED = "restricted"  # at the strike limit, or by an operator
    TERMINATED = "terminated"  # by an operator: its keys stop, its claims go to the platform


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
    # customer and operators: the platform takes the claim over from its merchant
    PLATFORM_TAKES_OVER = "platform_takes_over"
    # customer and merchant: the claim goes back to its reinstated merchant (edition 3)
    MERCHANT_HANDLES_AGAIN = "merchant_handles_again"
    FINDINGS = "findings"  # customer: the investigation's findings
    FINDINGS_OVERDUE = "findings_overdue"  # operators: findings owed and not given in time
    # whoever was told of messages: how many more wait on the claim (edition 3's mail cap)
    MESSAGE_DIGEST = "message_digest"
