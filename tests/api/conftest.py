"""API fixtures: a Temporal dev server, a worker, and the app served over real HTTP by uvicorn."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.testing import WorkflowEnvironment

from claimdesk.embedded import temporal_cli
from claimdesk.temporal import data_converter
from claimdesk.visibility import ensure_search_attributes
from tests.mailbox import Mailbox
from tests.support.api import SECOND, Api, api_settings, serve


@pytest.fixture(scope="session")
async def temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(temporal_cli()),
        data_converter=data_converter,
        ui=False,
    )
    await ensure_search_attributes(env.client, env.client.namespace)
    yield env
    await env.shutdown()


@pytest.fixture
async def api(
    temporal_env: WorkflowEnvironment, database_url: str, engine: AsyncEngine, mailbox: Mailbox
) -> AsyncIterator[Api]:
    settings = api_settings(temporal_env, database_url, mailbox)
    async with serve(temporal_env, engine, mailbox, settings) as api:
        yield api


@pytest.fixture
async def fast_api(
    temporal_env: WorkflowEnvironment, database_url: str, engine: AsyncEngine, mailbox: Mailbox
) -> AsyncIterator[Api]:
    """The API with a ladder of seconds (level 2 at 2 s, level 3 at 4 s, breach at 6 s) and an
    hour for the customer's satisfaction answer."""
    settings = api_settings(temporal_env, database_url, mailbox).model_copy(
        update={
            "level2_after": 2 * SECOND,
            "level3_after": 4 * SECOND,
            "resolution_target": 6 * SECOND,
            "satisfaction_window": timedelta(hours=1),
        }
    )
    async with serve(temporal_env, engine, mailbox, settings) as api:
        yield api
