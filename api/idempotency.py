"""`Idempotency-Key` on every write: the same key and request give the first answer and one
effect; the same key with another request, 422.

A key is remembered per API key, with a fingerprint of the request (the operation, the
claim and what was asked) and, for an action, the Update id it is sent to the claim's
workflow with. The first answer is kept with the key: the claim as the workflow stored it
when it carried the request out (written by that store write itself), or the claim's
refusal. A request asked again before it has an answer is sent again under the same
Update id, which Temporal takes at most once.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Header
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.contrib.pydantic import pydantic_data_converter

from api.auth import Principal
from api.errors import InvalidRequest
from claimdesk.domain import ClaimView
from claimdesk.store import queries
from claimdesk.store.models import IdempotencyRecord
from claimdesk.store.projection import answer_view

IdempotencyKey = Annotated[
    str | None,
    Header(
        min_length=1,
        max_length=200,
        description="Makes the request safe to repeat: the same key and body give the first "
        "answer and one effect; the same key with another body, 422. Keys are kept with "
        "the claim they were used on, for as long as the store keeps it.",
    ),
]


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


async def remember(
    *,
    session: AsyncSession,
    principal: Principal,
    key: str,
    operation: str,
    reference: str,
    request: Any,
) -> Remembered:
    """Records the key for this request, or finds it; 422 if it was used for another."""
    record = IdempotencyRecord(
        api_key_id=principal.key_id,
        key=key,
        request_hash=fingerprint(operation, reference, request),
        reference=reference,
        operation=operation,
        update_id=str(uuid.uuid4()),
        created_at=datetime.now(UTC),
    )
    if not await queries.insert_idempotency_record(session=session, record=record):
        first = await queries.find_idempotency_record(
            session=session, api_key_id=record.api_key_id, key=key
        )
        assert first is not None
        if first.request_hash != record.request_hash or first.update_id is None:
            raise key_reused()
        record = first
    assert record.update_id is not None
    return Remembered(
        update_id=record.update_id,
        answer=None if record.answer is None else answer_view(record.answer),
        refusal=record.refusal,
    )


def key_reused() -> InvalidRequest:
    return InvalidRequest(
        "idempotency-key-reused",
        "Idempotency-Key reused",
        "this Idempotency-Key was used with a different request",
    )
