"""Bursts of concurrent actions on claims, and the three-way check of what they left.

Every action carries a token of its own (in its message, reason, note, comment or
question), so the stored timeline says which actions it holds. After a burst, a claim's
API answers, its stored row and timeline, its workflow (a query, and the store writes and
e-mails its committed history scheduled) and the e-mails received must all agree.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import text
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowExecutionStatus

from claimdesk.adapters.temporal import data_converter
from claimdesk.core.domain import ClaimView, MailBatch, MailOrder, Projection, TimelineEvent
from claimdesk.store.claims import claim_row
from tests.faults.accounts import Batch, mail_batches
from tests.faults.claims import Actors, Claim, Headers, actors, open_claim
from tests.faults.stack import FaultStack
from tests.support.codec import plain

# A request is asked again with its Idempotency-Key while the service cannot answer, as a
# client that lost an answer would; within this, every request gets a final answer.
ANSWER_TIMEOUT = 120.0
SETTLE_TIMEOUT = 60.0
FINAL = (200, 409)
TOKEN = re.compile(r"[a-z-]+-[0-9a-f]{12}")
# What every e-mail about a message, a proposal or a question quotes in full.
SHOWN = ("body", "message", "question")


@dataclass
class Request:
    """One action of a burst: who, where, what, and the token that marks its effect."""

    path: str
    headers: Headers
    body: dict[str, Any]
    token: str
    key: str = field(default_factory=lambda: str(uuid.uuid4()))
    status: int | None = None
    answer: dict[str, Any] | None = None
    tries: int = 0


def token(kind: str) -> str:
    return f"{kind}-{uuid.uuid4().hex[:12]}"


def mixed_burst(who: Actors, merchant: Headers) -> list[Request]:
    """24 actions of every kind at once on one delivery claim with a proposal on the table."""
    requests: list[Request] = []

    def add(path: str, headers: Headers, make: Callable[[str], dict[str, Any]], kind: str) -> None:
        mark = token(kind)
        requests.append(Request(path, headers, make(mark), mark))

    for _ in range(3):
        add("/proposal/accept", who.customer, lambda t: {"reason": t}, "accept")
        add("/proposal/reject", who.customer, lambda t: {"reason": t}, "reject")
        add(
            "/merchant-response",
            merchant,
            lambda t: {
                "action": "propose",
                "message": t,
                "proposal": {"kind": "refund", "amount": "20.00"},
            },
            "propose",
        )
    for _ in range(5):
        add("/messages", who.customer, lambda t: {"body": t}, "customer-message")
    for _ in range(2):
        add("/messages", merchant, lambda t: {"body": t}, "merchant-message")
        add("/withdraw", who.customer, lambda t: {"note": t}, "withdraw")
    add("/messages", who.operator, lambda t: {"body": t}, "operator-message")
    add("/request-info", who.operator, lambda t: {"question": t}, "request-info")
    add(
        "/decision",
        who.operator,
        lambda t: {"outcome": "refund", "amount": "10.00", "note": t},
        "decision",
    )
    add("/satisfaction", who.customer, lambda t: {"satisfied": False, "comment": t}, "unhappy")
    add("/close", who.customer, lambda t: {"note": t}, "close")
    add(
        "/merchant-response",
        merchant,
        lambda t: {"action": "acknowledge", "message": t},
        "acknowledge",
    )
    return requests


def message_burst(who: Actors, merchant: Headers, count: int) -> list[Request]:
    """`count` messages at once, from the customer and the merchant in turn."""
    requests = []
    for n in range(count):
        headers = who.customer if n % 2 == 0 else merchant
        mark = token("message")
        requests.append(Request("/messages", headers, {"body": mark}, mark))
    return requests


async def send(stack: FaultStack, reference: str, request: Request) -> None:
    """Sends the request until it has a final answer, with the same key every time."""
    headers = {**request.headers, "Idempotency-Key": request.key}
    async with asyncio.timeout(ANSWER_TIMEOUT):
        while True:
            request.tries += 1
            try:
                answer = await stack.http.post(
                    f"/claims/{reference}{request.path}", headers=headers, json=request.body
                )
            except httpx.TransportError:
                await asyncio.sleep(0.5)
                continue
            if answer.status_code in FINAL:
                request.status = answer.status_code
                request.answer = answer.json()
                return
            assert answer.status_code == 503, f"{request.path}: {answer.status_code} {answer.text}"
            await asyncio.sleep(0.5)


async def fire(stack: FaultStack, reference: str, requests: list[Request]) -> None:
    await asyncio.gather(*(send(stack, reference, request) for request in requests))


async def proposed_claim(stack: FaultStack, who: Actors) -> Claim:
    """A delivery claim whose merchant has just proposed a refund."""
    claim = await open_claim(stack, who, "refund_accepted")
    proposal = Request(
        "/merchant-response",
        claim.merchant,
        {"action": "propose", "message": "first", "proposal": {"kind": "refund", "amount": "30"}},
        "first",
    )
    await send(stack, claim.reference, proposal)
    assert proposal.status == 200, proposal.answer
    return claim


async def claims_with_proposals(stack: FaultStack, count: int) -> tuple[Actors, list[Claim]]:
    who = await actors(stack)
    return who, [await proposed_claim(stack, who) for _ in range(count)]


# ---- what the workflow committed ----


@dataclass
class Committed:
    """What a claim's workflow history holds: its view, its store writes and its e-mails."""

    view: ClaimView
    running: bool
    events: list[TimelineEvent]  # every event of every scheduled store write, in order
    mails: list[MailOrder]  # every e-mail of every scheduled batch, in order
    batches: list[Batch]  # every `send_mails` activity, with the attempts it took


