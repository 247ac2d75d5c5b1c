"""The stack under test: the embedded pieces of `claimdesk dev`, each in its own process.

`claimdesk dev` runs the worker, the API and the mail sink in one process; here each
runs as its own child (as in the compose shape) so that the worker's memory is its
own and the load generator never shares an interpreter with what it measures. All
state lives in a fresh temporary directory, never in the user's `var/`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from temporalio.client import Client

from claimdesk.adapters.embedded import EmbeddedPostgres
from claimdesk.adapters.temporal import connect
from claimdesk.core.settings import Settings
from claimdesk.run.devstack import (
    StackPaths,
    TemporalDevServer,
    dev_seal_keys,
    with_dev_payload_keys,
)
from claimdesk.run.launch import Child, free_port, wait_http_ok
from claimdesk.store.migrate import upgrade

# The API's rate limits, each a CLAIMDESK_RATE_* setting.
RATE_SCOPES = ("OPENINGS", "ACTIONS", "MESSAGES", "SIGNIN")


@dataclass
class Stack:
    """What the scenarios talk to."""

    settings: Settings
    paths: StackPaths
    database_url: str
    api_url: str
    client: Client
    children: dict[str, Child] = field(default_factory=dict)

    def environment(self, **overrides: str) -> dict[str, str]:
        """The variables that point a claimdesk process at this stack."""
        env = dict(os.environ)
        keys = self.settings.payload_keys
        assert keys is not None
        env.update(
            {
                "CLAIMDESK_PAYLOAD_KEYS": keys.get_secret_value(),
                "CLAIMDESK_DATA_DIR": str(self.paths.data_dir),
                "CLAIMDESK_DATABASE_URL": self.database_url,
                "CLAIMDESK_TEMPORAL_ADDRESS": self.settings.temporal_target,
                "CLAIMDESK_TASK_QUEUE": self.settings.task_queue,
                "CLAIMDESK_SMTP_HOST": "127.0.0.1",
                "CLAIMDESK_SMTP_PORT": str(self.settings.smtp_port),
                # The load is the bench's own: no rate limit may answer it.
                **{f"CLAIMDESK_RATE_{scope}": "1000000/minute" for scope in RATE_SCOPES},
                # The API and the worker seal and check with the stack's own key.
                "CLAIMDESK_SEAL_KEYS": dev_seal_keys(self.paths).get_secret_value(),
            }
        )
        env.update(overrides)
        return env

    def spawn(self, name: str, command: list[str], env: Mapping[str, str]) -> Child:
        child = Child(name, command, self.paths.logs / f"{name}.log", env)
        child.start()
        self.children[name] = child
        return child

    def pid(self, name: str) -> int:
        return self.children[name].pid

    async def start_api(self, name: str, **overrides: str) -> str:
        """An API process (settings overridden by `overrides`); answers its base URL."""
        port = free_port()
        child = self.spawn(
            name,
            [claimdesk_command(), "api", "--port", str(port)],
            self.environment(**overrides),
        )
        url = f"http://127.0.0.1:{port}"
        await wait_http_ok(f"{url}/readyz", child=child)
        return url

    def stop(self, name: str) -> None:
        self.children.pop(name).stop(timeout=20.0)


def claimdesk_command() -> str:
    return str(Path(sys.executable).parent / "claimdesk")


@contextlib.asynccontextmanager
async def running_stack(data_dir: Path) -> AsyncIterator[Stack]:
    """Temporal dev server, PostgreSQL, mail sink, worker and API on free ports in `data_dir`."""
    settings = Settings(
        data_dir=data_dir,
        temporal_port=free_port(),
        temporal_ui_port=free_port(),
        smtp_port=free_port(),
        task_queue="claimdesk-bench",
    )
    paths = StackPaths(data_dir)
    paths.create()
    settings = with_dev_payload_keys(settings, paths)  # the data dir's own, as `claimdesk dev`
    temporal = TemporalDevServer(settings, paths)
    temporal.start()
    postgres = EmbeddedPostgres(paths.pgdata)
    stack: Stack | None = None
    try:
        url = await asyncio.to_thread(postgres.ensure_database)
        await asyncio.to_thread(upgrade, url)
        await temporal.wait_ready()
        client = await connect(settings)
        stack = Stack(settings=settings, paths=paths, database_url=url, api_url="", client=client)
        python = sys.executable
        stack.spawn(
            "sink",
            [python, "-m", "bench.sink", str(paths.mail), str(settings.smtp_port)],
            stack.environment(),
        )
        # Its own metrics port: another stack on this machine may hold the default one.
        stack.spawn(
            "worker",
            [claimdesk_command(), "worker"],
            stack.environment(CLAIMDESK_WORKER_METRICS_PORT=str(free_port())),
        )
        stack.api_url = await stack.start_api("api")
        yield stack
    finally:
        if stack is not None:
            for name in list(stack.children):
                await asyncio.to_thread(stack.stop, name)
        await asyncio.to_thread(temporal.stop)
        # The embedded server is reference-counted per process: we are its only holder.
        await asyncio.to_thread(postgres.close)
