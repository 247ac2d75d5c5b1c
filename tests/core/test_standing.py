"""What operators read of a claim in the Temporal UI: summary, details and search attributes."""

from __future__ import annotations

from decimal import Decimal

from claimdesk.adapters.cluster import SEARCH_ATTRIBUTES
from claimdesk.core.domain import (
    Action,
    CloseRequest,
    MerchantAction,
    MerchantResponse,
    Proposal,
    ProposalAnswer,
    ProposalKind,
    Subject,
)
from claimdesk.core.rules import ClaimState
from claimdesk.core.standing import details, opening_details, summary, visibility
from tests.support.claims import CUSTOMER, DAY, HOUR, MERCHANT, OPENED, claim_input
from workflows import search


def test_summary_names_subject_merchant_and_transaction_but_no_customer() -> None:
    claim = claim_input()
    text = summary(claim) + opening_details(claim)
    assert summary(claim).startswith("Delivery claim against merchant M1: item not received")
    assert claim.transaction.id in text
    assert claim.contact.email not in text and claim.contact.name not in text


def test_silent_merchant_at_level_2_reads_like_the_issue_says() -> None:
    state, _ = ClaimState.open(claim_input())
    state.advance(OPENED + 24 * HOUR)
    assert details(state) == (
        "Level 2 — merchant has not answered; next: level 3 at 2026-11-23 14:00 UTC"
    )


def test_details_follow_the_claim_to_its_end() -> None:
    state, _ = ClaimState.open(claim_input())
    assert details(state).startswith("Level 1 — merchant has not answered; next: level 2 at")
    proposal = Proposal(ProposalKind.REFUND, Decimal("49.90"))
    state.act(
        Action.MERCHANT_RESPONSE,
        MerchantResponse(MERCHANT, MerchantAction.PROPOSE, proposal=proposal),
        OPENED + HOUR,
    )
    assert details(state).startswith(
        "Level 1 — customer is weighing the merchant's refund of 49.90 EUR"
    )
    state.act(Action.ACCEPT_PROPOSAL, ProposalAnswer(CUSTOMER), OPENED + 2 * HOUR)
    assert details(state) == (
        "Resolved with refund of 49.90 EUR; waiting for the customer's satisfaction; "
        "next: closes unless the customer answers at 2026-11-28 16:00 UTC"
    )
    state.act(Action.CLOSE, CloseRequest(CUSTOMER), OPENED + 3 * HOUR)
    assert details(state) == "Closed: closed by the customer after refund of 49.90 EUR"


def test_breached_payment_claim_says_so_and_what_comes_next() -> None:
    state, _ = ClaimState.open(claim_input(Subject.PAYMENT))
    state.advance(OPENED + 5 * DAY)
    seen = visibility(state)
    assert (seen.status, seen.subject, seen.level, seen.breached) == ("open", "payment", 3, True)
    assert seen.details.startswith("Level 3 — with customer service (SLA breached); next: ")


def test_the_workflow_sets_exactly_the_search_attributes_every_stack_registers() -> None:
    keys = {key.name: key.indexed_value_type.name.title() for key in search.KEYS}
    assert keys == {name: kind.title() for name, kind in SEARCH_ATTRIBUTES.items()}
