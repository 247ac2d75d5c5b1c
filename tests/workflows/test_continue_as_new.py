"""A claim whose history grows past its limit continues as new, and nothing of it is lost."""

from __future__ import annotations

from dataclasses import replace

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from claimdesk.core.domain import ClaimInput, ClaimView, CloseRequest, PostMessage, Status, Subject
from tests.support.codec import converter
from tests.support.workflows import POLICY, Claims, ask
from tests.workflows.test_claim_workflow import CUSTOMER, MERCHANT
from workflows.claim import ANSWERED_BEFORE, ClaimWorkflow

CONTINUED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW


async def open_short_runs(
    claims: Claims,
) -> tuple[WorkflowHandle[ClaimWorkflow, ClaimView], WorkflowHandle[ClaimWorkflow, ClaimView]]:
    """A delivery claim whose runs hand over after 80 history events: the handle of its first
    run, and one that follows whichever run is current."""
    handle = await claims.open(Subject.DELIVERY, policy=replace(POLICY, history_events_per_run=80))
    return handle, claims.env.client.get_workflow_handle_for(ClaimWorkflow.run, handle.id)


async def test_claim_past_its_history_limit_continues_as_new_where_it_was(
    claims: Claims,
) -> None:
    handle, claim = await open_short_runs(claims)
    for i in range(12):
        author = CUSTOMER if i % 2 else MERCHANT
        await ask(claim, ClaimWorkflow.post_message, PostMessage(author, f"note {i}"))

    first_run = handle.first_execution_run_id
    first = await claims.env.client.get_workflow_handle(handle.id, run_id=first_run).fetch_history()
    assert first.events[-1].event_type == CONTINUED
    before = await claim.query(ClaimWorkflow.view)
    assert before.status is Status.OPEN and before.escalation_level == 1
    closing = await ask(claim, ClaimWorkflow.close, CloseRequest(CUSTOMER))
    assert closing.status is Status.CLOSED and closing.version > before.version
    kinds = await claims.timeline(handle.id)
    assert kinds.count("message") == 12 and kinds[-1] == "closed"
    await claims.mail(handle.id, "message", count=12)
    await claims.mail(handle.id, "closed")


async def test_an_update_answered_before_a_hand_over_is_not_carried_out_again_after_it(
    claims: Claims,
) -> None:
    handle, claim = await open_short_runs(claims)
    for i in range(12):
        message = PostMessage(CUSTOMER, f"note {i}")
        await ask(claim, ClaimWorkflow.post_message, message, update_id=f"note-{i}")
    history = await claim.fetch_history()  # the current run's
    started = history.events[0].workflow_execution_started_event_attributes
    assert started.continued_execution_run_id, "the claim did not hand over"
    [carried] = await converter.decode(list(started.input.payloads), [ClaimInput])
    assert carried.carried is not None and carried.carried.answered
    again = carried.carried.answered[-1].id  # answered by the last run, not by this one
    number = int(again.removeprefix("note-"))
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await claim.execute_update(
            ClaimWorkflow.post_message, PostMessage(CUSTOMER, f"note {number}"), id=again
        )
    assert isinstance(refused.value.cause, ApplicationError)
    assert refused.value.cause.type == ANSWERED_BEFORE
    kinds = await claims.timeline(handle.id)
    assert kinds.count("message") == 12
    await ask(claim, ClaimWorkflow.close, CloseRequest(CUSTOMER))


async def test_an_update_answered_two_hand_overs_ago_is_still_not_carried_out_again(
    claims: Claims,
) -> None:
    handle, claim = await open_short_runs(claims)
    await ask(claim, ClaimWorkflow.post_message, PostMessage(CUSTOMER, "note 0"), update_id="n-0")
    sent = 1
    while await runs(claims.env.client, handle.id) < 3:
        message = PostMessage(CUSTOMER, f"note {sent}")
        await ask(claim, ClaimWorkflow.post_message, message, update_id=f"n-{sent}")
        sent += 1
        assert sent < 100, "the claim did not hand over twice"
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await claim.execute_update(
            ClaimWorkflow.post_message, PostMessage(CUSTOMER, "note 0"), id="n-0"
        )
    assert isinstance(refused.value.cause, ApplicationError)
    assert refused.value.cause.type == ANSWERED_BEFORE
    assert (await claims.timeline(handle.id)).count("message") == sent
    await ask(claim, ClaimWorkflow.close, CloseRequest(CUSTOMER))


async def runs(client: Client, workflow_id: str) -> int:
    """How many runs the claim has had, counted back from the current one."""
    count, run_id = 0, (await client.get_workflow_handle(workflow_id).describe()).run_id
    while run_id:
        count += 1
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        started = history.events[0].workflow_execution_started_event_attributes
        run_id = started.continued_execution_run_id or None
    return count
