"""Hostile review of issue 14 item 1: a sealed Update read from a claim's history, sent
again once the claim has moved on to a fresh run and forgotten the Update's id.

The seal binds the claim, the Update's name, id and arguments, but no run and no time;
the only guard against the same Update id acting twice is the claim's own list of
recently answered ids, which keeps them for ANSWERED_KEPT (10 minutes) across one hand-over.
Temporal itself deduplicates Update ids within a run only. Whoever reads a history (the
seal header is in clear in it, the arguments encrypted but sent back as they are) can
post the customer's message again, or replay any other action the claim still takes."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import EventType, UpdateWorkflowExecutionLifecycleStage
from temporalio.api.update.v1 import Request, WaitPolicy
from temporalio.api.workflowservice.v1 import (
    DescribeWorkflowExecutionRequest,
    UpdateWorkflowExecutionRequest,
)

from claimdesk.core.domain import Actor, PostMessage, Role
from tests.support.workflows import POLICY, Claims, ask
from workflows.claim import ClaimWorkflow

CUSTOMER = Actor(Role.CUSTOMER, "ana@example.com")
REPLAYED = "Please refund me (once)"


async def _run_id(claims: Claims, reference: str) -> str:
    described = await claims.env.client.workflow_service.describe_workflow_execution(
        DescribeWorkflowExecutionRequest(
            namespace=claims.env.client.namespace,
            execution=WorkflowExecution(workflow_id=reference),
        )
    )
    return described.workflow_execution_info.execution.run_id


async def _hand_over(claims: Claims, handle, reference: str) -> None:  # type: ignore[no-untyped-def]
    """Posts filler messages until the claim continues as new."""
    before = await _run_id(claims, reference)
    for n in range(40):
        await ask(handle, ClaimWorkflow.post_message, PostMessage(CUSTOMER, f"filler {n}"))
        if await _run_id(claims, reference) != before:
            return
    raise AssertionError("the claim never handed over")


async def test_a_sealed_update_replayed_after_two_hand_overs_is_refused(claims: Claims) -> None:
    policy = replace(POLICY, history_events_per_run=40)
    handle = await claims.open(policy=policy)
    reference = handle.id
    await ask(handle, ClaimWorkflow.post_message, PostMessage(CUSTOMER, REPLAYED), update_id="U1")
    captured: Request | None = None
    async for event in claims.env.client.get_workflow_handle(reference).fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
            request = event.workflow_execution_update_accepted_event_attributes.accepted_request
            if request.meta.update_id == "U1":
                captured = request
    assert captured is not None
    await _hand_over(claims, handle, reference)
    await claims.env.sleep(timedelta(minutes=11))
    await _hand_over(claims, handle, reference)
    await claims.settle(handle)
    before = (await claims.timeline(reference)).count("message")
    response = await claims.env.client.workflow_service.update_workflow_execution(
        UpdateWorkflowExecutionRequest(
            namespace=claims.env.client.namespace,
            workflow_execution=WorkflowExecution(workflow_id=reference),
            request=captured,
            wait_policy=WaitPolicy(
                lifecycle_stage=UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED
            ),
        )
    )
    await claims.settle(handle)
    after = (await claims.timeline(reference)).count("message")
    assert (after, response.outcome.HasField("failure")) == (before, True), (
        f"the replayed Update {captured.meta.update_id} was accepted: "
        f"{after - before} message(s) added to {reference}"
    )
