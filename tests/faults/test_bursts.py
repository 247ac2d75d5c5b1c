"""Bursts of concurrent actions on claims, with and without a worker SIGKILLed mid-burst:
every answer, the store, the workflow and the e-mails agree afterwards."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from tests.faults.bursts import (
    Request,
    check_claim,
    claims_with_proposals,
    fire,
    message_burst,
    mixed_burst,
    redone,
)
from tests.faults.stack import FaultStack

CLAIMS = 6
MESSAGES = 100
KILL_AFTER = 0.3  # seconds into the burst: the worker dies with work in hand
DOWN_FOR = 1.0


@contextlib.asynccontextmanager
async def worker_killed_midway(faults: FaultStack) -> AsyncIterator[None]:
    """SIGKILLs the worker shortly after the burst starts, and brings it back."""

    async def kill() -> None:
        await asyncio.sleep(KILL_AFTER)
        faults.worker.kill()
        await asyncio.sleep(DOWN_FOR)
        faults.worker.start()

    killing = asyncio.create_task(kill())
    try:
        yield
    finally:
        await killing


async def mixed_bursts(faults: FaultStack, *, kill: bool) -> tuple[list[str], list[list[Request]]]:
    who, claims = await claims_with_proposals(faults, CLAIMS)
    bursts = [mixed_burst(who, claim.merchant) for claim in claims]
    pairs = list(zip(claims, bursts, strict=True))
    async with worker_killed_midway(faults) if kill else contextlib.nullcontext():
        await asyncio.gather(*(fire(faults, claim.reference, burst) for claim, burst in pairs))
    for claim, burst in pairs:
        await check_claim(faults, claim.reference, burst, cut_sends=kill)
        assert any(r.status == 200 for r in burst), f"{claim.reference}: nothing was accepted"
    return [claim.reference for claim in claims], bursts


async def message_flood(faults: FaultStack, *, kill: bool) -> tuple[str, list[Request]]:
    who, (claim,) = await claims_with_proposals(faults, 1)
    burst = message_burst(who, claim.merchant, MESSAGES)
    async with worker_killed_midway(faults) if kill else contextlib.nullcontext():
        await fire(faults, claim.reference, burst)
    work, store = await check_claim(faults, claim.reference, burst, cut_sends=kill)
    tokens = {request.token for request in burst}
    in_store = [e.details["body"] for e in store.events if e.details.get("body") in tokens]
    in_workflow = [e.details["body"] for e in work.events if e.details.get("body") in tokens]
    assert in_store == in_workflow, "the messages are stored in another order than the workflow's"
    answered = sorted(r.token for r in burst if r.status == 200)
    assert sorted(in_store) == answered, "a message answered 200 is missing or doubled"
    # A message fits any open claim: none is refused, however many arrive at once.
    assert len(answered) == MESSAGES, f"only {len(answered)} of {MESSAGES} messages taken"
    return claim.reference, burst


@pytest.mark.timeout(300)
async def test_mixed_bursts_leave_answers_store_workflow_and_mails_agreeing(
    faults: FaultStack,
) -> None:
    _, bursts = await mixed_bursts(faults, kill=False)
    taken = sum(r.status == 200 for burst in bursts for r in burst)
    print(f"{len(bursts)} claims, {sum(map(len, bursts))} actions at once, {taken} taken")


@pytest.mark.timeout(300)
async def test_hundred_messages_at_once_are_each_stored_once_in_workflow_order(
    faults: FaultStack,
) -> None:
    await message_flood(faults, kill=False)


@pytest.mark.timeout(300)
async def test_mixed_bursts_agree_after_worker_sigkill_midway(faults: FaultStack) -> None:
    references, bursts = await mixed_bursts(faults, kill=True)
    assert faults.worker.running
    cut = await redone(faults, references)
    assert cut > 0, "the kill cut off no work in flight"
    retried = sum(r.tries > 1 for burst in bursts for r in burst)
    print(f"worker SIGKILLed mid-burst: {cut} tasks redone, {retried} requests asked again")


@pytest.mark.timeout(300)
async def test_hundred_messages_agree_after_worker_sigkill_midway(faults: FaultStack) -> None:
    reference, _ = await message_flood(faults, kill=True)
    assert await redone(faults, [reference]) > 0, "the kill cut off no work in flight"
