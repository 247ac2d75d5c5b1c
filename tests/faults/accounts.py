"""What a claim left behind (store, history, mailbox), checked against an undisturbed run.

A claim's signature is everything a fault must not change: its end, its outcome, its
timeline with each event's details, and every e-mail it logged with the content that
reached the SMTP server. Only what legitimately differs between two runs of one script is
normalised away: the claim's own identifiers (reference, transaction, merchant) and times.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from temporalio.api.history.v1 import HistoryEvent

from claimdesk.adapters.temporal import data_converter
from claimdesk.core.domain import MailBatch
from tests.faults.stack import FaultStack
from tests.support.codec import plain

CUSTOMER = "ana@example.com"
LOCAL_ACTIVITY = "core_local_activity"  # the marker the SDK records a local activity in
SEND_MAILS = "send_mails"
# An ISO 8601 instant or date (details, JSON) or a time as e-mails write it ("… 14:05 UTC").
_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}| UTC)?)?"
)
# The sentence naming the claim's next deadline ("If … is not resolved by <time>, …", "We
# aim to resolve your claim by <time>.") is written only while that deadline is ahead:
# when a fault holds the timers up past it, several rungs come due in one step and the
# e-mail rightly leaves it out. Such paragraphs are dropped; the rest of the e-mail counts.
_NEXT_DEADLINE = re.compile(r"(?:resolved|resolve your claim) by <time>")

Details = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Mail:
    """One logged e-mail as it reached the SMTP server, normalised."""

    key: str  # seq/template/recipient: the key without the claim's reference
    recipient: str  # the role the logged address belongs to
    subject: str
    body: str


@dataclass(frozen=True)
class Signature:
    """What must be the same after any run: the end, the timeline and the e-mails."""

    status: str
    closed_reason: str | None
    escalation_level: int
    sla_breached: bool
    outcome: Details | None  # kind, amount, note, decided by: as stored
    events: tuple[tuple[str, str, Details], ...]  # (actor, kind, details) in seq order
    mails: tuple[Mail, ...]  # every logged e-mail, by key


@dataclass(frozen=True)
class Batch:
    """One `send_mails` activity: the keys it carried and the attempts it took."""

    keys: frozenset[str]
    attempts: int


@dataclass
class Ledger:
    """One claim's accounts: its signature and what was lost or doubled on the way."""

    reference: str
    script: str
    signature: Signature
    events: int
    seq_gaps: int  # seqs missing from 1..n
    logged: int  # rows in sent_mails
    copies: Counter[str]  # messages the SMTP server accepted, per key
    variants: dict[str, int]  # distinct contents received per key (1 unless a copy differs)
    lost: int  # logged but never received
    unlogged: int  # received but not in the log
    batches: list[Batch]
    retried: int  # activities that needed more than one attempt (the faults hit work)
    lost_tasks: int  # workflow tasks that timed out (a worker died holding them)

    @property
    def received(self) -> int:
        return sum(self.copies.values())

    @property
    def doubled(self) -> int:
        """Copies received beyond the first, of any e-mail."""
        return sum(n - 1 for n in self.copies.values() if n > 1)

    def doubled_keys(self) -> list[str]:
        return sorted(key for key, n in self.copies.items() if n > 1)


class Normaliser:
    """Rewrites one claim's own identifiers and every time into placeholders."""

    def __init__(self, row: dict[str, Any], merchant_email: str) -> None:
        self._literals = [
            (str(row["reference"]), "<reference>"),
            (str(row["transaction_id"]), "<transaction>"),
            (str(row["merchant_id"]), "<merchant>"),
            (merchant_email, "<merchant-email>"),
        ]

    def __call__(self, value: str) -> str:
        for literal, placeholder in self._literals:
            value = value.replace(literal, placeholder)
        return _TIME.sub("<time>", value)

    def details(self, details: dict[str, Any]) -> Details:
        return tuple(sorted((key, self(str(value))) for key, value in details.items()))

    def mail(self, subject: str, body: str) -> str:
        """The subject and the body's paragraphs, but those naming the next deadline."""
        paragraphs = self(body.replace("\r\n", "\n")).split("\n\n")
        kept = [p for p in paragraphs if not _NEXT_DEADLINE.search(" ".join(p.split()))]
        return "\n\n".join([self(subject), *kept])


