"""The rules of edition 2 (issue 12), each beside what edition 1 claims still do."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from decimal import Decimal

import pytest

from claimdesk.core.domain import (
    Action,
    ClaimInput,
    MerchantAction,
    MerchantResponse,
    PostMessage,
    Proposal,
    ProposalKind,
    Recipient,
    Subject,
    Template,
)
from claimdesk.core.permissions import ActionInput
from claimdesk.core.rules import ClaimState, Step
from tests.support.claims import DAY, HOUR, MERCHANT, OPENED, POLICY, claim_input


def under(edition: int, claim: ClaimInput) -> ClaimInput:
    return dataclasses.replace(claim, policy=dataclasses.replace(POLICY, edition=edition))


def opened(
    subject: Subject = Subject.DELIVERY, bought: timedelta = 10 * DAY, edition: int = 2
) -> ClaimState:
    state, _ = ClaimState.open(under(edition, claim_input(subject, bought)))
    return state


def mails(step: Step) -> set[tuple[Template, Recipient]]:
    return {(m.template, m.recipient) for m in step.mails}


# ---- a merchant's answer is any merchant action ----

MERCHANT_ANSWERS: dict[str, tuple[Action, ActionInput]] = {
    "message": (Action.MESSAGE, PostMessage(MERCHANT, "We are on it.")),
    "acknowledge": (
        Action.MERCHANT_RESPONSE,
        MerchantResponse(MERCHANT, MerchantAction.ACKNOWLEDGE),
    ),
    "propose": (
        Action.MERCHANT_RESPONSE,
        MerchantResponse(
            MERCHANT,
            MerchantAction.PROPOSE,
            proposal=Proposal(ProposalKind.REFUND, Decimal("10.00")),
        ),
    ),
    "reject": (
        Action.MERCHANT_RESPONSE,
        MerchantResponse(MERCHANT, MerchantAction.REJECT, reason="Delivered on 12/11."),
    ),
    "request_info": (
        Action.MERCHANT_RESPONSE,
        MerchantResponse(MERCHANT, MerchantAction.REQUEST_INFO, "Your tracking number?"),
    ),
}


@pytest.mark.parametrize("kind", list(MERCHANT_ANSWERS))
def test_merchant_who_answered_in_any_way_gets_no_reminder(kind: str) -> None:
    state = opened()
    state.act(*MERCHANT_ANSWERS[kind], OPENED + HOUR)
    step = state.advance(OPENED + 24 * HOUR)
    assert (Template.MERCHANT_REMINDER, Recipient.MERCHANT) not in mails(step)


@pytest.mark.parametrize("kind", list(MERCHANT_ANSWERS))
def test_merchant_who_answered_in_any_way_gets_no_strike(kind: str) -> None:
    state = opened()
    state.act(*MERCHANT_ANSWERS[kind], OPENED + HOUR)
    step = state.advance(OPENED + 5 * DAY)
    assert not step.strike
    breach = next(e for e in step.events if e.kind == "sla_breached")
    assert breach.details["merchant_silent"] == "no"


def test_edition_1_claims_still_take_a_merchant_message_for_silence() -> None:
    state = opened(edition=1)
    state.act(*MERCHANT_ANSWERS["message"], OPENED + HOUR)
    assert (Template.MERCHANT_REMINDER, Recipient.MERCHANT) in mails(
        state.advance(OPENED + 24 * HOUR)
    )
    assert state.advance(OPENED + 5 * DAY).strike
