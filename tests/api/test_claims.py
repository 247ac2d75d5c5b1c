"""Claims over real HTTP: filing rules, scoping, actions, read-your-writes, a whole life."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime
from typing import Any

import httpx

from api import filing
from api.app import create_app
from api.schemas import ClaimCreate
from claimdesk.store import claims, idempotency, transactions
from claimdesk.store.db import unit_of_work
from claimdesk.store.models import IdempotencyRecord
from tests.support.api import Api, claim_body
from tests.support.serving import Server

PROBLEM = "application/problem+json"
ANA = "ana@example.com"


async def _open(api: Api, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    response = await api.http.post("/claims", json=claim_body(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    claim: dict[str, Any] = response.json()
    return claim


# ---- opening ----


async def test_customer_opens_a_delivery_claim_and_reads_it_back_with_its_timeline(
    api: Api,
) -> None:
    await api.transaction("T1")
    ana = await api.key("customer", email=ANA)
    response = await api.http.post("/claims", json=claim_body(), headers=ana)
    assert response.status_code == 201
    claim = response.json()
    reference = claim["reference"]
    assert response.headers["location"] == f"/claims/{reference}"
    assert len(reference) == 13 and reference.startswith("CLM-")
    assert not set(reference[4:].replace("-", "")) & set("ILOU")
    assert claim["status"] == "open"
    assert claim["escalation_level"] == 1
    assert claim["sla_breached"] is False
    assert claim["amount"] == "49.90"
    assert claim["next_deadline"] is not None
    assert "withdraw" in claim["allowed_actions"]
    assert "decision" not in claim["allowed_actions"]
    detail = (await api.http.get(f"/claims/{reference}", headers=ana)).json()
    assert detail["timeline"][0]["kind"] == "opened"
    assert {"at", "actor", "kind", "details"} <= set(detail["timeline"][0])
    mails = await asyncio.to_thread(
        api.mailbox.wait_for, 1, 15, To=ANA, X_Claimdesk_Reference=reference
    )
    assert mails, "no acknowledgement e-mail"
    assert reference in str(mails[0]["Subject"])


async def test_claim_on_someone_elses_or_unknown_transaction_is_404(api: Api) -> None:
    await api.transaction("T1", customer_email="bob@example.com")
    ana = await api.key("customer", email=ANA)
    for transaction_id in ("T1", "T404"):
        response = await api.http.post("/claims", json=claim_body(transaction_id), headers=ana)
        assert response.status_code == 404
        assert response.headers["content-type"] == PROBLEM
    assert await api.count("claims") == 0


async def test_only_customers_open_claims(api: Api) -> None:
    await api.transaction("T1")
    operator = await api.key("operator")
    response = await api.http.post("/claims", json=claim_body(), headers=operator)
    assert response.status_code == 403


async def test_payment_claims_close_after_60_days_delivery_claims_after_180(api: Api) -> None:
    await api.transaction("T61", days_ago=61)
    await api.transaction("T181", days_ago=181)
    ana = await api.key("customer", email=ANA)
    late_payment = await api.http.post(
        "/claims",
        json=claim_body("T61", subject="payment", category="unauthorized"),
        headers=ana,
    )
    assert late_payment.status_code == 422
    assert late_payment.json()["type"].endswith("/filing-window-closed")
    assert "60 days" in late_payment.json()["detail"]
    too_late = await api.http.post("/claims", json=claim_body("T181"), headers=ana)
    assert too_late.status_code == 422
    assert "180 days" in too_late.json()["detail"]
    assert await api.count("claims") == 0
    await _open(api, ana, transaction_id="T61")  # a delivery claim at 61 days is fine


async def test_a_second_open_claim_on_the_same_transaction_and_subject_is_409_naming_the_first(
    api: Api,
) -> None:
    await api.transaction("T1")
    ana = await api.key("customer", email=ANA)
    first = await _open(api, ana)
    again = await api.http.post("/claims", json=claim_body(), headers=ana)
    assert again.status_code == 409
    assert again.json()["existing_reference"] == first["reference"]
    assert first["reference"] in again.json()["detail"]
    payment = await _open(api, ana, subject="payment", category="refund_issue")
    assert payment["reference"] != first["reference"]
    assert await api.count("claims") == 2


async def test_a_409_never_names_another_customers_open_claim(api: Api) -> None:
    await api.transaction("T1")
    ana = await api.key("customer", email=ANA)
    first = await _open(api, ana)
    # The transaction moves to Eve after Ana's claim (as an import could, before it refused
    # to): Eve is refused, and learns nothing of Ana's claim.
    await api.transaction("T1", customer_email="eve@example.com")
    eve = await api.key("customer", email="eve@example.com")
    eves = claim_body(contact={"name": "Eve Moss", "email": "eve@example.com"})
    refused = await api.http.post("/claims", json=eves, headers=eve)
    assert refused.status_code == 409
    assert "existing_reference" not in refused.json()
    assert first["reference"] not in refused.text
    assert await api.count("claims") == 1


async def test_a_closed_claim_frees_its_transaction_for_a_new_one(api: Api) -> None:
    await api.transaction("T1")
    ana = await api.key("customer", email=ANA)
    first = await _open(api, ana)
    withdrawn = await api.http.post(f"/claims/{first['reference']}/withdraw", headers=ana)
    assert withdrawn.json()["status"] == "closed"
    second = await _open(api, ana)
    assert second["reference"] != first["reference"]


async def test_replaying_an_idempotency_key_returns_the_first_claim_and_stores_one(
    api: Api,
) -> None:
    await api.transaction("T1")
    ana = await api.key("customer", email=ANA)
    headers = {**ana, "Idempotency-Key": "open-T1-once"}
    first = await api.http.post("/claims", json=claim_body(), headers=headers)
    replay = await api.http.post("/claims", json=claim_body(), headers=headers)
    assert first.status_code == replay.status_code == 201
    assert replay.json()["reference"] == first.json()["reference"]
    assert await api.count("claims") == 1
    other_body = claim_body(description="Something else entirely.")
    misuse = await api.http.post("/claims", json=other_body, headers=headers)
    assert misuse.status_code == 422
    assert misuse.json()["type"].endswith("/idempotency-key-reused")
    assert await api.count("claims") == 1


async def test_bad_claim_bodies_are_refused_and_nothing_is_stored(api: Api) -> None:
    await api.transaction("T1")
    ana = await api.key("customer", email=ANA)
    missing_contact = claim_body()
    del missing_contact["contact"]
    bad: list[tuple[dict[str, Any], str]] = [
        (missing_contact, "validation-error"),
        (claim_body(category="lost_in_space"), "validation-error"),
        (claim_body(subject="payment", category="damaged"), "category-does-not-fit-subject"),
        (claim_body(description="x" * 5001), "validation-error"),
        (claim_body(description="   "), "validation-error"),
        (claim_body(contact={"name": "Ana", "email": "not-an-email"}), "validation-error"),
        (claim_body(contact={"name": "Ana", "email": "eve@example.com"}), "contact-email-mismatch"),
        ({**claim_body(), "priority": "high"}, "validation-error"),
        (claim_body(locale="de"), "validation-error"),
    ]
    for body, problem in bad:
        response = await api.http.post("/claims", json=body, headers=ana)
        assert response.status_code == 422, body
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["type"].endswith("/" + problem), response.json()
    malformed = await api.http.post(
        "/claims",
        content=b'{"transaction_id": "T1",',
        headers={**ana, "content-type": "application/json"},
    )
    assert malformed.status_code == 400
    assert malformed.headers["content-type"] == PROBLEM
    assert await api.count("claims") == 0
    assert await api.count("idempotency_keys") == 0


# ---- scoping ----


async def test_each_principal_sees_only_their_claims_and_others_get_404(api: Api) -> None:
    await api.transaction("T1", merchant_id="M1")
    await api.transaction("T2", customer_email="bob@example.com", merchant_id="M2")
    ana = await api.key("customer", email=ANA)
    bob = await api.key("customer", email="bob@example.com")
    m1 = await api.key("merchant", merchant_id="M1")
    m2 = await api.key("merchant", merchant_id="M2")
    operator = await api.key("operator")
    mine = (await _open(api, ana))["reference"]
    bobs = (
        await _open(
            api, bob, transaction_id="T2", contact={"name": "Bob", "email": "bob@example.com"}
        )
    )["reference"]

    for headers in (bob, m2):
        for path in (f"/claims/{mine}", f"/claims/{mine}/report"):
            response = await api.http.get(path, headers=headers)
            assert response.status_code == 404, path
        message = await api.http.post(
            f"/claims/{mine}/messages", json={"body": "hi"}, headers=headers
        )
        assert message.status_code == 404
    for headers in (ana, m1, operator):
        assert (await api.http.get(f"/claims/{mine}", headers=headers)).status_code == 200

    async def listed(headers: dict[str, str], query: str = "") -> set[str]:
        page = (await api.http.get(f"/claims{query}", headers=headers)).json()
        return {claim["reference"] for claim in page["items"]}

    assert await listed(ana) == {mine}
    assert await listed(bob) == {bobs}
    assert await listed(m1) == {mine}
    assert await listed(m1, "?merchant_id=M2") == set()
    assert await listed(operator) == {mine, bobs}
    assert await listed(operator, "?merchant_id=M2") == {bobs}


async def test_merchant_sees_its_own_allowed_actions(api: Api) -> None:
    await api.transaction("T1")
    ana = await api.key("customer", email=ANA)
    m1 = await api.key("merchant", merchant_id="M1")
    reference = (await _open(api, ana))["reference"]
    claim = (await api.http.get(f"/claims/{reference}", headers=m1)).json()
    assert "merchant_response" in claim["allowed_actions"]
    assert "withdraw" not in claim["allowed_actions"]


async def test_claim_listing_filters_and_pages_newest_first(api: Api) -> None:
    ana = await api.key("customer", email=ANA)
    operator = await api.key("operator")
    references = []
    for i in range(3):
        await api.transaction(f"T{i}")
        references.append((await _open(api, ana, transaction_id=f"T{i}"))["reference"])
    await api.transaction("TP")
    payment = await _open(api, ana, transaction_id="TP", subject="payment", category="unauthorized")
    page = (await api.http.get("/claims?limit=2", headers=operator)).json()
    assert [c["reference"] for c in page["items"]] == [payment["reference"], references[2]]
    assert page["next_offset"] == 2
    rest = (await api.http.get("/claims?limit=2&offset=2", headers=operator)).json()
    assert [c["reference"] for c in rest["items"]] == [references[1], references[0]]
    assert rest["next_offset"] is None
    payments = (await api.http.get("/claims?subject=payment", headers=operator)).json()
    assert [c["reference"] for c in payments["items"]] == [payment["reference"]]
    await api.http.post(f"/claims/{references[0]}/withdraw", headers=ana)
    closed = (await api.http.get("/claims?status=closed", headers=operator)).json()
    assert [c["reference"] for c in closed["items"]] == [references[0]]
    level2 = (await api.http.get("/claims?level=2&breached=true", headers=operator)).json()
    assert level2["items"] == []
    assert (await api.http.get("/claims?level=4", headers=operator)).status_code == 422
    assert (await api.http.get("/claims?status=lost", headers=operator)).status_code == 422


# ---- actions ----


async def test_merchant_proposal_is_visible_in_the_next_read(api: Api) -> None:
    await api.transaction("T1")
    ana = await api.key("customer", email=ANA)
    m1 = await api.key("merchant", merchant_id="M1")
    reference = (await _open(api, ana))["reference"]
    response = await api.http.post(
        f"/claims/{reference}/merchant-response",
        json={"action": "propose", "proposal": {"kind": "refund", "amount": "20.00"}},
        headers=m1,
    )
    assert response.status_code == 200, response.text
    seen = (await api.http.get(f"/claims/{reference}", headers=ana)).json()
    assert seen["proposal"] == {"kind": "refund", "amount": "20.00"}
    assert "accept_proposal" in seen["allowed_actions"]
    assert any(event["actor"] == "merchant" for event in seen["timeline"])


async def test_merchant_response_bodies_are_checked_before_the_workflow(api: Api) -> None:
    await api.transaction("T1")
    ana = await api.key("customer", email=ANA)
    m1 = await api.key("merchant", merchant_id="M1")
    reference = (await _open(api, ana))["reference"]
    before = await api.row(reference)
    bad = [
        {"action": "propose"},
        {"action": "propose", "proposal": {"kind": "refund"}},
        {"action": "propose", "proposal": {"kind": "refund", "amount": "-1.00"}},
        {"action": "propose", "proposal": {"kind": "refund", "amount": "49.91"}},
        {"action": "propose", "proposal": {"kind": "replacement", "amount": "5.00"}},
        {"action": "reject"},
        {"action": "shrug"},
        {"action": "acknowledge", "mood": "grumpy"},
    ]
    for body in bad:
        response = await api.http.post(
            f"/claims/{reference}/merchant-response", json=body, headers=m1
        )
        assert response.status_code == 422, body
        assert response.headers["content-type"] == PROBLEM
    assert await api.row(reference) == before


async def test_merchant_answering_a_payment_claim_is_409_and_the_claim_is_unchanged(
    api: Api,
) -> None:
    await api.transaction("T1")
    ana = await api.key("customer", email=ANA)
    m1 = await api.key("merchant", merchant_id="M1")
    reference = (await _open(api, ana, subject="payment", category="unauthorized"))["reference"]
    before = await api.row(reference)
    response = await api.http.post(
        f"/claims/{reference}/merchant-response", json={"action": "acknowledge"}, headers=m1
    )
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM
    assert "payment" in response.json()["detail"]
    assert await api.row(reference) == before


async def test_accepting_without_a_proposal_is_409(api: Api) -> None:
    await api.transaction("T1")
    ana = await api.key("customer", email=ANA)
    reference = (await _open(api, ana))["reference"]
    before = await api.row(reference)
    response = await api.http.post(f"/claims/{reference}/proposal/accept", headers=ana)
    assert response.status_code == 409
    assert response.json()["detail"] == "there is no proposal to answer"
    assert await api.row(reference) == before


async def test_a_role_that_can_never_act_gets_403_on_a_claim_it_sees(api: Api) -> None:
    ana, m1, operator = await api.parties()
    reference = (await _open(api, ana))["reference"]
    decision = {"outcome": "rejected", "note": "no"}
    assert (
        await api.http.post(f"/claims/{reference}/decision", json=decision, headers=ana)
    ).status_code == 403
    assert (
        await api.http.post(f"/claims/{reference}/proposal/accept", headers=m1)
    ).status_code == 403
    assert (
        await api.http.post(
            f"/claims/{reference}/merchant-response",
            json={"action": "acknowledge"},
            headers=operator,
        )
    ).status_code == 403
    assert (
        await api.http.post(f"/claims/{reference}/withdraw", headers=operator)
    ).status_code == 403


async def test_operator_decision_amounts_are_bounded_by_the_transaction(api: Api) -> None:
    await api.transaction("T1")
    ana = await api.key("customer", email=ANA)
    operator = await api.key("operator")
    reference = (await _open(api, ana, subject="payment", category="amount_discrepancy"))[
        "reference"
    ]
    path = f"/claims/{reference}/decision"
    for body in (
        {"outcome": "refund", "note": "x"},
        {"outcome": "refund", "amount": "0.00", "note": "x"},
        {"outcome": "refund", "amount": "50.00", "note": "x"},
        {"outcome": "partial_refund", "amount": "49.90", "note": "x"},
        {"outcome": "rejected", "amount": "1.00", "note": "x"},
        {"outcome": "refund", "amount": "10.00"},
    ):
        response = await api.http.post(path, json=body, headers=operator)
        assert response.status_code == 422, body
    decided = await api.http.post(
        path,
        json={"outcome": "partial_refund", "amount": "12.50", "note": "double charge"},
        headers=operator,
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "resolved"
    assert decided.json()["outcome"]["amount"] == "12.50"


async def test_a_claim_from_proposal_to_satisfied_close_and_its_report(api: Api) -> None:
    ana, m1, operator = await api.parties()
    reference = (await _open(api, ana))["reference"]
    base = f"/claims/{reference}"

    async def post(path: str, headers: dict[str, str], body: Any = None) -> dict[str, Any]:
        response = await api.http.post(base + path, json=body, headers=headers)
        assert response.status_code == 200, (path, response.text)
        result: dict[str, Any] = response.json()
        return result

    await post("/messages", ana, {"body": "Any news?"})
    await post("/request-info", operator, {"question": "Which address did you use?"})
    await post("/messages", ana, {"body": "12 rue de la Paix."})
    await post("/merchant-response", m1, {"action": "propose", "proposal": {"kind": "reshipment"}})
    resolved = await post("/proposal/accept", ana, {"reason": "fine"})
    assert resolved["status"] == "resolved"
    assert "satisfaction" in resolved["allowed_actions"]
    closed = await post("/satisfaction", ana, {"satisfied": True, "comment": "thanks"})
    assert closed["status"] == "closed"
    assert closed["closed_reason"] is not None
    assert closed["allowed_actions"] == []

    report = await api.http.get(f"{base}/report", headers=ana)
    assert report.status_code == 200
    assert report.headers["content-type"].startswith("text/plain")
    assert reference in report.text

    late = await api.http.post(f"{base}/messages", json={"body": "hello?"}, headers=ana)
    assert late.status_code == 409
    assert "closed" in late.json()["detail"]
    bad_answer = await api.http.post(f"{base}/satisfaction", json={"satisfied": "yes"}, headers=ana)
    assert bad_answer.status_code == 422


async def test_customer_rejects_a_proposal_and_operator_closes_only_once_they_agree(
    api: Api,
) -> None:
    ana, m1, operator = await api.parties()
    reference = (await _open(api, ana))["reference"]
    base = f"/claims/{reference}"
    proposal = {"action": "propose", "proposal": {"kind": "refund", "amount": "5.00"}}
    assert (await api.http.post(f"{base}/merchant-response", json=proposal, headers=m1)).is_success
    rejected = await api.http.post(
        f"{base}/proposal/reject", json={"reason": "too little"}, headers=ana
    )
    assert rejected.status_code == 200
    assert (
        rejected.json()["proposal"] is None
        or "accept_proposal" not in rejected.json()["allowed_actions"]
    )
    decided = await api.http.post(
        f"{base}/decision",
        json={"outcome": "refund", "amount": "49.90", "note": "full refund"},
        headers=operator,
    )
    assert decided.status_code == 200, decided.text
    assert "close" not in (await api.http.get(base, headers=operator)).json()["allowed_actions"]
    refused = await api.http.post(f"{base}/close", json={"note": "done"}, headers=operator)
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"] == PROBLEM
    assert "has not accepted the outcome nor said they are satisfied" in refused.json()["detail"]
    closed = await api.http.post(f"{base}/satisfaction", json={"satisfied": True}, headers=ana)
    assert closed.status_code == 200, closed.text
    assert closed.json()["closed_reason"] == "by_customer"


async def test_unknown_claim_is_404(api: Api) -> None:
    operator = await api.key("operator")
    assert (await api.http.get("/claims/CLM-0000-0000", headers=operator)).status_code == 404
    response = await api.http.post(
        "/claims/CLM-0000-0000/messages", json={"body": "hi"}, headers=operator
    )
    assert response.status_code == 404


async def test_two_racing_claims_on_one_transaction_give_one_201_and_one_409(api: Api) -> None:
    await api.transaction("T1")
    ana = await api.key("customer", email=ANA)
    responses = await asyncio.gather(
        *(api.http.post("/claims", json=claim_body(), headers=ana) for _ in range(2))
    )
    assert sorted(r.status_code for r in responses) == [201, 409]
    assert await api.count("claims") == 1


async def test_a_reservation_whose_workflow_never_started_heals_on_replay(api: Api) -> None:
    """As if the API died between committing the reservation and starting the workflow."""
    await api.transaction("T1")
    ana = await api.key("customer", email=ANA)
    body = claim_body()
    now = datetime.now(UTC)
    async with unit_of_work(api.engine) as session:
        transaction = await transactions.get_transaction(session=session, transaction_id="T1")
        assert transaction is not None
        claim_input = filing.opening_input(
            body=ClaimCreate.model_validate(body),
            transaction=transaction,
            reference="CLM-HEAL-0001",
            opened_at=now,
            settings=api.settings,
        )
        assert await claims.reserve_claim(session=session, view=filing.reservation(claim_input))
        await idempotency.insert_idempotency_record(
            session=session,
            record=IdempotencyRecord(
                api_key_id=ana["X-Key-Id"],
                key="k1",
                request_hash=filing.request_fingerprint(ClaimCreate.model_validate(body)),
                reference="CLM-HEAL-0001",
                created_at=now,
            ),
        )
    stuck = await api.http.post(
        "/claims/CLM-HEAL-0001/messages", json={"body": "hello"}, headers=ana
    )
    assert stuck.status_code == 409
    assert "Idempotency-Key" in stuck.json()["detail"]
    healed = await api.http.post("/claims", json=body, headers={**ana, "Idempotency-Key": "k1"})
    assert healed.status_code == 201, healed.text
    assert healed.json()["reference"] == "CLM-HEAL-0001"
    assert healed.json()["allowed_actions"]
    assert (await api.row("CLM-HEAL-0001"))["version"] >= 1


async def test_with_temporal_down_opening_is_503_and_a_keyed_retry_heals_once_it_is_back(
    api: Api, database_url: str
) -> None:
    await api.transaction("T1")
    await api.transaction("T2")
    ana = await api.key("customer", email=ANA)
    with socket.socket() as probe:  # a port no Temporal listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"127.0.0.1:{probe.getsockname()[1]}"
    down = Server(create_app(api.settings.model_copy(update={"temporal_address": dead})))
    await down.start()
    try:
        async with httpx.AsyncClient(base_url=down.url, timeout=30) as http:
            unkeyed = await http.post("/claims", json=claim_body("T2"), headers=ana)
            keyed = await http.post(
                "/claims", json=claim_body(), headers={**ana, "Idempotency-Key": "k1"}
            )
            assert (await http.get("/readyz")).status_code == 503
    finally:
        await down.stop()
    for response in (unkeyed, keyed):
        assert response.status_code == 503, response.text
        assert response.headers["content-type"] == PROBLEM
        assert response.headers["retry-after"]
    # The unkeyed reservation is freed; the keyed one waits for its retry.
    assert await api.count("claims") == 1
    healed = await api.http.post(
        "/claims", json=claim_body(), headers={**ana, "Idempotency-Key": "k1"}
    )
    assert healed.status_code == 201, healed.text
    assert await api.count("claims") == 1
    assert (await api.row(healed.json()["reference"]))["version"] >= 1
    assert (await _open(api, ana, transaction_id="T2"))["status"] == "open"


async def test_a_nul_in_a_claim_body_is_422_and_reaches_neither_store_nor_workflow(
    api: Api,
) -> None:
    await api.transaction("T1")
    ana = await api.key("customer", email=ANA)
    nul = await api.http.post("/claims", json=claim_body(description="a\x00b"), headers=ana)
    assert nul.status_code == 422
    assert nul.headers["content-type"] == PROBLEM
    assert await api.count("claims") == 0
    claim = await _open(api, ana)
    ref = claim["reference"]
    before = (await api.http.get(f"/claims/{ref}", headers=ana)).json()
    message = await api.http.post(f"/claims/{ref}/messages", json={"body": "\x00"}, headers=ana)
    assert message.status_code == 422
    assert message.headers["content-type"] == PROBLEM
    assert (await api.http.get(f"/claims/{ref}", headers=ana)).json() == before


# ---- the customer's phone ----

PHONE = "+33 6 12 34 56 78"


async def test_the_customers_phone_is_kept_for_them_and_operators_not_the_merchant(
    api: Api,
) -> None:
    ana, m1, operator = await api.parties("T1", "T2")
    contact = {"name": "Ana Lima", "email": ANA, "phone": PHONE}
    kept = await _open(api, ana, contact=contact)
    shared = await _open(
        api, ana, transaction_id="T2", contact={**contact, "share_phone_with_merchant": True}
    )
    assert kept["customer_phone"] == PHONE and kept["customer_shares_phone"] is False

    for reference, merchant_reads in ((kept["reference"], False), (shared["reference"], True)):
        for who, reads in ((ana, True), (operator, True), (m1, merchant_reads)):
            claim = await api.http.get(f"/claims/{reference}", headers=who)
            report = await api.http.get(f"/claims/{reference}/report", headers=who)
            assert claim.json()["customer_phone"] == (PHONE if reads else None)
            assert (PHONE in report.text) is reads and (PHONE in claim.text) is reads
    listed = await api.http.get("/claims", headers=m1)
    phones = {c["reference"]: c["customer_phone"] for c in listed.json()["items"]}
    assert phones == {kept["reference"]: None, shared["reference"]: PHONE}
    assert (await api.row(kept["reference"]))["customer_phone"] == PHONE


# ---- the merchant's name and contact details ----


async def test_the_customer_reads_the_merchants_name_and_on_delivery_claims_its_contact(
    api: Api,
) -> None:
    await api.transaction("T1")
    await api.transaction("T2")
    ana = await api.key("customer", email=ANA)
    operator = await api.key("operator")
    shop = {
        "id": "M1",
        "name": "Lampes & Co",
        "email": "service@lampes.example",
        "phone": "+33 1 23 45 67 89",
        "locale": "fr",
    }
    registered = await api.http.post("/merchants", json=shop, headers=operator)
    assert registered.status_code == 200, registered.text
    assert (registered.json()["phone"], registered.json()["locale"]) == (shop["phone"], "fr")
    contact = {"email": shop["email"], "phone": shop["phone"]}

    delivery = await _open(api, ana)
    payment = await _open(api, ana, transaction_id="T2", subject="payment", category="unauthorized")
    assert delivery["merchant_name"] == "Lampes & Co"
    assert delivery["merchant_contact"] == contact
    assert payment["merchant_name"] == "Lampes & Co" and payment["merchant_contact"] is None
    for who, payment_contact in ((ana, None), (operator, contact)):
        read = (await api.http.get(f"/claims/{payment['reference']}", headers=who)).json()
        assert (read["merchant_name"], read["merchant_contact"]) == ("Lampes & Co", payment_contact)
        listed = (await api.http.get("/claims", headers=who)).json()["items"]
        assert {c["merchant_name"] for c in listed} == {"Lampes & Co"}
    acted = await api.http.post(
        f"/claims/{delivery['reference']}/messages", json={"body": "Hello"}, headers=ana
    )
    assert acted.json()["merchant_contact"] == contact
