"""Workflow fixtures: the time-skipping test server and a worker with the real activities."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.testing import WorkflowEnvironment

from claimdesk.core.settings import Settings
from tests.support.mailbox import Mailbox
from tests.support.workflows import Claims
from worker import build_worker


@pytest.fixture
async def claims(
    time_env: WorkflowEnvironment, engine: AsyncEngine, mailbox: Mailbox, database_url: str
) -> AsyncIterator[Claims]:
    task_queue = f"claims-{uuid.uuid4().hex[:8]}"
    settings = Settings(
        database_url=database_url,
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
        task_queue=task_queue,
    )
    async with build_worker(time_env.client, engine, settings):
        claims = Claims(time_env, engine, mailbox, task_queue)
        yield claims
        await claims.terminate_open_claims()
