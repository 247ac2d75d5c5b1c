"""The merchant's pages over HTTP: the inbox, and answering a claim through the API's checks."""

from __future__ import annotations

from tests.support.parties import customer_with_purchase, file_through_page
from tests.support.web import Web


async def test_the_merchant_answers_from_its_inbox(web: Web) -> None:
    ana = await customer_with_purchase(web, "T-LAMP")
    reference = await file_through_page(ana, "T-LAMP")
    shop = await web.client_for("merchant")
    inbox = await shop.http.get("/app/inbox")
    assert inbox.status_code == 200 and reference in inbox.text
    page = await shop.http.get(f"/app/claims/{reference}")
    for form in ("acknowledge", "propose", "reject", "request-info", "message"):
        assert f'action="/app/claims/{reference}/{form}"' in page.text
    assert "withdraw" not in page.text  # a customer's action: no form for the merchant
    done = await shop.post_form(f"/app/claims/{reference}/acknowledge", {"message": ""})
    assert done.status_code == 303
    asked = await shop.post_form(
        f"/app/claims/{reference}/request-info", {"message": "Which address?"}
    )
    assert asked.status_code == 303
    proposed = await shop.post_form(
        f"/app/claims/{reference}/propose", {"kind": "refund", "amount": "20.00"}
    )
    assert proposed.status_code == 303
    row = await web.api.row(reference)
    assert row["proposal"] == {"kind": "refund", "amount": "20.00"}
    customer_page = await ana.http.get(f"/app/claims/{reference}")
    assert f'action="/app/claims/{reference}/accept"' in customer_page.text
    assert "Which address?" in customer_page.text  # the timeline as the customer reads it


async def test_a_refund_over_the_amount_is_shown_on_the_form(web: Web) -> None:
    ana = await customer_with_purchase(web, "T-LAMP")
    reference = await file_through_page(ana, "T-LAMP")
    shop = await web.client_for("merchant")
    before = await web.api.row(reference)
    over = await shop.post_form(
        f"/app/claims/{reference}/propose", {"kind": "refund", "amount": "500.00"}
    )
    assert over.status_code == 422
    assert "A refund can be at most the amount the customer paid." in over.text
    assert 'value="500.00"' in over.text  # what was typed stays in the field
    missing = await shop.post_form(f"/app/claims/{reference}/propose", {"kind": "refund"})
    assert missing.status_code == 422 and "A refund needs an amount" in missing.text
    no_reason = await shop.post_form(f"/app/claims/{reference}/reject", {"reason": ""})
    assert no_reason.status_code == 422 and "Give the reason" in no_reason.text
    assert await web.api.row(reference) == before


async def test_an_action_the_claim_refuses_now_is_shown_on_the_form(web: Web) -> None:
    ana = await customer_with_purchase(web, "T-LAMP")
    reference = await file_through_page(ana, "T-LAMP")
    assert (await ana.post_form(f"/app/claims/{reference}/withdraw", {})).status_code == 303
    shop = await web.client_for("merchant")
    late = await shop.post_form(f"/app/claims/{reference}/acknowledge", {})
    assert late.status_code == 409
    assert "This cannot be done now" in late.text and "is closed" in late.text
    assert late.headers["content-type"].startswith("text/html")


async def test_the_inbox_puts_the_most_urgent_first(web: Web) -> None:
    ana = await customer_with_purchase(web, "T-ONE")
    await web.api.transaction("T-TWO")
    first = await file_through_page(ana, "T-ONE")
    second = await file_through_page(ana, "T-TWO")
    shop = await web.client_for("merchant")
    inbox = (await shop.http.get("/app/inbox")).text
    assert inbox.index(first) < inbox.index(second)  # the earlier deadline first
    assert (await ana.post_form(f"/app/claims/{first}/withdraw", {})).status_code == 303
    inbox = (await shop.http.get("/app/inbox")).text
    assert first not in inbox and second in inbox
    closed = (await shop.http.get("/app/inbox?closed=1")).text
    assert first in closed and second not in closed
