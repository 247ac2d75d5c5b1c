"""The access matrix: every endpoint x every caller x own / someone else's / unknown record.

The table is checked against the app's own OpenAPI, so a route added without its row fails
here. Keys are stored hashed, never logged, and stop working the moment they are revoked.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import count
from typing import Any

import pytest
from sqlalchemy import text
from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner

from api.auth import hash_secret
from claimdesk.run.cli import app as cli_app
from tests.support.api import Api, claim_body
from tests.support.mailbox import Mailbox

PROBLEM = "application/problem+json"
ANA, BOB = "ana@example.com", "bob@example.com"
ROLES = ("customer", "merchant", "operator", "none", "revoked")
TARGETS = ("own", "other", "unknown")

# Expected status per role: one for an endpoint without a target, else (own, other, unknown).
# Own is the customer's (ana) claim or transaction and the merchant's (M1) shop's; other is
# bob's, at M2. An operator owns nothing and sees everything: own and other are alike.
# Without a key, or with a revoked one, every endpoint but the public ones answers 401.
Expect = dict[str, tuple[int, ...]]


def _claim_row(customer: int, merchant: int, operator: int) -> Expect:
    """Someone else's claim and an unknown one are both 404 (references do not leak);
    past visibility, the wrong role is 403 and the right role meets the claim's state."""
    return {
        "customer": (customer, 404, 404),
        "merchant": (merchant, 404, 404),
        "operator": (operator, operator, 404),
    }


def _merchant_row(merchant: tuple[int, int, int]) -> Expect:
    """The cells are M1 (the merchant key's own), M2 and an unknown merchant: a customer
    meets none of them, an operator the two that exist."""
    return {"customer": (404, 404, 404), "merchant": merchant, "operator": (200, 200, 404)}


MATRIX: dict[tuple[str, str], Expect] = {
    ("POST", "/claims"): {
        "customer": (201, 404, 404),
        "merchant": (403,) * 3,
        "operator": (403,) * 3,
    },
    ("GET", "/claims"): {"customer": (200,), "merchant": (200,), "operator": (200,)},
    ("GET", "/claims/{reference}"): _claim_row(200, 200, 200),
    ("GET", "/claims/{reference}/report"): _claim_row(200, 200, 200),
    ("POST", "/claims/{reference}/messages"): _claim_row(200, 200, 200),
    ("POST", "/claims/{reference}/merchant-response"): _claim_row(403, 200, 403),
    # No proposal on the claim, no outcome to confirm or close on: the state refuses (409).
    ("POST", "/claims/{reference}/proposal/accept"): _claim_row(409, 403, 403),
    ("POST", "/claims/{reference}/proposal/reject"): _claim_row(409, 403, 403),
    ("POST", "/claims/{reference}/satisfaction"): _claim_row(409, 403, 403),
    ("POST", "/claims/{reference}/close"): _claim_row(200, 403, 409),
    ("POST", "/claims/{reference}/withdraw"): _claim_row(200, 403, 403),
    ("POST", "/claims/{reference}/decision"): _claim_row(403, 403, 200),
    ("POST", "/claims/{reference}/request-info"): _claim_row(403, 403, 200),
    ("POST", "/claims/{reference}/notes"): _claim_row(403, 403, 200),
    # Findings are owed from level 2: on a claim just opened the state refuses (409).
    ("POST", "/claims/{reference}/findings"): _claim_row(403, 403, 409),
    ("POST", "/transactions"): {"customer": (403,), "merchant": (403,), "operator": (201,)},
    ("GET", "/transactions"): {"customer": (200,), "merchant": (200,), "operator": (200,)},
    ("GET", "/transactions/{transaction_id}"): {
        "customer": (200, 404, 404),
        "merchant": (200, 404, 404),
        "operator": (200, 200, 404),
    },
    ("POST", "/merchants"): {"customer": (403,), "merchant": (403,), "operator": (201,)},
    # A customer sees no merchant; a merchant sees itself, and may not restrict itself (403).
    ("GET", "/merchants/{merchant_id}"): _merchant_row((200, 404, 404)),
    ("POST", "/merchants/{merchant_id}/restrict"): _merchant_row((403, 404, 404)),
    # The operator's cells terminate M1 and M2: the merchant's (M1's) key is then refused
    # (401) until the reinstate row's operator cells reinstate them both.
    ("POST", "/merchants/{merchant_id}/terminate"): _merchant_row((403, 404, 404)),
    ("POST", "/merchants/{merchant_id}/reinstate"): _merchant_row((401, 401, 401)),
    # The codec server decrypts any claim's personal data: operators only (by key here; by
    # the claim center's session in tests/web/test_codec_sessions.py).
    ("POST", "/codec/decode"): {"customer": (403,), "merchant": (403,), "operator": (200,)},
    ("POST", "/codec/encode"): {"customer": (403,), "merchant": (403,), "operator": (200,)},
}
PUBLIC = {("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/metrics")}

