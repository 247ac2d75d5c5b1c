"""Hostile review of issue 14 item 1: ways around the seal that the suite does not try."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from temporalio.api.common.v1 import WorkflowType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import StartWorkflowExecutionRequest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.common import RawValue
from temporalio.testing import WorkflowEnvironment

from tests.security.test_back_door import (
    ANA,
    _claim_input,
    _open,
    _refused_as_unsealed,
    _settled,
)
from tests.support.api import Api
from tests.support.seal import trace, unsealed
from workflows.claim import ClaimWorkflow


def _reference() -> str:
    return f"CLM-{uuid.uuid4().hex[:4].upper()}-{uuid.uuid4().hex[:4].upper()}"


async def test_the_opened_update_sent_straight_to_temporal_is_refused(
    api: Api, temporal_env: WorkflowEnvironment
) -> None:
    """`opened` has no validator, so the seal check (run in the validator interceptor) never
    sees it: an unsealed `opened` is accepted and written into the claim's history."""
    reference = await _open(api, temporal_env.client)
    before = await trace(api, temporal_env.client, reference)
    intruder = unsealed(temporal_env.client).get_workflow_handle(reference)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await intruder.execute_update("opened", result_type=RawValue)
    assert _refused_as_unsealed(refused.value)
    assert await trace(api, temporal_env.client, reference) == before


async def test_a_sealed_start_replayed_after_the_claim_closed_does_not_run_it_again(
    api: Api, temporal_env: WorkflowEnvironment
) -> None:
    """The start's seal binds the workflow id and the input, not the run nor a time. The API
    starts with REJECT_DUPLICATE, but the intruder picks the reuse policy: once the claim's
    workflow has ended, its own start (header and encrypted input, as its history keeps
    them) sent again under the same id passes the seal, and the withdrawn claim runs again
    from its opening, its deadlines armed (the store's version check hides it for now)."""
    reference = await _open(api, temporal_env.client)
    customer = await api.key("customer", email=ANA.id)
    withdrawn = await api.http.post(f"/claims/{reference}/withdraw", json={}, headers=customer)
    assert withdrawn.status_code == 200, withdrawn.text
    handle = temporal_env.client.get_workflow_handle(reference)
    await asyncio.wait_for(handle.result(), timeout=60)
    started: Any = None
    async for event in handle.fetch_history_events():
        started = event.workflow_execution_started_event_attributes
        break
    await temporal_env.client.workflow_service.start_workflow_execution(
        StartWorkflowExecutionRequest(
            namespace=temporal_env.client.namespace,
            workflow_id=reference,
            workflow_type=WorkflowType(name="ClaimWorkflow"),
            task_queue=TaskQueue(name=api.settings.task_queue),
            input=started.input,
            header=started.header,
            identity="intruder",
            request_id=str(uuid.uuid4()),
        )
    )
    rerun = temporal_env.client.get_workflow_handle(reference)
    try:
        await asyncio.sleep(3)
        described = await rerun.describe()
        view = await rerun.query(ClaimWorkflow.view)
        assert (described.status.name, view.status.value) != ("RUNNING", "open"), (
            f"withdrawn claim {reference} runs again: workflow {described.status.name}, "
            f"its view {view.status.value}, next deadline {view.next_deadline}"
        )
    finally:
        await rerun.terminate("review")
