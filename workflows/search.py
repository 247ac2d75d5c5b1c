"""The claim's search attributes: set by the API at start, upserted by the workflow as it moves."""

from __future__ import annotations

from typing import Any

from temporalio.common import (
    SearchAttributeKey,
    SearchAttributePair,
    SearchAttributeUpdate,
    TypedSearchAttributes,
)

from claimdesk.standing import Visibility

# The names and types `claimdesk dev`, the compose stack and `claimdesk temporal setup` register.
STATUS = SearchAttributeKey.for_keyword("ClaimStatus")
SUBJECT = SearchAttributeKey.for_keyword("ClaimSubject")
MERCHANT = SearchAttributeKey.for_keyword("MerchantId")
LEVEL = SearchAttributeKey.for_int("EscalationLevel")
BREACHED = SearchAttributeKey.for_bool("SlaBreached")
NEXT_DEADLINE = SearchAttributeKey.for_datetime("NextDeadline")

KEYS = (STATUS, SUBJECT, MERCHANT, LEVEL, BREACHED, NEXT_DEADLINE)


def initial(seen: Visibility) -> TypedSearchAttributes:
    """What a claim starts with, so it is found from its very first event."""
    pairs: list[SearchAttributePair[Any]] = [
        SearchAttributePair(STATUS, seen.status),
        SearchAttributePair(SUBJECT, seen.subject),
        SearchAttributePair(MERCHANT, seen.merchant_id),
        SearchAttributePair(LEVEL, seen.level),
        SearchAttributePair(BREACHED, seen.breached),
    ]
    if seen.next_deadline is not None:
        pairs.append(SearchAttributePair(NEXT_DEADLINE, seen.next_deadline))
    return TypedSearchAttributes(pairs)


def changes(seen: Visibility, current: TypedSearchAttributes) -> list[SearchAttributeUpdate[Any]]:
    """Only what differs from what the workflow already carries: an upsert costs history."""
    wanted: list[tuple[SearchAttributeKey[Any], Any]] = [
        (STATUS, seen.status),
        (SUBJECT, seen.subject),
        (MERCHANT, seen.merchant_id),
        (LEVEL, seen.level),
        (BREACHED, seen.breached),
        (NEXT_DEADLINE, seen.next_deadline),
    ]
    updates: list[SearchAttributeUpdate[Any]] = []
    for key, value in wanted:
        if current.get(key) == value:
            continue
        updates.append(key.value_unset() if value is None else key.value_set(value))
    return updates


def ours(current: TypedSearchAttributes) -> TypedSearchAttributes:
    """The claim's own attributes, for the next run (system ones are the server's to set)."""
    names = {key.name for key in KEYS}
    return TypedSearchAttributes([pair for pair in current if pair.key.name in names])
