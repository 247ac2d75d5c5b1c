"""What each party reads of a claim over HTTP gives away nothing it may not see: no gaps in
its numbering, no `updated_at` moved by a step it does not read, no header field that is
not its own, and a report written to it in its language."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from claimdesk.store.db import unit_of_work
from claimdesk.store.merchants import upsert_merchant
from tests.support.api import Api, claim_body

ANA = "ana@example.com"


async def _read(api: Api, reference: str, headers: dict[str, str]) -> dict[str, Any]:
    """The claim as `headers`' caller reads it, alone and in its list."""
    claim = await api.http.get(f"/claims/{reference}", headers=headers)
    listed = await api.http.get("/claims", headers=headers)
    assert claim.status_code == listed.status_code == 200, (claim.text, listed.text)
    [item] = [item for item in listed.json()["items"] if item["reference"] == reference]
    body: dict[str, Any] = claim.json()
    assert {key: body[key] for key in item} == item  # the list shows the claim as it reads
    return body


async def test_a_customer_and_a_merchant_read_no_trace_of_what_they_may_not_see(
    api: Api,
) -> None:
    ana, m1, operator = await api.parties()
    body = claim_body("T1", subject="payment", category="unauthorized")
    reference = (await api.http.post("/claims", json=body, headers=ana)).json()["reference"]
    base = f"/claims/{reference}"

    async def act(path: str, headers: dict[str, str], payload: dict[str, Any]) -> None:
        answer = await api.http.post(base + path, json=payload, headers=headers)
        assert answer.status_code == 200, (path, answer.text)

    await act("/request-info", operator, {"question": "Send a photo of your ID"})
    await act("/messages", ana, {"body": "My card was stolen in Lyon"})
    await act("/notes", operator, {"note": "Same IP as three chargebacks"})
    await act("/messages", operator, {"body": "We are checking"})
    before = {
        "customer": await _read(api, reference, ana),
        "merchant": await _read(api, reference, m1),
    }
    await act("/notes", operator, {"note": "Bank confirms the theft"})

    # A note changes nothing a customer or a merchant reads: not even when the claim changed.
    after = {
        "customer": await _read(api, reference, ana),
        "merchant": await _read(api, reference, m1),
    }
    assert after == before
    for role, claim in after.items():
        timeline = claim["timeline"]
        # Numbered as the caller reads it: no gap where an event was kept back.
        assert [event["seq"] for event in timeline] == list(range(1, len(timeline) + 1)), role
        # Changed when the last event it reads happened, not at the operators' note.
        assert claim["updated_at"] == timeline[-1]["at"], role
    operators = await _read(api, reference, operator)
    assert operators["timeline"][-1]["kind"] == "internal_note"
    assert operators["updated_at"] == operators["timeline"][-1]["at"]
    assert operators["updated_at"] != after["customer"]["updated_at"]

    await act("/decision", operator, {"outcome": "refund", "amount": "49.90", "note": "Stolen"})
    merchants = await _read(api, reference, m1)
    assert [(e["seq"], e["kind"]) for e in merchants["timeline"]] == [
        (1, "opened"),
        (2, "decision"),
    ]
    assert merchants["updated_at"] == merchants["timeline"][-1]["at"]


async def test_the_merchant_of_a_payment_claim_does_not_read_the_customers_description(
    api: Api,
) -> None:
    await api.transaction("T1", customer_email=ANA, merchant_id="M1")
    await api.transaction("T2", customer_email=ANA, merchant_id="M1")
    ana = await api.key("customer", email=ANA)
    m1 = await api.key("merchant", merchant_id="M1")
    operator = await api.key("operator")
    said = "Someone in Lyon used my card; my bank says it was cloned."
    payment = claim_body("T1", subject="payment", category="unauthorized", description=said)
    delivery = claim_body("T2", description="The lamp never came.")
    references = {}
    for body in (payment, delivery):
        opened = await api.http.post("/claims", json=body, headers=ana)
        assert opened.status_code == 201, opened.text
        references[body["subject"]] = opened.json()["reference"]

    for headers, reads in ((ana, True), (operator, True), (m1, False)):
        claim = await _read(api, references["payment"], headers)
        assert (claim["description"] == said) is reads
        assert reads or claim["description"] is None
        report = await api.http.get(f"/claims/{references['payment']}/report", headers=headers)
        assert said not in report.text or reads
    # A delivery claim is the merchant's to answer: it reads what the customer said.
    assert (await _read(api, references["delivery"], m1))["description"] == "The lamp never came."