# Cells whose success ends or moves the claim: each gets a claim of its own, so the
# others all meet the same open claim.
FRESH = {
    ("POST", "/claims/{reference}/close", "customer"),
    ("POST", "/claims/{reference}/withdraw", "customer"),
    ("POST", "/claims/{reference}/decision", "operator"),
    ("POST", "/claims/{reference}/request-info", "operator"),
}

_serial = count(1)


def _body(method: str, path: str, world: World, target: str) -> dict[str, Any] | None:
    n = next(_serial)
    bodies: dict[tuple[str, str], dict[str, Any]] = {
        ("POST", "/claims/{reference}/messages"): {"body": "hello"},
        ("POST", "/claims/{reference}/merchant-response"): {"action": "acknowledge"},
        ("POST", "/claims/{reference}/satisfaction"): {"satisfied": True},
        ("POST", "/claims/{reference}/decision"): {"outcome": "rejected", "note": "no"},
        ("POST", "/claims/{reference}/request-info"): {"question": "which parcel?"},
        ("POST", "/claims/{reference}/notes"): {"note": "called the carrier"},
        ("POST", "/claims/{reference}/findings"): {"note": "lost at the depot"},
        ("POST", "/transactions"): {
            "id": f"TX-{n}",
            "merchant_id": "M1",
            "customer_email": ANA,
            "amount": "10.00",
            "currency": "EUR",
            "occurred_at": "2026-11-01T10:00:00Z",
        },
        ("POST", "/merchants"): {"id": f"MX-{n}", "name": "New shop"},
        ("POST", "/codec/decode"): {"payloads": []},
        ("POST", "/codec/encode"): {"payloads": []},
    }
    if (method, path) == ("POST", "/claims"):
        return claim_body(world.transactions[target])
    return bodies.get((method, path))


@dataclass
class World:
    """Two customers and two merchants with their records, a key per caller."""

    api: Api
    keys: dict[str, dict[str, str]]
    claims: dict[str, str]
    transactions: dict[str, str]
    merchants: dict[str, str]

    async def fresh_claim(self, target: str) -> str:
        """A new open delivery claim: ana's at M1 (own) or bob's at M2 (other)."""
        n = next(_serial)
        email, merchant = (ANA, "M1") if target == "own" else (BOB, "M2")
        await self.api.transaction(f"TF-{n}", customer_email=email, merchant_id=merchant)
        key = self.keys["customer"] if target == "own" else self.keys["bob"]
        response = await self.api.http.post(
            "/claims",
            json=claim_body(f"TF-{n}", contact={"name": "C", "email": email}),
            headers=key,
        )
        assert response.status_code == 201, response.text
        reference: str = response.json()["reference"]
        return reference


async def _world(api: Api) -> World:
    await api.transaction("T1", customer_email=ANA, merchant_id="M1")
    await api.transaction("T2", customer_email=BOB, merchant_id="M2")
    await api.transaction("T3", customer_email=ANA, merchant_id="M1")  # for POST /claims
    keys = {
        "customer": await api.key("customer", email=ANA),
        "bob": await api.key("customer", email=BOB),
        "merchant": await api.key("merchant", merchant_id="M1"),
        "operator": await api.key("operator"),
        "revoked": await api.key("operator"),
        "none": {},
    }
    world = World(
        api=api,
        keys=keys,
        claims={"unknown": "CLM-ZZZZ-ZZZZ"},
        transactions={"own": "T3", "other": "T2", "unknown": "T404"},
        merchants={"own": "M1", "other": "M2", "unknown": "M404"},
    )
    world.claims["own"] = await world.fresh_claim("own")
    world.claims["other"] = await world.fresh_claim("other")
    return world


