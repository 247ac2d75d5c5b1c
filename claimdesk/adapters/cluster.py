"""The claims' search attributes, and registering them (with their namespace) on a cluster."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta

from google.protobuf.duration_pb2 import Duration
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest, RegisterNamespaceRequest
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

# The search attributes the claim workflow sets (SPEC "Operators in the Temporal UI"):
# the one list the dev server, the compose stack and `claimdesk temporal setup` register.
SEARCH_ATTRIBUTES = {
    "ClaimStatus": "Keyword",
    "ClaimSubject": "Keyword",
    "MerchantId": "Keyword",
    "EscalationLevel": "Int",
    "SlaBreached": "Bool",
    "NextDeadline": "Datetime",
}

NAMESPACE_RETENTION = timedelta(days=30)


class SetupError(Exception):
    """The cluster cannot be set up as claimdesk needs; the message says why."""


def _indexed_type(kind: str) -> IndexedValueType.ValueType:
    return IndexedValueType.Value(f"INDEXED_VALUE_TYPE_{kind.upper()}")


def _kind(value: IndexedValueType.ValueType) -> str:
    return IndexedValueType.Name(value).removeprefix("INDEXED_VALUE_TYPE_").title()


async def ensure_namespace(client: Client, namespace: str) -> bool:
    """Registers `namespace` unless it exists; True if it was created."""
    try:
        await client.workflow_service.describe_namespace(
            DescribeNamespaceRequest(namespace=namespace)
        )
        return False
    except RPCError as error:
        if error.status != RPCStatusCode.NOT_FOUND:
            raise
    retention = Duration()
    retention.FromTimedelta(NAMESPACE_RETENTION)
    try:
        await client.workflow_service.register_namespace(
            RegisterNamespaceRequest(
                namespace=namespace, workflow_execution_retention_period=retention
            )
        )
    except RPCError as race:  # another setup registered it meanwhile: fine
        if race.status != RPCStatusCode.ALREADY_EXISTS:
            raise
    return True


async def ensure_search_attributes(client: Client, namespace: str) -> list[str]:
    """Adds the missing SEARCH_ATTRIBUTES to `namespace`; returns the names it added.

    An attribute that exists with another type is refused: changing it would break the
    operators' saved queries, so a person must decide.
    """
    listed = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=namespace)
    )
    existing = {name: _kind(value) for name, value in listed.custom_attributes.items()}
    clashes = [
        f"{name} is {existing[name]}, claimdesk needs {kind}"
        for name, kind in SEARCH_ATTRIBUTES.items()
        if name in existing and existing[name] != kind
    ]
    if clashes:
        raise SetupError("search attributes with the wrong type: " + "; ".join(clashes))
    missing = {name: kind for name, kind in SEARCH_ATTRIBUTES.items() if name not in existing}
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(
                namespace=namespace,
                search_attributes={name: _indexed_type(kind) for name, kind in missing.items()},
            )
        )
    return sorted(missing)


async def setup_cluster(
    connect: Callable[[], Awaitable[Client]], namespace: str, *, wait: timedelta
) -> tuple[bool, list[str]]:
    """Namespace, then search attributes, retrying until `wait` runs out.

    Retrying covers a server still starting (compose) and a namespace just registered,
    which the server's namespace cache may not know for a few seconds.
    """
    deadline = time.monotonic() + wait.total_seconds()
    created = False
    while True:
        try:
            client = await connect()
            created = await ensure_namespace(client, namespace) or created
            return created, await ensure_search_attributes(client, namespace)
        except SetupError:
            raise
        except Exception as error:  # not ready yet: ask again until the deadline
            if time.monotonic() >= deadline:
                raise SetupError(f"Temporal is not ready ({error})") from error
        await asyncio.sleep(1.0)
