"""The claim's search attributes: set by the API at start, upserted by the workflow as it moves."""

from __future__ import annotations

from typing import Any

from temporalio.common import (
    SearchAttributeKey,
    SearchAttributePair,
    SearchAttributeUpdate,
    TypedSearchAttributes,
)

from claimdesk.core.standing import Visibility

# The names and types `claimdesk dev`, the compose stack and `claimdesk temporal setup` register.
STATUS = SearchAttributeKey.for_keyword("ClaimStatus")
SUBJECT = SearchAttributeKey.for_keyword("ClaimSubject")
MERCHANT = SearchAttributeKey.for_keyword("MerchantId")
LEVEL = SearchAttributeKey.for_int("EscalationLevel")
BREACHED = SearchAttributeKey.for_bool("SlaBreached")
NEXT_DEADLINE = SearchAttributeKey.for_datetime("NextDeadline")

KEYS = (STATUS, SUBJECT, MERCHANT, LEVEL, BREACHED, NEXT_DEADLINE)


def _values(seen: Visibility) -> list[tuple[SearchAttributeKey[Any], Any]]:
    return [
        (STATUS, seen.status),
        (SUBJECT, seen.subject),
        (MERCHANT, seen.merchant_id),
        (LEVEL, seen.level),
        (BREACHED, seen.breached),
        (NEXT_DEADLINE, seen.next_deadline),
    ]


def initial(seen: Visibility) -> TypedSearchAttributes:
    """What a claim (or its next run) starts with, so it is found from its first event."""
    return TypedSearchAttributes(
        [SearchAttributePair(key, value) for key, value in _values(seen) if value is not None]
    )


def changes(seen: Visibility, current: TypedSearchAttributes) -> list[SearchAttributeUpdate[Any]]:
    """Only what differs from what the workflow already carries: an upsert costs history."""
    return [
        key.value_unset() if value is None else key.value_set(value)
        for key, value in _values(seen)
        if current.get(key) != value
    ]
