"""Filing a claim: the reservation that holds its place until its workflow reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from api import filing
from api.schemas import ClaimCreate
from claimdesk.core.domain import Category, Status, Subject
from claimdesk.core.settings import Settings
from claimdesk.store.models import Transaction
from tests.support.api import claim_body

NOW = datetime(2026, 11, 21, 14, 0, tzinfo=UTC)
TRANSACTION = Transaction(
    id="T1",
    merchant_id="M1",
    customer_email="ana@example.com",
    amount=Decimal("49.90"),
    currency="EUR",
    occurred_at=NOW - timedelta(days=3),
)


@pytest.mark.parametrize(
    ("subject", "category"),
    [(Subject.DELIVERY, Category.NOT_RECEIVED), (Subject.PAYMENT, Category.UNAUTHORIZED)],
)
def test_a_reservation_is_the_opening_claim_with_no_deadline_and_nothing_to_do_yet(
    subject: Subject, category: Category
) -> None:
    body = ClaimCreate.model_validate(claim_body(subject=subject, category=category))
    claim_input = filing.opening_input(
        body=body,
        transaction=TRANSACTION,
        reference="CLM-RSRV-0001",
        opened_at=NOW,
        settings=Settings(),
    )
    reserved = filing.reservation(claim_input)
    # Reads treat version 0 as "not reported yet": the workflow's first report replaces it.
    assert reserved.version == 0
    assert reserved.allowed_actions == {}
    assert (reserved.next_deadline, reserved.next_deadline_kind) == (None, None)
    assert (reserved.status, reserved.escalation_level, reserved.sla_breached) == (
        Status.OPEN,
        1,
        False,
    )
    assert (reserved.proposal, reserved.outcome, reserved.closed_reason) == (None, None, None)
    assert (reserved.resolved_at, reserved.closed_at) == (None, None)
    assert reserved.opened_at == reserved.updated_at == NOW
    assert (reserved.reference, reserved.transaction_id, reserved.merchant_id) == (
        "CLM-RSRV-0001",
        "T1",
        "M1",
    )
    assert (reserved.amount, reserved.currency) == (Decimal("49.90"), "EUR")
    assert reserved.transaction_occurred_at == TRANSACTION.occurred_at
    assert (reserved.customer_email, reserved.customer_name) == ("ana@example.com", "Ana Lima")
    assert (reserved.subject, reserved.category, reserved.description, reserved.locale) == (
        body.subject,
        body.category,
        body.description,
        body.locale,
    )
