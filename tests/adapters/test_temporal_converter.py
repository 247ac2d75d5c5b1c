"""claimdesk's data converter: the SDK's pydantic JSON, with one type-adapter cache per process."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

from temporalio.contrib.pydantic import pydantic_data_converter

from claimdesk.adapters.temporal import _TYPE_ADAPTERS, data_converter
from claimdesk.core.domain import (
    CURRENT_EDITION,
    Action,
    ClaimInput,
    Policy,
    PostMessage,
    Recipient,
)
from claimdesk.core.rules import ClaimState
from claimdesk.core.settings import Settings
from tests.support import claims


async def test_fresh_converters_share_their_type_adapters() -> None:
    policy = Settings().policy
    # The worker makes a new converter (through `dataclasses.replace`) for each workflow.
    first, second = dataclasses.replace(data_converter), dataclasses.replace(data_converter)
    assert first.payload_converter is not second.payload_converter
    await first.decode(await first.encode([policy]), [Policy])
    built = _TYPE_ADAPTERS.cache_info().currsize
    hits = _TYPE_ADAPTERS.cache_info().hits
    assert await second.decode(await second.encode([policy]), [Policy]) == [policy]
    assert _TYPE_ADAPTERS.cache_info().currsize == built
    assert _TYPE_ADAPTERS.cache_info().hits > hits


async def test_same_json_as_the_sdks_pydantic_converter() -> None:
    policy = Settings().policy
    ours = await data_converter.encode([policy])
    theirs = await pydantic_data_converter.encode([policy])
    assert ours == theirs
    assert await pydantic_data_converter.decode(ours, [Policy]) == [policy]


async def test_a_policy_recorded_before_editions_reads_as_edition_1() -> None:
    policy = Settings().policy
    assert policy.edition == CURRENT_EDITION > 1
    [payload] = await data_converter.encode([policy])
    recorded = json.loads(payload.data)
    del recorded["edition"]  # as claims opened before editions carry their policy
    payload.data = json.dumps(recorded).encode()
    [decoded] = await data_converter.decode([payload], [Policy])
    assert decoded == dataclasses.replace(policy, edition=1)


async def test_what_waits_for_a_digest_crosses_a_hand_over_as_it_was() -> None:
    """Edition 3's mail cap, through the data converter as continue-as-new sends it."""
    state = _flooded()
    handed = state.handover()
    [decoded] = await data_converter.decode(await data_converter.encode([handed]), [ClaimInput])
    assert decoded == handed
    assert ClaimState.resume(decoded) == state
    [mails] = decoded.carried.message_mails if decoded.carried else []
    assert mails.recipient is Recipient.MERCHANT and mails.held == 2


def _flooded() -> ClaimState:
    capped = dataclasses.replace(claims.POLICY, edition=3, message_mails_per_hour=2)
    state, _ = ClaimState.open(dataclasses.replace(claims.claim_input(), policy=capped))
    for n in range(4):
        message = PostMessage(claims.CUSTOMER, f"Hello {n}?")
        state.act(Action.MESSAGE, message, claims.OPENED + n * timedelta(minutes=1))
    return state
