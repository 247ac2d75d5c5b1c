"""Rotating the seal key: the worker takes every listed key, the API seals with the first,
and a key retired from the list breaks no claim's replay."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import replace

import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowFailureError, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer

from claimdesk.adapters.seal import UNSEALED, SealCheck
from claimdesk.core.domain import Actor, PostMessage, Role
from claimdesk.core.seal import Keyring
from claimdesk.core.settings import Settings
from tests.support.claims import claim_input
from tests.support.codec import converter
from tests.support.mailbox import Mailbox
from tests.support.seal import SEAL_KEYS, sealed_with, unsealed
from tests.support.workflows import Claims
from worker import build_worker
from workflows.claim import ClaimWorkflow

ANA = Actor(Role.CUSTOMER, "ana@example.com")
NEW = f"new:{secrets.token_hex(32)}"


async def test_during_a_rotation_both_keys_act_and_the_retired_one_breaks_no_replay(
    time_env: WorkflowEnvironment, engine: AsyncEngine, mailbox: Mailbox, database_url: str
) -> None:
    queue = f"rotation-{uuid.uuid4().hex[:8]}"
    settings = Settings(
        database_url=database_url,
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
        task_queue=queue,
        seal_keys=SecretStr(f"{SEAL_KEYS},{NEW}"),  # step 1: the workers list the new key
    )
    claims = Claims(time_env, engine, mailbox, queue)  # seals with the old key, as the API did
    old_api = sealed_with(time_env.client, SEAL_KEYS)
    new_api = sealed_with(time_env.client, f"{NEW},{SEAL_KEYS}")  # step 2: the API seals anew
    async with build_worker(time_env.client, engine, settings):
        handle = await claims.open()
        for api in (old_api, new_api):
            view = await api.get_workflow_handle(handle.id).execute_update(
                ClaimWorkflow.post_message, PostMessage(ANA, "still there?")
            )
        assert view.version == 3  # opened, and two messages
        unknown = sealed_with(time_env.client, f"other:{secrets.token_hex(32)}")
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await unknown.get_workflow_handle(handle.id).execute_update(
                ClaimWorkflow.post_message, PostMessage(ANA, "under a key nobody listed")
            )
        assert isinstance(refused.value.cause, ApplicationError)
        assert refused.value.cause.type == UNSEALED
        assert (await claims.timeline(handle.id)).count("message") == 2
        await claims.terminate_open_claims()
    # Step 3: the old key is dropped. The claim was started and acted on under it, and its
    # history still replays on a worker that no longer knows it.
    history = await handle.fetch_history()
    replayer = Replayer(
        workflows=[ClaimWorkflow],
        data_converter=converter,
        interceptors=[SealCheck(Keyring.parse(NEW))],
    )
    await replayer.replay_workflow(history)


def test_a_worker_without_seal_keys_refuses_to_start(
    time_env: WorkflowEnvironment, engine: AsyncEngine
) -> None:
    with pytest.raises(ValueError, match="CLAIMDESK_SEAL_KEYS is not set"):
        build_worker(time_env.client, engine, Settings(seal_keys=None))


async def test_an_unsealed_start_fails_its_run_before_any_activity(claims: Claims) -> None:
    """Its history (kept in tests/histories) replays refused: the verdict is in it."""
    reference = f"CLM-{uuid.uuid4().hex[:4].upper()}-{uuid.uuid4().hex[:4].upper()}"
    claim = replace(
        claim_input(), reference=reference, opened_at=await claims.env.get_current_time()
    )
    handle = await unsealed(claims.env.client).start_workflow(
        ClaimWorkflow.run, claim, id=reference, task_queue=claims.task_queue
    )
    claims.handles.append(handle)
    with pytest.raises(WorkflowFailureError) as failed:
        await handle.result()
    assert isinstance(failed.value.cause, ApplicationError)
    assert failed.value.cause.type == UNSEALED
    kinds = [event.event_type for event in (await handle.fetch_history()).events]
    assert EventType.EVENT_TYPE_MARKER_RECORDED in kinds
    assert EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED not in kinds
    assert kinds[-1] == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED
    assert await claims.timeline(reference) == []
    assert claims.templates(reference) == []
