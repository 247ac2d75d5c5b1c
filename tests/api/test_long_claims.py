"""A claim with thousands of messages hands its history over to fresh runs and keeps working."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import AsyncIterator
from email.message import EmailMessage

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from tests.support.api import Api, api_settings, claim_body, serve
from tests.support.mailbox import Mailbox

MESSAGES = 2000
EVENTS_PER_RUN = 1000  # low, so the test sees several hand-overs; production's is 5000
CUSTOMER = "ana@example.com"
# The message's words in the `message` e-mail, between its announcement and the answer link.
_MESSAGE = re.compile(r":\n\n(?P<body>.*?)\n\nYou can answer on the claim", re.DOTALL)


@pytest.fixture
async def api(
    temporal_env: WorkflowEnvironment, database_url: str, engine: AsyncEngine, mailbox: Mailbox
) -> AsyncIterator[Api]:
    settings = api_settings(temporal_env, database_url, mailbox).model_copy(
        # Every message e-mailed on its own (edition 3 caps them at 10 an hour by default:
        # tests/workflows/test_mail_cap.py), so that each can be found in the mailbox.
        update={"history_events_per_run": EVENTS_PER_RUN, "message_mails_per_hour": MESSAGES}
    )
    async with serve(temporal_env, engine, mailbox, settings) as api:
        yield api


@pytest.mark.timeout(600)
async def test_claim_with_thousands_of_messages_continues_as_new_and_loses_nothing(
    api: Api, temporal_env: WorkflowEnvironment
) -> None:
    customer = await api.key("customer", email=CUSTOMER)
    merchant = await api.key("merchant", merchant_id="M1")
    await api.transaction("T1")
    opened = await api.http.post("/claims", json=claim_body("T1"), headers=customer)
    assert opened.status_code == 201, opened.text
    reference = opened.json()["reference"]
    first_run = (await temporal_env.client.get_workflow_handle(reference).describe()).run_id
    gate = asyncio.Semaphore(8)  # under the 10 updates Temporal holds in flight per workflow
    # Who wrote what: the customer the odd notes, the merchant the even ones.
    sent = Counter(("customer" if i % 2 else "merchant", f"note {i}") for i in range(MESSAGES))

    async def post(i: int) -> None:
        async with gate:
            response = await api.http.post(
                f"/claims/{reference}/messages",
                json={"body": f"note {i}"},
                headers=customer if i % 2 else merchant,
            )
            assert response.status_code == 200, response.text

    await asyncio.gather(*(post(i) for i in range(MESSAGES)))

    runs = 0
    run_id: str | None = first_run
    while run_id:  # follow the chain of runs from the first
        runs += 1
        history = await temporal_env.client.get_workflow_handle(
            reference, run_id=run_id
        ).fetch_history()
        assert len(history.events) < EVENTS_PER_RUN * 1.5
        last = history.events[-1]
        if last.event_type != EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
            break
        run_id = last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
    # Each message costs at least 6 events: its update accepted and completed, its store
    # write's marker, and its e-mail's activity scheduled, started and completed.
    assert runs >= MESSAGES * 6 // EVENTS_PER_RUN

    closed = await api.http.post(f"/claims/{reference}/close", headers=customer)
    assert closed.status_code == 200 and closed.json()["status"] == "closed", closed.text
    async with api.engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT seq, kind, actor, details FROM claim_events"
                " WHERE reference = :r ORDER BY seq"
            ),
            {"r": reference},
        )
        events = [(seq, kind, actor, details) for seq, kind, actor, details in rows]
    assert [seq for seq, *_ in events] == list(range(1, len(events) + 1))  # no gap, no repeat
    # Each message stored once, with its author and its words: one lost and one doubled
    # would keep the count but not this.
    stored = Counter((actor, said["body"]) for _, kind, actor, said in events if kind == "message")
    assert stored == sent

    async def delivered() -> list[EmailMessage]:
        return [
            m
            for m in list(api.mailbox.messages)
            if str(m["X-Claimdesk-Reference"]) == reference
            and str(m["X-Claimdesk-Template"]) in ("message", "closed")
        ]

    give_up = asyncio.get_running_loop().time() + 60
    while len(mails := await delivered()) < MESSAGES + 1:
        assert asyncio.get_running_loop().time() < give_up, f"{len(mails)} e-mails arrived"
        await asyncio.sleep(0.5)
    ids = [str(m["Message-ID"]) for m in mails]
    assert len(ids) == len(set(ids)) == MESSAGES + 1  # each message told once, and the closing
    # Each message e-mailed to the other party with its words (the customer's to the merchant).
    told = Counter(_told(m) for m in mails if m["X-Claimdesk-Template"] == "message")
    assert told == sent


def _told(mail: EmailMessage) -> tuple[str, str]:
    """(author, words) of a `message` e-mail: its author is whoever it was not sent to."""
    found = _MESSAGE.search(mail.get_content().replace("\r\n", "\n"))
    assert found is not None, mail.get_content()
    author = "merchant" if CUSTOMER in str(mail["To"]) else "customer"
    # The words come quoted, every line behind "> ".
    return author, "\n".join(line.removeprefix("> ") for line in found["body"].splitlines())
