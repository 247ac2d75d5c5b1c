"""Sample claims and mail orders for the activity tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from claimdesk.core.domain import (
    Category,
    ClaimView,
    Deadline,
    Locale,
    MailOrder,
    Recipient,
    Status,
    Subject,
    Template,
)

OPENED = datetime(2026, 11, 21, 14, 0, tzinfo=UTC)


def sample_claim(
    *,
    reference: str = "CLM-7K3F-9QX2",
    locale: Locale = Locale.EN,
    subject: Subject = Subject.DELIVERY,
    merchant_id: str = "M1",
    version: int = 1,
    status: Status = Status.OPEN,
) -> ClaimView:
    return ClaimView(
        reference=reference,
        transaction_id="T-1001",
        merchant_id=merchant_id,
        customer_email="jane@example.org",
        customer_name="Jane Doe",
        subject=subject,
        category=Category.NOT_RECEIVED if subject is Subject.DELIVERY else Category.UNAUTHORIZED,
        description="The parcel never arrived.",
        locale=locale,
        amount=Decimal("49.90"),
        currency="EUR",
        status=status,
        escalation_level=1,
        sla_breached=False,
        next_deadline=OPENED + timedelta(hours=24),
        next_deadline_kind=Deadline.LEVEL2,
        proposal=None,
        outcome=None,
        closed_reason=None,
        opened_at=OPENED,
        updated_at=OPENED,
        resolved_at=None,
        closed_at=None,
        transaction_occurred_at=OPENED - timedelta(days=10),
        allowed_actions={"customer": ["message", "close", "withdraw"]},
        version=version,
    )


def respond_by() -> str:
    return (OPENED + timedelta(hours=48)).isoformat()


# Per template: (recipient, details) a workflow would send; optional keys left out on purpose
# in some, to prove they render fine without them.
SAMPLE_DETAILS: dict[Template, list[tuple[Recipient, dict[str, str]]]] = {
    Template.ACKNOWLEDGEMENT: [
        (Recipient.CUSTOMER, {}),
        (Recipient.CUSTOMER, {"respond_by": respond_by()}),
    ],
    Template.NEW_CLAIM_OPERATORS: [
        (Recipient.OPERATORS, {"queue": "customer_service"}),
        (Recipient.OPERATORS, {"queue": "informed"}),
        (Recipient.OPERATORS, {"queue": "resolution"}),
    ],
    Template.NEW_CLAIM_MERCHANT: [(Recipient.MERCHANT, {"respond_by": respond_by()})],
    Template.ESCALATED: [
        (Recipient.CUSTOMER, {"level": "2", "merchant_silent": "yes"}),
        (Recipient.CUSTOMER, {"level": "2", "merchant_silent": "no"}),
        (Recipient.CUSTOMER, {"level": "3", "merchant_silent": "no"}),
    ],
    Template.MERCHANT_REMINDER: [(Recipient.MERCHANT, {"respond_by": respond_by()})],
    Template.SLA_BREACHED: [
        (Recipient.OPERATORS, {"merchant_silent": "yes"}),
        (Recipient.OPERATORS, {"merchant_silent": "no"}),
    ],
    Template.MERCHANT_STRIKE: [
        (Recipient.MERCHANT, {"strikes": "1", "limit": "3", "restricted": "no"}),
        (Recipient.MERCHANT, {"strikes": "3", "limit": "3", "restricted": "yes"}),
    ],
    Template.MESSAGE: [
        (Recipient.MERCHANT, {"author": "customer", "body": "Any news about my parcel?"}),
        (Recipient.CUSTOMER, {"author": "operator", "body": "We are looking into it."}),
    ],
    Template.MESSAGE_DIGEST: [
        (Recipient.MERCHANT, {"count": "190"}),
        (Recipient.CUSTOMER, {"count": "1"}),
    ],
    Template.INFO_REQUESTED: [
        (Recipient.CUSTOMER, {"author": "merchant", "question": "What is your tracking number?"})
    ],
    Template.MERCHANT_ANSWERED: [
        (Recipient.CUSTOMER, {"action": "acknowledge"}),
        (
            Recipient.CUSTOMER,
            {"action": "acknowledge", "message": "We are checking with the carrier."},
        ),
        (Recipient.CUSTOMER, {"action": "reject", "reason": "Delivered on 12/11, signed for."}),
    ],
    Template.PROPOSAL: [
        (Recipient.CUSTOMER, {"kind": "refund", "amount": "49.90", "message": "Sorry about that."}),
        (Recipient.CUSTOMER, {"kind": "reshipment"}),
    ],
    Template.PROPOSAL_ANSWERED: [
        (Recipient.MERCHANT, {"answer": "accepted"}),
        (Recipient.OPERATORS, {"answer": "rejected", "reason": "Too little, too late."}),
    ],
    Template.RESOLVED: [
        (
            Recipient.CUSTOMER,
            {
                "outcome": "partial_refund",
                "amount": "20.00",
                "note": "Half the shipping cost.",
                "satisfaction_by": (OPENED + timedelta(days=9)).isoformat(),
            },
        ),
        (
            Recipient.CUSTOMER,
            {"outcome": "replacement", "satisfaction_by": (OPENED + timedelta(days=9)).isoformat()},
        ),
    ],
    Template.DECISION: [
        (Recipient.MERCHANT, {"outcome": "refund", "amount": "49.90", "note": "Never delivered."}),
        (Recipient.MERCHANT, {"outcome": "rejected", "note": "Proof of delivery provided."}),
    ],
    Template.REOPENED: [
        (Recipient.CUSTOMER, {"level": "3", "comment": "The refund never came."}),
        (Recipient.OPERATORS, {"level": "2"}),
    ],
    Template.MEDIATION: [
        (Recipient.CUSTOMER, {"comment": "Still nothing."}),
        (Recipient.CUSTOMER, {}),
    ],
    Template.CLOSED: [(Recipient.CUSTOMER, {"reason": "by_customer"})],
    Template.CLOSED_NOTICE: [
        (Recipient.MERCHANT, {"reason": "inactivity"}),
        (Recipient.OPERATORS, {"reason": "referred_to_mediation"}),
    ],
    Template.PLATFORM_TAKES_OVER: [
        (Recipient.CUSTOMER, {"cause": "merchant_terminated", "level": "2"}),
        (Recipient.CUSTOMER, {"cause": "mail_refused", "level": "2"}),
        (Recipient.OPERATORS, {"cause": "no_contact_address", "level": "2"}),
        (Recipient.OPERATORS, {"cause": "mail_refused", "level": "3"}),
    ],
    Template.MERCHANT_HANDLES_AGAIN: [
        (Recipient.CUSTOMER, {"respond_by": respond_by()}),
        (Recipient.MERCHANT, {"respond_by": respond_by()}),
        (Recipient.CUSTOMER, {"respond_by": respond_by(), "findings_withdrawn": respond_by()}),
        (Recipient.OPERATORS, {"respond_by": respond_by(), "findings_withdrawn": respond_by()}),
    ],
    Template.FINDINGS: [(Recipient.CUSTOMER, {"note": "The charge came from your card."})],
    Template.FINDINGS_OVERDUE: [
        (Recipient.OPERATORS, {"findings_by": respond_by(), "level": "3"}),
    ],
}


def sample_order(
    template: Template = Template.ACKNOWLEDGEMENT,
    *,
    key: str = "CLM-7K3F-9QX2:1:acknowledgement:customer",
    recipient: Recipient = Recipient.CUSTOMER,
    claim: ClaimView | None = None,
    details: dict[str, str] | None = None,
) -> MailOrder:
    """A mail order; without `details`, those of the template's first sample."""
    return MailOrder(
        key=key,
        template=template,
        recipient=recipient,
        claim=claim or sample_claim(),
        details=SAMPLE_DETAILS[template][0][1] if details is None else details,
    )
