"""Histories recorded from real runs of every lifecycle path replay against today's workflow.

A change to `workflows/claim.py` that would make claims already running take another
path (a nondeterminism error for them) fails here. See the README, "Changing the
workflow safely", before re-recording.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from claimdesk.adapters.codec import ENCODING
from claimdesk.adapters.seal import SealCheck
from claimdesk.adapters.temporal import data_converter
from claimdesk.core.details import EVENT_DETAILS
from claimdesk.core.domain import ClaimView, ClosedReason, MailBatch, Projection
from claimdesk.core.mail import render
from claimdesk.core.settings import Settings
from tests.support.codec import converter, every_payload, plain
from workflows.claim import ClaimWorkflow

T = TypeVar("T")

# One folder per recording, never rewritten: claims started under older code still run.
HISTORIES = Path(__file__).resolve().parents[1] / "histories"
RECORDED = {
    f"{path.parent.name}/{path.stem}": path.read_text()
    for path in sorted(HISTORIES.glob("*/*.json"))
}


def test_histories_cover_every_way_a_claim_ends_and_a_hand_over() -> None:
    endings: set[str] = set()
    for name, text in RECORDED.items():
        last = WorkflowHistory.from_json(name, text).events[-1]
        if last.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
            payloads = last.workflow_execution_completed_event_attributes.result.payloads
            [view] = data_converter.payload_converter.from_payloads(plain(payloads), [ClaimView])
            endings.add(str(view.closed_reason))
        else:
            endings.add(EventType.Name(last.event_type))
    assert endings >= {reason.value for reason in ClosedReason} | {
        "EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW",
        "EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED",  # claims still open when recorded
    }


@pytest.mark.parametrize("name", sorted(RECORDED))
async def test_recorded_history_replays_on_the_current_workflow(name: str) -> None:
    history = WorkflowHistory.from_json(name, RECORDED[name])
    # The service's converter (decrypts the encrypted recordings, reads the older plain ones)
    # and the worker's seal check.
    replayer = Replayer(
        workflows=[ClaimWorkflow],
        data_converter=converter,
        interceptors=[SealCheck(Settings().keyring())],
    )
    await replayer.replay_workflow(history)  # raises on any nondeterminism


def _scheduled(history: WorkflowHistory, activity: str, kind: type[T]) -> list[T]:
    """The inputs of the activities named `activity` the history scheduled."""
    found: list[T] = []
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            attributes = event.activity_task_scheduled_event_attributes
            if attributes.activity_type.name == activity:
                payloads = attributes.input.payloads
                found += data_converter.payload_converter.from_payloads(plain(payloads), [kind])
    return found


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_recorded_mails_and_events_carry_the_details_declared_today(name: str) -> None:
    """An e-mail ordered before a deploy may be sent after it (a retried activity)."""
    history = WorkflowHistory.from_json(name, RECORDED[name])
    for batch in _scheduled(history, "send_mails", MailBatch):
        for order in batch.orders:
            render(order, settings=Settings())  # raises on details that do not fit
    for projection in _scheduled(history, "record_claim", Projection):
        for event in projection.events:
            EVENT_DETAILS[event.kind].check(event.details, f"{name}: {event}")


def test_the_encrypted_recordings_carry_the_claims_sealed() -> None:
    """What makes their replay above worth having: the replayer had to decrypt them."""
    names = [name for name in RECORDED if name.split("/")[0].endswith("-encrypted")]
    assert len(names) >= 5
    for name in names:
        history = WorkflowHistory.from_json(name, RECORDED[name])
        payloads = [p for event in history.events for p in every_payload(event)]
        sealed = [p for p in payloads if p.metadata.get("encoding") == ENCODING]
        assert len(sealed) >= 10, name
        for payload in payloads:
            if payload not in sealed:  # search attributes, the SDK's own patch markers
                assert b"example.com" not in payload.data, (name, payload)
        assert b"example.com" in b"".join(p.data for p in plain(sealed))
