"""Fault-test fixtures: one stack of real processes for the package, and an undisturbed run.

Starting the stack costs about ten seconds, so every fault test shares it; each test uses
its own transactions and merchants, and puts back what it stopped.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from temporalio.client import Client

from api.app import create_app
from claimdesk.core.settings import Settings
from claimdesk.store.db import make_engine
from claimdesk.store.migrate import upgrade
from tests.faults.accounts import Signature, check
from tests.faults.claims import SCRIPTS, actors, open_claim, run_claims
from tests.faults.stack import (
    POLICY,
    FaultStack,
    Postgres,
    SmtpServer,
    TemporalServer,
    WorkerProcess,
    worker_env,
)
from tests.support.api import GENEROUS_RATES
from tests.support.codec import converter
from tests.support.serving import Server


@pytest.fixture(scope="package")
async def stack() -> AsyncIterator[FaultStack]:
    folder = Path(tempfile.mkdtemp(prefix="claimdesk-faults-"))
    temporal = TemporalServer(folder / "temporal")
    postgres = await asyncio.to_thread(Postgres, folder / "pgdata")
    smtp = SmtpServer()
    worker: WorkerProcess | None = None
    try:
        await asyncio.to_thread(upgrade, postgres.url)
        await temporal.start()
        smtp.start()
        settings = Settings.model_validate(
            {
                "database_url": postgres.url,
                "temporal_address": temporal.address,
                "task_queue": "faults",
                "smtp_host": "127.0.0.1",
                "smtp_port": smtp.port,
                **POLICY,
                **GENEROUS_RATES,
            }
        )
        worker = WorkerProcess(worker_env(settings, folder), folder / "worker.log")
        worker.start()
        api = Server(create_app(settings))
        await api.start()
        engine = make_engine(postgres.url, pool_size=5)
        client = await Client.connect(temporal.address, data_converter=converter)
        try:
            async with httpx.AsyncClient(base_url=api.url, timeout=60) as http:
                yield FaultStack(
                    folder=folder,
                    settings=settings,
                    temporal=temporal,
                    postgres=postgres,
                    smtp=smtp,
                    worker=worker,
                    api=api,
                    engine=engine,
                    client=client,
                    http=http,
                )
        finally:
            await api.stop()
            await engine.dispose()
    finally:
        if worker is not None:
            worker.stop()
        smtp.stop()
        temporal.stop()
        if not postgres.running:
            await asyncio.to_thread(postgres.start)  # the wheel's own cleanup expects it up
        await asyncio.to_thread(postgres.close)
        if not os.environ.get("CLAIMDESK_FAULTS_KEEP"):  # set it to read the logs after a run
            shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
async def faults(stack: FaultStack) -> AsyncIterator[FaultStack]:
    """The shared stack, whole before the test and made whole again after it."""
    await stack.heal()
    yield stack
    await stack.heal()


@pytest.fixture(scope="package")
async def baseline(stack: FaultStack) -> dict[str, Signature]:
    """What each script leaves behind when nothing goes wrong (two claims of each)."""
    await stack.heal()
    who = await actors(stack)
    claims = [await open_claim(stack, who, script) for script in SCRIPTS * 2]
    ledgers = await run_claims(stack, who, claims)
    signatures = {entry.script: entry.signature for entry in ledgers}
    for entry in ledgers:
        assert entry.signature == signatures[entry.script], "an undisturbed run is not repeatable"
    check(ledgers, signatures)
    return signatures
