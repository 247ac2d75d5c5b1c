"""The tests' seal keys, and a client that talks to Temporal as an intruder would."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from claimdesk.adapters.seal import Sealer, wall_clock
from claimdesk.adapters.temporal import data_converter
from claimdesk.core.seal import Keyring
from tests.support.api import Api
from tests.support.codec import converter

# Every process of the test session (and the workers it spawns) seals and checks with it.
SEAL_KEYS = f"test:{secrets.token_hex(32)}"


def sealing(
    namespace: str,
    keys: str = SEAL_KEYS,
    clock: Callable[[], Awaitable[datetime]] = wall_clock,
) -> Sealer:
    """What the API puts on its client: seals with the first of `keys`, dated by `clock`."""
    return Sealer(Keyring.parse(keys), namespace, data_converter.payload_converter, clock)


class ServerClock:
    """A time-skipping server's clock, which its workflows read: seals dated by it stay
    fresh however far a test skips ahead (set `env` once the server is up)."""

    env: WorkflowEnvironment | None = None

    async def now(self) -> datetime:
        assert self.env is not None, "the time-skipping server is not up yet"
        return await self.env.get_current_time()


def unsealed(client: Client) -> Client:
    """A plain client on the same connection: what reaches Temporal around the API."""
    return Client(client.service_client, namespace=client.namespace, data_converter=data_converter)


def sealed_with(
    client: Client, keys: str, clock: Callable[[], Awaitable[datetime]] = wall_clock
) -> Client:
    """A client on the same connection that seals with the first of `keys` (and encrypts and
    decrypts payloads as the API does: an Update's answer comes back encrypted)."""
    return Client(
        client.service_client,
        namespace=client.namespace,
        data_converter=converter,
        interceptors=[sealing(client.namespace, keys, clock)],
    )


@dataclass(frozen=True)
class Trace:
    """What a claim has left anywhere: its row, its timeline, its e-mails, the Updates its
    workflow accepted and the activities it scheduled."""

    row: dict[str, Any] | None
    timeline: list[tuple[int, str, str]]
    mails: int
    accepted_updates: int
    activities: int


async def trace(api: Api, client: Client, reference: str) -> Trace:
    async with api.engine.connect() as conn:
        row = (
            (
                await conn.execute(
                    text("SELECT * FROM claims WHERE reference = :r"), {"r": reference}
                )
            )
            .mappings()
            .one_or_none()
        )
        events = await conn.execute(
            text("SELECT seq, kind, actor FROM claim_events WHERE reference = :r ORDER BY seq"),
            {"r": reference},
        )
        timeline = [(int(seq), str(kind), str(actor)) for seq, kind, actor in events]
    mails = sum(1 for m in api.mailbox.messages if m["X-Claimdesk-Reference"] == reference)
    kinds: list[EventType.ValueType] = []
    with contextlib.suppress(RPCError):  # no workflow at all
        async for event in client.get_workflow_handle(reference).fetch_history_events():
            kinds.append(event.event_type)
    return Trace(
        row=dict(row) if row is not None else None,
        timeline=timeline,
        mails=mails,
        accepted_updates=kinds.count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED),
        activities=kinds.count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
    )
