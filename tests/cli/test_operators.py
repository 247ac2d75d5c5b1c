"""`claimdesk operators`: who may sign in to the operator console."""

from __future__ import annotations

import psycopg
import pytest
from typer.testing import CliRunner, Result

from claimdesk.run.cli import app


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("CLAIMDESK_DATABASE_URL", database_url)
    return CliRunner()


def run(cli: CliRunner, *args: str) -> Result:
    return cli.invoke(app, list(args))


def test_an_operator_is_added_listed_and_removed_with_their_sessions(
    cli: CliRunner, database_url: str
) -> None:
    added = run(cli, "operators", "add", "--email", "Olga@Claimdesk.example")
    assert added.exit_code == 0, added.output
    assert "olga@claimdesk.example\tno password yet" in run(cli, "operators", "list").output
    with psycopg.connect(database_url) as conn:
        (account_id,) = conn.execute("SELECT id FROM web_accounts WHERE operator").fetchone() or ()
        conn.execute(
            "INSERT INTO web_sessions VALUES (%s, %s, 'operator', NULL, 'x', now(), now(),"
            " now() + interval '1 hour')",
            ("h" * 64, account_id),
        )
    assert run(cli, "operators", "add", "--email", "olga@claimdesk.example").exit_code == 0
    removed = run(cli, "operators", "remove", "--email", "olga@claimdesk.example")
    assert removed.exit_code == 0, removed.output
    assert run(cli, "operators", "list").output == ""
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT count(*) FROM web_sessions").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM web_accounts").fetchone() == (1,)


def test_operators_refuse_a_bad_address_and_an_unknown_operator(cli: CliRunner) -> None:
    assert run(cli, "operators", "add", "--email", "not-an-address").exit_code == 1
    assert run(cli, "operators", "remove", "--email", "nobody@example.com").exit_code == 1
