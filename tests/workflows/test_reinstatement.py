"""Edition 3 through the workflow: a reinstated merchant gets back the claim its termination
moved to the platform, with its time to answer again (time-skipping server, real SMTP sink,
PostgreSQL); an edition-2 claim stays with the platform."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError

from claimdesk.core.domain import MerchantReinstated, MerchantTerminated, Subject
from tests.support.workflows import MERCHANT_EMAIL, POLICY, Claims, ask, eventually
from workflows.claim import ClaimWorkflow

HOUR = timedelta(hours=1)


async def test_reinstated_merchant_gets_the_claim_back_and_its_24_hours_again(
    claims: Claims,
) -> None:
    handle = await claims.open(Subject.DELIVERY)
    await ask(handle, ClaimWorkflow.merchant_terminated, MerchantTerminated("M1"))
    await claims.env.sleep(30 * HOUR)  # the opening's 24 hours pass with the platform
    view = await ask(handle, ClaimWorkflow.merchant_reinstated, MerchantReinstated("M1"))
    assert view.escalation_level == 1 and view.next_deadline_kind == "level2"
    assert (await claims.row(handle.id))["escalation_level"] == 1  # stored before the answer
    assert (await claims.timeline(handle.id))[-1] == "merchant_reinstated"
    # The operators, who owed the take-over's findings, are told they owe them no more.
    told = await claims.mail(handle.id, "merchant_handles_again", count=3)
    assert sorted(str(m["To"]) for m in told) == [
        "Ana Lima <ana@example.com>",
        "operators@claimdesk.localhost",
        MERCHANT_EMAIL,
    ]

    # Past the opening's 24 and 48 hours, the claim is still the merchant's: its time runs
    # from the reinstatement.
    await claims.env.sleep(20 * HOUR)
    assert (await handle.query(ClaimWorkflow.view)).escalation_level == 1
    await claims.env.sleep(5 * HOUR)

    async def escalated() -> bool:
        return "merchant_reminded" in await claims.timeline(handle.id)

    await eventually(escalated, what="the silent merchant reminded at its new deadline")
    assert (await handle.query(ClaimWorkflow.view)).escalation_level == 2


async def test_reinstating_twice_gives_the_claim_back_once(claims: Claims) -> None:
    handle = await claims.open(Subject.DELIVERY)
    await ask(handle, ClaimWorkflow.merchant_terminated, MerchantTerminated("M1"))
    await ask(handle, ClaimWorkflow.merchant_reinstated, MerchantReinstated("M1"))
    with pytest.raises(WorkflowUpdateFailedError):
        await ask(handle, ClaimWorkflow.merchant_reinstated, MerchantReinstated("M1"))
    assert (await claims.timeline(handle.id)).count("merchant_reinstated") == 1
    await claims.settle(handle)
    assert claims.templates(handle.id).count("merchant_handles_again") == 3  # one each


async def test_an_edition_2_claim_stays_with_the_platform_when_its_merchant_is_reinstated(
    claims: Claims,
) -> None:
    handle = await claims.open(Subject.DELIVERY, policy=replace(POLICY, edition=2))
    await ask(handle, ClaimWorkflow.merchant_terminated, MerchantTerminated("M1"))
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await ask(handle, ClaimWorkflow.merchant_reinstated, MerchantReinstated("M1"))
    assert "edition 2" in str(refused.value.cause)
    assert (await handle.query(ClaimWorkflow.view)).escalation_level == 2
    assert "merchant_reinstated" not in await claims.timeline(handle.id)
