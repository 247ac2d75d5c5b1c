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
    Locale,
    MerchantAction,
    MerchantResponse,
    Proposal,
    ProposalAnswer,
    ProposalKind,
    Recipient,
    Role,
    SatisfactionAnswer,
    Standing,
    Template,
)
from claimdesk.core.mail import render
from claimdesk.core.permissions import why_not
from claimdesk.core.rules import ClaimState
from claimdesk.core.settings import Settings
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


@pytest.mark.parametrize("how", sorted(TAKEN_OVER))
def test_a_merchant_the_platform_took_over_from_is_neither_reminded_nor_struck(how: str) -> None:
    state = TAKEN_OVER[how]()
    steps = [state.advance(OPENED + at) for at in (DAY, 2 * DAY, 5 * DAY)]
    kinds = [e.kind for step in steps for e in step.events]
    assert EventKind.MERCHANT_REMINDED not in kinds
    assert EventKind.SLA_BREACHED in kinds  # the operators are still alerted
    assert not any(step.strike for step in steps)


def test_a_terminated_merchant_is_not_sent_the_new_claim_but_a_restricted_one_is() -> None:
    _, terminated = ClaimState.open(_filed(Standing.TERMINATED))
    _, restricted = ClaimState.open(_filed(Standing.RESTRICTED))
    assert Template.NEW_CLAIM_MERCHANT not in [m.template for m in terminated.mails]
    assert EventKind.MERCHANT_NOTIFIED not in [e.kind for e in terminated.events]
    assert Template.NEW_CLAIM_MERCHANT in [m.template for m in restricted.mails]


@pytest.mark.parametrize("locale", list(Locale))
@pytest.mark.parametrize("standing", [Standing.RESTRICTED, Standing.TERMINATED])
def test_the_acknowledgement_of_a_claim_opened_with_the_platform_says_the_platform_handles_it(
    standing: Standing, locale: Locale
) -> None:
    claim = _filed(standing)
    _, opening = ClaimState.open(replace(claim, locale=locale))
    [ack] = [m for m in opening.mails if m.template is Template.ACKNOWLEDGEMENT]
    assert ack.recipient is Recipient.CUSTOMER
    assert ack.details.get("handled_by") == "platform"
    assert ack.details.get("findings_by") is not None
    # Only a merchant still sent the claim has a deadline to answer.
    assert ("respond_by" in ack.details) is (standing is Standing.RESTRICTED)
    # Already at level 2: no investigation promised for later.
    assert ack.claim.next_deadline_kind is not Deadline.LEVEL2
    body = render(ack, settings=Settings(), report="REPORT").body
    handles, sent = {
        Locale.EN: ("resolution team handles your claim itself", "sent your claim to the merchant"),
        Locale.FR: ("traite elle-même votre réclamation", "transmis votre réclamation au marchand"),
    }[locale]
    assert handles in " ".join(body.split())
    assert (sent in " ".join(body.split())) is (standing is Standing.RESTRICTED)
    assert "will open an investigation" not in body and "ouvrira une enquête" not in body


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
