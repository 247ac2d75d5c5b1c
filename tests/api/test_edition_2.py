"""Edition 2 over real HTTP: the filing windows' edges, the platform's close by agreement."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from tests.support.api import DAY, Api, claim_body
from tests.support.workflows import eventually

ANA = "ana@example.com"
SECOND = timedelta(seconds=1)
# The API's clock runs on while the request travels: "exactly" is this close.
EDGE = 5 * SECOND / DAY


async def _file(api: Api, headers: dict[str, str], tx: str, **body: Any) -> Any:
    return await api.http.post("/claims", json=claim_body(tx, **body), headers=headers)


async def test_claims_may_be_filed_up_to_the_60th_and_180th_day_and_not_after(api: Api) -> None:
    payment = {"subject": "payment", "category": "unauthorized"}
    for tx, days in (("P-IN", 60 - EDGE), ("P-OUT", 60 + EDGE)):
        await api.transaction(tx, days_ago=days)
    for tx, days in (("D-IN", 180 - EDGE), ("D-OUT", 180 + EDGE)):
        await api.transaction(tx, days_ago=days)
    ana = await api.key("customer", email=ANA)
    assert (await _file(api, ana, "P-IN", **payment)).status_code == 201
    late = await _file(api, ana, "P-OUT", **payment)
    assert late.status_code == 422 and "60 days" in late.json()["detail"]
    too_late = await _file(api, ana, "D-OUT")
    assert too_late.status_code == 422 and "180 days" in too_late.json()["detail"]
    last_day = await _file(api, ana, "D-IN")
    assert last_day.status_code == 201
    claim = last_day.json()
    # Filed seconds before the horizon, the claim waits for its merchant's 24 hours.
    opened_at = datetime.fromisoformat(claim["opened_at"])
    assert claim["status"] == "open"
    assert claim["next_deadline_kind"] == "level2"
    assert datetime.fromisoformat(claim["next_deadline"]) == opened_at + timedelta(hours=24)


async def test_claim_filed_at_the_horizon_climbs_its_ladder_and_closes_once_answered(
    fast_api: Api,
) -> None:
    api = fast_api  # level 2 at 2 s, level 3 at 4 s, breach at 6 s
    await api.transaction("T-EDGE", days_ago=180 - 1.5 * SECOND / DAY, merchant_id="M-EDGE")
    ana = await api.key("customer", email=ANA)
    shop = await api.key("merchant", merchant_id="M-EDGE")
    response = await _file(api, ana, "T-EDGE")
    assert response.status_code == 201, response.text
    reference = response.json()["reference"]

    async def read() -> dict[str, Any]:
        claim: dict[str, Any] = (await api.http.get(f"/claims/{reference}", headers=ana)).json()
        return claim

    async def breached() -> bool:
        claim = await read()
        assert claim["status"] != "closed", claim["closed_reason"]  # not before its ladder
        return bool(claim["sla_breached"]) and claim["escalation_level"] == 3

    await eventually(breached, within=20, what="the whole ladder")
    answer = {"body": "Refunded today."}
    written = await api.http.post(f"/claims/{reference}/messages", json=answer, headers=shop)
    assert written.status_code == 200, written.text

    async def closed() -> bool:
        return (await read())["closed_reason"] == "transaction_horizon"

    await eventually(closed, what="the horizon's close")


async def test_operator_closes_once_the_customer_accepted_and_the_timeline_says_so(
    api: Api,
) -> None:
    ana, shop, operator = await api.parties()
    base = f"/claims/{(await _file(api, ana, 'T1')).json()['reference']}"
    early = await api.http.post(f"{base}/close", json={}, headers=operator)
    assert early.status_code == 409
    assert "no outcome yet for the customer to agree to" in early.json()["detail"]
    proposal = {"action": "propose", "proposal": {"kind": "replacement"}}
    assert (
        await api.http.post(f"{base}/merchant-response", json=proposal, headers=shop)
    ).is_success
    assert (await api.http.post(f"{base}/proposal/accept", json={}, headers=ana)).is_success
    closed = await api.http.post(f"{base}/close", json={"note": "Sent."}, headers=operator)
    assert closed.status_code == 200, closed.text
    assert closed.json()["closed_reason"] == "by_platform"
    timeline = (await api.http.get(base, headers=operator)).json()["timeline"]
    closing = next(event for event in timeline if event["kind"] == "closed")
    assert closing["details"]["agreement"] == "proposal_accepted"


async def test_a_rejected_customer_left_unsatisfied_is_told_of_the_mediator_and_the_court(
    api: Api,
) -> None:
    await api.transaction("T1")
    ana = await api.key("customer", email=ANA)
    operator = await api.key("operator")
    payment = {"subject": "payment", "category": "unauthorized"}
    reference = (await _file(api, ana, "T1", **payment)).json()["reference"]
    base = f"/claims/{reference}"
    rejected = {"outcome": "rejected", "note": "Authorised with your card."}
    for _ in range(3):
        decided = await api.http.post(f"{base}/decision", json=rejected, headers=operator)
        assert decided.status_code == 200, decided.text
        answer = await api.http.post(f"{base}/satisfaction", json={"satisfied": False}, headers=ana)
        assert answer.status_code == 200, answer.text
    assert answer.json()["closed_reason"] == "referred_to_mediation"
    report = (await api.http.get(f"{base}/report", headers=ana)).text
    assert api.settings.mediator_name in report and api.settings.mediator_url in report
    assert "competent court" in report
    mails = await asyncio.to_thread(
        api.mailbox.wait_for, 1, 15, X_Claimdesk_Reference=reference, X_Claimdesk_Template="closed"
    )
    body = mails[0].get_content()
    assert api.settings.mediator_name in body and "competent court" in body


async def test_satisfaction_ratings_show_on_the_timeline_and_average_on_the_merchant(
    api: Api,
) -> None:
    ana = await api.key("customer", email=ANA)
    operator = await api.key("operator")
    refund = {"outcome": "refund", "amount": "49.90", "note": "Refunded."}
    payment = {"subject": "payment", "category": "unauthorized"}
    before = (await api.http.get("/merchants/M-RATED", headers=operator)).status_code
    assert before == 404
    # A payment claim is between the customer and the platform: its rating is not the
    # merchant's (and would tell the merchant an answer its timeline hides).
    for n, (rating, body) in enumerate(((4, {}), (5, {}), (1, payment))):
        await api.transaction(f"T-R{n}", merchant_id="M-RATED")
        base = f"/claims/{(await _file(api, ana, f'T-R{n}', **body)).json()['reference']}"
        assert (await api.http.post(f"{base}/decision", json=refund, headers=operator)).is_success
        for wrong in (0, 6, "5", 4.5):
            refused = await api.http.post(
                f"{base}/satisfaction", json={"satisfied": True, "rating": wrong}, headers=ana
            )
            assert refused.status_code == 422, (wrong, refused.text)
        answer = {"satisfied": True, "rating": rating}
        rated = await api.http.post(f"{base}/satisfaction", json=answer, headers=ana)
        assert rated.status_code == 200, rated.text
        timeline = (await api.http.get(base, headers=ana)).json()["timeline"]
        said = next(event for event in timeline if event["kind"] == "satisfaction")
        assert said["details"] == {"verdict": "satisfied", "rating": str(rating)}
    merchant = (await api.http.get("/merchants/M-RATED", headers=operator)).json()
    assert merchant["ratings"] == 2 and merchant["average_rating"] == "4.50"
    await api.transaction("T-M1", merchant_id="M1")
    unrated = (await api.http.get("/merchants/M1", headers=operator)).json()
    assert unrated["ratings"] == 0 and unrated["average_rating"] is None