async def committed(stack: FaultStack, reference: str) -> Committed:
    """Reads every run of the claim's workflow, newest first, back to its opening."""
    handle = stack.client.get_workflow_handle(reference)
    description = await handle.describe()
    view = await handle.query("view", result_type=ClaimView)
    converter = data_converter.payload_converter
    runs: list[tuple[list[TimelineEvent], list[MailOrder]]] = []
    batches: list[Batch] = []
    run_id: str | None = description.run_id
    while run_id:
        history = await stack.client.get_workflow_handle(reference, run_id=run_id).fetch_history()
        batches += mail_batches(list(history.events))
        events: list[TimelineEvent] = []
        mails: list[MailOrder] = []
        run_id = None
        for event in history.events:
            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
                run_id = (
                    event.workflow_execution_started_event_attributes.continued_execution_run_id
                    or None
                )
            if event.event_type != EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
                continue
            scheduled = event.activity_task_scheduled_event_attributes
            payloads = list(scheduled.input.payloads)
            if scheduled.activity_type.name == "record_claim":
                projection = converter.from_payloads(plain(payloads), [Projection])[0]
                events.extend(projection.events)
            elif scheduled.activity_type.name == "send_mails":
                mails.extend(converter.from_payloads(plain(payloads), [MailBatch])[0].orders)
        runs.append((events, mails))
    runs.reverse()
    return Committed(
        view=view,
        running=description.status == WorkflowExecutionStatus.RUNNING,
        events=[e for events, _ in runs for e in events],
        mails=[m for _, mails in runs for m in mails],
        batches=batches,
    )


async def redone(stack: FaultStack, references: list[str]) -> int:
    """Work a fault cut off and Temporal did again: workflow tasks that timed out or
    failed, and activities that needed more than one attempt, over every run."""
    count = 0
    for reference in references:
        async for event in stack.client.get_workflow_handle(reference).fetch_history_events():
            if event.event_type in (
                EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
                EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
            ):
                count += 1
            elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
                count += event.activity_task_started_event_attributes.attempt > 1
    return count


# ---- what the store holds ----


@dataclass
class Stored:
    row: dict[str, Any]
    events: list[TimelineEvent]


async def stored(stack: FaultStack, reference: str) -> Stored:
    async with stack.engine.connect() as conn:
        query = text("SELECT * FROM claims WHERE reference = :r")
        row = (await conn.execute(query, {"r": reference})).mappings().one()
        found = await conn.execute(
            text(
                "SELECT seq, at, actor, kind, details FROM claim_events"
                " WHERE reference = :r ORDER BY seq"
            ),
            {"r": reference},
        )
        events = [
            TimelineEvent(seq=e.seq, at=e.at, actor=e.actor, kind=e.kind, details=dict(e.details))
            for e in found
        ]
    return Stored(row=dict(row), events=events)


def as_json(row: dict[str, Any]) -> dict[str, Any]:
    """A claim's columns as JSON would carry them: the view's and the row's compare equal."""
    converter = data_converter.payload_converter
    result: dict[str, Any] = converter.from_payloads(converter.to_payloads([row]), [dict])[0]
    return result


def same_row(view: ClaimView, row: dict[str, Any]) -> bool:
    expected = claim_row(view)
    return as_json(expected) == as_json({name: row[name] for name in expected})


async def settled(stack: FaultStack, reference: str) -> tuple[Committed, Stored]:
    """The workflow and the store once they have stopped moving and the store caught up."""
    async with asyncio.timeout(SETTLE_TIMEOUT):
        while True:
            first = await committed(stack, reference)
            store = await stored(stack, reference)
            again = await committed(stack, reference)
            if (
                first.view.version == again.view.version == store.row["version"]
                and len(first.events) == len(again.events)
                and len(first.mails) == len(again.mails)
            ):
                return again, store
            await asyncio.sleep(0.5)


