"""A claim's row: `ClaimView` in, the same `ClaimView` out, in the format rows always had."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from claimdesk.core.domain import (
    ClaimView,
    ClosedReason,
    Deadline,
    Outcome,
    Proposal,
    ProposalKind,
    Role,
    Status,
)
from claimdesk.store.claims import claim_row, claim_view
from claimdesk.store.models import Claim
from tests.support.samples import OPENED, sample_claim


def resolved_claim() -> ClaimView:
    """Every optional field set, each enum and nested value in use."""
    return replace(
        sample_claim(version=5, status=Status.CLOSED),
        escalation_level=3,
        sla_breached=True,
        next_deadline=OPENED + timedelta(days=30),
        next_deadline_kind=Deadline.TRANSACTION_HORIZON,
        proposal=Proposal(ProposalKind.REFUND, Decimal("49.90")),
        outcome=Outcome(
            kind="partial_refund", amount=Decimal("20.00"), note="Half", decided_by=Role.OPERATOR
        ),
        closed_reason=ClosedReason.BY_PLATFORM,
        resolved_at=OPENED + timedelta(days=2),
        closed_at=OPENED + timedelta(days=3),
        allowed_actions={"customer": [], "merchant": [], "operator": []},
    )


def test_a_row_holds_enums_as_their_values_and_amounts_as_exact_decimal_strings() -> None:
    row = claim_row(resolved_claim())
    assert row["subject"] == "delivery"
    assert row["category"] == "not_received"
    assert row["locale"] == "en"
    assert row["status"] == "closed"
    assert row["next_deadline_kind"] == "transaction_horizon"
    assert row["closed_reason"] == "by_platform"
    assert row["amount"] == Decimal("49.90")
    assert row["proposal"] == {"kind": "refund", "amount": "49.90"}
    assert list(row["outcome"].items()) == [
        ("kind", "partial_refund"),
        ("amount", "20.00"),
        ("note", "Half"),
        ("decided_by", "operator"),
    ]
    assert row["allowed_actions"] == {"customer": [], "merchant": [], "operator": []}
    for name in ("subject", "status", "next_deadline_kind", "closed_reason"):
        assert type(row[name]) is str, name


def test_a_row_without_the_optional_fields_holds_nulls() -> None:
    row = claim_row(replace(sample_claim(), next_deadline=None, next_deadline_kind=None))
    for name in ("next_deadline", "next_deadline_kind", "proposal", "outcome", "closed_reason"):
        assert row[name] is None, name
    assert row["allowed_actions"] == {"customer": ["message", "close", "withdraw"]}


def test_a_row_reads_back_as_the_view_it_was_made_from() -> None:
    for view in (
        sample_claim(),
        resolved_claim(),
        replace(sample_claim(), proposal=Proposal(ProposalKind.REPLACEMENT)),
    ):
        assert claim_view(Claim(**claim_row(view))) == view


def test_an_outcome_stored_before_decided_by_existed_reads_as_the_operators() -> None:
    row = claim_row(resolved_claim())
    row["outcome"] = {"kind": "refund", "amount": "49.90", "note": None}
    outcome = claim_view(Claim(**row)).outcome
    assert outcome == Outcome(
        kind="refund", amount=Decimal("49.90"), note=None, decided_by=Role.OPERATOR
    )
