"""What a claim costs in Temporal history: the full happy path stays within its budget."""

from __future__ import annotations

from collections import Counter

from temporalio.api.enums.v1 import EventType

from claimdesk.core.domain import ProposalAnswer, SatisfactionAnswer, Status, Subject
from tests.support.workflows import Claims
from tests.workflows.test_claim_workflow import CUSTOMER, refund
from workflows.claim import ClaimWorkflow

# The budget for open → proposal → accept → satisfied → closed, every e-mail sent.
HAPPY_PATH_BUDGET = 100


async def test_full_happy_path_stays_within_the_history_budget(claims: Claims) -> None:
    # Each party acts once the last step's e-mails went out, as people do: then no e-mail's
    # completion shares a workflow task with the next action, the costliest arrangement.
    handle = await claims.open(Subject.DELIVERY)
    await claims.settle(handle)
    await handle.execute_update(ClaimWorkflow.submit_merchant_response, refund())
    await claims.settle(handle)
    await handle.execute_update(ClaimWorkflow.accept_proposal, ProposalAnswer(CUSTOMER))
    await claims.settle(handle)
    await handle.execute_update(
        ClaimWorkflow.confirm_satisfaction, SatisfactionAnswer(CUSTOMER, True, None)
    )
    assert (await handle.result()).status is Status.CLOSED
    history = await handle.fetch_history()
    kinds = Counter(EventType.Name(event.event_type) for event in history.events)
    # A workflow task a starved worker did not finish in time is retried: three more events
    # (timed out, scheduled, started) that the machine, not the claim, adds.
    retried = kinds["EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT"] + kinds["EVENT_TYPE_WORKFLOW_TASK_FAILED"]
    claim_events = len(history.events) - 3 * retried
    print("happy path history events:", claim_events, kinds.most_common())
    assert claim_events <= HAPPY_PATH_BUDGET, (claim_events, kinds.most_common())