async def received_mails(stack: FaultStack, reference: str, keys: set[str]) -> list[Any]:
    """The e-mails the SMTP server received for the claim, once every key in `keys` came."""
    async with asyncio.timeout(SETTLE_TIMEOUT):
        while True:
            received = stack.smtp.for_claim(reference)
            if keys <= {str(m["X-Claimdesk-Key"]) for m in received}:
                return received
            await asyncio.sleep(0.5)


# ---- the check ----


def assert_answers_in_timeline(
    reference: str, requests: list[Request], timeline: list[TimelineEvent]
) -> None:
    """Every 200 shows in exactly one event of a party, every 409 in none.

    (The system's own events may repeat a token: a resolution quotes the decision's note.)
    """
    seen = Counter(
        value for event in timeline if event.actor != "system" for value in event.details.values()
    )
    for request in requests:
        assert request.status in FINAL, f"{reference}: {request.path} got no final answer"
        times = seen[request.token]
        expected = 1 if request.status == 200 else 0
        assert times == expected, (
            f"{reference}: {request.path} answered {request.status} "
            f"but its token shows {times} time(s) in the timeline"
        )


def assert_nothing_after_closing(reference: str, timeline: list[TimelineEvent]) -> None:
    kinds = [event.kind for event in timeline]
    if "closed" in kinds:
        after = [k for k in kinds[kinds.index("closed") + 1 :] if k != "mail_undeliverable"]
        assert not after, f"{reference}: events after closing: {after}"


def assert_mails_match(
    reference: str,
    work: Committed,
    timeline: list[TimelineEvent],
    received: list[Any],
    *,
    cut_sends: bool,
) -> None:
    """One e-mail per ordered key, none other, each about the stored event of its seq.

    `cut_sends` (the worker was killed): an attempt cut between the SMTP server's 250 and
    the commit of the e-mail's log row sends it again on retry, as the fault tests bound it
    (`tests.faults.accounts.check`): per batch, at most its attempts minus one copies more.
    """
    by_seq = {event.seq: event for event in timeline}
    ordered = {order.key: order for order in work.mails}
    assert len(ordered) == len(work.mails), f"{reference}: an e-mail key was ordered twice"
    counts = Counter(str(m["X-Claimdesk-Key"]) for m in received)
    for batch in work.batches:
        doubled = sorted(key for key in batch.keys if counts[key] > 1)
        # (A batch still running has no started event yet: no attempt known to be cut.)
        allowed = max(batch.attempts - 1, 0) if cut_sends else 0
        extra = sum(counts[key] - 1 for key in doubled)
        assert extra <= allowed, (
            f"{reference}: e-mails received more than once: {doubled} "
            f"({extra} copies more, {allowed} allowed for a batch of {batch.attempts} attempts)"
        )
    assert set(counts) == set(ordered), (
        f"{reference}: received {sorted(set(counts) - set(ordered))} not ordered, "
        f"missing {sorted(set(ordered) - set(counts))}"
    )
    for mail in received:
        order = ordered[str(mail["X-Claimdesk-Key"])]
        seq = int(order.key.split("/")[1])
        assert seq in by_seq, f"{reference}: e-mail {order.key} about no stored event"
        event = by_seq[seq]
        body = mail.get_body(preferencelist=("plain",)).get_content()
        for name in SHOWN:
            value = order.details.get(name)
            if value is not None and TOKEN.fullmatch(value):
                assert value in body, f"{reference}: e-mail {order.key} lacks its {name}"
        for name, value in order.details.items():
            if name in event.details:
                assert event.details[name] == value, (
                    f"{reference}: e-mail {order.key} says {name}={value!r}, "
                    f"the stored event {event.details[name]!r}"
                )


async def check_claim(
    stack: FaultStack, reference: str, requests: list[Request], *, cut_sends: bool = False
) -> tuple[Committed, Stored]:
    """The API's answers, the store and the workflow agree on the claim; so do the e-mails."""
    work, store = await settled(stack, reference)
    assert same_row(work.view, store.row), f"{reference}: stored row != workflow"
    assert [e.seq for e in store.events] == list(range(1, len(store.events) + 1)), (
        f"{reference}: timeline seqs are not 1..n"
    )
    assert_answers_in_timeline(reference, requests, store.events)
    assert_nothing_after_closing(reference, store.events)
    received = await received_mails(stack, reference, {order.key for order in work.mails})
    assert_mails_match(reference, work, store.events, received, cut_sends=cut_sends)
    assert _plain(store.events) == _plain(work.events), (
        f"{reference}: stored timeline != the workflow's committed events"
    )
    return work, store


def _plain(events: list[TimelineEvent]) -> list[tuple[Any, ...]]:
    return [(e.seq, e.at, str(e.actor), e.kind, dict(e.details)) for e in events]
