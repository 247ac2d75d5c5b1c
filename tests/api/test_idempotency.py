"""`Idempotency-Key` on every write: the same key and body give the first answer and one
effect, at once or later; the same key with another body, 422, and nothing changes."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from api import idempotency
from claimdesk.store import idempotency as stored_keys
from tests.support.api import Api, claim_body

ANA = "ana@example.com"
PROPOSAL = {
    "action": "propose",
    "message": "A refund.",
    "proposal": {"kind": "refund", "amount": "20.00"},
}
Headers = dict[str, str]


@dataclass
class Parties:
    customer: Headers
    merchant: Headers
    operator: Headers


@dataclass(frozen=True)
class Case:
    """One action endpoint: the state it needs, who sends it, and two different bodies."""

    path: str
    who: str  # customer, merchant or operator
    body: dict[str, Any]
    other: dict[str, Any]
    kind: str  # the timeline event it adds
    needs: str = "open"  # open, proposed or resolved


CASES = [
    Case("/messages", "customer", {"body": "Any news?"}, {"body": "Hello?"}, "message"),
    Case(
        "/merchant-response",
        "merchant",
        {"action": "acknowledge", "message": "On it."},
        {"action": "acknowledge", "message": "Looking."},
        "merchant_acknowledged",
    ),
    Case("/proposal/accept", "customer", {"reason": "ok"}, {}, "proposal_accepted", "proposed"),
    Case("/proposal/reject", "customer", {"reason": "no"}, {}, "proposal_rejected", "proposed"),
    Case("/close", "customer", {"note": "Sorted."}, {"note": "Done."}, "closed"),
    Case("/withdraw", "customer", {"note": "Found it."}, {}, "closed"),
    Case(
        "/satisfaction",
        "customer",
        {"satisfied": True},
        {"satisfied": False},
        "satisfaction",
        "resolved",
    ),
    Case(
        "/decision",
        "operator",
        {"outcome": "refund", "amount": "10.00", "note": "Refund."},
        {"outcome": "rejected", "note": "No."},
        "decision",
    ),
    Case(
        "/request-info",
        "operator",
        {"question": "Photo?"},
        {"question": "Receipt?"},
        "info_requested",
    ),
]


async def parties(api: Api) -> Parties:
    return Parties(
        customer=await api.key("customer", email=ANA),
        merchant=await api.key("merchant", merchant_id="M1"),
        operator=await api.key("operator"),
    )


async def claim_in(api: Api, who: Parties, needs: str, transaction_id: str) -> str:
    await api.transaction(transaction_id)
    opened = await api.http.post("/claims", json=claim_body(transaction_id), headers=who.customer)
    assert opened.status_code == 201, opened.text
    reference = str(opened.json()["reference"])
    if needs in ("proposed", "resolved"):
        await post(api, reference, "/merchant-response", who.merchant, PROPOSAL, expect=200)
    if needs == "resolved":
        await post(api, reference, "/proposal/accept", who.customer, {}, expect=200)
    return reference


async def post(
    api: Api,
    reference: str,
    path: str,
    headers: Headers,
    body: dict[str, Any],
    *,
    key: str | None = None,
    expect: int | None = None,
) -> dict[str, Any]:
    if key is not None:
        headers = {**headers, "Idempotency-Key": key}
    answer = await api.http.post(f"/claims/{reference}{path}", json=body, headers=headers)
    if expect is not None:
        assert answer.status_code == expect, f"{path}: {answer.status_code} {answer.text}"
    result: dict[str, Any] = {"http": answer.status_code, **answer.json()}
    return result


async def kinds(api: Api, reference: str, who: Parties) -> list[str]:
    detail = await api.http.get(f"/claims/{reference}", headers=who.operator)
    return [event["kind"] for event in detail.json()["timeline"]]


@pytest.mark.parametrize("case", CASES, ids=[c.path.strip("/") for c in CASES])
async def test_same_key_gives_first_answer_and_one_effect_other_body_422(
    api: Api, case: Case
) -> None:
    who = await parties(api)
    reference = await claim_in(api, who, case.needs, "T1")
    headers = getattr(who, case.who)
    before = await kinds(api, reference, who)
    key = f"key-{case.kind}"
    first = await post(api, reference, case.path, headers, case.body, key=key, expect=200)
    # Asked again, at once and then in a burst: the first answer, byte for byte.
    again = await post(api, reference, case.path, headers, case.body, key=key, expect=200)
    burst = await asyncio.gather(
        *(post(api, reference, case.path, headers, case.body, key=key) for _ in range(5))
    )
    assert again == first
    assert all(answer == first for answer in burst), burst
    after = await kinds(api, reference, who)
    assert after.count(case.kind) == before.count(case.kind) + 1, after
    misuse = await post(api, reference, case.path, headers, case.other, key=key, expect=422)
    assert misuse["type"].endswith("/idempotency-key-reused")
    assert await kinds(api, reference, who) == after


async def test_a_replay_after_the_claim_moved_on_gives_the_first_answer(api: Api) -> None:
    who = await parties(api)
    reference = await claim_in(api, who, "open", "T1")
    first = await post(api, reference, "/messages", who.customer, {"body": "One"}, key="k1")
    await post(api, reference, "/merchant-response", who.merchant, PROPOSAL, expect=200)
    replay = await post(api, reference, "/messages", who.customer, {"body": "One"}, key="k1")
    assert replay == first
    assert replay["http"] == 200 and replay["status"] == "open"
    assert (await kinds(api, reference, who)).count("message") == 1


async def test_a_refused_action_replayed_is_refused_again_even_when_it_now_fits(
    api: Api,
) -> None:
    who = await parties(api)
    reference = await claim_in(api, who, "open", "T1")
    refused = await post(api, reference, "/proposal/accept", who.customer, {}, key="early")
    assert refused["http"] == 409, refused
    await post(api, reference, "/merchant-response", who.merchant, PROPOSAL, expect=200)
    replay = await post(api, reference, "/proposal/accept", who.customer, {}, key="early")
    assert replay == refused
    assert "proposal_accepted" not in await kinds(api, reference, who)
    taken = await post(api, reference, "/proposal/accept", who.customer, {}, key="later")
    assert taken["http"] == 200


async def test_one_key_on_two_endpoints_or_two_claims_is_422(api: Api) -> None:
    who = await parties(api)
    reference = await claim_in(api, who, "open", "T1")
    other = await claim_in(api, who, "open", "T2")
    await post(api, reference, "/messages", who.customer, {"body": "Hi"}, key="k", expect=200)
    on_close = await post(api, reference, "/close", who.customer, {}, key="k", expect=422)
    on_other = await post(api, other, "/messages", who.customer, {"body": "Hi"}, key="k")
    assert on_close["type"].endswith("/idempotency-key-reused")
    assert on_other["http"] == 422
    assert "closed" not in await kinds(api, reference, who)
    assert (await kinds(api, other, who)).count("message") == 0


async def test_an_opening_replayed_after_the_claim_moved_gives_its_first_answer(
    api: Api,
) -> None:
    who = await parties(api)
    await api.transaction("T1")
    headers = {**who.customer, "Idempotency-Key": "open-once"}
    first = await api.http.post("/claims", json=claim_body(), headers=headers)
    assert first.status_code == 201, first.text
    reference = first.json()["reference"]
    await post(api, reference, "/merchant-response", who.merchant, PROPOSAL, expect=200)
    replay = await api.http.post("/claims", json=claim_body(), headers=headers)
    assert replay.status_code == 201
    assert replay.json() == first.json()
    assert replay.json()["status"] == "open"


def stall_refusals(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """Holds the API's next refusal before it is kept: the first event says one is held,
    setting the second lets it go on."""
    recording, go_on = threading.Event(), threading.Event()
    record_refusal = stored_keys.record_refusal

    async def stalled_record_refusal(**kwargs: Any) -> bool:  # in the API's thread
        recording.set()
        await asyncio.to_thread(go_on.wait, 30)
        return await record_refusal(**kwargs)

    monkeypatch.setattr(stored_keys, "record_refusal", stalled_record_refusal)
    return recording, go_on


async def accept_held_while_the_merchant_proposes(
    api: Api, monkeypatch: pytest.MonkeyPatch, key: str
) -> tuple[Parties, str, asyncio.Task[dict[str, Any]], threading.Event]:
    """The customer accepts (under `key`) before there is a proposal; the refusal is held
    before it is kept while the merchant proposes. Returns the parties, the claim, the held
    request, and the event that lets its refusal go on."""
    recording, go_on = stall_refusals(monkeypatch)
    who = await parties(api)
    reference = await claim_in(api, who, "open", "T1")
    first = asyncio.create_task(post(api, reference, "/proposal/accept", who.customer, {}, key=key))
    assert await asyncio.to_thread(recording.wait, 20)
    await post(api, reference, "/merchant-response", who.merchant, PROPOSAL, expect=200)
    return who, reference, first, go_on


async def test_a_repeat_during_a_refusal_waits_for_it_and_is_refused_too(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A double-click on "accept" while the merchant proposes: the first request is refused
    (no proposal yet) and, until its refusal is kept, the second one must not send the
    action again: it waits, and gets the same 409."""
    who, reference, first, go_on = await accept_held_while_the_merchant_proposes(
        api, monkeypatch, "click"
    )
    accept = "/proposal/accept"
    second = asyncio.create_task(post(api, reference, accept, who.customer, {}, key="click"))
    await asyncio.sleep(1)  # the second request is waiting on the first one's answer
    assert not second.done()
    go_on.set()
    answers = [await first, await second]
    answers.append(await post(api, reference, accept, who.customer, {}, key="click"))
    assert [a["http"] for a in answers] == [409, 409, 409], answers
    assert "proposal_accepted" not in await kinds(api, reference, who)


async def test_a_request_that_outlived_its_lease_answers_what_the_key_holds(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first request is refused but stalls past its lease before keeping the refusal; a
    repeat takes the key over and is carried out: both answer the repeat's 200."""
    monkeypatch.setattr(idempotency, "LEASE", timedelta(seconds=1))
    who, reference, first, go_on = await accept_held_while_the_merchant_proposes(
        api, monkeypatch, "slow"
    )
    accept = "/proposal/accept"
    await asyncio.sleep(1.5)  # the first request's lease has run out
    repeat = await post(api, reference, accept, who.customer, {}, key="slow")
    go_on.set()
    stalled = await first
    assert repeat["http"] == stalled["http"] == 200, (repeat, stalled)
    assert stalled == repeat
    assert (await kinds(api, reference, who)).count("proposal_accepted") == 1
