"""`claimdesk demo`: one delivery claim driven through the running API, step by step."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import typer

from api.auth import issue_api_key
from claimdesk.adapters.embedded import resolve_database
from claimdesk.core.settings import Settings
from claimdesk.run.devstack import StackPaths
from claimdesk.store.db import make_engine, unit_of_work
from claimdesk.store.keys import insert_api_key
from claimdesk.store.merchants import upsert_merchant

MERCHANT_ID = "DEMO-SHOP"
MERCHANT_EMAIL = "orders@demo-shop.example"
CUSTOMER_EMAIL = "ada.lovelace@example.com"


@dataclass(frozen=True)
class DemoKeys:
    operator: str
    customer: str
    merchant: str


async def _prepare(database_url: str) -> DemoKeys:
    """Keys for the three roles and the demo merchant, written as `keys create` writes them."""
    engine = make_engine(database_url, pool_size=1)
    now = datetime.now(UTC)
    issued: dict[str, str] = {}
    try:
        async with unit_of_work(engine) as session:
            for role, email, merchant_id in (
                ("operator", None, None),
                ("customer", CUSTOMER_EMAIL, None),
                ("merchant", None, MERCHANT_ID),
            ):
                row, key = issue_api_key(role, email=email, merchant_id=merchant_id)
                await insert_api_key(session=session, key=row)
                issued[role] = key
            await upsert_merchant(
                session=session,
                merchant_id=MERCHANT_ID,
                name="Demo Shop",
                email=MERCHANT_EMAIL,
                at=now,
            )
    finally:
        await engine.dispose()
    return DemoKeys(**issued)


class _Api:
    """The running API, called as one role or another; any error answer ends the demo."""

    def __init__(self, base_url: str, keys: DemoKeys) -> None:
        self._http = httpx.Client(base_url=base_url, timeout=30.0)
        self._keys = keys

    def call(self, role: str, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        key = getattr(self._keys, role)
        headers = {"Authorization": f"Bearer {key}", **kwargs.pop("headers", {})}
        answer = self._http.request(method, path, headers=headers, **kwargs)
        if answer.is_error:
            typer.echo(f"  {method} {path} answered {answer.status_code}: {answer.text}", err=True)
            raise typer.Exit(1)
        body: dict[str, Any] = answer.json()
        return body


def _step(number: int, text: str, claim: dict[str, Any] | None = None) -> None:
    typer.echo(f"{number}. {text}")
    if claim is not None:
        typer.echo(
            f"   status={claim['status']} level={claim['escalation_level']} "
            f"next_deadline={claim.get('next_deadline')} outcome={claim.get('outcome')}"
        )


def run_demo(settings: Settings, api_url: str) -> None:
    try:
        httpx.get(f"{api_url}/healthz", timeout=5.0).raise_for_status()
    except httpx.HTTPError as error:
        typer.echo(f"no API answers at {api_url} ({error}): start it with `make dev`", err=True)
        raise typer.Exit(1) from error
    settings = resolve_database(settings)
    assert settings.database_url is not None
    keys = asyncio.run(_prepare(settings.database_url))
    _step(
        1, f"issued keys for an operator, the customer {CUSTOMER_EMAIL} and merchant {MERCHANT_ID}"
    )
    api = _Api(api_url, keys)
    reference = _open_claim(api)
    _settle(api, reference)
    _summary(api, settings, reference, keys)


def _open_claim(api: _Api) -> str:
    """Steps 2 and 3: the operator adds a transaction, the customer opens a claim on it."""
    transaction_id = f"T-DEMO-{secrets.token_hex(3).upper()}"
    occurred_at = datetime.now(UTC) - timedelta(days=3)
    transaction = {
        "id": transaction_id,
        "merchant_id": MERCHANT_ID,
        "customer_email": CUSTOMER_EMAIL,
        "amount": "49.90",
        "currency": "EUR",
        "occurred_at": occurred_at.isoformat(),
    }
    api.call("operator", "POST", "/transactions", json=transaction)
    _step(2, f"operator added transaction {transaction_id}: 49.90 EUR at {MERCHANT_ID}")

    opening = {
        "transaction_id": transaction_id,
        "subject": "delivery",
        "category": "not_received",
        "description": "My parcel never arrived.",
        "contact": {"name": "Ada Lovelace", "email": CUSTOMER_EMAIL},
        "locale": "en",
    }
    claim = api.call(
        "customer",
        "POST",
        "/claims",
        json=opening,
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    reference: str = claim["reference"]
    _step(3, f"customer opened claim {reference} (parcel not received)", claim)
    return reference


def _settle(api: _Api, reference: str) -> None:
    """Steps 4 to 6: a full refund proposed, accepted, and the customer satisfied."""
    proposal = {
        "action": "propose",
        "message": "Sorry for the trouble: we refund you in full.",
        "proposal": {"kind": "refund", "amount": "49.90"},
    }
    claim = api.call("merchant", "POST", f"/claims/{reference}/merchant-response", json=proposal)
    _step(4, "merchant proposed a full refund", claim)

    claim = api.call("customer", "POST", f"/claims/{reference}/proposal/accept", json={})
    _step(5, "customer accepted the proposal: the claim is resolved", claim)

    satisfaction = {"satisfied": True, "comment": "Thank you."}
    claim = api.call("customer", "POST", f"/claims/{reference}/satisfaction", json=satisfaction)
    _step(6, "customer confirmed satisfaction: the claim is closed", claim)


def _summary(api: _Api, settings: Settings, reference: str, keys: DemoKeys) -> None:
    """The timeline, and where to look next."""
    claim = api.call("operator", "GET", f"/claims/{reference}")
    typer.echo(f"\nTimeline of {reference}:")
    for event in claim.get("timeline", []):
        typer.echo(f"  {event['at']}  {event['actor']:<9} {event['kind']}")
    typer.echo(f"\nClaim reference: {reference}")
    typer.echo(f"Workflow:        {settings.workflow_url(reference)}")
    typer.echo(f"Console:         {settings.public_url.rstrip('/')}/app/console/claims/{reference}")
    typer.echo(f"E-mails:         {StackPaths(settings.data_dir).mail}/ (one .eml file each)")
    typer.echo(f"Operator key:    {keys.operator}")
