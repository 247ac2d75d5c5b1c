"""No way around the API: what reaches Temporal's frontend without the API's seal (forged
Updates, starts, the old signal, a seal taken from a history and replayed) is refused, and
nothing of it is stored, written on a timeline or e-mailed.

A real dev server, the worker and the API over HTTP; the intruder is a plain temporalio
client on the same frontend, as anyone who reaches port 7233 (or the UI) has.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from temporalio.api.common.v1 import WorkflowExecution, WorkflowType
from temporalio.api.enums.v1 import EventType, UpdateWorkflowExecutionLifecycleStage
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.update.v1 import Meta, Request, WaitPolicy
from temporalio.api.workflowservice.v1 import (
    StartWorkflowExecutionRequest,
    UpdateWorkflowExecutionRequest,
)
from temporalio.client import (
    Client,
    WithStartWorkflowOperation,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from claimdesk.adapters.seal import UNSEALED
from claimdesk.core.domain import (
    Actor,
    ClaimInput,
    CloseRequest,
    Decision,
    DecisionOutcome,
    Findings,
    InfoRequest,
    InternalNote,
    MerchantAction,
    MerchantResponse,
    MerchantTerminated,
    PostMessage,
    Proposal,
    ProposalKind,
    Role,
    SatisfactionAnswer,
)
from tests.support.api import Api, claim_body
from tests.support.claims import claim_input
from tests.support.seal import sealed_with, trace, unsealed
from tests.support.serving import Server
from workflows.claim import ClaimWorkflow

ANA = Actor(Role.CUSTOMER, "ana@example.com")
M1 = Actor(Role.MERCHANT, "M1")
OPERATOR = Actor(Role.OPERATOR, "key_op")
REFUND = Proposal(ProposalKind.REFUND, Decimal("30.00"))
OTHER_KEY = "other:" + "0" * 64

# Every action a party can take, written by hand with whatever identity suits the intruder.
FORGED: list[tuple[str, Any]] = [
    ("decide", Decision(OPERATOR, DecisionOutcome.REFUND, "refund it", Decimal("30.00"))),
    ("post_message", PostMessage(ANA, "Please pay me back now.")),
    ("submit_merchant_response", MerchantResponse(M1, MerchantAction.PROPOSE, proposal=REFUND)),
    ("close", CloseRequest(OPERATOR, "closed from outside")),
    ("withdraw", CloseRequest(ANA)),
    ("request_info", InfoRequest(OPERATOR, "send me your card number")),
    ("add_internal_note", InternalNote(OPERATOR, "planted")),
    ("give_findings", Findings(OPERATOR, "planted findings")),
    ("confirm_satisfaction", SatisfactionAnswer(ANA, satisfied=True)),
    ("merchant_terminated", MerchantTerminated("M1")),
]


async def _open(api: Api, client: Client, transaction: str = "T1") -> str:
    """A claim opened through the API, once its opening e-mails are out."""
    await api.transaction(transaction)
    customer = await api.key("customer", email=ANA.id)
    response = await api.http.post("/claims", json=claim_body(transaction), headers=customer)
    assert response.status_code == 201, response.text
    reference: str = response.json()["reference"]
    await asyncio.to_thread(api.mailbox.wait_for, 3, 15, X_Claimdesk_Reference=reference)
    await _settled(client, reference)
    return reference


async def _settled(client: Client, reference: str) -> None:
    """Waits until the claim has no activity pending (its e-mails sent)."""
    handle = client.get_workflow_handle(reference)
    for _ in range(300):
        if not (await handle.describe()).raw_description.pending_activities:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{reference} still has activities pending")


async def _result(handle: WorkflowHandle[Any, Any]) -> object:
    """The run's result; a claim that opened instead runs on: a failure, not a hang."""
    try:
        return await asyncio.wait_for(handle.result(), timeout=60)
    except TimeoutError:
        raise AssertionError(f"{handle.id} is running: it was not refused") from None


def _refused_as_unsealed(error: BaseException) -> bool:
    cause = (
        error.cause if isinstance(error, WorkflowUpdateFailedError | WorkflowFailureError) else None
    )
    return isinstance(cause, ApplicationError) and cause.type == UNSEALED


