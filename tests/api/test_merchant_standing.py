"""A merchant's standing over real HTTP: a restricted merchant's claims open with the
platform; a terminated merchant's keys are refused and its claims move to the platform,
their customers told; reinstating gives the keys back, and (edition 3) the claims the
termination alone moved."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.support.api import DAY, Api, claim_body
from tests.support.workflows import eventually

ANA = "ana@example.com"


async def _file(api: Api, headers: dict[str, str], tx: str, **body: Any) -> Any:
    response = await api.http.post("/claims", json=claim_body(tx, **body), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_restricted_merchants_new_claim_opens_at_level_2_and_the_merchant_may_answer(
    api: Api,
) -> None:
    await api.transaction("T1")
    operator = await api.key("operator")
    ana = await api.key("customer", email=ANA)
    shop = await api.key("merchant", merchant_id="M1")
    assert (await api.http.post("/merchants/M1/restrict", headers=operator)).status_code == 200
    claim = await _file(api, ana, "T1")
    assert claim["escalation_level"] == 2
    answer = {"action": "acknowledge", "message": "Looking into it."}
    answered = await api.http.post(
        f"/claims/{claim['reference']}/merchant-response", json=answer, headers=shop
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["escalation_level"] == 2


async def test_terminating_a_merchant_refuses_its_keys_and_moves_its_claims_to_the_platform(
    api: Api,
) -> None:
    await api.transaction("T1")
    await api.transaction("T2")
    operator = await api.key("operator")
    ana = await api.key("customer", email=ANA)
    shop = await api.key("merchant", merchant_id="M1")
    open_claim = await _file(api, ana, "T1")
    done = await _file(api, ana, "T2")
    withdrawn = await api.http.post(f"/claims/{done['reference']}/withdraw", json={}, headers=ana)
    assert withdrawn.status_code == 200 and open_claim["escalation_level"] == 1

    # Only an operator terminates: the merchant itself is 403, another merchant 404.
    assert (await api.http.post("/merchants/M1/terminate", headers=shop)).status_code == 403
    assert (await api.http.post("/merchants/M2/terminate", headers=shop)).status_code == 404
    assert (await api.http.post("/merchants/M1/terminate", headers=ana)).status_code == 404
    terminated = await api.http.post("/merchants/M1/terminate", headers=operator)
    assert terminated.status_code == 200, terminated.text
    assert terminated.json()["status"] == "terminated"
    assert terminated.json()["open_claims"]["by_level"] == {"2": 1}
    # The answer says which claims moved (the withdrawn one no longer awaits an answer).
    assert terminated.json()["claims_moved"] == [open_claim["reference"]]
    assert terminated.json()["claims_staying"] == []

    # Its keys are refused at once, on every route, saying why.
    for path in ("/claims", f"/claims/{open_claim['reference']}", "/merchants/M1"):
        refused = await api.http.get(path, headers=shop)
        assert refused.status_code == 401, path
        assert refused.json()["type"].endswith("merchant-terminated")
        assert "WWW-Authenticate" in refused.headers

    # The open claim went to the platform, on its timeline, and its customer was told; the
    # customer reads that the platform took it over, not that the merchant was terminated.
    claim = (await api.http.get(f"/claims/{open_claim['reference']}", headers=ana)).json()
    assert claim["escalation_level"] == 2
    assert "merchant_terminated" not in str(claim)
    assert claim["timeline"][-1]["kind"] == "escalated"
    assert claim["timeline"][-1]["details"]["cause"] == "taken_over"
    seen = await api.http.get(f"/claims/{open_claim['reference']}", headers=operator)
    assert seen.json()["timeline"][-1]["kind"] == "merchant_terminated"
    closed = (await api.http.get(f"/claims/{done['reference']}", headers=operator)).json()
    assert "merchant_terminated" not in [event["kind"] for event in closed["timeline"]]

    def told() -> bool:
        return any(
            str(m["X-Claimdesk-Template"]) == "platform_takes_over"
            and str(m["X-Claimdesk-Reference"]) == open_claim["reference"]
            and ANA in str(m["To"])
            for m in api.mailbox.messages
        )

    async def customer_told() -> bool:
        return told()

    await eventually(customer_told, what="the customer's e-mail")

    # Terminating again is harmless: nothing moves twice.
    again = await api.http.post("/merchants/M1/terminate", headers=operator)
    assert again.status_code == 200
    assert again.json()["claims_moved"] == []
    [stays] = again.json()["claims_staying"]
    assert stays["reference"] == open_claim["reference"] and "already" in stays["reason"]
    claim = (await api.http.get(f"/claims/{open_claim['reference']}", headers=operator)).json()
    assert [e["kind"] for e in claim["timeline"]].count("merchant_terminated") == 1

    # A new claim on a terminated merchant opens with the platform too.
    await api.transaction("T3")
    filed_meanwhile = await _file(api, ana, "T3")
    assert filed_meanwhile["escalation_level"] == 2

    # Reinstated (edition 3): the keys work again, the claim the termination moved goes
    # back to the merchant with a fresh day to answer, both told; only operators and the
    # merchant read why.
    assert (await api.http.post("/merchants/M1/reinstate", headers=shop)).status_code == 401
    reinstated = await api.http.post("/merchants/M1/reinstate", headers=operator)
    assert reinstated.status_code == 200 and reinstated.json()["status"] == "active"
    assert reinstated.json()["open_claims"]["by_level"] == {"1": 1, "2": 1}
    assert reinstated.json()["claims_moved"] == [open_claim["reference"]]
    [stays] = reinstated.json()["claims_staying"]
    assert stays["reference"] == filed_meanwhile["reference"]
    assert "no termination" in stays["reason"]  # it opened with the platform
    mine = await api.http.get(f"/claims/{open_claim['reference']}", headers=shop)
    assert mine.status_code == 200 and mine.json()["escalation_level"] == 1
    assert mine.json()["next_deadline_kind"] == "level2"
    assert mine.json()["timeline"][-1]["kind"] == "merchant_reinstated"
    hers = (await api.http.get(f"/claims/{open_claim['reference']}", headers=ana)).json()
    assert hers["timeline"][-1]["kind"] == "merchant_notified"
    assert "reinstat" not in str(hers) and "terminat" not in str(hers)
    report = await api.http.get(f"/claims/{open_claim['reference']}/report", headers=ana)
    assert report.status_code == 200 and "terminat" not in report.text.lower()

    async def both_told() -> bool:
        return {
            str(m["To"])
            for m in api.mailbox.messages
            if str(m["X-Claimdesk-Template"]) == "merchant_handles_again"
            and str(m["X-Claimdesk-Reference"]) == open_claim["reference"]
        } == {"Ana Lima <ana@example.com>", "shop@example.com", "operators@claimdesk.localhost"}

    await eventually(both_told, what="the customer's, the merchant's and the operators' e-mails")
    # The claim filed while the merchant was terminated was never the merchant's: it stays.
    kept = await api.http.get(f"/claims/{filed_meanwhile['reference']}", headers=shop)
    assert kept.json()["escalation_level"] == 2
    answer = {"body": "Sorry, we are back: the refund is on its way."}
    written = await api.http.post(
        f"/claims/{open_claim['reference']}/messages", json=answer, headers=shop
    )
    assert written.status_code == 200, written.text

    # Reinstating again moves nothing twice.
    again = await api.http.post("/merchants/M1/reinstate", headers=operator)
    assert again.status_code == 200 and again.json()["claims_moved"] == []
    assert {c["reference"] for c in again.json()["claims_staying"]} == {
        open_claim["reference"],
        filed_meanwhile["reference"],
    }
    claim = (await api.http.get(f"/claims/{open_claim['reference']}", headers=operator)).json()
    assert [e["kind"] for e in claim["timeline"]].count("merchant_reinstated") == 1


async def test_a_claim_on_a_merchant_without_an_address_goes_to_the_platform_at_once(
    api: Api,
) -> None:
    operator = await api.key("operator")
    ana = await api.key("customer", email=ANA)
    transaction = {
        "id": "T-NEW",
        "merchant_id": "M-NEW",  # unknown: a placeholder without an address
        "customer_email": ANA,
        "amount": "49.90",
        "currency": "EUR",
        "occurred_at": (datetime.now(UTC) - 3 * DAY).isoformat(),
    }
    recorded = await api.http.post("/transactions", json=transaction, headers=operator)
    assert recorded.status_code == 201, recorded.text
    reference = (await _file(api, ana, "T-NEW"))["reference"]

    async def taken_over() -> bool:
        claim = (await api.http.get(f"/claims/{reference}", headers=ana)).json()
        kinds = [event["kind"] for event in claim["timeline"]]
        return claim["escalation_level"] == 2 and "merchant_unreachable" in kinds

    await eventually(taken_over, what="the platform's take-over")
