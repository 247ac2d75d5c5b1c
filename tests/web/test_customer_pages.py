"""The customer's pages over HTTP: purchases, filing (its rules and errors), their claims."""

from __future__ import annotations

from tests.support.parties import (
    customer_with_purchase,
    file_through_page,
    filing_form,
)
from tests.support.web import Web


async def test_a_customer_files_a_claim_from_a_purchase(web: Web) -> None:
    ana = await customer_with_purchase(web, "T-LAMP")
    purchases = await ana.http.get("/app/transactions")
    assert purchases.status_code == 200 and "T-LAMP" in purchases.text
    form = await ana.http.get("/app/transactions/T-LAMP/claim")
    assert form.status_code == 200
    assert "up to 60 days after the purchase" in form.text  # the rules, before filing
    assert "up to 180 days after the purchase" in form.text
    reference = await file_through_page(ana, "T-LAMP")
    page = await ana.http.get(f"/app/claims/{reference}?filed=1")
    assert page.status_code == 200
    assert "Your claim is filed" in page.text
    assert "Shop has until" in page.text  # the merchant's deadline, after filing
    assert "Times are shown in UTC." in page.text
    row = await web.api.row(reference)
    assert row["customer_email"] == "ana@example.com" and row["transaction_id"] == "T-LAMP"
    listing = await ana.http.get("/app/claims")
    assert reference in listing.text and "1 — the merchant" in listing.text


async def test_bad_input_is_shown_on_the_form_and_nothing_is_stored(web: Web) -> None:
    ana = await customer_with_purchase(web, "T-LAMP")
    answer = await ana.post_form(
        "/app/transactions/T-LAMP/claim",
        filing_form(description="  ", category="no-such-thing", contact_name=""),
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("text/html")
    assert "Describe the problem (up to 5,000 characters)." in answer.text
    assert "Choose what went wrong." in answer.text
    assert "Enter your name" in answer.text
    assert 'id="file-description" name="description" rows="6" required aria-describedby' in (
        answer.text
    )
    mismatch = await ana.post_form("/app/transactions/T-LAMP/claim", filing_form(subject="payment"))
    assert mismatch.status_code == 422
    assert "This category does not fit the subject chosen" in mismatch.text
    assert await web.api.count("claims") == 0


async def test_a_payment_claim_past_its_window_is_refused_on_the_form(web: Web) -> None:
    ana = await customer_with_purchase(web, "T-OLD", days_ago=70)
    answer = await ana.post_form(
        "/app/transactions/T-OLD/claim",
        filing_form(subject="payment", category="unauthorized"),
    )
    assert answer.status_code == 422
    assert "It is too late to file this claim" in answer.text
    assert await web.api.count("claims") == 0
    # A delivery claim on the same purchase is still within its 180 days.
    await file_through_page(ana, "T-OLD")


async def test_a_second_open_claim_names_the_first(web: Web) -> None:
    ana = await customer_with_purchase(web, "T-LAMP")
    first = await file_through_page(ana, "T-LAMP")
    again = await ana.post_form("/app/transactions/T-LAMP/claim", filing_form())
    assert again.status_code == 409
    assert f"Claim {first} is still open" in again.text
    assert await web.api.count("claims") == 1


async def test_the_same_form_sent_twice_files_one_claim(web: Web) -> None:
    ana = await customer_with_purchase(web, "T-LAMP")
    form = filing_form(idempotency_key="web-double-click")
    first = await ana.post_form("/app/transactions/T-LAMP/claim", form)
    second = await ana.post_form("/app/transactions/T-LAMP/claim", form)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert await web.api.count("claims") == 1


async def test_times_show_in_the_chosen_time_zone(web: Web) -> None:
    ana = await customer_with_purchase(web, "T-LAMP")
    await file_through_page(ana, "T-LAMP")
    refused = await ana.post_form("/app/time-zone", {"zone": "Mars/Olympus", "next": "/app/"})
    assert refused.status_code == 422 and "Choose a time zone from the list." in refused.text
    chosen = await ana.post_form("/app/time-zone", {"zone": "Europe/Paris", "next": "/app/claims"})
    assert chosen.status_code == 303 and chosen.headers["location"] == "/app/claims"
    listing = await ana.http.get("/app/claims")
    assert "Times are shown in Europe/Paris." in listing.text
    assert "(Europe/Paris)" in listing.text


async def test_the_report_downloads_as_a_file(web: Web) -> None:
    ana = await customer_with_purchase(web, "T-LAMP")
    reference = await file_through_page(ana, "T-LAMP")
    report = await ana.http.get(f"/app/claims/{reference}/report")
    assert report.status_code == 200
    assert report.headers["content-disposition"] == f'attachment; filename="{reference}.txt"'
    assert report.headers["content-type"].startswith("text/plain")
    key = await web.api.key("customer", email="ana@example.com")
    from_the_api = await web.api.http.get(f"/claims/{reference}/report", headers=key)
    assert report.text == from_the_api.text and reference in report.text


async def test_the_pages_speak_french(web: Web) -> None:
    ana = await customer_with_purchase(web, "T-LAMP")
    reference = await file_through_page(ana, "T-LAMP")
    ana.http.headers["Accept-Language"] = "fr-FR"
    await ana.post_form("/app/language", {"locale": "fr", "next": "/app/"})
    page = await ana.http.get(f"/app/claims/{reference}?filed=1")
    assert page.status_code == 200 and f"Réclamation {reference}" in page.text
    assert "Votre réclamation est déposée" in page.text and "a jusqu&#39;au" in page.text
    form = await ana.http.get("/app/transactions/T-LAMP/claim")
    assert "Avant de déposer" in form.text


async def test_a_satisfaction_answer_needs_yes_or_no(web: Web) -> None:
    ana = await customer_with_purchase(web, "T-LAMP")
    reference = await file_through_page(ana, "T-LAMP")
    shop = await web.client_for("merchant")
    proposal = {"kind": "replacement", "amount": ""}
    assert (await shop.post_form(f"/app/claims/{reference}/propose", proposal)).status_code == 303
    assert (await ana.post_form(f"/app/claims/{reference}/accept", {})).status_code == 303
    page = await ana.http.get(f"/app/claims/{reference}")
    assert f'action="/app/claims/{reference}/satisfaction"' in page.text
    before = await web.api.row(reference)
    unanswered = await ana.post_form(f"/app/claims/{reference}/satisfaction", {"rating": "9"})
    assert unanswered.status_code == 422
    assert (
        "Answer yes or no." in unanswered.text and "Choose a rating from 1 to 5" in unanswered.text
    )
    assert await web.api.row(reference) == before
    answered = await ana.post_form(
        f"/app/claims/{reference}/satisfaction", {"satisfied": "yes", "rating": "4"}
    )
    assert answered.status_code == 303
    assert (await web.api.row(reference))["status"] == "closed"