def _url(path: str, world: World, target: str, claim: str | None) -> str:
    records: dict[str, Callable[[], str]] = {
        "{reference}": lambda: claim or world.claims[target],
        "{transaction_id}": lambda: "T1" if target == "own" else world.transactions[target],
        "{merchant_id}": lambda: world.merchants[target],
    }
    for placeholder, record in records.items():
        if placeholder in path:
            path = path.replace(placeholder, record())
    return path


def _expected(method: str, path: str, role: str) -> tuple[int, ...]:
    if (method, path) in PUBLIC:
        return (200,)
    row = MATRIX[(method, path)]
    if role in ("none", "revoked"):
        return (401,) * len(row["operator"])
    return row[role]


async def _run_matrix(world: World) -> tuple[int, list[str]]:
    """Every cell, in table order; returns how many ran and what did not match."""
    cells, wrong = 0, []
    for method, path in [*MATRIX, *sorted(PUBLIC)]:
        for role in ROLES:
            expected = _expected(method, path, role)
            targets = TARGETS if len(expected) == 3 else ("-",)
            for target, status in zip(targets, expected, strict=True):
                claim = None
                if (method, path, role) in FRESH and target != "unknown":
                    claim = await world.fresh_claim(target)
                response = await world.api.http.request(
                    method,
                    _url(path, world, target, claim),
                    json=_body(method, path, world, target),
                    headers=world.keys[role],
                )
                cells += 1
                problem = response.headers.get("content-type") == PROBLEM
                if response.status_code != status or (status >= 400) != problem:
                    wrong.append(
                        f"{method} {path} as {role} on {target}: expected {status}, "
                        f"got {response.status_code} {response.text[:200]}"
                    )
    return cells, wrong


@contextmanager
def _all_logs_to_caplog() -> Iterator[None]:
    """uvicorn's access log (off in the test server) and every SQL statement with its
    parameters (SQLAlchemy keeps its loggers at WARNING) reach caplog too."""
    saved = []
    # INFO: SQLAlchemy's DEBUG adds every row fetched, which only slows the run down.
    for name in ("uvicorn", "uvicorn.access", "uvicorn.error", "sqlalchemy.engine"):
        logger = logging.getLogger(name)
        saved.append((logger, logger.level, logger.propagate))
        logger.setLevel(logging.INFO)
        logger.propagate = True
    try:
        yield
    finally:
        for logger, level, propagate in saved:
            logger.setLevel(level)
            logger.propagate = propagate


def _secrets(world: World) -> list[str]:
    """Each key whole, and its secret part alone."""
    found = []
    for headers in world.keys.values():
        if headers:
            key = headers["Authorization"].removeprefix("Bearer ")
            found += [key, key.split("_", 2)[2]]  # cdk_<id>_<secret>
    return found


