"""The worker killed with SIGKILL in the middle of claims, several times, then restarted."""

from __future__ import annotations

import asyncio

import pytest

from tests.faults.accounts import Ledger, Signature, check
from tests.faults.claims import SCRIPTS, Actors, actors, open_claim, run_claims
from tests.faults.stack import FaultStack

KILLS = 4
KILL_EVERY = 2.5  # seconds: after the first, kills land on the ladder, the actions, the closing
# The first kill waits for this e-mail of the first claim's opening step to be on the wire
# (the SMTP server holds its 250), so it surely cuts work in flight while the other claims
# are still being opened. The claim's acknowledgement went out before it in the same batch.
HELD = "new_claim_operators"


async def open_then_run(faults: FaultStack, who: Actors) -> list[Ledger]:
    claims = [await open_claim(faults, who, script) for script in SCRIPTS * 2]
    return await run_claims(faults, who, claims)


def restart(faults: FaultStack) -> None:
    faults.worker.kill()
    faults.worker.start()


@pytest.mark.timeout(240)
async def test_claims_end_as_undisturbed_after_worker_sigkills(
    faults: FaultStack, baseline: dict[str, Signature]
) -> None:
    who = await actors(faults)
    faults.smtp.hold(HELD)
    try:
        driving = asyncio.create_task(open_then_run(faults, who))
        await faults.smtp.until_held()
        restart(faults)
    finally:
        faults.smtp.release()
    for _ in range(KILLS - 1):
        await asyncio.sleep(KILL_EVERY)
        restart(faults)
    ledgers = await driving
    summary = check(ledgers, baseline, cut_sends=True)
    # The held e-mail's attempt died with the worker: at least that batch ran again.
    assert sum(entry.retried for entry in ledgers) > 0, "no kill cut work in flight"
    print(f"worker SIGKILLed {KILLS} times: {summary}")