async def test_the_report_is_written_to_its_reader_in_its_language(api: Api) -> None:
    await api.transaction("T1", customer_email=ANA, merchant_id="M1")
    async with unit_of_work(api.engine) as session:
        await upsert_merchant(
            session=session,
            merchant_id="M1",
            name="Shop",
            email="shop@example.com",
            at=datetime.now(UTC),
            locale="en",
        )
    ana = await api.key("customer", email=ANA)
    m1 = await api.key("merchant", merchant_id="M1")
    operator = await api.key("operator")
    opened = await api.http.post("/claims", json=claim_body("T1", locale="fr"), headers=ana)
    assert opened.status_code == 201, opened.text
    base = f"/claims/{opened.json()['reference']}"
    # Three decisions the customer is not satisfied with: level 3, then the mediator.
    for _ in range(3):
        decision = {"outcome": "partial_refund", "amount": "12.5", "note": "Half the shipping"}
        decided = await api.http.post(f"{base}/decision", json=decision, headers=operator)
        assert decided.status_code == 200, decided.text
        answer = await api.http.post(f"{base}/satisfaction", json={"satisfied": False}, headers=ana)
        assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "closed"

    reports = {}
    for role, headers in (("customer", ana), ("merchant", m1), ("operator", operator)):
        report = await api.http.get(f"{base}/report", headers=headers)
        assert report.status_code == 200, report.text
        reports[role] = report.text
        assert report.headers["content-language"] == ("fr" if role == "customer" else "en")
    # The customer: in the claim's language, told of their recourse; amounts written the
    # French way in the timeline as in the header.
    assert reports["customer"].startswith("Réclamation ")
    assert "Vos recours" in reports["customer"] and "sans votre satisfaction" in reports["customer"]
    assert (
        "montant : 12,50 EUR" in reports["customer"] or "montant: 12,50 EUR" in reports["customer"]
    )
    assert "12.5" not in reports["customer"]
    # The merchant: in its own language, and nothing addressed to the customer.
    assert reports["merchant"].startswith("Claim ")
    assert "amount: 12.50 EUR" in reports["merchant"]
    for words in ("recours", "Your recourse", "your satisfaction", "Vos recours"):
        assert words not in reports["merchant"], words
    # The operators: in theirs, the recourse as a fact about the customer.
    assert reports["operator"].startswith("Claim ")
    assert "your satisfaction" not in reports["operator"]
    assert "Recourse given to the customer" in reports["operator"]


async def test_a_repeated_action_answers_the_claim_as_it_changed_then_for_its_caller(
    api: Api,
) -> None:
    await api.transaction("T1", customer_email=ANA, merchant_id="M1")
    ana = await api.key("customer", email=ANA)
    operator = await api.key("operator")
    body = claim_body("T1", subject="payment", category="unauthorized")
    base = f"/claims/{(await api.http.post('/claims', json=body, headers=ana)).json()['reference']}"
    write = {"json": {"body": "My card was stolen"}, "headers": {**ana, "Idempotency-Key": "k1"}}
    first = await api.http.post(f"{base}/messages", **write)
    assert first.status_code == 200, first.text
    later = await api.http.post(f"{base}/messages", json={"body": "Noted"}, headers=operator)
    assert later.status_code == 200, later.text
    repeat = await api.http.post(f"{base}/messages", **write)
    assert repeat.status_code == 200, repeat.text
    assert repeat.json() == first.json()  # updated_at too: the message's, not the reply's
