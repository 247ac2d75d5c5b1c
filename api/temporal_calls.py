"""Calling a claim's workflow: asking again while it is busy, and what each failure means."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from api.errors import ActionRefused, ServiceUnavailable, temporal_problem
from workflows.claim import ANSWERED_BEFORE, HANDING_OVER, REFUSED

# How long a request waits for the claim's workflow before answering 503.
UPDATE_TIMEOUT = timedelta(seconds=30)
BUSY_PAUSE = timedelta(milliseconds=100)

T = TypeVar("T")


class ClaimRefused(ActionRefused):
    """The claim's own refusal (409): its answer to the action for good, kept for its key.

    (An opening not finished yet is a 409 too, but a passing one: not kept.)"""


class AnsweredBefore(Exception):
    """The claim's previous run answered this Update id."""


class WorkflowMissing(Exception):
    """No run of the claim's workflow: it has ended, or never started."""


async def call_claim(call: Callable[[], Awaitable[T]], *, too_late: str) -> T:
    """The answer of `call` to the claim's workflow, asked again while the claim is busy.

    Raises what a failure means: 503 saying `too_late` when the claim has not answered
    within `UPDATE_TIMEOUT`, `ClaimRefused`, `AnsweredBefore`, `WorkflowMissing`, or the
    problem any other Temporal failure stands for (an unknown one as it is: a 500).
    """
    try:
        async with asyncio.timeout(UPDATE_TIMEOUT.total_seconds()):
            return await _until_not_busy(call)
    except TimeoutError:
        raise ServiceUnavailable(too_late) from None
    except Exception as error:
        meaning = _meaning(error)
        if meaning is None:
            raise
        raise meaning from None


def _meaning(error: Exception) -> Exception | None:
    """What a failed call means, or None for a failure we do not know (a 500)."""
    if isinstance(error, RPCError) and error.status is RPCStatusCode.NOT_FOUND:
        return WorkflowMissing()
    if isinstance(error, WorkflowUpdateFailedError) and isinstance(error.cause, ApplicationError):
        if error.cause.type == ANSWERED_BEFORE:
            return AnsweredBefore()
        if error.cause.type == REFUSED:
            return ClaimRefused(error.cause.message)
    return temporal_problem(error)


async def _until_not_busy(call: Callable[[], Awaitable[T]]) -> T:
    """Asks again when the claim is busy for a moment: handing its history over to a fresh
    run, or holding as many actions in flight as Temporal takes at once for one workflow.

    Safe to repeat: an Update keeps its id on every try (and on every request with the same
    Idempotency-Key), which Temporal takes at most once; the start is idempotent. Each try
    goes through the client's `Sealer` again, so it is sealed anew: a seal is good for a
    few minutes only (claimdesk/core/seal.py, `FRESH_FOR`).
    """
    while True:
        try:
            return await call()
        except WorkflowUpdateFailedError as error:
            cause = error.cause
            if not (isinstance(cause, ApplicationError) and cause.type == HANDING_OVER):
                raise
        except RPCError as error:
            if not busy(error):
                raise
        await asyncio.sleep(BUSY_PAUSE.total_seconds())


def busy(error: RPCError) -> bool:
    """Too many actions in flight on one claim, or one cut off by a run handing over."""
    if error.status is RPCStatusCode.RESOURCE_EXHAUSTED:
        return True
    return error.status is RPCStatusCode.UNAVAILABLE and "update was aborted" in error.message
