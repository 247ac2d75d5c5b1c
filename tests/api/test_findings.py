"""Edition 2 over real HTTP: an operator gives the investigation's findings (POST …/findings)."""

from __future__ import annotations

import asyncio

from tests.support.api import Api, claim_body

ANA = "ana@example.com"
NOTE = {"note": "The carrier lost the parcel at its depot on 12 November."}


async def test_operator_gives_the_findings_owed_from_level_2_once_and_safely_repeated(
    api: Api,
) -> None:
    ana, shop, operator = await api.parties()
    opened = await api.http.post("/claims", json=claim_body("T1"), headers=ana)
    reference = opened.json()["reference"]
    base = f"/claims/{reference}"

    early = await api.http.post(f"{base}/findings", json=NOTE, headers=operator)
    assert early.status_code == 409, early.text
    assert "level 1: no investigation is open" in early.json()["detail"]

    # A rejected proposal sends the claim to the platform: level 2, findings owed.
    proposal = {"action": "propose", "proposal": {"kind": "reshipment"}}
    assert (
        await api.http.post(f"{base}/merchant-response", json=proposal, headers=shop)
    ).is_success
    rejected = await api.http.post(f"{base}/proposal/reject", json={}, headers=ana)
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["escalation_level"] == 2
    assert (await api.http.get(base, headers=operator)).json()["allowed_actions"] == [
        "message",
        "decision",
        "request_info",
        "internal_note",
        "findings",
    ]
    for caller in (ana, shop):
        refused = await api.http.post(f"{base}/findings", json=NOTE, headers=caller)
        assert refused.status_code == 403, refused.text

    key = {**operator, "Idempotency-Key": "findings-1"}
    given = await api.http.post(f"{base}/findings", json=NOTE, headers=key)
    assert given.status_code == 200, given.text
    assert "findings" not in given.json()["allowed_actions"]
    again = await api.http.post(f"{base}/findings", json=NOTE, headers=key)
    assert (again.status_code, again.json()) == (200, given.json())
    reused = await api.http.post(f"{base}/findings", json={"note": "Other."}, headers=key)
    assert reused.status_code == 422 and "idempotency-key-reused" in reused.json()["type"]
    second = await api.http.post(f"{base}/findings", json=NOTE, headers=operator)
    assert second.status_code == 409 and "no findings are owed now" in second.json()["detail"]

    timeline = (await api.http.get(base, headers=ana)).json()["timeline"]
    findings = [event for event in timeline if event["kind"] == "findings"]
    assert [event["details"] for event in findings] == [NOTE]
    report = (await api.http.get(f"{base}/report", headers=ana)).text
    assert f"findings of the investigation  (note: {NOTE['note']})" in report
    mails = await asyncio.to_thread(
        api.mailbox.wait_for,
        1,
        15,
        X_Claimdesk_Reference=reference,
        X_Claimdesk_Template="findings",
    )
    assert NOTE["note"] in mails[0].get_content()


async def test_findings_are_refused_on_a_resolved_claim(api: Api) -> None:
    await api.transaction("T1")
    ana = await api.key("customer", email=ANA)
    operator = await api.key("operator")
    payment = claim_body("T1", subject="payment", category="unauthorized")
    base = (
        f"/claims/{(await api.http.post('/claims', json=payment, headers=ana)).json()['reference']}"
    )
    decision = {"outcome": "rejected", "note": "Authorised with your card."}
    assert (await api.http.post(f"{base}/decision", json=decision, headers=operator)).is_success
    refused = await api.http.post(f"{base}/findings", json=NOTE, headers=operator)
    assert refused.status_code == 409, refused.text