async def test_every_endpoint_answers_every_caller_as_the_matrix_says_and_no_key_leaks(
    api: Api, temporal_env: WorkflowEnvironment, caplog: pytest.LogCaptureFixture
) -> None:
    document = (await api.http.get("/openapi.json")).json()
    operations = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    assert operations == set(MATRIX) | PUBLIC, "every route needs its row in MATRIX"

    caplog.set_level(logging.DEBUG)
    with _all_logs_to_caplog():
        world = await _world(api)
        revoked = world.keys["revoked"]
        assert (await api.http.get("/claims", headers=revoked)).status_code == 200
        await asyncio.to_thread(_cli_revoke, api, revoked["X-Key-Id"])
        cells, wrong = await _run_matrix(world)
    print(f"\naccess matrix: {cells} cells", file=sys.stderr)
    assert not wrong, "\n".join(wrong)
    assert cells == 330

    # The run did log (SQL with its parameters, every request line), and no key is in it.
    assert '"GET /claims HTTP/1.1" 200' in caplog.text  # uvicorn's access log
    assert "FROM api_keys" in caplog.text  # the SQL looking each key up
    for secret in _secrets(world):
        assert secret not in caplog.text
        assert secret not in repr([record.args for record in caplog.records])
    # The store holds each key as a hash only, and no table holds a key in any column.
    async with api.engine.connect() as conn:
        tables = (
            await conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
        ).scalars()
        dump = ""
        for table in list(tables):
            rows = await conn.execute(text(f'SELECT t::text FROM "{table}" t'))
            dump += "\n".join(rows.scalars())
    for secret in _secrets(world):
        assert secret not in dump
    async with api.engine.connect() as conn:
        rows = await conn.execute(text("SELECT id, secret_hash FROM api_keys"))
        stored: dict[str, str] = {key_id: secret_hash for key_id, secret_hash in rows.all()}
    for headers in world.keys.values():
        if headers:
            key = headers["Authorization"].removeprefix("Bearer ")
            assert stored[headers["X-Key-Id"]] == hash_secret(key)
    # Nor does any claim's workflow history carry one.
    for reference in (world.claims["own"], world.claims["other"]):
        history = await temporal_env.client.get_workflow_handle(reference).fetch_history()
        for secret in _secrets(world):
            assert secret not in history.to_json()


def _cli_revoke(api: Api, key_id: str) -> None:
    """`claimdesk keys revoke`, as an operator would type it, against the test's database."""
    url = api.settings.database_url
    assert url is not None
    result = CliRunner().invoke(
        cli_app, ["keys", "revoke", key_id], env={"CLAIMDESK_DATABASE_URL": url}
    )
    assert result.exit_code == 0, result.output


async def test_a_key_revoked_mid_conversation_fails_on_the_very_next_request(api: Api) -> None:
    await api.transaction("T1", customer_email=ANA, merchant_id="M1")
    ana = await api.key("customer", email=ANA)
    m1 = await api.key("merchant", merchant_id="M1")
    opened = await api.http.post("/claims", json=claim_body("T1"), headers=ana)
    reference = opened.json()["reference"]
    path = f"/claims/{reference}/messages"
    first = await api.http.post(path, json={"body": "we are on it"}, headers=m1)
    assert first.status_code == 200, first.text

    await asyncio.to_thread(_cli_revoke, api, m1["X-Key-Id"])

    for method, url, body in (
        ("POST", path, {"body": "one more thing"}),
        ("GET", f"/claims/{reference}", None),
        ("GET", "/claims", None),
        ("POST", f"/claims/{reference}/merchant-response", {"action": "acknowledge"}),
    ):
        response = await api.http.request(method, url, json=body, headers=m1)
        assert response.status_code == 401, (method, url)
        assert response.json()["detail"] == "unknown or revoked API key"
    # The customer's key is untouched, and the claim holds the one message sent in time.
    claim = await api.http.get(f"/claims/{reference}", headers=ana)
    assert claim.status_code == 200
    merchant_messages = [
        event
        for event in claim.json()["timeline"]
        if event["kind"] == "message" and event["actor"].startswith("merchant")
    ]
    assert len(merchant_messages) == 1, claim.json()["timeline"]


# ---- what each party reads of a claim: its timeline (GET /claims/{ref}) and its report ----

# The event kinds each role reads of a payment claim that went through every exchange.
PAYMENT_READS = {
    "customer": {
        "opened",
        "routed",
        "info_requested",
        "message",
        "decision",
        "resolved",
        "satisfaction",
        "closed",
    },
    "merchant": {"opened", "decision", "closed"},
    "operator": {
        "opened",
        "routed",
        "info_requested",
        "message",
        "internal_note",
        "decision",
        "resolved",
        "satisfaction",
        "closed",
    },
}
# What the customer and the operator said to each other, and what operators noted.
EXCHANGES = ("Send a photo of your ID", "My card was stolen in Lyon", "We are checking")
NOTE = "Same IP as three chargebacks"


