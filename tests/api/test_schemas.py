"""The API's claim against the domain's: `ClaimOut` shows `ClaimView`, minus what it keeps back."""

from __future__ import annotations

from dataclasses import fields

from api.schemas import ClaimOut, OutcomeOut, ProposalOut
from claimdesk.core.domain import ClaimView, Outcome, Proposal
from claimdesk.store.claims import stored_claim
from tests.support.samples import sample_claim

# ClaimView's fields a caller never sees, and why.
NOT_SHOWN = {
    "transaction_occurred_at": "the transaction's own time: GET /transactions/{id} shows it",
    "version": "the store's order of the workflow's reports, not a fact about the claim",
}


def test_claim_out_shows_every_claim_view_field_but_those_kept_back() -> None:
    # A field added to ClaimView is shown, or named in NOT_SHOWN with its reason.
    shown = set(ClaimOut.model_fields)
    view = {field.name for field in fields(ClaimView)}
    assert sorted(view - shown - NOT_SHOWN.keys()) == [], "ClaimView fields ClaimOut misses"
    # Besides the merchant's name and contact, read from its record (not the workflow's).
    assert sorted(shown - view - ClaimOut.FROM_THE_MERCHANT) == [], (
        "ClaimOut fields ClaimView lacks"
    )
    assert sorted(shown & NOT_SHOWN.keys()) == [], "fields both shown and kept back"


def test_proposal_and_outcome_show_every_field() -> None:
    assert list(ProposalOut.model_fields) == [field.name for field in fields(Proposal)]
    assert list(OutcomeOut.model_fields) == [field.name for field in fields(Outcome)]


def test_claim_out_shows_the_actions_of_the_callers_role_only() -> None:
    row = stored_claim(sample_claim())
    assert ClaimOut.of(row, role="customer").allowed_actions == ["message", "close", "withdraw"]
    assert ClaimOut.of(row, role="merchant").allowed_actions == []