async def ledger(stack: FaultStack, reference: str, script: str) -> Ledger:
    """Reads the store, the history and the mailbox once the claim's workflow has completed."""
    async with stack.engine.connect() as conn:
        found = await conn.execute(
            text("SELECT * FROM claims WHERE reference = :r"), {"r": reference}
        )
        row = dict(found.mappings().one())
        events = (
            await conn.execute(
                text(
                    "SELECT seq, actor, kind, details FROM claim_events"
                    " WHERE reference = :r ORDER BY seq"
                ),
                {"r": reference},
            )
        ).all()
        logged = (
            await conn.execute(
                text("SELECT key, recipient FROM sent_mails WHERE reference = :r ORDER BY key"),
                {"r": reference},
            )
        ).all()
        merchant_email = str(
            (
                await conn.execute(
                    text("SELECT email FROM merchants WHERE id = :m"), {"m": row["merchant_id"]}
                )
            ).scalar_one()
        )
    normalise = Normaliser(row, merchant_email)
    received: dict[str, list[str]] = {}
    for message in stack.smtp.for_claim(reference):
        content = normalise.mail(str(message["Subject"]), message.get_content())
        received.setdefault(str(message["X-Claimdesk-Key"]), []).append(content)

    def role(address: str) -> str:
        if CUSTOMER in address:
            return "customer"
        if merchant_email in address:
            return "merchant"
        if stack.settings.operator_email in address:
            return "operators"
        return address

    def mail(key: str, recipient: str) -> Mail:
        subject, _, body = (received.get(key) or ["(never received)"])[0].partition("\n\n")
        tail = key.removeprefix(f"{reference}/")
        return Mail(key=tail, recipient=role(recipient), subject=subject, body=body)

    outcome = row["outcome"]
    signature = Signature(
        status=str(row["status"]),
        closed_reason=row["closed_reason"],
        escalation_level=int(row["escalation_level"]),
        sla_breached=bool(row["sla_breached"]),
        outcome=None
        if outcome is None
        else normalise.details({k: v for k, v in outcome.items() if v is not None}),
        events=tuple((str(e.actor), str(e.kind), normalise.details(e.details)) for e in events),
        mails=tuple(mail(str(m.key), str(m.recipient)) for m in logged),
    )
    history = await stack.client.get_workflow_handle(reference).fetch_history()
    logged_keys = {str(m.key) for m in logged}
    seqs = [int(e.seq) for e in events]
    return Ledger(
        reference=reference,
        script=script,
        signature=signature,
        events=len(events),
        seq_gaps=len(set(range(1, max(seqs, default=0) + 1)) - set(seqs)),
        logged=len(logged),
        copies=Counter({key: len(copies) for key, copies in received.items()}),
        variants={key: len(set(copies)) for key, copies in received.items()},
        lost=len(logged_keys - set(received)),
        unlogged=len(set(received) - logged_keys),
        batches=mail_batches(history.events),
        retried=sum(_attempts(event) > 1 for event in history.events),
        lost_tasks=sum(
            event.HasField("workflow_task_timed_out_event_attributes") for event in history.events
        ),
    )


def mail_batches(events: list[HistoryEvent]) -> list[Batch]:
    """Each `send_mails` activity of a history with the attempts its last start was."""
    keys: dict[int, frozenset[str]] = {}
    attempts: dict[int, int] = {}
    for event in events:
        if event.HasField("activity_task_scheduled_event_attributes"):
            scheduled = event.activity_task_scheduled_event_attributes
            if scheduled.activity_type.name == SEND_MAILS:
                (batch,) = data_converter.payload_converter.from_payloads(
                    plain(scheduled.input.payloads), [MailBatch]
                )
                keys[event.event_id] = frozenset(order.key for order in batch.orders)
        elif event.HasField("activity_task_started_event_attributes"):
            started = event.activity_task_started_event_attributes
            attempts[started.scheduled_event_id] = started.attempt
    return [Batch(batch, attempts.get(event_id, 0)) for event_id, batch in keys.items()]


