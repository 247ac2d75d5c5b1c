"""`claimdesk transactions import` against a real database: all or nothing, never over claims."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from claimdesk.run.cli import app
from claimdesk.run.cli.imports import PROGRESS_EVERY
from claimdesk.store import claims
from claimdesk.store.db import make_engine, unit_of_work
from tests.cli.test_records import HEADER, rows
from tests.support.samples import sample_claim

T1 = "T1,M1,ana@example.com,49.90,EUR,2026-11-01T10:00:00+01:00\n"
T2 = "T2,M2,bob@example.com,12.00,EUR,2026-11-02T10:00:00Z\n"
# T1 moved to another customer and merchant, for another amount.
T1_MOVED = "T1,M9,eve@example.com,9999.00,USD,2026-11-01T10:00:00+01:00\n"


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("CLAIMDESK_DATABASE_URL", database_url)
    return CliRunner()


def import_file(cli: CliRunner, tmp_path: Path, content: str | bytes, *flags: str) -> Result:
    path = tmp_path / "t.csv"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return cli.invoke(app, ["transactions", "import", str(path), *flags])


def stored(database_url: str) -> list[tuple[object, ...]]:
    return rows(
        database_url,
        "SELECT id, merchant_id, customer_email, amount::text, currency FROM transactions"
        " ORDER BY id",
    )


def open_claim_on(database_url: str, transaction_id: str) -> None:
    async def reserve() -> None:
        engine = make_engine(database_url, pool_size=1)
        try:
            async with unit_of_work(engine) as session:
                view = replace(sample_claim(), transaction_id=transaction_id)
                assert await claims.reserve_claim(session=session, view=view)
        finally:
            await engine.dispose()

    asyncio.run(reserve())


def test_an_import_adds_new_rows_and_a_reimport_of_the_same_file_changes_nothing(
    cli: CliRunner, database_url: str, tmp_path: Path
) -> None:
    first = import_file(cli, tmp_path, HEADER + T1 + T2)
    assert first.exit_code == 0, first.output
    assert "2 new" in first.stdout
    again = import_file(cli, tmp_path, HEADER + T1 + T2)
    assert again.exit_code == 0, again.output
    assert "0 new, 0 updated, 2 already stored" in again.stdout
    assert stored(database_url) == [
        ("T1", "M1", "ana@example.com", "49.90", "EUR"),
        ("T2", "M2", "bob@example.com", "12.00", "EUR"),
    ]
    assert rows(database_url, "SELECT id, name FROM merchants ORDER BY id") == [
        ("M1", "M1"),
        ("M2", "M2"),
    ]


def test_a_row_differing_from_its_stored_transaction_refuses_the_whole_file(
    cli: CliRunner, database_url: str, tmp_path: Path
) -> None:
    assert import_file(cli, tmp_path, HEADER + T1).exit_code == 0
    T3 = "T3,M1,ana@example.com,1.00,EUR,2026-11-03T10:00:00Z\n"
    refused = import_file(cli, tmp_path, HEADER + T2 + T1_MOVED + T3)
    assert refused.exit_code == 1
    assert "line 3: transaction T1 is stored with another merchant_id, customer_email" in (
        refused.stderr
    )
    assert "--update" in refused.stderr and "nothing imported" in refused.stderr
    # Not even the new rows of the file went in.
    assert stored(database_url) == [("T1", "M1", "ana@example.com", "49.90", "EUR")]
    assert rows(database_url, "SELECT id FROM merchants ORDER BY id") == [("M1",)]


def test_update_replaces_a_differing_transaction_without_claims(
    cli: CliRunner, database_url: str, tmp_path: Path
) -> None:
    assert import_file(cli, tmp_path, HEADER + T1 + T2).exit_code == 0
    T2_FIXED = "T2,M2,bob@example.com,13.00,EUR,2026-11-02T10:00:00Z\n"
    result = import_file(cli, tmp_path, HEADER + T1 + T2_FIXED, "--update")
    assert result.exit_code == 0, result.output
    assert "0 new, 1 updated, 1 already stored" in result.stdout
    assert stored(database_url)[1] == ("T2", "M2", "bob@example.com", "13.00", "EUR")


def test_update_never_touches_a_transaction_with_claims(
    cli: CliRunner, database_url: str, tmp_path: Path
) -> None:
    assert import_file(cli, tmp_path, HEADER + T1 + T2).exit_code == 0
    open_claim_on(database_url, "T1")
    T2_FIXED = "T2,M2,bob@example.com,13.00,EUR,2026-11-02T10:00:00Z\n"
    for flags in ((), ("--update",)):
        refused = import_file(cli, tmp_path, HEADER + T1_MOVED + T2_FIXED, *flags)
        assert refused.exit_code == 1
        assert "line 2: transaction T1 is stored with another" in refused.stderr
        assert "has claims" in refused.stderr
        assert "T2" not in refused.stderr if flags else "line 3" in refused.stderr
        assert stored(database_url) == [
            ("T1", "M1", "ana@example.com", "49.90", "EUR"),
            ("T2", "M2", "bob@example.com", "12.00", "EUR"),
        ]
    # The same data for the claimed transaction is fine: it is left as it is.
    assert import_file(cli, tmp_path, HEADER + T1 + T2_FIXED, "--update").exit_code == 0


def test_bad_rows_are_named_by_line_and_nothing_is_imported(
    cli: CliRunner, database_url: str, tmp_path: Path
) -> None:
    result = import_file(
        cli,
        tmp_path,
        HEADER
        + T1
        + "T2,M1,ana@example.com,-3,EUR,2026-11-01T10:00:00+01:00\n"
        + "T3,M1,ana@example.com,3.00,EUR,yesterday\n"
        + "T4,M1,ana@example.com\n"
        + "T5,M1,ana@example.com,3.00,ZZZ,2026-11-01T10:00:00Z\n"
        + "T6,M1,ana@example.com,3.00,EUR,1764000000\n",
    )
    assert result.exit_code == 1
    for line in ("line 3", "line 4", "line 5", "line 6", "line 7"):
        assert line in result.stderr
    assert "line 2" not in result.stderr
    assert "5 row(s) refused; nothing imported" in result.stderr
    assert rows(database_url, "SELECT count(*) FROM transactions") == [(0,)]
    wrong_header = import_file(cli, tmp_path, "id,amount\nT1,3.00\n")
    assert wrong_header.exit_code == 1
    assert "header" in wrong_header.stderr


def test_many_bad_rows_are_counted_and_the_first_twenty_named(
    cli: CliRunner, database_url: str, tmp_path: Path
) -> None:
    bad = "".join(f"T{n},M1,ana@example.com,-1,EUR,2026-11-01T10:00:00Z\n" for n in range(50))
    result = import_file(cli, tmp_path, HEADER + bad)
    assert result.exit_code == 1
    assert "line 21:" in result.stderr and "line 22:" not in result.stderr
    assert "... and 30 more" in result.stderr and "50 row(s) refused" in result.stderr


def test_repeated_ids_in_the_file_are_named_with_their_lines(
    cli: CliRunner, database_url: str, tmp_path: Path
) -> None:
    result = import_file(cli, tmp_path, HEADER + T1 + T2 + T1)
    assert result.exit_code == 1
    assert "transaction T1 repeated on lines 2, 4" in result.stderr
    assert rows(database_url, "SELECT count(*) FROM transactions") == [(0,)]


def test_a_file_not_in_utf8_is_refused_naming_the_line_and_byte(
    cli: CliRunner, database_url: str, tmp_path: Path
) -> None:
    latin1 = (HEADER + T1 + "T2,M1,zoé@example.com,3.00,EUR,2026-11-01T10:00:00Z\n").encode(
        "latin-1"
    )
    result = import_file(cli, tmp_path, latin1)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    offset = latin1.index(b"\xe9")
    assert f"line 3 is not UTF-8: byte 0xe9 at offset {offset}" in result.stderr
    assert "nothing imported" in result.stderr
    assert rows(database_url, "SELECT count(*) FROM transactions") == [(0,)]


def test_malformed_csv_and_oversized_files_are_refused_with_their_reason(
    cli: CliRunner, database_url: str, tmp_path: Path
) -> None:
    nul = import_file(cli, tmp_path, HEADER + T1 + "T2,M1,a\0@example.com,1,EUR,x\n")
    assert nul.exit_code == 1 and "line 3" in nul.stderr and "NUL" in nul.stderr
    long_line = import_file(cli, tmp_path, HEADER + "x" * 70_000 + "\n")
    assert long_line.exit_code == 1 and "line 2 is longer than" in long_line.stderr
    too_many = import_file(cli, tmp_path, HEADER + T1 + T2, "--max-rows", "1")
    assert too_many.exit_code == 1 and "more than 1 rows" in too_many.stderr
    assert rows(database_url, "SELECT count(*) FROM transactions") == [(0,)]


def test_a_large_file_is_imported_in_batches_with_progress_on_stderr(
    cli: CliRunner, database_url: str, tmp_path: Path
) -> None:
    count = PROGRESS_EVERY * 2 + 7
    body = "".join(
        f"T{n},M{n % 50},c{n}@example.com,{n % 997}.50,EUR,2026-11-01T10:00:00Z\n"
        for n in range(count)
    )
    result = import_file(cli, tmp_path, HEADER + body)
    assert result.exit_code == 0, result.output
    assert f"{PROGRESS_EVERY:,} rows read and checked" in result.stderr
    assert f"{PROGRESS_EVERY * 2:,} rows read and checked" in result.stderr
    assert f"{count:,} new" in result.stdout
    assert rows(database_url, "SELECT count(*), count(DISTINCT merchant_id) FROM transactions") == [
        (count, 50)
    ]


def test_a_bom_and_crlf_line_ends_are_read_as_any_csv_editor_writes_them(
    cli: CliRunner, database_url: str, tmp_path: Path
) -> None:
    windows = "\ufeff" + (HEADER + T1 + T2).replace("\n", "\r\n")
    result = import_file(cli, tmp_path, windows.encode("utf-8"))
    assert result.exit_code == 0, result.output
    assert "2 new" in result.stdout
    assert [row[0] for row in stored(database_url)] == ["T1", "T2"]
