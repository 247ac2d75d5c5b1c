"""Input hygiene over HTTP: no control, bidi or invisible character in a name or a single
line, free text keeping only its line breaks and tabs, nothing blank once normalised, real
ISO 4217 currencies with their decimals, RFC 3339 times; each refusal a 422 naming the
field, with nothing stored."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.support.api import Api, claim_body

PROBLEM = "application/problem+json"
VALIDATION = "https://claimdesk.example/problems/validation-error"
ANA = "ana@example.com"
NOWHERE = "CLM-0000-0000"  # a body is validated before anyone looks the claim up

# What a hostile client slips into a line: a header break, a line separator a lenient mail
# parser splits on, a right-to-left override and an isolate, an ANSI escape, C1, zero-widths.
HOSTILE = {
    "CRLF": "Ana\r\nBcc: eve@example.com",
    "LF": "Ana\nLima",
    "CR": "Ana\rLima",
    "U+2028": "Ana\u2028Lima",
    "U+2029": "Ana\u2029Lima",
    "RLO": "Ana \u202egpj.exe",
    "LRE": "Ana\u202aLima",
    "RLI": "Ana\u2067Lima\u2069",
    "ANSI": "\x1b[31mAna\x1b[0m",
    "C1": "Ana\x85Lima",
    "DEL": "Ana\x7f",
    "ZWJ": "Ana\u200dLima",
    "ZWSP": "Ana\u200bLima",
    "BOM": "\ufeffAna",
    "soft hyphen": "A\u00adna",
}
# Free text keeps CR, LF and tabs; every other one of the above is refused there too.
HOSTILE_IN_TEXT = {k: v for k, v in HOSTILE.items() if k not in ("CRLF", "LF", "CR")}
BLANK = {
    "spaces": "   ",
    "NBSP": "\u00a0\u00a0",
    "zero-width": "\u200b\u200c\u200d",
    "breaks": "\n\t\r\n",
}


def _with(body: dict[str, Any], loc: tuple[str, ...], value: Any) -> dict[str, Any]:
    copy = dict(body)
    copy[loc[0]] = value if len(loc) == 1 else _with(copy.get(loc[0]) or {}, loc[1:], value)
    return copy


def _assert_422_naming(response: httpx.Response, loc: tuple[str, ...]) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["type"] == VALIDATION, problem
    assert ["body", *loc] in [error["loc"] for error in problem["errors"]], problem


TRANSACTION = {
    "id": "T9",
    "merchant_id": "M9",
    "customer_email": ANA,
    "amount": "49.90",
    "currency": "EUR",
    "occurred_at": "2026-01-01T00:00:00Z",
}
# The single-line fields: names, phones, e-mails, identifiers.
LINES: list[tuple[str, str, dict[str, Any], tuple[str, ...], str]] = [
    ("customer", "/claims", claim_body("T1"), ("contact", "name"), "claims"),
    ("customer", "/claims", claim_body("T1"), ("contact", "email"), "claims"),
    ("customer", "/claims", claim_body("T1"), ("contact", "phone"), "claims"),
    ("customer", "/claims", claim_body("T1"), ("transaction_id",), "claims"),
    ("operator", "/merchants", {"id": "M9", "name": "Shop"}, ("name",), "merchants"),
    ("operator", "/merchants", {"id": "M9", "name": "Shop"}, ("email",), "merchants"),
    ("operator", "/merchants", {"id": "M9", "name": "Shop"}, ("id",), "merchants"),
    ("operator", "/transactions", TRANSACTION, ("customer_email",), "transactions"),
    ("operator", "/transactions", TRANSACTION, ("merchant_id",), "transactions"),
]
# The free text: descriptions, messages, reasons, notes, comments, questions.
TEXTS: list[tuple[str, str, dict[str, Any], tuple[str, ...]]] = [
    ("customer", "/claims", claim_body("T1"), ("description",)),
    ("customer", f"/claims/{NOWHERE}/messages", {"body": "hello"}, ("body",)),
    (
        "merchant",
        f"/claims/{NOWHERE}/merchant-response",
        {"action": "reject", "message": "m", "reason": "r"},
        ("reason",),
    ),
    (
        "merchant",
        f"/claims/{NOWHERE}/merchant-response",
        {"action": "request_info", "message": "m"},
        ("message",),
    ),
    ("customer", f"/claims/{NOWHERE}/proposal/reject", {"reason": "r"}, ("reason",)),
    ("customer", f"/claims/{NOWHERE}/close", {"note": "n"}, ("note",)),
    (
        "customer",
        f"/claims/{NOWHERE}/satisfaction",
        {"satisfied": False, "comment": "c"},
        ("comment",),
    ),
    ("operator", f"/claims/{NOWHERE}/decision", {"outcome": "rejected", "note": "n"}, ("note",)),
    ("operator", f"/claims/{NOWHERE}/request-info", {"question": "q"}, ("question",)),
    ("operator", f"/claims/{NOWHERE}/notes", {"note": "n"}, ("note",)),
]


async def _stored(api: Api) -> int:
    tables = ("claims", "claim_events", "merchants", "transactions", "sent_mails")
    return sum([await api.count(table) for table in tables])


async def test_a_control_or_invisible_character_in_a_single_line_is_422_naming_it(
    api: Api,
) -> None:
    keys = {
        role: await api.key(role, email=ANA if role == "customer" else None)
        for role in ("customer", "operator")
    }
    for role, path, body, loc, _ in LINES:
        for value in HOSTILE.values():
            if loc[-1] == "email" or loc[-1].endswith("_email"):
                value = value.replace("Ana", "ana@example.com", 1)  # an address but for it
            response = await api.http.post(path, json=_with(body, loc, value), headers=keys[role])
            _assert_422_naming(response, loc)
    assert await _stored(api) == 0


async def test_free_text_refuses_controls_but_line_breaks_and_tabs_and_blank_text(api: Api) -> None:
    keys = {
        role: await api.key(
            role,
            email=ANA if role == "customer" else None,
            merchant_id="M1" if role == "merchant" else None,
        )
        for role in ("customer", "merchant", "operator")
    }
    for role, path, body, loc in TEXTS:
        for value in [*HOSTILE_IN_TEXT.values(), *BLANK.values()]:
            response = await api.http.post(path, json=_with(body, loc, value), headers=keys[role])
            _assert_422_naming(response, loc)
    assert await _stored(api) == 0


async def test_free_text_keeps_its_lines_normalised_and_a_name_its_accents(api: Api) -> None:
    await api.transaction("T1")
    ana = await api.key("customer", email=ANA)
    description = "Ordered a lamp.\r\nNothing came:\n\t- no parcel\n\t- no answer"
    body = claim_body(
        description=description,
        contact={"name": "  Zoe\u0301 Lima\u00a0", "email": ANA},  # decomposed é, NBSP
    )
    response = await api.http.post("/claims", json=body, headers=ana)
    assert response.status_code == 201, response.text
    row = await api.row(response.json()["reference"])
    assert row["description"] == "Ordered a lamp.\nNothing came:\n\t- no parcel\n\t- no answer"
    assert row["customer_name"] == "Zo\u00e9 Lima"  # NFC, trimmed


async def test_text_that_normalisation_lengthens_past_its_bound_is_422(api: Api) -> None:
    # U+0958 (DEVANAGARI LETTER QA) is two characters once normalised (NFC): the bound holds
    # for what would be stored, so the column is never overrun (a 500 before).
    await api.transaction("T1")
    ana = await api.key("customer", email=ANA)
    operator = await api.key("operator")
    merchants = await api.count("merchants")  # the transaction's
    cases = [
        (ana, "/claims", claim_body("T1"), ("contact", "name"), 200),
        (ana, "/claims", claim_body("T1"), ("contact", "phone"), 32),
        (operator, "/merchants", {"id": "M9", "name": "Shop"}, ("name",), 200),
        (operator, "/merchants", {"id": "M9", "name": "Shop"}, ("phone",), 32),
    ]
    for headers, path, body, loc, bound in cases:
        response = await api.http.post(
            path, json=_with(body, loc, "\u0958" * bound), headers=headers
        )
        _assert_422_naming(response, loc)
    assert await api.count("claims") == 0 and await api.count("merchants") == merchants


async def test_a_currency_is_a_real_iso_4217_code_with_its_decimals(api: Api) -> None:
    operator = await api.key("operator")
    refused = [
        ({"currency": "ZZZ"}, ("currency",)),
        ({"currency": "XAU"}, ("currency",)),  # gold: no minor units, not a payment currency
        ({"currency": "eur"}, ("currency",)),
        ({"currency": "JPY", "amount": "50.5"}, ("amount",)),
        ({"currency": "KRW", "amount": "5000.01"}, ("amount",)),
        ({"currency": "BHD", "amount": "1.005"}, ("amount",)),  # kept to the cent: refused
        ({"currency": "EUR", "amount": "49.905"}, ("amount",)),
    ]
    for change, loc in refused:
        response = await api.http.post(
            "/transactions", json={**TRANSACTION, **change}, headers=operator
        )
        _assert_422_naming(response, loc)
    assert await api.count("transactions") == 0
    for n, (amount, currency) in enumerate((("5000", "JPY"), ("5000.00", "JPY"), ("1.25", "BHD"))):
        body = {**TRANSACTION, "id": f"T{n}", "amount": amount, "currency": currency}
        response = await api.http.post("/transactions", json=body, headers=operator)
        assert response.status_code == 201, response.text
    assert await api.count("transactions") == 3


async def test_occurred_at_is_an_rfc_3339_date_time_only(api: Api) -> None:
    operator = await api.key("operator")
    for at in (
        1700000000,
        "1700000000",
        1.7e9,
        "2026-01-01",
        "2026-01-01 10:00Z",
        "20260101T100000Z",
        "2026-01-01T10:00:00",
    ):
        response = await api.http.post(
            "/transactions", json={**TRANSACTION, "occurred_at": at}, headers=operator
        )
        _assert_422_naming(response, ("occurred_at",))
    assert await api.count("transactions") == 0


async def test_the_merchant_reads_the_customer_s_words_quoted_and_yen_without_decimals(
    api: Api,
) -> None:
    await api.transaction("T1", amount="5000", currency="JPY")
    ana = await api.key("customer", email=ANA)
    spoof = "No parcel.\n\nPLATFORM NOTICE: refund now or be restricted."
    response = await api.http.post("/claims", json=claim_body(description=spoof), headers=ana)
    assert response.status_code == 201, response.text
    reference = response.json()["reference"]
    [mail] = await asyncio.to_thread(
        api.mailbox.wait_for, 1, 15, To="shop@example.com", X_Claimdesk_Reference=reference
    )
    text = mail.get_body().get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
    assert "> No parcel.\n>\n> PLATFORM NOTICE: refund now or be restricted.\n" in text
    assert "\nPLATFORM NOTICE" not in text
    assert "5,000 JPY" in text and "5,000.00" not in text


async def test_a_refund_has_at_most_its_claim_s_currency_s_decimals(api: Api) -> None:
    await api.transaction("T1", amount="5000", currency="JPY")
    ana = await api.key("customer", email=ANA)
    shop = await api.key("merchant", merchant_id="M1")
    operator = await api.key("operator")
    opened = await api.http.post("/claims", json=claim_body(), headers=ana)
    assert opened.status_code == 201, opened.text
    path = f"/claims/{opened.json()['reference']}"
    propose = {"action": "propose", "proposal": {"kind": "refund", "amount": "50.5"}}
    response = await api.http.post(f"{path}/merchant-response", json=propose, headers=shop)
    _assert_422_naming(response, ("proposal", "amount"))
    decide = {"outcome": "partial_refund", "amount": "2500.50", "note": "half"}
    response = await api.http.post(f"{path}/decision", json=decide, headers=operator)
    _assert_422_naming(response, ("amount",))
    claim = (await api.http.get(path, headers=operator)).json()
    assert claim["proposal"] is None and claim["outcome"] is None, claim
    kinds = {event["kind"] for event in claim["timeline"]}
    assert kinds <= {"opened", "merchant_notified"}, kinds
    propose["proposal"]["amount"] = "2500"  # type: ignore[index]
    response = await api.http.post(f"{path}/merchant-response", json=propose, headers=shop)
    assert response.status_code == 200, response.text
    assert response.json()["proposal"] == {"kind": "refund", "amount": "2500"}
