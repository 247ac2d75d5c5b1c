"""The one way claimdesk connects to Temporal, so the API and the worker agree on the converter."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import Runtime

from claimdesk.settings import Settings


async def connect(settings: Settings, *, runtime: Runtime | None = None) -> Client:
    """`runtime`: the worker's, which exports its metrics (None: the SDK's default)."""
    return await Client.connect(
        settings.temporal_target,
        namespace=settings.temporal_namespace,
        data_converter=pydantic_data_converter,
        runtime=runtime,
    )