async def test_each_party_reads_its_part_of_a_payment_claim(api: Api) -> None:
    await api.transaction("T1", customer_email=ANA, merchant_id="M1")
    keys = {
        "customer": await api.key("customer", email=ANA),
        "merchant": await api.key("merchant", merchant_id="M1"),
        "operator": await api.key("operator"),
    }
    body = claim_body("T1", subject="payment", category="unauthorized")
    opened = await api.http.post("/claims", json=body, headers=keys["customer"])
    assert opened.status_code == 201, opened.text
    base = f"/claims/{opened.json()['reference']}"
    for path, role, payload in (
        ("/request-info", "operator", {"question": EXCHANGES[0]}),
        ("/messages", "customer", {"body": EXCHANGES[1]}),
        ("/messages", "operator", {"body": EXCHANGES[2]}),
        ("/notes", "operator", {"note": NOTE}),
        ("/decision", "operator", {"outcome": "rejected", "note": "Card used with its PIN"}),
        ("/satisfaction", "customer", {"satisfied": True}),
    ):
        answer = await api.http.post(base + path, json=payload, headers=keys[role])
        assert answer.status_code == 200, (path, answer.text)

    for role, kinds in PAYMENT_READS.items():
        claim = await api.http.get(base, headers=keys[role])
        report = await api.http.get(f"{base}/report", headers=keys[role])
        assert claim.status_code == report.status_code == 200
        assert {event["kind"] for event in claim.json()["timeline"]} == kinds, role
        hidden = {"merchant": [*EXCHANGES, NOTE], "customer": [NOTE], "operator": []}[role]
        for text_ in hidden:
            assert text_ not in claim.text and text_ not in report.text, (role, text_)
        assert "Card used with its PIN" in report.text  # the decision concerns them all
    operator_report = await api.http.get(f"{base}/report", headers=keys["operator"])
    assert NOTE in operator_report.text and "internal note" in operator_report.text


async def test_the_merchant_reads_why_a_payment_claim_closed_not_the_customers_note(
    api: Api,
) -> None:
    await api.transaction("T1", customer_email=ANA, merchant_id="M1")
    ana = await api.key("customer", email=ANA)
    m1 = await api.key("merchant", merchant_id="M1")
    body = claim_body("T1", subject="payment", category="unauthorized")
    reference = (await api.http.post("/claims", json=body, headers=ana)).json()["reference"]
    note = {"note": "My bank found the card was cloned"}
    withdrawn = await api.http.post(f"/claims/{reference}/withdraw", json=note, headers=ana)
    assert withdrawn.status_code == 200, withdrawn.text
    for who, reads_note in ((ana, True), (m1, False)):
        claim = (await api.http.get(f"/claims/{reference}", headers=who)).json()
        [closed] = [event for event in claim["timeline"] if event["kind"] == "closed"]
        assert closed["details"]["reason"] == "withdrawn"
        assert ("note" in closed["details"]) is reads_note
        report = await api.http.get(f"/claims/{reference}/report", headers=who)
        assert (note["note"] in report.text) is reads_note


async def test_customers_never_read_a_merchants_standing(fast_api: Api, mailbox: Mailbox) -> None:
    api = fast_api
    ana, m1, operator = await api.parties()
    opened = await api.http.post("/claims", json=claim_body("T1"), headers=ana)
    assert opened.status_code == 201, opened.text
    base = f"/claims/{opened.json()['reference']}"

    async def kinds(headers: dict[str, str]) -> set[str]:
        return {
            event["kind"]
            for event in (await api.http.get(base, headers=headers)).json()["timeline"]
        }

    give_up = asyncio.get_running_loop().time() + 30
    while "merchant_strike" not in await kinds(operator):  # the silent merchant's, at 6 s
        assert asyncio.get_running_loop().time() < give_up, "no strike in 30 s"
        await asyncio.sleep(0.3)
    assert "merchant_strike" in await kinds(m1)  # its own standing, as it was e-mailed
    assert "merchant_strike" not in await kinds(ana)
    report = await api.http.get(f"{base}/report", headers=ana)
    assert "strike" not in report.text and "merchant_strike" not in report.text
    withdrawn = await api.http.post(f"{base}/withdraw", json={}, headers=ana)
    assert withdrawn.status_code == 200, withdrawn.text
    [closing] = await asyncio.to_thread(mailbox.wait_for, 1, to=ANA, subject="closed")
    content = closing.get_content()
    assert "Timeline" in content and "strike" not in content  # the report, the customer's part
