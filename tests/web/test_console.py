"""The operator console over HTTP: who may open it, its queues, its forms and their errors."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from api.web.console_words import WORDS
from api.web.identity import CSRF_FIELD
from api.web.messages import MESSAGES
from claimdesk.core.domain import EventKind, Locale
from tests.support.console import file_claim, timeline_kinds
from tests.support.web import Person, Web, csrf_in

QUEUES = ["new", "breached", "level3", "due_soon", "merchant", "awaiting_customer"]


def _pages(reference: str) -> list[tuple[str, str]]:
    """Every console address: (method, path)."""
    claim = f"/app/console/claims/{reference}"
    return [
        ("GET", "/app/console"),
        *[("GET", f"/app/console/queues/{name}") for name in QUEUES],
        ("GET", "/app/console/queues/merchant?merchant_id=M1"),
        ("GET", claim),
        ("GET", "/app/console/merchants"),
        *[
            ("POST", f"{claim}/actions/{name}")
            for name in (
                "decision",
                "request_info",
                "message",
                "internal_note",
                "findings",
                "close",
            )
        ],
        *[
            ("POST", f"/app/console/merchants/M1/{change}")
            for change in ("restrict", "terminate", "reinstate")
        ],
    ]


async def _form_key(person: Person, reference: str, action: str) -> str:
    page = await person.http.get(f"/app/console/claims/{reference}")
    assert page.status_code == 200, page.text
    form = page.text.split(f'id="form-{action}"', 1)[1]
    found = re.search(r'name="form_key" value="(\w+)"', form)
    assert found is not None
    return found.group(1)


def test_the_console_words_are_their_own_and_in_both_languages() -> None:
    assert set(WORDS[Locale.EN]) == set(WORDS[Locale.FR])
    assert {f"event_{kind}" for kind in EventKind} <= set(WORDS[Locale.EN])
    # Merged into the catalogue without replacing any of its own words.
    assert all(
        MESSAGES[locale][key] == text for locale in Locale for key, text in WORDS[locale].items()
    )


async def test_only_operators_reach_console_pages_others_get_404(web: Web) -> None:
    reference = await file_claim(web)
    operator = await web.client_for("operator")
    customer = await web.client_for("customer")
    merchant = await web.client_for("merchant")
    before = await timeline_kinds(web, reference)
    for method, path in _pages(reference):
        for person in (customer, merchant):
            if method == "GET":
                answer = await person.http.get(path)
            else:
                answer = await person.post_form(path, {"note": "x", "body": "x", "question": "x"})
            assert answer.status_code == 404, (person.email, method, path)
            assert "Page not found" in answer.text
        if method == "GET":
            answer = await operator.http.get(path)
            assert answer.status_code in (200, 303), path
            anonymous = await (await web.anonymous()).get(path)
            assert anonymous.status_code == 303
            assert anonymous.headers["location"].startswith("/app/sign-in?next=")
    # Nothing the refused posts asked for happened; the merchant keeps its standing.
    assert await timeline_kinds(web, reference) == before
    merchants = await operator.http.get("/app/console/merchants")
    assert 'standing-active">active' in merchants.text


async def test_queues_list_the_claims_they_hold(web: Web) -> None:
    payment = await file_claim(web, merchant_id="M7")
    operator = await web.client_for("operator")
    new = await operator.http.get("/app/console/queues/new")
    assert payment in new.text
    by_merchant = await operator.http.get("/app/console/queues/merchant?merchant_id=M7")
    assert payment in by_merchant.text
    other = await operator.http.get("/app/console/queues/merchant?merchant_id=NOPE")
    assert payment not in other.text and "No claim in this queue." in other.text
    # Its next deadline (level 2, a day after opening) falls within the next 24 hours.
    due_soon = await operator.http.get("/app/console/queues/due_soon")
    assert payment in due_soon.text
    # Nothing is breached, waits on the customer, or is at level 3 yet.
    for name in ("breached", "level3", "awaiting_customer"):
        answer = await operator.http.get(f"/app/console/queues/{name}")
        assert answer.status_code == 200 and payment not in answer.text, name
    # Asked for information, the claim waits on the customer, and is no longer new.
    asked = await operator.post_form(
        f"/app/console/claims/{payment}/actions/request_info", {"question": "Your receipt?"}
    )
    assert asked.status_code == 303, asked.text
    waiting = await operator.http.get("/app/console/queues/awaiting_customer")
    assert payment in waiting.text
    assert payment not in (await operator.http.get("/app/console/queues/new")).text
    for path in ("/app/console/queues/everything", "/app/console/claims/CLM-NONE-NONE"):
        unknown = await operator.http.get(path)
        assert unknown.status_code == 404 and "Page not found" in unknown.text, path
    unknown = await operator.post_form(
        "/app/console/claims/CLM-NONE-NONE/actions/message", {"body": "hello"}
    )
    assert unknown.status_code == 404 and "Page not found" in unknown.text


async def test_the_claim_page_shows_the_operator_timeline_and_the_allowed_actions(
    web: Web,
) -> None:
    reference = await file_claim(web)
    operator = await web.client_for("operator")
    key = await _form_key(operator, reference, "internal_note")
    noted = await operator.post_form(
        f"/app/console/claims/{reference}/actions/internal_note",
        {"note": "Card issuer contacted.", "form_key": key},
    )
    assert noted.status_code == 303
    location = noted.headers["location"]  # the notice signed for this session (identity.py)
    assert location.startswith(f"/app/console/claims/{reference}?done=internal_note&sig=")
    assert location.endswith("#done")
    page = await operator.http.get(noted.headers["location"])
    assert "The note is added." in page.text
    assert "Card issuer contacted." in page.text  # the internal note, seen by operators
    assert (
        f"http://localhost:8233/namespaces/{web.settings.temporal_namespace}/workflows/{reference}"
        in page.text
    )
    for offered in ("decision", "request_info", "message", "internal_note"):
        assert f'id="form-{offered}"' in page.text
    # Refused now by the claim's rules, so not offered: no outcome to close on, no findings owed.
    assert 'id="form-close"' not in page.text and 'id="form-findings"' not in page.text
    # The same form sent twice (a double click) acts once.
    again = await operator.post_form(
        f"/app/console/claims/{reference}/actions/internal_note",
        {"note": "Card issuer contacted.", "form_key": key},
    )
    assert again.status_code == 303
    assert (await timeline_kinds(web, reference)).count("internal_note") == 1


@pytest.mark.parametrize(
    ("fields", "status", "shown"),
    [
        ({"outcome": "refund", "note": "ok"}, 422, "needs an amount"),
        ({"outcome": "refund", "amount": "500.00", "note": "ok"}, 422, "49.90"),
        ({"outcome": "refund", "amount": "4.999", "note": "ok"}, 422, "Check this field"),
        ({"outcome": "rejected", "amount": "", "note": ""}, 422, "This field is needed."),
        ({"outcome": "teleport", "note": "ok"}, 422, "Check this field"),
    ],
)
async def test_a_wrong_decision_comes_back_as_a_form_error_and_changes_nothing(
    web: Web, fields: dict[str, str], status: int, shown: str
) -> None:
    reference = await file_claim(web)
    operator = await web.client_for("operator")
    before = await timeline_kinds(web, reference)
    answer = await operator.post_form(f"/app/console/claims/{reference}/actions/decision", fields)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    assert 'class="error-summary"' in answer.text and shown in answer.text
    assert await timeline_kinds(web, reference) == before


async def test_a_refusal_of_the_claim_is_a_409_page_with_its_reason(web: Web) -> None:
    reference = await file_claim(web)
    operator = await web.client_for("operator")
    decided = await operator.post_form(
        f"/app/console/claims/{reference}/actions/decision",
        {"outcome": "refund", "amount": "49,90", "note": "Unauthorised: refunded."},
    )
    assert decided.status_code == 303, decided.text
    # The claim awaits the customer's answer now: closing needs their agreement (409).
    before = await timeline_kinds(web, reference)
    closing = await operator.post_form(f"/app/console/claims/{reference}/actions/close", {})
    assert closing.status_code == 409
    assert "in agreement with the customer" in closing.text
    assert "The claim refused this action" in closing.text
    asking = await operator.post_form(
        f"/app/console/claims/{reference}/actions/request_info", {"question": "Receipt?"}
    )
    assert asking.status_code == 409 and "awaits the customer" in asking.text
    assert await timeline_kinds(web, reference) == before


async def test_a_forged_console_form_is_refused_and_changes_nothing(web: Web) -> None:
    reference = await file_claim(web)
    operator = await web.client_for("operator")
    before = await timeline_kinds(web, reference)
    path = f"/app/console/claims/{reference}/actions/decision"
    fields = {"outcome": "refund", "amount": "49.90", "note": "forged"}
    for token in ({}, {CSRF_FIELD: "not-the-token"}):
        answer = await operator.http.post(path, data={**fields, **token})
        assert answer.status_code == 403
    restrict = await operator.http.post("/app/console/merchants/M1/restrict", data={})
    assert restrict.status_code == 403
    assert await timeline_kinds(web, reference) == before
    merchants = await operator.http.get("/app/console/merchants")
    assert 'standing-active">active' in merchants.text


async def test_restrict_terminate_and_reinstate_a_merchant(web: Web) -> None:
    await file_claim(web, merchant_id="M9")
    operator = await web.client_for("operator")
    page = await operator.http.get("/app/console/merchants")
    assert 'id="merchant-M9"' in page.text and "not rated" in page.text
    for change, shown in (
        ("restrict", "restricted"),
        ("terminate", "terminated"),
        ("reinstate", "active"),
    ):
        answer = await operator.post_form(f"/app/console/merchants/M9/{change}", {})
        assert answer.status_code == 303
        page = await operator.http.get(answer.headers["location"])
        row = page.text.split('id="merchant-M9"', 1)[1].split("</tr>", 1)[0]
        assert f'standing-{shown}">' in row, change
        async with web.engine.connect() as conn:
            status = (
                await conn.execute(text("SELECT status FROM merchants WHERE id = 'M9'"))
            ).scalar_one()
        assert status == shown
    unknown = await operator.post_form("/app/console/merchants/NOBODY/restrict", {})
    assert unknown.status_code == 404


async def test_the_console_speaks_french(web: Web) -> None:
    reference = await file_claim(web)
    operator = await web.client_for("operator")
    chosen = await operator.post_form("/app/language", {"locale": "fr", "next": "/app/console"})
    assert chosen.status_code == 303
    page = await operator.http.get(f"/app/console/claims/{reference}")
    assert "Historique" in page.text and "Décider" in page.text
    answer = await operator.post_form(
        f"/app/console/claims/{reference}/actions/decision",
        {"outcome": "refund", "note": "ok", CSRF_FIELD: csrf_in(page.text)},
    )
    assert answer.status_code == 422 and "Il y a un problème" in answer.text
