"""The log lines of a claim driven over HTTP: one per request and per move, no personal data."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest

from claimdesk.adapters.logs import JsonFormatter
from tests.support.api import Api, claim_body

ANA = "ana@example.com"
PHONE = "+33 6 12 34 56 78"
# Words of the parties: the customer's description and messages, the merchant's answer.
WORDS = ("Lamp never came, carrier lost it", "Tracking says Lyon depot", "Sorry, refunding")
# The test's own SMTP server (aiosmtpd, standing in for the relay) logs every recipient at
# INFO; claimdesk's dev sink keeps that logger at WARNING (tests/stack/test_mailsink.py).
TEST_SMTP_SERVER = "mail.log"


def _lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    """Every record at INFO and above, as the JSON lines CLAIMDESK_LOG_FORMAT=json writes."""
    formatter = JsonFormatter()
    return [
        json.loads(formatter.format(record))
        for record in caplog.records
        if record.levelno >= logging.INFO and record.name != TEST_SMTP_SERVER
    ]


def _assert_no_personal_data(lines: list[dict[str, Any]]) -> None:
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    for personal in (ANA, "Ana Lima", PHONE, "shop@example.com", "@", *WORDS):
        assert personal not in text, personal


async def _mail_sent(caplog: pytest.LogCaptureFixture, template: str, recipient: str) -> None:
    for _ in range(400):
        if any(
            (line.get("template"), line.get("recipient")) == (template, recipient)
            for line in _lines(caplog)
        ):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"no line for the {template} e-mail to the {recipient}")


async def test_a_claims_lifecycle_logs_each_request_and_move_and_no_personal_data(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    ana, m1, _ = await api.parties()
    caplog.set_level(logging.INFO)
    contact = {"name": "Ana Lima", "email": ANA, "phone": PHONE}
    body = claim_body(description=WORDS[0], contact=contact)
    opened = await api.http.post("/claims", json=body, headers=ana)
    assert opened.status_code == 201, opened.text
    reference = opened.json()["reference"]
    base = f"/claims/{reference}"
    steps = [
        ("/messages", ana, {"body": WORDS[1]}),
        (
            "/merchant-response",
            m1,
            {"action": "propose", "message": WORDS[2], "proposal": {"kind": "reshipment"}},
        ),
        ("/proposal/accept", ana, {}),
        ("/satisfaction", ana, {"satisfied": True}),
    ]
    for path, headers, payload in steps:
        answer = await api.http.post(
            base + path, json=payload, headers={**headers, "X-Request-ID": f"req-{path[1:]}"}
        )
        assert answer.status_code == 200, (path, answer.text)
    await _mail_sent(caplog, "closed", "customer")

    lines = _lines(caplog)
    access = [line for line in lines if line["logger"] == "claimdesk.access"]
    assert [(a["method"], a["route"], a["status"]) for a in access[1:]] == [
        ("POST", "/claims/{reference}/messages", 200),
        ("POST", "/claims/{reference}/merchant-response", 200),
        ("POST", "/claims/{reference}/proposal/accept", 200),
        ("POST", "/claims/{reference}/satisfaction", 200),
    ]
    assert access[0]["route"] == "/claims" and access[0]["status"] == 201
    assert all(a["claim"] == reference for a in access[1:])
    assert all(isinstance(a["duration_ms"], float) for a in access)
    assert access[1]["request_id"] == "req-messages"
    assert f"claim={reference}" in access[1]["message"] and " ms " in access[1]["message"]

    moves = [(line["event"], line["claim"]) for line in lines if "event" in line]
    assert moves == [("opened", reference), ("closed", reference)]
    closed = next(line for line in lines if line.get("event") == "closed")
    assert closed["closed_reason"] == "by_customer"
    sent = [(line["template"], line["recipient"]) for line in lines if "template" in line]
    assert len(sent) == len(set(sent))  # once each
    assert {
        ("acknowledgement", "customer"),
        ("new_claim_merchant", "merchant"),
        ("new_claim_operators", "operators"),
        ("message", "merchant"),
        ("proposal", "customer"),
        ("proposal_answered", "merchant"),
        ("resolved", "customer"),
        ("closed", "customer"),
    } <= set(sent)
    assert all(line["claim"] == reference for line in lines if "template" in line)
    _assert_no_personal_data(lines)


async def test_an_undeliverable_e_mail_is_logged_without_its_address(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    ana, _, operator = await api.parties()
    api.mailbox.reject_for_good(ANA)
    caplog.set_level(logging.INFO)
    opened = await api.http.post("/claims", json=claim_body(), headers=ana)
    assert opened.status_code == 201, opened.text
    reference = opened.json()["reference"]

    async def undeliverable() -> dict[str, Any] | None:
        claim = await api.http.get(f"/claims/{reference}", headers=operator)
        events = claim.json()["timeline"]
        return next((e for e in events if e["kind"] == "mail_undeliverable"), None)

    for _ in range(200):
        event = await undeliverable()
        if event is not None:
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("no mail_undeliverable on the timeline")
    assert ANA not in json.dumps(event)
    lines = _lines(caplog)
    errors = [line for line in lines if line["level"] == "ERROR"]
    assert any("customer's address refused: 550" in line["message"] for line in errors)
    _assert_no_personal_data(lines)


async def test_a_claim_climbing_the_ladder_logs_each_level_and_the_breach_once(
    fast_api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    api = fast_api
    ana, _, _ = await api.parties()
    caplog.set_level(logging.INFO)
    opened = await api.http.post("/claims", json=claim_body(), headers=ana)
    assert opened.status_code == 201, opened.text
    reference = opened.json()["reference"]
    await _mail_sent(caplog, "sla_breached", "operators")

    moves = [
        (line["event"], line.get("escalation_level"))
        for line in _lines(caplog)
        if "event" in line and line["claim"] == reference
    ]
    assert moves == [
        ("opened", None),
        ("escalated", "2"),
        ("escalated", "3"),
        ("sla_breached", None),
    ]
    _assert_no_personal_data(_lines(caplog))
