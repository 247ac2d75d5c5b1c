"""PostgreSQL stopped for a while as claims move: the API answers 503, the claims catch up."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from tests.faults.accounts import Signature, check
from tests.faults.claims import (
    claim_body,
    open_every_script,
    prepare,
    run_claims,
)
from tests.faults.stack import FaultStack

DOWN_FOR = 6.0  # seconds: level 2, level 3 and the breach all fall in the outage


def assert_unavailable(answer: httpx.Response) -> None:
    where = f"{answer.request.method} {answer.request.url.path}"
    assert answer.status_code == 503, f"{where}: {answer.status_code} {answer.text}"
    assert answer.headers["Retry-After"].isdigit(), where


@pytest.mark.timeout(200)
async def test_store_down_answers_503_and_claims_catch_up(
    faults: FaultStack, baseline: dict[str, Signature]
) -> None:
    who, claims = await open_every_script(faults)
    spare_transaction, _ = await prepare(faults, who, "refund_accepted")
    driving = asyncio.create_task(run_claims(faults, who, claims))
    await asyncio.sleep(1.5)
    await asyncio.to_thread(faults.postgres.stop)
    stopped_at = time.monotonic()
    try:
        http, reference = faults.http, claims[0].reference
        answers = [
            await http.get(f"/claims/{reference}", headers=who.operator),
            await http.get("/claims", headers=who.customer),
            await http.get(f"/claims/{reference}/report", headers=who.customer),
            await http.post(
                "/claims",
                headers={**who.customer, "Idempotency-Key": "during-the-outage"},
                json=claim_body(spare_transaction, "refund_accepted"),
            ),
            await http.get("/readyz"),
        ]
        for answer in answers[:-1]:
            assert_unavailable(answer)
            assert answer.headers["content-type"] == "application/problem+json"
        assert_unavailable(answers[-1])
        await asyncio.sleep(DOWN_FOR - (time.monotonic() - stopped_at))
    finally:
        await asyncio.to_thread(faults.postgres.start)
    ledgers = await driving
    summary = check(ledgers, baseline, cut_sends=True)
    assert sum(entry.retried for entry in ledgers) > 0, "the outage hit no activity"
    # The claim refused during the outage left nothing behind: it can be opened now.
    answer = await faults.http.post(
        "/claims",
        headers={**who.customer, "Idempotency-Key": "after-the-outage"},
        json=claim_body(spare_transaction, "refund_accepted"),
    )
    assert answer.status_code == 201, answer.text
    print(f"PostgreSQL down {DOWN_FOR:.0f} s: {summary}")
