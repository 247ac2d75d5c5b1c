"""Edition 2 through the workflow: the platform takes a claim over from a merchant that is
restricted, terminated, or that its e-mail cannot reach (real SMTP sink, PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from temporalio.client import WorkflowUpdateFailedError

from claimdesk.core.domain import MerchantTerminated, Standing, Subject
from tests.support.workflows import MERCHANT_EMAIL, POLICY, Claims, eventually
from workflows.claim import ClaimWorkflow


async def _on_timeline(claims: Claims, reference: str, kind: str) -> bool:
    return kind in await claims.timeline(reference)


async def test_merchant_without_an_address_sends_the_claim_to_the_platform_at_once(
    claims: Claims,
) -> None:
    handle = await claims.open(Subject.DELIVERY, merchant_email=None)
    await eventually(
        lambda: _on_timeline(claims, handle.id, "merchant_unreachable"),
        what="merchant_unreachable on the timeline",
    )
    told = await claims.mail(handle.id, "platform_takes_over", count=2)
    [customer] = [m for m in told if str(m["To"]) == "Ana Lima <ana@example.com>"]
    [operators] = [m for m in told if m is not customer]
    assert "could not reach the merchant" in customer.get_content()
    assert "no contact address on file" in operators.get_content()
    view = await handle.query(ClaimWorkflow.view)
    assert view.escalation_level == 2
    assert (await claims.row(handle.id))["escalation_level"] == 2
    # The merchant's notice still went out, to the operators with a note.
    [notice] = await claims.mail(handle.id, "new_claim_merchant")
    assert "no contact e-mail address on file" in notice.get_content()


async def test_merchant_whose_notice_is_refused_for_good_sends_the_claim_to_the_platform(
    claims: Claims,
) -> None:
    claims.mailbox.reject_for_good(MERCHANT_EMAIL)
    handle = await claims.open(Subject.DELIVERY)
    await eventually(
        lambda: _on_timeline(claims, handle.id, "merchant_unreachable"),
        what="merchant_unreachable on the timeline",
    )
    timeline = await claims.timeline(handle.id)
    assert timeline.count("merchant_unreachable") == 1
    assert timeline.index("mail_undeliverable") < timeline.index("merchant_unreachable")
    await claims.mail(handle.id, "platform_takes_over", count=2)
    assert (await handle.query(ClaimWorkflow.view)).escalation_level == 2


async def test_under_edition_1_a_merchant_without_an_address_leaves_the_claim_where_it_was(
    claims: Claims,
) -> None:
    handle = await claims.open(
        Subject.DELIVERY, merchant_email=None, policy=replace(POLICY, edition=1)
    )
    await claims.mail(handle.id, "new_claim_merchant")
    await claims.settle(handle)
    assert (await handle.query(ClaimWorkflow.view)).escalation_level == 1
    assert "merchant_unreachable" not in await claims.timeline(handle.id)
    assert "platform_takes_over" not in claims.templates(handle.id)


async def test_restricted_merchants_claim_opens_with_the_platform_and_the_merchant_informed(
    claims: Claims,
) -> None:
    handle = await claims.open(Subject.DELIVERY, merchant_standing=Standing.RESTRICTED)
    view = await handle.query(ClaimWorkflow.view)
    assert view.escalation_level == 2
    [notice] = await claims.mail(handle.id, "new_claim_merchant")
    assert str(notice["To"]) == MERCHANT_EMAIL
    [operators] = await claims.mail(handle.id, "new_claim_operators")
    assert "resolution team (level 2)" in str(operators["Subject"])


async def test_terminated_merchants_open_claim_moves_to_the_platform_and_the_customer_is_told(
    claims: Claims,
) -> None:
    handle = await claims.open(Subject.DELIVERY)
    view = await handle.execute_update(ClaimWorkflow.merchant_terminated, MerchantTerminated("M1"))
    assert view.escalation_level == 2
    assert (await claims.row(handle.id))["escalation_level"] == 2  # stored before the answer
    assert "merchant_terminated" in await claims.timeline(handle.id)
    [told] = await claims.mail(handle.id, "platform_takes_over")
    assert str(told["To"]) == "Ana Lima <ana@example.com>"
    # The customer learns the platform took the claim over, not the merchant's standing.
    assert "taken your claim" in told.get_content() and "terminat" not in told.get_content()
    with pytest.raises(WorkflowUpdateFailedError):
        await handle.execute_update(ClaimWorkflow.merchant_terminated, MerchantTerminated("M1"))
    assert (await claims.timeline(handle.id)).count("merchant_terminated") == 1
