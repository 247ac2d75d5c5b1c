"""A seal is good for a few minutes only: a start or an Update the API sealed longer ago
(one read from a history and sent again later, or held back) is refused, and leaves
nothing in the store, on a timeline or in a mailbox.

A real dev server, the worker and the API; the intruder seals with the right key but an
old date, as a seal read from a history carries."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from temporalio.client import WorkflowFailureError, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from claimdesk.core.domain import PostMessage
from claimdesk.core.seal import FRESH_FOR
from tests.security.test_back_door import (
    ANA,
    _claim_input,
    _open,
    _refused_as_unsealed,
    _result,
)
from tests.support.api import Api
from tests.support.seal import SEAL_KEYS, sealed_with, trace
from workflows.claim import ClaimWorkflow


async def _stale() -> datetime:
    """A moment just past a seal's life."""
    return datetime.now(UTC) - FRESH_FOR - timedelta(seconds=30)


async def test_a_start_sealed_too_long_ago_opens_no_claim(
    api: Api, temporal_env: WorkflowEnvironment
) -> None:
    await api.parties()
    intruder = sealed_with(temporal_env.client, SEAL_KEYS, clock=_stale)
    reference = f"CLM-{uuid.uuid4().hex[:4].upper()}-{uuid.uuid4().hex[:4].upper()}"
    handle = await intruder.start_workflow(
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


async def test_an_update_sealed_too_long_ago_is_refused(
    api: Api, temporal_env: WorkflowEnvironment
) -> None:
    reference = await _open(api, temporal_env.client)
    before = await trace(api, temporal_env.client, reference)
    intruder = sealed_with(temporal_env.client, SEAL_KEYS, clock=_stale)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await intruder.get_workflow_handle(reference).execute_update(
            ClaimWorkflow.post_message, PostMessage(ANA, "sealed a while ago")
        )
    assert _refused_as_unsealed(refused.value)
    assert await trace(api, temporal_env.client, reference) == before
