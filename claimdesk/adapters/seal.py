"""The seal in Temporal headers: the API's client seals every start and Update it sends,
the worker's interceptor refuses what no listed key sealed (claimdesk/core/seal.py)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from temporalio import client, workflow
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadConverter
from temporalio.exceptions import ApplicationError
from temporalio.worker import (
    ExecuteWorkflowInput,
    HandleUpdateInput,
    Interceptor,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)

from claimdesk.adapters.temporal import data_converter
from claimdesk.core.seal import SEAL_HEADER, START, Keyring, Sealed
from claimdesk.core.settings import Settings

# The type of the refusal an unsealed (or wrongly sealed) start or Update gets.
UNSEALED = "Unsealed"
# Marks, in a refused start's history, that it was refused (see `_check_start`).
START_REFUSED = "claimdesk-unsealed-start-refused"


def _header(seal: str) -> Payload:
    return Payload(metadata={"encoding": b"binary/plain"}, data=seal.encode())


def _seal_of(headers: Mapping[str, Payload]) -> str | None:
    found = headers.get(SEAL_HEADER)
    return found.data.decode(errors="replace") if found is not None else None


async def wall_clock() -> datetime:
    return datetime.now(UTC)


class Sealer(client.Interceptor):
    """On the API's client: seals each workflow start and Update it sends, at the moment it
    sends it (each try anew: a seal is accepted for `FRESH_FOR`).

    `clock`: the time a seal is dated with, the wall clock but in tests on a time-skipping
    server (whose clock the workflow reads)."""

    def __init__(
        self,
        keyring: Keyring,
        namespace: str,
        converter: PayloadConverter,
        clock: Callable[[], Awaitable[datetime]] = wall_clock,
    ) -> None:
        self.keyring, self.namespace, self.converter = keyring, namespace, converter
        self.clock = clock

    def intercept_client(self, next: client.OutboundInterceptor) -> client.OutboundInterceptor:
        return _Sealing(next, self)

    async def seal(
        self, workflow_id: str, name: str, message_id: str, args: Sequence[Any]
    ) -> Payload:
        payloads = [p.data for p in self.converter.to_payloads(args)]
        sealed = Sealed(self.namespace, workflow_id, name, message_id, payloads)
        return _header(self.keyring.seal(sealed, await self.clock()))


def sealer(settings: Settings) -> Sealer:
    """The API's sealer (raises when CLAIMDESK_SEAL_KEYS is missing or malformed)."""
    return Sealer(settings.keyring(), settings.temporal_namespace, data_converter.payload_converter)


class _Sealing(client.OutboundInterceptor):
    def __init__(self, next: client.OutboundInterceptor, sealer: Sealer) -> None:
        super().__init__(next)
        self._sealer = sealer

    async def start_workflow(
        self, input: client.StartWorkflowInput
    ) -> client.WorkflowHandle[Any, Any]:
        seal = await self._sealer.seal(input.id, input.workflow, START, input.args)
        input.headers = {**input.headers, SEAL_HEADER: seal}
        return await super().start_workflow(input)

    async def start_workflow_update(
        self, input: client.StartWorkflowUpdateInput
    ) -> client.WorkflowUpdateHandle[Any]:
        input.update_id = input.update_id or str(uuid.uuid4())
        seal = await self._sealer.seal(input.id, input.update, input.update_id, input.args)
        input.headers = {**input.headers, SEAL_HEADER: seal}
        return await super().start_workflow_update(input)

    async def start_update_with_start_workflow(
        self, input: client.StartWorkflowUpdateWithStartInput
    ) -> client.WorkflowUpdateHandle[Any]:
        start, update = input.start_workflow_input, input.update_workflow_input
        start.headers = {
            **start.headers,
            SEAL_HEADER: await self._sealer.seal(start.id, start.workflow, START, start.args),
        }
        update.update_id = update.update_id or str(uuid.uuid4())
        seal = await self._sealer.seal(start.id, update.update, update.update_id, update.args)
        update.headers = {**update.headers, SEAL_HEADER: seal}
        return await super().start_update_with_start_workflow(input)


class SealCheck(Interceptor):
    """On the worker: a start or an Update no listed key sealed is refused.

    Workflow interceptors are instantiated inside the sandbox, from the class this returns:
    the keyring reaches them as a class attribute set here, at worker start, never through
    a workflow's input or history.
    """

    def __init__(self, keyring: Keyring) -> None:
        self._keyring = keyring

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor]:
        return type("SealCheckInbound", (_SealCheckInbound,), {"keyring": self._keyring})


class _SealCheckInbound(WorkflowInboundInterceptor):
    keyring: Keyring

    def _sealed(self, name: str, message_id: str, args: Sequence[Any]) -> Sealed:
        info = workflow.info()
        payloads = [p.data for p in workflow.payload_converter().to_payloads(args)]
        return Sealed(info.namespace, info.workflow_id, name, message_id, payloads)

    async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
        # A run continued as new was started by the claim's previous run, which Temporal
        # alone can do: only a first run comes from a client.
        if workflow.info().continued_run_id is None:
            self._check_start(input)
        return await super().execute_workflow(input)

    def _check_start(self, input: ExecuteWorkflowInput) -> None:
        """A start no listed key sealed fails the workflow before it does anything.

        Checked live only: on replay the keys may have rotated since the start was taken,
        and a replay must take the path the history took. So a refusal leaves a patch
        marker in the history, and a replay reads the verdict from it rather than from the
        keys: a refused start replays refused, an accepted one (and every history from
        before the seal, which has no marker) replays accepted.
        """
        if workflow.unsafe.is_replaying():
            refused = workflow.patched(START_REFUSED)
        else:
            seal = _seal_of(input.headers)
            info = workflow.info()
            sealed = self._sealed(info.workflow_type, START, input.args)
            # Dated by the server's start event: a worker late to the start refuses nothing.
            refused = not self.keyring.verify(seal, sealed, info.workflow_start_time)
            if refused:
                workflow.patched(START_REFUSED)
        if refused:
            raise ApplicationError(
                "this claim was not started by the claimdesk API", type=UNSEALED, non_retryable=True
            )

    def handle_update_validator(self, input: HandleUpdateInput) -> None:
        # Validators run only when an Update arrives, never on replay (its acceptance is in
        # the history): a key retired since cannot break a replay.
        sealed = self._sealed(input.update, input.id, input.args)
        if not self.keyring.verify(_seal_of(input.headers), sealed, workflow.now()):
            raise ApplicationError(
                "this action was not sent by the claimdesk API", type=UNSEALED, non_retryable=True
            )
        super().handle_update_validator(input)
