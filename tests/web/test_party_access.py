"""Who reaches which customer and merchant page: the API's answers, as pages.

Another party's claim or purchase is 404 (as GET /claims/{reference}); a page or action of
another role is 403 (as the API's role check); anonymous visitors are sent to sign in. A
refused request changes nothing.
"""

from __future__ import annotations

import httpx

from api.web.identity import CSRF_FIELD
from tests.support.parties import customer_with_purchase, file_through_page, filing_form
from tests.support.web import Person, Web


async def _people(web: Web) -> tuple[str, dict[str, Person]]:
    ana = await customer_with_purchase(web, "T-LAMP")
    reference = await file_through_page(ana, "T-LAMP")
    people = {
        "ana": ana,
        "bob": await web.client_for("customer", email="bob@example.com"),
        "shop": await web.client_for("merchant"),
        "other_shop": await web.client_for(
            "merchant", email="other@shop.example", merchant_id="M2"
        ),
        "operator": await web.client_for("operator"),
    }
    return reference, people


def _pages(reference: str) -> dict[str, dict[str, int]]:
    """GET pages: who gets which status."""
    claim = {"ana": 200, "bob": 404, "shop": 200, "other_shop": 404, "operator": 200}
    customers_only = {"ana": 200, "bob": 200, "shop": 403, "other_shop": 403, "operator": 403}
    return {
        "/app/transactions": customers_only,
        "/app/claims": customers_only,
        "/app/transactions/T-LAMP/claim": {**customers_only, "bob": 404},
        "/app/inbox": {"ana": 403, "bob": 403, "shop": 200, "other_shop": 200, "operator": 403},
        f"/app/claims/{reference}": claim,
        f"/app/claims/{reference.lower()}": claim,
        f"/app/claims/{reference}/report": claim,
        "/app/claims/CLM-0000-0000": {name: 404 for name in claim},
    }


async def test_each_page_answers_as_the_api_would(web: Web) -> None:
    reference, people = await _people(web)
    for path, expected in _pages(reference).items():
        for name, status in expected.items():
            answer = await people[name].http.get(path)
            assert answer.status_code == status, (path, name, answer.status_code)
            assert answer.headers["content-type"].startswith(
                "text/plain" if status == 200 and path.endswith("/report") else "text/html"
            )
    # Each list holds its reader's claims only.
    assert reference in (await people["ana"].http.get("/app/claims")).text
    assert reference not in (await people["bob"].http.get("/app/claims")).text
    assert "T-LAMP" not in (await people["bob"].http.get("/app/transactions")).text
    assert reference in (await people["shop"].http.get("/app/inbox")).text
    assert reference not in (await people["other_shop"].http.get("/app/inbox")).text


async def test_refused_actions_change_nothing(web: Web) -> None:
    reference, people = await _people(web)
    before = await web.api.row(reference)
    claim = f"/app/claims/{reference}"
    refused = [
        ("bob", f"{claim}/message", {"body": "Hello"}, 404),
        ("other_shop", f"{claim}/message", {"body": "Hello"}, 404),
        ("other_shop", f"{claim}/acknowledge", {}, 404),
        ("bob", f"{claim}/withdraw", {}, 404),
        ("ana", f"{claim}/propose", {"kind": "replacement"}, 403),
        ("ana", f"{claim}/acknowledge", {}, 403),
        ("shop", f"{claim}/withdraw", {}, 403),
        ("shop", f"{claim}/accept", {}, 403),
        ("operator", f"{claim}/satisfaction", {"satisfied": "yes"}, 403),
        ("ana", f"{claim}/no-such-form", {}, 404),
        ("bob", "/app/transactions/T-LAMP/claim", filing_form(), 404),
        ("shop", "/app/transactions/T-LAMP/claim", filing_form(), 403),
        ("operator", "/app/transactions/T-LAMP/claim", filing_form(), 403),
    ]
    for name, path, form, status in refused:
        answer = await people[name].post_form(path, form)
        assert answer.status_code == status, (name, path, answer.status_code, answer.text)
        assert answer.headers["content-type"].startswith("text/html")
    assert await web.api.row(reference) == before
    assert await web.api.count("claims") == 1


async def test_a_form_without_its_token_is_refused(web: Web) -> None:
    reference, people = await _people(web)
    before = await web.api.row(reference)
    ana = people["ana"]
    for token in ({}, {CSRF_FIELD: "forged"}, {CSRF_FIELD: people["bob"].csrf_token}):
        answer = await ana.http.post(
            f"/app/claims/{reference}/withdraw", data={"note": "not me", **token}
        )
        assert answer.status_code == 403 and "This form was refused" in answer.text
    assert await web.api.row(reference) == before


async def test_anonymous_visitors_are_sent_to_sign_in(web: Web) -> None:
    anonymous = await web.anonymous()
    for path in ("/app/transactions", "/app/claims", "/app/inbox", "/app/claims/CLM-0000-0000"):
        answer = await anonymous.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == "/app/sign-in?" + str(
            httpx.QueryParams({"next": path})
        )
