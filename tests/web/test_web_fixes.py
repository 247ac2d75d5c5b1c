"""The review's fixes, beyond its own tests (tests/web/test_review_web.py): a 429 page in the
person's language for every limited form, the console's notices only from its redirects,
a role taken away ends the session, a new password ends the browser's session of before,
the report never sniffed, a form's altered key a form error."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.testing import WorkflowEnvironment

from api.web.identity import CSRF_FIELD, SESSION_COOKIE
from claimdesk.store import web_accounts
from claimdesk.store.db import unit_of_work
from tests.support.api import api_settings
from tests.support.mailbox import Mailbox
from tests.support.parties import customer_with_purchase, file_through_page
from tests.support.web import Web, csrf_in, link_in, serve_web


async def _events(web: Web, reference: str, kind: str) -> int:
    async with web.engine.connect() as conn:
        found = await conn.execute(
            text("SELECT count(*) FROM claim_events WHERE reference = :r AND kind = :k"),
            {"r": reference, "k": kind},
        )
        return int(found.scalar_one())


async def test_limited_forms_answer_a_429_page_in_the_person_s_language(
    temporal_env: WorkflowEnvironment, database_url: str, engine: AsyncEngine, mailbox: Mailbox
) -> None:
    settings = api_settings(temporal_env, database_url, mailbox).model_copy(
        update={"rate_messages": "1/minute", "rate_actions": "2/minute"}
    )
    async with serve_web(temporal_env, engine, mailbox, settings) as web:
        ana = await customer_with_purchase(web, "T-LAMP")
        reference = await file_through_page(ana, "T-LAMP")
        await ana.post_form("/app/language", {"locale": "fr", "next": "/app/"})
        path = f"/app/claims/{reference}/message"
        assert (await ana.post_form(path, {"body": "Des nouvelles ?"})).status_code == 303
        refused = await ana.post_form(path, {"body": "Toujours rien ?"})
        assert refused.status_code == 429
        assert refused.headers["content-type"].startswith("text/html")
        assert refused.headers["content-language"] == "fr"
        assert int(refused.headers["retry-after"]) > 0
        assert "Trop de demandes" in refused.text
        assert await _events(web, reference, "message") == 1
        # The operator's console counts against the action limit too (per key and address:
        # the customer's message spent one of this address's two actions).
        olga = await web.client_for("operator")
        note = f"/app/console/claims/{reference}/actions/internal_note"
        assert (await olga.post_form(note, {"note": "checked"})).status_code == 303
        again = await olga.post_form(note, {"note": "checked again"})
        assert again.status_code == 429 and "Too many requests" in again.text
        assert await _events(web, reference, "internal_note") == 1


async def test_the_console_says_an_action_was_done_only_after_its_own_redirect(web: Web) -> None:
    ana = await customer_with_purchase(web, "T-LAMP")
    reference = await file_through_page(ana, "T-LAMP")
    olga = await web.client_for("operator")
    forged = await olga.http.get(
        f"/app/console/claims/{reference}", params={"done": "internal_note", "sig": "0" * 32}
    )
    assert forged.status_code == 200 and "The note is added." not in forged.text
    done = await olga.post_form(
        f"/app/console/claims/{reference}/actions/internal_note", {"note": "checked"}
    )
    assert done.status_code == 303
    page = await olga.http.get(done.headers["location"])
    assert "The note is added." in page.text
    # Another operator following the same link reads nothing done.
    other = await web.client_for("operator", email="otto@claimdesk.example")
    assert "The note is added." not in (await other.http.get(done.headers["location"])).text


async def test_an_operator_whose_flag_is_removed_is_sent_to_sign_in(web: Web) -> None:
    olga = await web.client_for("operator")
    assert (await olga.http.get("/app/console/merchants")).status_code == 200
    async with unit_of_work(web.engine) as session:
        await web_accounts.set_operator(session=session, email=olga.email, operator=False)
    answer = await olga.http.get("/app/console/merchants")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/app/sign-in")
    assert await web.api.count("web_sessions") == 0


async def test_setting_a_password_ends_the_browser_s_session_of_before(web: Web) -> None:
    """Signed in as one person, a browser sets another's password from a link: the first
    person's session ends there, as a sign-in in that browser ends it."""
    ana = await web.client_for("customer")
    old_cookie = ana.http.cookies[SESSION_COOKIE]
    shop = await web.records_for("merchant")
    asked = await ana.post_form("/app/first-visit", {"email": shop})
    assert asked.status_code in (200, 303), asked.status_code
    link = link_in(web.mailbox, shop)
    page = await ana.http.get(link)
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert token is not None
    form = {CSRF_FIELD: csrf_in(page.text), "token": token.group(1)}
    password = {"password": "a long new passphrase", "confirm": "a long new passphrase"}
    done = await ana.http.post("/app/set-password", data={**form, **password})
    assert done.status_code == 303
    async with httpx.AsyncClient(base_url=web.url, cookies={SESSION_COOKIE: old_cookie}) as old:
        assert (await old.get("/app/")).status_code == 303
    assert await web.api.count("web_sessions") == 1


async def test_the_report_download_is_never_sniffed_or_run(web: Web) -> None:
    ana = await customer_with_purchase(web, "T-LAMP")
    reference = await file_through_page(ana, "T-LAMP")
    report = await ana.http.get(f"/app/claims/{reference}/report")
    assert report.status_code == 200
    assert report.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'self'" in report.headers["content-security-policy"]
    assert report.headers["cache-control"] == "no-store"


async def test_an_altered_form_key_is_a_form_error_and_changes_nothing(web: Web) -> None:
    ana = await customer_with_purchase(web, "T-LAMP")
    reference = await file_through_page(ana, "T-LAMP")
    answer = await ana.post_form(
        f"/app/claims/{reference}/message", {"body": "Any news?", "idempotency_key": "k" * 201}
    )
    assert answer.status_code == 422
    assert "This form was altered" in answer.text
    assert await _events(web, reference, "message") == 0
    olga = await web.client_for("operator")
    console = await olga.post_form(
        f"/app/console/claims/{reference}/actions/internal_note",
        {"note": "checked", "form_key": "a\x00b"},
    )
    assert console.status_code == 422 and "This form was altered" in console.text
    assert await _events(web, reference, "internal_note") == 0