async def test_forged_updates_sent_straight_to_temporal_are_refused_and_change_nothing(
    api: Api, temporal_env: WorkflowEnvironment
) -> None:
    reference = await _open(api, temporal_env.client)
    before = await trace(api, temporal_env.client, reference)
    intruder = unsealed(temporal_env.client).get_workflow_handle(reference)
    for name, message in FORGED:
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await intruder.execute_update(name, message, result_type=dict)
        assert _refused_as_unsealed(refused.value), f"{name}: {refused.value.cause}"
    await asyncio.sleep(0.5)  # room for an e-mail that should not come
    assert await trace(api, temporal_env.client, reference) == before
    # The API's own, sealed, still acts.
    operator = await api.key("operator")
    decided = await api.http.post(
        f"/claims/{reference}/decision",
        json={"outcome": "refund", "note": "refund it", "amount": "30.00"},
        headers=operator,
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "resolved"


async def test_an_update_sealed_with_a_key_the_worker_does_not_list_is_refused(
    api: Api, temporal_env: WorkflowEnvironment
) -> None:
    reference = await _open(api, temporal_env.client)
    before = await trace(api, temporal_env.client, reference)
    handle = sealed_with(temporal_env.client, OTHER_KEY).get_workflow_handle(reference)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(ClaimWorkflow.post_message, PostMessage(ANA, "hello"))
    assert _refused_as_unsealed(refused.value)
    assert await trace(api, temporal_env.client, reference) == before


async def _accepted_request(client: Client, reference: str) -> Request:
    """The last Update the claim accepted, as its history keeps it: seal header included."""
    found = None
    async for event in client.get_workflow_handle(reference).fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
            found = event.workflow_execution_update_accepted_event_attributes.accepted_request
    assert found is not None
    return found


async def _send_raw(client: Client, reference: str, request: Request) -> str:
    """The outcome's failure message ("" if the Update completed)."""
    response = await client.workflow_service.update_workflow_execution(
        UpdateWorkflowExecutionRequest(
            namespace=client.namespace,
            workflow_execution=WorkflowExecution(workflow_id=reference),
            request=request,
            wait_policy=WaitPolicy(
                lifecycle_stage=UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED
            ),
        )
    )
    failure = response.outcome.failure
    assert failure.message == "" or failure.application_failure_info.type == UNSEALED
    return failure.message


async def test_a_sealed_update_taken_from_a_history_is_refused_under_a_new_id_or_on_another_claim(
    api: Api, temporal_env: WorkflowEnvironment
) -> None:
    """Whoever reads a history reads the seal in its header: it binds the Update id and the
    claim, so it acts nowhere else."""
    first = await _open(api, temporal_env.client)
    second = await _open(api, temporal_env.client, "T2")
    customer = await api.key("customer", email="ana@example.com")
    said = await api.http.post(
        f"/claims/{first}/messages", json={"body": "Where is my lamp?"}, headers=customer
    )
    assert said.status_code == 200, said.text
    await _settled(temporal_env.client, first)
    captured = await _accepted_request(temporal_env.client, first)
    traces = [await trace(api, temporal_env.client, r) for r in (first, second)]
    again = Request()
    again.CopyFrom(captured)
    again.meta.CopyFrom(Meta(update_id=str(uuid.uuid4()), identity="intruder"))
    assert await _send_raw(temporal_env.client, first, again) != ""
    assert await _send_raw(temporal_env.client, second, captured) != ""
    assert [await trace(api, temporal_env.client, r) for r in (first, second)] == traces


def _claim_input(api: Api, reference: str) -> ClaimInput:
    return replace(
        claim_input(), reference=reference, opened_at=datetime.now(UTC), policy=api.settings.policy
    )


async def test_a_claim_started_straight_on_temporal_fails_before_it_stores_or_sends_anything(
    api: Api, temporal_env: WorkflowEnvironment
) -> None:
    await api.parties()
    for client in (unsealed(temporal_env.client), sealed_with(temporal_env.client, OTHER_KEY)):
        reference = f"CLM-{uuid.uuid4().hex[:4].upper()}-{uuid.uuid4().hex[:4].upper()}"
        handle = await client.start_workflow(
            ClaimWorkflow.run,
            _claim_input(api, reference),
            id=reference,
            task_queue=api.settings.task_queue,
        )
        with pytest.raises(WorkflowFailureError) as refused:
            await _result(handle)
        assert _refused_as_unsealed(refused.value)
        seen = await trace(api, temporal_env.client, reference)
        assert (seen.row, seen.timeline, seen.mails, seen.activities) == (None, [], 0, 0)


# The refused run ends with the intruder's `opened` still waiting: the SDK warns of it.
@pytest.mark.filterwarnings("ignore::temporalio.workflow.UnfinishedUpdateHandlersWarning")
async def test_an_update_with_start_straight_on_temporal_opens_no_claim(
    api: Api, temporal_env: WorkflowEnvironment
) -> None:
    """The shape the API opens claims with, sent by hand."""
    await api.parties()
    reference = f"CLM-{uuid.uuid4().hex[:4].upper()}-{uuid.uuid4().hex[:4].upper()}"
    operation = WithStartWorkflowOperation(
        ClaimWorkflow.run,
        _claim_input(api, reference),
        id=reference,
        task_queue=api.settings.task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )
    with pytest.raises(Exception):  # noqa: B017 - the opening never answers: the run failed
        await unsealed(temporal_env.client).execute_update_with_start_workflow(
            ClaimWorkflow.opened, start_workflow_operation=operation
        )
    with pytest.raises(WorkflowFailureError) as refused:
        await _result(temporal_env.client.get_workflow_handle(reference))
    assert _refused_as_unsealed(refused.value)
    seen = await trace(api, temporal_env.client, reference)
    assert (seen.row, seen.timeline, seen.mails, seen.activities) == (None, [], 0, 0)


async def test_a_sealed_start_taken_from_a_history_opens_no_other_claim(
    api: Api, temporal_env: WorkflowEnvironment
) -> None:
    """The start's seal binds the claim's reference (the workflow id)."""
    first = await _open(api, temporal_env.client)
    started = None
    async for event in temporal_env.client.get_workflow_handle(first).fetch_history_events():
        started = event.workflow_execution_started_event_attributes
        break
    assert started is not None and started.header.fields
    other = f"CLM-{uuid.uuid4().hex[:4].upper()}-{uuid.uuid4().hex[:4].upper()}"
    await temporal_env.client.workflow_service.start_workflow_execution(
        StartWorkflowExecutionRequest(
            namespace=temporal_env.client.namespace,
            workflow_id=other,
            workflow_type=WorkflowType(name="ClaimWorkflow"),
            task_queue=TaskQueue(name=api.settings.task_queue),
            input=started.input,
            header=started.header,
            identity="intruder",
            request_id=str(uuid.uuid4()),
        )
    )
    with pytest.raises(WorkflowFailureError) as refused:
        await _result(temporal_env.client.get_workflow_handle(other))
    assert _refused_as_unsealed(refused.value)
    seen = await trace(api, temporal_env.client, other)
    assert (seen.row, seen.timeline, seen.mails, seen.activities) == (None, [], 0, 0)


async def test_the_old_merchant_response_signal_changes_nothing(
    api: Api, temporal_env: WorkflowEnvironment
) -> None:
    reference = await _open(api, temporal_env.client)
    before = await trace(api, temporal_env.client, reference)
    intruder = unsealed(temporal_env.client).get_workflow_handle(reference)
    await intruder.signal(
        "merchant_response", MerchantResponse(M1, MerchantAction.PROPOSE, proposal=REFUND)
    )
    handle = temporal_env.client.get_workflow_handle(reference)
    # Answered after the signal's workflow task: the signal has been handled by then.
    await handle.execute_update(ClaimWorkflow.opened)
    view = await handle.query(ClaimWorkflow.view)
    assert view.proposal is None and view.version == before.row["version"]
    await asyncio.sleep(0.5)  # room for a store write or an e-mail that should not come
    after = await trace(api, temporal_env.client, reference)
    assert (after.row, after.timeline, after.mails) == (before.row, before.timeline, before.mails)


async def test_an_api_whose_key_the_worker_does_not_list_gets_503_and_changes_nothing(
    api: Api, temporal_env: WorkflowEnvironment
) -> None:
    """A deployment whose API and workers disagree (a rotation out of order) acts on nothing."""
    reference = await _open(api, temporal_env.client)
    before = await trace(api, temporal_env.client, reference)
    astray = Server(create_app(api.settings.model_copy(update={"seal_keys": SecretStr(OTHER_KEY)})))
    await astray.start()
    try:
        async with httpx.AsyncClient(base_url=astray.url, timeout=30) as http:
            customer = await api.key("customer", email="ana@example.com")
            said = await http.post(
                f"/claims/{reference}/messages", json={"body": "hello"}, headers=customer
            )
    finally:
        await astray.stop()
    assert said.status_code == 503, said.text
    assert said.headers["content-type"] == "application/problem+json"
    assert await trace(api, temporal_env.client, reference) == before


async def test_the_api_refuses_to_start_without_seal_keys(api: Api) -> None:
    app = create_app(api.settings.model_copy(update={"seal_keys": None}))
    with pytest.raises(ValueError, match="CLAIMDESK_SEAL_KEYS is not set"):
        async with app.router.lifespan_context(app):
            pass
