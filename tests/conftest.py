"""Shared fixtures: a real PostgreSQL, a migrated database per test, a real SMTP mailbox."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.testing import WorkflowEnvironment

from claimdesk.embedded import temporal_test_server
from claimdesk.store.db import make_engine
from claimdesk.store.migrate import upgrade
from claimdesk.temporal import data_converter
from tests.mailbox import Mailbox
from tests.support.database import with_database
from workflows import search

TEMPLATE_DB = "claimdesk_template"

# Workflows under test run in Temporal's sandbox, which refuses non-deterministic code;
# the stack and fault tests start `claimdesk` without it, as it runs in service.
os.environ["CLAIMDESK_WORKFLOW_SANDBOX"] = "true"


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
    from claimdesk.embedded import EmbeddedPostgres

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
    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"')
    yield with_database(postgres_admin_url, name)
    with psycopg.connect(postgres_admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url, pool_size=5)
    yield engine
    await engine.dispose()


@pytest.fixture
async def time_env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping server per test: a clock and history no other test has touched."""
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=data_converter,
        test_server_existing_path=str(temporal_test_server()),
    )
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
