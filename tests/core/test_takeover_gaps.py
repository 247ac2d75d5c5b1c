"""Edition 2: what a claim the platform took over from its merchant owes, and to whom
(the reviewer's gaps in issue 12, items 5 to 7 and 9)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from claimdesk.core.domain import (
    Action,
    ClaimInput,
    ClosedReason,
    Deadline,
    EventKind,
    MerchantAction,
    MerchantResponse,
    Proposal,
    ProposalAnswer,
    ProposalKind,
    Role,
    SatisfactionAnswer,
    Standing,
    Template,
)
from claimdesk.core.permissions import why_not
from claimdesk.core.rules import ClaimState
from tests.support.claims import CUSTOMER, DAY, HOUR, MERCHANT, OPENED, POLICY, claim_input


def _filed(standing: Standing = Standing.ACTIVE) -> ClaimInput:
    return replace(claim_input(), policy=replace(POLICY, edition=2), merchant_standing=standing)


def _terminated() -> ClaimState:
    state, _ = ClaimState.open(_filed())
    state.take_over_from_terminated_merchant(OPENED + HOUR)
    return state


def _unreachable() -> ClaimState:
    state, _ = ClaimState.open(_filed())
    state.merchant_mail_unreachable("no_contact_address", OPENED)
    return state


def _opened_with(standing: Standing) -> ClaimState:
    return ClaimState.open(_filed(standing))[0]


TAKEN_OVER = {
    "restricted_at_filing": lambda: _opened_with(Standing.RESTRICTED),
    "terminated_at_filing": lambda: _opened_with(Standing.TERMINATED),
    "terminated_while_open": _terminated,
    "unreachable": _unreachable,
}


@pytest.mark.parametrize("how", sorted(TAKEN_OVER))
def test_a_claim_taken_over_owes_findings_with_a_timer_and_an_overdue_alert(how: str) -> None:
    state = TAKEN_OVER[how]()
    assert state.level == 2
    assert state.findings_due_at is not None
    assert Deadline.FINDINGS in [deadline for _, deadline in state.deadlines()]
    assert why_not(state, Action.FINDINGS, Role.OPERATOR) is None
    step = state.advance(state.findings_due_at)
    assert EventKind.FINDINGS_OVERDUE in [e.kind for e in step.events]


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
