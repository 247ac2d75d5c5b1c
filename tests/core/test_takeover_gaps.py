"""Edition 2: what a claim the platform took over from its merchant owes, and to whom
(the reviewer's gaps in issue 12, items 5 to 7 and 9)."""

from __future__ import annotations

from dataclasses import replace

from claimdesk.core.domain import (
    Action,
    ClaimInput,
    ClosedReason,
    MerchantAction,
    MerchantResponse,
    Proposal,
    ProposalAnswer,
    ProposalKind,
    SatisfactionAnswer,
    Standing,
    Template,
)
from claimdesk.core.rules import ClaimState
from tests.support.claims import CUSTOMER, DAY, HOUR, MERCHANT, OPENED, POLICY, claim_input


def _filed(standing: Standing = Standing.ACTIVE) -> ClaimInput:
    return replace(claim_input(), policy=replace(POLICY, edition=2), merchant_standing=standing)


def test_mediation_after_an_accepted_proposal_owes_the_recourse() -> None:
    state, _ = ClaimState.open(_filed())
    state.advance(OPENED + 2 * DAY)  # level 3: the next "not satisfied" ends in mediation
    proposal = Proposal(ProposalKind.REPLACEMENT)
    offer = MerchantResponse(MERCHANT, MerchantAction.PROPOSE, proposal=proposal)
    now = OPENED + 2 * DAY + HOUR
    state.act(Action.MERCHANT_RESPONSE, offer, now)
    state.act(Action.ACCEPT_PROPOSAL, ProposalAnswer(CUSTOMER, "Fine."), now)
    step = state.act(Action.SATISFACTION, SatisfactionAnswer(CUSTOMER, False, "Never came."), now)
    assert state.closed_reason is ClosedReason.REFERRED_TO_MEDIATION
    [closing] = [m for m in step.mails if m.template is Template.CLOSED]
    assert closing.details.get("recourse") == "yes"
