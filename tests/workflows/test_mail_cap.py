"""Edition 3's cap on update e-mails, on the time-skipping server: a flood of messages, or of
a merchant's answers and requests, is stored whole, e-mailed up to the cap, and the rest told
in one digest when the hour ends; a first request or proposal goes out past the cap."""

from __future__ import annotations

from datetime import timedelta

from claimdesk.core.domain import (
    Actor,
    CloseRequest,
    MerchantAction,
    MerchantResponse,
    PostMessage,
    Proposal,
    ProposalKind,
    Role,
    Status,
)
from tests.support.workflows import Claims, ask
from workflows.claim import ClaimWorkflow

HOUR = timedelta(hours=1)
RESHIPMENT = Proposal(ProposalKind.RESHIPMENT)
CUSTOMER = Actor(Role.CUSTOMER, "ana@example.com")
MERCHANT = Actor(Role.MERCHANT, "M1")
FLOOD = 25
CAP = 10  # the default CLAIMDESK_MESSAGE_MAILS_PER_HOUR


async def test_a_flood_of_messages_is_mailed_up_to_the_cap_then_digested_at_the_hour(
    claims: Claims,
) -> None:
    handle = await claims.open()
    for n in range(FLOOD):
        await ask(handle, ClaimWorkflow.post_message, PostMessage(CUSTOMER, f"Hello {n}?"))
    told = await claims.mail(handle.id, "message", CAP)
    assert sorted(m.get_content().split("Hello ")[1].split("?")[0] for m in told) == sorted(
        str(n) for n in range(CAP)
    )
    assert all("shop@example.com" in str(m["To"]) for m in told)
    await claims.env.sleep(HOUR - timedelta(minutes=1))
    await claims.settle(handle)
    assert "message_digest" not in claims.templates(handle.id)
    await claims.env.sleep(timedelta(minutes=2))
    [digest] = await claims.mail(handle.id, "message_digest")
    assert "shop@example.com" in str(digest["To"])
    assert f"{FLOOD - CAP} more updates" in digest.get_content()
    await claims.settle(handle)
    assert claims.templates(handle.id).count("message") == CAP
    timeline = await claims.timeline(handle.id)
    assert timeline.count("message") == FLOOD  # every message stored and on the timeline
    view = await handle.query(ClaimWorkflow.view)
    assert view.escalation_level == 1  # the ladder's timers untouched by the digest's


async def test_a_claim_closed_while_messages_wait_sends_their_digest_with_its_closing(
    claims: Claims,
) -> None:
    handle = await claims.open()
    for n in range(CAP + 3):
        await ask(handle, ClaimWorkflow.post_message, PostMessage(CUSTOMER, f"Hello {n}?"))
    closed = await ask(handle, ClaimWorkflow.withdraw, CloseRequest(CUSTOMER, "Found it."))
    assert closed.status is Status.CLOSED
    [digest] = await claims.mail(handle.id, "message_digest")
    assert "3 more updates" in digest.get_content()
    await claims.mail(handle.id, "closed_notice")
    assert await handle.result() == await handle.query(ClaimWorkflow.view)  # no timer left


async def test_a_merchant_answering_again_and_again_mails_the_customer_up_to_the_cap(
    claims: Claims,
) -> None:
    handle = await claims.open()
    asks = MerchantResponse(MERCHANT, MerchantAction.REQUEST_INFO, message="Your receipt?")
    acks = [
        MerchantResponse(MERCHANT, MerchantAction.ACKNOWLEDGE, message=f"Read this {n}")
        for n in range(CAP + 2)
    ]
    for response in [asks, *acks, asks, asks]:  # 1 + 9 e-mailed, the last 5 held
        await ask(handle, ClaimWorkflow.submit_merchant_response, response)
    await claims.mail(handle.id, "merchant_answered", CAP - 1)
    propose = MerchantResponse(
        MERCHANT, MerchantAction.PROPOSE, message="A new one?", proposal=RESHIPMENT
    )
    await ask(handle, ClaimWorkflow.submit_merchant_response, propose)
    [proposal] = await claims.mail(handle.id, "proposal")  # asks something new: never held
    assert "ana@example.com" in str(proposal["To"])
    await claims.settle(handle)
    assert claims.templates(handle.id).count("merchant_answered") == CAP - 1
    assert claims.templates(handle.id).count("info_requested") == 1
    await claims.env.sleep(HOUR + timedelta(minutes=1))
    [digest] = await claims.mail(handle.id, "message_digest")
    assert "ana@example.com" in str(digest["To"])
    assert "5 more updates" in digest.get_content()
    timeline = await claims.timeline(handle.id)
    assert timeline.count("merchant_acknowledged") == CAP + 2  # every answer stored
    assert timeline.count("info_requested") == 3
