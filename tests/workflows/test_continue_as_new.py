"""A claim whose history grows past its limit continues as new, and nothing of it is lost."""

from __future__ import annotations

from dataclasses import replace

from temporalio.api.enums.v1 import EventType

from claimdesk.domain import CloseRequest, PostMessage, Status, Subject
from tests.workflows.conftest import POLICY, Claims, ask
from tests.workflows.test_claim_workflow import CUSTOMER, MERCHANT
from workflows.claim import ClaimWorkflow

CONTINUED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW


async def test_claim_past_its_history_limit_continues_as_new_where_it_was(
    claims: Claims,
) -> None:
    handle = await claims.open(Subject.DELIVERY, policy=replace(POLICY, history_events_per_run=80))
    claim = claims.env.client.get_workflow_handle_for(ClaimWorkflow.run, handle.id)  # any run
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
