"""Hostile review of issue 14 item 5: CSV files the suite does not try."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.cli.test_imports import import_file, stored
from tests.cli.test_records import HEADER

GOOD = "T1,M1,ana@example.com,49.90,EUR,2026-11-01T10:00:00+01:00\n"


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("CLAIMDESK_DATABASE_URL", database_url)
    return CliRunner()


@pytest.mark.parametrize(
    "row",
    [
        pytest.param("T\x001,M1,ana@example.com,49.90,EUR,2026-11-01T10:00:00Z\n", id="nul-in-id"),
        pytest.param(
            "T1,M\x001,ana@example.com,49.90,EUR,2026-11-01T10:00:00Z\n", id="nul-in-merchant"
        ),
        pytest.param(
            "T1,M1,ana@example.com,49.90,EUR,2026-11-01T10:00:00Z\x00\n", id="nul-trailing"
        ),
        pytest.param(
            '"T1\r\nX",M1,ana@example.com,49.90,EUR,2026-11-01T10:00:00Z\n', id="crlf-in-id"
        ),
        pytest.param(
            '=HYPERLINK("x"),M1,ana@example.com,49.90,EUR,2026-11-01T10:00:00Z\n', id="formula-id"
        ),
        pytest.param(
            "T1,=1+1,ana@example.com,49.90,EUR,2026-11-01T10:00:00Z\n", id="formula-merchant"
        ),
        pytest.param(
            "T1,M1\u202e,ana@example.com,49.90,EUR,2026-11-01T10:00:00Z\n", id="bidi-merchant"
        ),
        pytest.param("T1,M1,ana@example.com,49.90,EUR,1762000000\n", id="unix-time"),
        pytest.param("T1,M1,ana@example.com,49.90,ZZZ,2026-11-01T10:00:00Z\n", id="currency"),
        pytest.param("T1,M1,ana@example.com,5000.5,JPY,2026-11-01T10:00:00Z\n", id="jpy-minor"),
    ],
)
def test_a_hostile_row_is_refused_cleanly_and_nothing_is_stored(
    cli: CliRunner, tmp_path: Path, database_url: str, row: str
) -> None:
    result = import_file(cli, tmp_path, HEADER + row)
    assert result.exit_code == 1, (result.exit_code, result.output, repr(result.exception))
    assert "Traceback" not in result.output
    assert stored(database_url) == []
