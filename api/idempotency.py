"""`Idempotency-Key` on every write: the same key and request give the first answer and one
effect; the same key with another request, 422.

A key is remembered per API key, with a fingerprint of the request (the operation, the
claim and what was asked) and, for an action, the Update id it is sent to the claim's
workflow with. The first answer is kept with the key: the claim as the workflow stored it
when it carried the request out (written by that store write itself), or the claim's
refusal. One request at a time carries a key's action out (it holds the key's lease); a repeat
that comes while it does waits for its answer, and one that comes after it ended without
one (a 503, a crash) sends the action again under the same Update id, which Temporal takes
at most once.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import Header
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.contrib.pydantic import pydantic_data_converter

from api.auth import Principal
from api.errors import ActionRefused, InvalidRequest, ServiceUnavailable
from claimdesk.core.domain import ClaimView
from claimdesk.store import idempotency as store
from claimdesk.store.db import sessions, unit_of_work
from claimdesk.store.models import IdempotencyRecord

# A request carrying a key's action out holds it for longer than it may wait on the claim
# (the API's 30 s), so a lease runs out only when its request died; a repeat arriving
# meanwhile waits for the answer, polling, for as long as a request may take.
LEASE = timedelta(seconds=45)
WAIT = timedelta(seconds=30)
POLL = timedelta(milliseconds=100)

# A 503 after the action was sent: it may still be carried out.
NO_ANSWER = (
    "the claim did not answer in time: the action may still be carried out; repeat it "
    "with the same Idempotency-Key to learn whether it was (without a key, a repeat is a "
    "new action)"
)

MAX_KEY = 200
_FORM_KEY = re.compile(rf"[\x21-\x7e]{{1,{MAX_KEY}}}")  # visible ASCII, as a header carries

IdempotencyKey = Annotated[
    str | None,
    Header(
        min_length=1,
        max_length=MAX_KEY,
        description="Makes the request safe to repeat: the same key and body give the first "
        "answer and one effect; the same key with another body, 422. Keys are kept with "
        "the claim they were used on, for as long as the store keeps it.",
    ),
]


class InvalidFormKey(InvalidRequest):
    def __init__(self) -> None:
        super().__init__(
            "invalid-form-key",
            "Invalid form key",
            "the form's hidden idempotency key was altered: reload the page and send it again",
        )


def form_key(value: str | None) -> str | None:
    """A web form's hidden idempotency key (the pages' stand-in for the header): None when
    left out; `InvalidFormKey` (422, nothing done) for one no page of ours wrote: longer than
    a header may be, or with characters a header cannot carry (a NUL, a control character)."""
    if not value:
        return None
    if not _FORM_KEY.fullmatch(value):
        raise InvalidFormKey()
    return value


def fingerprint(operation: str, reference: str, request: Any) -> str:
    """What a request asks, as a hash: its operation, its claim and its message."""
    payload = pydantic_data_converter.payload_converter.to_payloads([request])[0].data
    canonical = json.dumps(
        {"operation": operation, "reference": reference, "request": json.loads(payload)},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class Remembered:
    """A key's record: the Update id to send, and the first answer if there is one."""

    update_id: str
    answer: ClaimView | None
    refusal: str | None
    holder: str  # this request, as the key's lease names it


async def remember(
    *,
    engine: AsyncEngine,
    principal: Principal,
    key: str,
    operation: str,
    reference: str,
    request: Any,
) -> Remembered:
    """Records the key for this request, or finds its first answer; 422 if it was used for
    another request.

    Without an answer, the request takes the key's lease and carries the action out; a
    repeat that arrives while another still holds it waits for that one's answer (at most
    `WAIT`, then 503), so one key never gets two different answers.
    """
    record = IdempotencyRecord(
        api_key_id=principal.key_id,
        key=key,
        request_hash=fingerprint(operation, reference, request),
        reference=reference,
        operation=operation,
        update_id=str(uuid.uuid4()),
        lease_holder=str(uuid.uuid4()),
        created_at=datetime.now(UTC),
    )
    async with unit_of_work(engine) as session:
        if await store.insert_idempotency_record(
            session=session, record=record, lease_seconds=LEASE.total_seconds()
        ):
            return Remembered(
                update_id=record.update_id or "",
                answer=None,
                refusal=None,
                holder=record.lease_holder or "",
            )
    try:
        return await _first_answer_or_lease(engine, record)
    except TimeoutError:
        raise ServiceUnavailable(
            "a request with this Idempotency-Key is still being carried out; "
            "repeat it later with the same key"
        ) from None


async def _first_answer_or_lease(engine: AsyncEngine, record: IdempotencyRecord) -> Remembered:
    key, holder = record.key, record.lease_holder or ""
    async with asyncio.timeout(WAIT.total_seconds()):
        while True:
            async with unit_of_work(engine) as session:
                first = await store.find_idempotency_record(
                    session=session, api_key_id=record.api_key_id, key=key
                )
                assert first is not None  # keys are never deleted
                if first.request_hash != record.request_hash or first.update_id is None:
                    raise key_reused()
                known = Remembered(
                    update_id=first.update_id,
                    answer=None if first.answer is None else store.answer_view(first.answer),
                    refusal=first.refusal,
                    holder=holder,
                )
                if known.answer is not None or known.refusal is not None:
                    return known
                if await store.take_idempotency_lease(
                    session=session,
                    api_key_id=record.api_key_id,
                    key=key,
                    holder=holder,
                    seconds=LEASE.total_seconds(),
                ):
                    return known
            await asyncio.sleep(POLL.total_seconds())


async def release(*, engine: AsyncEngine, known: Remembered) -> None:
    """Lets a repeat of the key carry the action out: this request ends without an answer."""
    async with unit_of_work(engine) as session:
        await store.release_idempotency_lease(
            session=session, update_id=known.update_id, holder=known.holder
        )


async def keep_refusal(
    *, engine: AsyncEngine, principal: Principal, key: str, known: Remembered, reason: str
) -> ClaimView:
    """Keeps the claim's refusal as the key's first answer, and raises it (409).

    A request that lost the key meanwhile (it outlived its lease, and a repeat took over)
    answers what the key holds instead: the repeat's answer, or 503 while there is none.
    """
    async with unit_of_work(engine) as session:
        kept = await store.record_refusal(
            session=session, update_id=known.update_id, holder=known.holder, reason=reason
        )
    if kept:
        raise ActionRefused(reason)
    return await first_answer(engine=engine, principal=principal, key=key)


async def first_answer(*, engine: AsyncEngine, principal: Principal, key: str) -> ClaimView:
    """The key's first answer as the store holds it: the claim, or its refusal (409); 503
    while it has none."""
    async with sessions(engine)() as session:
        record = await store.find_idempotency_record(
            session=session, api_key_id=principal.key_id, key=key
        )
    if record is not None and record.answer is not None:
        return store.answer_view(record.answer)
    if record is not None and record.refusal is not None:
        raise ActionRefused(record.refusal)
    raise ServiceUnavailable(NO_ANSWER)


def key_reused() -> InvalidRequest:
    return InvalidRequest(
        "idempotency-key-reused",
        "Idempotency-Key reused",
        "this Idempotency-Key was used with a different request",
    )
