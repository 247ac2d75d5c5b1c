"""The Temporal dev server stopped and restarted on its SQLite file while timers are pending."""

from __future__ import annotations

import asyncio

import pytest

from tests.faults.accounts import Signature, check
from tests.faults.claims import open_every_script, run_claims
from tests.faults.stack import FaultStack

DOWN_FOR = 4.0  # seconds: the level-2 and level-3 timers come due while it is down


@pytest.mark.timeout(200)
async def test_timers_pending_over_a_temporal_restart_fire_after_it(
    faults: FaultStack, baseline: dict[str, Signature]
) -> None:
    who, claims = await open_every_script(faults)
    # Every claim is at level 1 with its ladder's timers pending.
    for claim in claims:
        answer = await faults.http.get(f"/claims/{claim.reference}", headers=who.operator)
        assert answer.json()["escalation_level"] == 1
    await asyncio.sleep(0.5)  # the opening e-mails go out
    await asyncio.to_thread(faults.temporal.stop)
    await asyncio.sleep(DOWN_FOR)
    await faults.temporal.start()
    ledgers = await run_claims(faults, who, claims)
    summary = check(ledgers, baseline)
    assert faults.worker.running, "the worker gave up while Temporal was down"
    print(f"Temporal stopped {DOWN_FOR:.0f} s: {summary}")
