"""The worker killed with SIGKILL in the middle of claims, several times, then restarted."""

from __future__ import annotations

import asyncio

import pytest

from tests.faults.claims import SCRIPTS, Signature, actors, check, open_claim, run_claims
from tests.faults.stack import FaultStack

KILLS = 4
KILL_EVERY = 2.5  # seconds: kills land on opening, the ladder, the actions and the closing


@pytest.mark.timeout(240)
async def test_claims_end_as_undisturbed_after_worker_sigkills(
    faults: FaultStack, baseline: dict[str, Signature]
) -> None:
    who = await actors(faults)
    claims = [await open_claim(faults, who, script) for script in SCRIPTS * 2]
    driving = asyncio.create_task(run_claims(faults, who, claims))
    for _ in range(KILLS):
        await asyncio.sleep(KILL_EVERY)
        faults.worker.kill()
        faults.worker.start()
    ledgers = await driving
    summary = check(ledgers, baseline, redelivery=True)
    print(f"worker SIGKILLed {KILLS} times: {summary}")
