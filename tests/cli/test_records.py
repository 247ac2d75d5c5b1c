"""The records commands against a real database: keys and merchants."""

from __future__ import annotations

import asyncio
import hashlib

import psycopg
import pytest
from typer.testing import CliRunner, Result

from claimdesk.run.cli import app
from tests.support.api import Api

HEADER = "id,merchant_id,customer_email,amount,currency,occurred_at\n"


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("CLAIMDESK_DATABASE_URL", database_url)
    return CliRunner()


def run(cli: CliRunner, *args: str) -> Result:
    return cli.invoke(app, list(args))


def rows(database_url: str, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(database_url) as conn:
        return conn.execute(sql).fetchall()


def test_keys_create_prints_the_key_last_and_stores_only_its_hash(
    cli: CliRunner, database_url: str
) -> None:
    result = run(cli, "keys", "create", "--role", "customer", "--email", "Ana@Example.com")
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert key.startswith("cdk_")
    assert len(key) > 40
    stored = rows(database_url, "SELECT id, role, email, secret_hash FROM api_keys")
    assert len(stored) == 1
    key_id, role, email, secret_hash = stored[0]
    assert (role, email) == ("customer", "ana@example.com")
    assert secret_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(stored)
    assert f"cdk_{key_id}_" in key


def test_keys_create_needs_the_binding_of_its_role(cli: CliRunner, database_url: str) -> None:
    assert run(cli, "keys", "create", "--role", "customer").exit_code != 0
    assert run(cli, "keys", "create", "--role", "merchant").exit_code != 0
    assert run(cli, "keys", "create", "--role", "operator", "--email", "a@b.co").exit_code != 0
    assert run(cli, "keys", "create", "--role", "customer", "--email", "nope").exit_code != 0
    assert run(cli, "keys", "create", "--role", "admin").exit_code != 0
    assert rows(database_url, "SELECT count(*) FROM api_keys") == [(0,)]


def test_keys_list_and_revoke(cli: CliRunner, database_url: str) -> None:
    created = run(cli, "keys", "create", "--role", "merchant", "--merchant-id", "M1")
    key = created.output.strip().splitlines()[-1]
    key_id = key.split("_")[1]
    listed = run(cli, "keys", "list")
    assert listed.exit_code == 0
    assert key_id in listed.output and "merchant_id=M1" in listed.output
    assert key not in listed.output and key.split("_", 2)[2] not in listed.output
    assert run(cli, "keys", "revoke", key_id).exit_code == 0
    (revoked_at,) = rows(database_url, "SELECT revoked_at FROM api_keys")[0]
    assert revoked_at is not None
    assert run(cli, "keys", "revoke", "nosuchkey").exit_code == 1


def test_merchants_add_upserts(cli: CliRunner, database_url: str) -> None:
    args = ["merchants", "add", "--id", "M1", "--name", "Lamps", "--email", "shop@example.com"]
    assert "added" in run(cli, *args).output
    args[5] = "Lamps & Co"
    assert "updated" in run(cli, *args).output
    assert rows(database_url, "SELECT id, name, email FROM merchants") == [
        ("M1", "Lamps & Co", "shop@example.com")
    ]


def test_merchants_add_takes_a_phone_and_a_locale(cli: CliRunner, database_url: str) -> None:
    args = ["merchants", "add", "--id", "M1", "--name", "Lampes", "--email", "shop@example.com"]
    assert run(cli, *args, "--phone", "+33 1 23 45 67 89", "--locale", "fr").exit_code == 0
    assert rows(database_url, "SELECT phone, locale FROM merchants") == [
        ("+33 1 23 45 67 89", "fr")
    ]
    refused = run(cli, *args, "--locale", "de")
    assert refused.exit_code != 0 and "locale" in refused.output


async def test_a_key_made_by_the_cli_opens_the_api_and_revoking_it_closes_it(
    api: Api, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAIMDESK_DATABASE_URL", database_url)
    cli = CliRunner()
    # The commands run their own event loop, so they run off this test's loop.
    created = await asyncio.to_thread(run, cli, "keys", "create", "--role", "operator")
    key = created.output.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {key}"}
    assert (await api.http.get("/claims", headers=headers)).status_code == 200
    revoked = await asyncio.to_thread(run, cli, "keys", "revoke", key.split("_")[1])
    assert revoked.exit_code == 0
    assert (await api.http.get("/claims", headers=headers)).status_code == 401
