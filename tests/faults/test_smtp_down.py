"""The SMTP server down: e-mails are retried with backoff and delivered once it is back."""

from __future__ import annotations

import asyncio

import pytest

from tests.faults.accounts import Signature, check
from tests.faults.claims import SCRIPTS, actors, open_claim, run_claims
from tests.faults.stack import FaultStack

DOWN_FOR = 6.0  # seconds: the opening and ladder e-mails all meet a closed port


async def mail_attempts(faults: FaultStack, reference: str) -> list[int]:
    """The attempt number of each e-mail activity still pending on the claim."""
    described = await faults.client.get_workflow_handle(reference).describe()
    return [
        activity.attempt
        for activity in described.raw_description.pending_activities
        if activity.activity_type.name.startswith("send_mail")
    ]


@pytest.mark.timeout(200)
async def test_mail_retried_while_smtp_down_and_delivered_once_back(
    faults: FaultStack, baseline: dict[str, Signature]
) -> None:
    who = await actors(faults)
    faults.smtp.stop()
    try:
        claims = [await open_claim(faults, who, script) for script in SCRIPTS]
        driving = asyncio.create_task(run_claims(faults, who, claims))
        await asyncio.sleep(DOWN_FOR)
        # Still trying: e-mails are pending and being retried (on a loaded machine a step's
        # e-mails may have been scheduled only just now, so not every one is past its first).
        attempts = [n for claim in claims for n in await mail_attempts(faults, claim.reference)]
        assert attempts and max(attempts) > 1, attempts
        for claim in claims:
            assert faults.smtp.for_claim(claim.reference) == []
    finally:
        faults.smtp.start()
    ledgers = await driving
    summary = check(ledgers, baseline)
    print(f"SMTP down {DOWN_FOR:.0f} s (attempts seen {max(attempts)}): {summary}")
