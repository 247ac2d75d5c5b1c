"""A hostile review of the web claim center: each test here shows a defect (it fails on main).

Rules they hold the pages to: bad input is a clear 4xx form error (or page), never a 500 and
never a problem+json body on a page; no path around the API's rules (rate limits included)
changes a claim; access follows the records.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.testing import WorkflowEnvironment

from claimdesk.store.db import unit_of_work
from claimdesk.store.merchants import upsert_merchant
from tests.support.api import api_settings
from tests.support.mailbox import Mailbox
from tests.support.parties import customer_with_purchase, file_through_page, filing_form
from tests.support.web import Web, serve_web

# Unicode says these are digits (str.isdigit() is True), int() says they are not.
SUPERSCRIPT_TWO = "\u00b2"


def _is_page(answer: object) -> bool:
    headers = answer.headers  # type: ignore[attr-defined]
    return headers.get("content-type", "").startswith("text/html")


async def _messages(web: Web, reference: str) -> int:
    async with web.engine.connect() as conn:
        found = await conn.execute(
            text("SELECT count(*) FROM claim_events WHERE reference = :r AND kind = 'message'"),
            {"r": reference},
        )
        return int(found.scalar_one())


# ---- 500s from input a visitor types or edits ----


@pytest.mark.parametrize("path", ["/app/claims", "/app/transactions"])
async def test_a_unicode_digit_as_a_customer_list_offset_is_not_a_server_error(
    web: Web, path: str
) -> None:
    ana = await customer_with_purchase(web, "T-LAMP")
    answer = await ana.http.get(path, params={"offset": SUPERSCRIPT_TWO})
    # claims_list.offset_of: "anything but a small number is the first page".
    assert answer.status_code == 200, (answer.status_code, answer.text[:300])


async def test_a_unicode_digit_as_the_inbox_offset_is_not_a_server_error(web: Web) -> None:
    shop = await web.client_for("merchant")
    answer = await shop.http.get("/app/inbox", params={"offset": SUPERSCRIPT_TWO})
    assert answer.status_code == 200, (answer.status_code, answer.text[:300])


async def test_a_unicode_digit_rating_is_a_form_error_not_a_server_error(web: Web) -> None:
    ana = await customer_with_purchase(web, "T-LAMP")
    reference = await file_through_page(ana, "T-LAMP")
    before = await web.api.row(reference)
    answer = await ana.post_form(
        f"/app/claims/{reference}/satisfaction", {"satisfied": "yes", "rating": SUPERSCRIPT_TWO}
    )
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:300])
    assert _is_page(answer)
    assert (await web.api.row(reference))["updated_at"] == before["updated_at"]


async def test_a_long_idempotency_key_on_a_claim_form_is_not_a_server_error(web: Web) -> None:
    ana = await customer_with_purchase(web, "T-LAMP")
    reference = await file_through_page(ana, "T-LAMP")
    answer = await ana.post_form(
        f"/app/claims/{reference}/message", {"body": "Any news?", "idempotency_key": "k" * 201}
    )
    # The API answers such a header 422 (max_length=200); the page must not crash either.
    assert answer.status_code < 500, (answer.status_code, answer.text[:300])


async def test_a_long_idempotency_key_on_the_filing_form_is_not_a_server_error(web: Web) -> None:
    ana = await customer_with_purchase(web, "T-LAMP")
    answer = await ana.post_form(
        "/app/transactions/T-LAMP/claim", {**filing_form(), "idempotency_key": "k" * 201}
    )
    assert answer.status_code < 500, (answer.status_code, answer.text[:300])


async def test_a_nul_in_a_claim_form_s_idempotency_key_is_not_a_server_error(web: Web) -> None:
    ana = await customer_with_purchase(web, "T-LAMP")
    reference = await file_through_page(ana, "T-LAMP")
    answer = await ana.post_form(
        f"/app/claims/{reference}/message", {"body": "Any news?", "idempotency_key": "a\x00b"}
    )
    assert answer.status_code < 500, (answer.status_code, answer.text[:300])


async def test_a_nul_in_a_console_form_key_is_not_a_server_error(web: Web) -> None:
    ana = await customer_with_purchase(web, "T-LAMP")
    reference = await file_through_page(ana, "T-LAMP")
    olga = await web.client_for("operator")
    answer = await olga.post_form(
        f"/app/console/claims/{reference}/actions/internal_note",
        {"note": "checked the carrier", "form_key": "a\x00b"},
    )
    assert answer.status_code < 500, (answer.status_code, answer.text[:300])


# ---- problem+json where a page is owed ----


async def test_a_huge_form_body_is_answered_with_a_page_not_json(web: Web) -> None:
    ana = await customer_with_purchase(web, "T-LAMP")
    reference = await file_through_page(ana, "T-LAMP")
    answer = await ana.post_form(f"/app/claims/{reference}/message", {"body": "x" * 70_000})
    assert answer.status_code == 413
    assert _is_page(answer), answer.headers.get("content-type")


async def test_a_nul_in_a_page_s_query_is_answered_with_a_page_not_json(web: Web) -> None:
    http = await web.anonymous()
    answer = await http.get("/app/sign-in?next=/app/%00")
    assert 400 <= answer.status_code < 500
    assert _is_page(answer), answer.headers.get("content-type")


# ---- no path around the API's rules: its rate limits ----


async def test_messages_from_a_page_are_rate_limited_as_the_api_s(
    temporal_env: WorkflowEnvironment, database_url: str, engine: AsyncEngine, mailbox: Mailbox
) -> None:
    settings = api_settings(temporal_env, database_url, mailbox).model_copy(
        update={"rate_messages": "2/minute"}
    )
    async with serve_web(temporal_env, engine, mailbox, settings) as web:
        ana = await customer_with_purchase(web, "T-LAMP")
        reference = await file_through_page(ana, "T-LAMP")
        statuses = [
            (
                await ana.post_form(f"/app/claims/{reference}/message", {"body": f"Any news? {n}"})
            ).status_code
            for n in range(3)
        ]
        # POST /claims/{ref}/messages answers the third 429 (CLAIMDESK_RATE_MESSAGES).
        assert statuses == [303, 303, 429], statuses
        assert await _messages(web, reference) == 2


async def test_filing_from_a_page_is_rate_limited_as_the_api_s(
    temporal_env: WorkflowEnvironment, database_url: str, engine: AsyncEngine, mailbox: Mailbox
) -> None:
    settings = api_settings(temporal_env, database_url, mailbox).model_copy(
        update={"rate_openings": "1/hour"}
    )
    async with serve_web(temporal_env, engine, mailbox, settings) as web:
        ana = await customer_with_purchase(web, "T-LAMP")
        await web.api.transaction("T-DESK", customer_email="ana@example.com")
        await file_through_page(ana, "T-LAMP")
        second = await ana.post_form("/app/transactions/T-DESK/claim", filing_form())
        # POST /claims answers it 429 (CLAIMDESK_RATE_OPENINGS); the page filed it.
        assert second.status_code == 429, second.status_code
        assert await web.api.count("claims") == 1


# ---- access follows the records ----


async def test_a_former_merchant_contact_loses_the_shop_s_claims(web: Web) -> None:
    ana = await customer_with_purchase(web, "T-LAMP")
    reference = await file_through_page(ana, "T-LAMP")
    old = await web.client_for("merchant")  # shop@example.com, contact of M1
    assert (await old.http.get(f"/app/claims/{reference}")).status_code == 200
    # The platform gives M1 another contact address (claimdesk merchants add --id M1 ...).
    async with unit_of_work(web.engine) as session:
        await upsert_merchant(
            session=session,
            merchant_id="M1",
            name="Shop",
            email="new-owner@shop.example",
            at=datetime.now(UTC),
        )
    # The old address can no longer sign in as M1, but its open session still acts for M1.
    page = await old.http.get(f"/app/claims/{reference}")
    assert page.status_code in (303, 404), page.status_code
    acted = await old.post_form(f"/app/claims/{reference}/acknowledge", {"message": ""})
    assert acted.status_code != 303 or acted.headers["location"].startswith("/app/sign-in")


# ---- French ----


async def test_a_french_merchant_s_refund_typed_with_a_comma_is_accepted(web: Web) -> None:
    """The French page writes the limit `49,90 EUR` and the console takes `49,90`; the
    merchant's proposal form refuses it (422) when typed the way its own page writes it."""
    ana = await customer_with_purchase(web, "T-LAMP")
    reference = await file_through_page(ana, "T-LAMP")
    shop = await web.client_for("merchant")
    page = await shop.http.get(f"/app/claims/{reference}", headers={"Accept-Language": "fr"})
    assert "49,90" in page.text  # the limit, as the French page writes it
    proposed = await shop.post_form(
        f"/app/claims/{reference}/propose", {"kind": "refund", "amount": "20,00"}
    )
    assert proposed.status_code == 303, proposed.status_code
    assert (await web.api.row(reference))["proposal"] == {"kind": "refund", "amount": "20.00"}


# ---- a page saying what nobody did ----


async def test_a_link_cannot_make_the_console_say_a_merchant_was_terminated(web: Web) -> None:
    """`?done=terminate&id=…` is the redirect's flash, but any link can carry it: an operator
    following one reads that a merchant (any words) was terminated when nothing happened."""
    olga = await web.client_for("operator")
    page = await olga.http.get(
        "/app/console/merchants", params={"done": "terminate", "id": "EVERY MERCHANT"}
    )
    assert page.status_code == 200
    assert "Merchant EVERY MERCHANT is terminated." not in page.text
