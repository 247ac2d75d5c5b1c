"""`claimdesk temporal setup` on a Temporal server that has never heard of claimdesk."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from claimdesk.adapters.cluster import SEARCH_ATTRIBUTES, ensure_namespace
from claimdesk.adapters.embedded import temporal_cli

CLAIMDESK = Path(sys.executable).parent / "claimdesk"


@pytest.fixture(scope="module")
async def bare_temporal() -> AsyncIterator[WorkflowEnvironment]:
    """A dev server started without claimdesk's search attributes."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(temporal_cli()), ui=False
    )
    yield env
    await env.shutdown()


async def _setup(env: WorkflowEnvironment, namespace: str) -> subprocess.CompletedProcess[str]:
    variables = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMDESK_")}
    variables |= {
        "CLAIMDESK_TEMPORAL_ADDRESS": env.client.service_client.config.target_host,
        "CLAIMDESK_TEMPORAL_NAMESPACE": namespace,
    }
    return await asyncio.to_thread(
        subprocess.run,
        [str(CLAIMDESK), "temporal", "setup", "--wait", "30"],
        env=variables,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def _custom_attributes(env: WorkflowEnvironment, namespace: str) -> dict[str, str]:
    listed = await env.client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=namespace)
    )
    return {
        name: IndexedValueType.Name(value).removeprefix("INDEXED_VALUE_TYPE_").title()
        for name, value in listed.custom_attributes.items()
    }


@pytest.mark.timeout(120)
async def test_setup_creates_the_namespace_and_attributes_then_changes_nothing(
    bare_temporal: WorkflowEnvironment,
) -> None:
    namespace = f"claims-{uuid.uuid4().hex[:8]}"
    first = await _setup(bare_temporal, namespace)
    assert first.returncode == 0, first.stderr
    assert f"namespace {namespace} created" in first.stdout
    assert "search attributes added" in first.stdout
    attributes = await _custom_attributes(bare_temporal, namespace)
    assert {name: attributes.get(name) for name in SEARCH_ATTRIBUTES} == SEARCH_ATTRIBUTES

    again = await _setup(bare_temporal, namespace)
    assert again.returncode == 0, again.stderr
    assert "created" not in again.stdout
    assert "already registered" in again.stdout
    assert await _custom_attributes(bare_temporal, namespace) == attributes


@pytest.mark.timeout(120)
async def test_setup_on_the_existing_default_namespace_adds_only_what_is_missing(
    bare_temporal: WorkflowEnvironment,
) -> None:
    namespace = bare_temporal.client.namespace
    await bare_temporal.client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=namespace,
            search_attributes={"ClaimStatus": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD},
        )
    )
    done = await _setup(bare_temporal, namespace)
    assert done.returncode == 0, done.stderr
    assert "created" not in done.stdout
    assert "ClaimStatus" not in done.stdout  # it was there already
    assert "NextDeadline" in done.stdout
    attributes = await _custom_attributes(bare_temporal, namespace)
    assert {name: attributes.get(name) for name in SEARCH_ATTRIBUTES} == SEARCH_ATTRIBUTES


@pytest.mark.timeout(120)
async def test_setup_refuses_an_attribute_registered_with_another_type(
    bare_temporal: WorkflowEnvironment,
) -> None:
    namespace = f"clash-{uuid.uuid4().hex[:8]}"
    client = bare_temporal.client
    assert await ensure_namespace(client, namespace)
    clash = AddSearchAttributesRequest(
        namespace=namespace,
        search_attributes={"EscalationLevel": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD},
    )
    for _ in range(60):  # a namespace just registered takes a moment to be served
        try:
            await client.operator_service.add_search_attributes(clash)
            break
        except RPCError:
            await asyncio.sleep(0.5)
    done = await _setup(bare_temporal, namespace)
    assert done.returncode == 1
    assert "EscalationLevel is Keyword, claimdesk needs Int" in done.stderr
    assert (await _custom_attributes(bare_temporal, namespace)) == {"EscalationLevel": "Keyword"}
