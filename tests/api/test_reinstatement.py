"""Reinstating a merchant over real HTTP: the claims something besides its termination
brought to the platform stay there (the ladder), and so do claims opened under edition 2."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.testing import WorkflowEnvironment

from claimdesk.core.domain import Policy
from claimdesk.core.settings import Settings
from tests.support.api import Api, api_settings, claim_body, serve
from tests.support.mailbox import Mailbox
from tests.support.workflows import eventually

ANA = "ana@example.com"


class _Edition2Settings(Settings):
    """The settings of a service that still opens claims under edition 2."""

    @property
    def policy(self) -> Policy:
        return replace(super().policy, edition=2)


@pytest.fixture
async def edition_2_api(
    temporal_env: WorkflowEnvironment, database_url: str, engine: AsyncEngine, mailbox: Mailbox
) -> AsyncIterator[Api]:
    settings = api_settings(temporal_env, database_url, mailbox)
    async with serve(
        temporal_env, engine, mailbox, _Edition2Settings(**settings.model_dump())
    ) as api:
        yield api


async def _file(api: Api, headers: dict[str, str], tx: str) -> dict[str, Any]:
    response = await api.http.post("/claims", json=claim_body(tx), headers=headers)
    assert response.status_code == 201, response.text
    claim: dict[str, Any] = response.json()
    return claim


async def _kinds(api: Api, reference: str, headers: dict[str, str]) -> list[str]:
    claim = (await api.http.get(f"/claims/{reference}", headers=headers)).json()
    return [event["kind"] for event in claim["timeline"]]


async def test_claim_the_ladder_escalated_stays_with_the_platform_on_reinstatement(
    fast_api: Api,
) -> None:
    api = fast_api  # level 2 at 2 s, level 3 at 4 s
    ana, shop, operator = await api.parties("T1")
    reference = (await _file(api, ana, "T1"))["reference"]

    async def escalated() -> bool:
        return "escalated" in await _kinds(api, reference, operator)

    await eventually(escalated, what="the ladder's level 2")
    assert (await api.http.post("/merchants/M1/terminate", headers=operator)).status_code == 200
    assert "merchant_terminated" in await _kinds(api, reference, operator)
    reinstated = await api.http.post("/merchants/M1/reinstate", headers=operator)
    assert reinstated.status_code == 200, reinstated.text
    # The answer names the claim that stays, with the claim's own reason.
    assert reinstated.json()["claims_moved"] == []
    [stays] = reinstated.json()["claims_staying"]
    assert stays["reference"] == reference and "level 2" in stays["reason"], stays
    claim = (await api.http.get(f"/claims/{reference}", headers=shop)).json()
    assert claim["escalation_level"] >= 2
    assert "merchant_reinstated" not in await _kinds(api, reference, operator)
    assert not any(
        str(m["X-Claimdesk-Template"]) == "merchant_handles_again" for m in api.mailbox.messages
    )


async def test_an_edition_2_claim_stays_with_the_platform_on_reinstatement(
    edition_2_api: Api,
) -> None:
    api = edition_2_api
    ana, shop, operator = await api.parties("T1")
    reference = (await _file(api, ana, "T1"))["reference"]
    assert (await api.http.post("/merchants/M1/terminate", headers=operator)).status_code == 200
    assert (await api.http.get(f"/claims/{reference}", headers=shop)).status_code == 401
    reinstated = await api.http.post("/merchants/M1/reinstate", headers=operator)
    assert reinstated.status_code == 200, reinstated.text
    [stays] = reinstated.json()["claims_staying"]
    assert (stays["reference"], "edition 2" in stays["reason"]) == (reference, True), stays
    claim = (await api.http.get(f"/claims/{reference}", headers=shop)).json()
    assert claim["escalation_level"] == 2  # the keys work again; the claim stays
    assert "merchant_reinstated" not in await _kinds(api, reference, operator)
