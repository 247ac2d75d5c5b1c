"""Shared fixtures: a real PostgreSQL, a migrated database per test, a real SMTP mailbox, and
the API over real HTTP with a Temporal dev server and a worker behind it."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.testing import WorkflowEnvironment

from claimdesk.adapters.cluster import ensure_search_attributes
from claimdesk.adapters.embedded import temporal_cli, temporal_test_server
from claimdesk.store.db import make_engine
from claimdesk.store.migrate import upgrade
from tests.support.api import SECOND, Api, api_settings, serve
from tests.support.codec import TEST_PAYLOAD_KEYS, converter
from tests.support.database import scratch_database, with_database
from tests.support.mailbox import Mailbox
from tests.support.seal import SEAL_KEYS, ServerClock, sealing
from workflows import search

TEMPLATE_DB = "claimdesk_template"

# Workflows under test run in Temporal's sandbox, which refuses non-deterministic code;
# the stack and fault tests start `claimdesk` without it, as it runs in service.
os.environ["CLAIMDESK_WORKFLOW_SANDBOX"] = "true"
# Every payload in Temporal is encrypted, in the tests with their own committed key.
os.environ["CLAIMDESK_PAYLOAD_KEYS"] = TEST_PAYLOAD_KEYS
# The seal key of every API and worker of the session; the environments' clients seal with
# it, as the API's does (tests/security sends what no key sealed).
os.environ["CLAIMDESK_SEAL_KEYS"] = SEAL_KEYS


def docker_engine_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """A real PostgreSQL server: a container when a Docker engine answers, else embedded."""
    if docker_engine_answers():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:18-alpine", driver=None) as container:
            yield with_database(container.get_connection_url(), "postgres")
        return
    from claimdesk.adapters.embedded import EmbeddedPostgres

    with tempfile.TemporaryDirectory(prefix="claimdesk-pg-") as tmp:
        server = EmbeddedPostgres(Path(tmp) / "pgdata")
        yield server.url("postgres")


@pytest.fixture(scope="session")
def template_database(postgres_admin_url: str) -> str:
    """A database migrated once; each test gets a copy of it."""
    with psycopg.connect(postgres_admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}"')
        conn.execute(f'CREATE DATABASE "{TEMPLATE_DB}"')
    upgrade(with_database(postgres_admin_url, TEMPLATE_DB))
    return TEMPLATE_DB


@pytest.fixture
def database_url(postgres_admin_url: str, template_database: str) -> Iterator[str]:
    """A fresh, migrated database for one test, dropped after it."""
    with scratch_database(postgres_admin_url, "test", template_database) as url:
        yield url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url, pool_size=5)
    yield engine
    await engine.dispose()


@pytest.fixture
async def time_env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping server per test: a clock and history no other test has touched."""
    clock = ServerClock()  # seals dated by the server's (skipped) time, as workflows read it
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=converter,
        interceptors=[sealing("default", clock=clock.now)],
        test_server_existing_path=str(temporal_test_server()),
    )
    clock.env = env
    # The test server does not list search attributes, but it takes new ones.
    await env.client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=env.client.namespace,
            search_attributes={key.name: key.indexed_value_type for key in search.KEYS},
        )
    )
    yield env
    await env.shutdown()


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox().start()
    yield box
    box.stop()


# ---- the API over HTTP, with a Temporal dev server and a worker behind it ----


@pytest.fixture(scope="session")
async def temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(temporal_cli()),
        data_converter=converter,
        interceptors=[sealing("default")],
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