def check(ledgers: list[Ledger], baseline: dict[str, Signature], *, cut_sends: bool = False) -> str:
    """Asserts nothing was lost, changed or doubled beyond what the fault explains; a summary.

    `cut_sends`: the fault can cut a `send_mails` attempt between the SMTP server's 250 and
    the commit of that e-mail's log row (a killed worker, a stopped PostgreSQL); the retry
    then sends that e-mail again, under the same Message-ID. An attempt sends one e-mail
    at a time and commits each before the next, so one cut attempt re-delivers at most one
    e-mail: per batch, copies beyond the first are at most its attempts minus one. Without
    `cut_sends`, no e-mail may arrive twice.
    """
    for entry in ledgers:
        where = f"{entry.reference} ({entry.script})"
        assert entry.seq_gaps == 0, f"{where}: timeline has gaps"
        assert entry.lost == 0, f"{where}: {entry.lost} e-mail(s) logged but never received"
        assert entry.unlogged == 0, f"{where}: {entry.unlogged} e-mail(s) received, not logged"
        changed = sorted(key for key, n in entry.variants.items() if n > 1)
        assert not changed, f"{where}: copies of one e-mail differ: {changed}"
        _check_redeliveries(entry, cut_sends=cut_sends)
        expected = baseline[entry.script]
        assert entry.signature == expected, f"{where} differs from undisturbed:\n" + "\n".join(
            _differences(entry.signature, expected)
        )
    doubled = sorted(key.split("/", 2)[2] for e in ledgers for key in e.doubled_keys())
    return (
        f"{len(ledgers)} claims, {sum(e.events for e in ledgers)} events, "
        f"{sum(e.logged for e in ledgers)} e-mails; "
        f"lost {sum(e.lost + e.seq_gaps for e in ledgers)}, "
        f"doubled {sum(e.doubled for e in ledgers)} {doubled}; "
        f"{sum(e.retried for e in ledgers)} activities retried "
        f"({sum(b.attempts > 1 for e in ledgers for b in e.batches)} of them e-mail batches), "
        f"{sum(e.lost_tasks for e in ledgers)} workflow tasks timed out"
    )


def _check_redeliveries(entry: Ledger, *, cut_sends: bool) -> None:
    where = f"{entry.reference} ({entry.script})"
    in_batches: set[str] = set()
    for batch in entry.batches:
        in_batches |= batch.keys
        extra = sum(entry.copies[key] - 1 for key in batch.keys if entry.copies[key] > 1)
        allowed = batch.attempts - 1 if cut_sends else 0
        assert extra <= allowed, (
            f"{where}: {extra} re-deliveries from a batch sent in {batch.attempts} attempt(s), "
            f"at most {allowed} allowed: {sorted(k for k in batch.keys if entry.copies[k] > 1)}"
        )
    strays = set(entry.doubled_keys()) - in_batches
    assert not strays, f"{where}: received twice, sent by no batch: {sorted(strays)}"


def _differences(got: Signature, expected: Signature) -> list[str]:
    """The fields (and, for sequences, the entries) where two signatures differ."""
    lines = []
    for name in Signature.__dataclass_fields__:
        mine, theirs = getattr(got, name), getattr(expected, name)
        if mine == theirs:
            continue
        if isinstance(mine, tuple) and isinstance(theirs, tuple) and name != "outcome":
            for index in range(max(len(mine), len(theirs))):
                a = mine[index] if index < len(mine) else None
                b = theirs[index] if index < len(theirs) else None
                if a != b:
                    lines.append(f"  {name}[{index}]: {a!r}\n    undisturbed: {b!r}")
        else:
            lines.append(f"  {name}: {mine!r}\n    undisturbed: {theirs!r}")
    return lines


def _attempts(event: HistoryEvent) -> int:
    """The attempts an activity (plain or local) needed; 0 for other events."""
    if event.HasField("activity_task_started_event_attributes"):
        return event.activity_task_started_event_attributes.attempt
    marker = event.marker_recorded_event_attributes
    if event.HasField("marker_recorded_event_attributes") and marker.marker_name == LOCAL_ACTIVITY:
        # The SDK records a local activity's outcome, attempts included, as JSON in a marker.
        data = marker.details["data"].payloads[0].data
        return int(json.loads(data)["attempt"])
    return 0
