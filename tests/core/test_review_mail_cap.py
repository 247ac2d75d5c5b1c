"""Hostile review of issue 14 item 3: e-mails a party can send over and over, around the
cap on message e-mails (only Template.MESSAGE is capped). A merchant may acknowledge,
reject or ask for information again and again on an open claim; each one e-mails the
customer its free text (up to 5,000 characters), uncapped: 60 a minute under the API's
action limit."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from claimdesk.core.domain import Action, Actor, MerchantAction, MerchantResponse, Recipient, Role
from claimdesk.core.rules import ClaimState
from tests.support.claims import OPENED, POLICY, claim_input

CAP = 10
MERCHANT = Actor(Role.MERCHANT, "M1")


@pytest.mark.parametrize(
    "action", [MerchantAction.ACKNOWLEDGE, MerchantAction.REJECT, MerchantAction.REQUEST_INFO]
)
def test_a_merchant_cannot_mail_the_customer_more_than_the_cap_in_an_hour(
    action: MerchantAction,
) -> None:
    state, _ = ClaimState.open(
        replace(claim_input(), policy=replace(POLICY, edition=3, message_mails_per_hour=CAP))
    )
    mails = 0
    for n in range(3 * CAP):
        response = MerchantResponse(MERCHANT, action, message=f"read this {n}", reason="other")
        if state.refusal(Action.MERCHANT_RESPONSE, response) is not None:
            continue
        step = state.act(Action.MERCHANT_RESPONSE, response, OPENED + timedelta(seconds=n))
        mails += sum(1 for m in step.mails if m.recipient is Recipient.CUSTOMER)
    assert mails <= CAP, f"{mails} e-mails to the customer in 30 s ({action.value} x {3 * CAP})"
