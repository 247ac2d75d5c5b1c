"""The stack commands as a user runs them: `migrate` on an empty database, `dev` on a taken port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from claimdesk.core.settings import Settings
from tests.support.codec import TEST_PAYLOAD_KEYS
from tests.support.database import scratch_database
from tests.support.mailbox import free_port

CLAIMDESK = Path(sys.executable).parent / "claimdesk"


def _env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMDESK_")}
    return env | {f"CLAIMDESK_{name.upper()}": value for name, value in settings.items()}


@pytest.fixture
def empty_database(postgres_admin_url: str) -> Iterator[str]:
    with scratch_database(postgres_admin_url, "empty") as url:
        yield url


@pytest.mark.timeout(120)
def test_migrate_creates_the_schema_on_an_empty_database(empty_database: str) -> None:
    done = subprocess.run(
        [str(CLAIMDESK), "migrate"],
        env=_env(database_url=empty_database),
        capture_output=True,
        text=True,
        timeout=100,
    )
    assert done.returncode == 0, done.stderr
    with psycopg.connect(empty_database) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
    assert {"claims", "claim_events", "merchants", "transactions", "api_keys"} <= {
        row[0] for row in rows
    }


@pytest.mark.timeout(120)
def test_dev_refuses_a_taken_port_and_names_its_variable(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [str(CLAIMDESK), "dev"],
            env=_env(
                data_dir=str(tmp_path / "var"),
                api_port=str(port),
                temporal_port=str(free_port()),
                temporal_ui_port=str(free_port()),
                smtp_port=str(free_port()),
            ),
            capture_output=True,
            text=True,
            timeout=100,
        )
    assert done.returncode == 1
    assert f"127.0.0.1:{port} is already in use" in done.stderr
    assert "CLAIMDESK_API_PORT" in done.stderr
    # Nothing was started or created.
    assert not (tmp_path / "var").exists()


@pytest.mark.parametrize("command", ["worker", "api"])
def test_worker_and_api_refuse_to_start_without_payload_keys(command: str) -> None:
    done = subprocess.run(
        [str(CLAIMDESK), command],
        env=_env(database_url="postgresql://claimdesk:x@127.0.0.1:9/claimdesk"),
        capture_output=True,
        text=True,
        timeout=100,
    )
    assert done.returncode == 2, done.stderr
    assert "CLAIMDESK_PAYLOAD_KEYS is not set" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("keys", [None, "main:s3cr3t-too-short", "main s3cr3t-without-an-id"])
@pytest.mark.parametrize("command", ["worker", "api"])
def test_worker_and_api_refuse_to_start_without_good_seal_keys_and_never_print_them(
    command: str, keys: str | None
) -> None:
    # Payload keys given, so that what is refused is the seal's.
    settings = {"database_url": "postgresql://nobody@127.0.0.1:1/none"}
    settings["payload_keys"] = TEST_PAYLOAD_KEYS
    if keys is not None:
        settings["seal_keys"] = keys
    done = subprocess.run(
        [str(CLAIMDESK), command, *(["--port", str(free_port())] if command == "api" else [])],
        env=_env(**settings),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "CLAIMDESK_SEAL_KEYS" in done.stderr
    assert "s3cr3t" not in done.stderr + done.stdout


@pytest.mark.parametrize(
    "origins",
    ["*", "https://*.example.org", "http://localhost:8233/ui", "null", "localhost:8233"],
)
def test_the_api_refuses_to_start_with_a_wildcard_or_not_an_origin_for_the_temporal_ui(
    origins: str,
) -> None:
    """The codec server answers the UI's origins with credentials (the operator's session):
    a wildcard there would let any site decrypt payloads with an operator's cookie."""
    done = subprocess.run(
        [str(CLAIMDESK), "api", "--port", str(free_port())],
        env=_env(
            database_url="postgresql://nobody@127.0.0.1:1/none",
            payload_keys=TEST_PAYLOAD_KEYS,
            temporal_ui_origins=f"http://localhost:8233,{origins}",
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert f"CLAIMDESK_TEMPORAL_UI_ORIGINS: {origins!r} is not an origin" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "origins",
    ["https://temporal.example.org", "http://127.0.0.1:8233/", "http://[::1]:8233,http://ui"],
)
def test_plain_origins_for_the_temporal_ui_are_accepted(origins: str) -> None:
    assert Settings(temporal_ui_origins=origins).ui_origins == [
        origin.rstrip("/") for origin in origins.split(",")
    ]
