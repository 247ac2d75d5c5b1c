"""Metrics, logs and probes as an operator sees them: scraped and read over real HTTP."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import signal
import socket
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import Depends, FastAPI
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio import activity, workflow
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from api.app import create_app
from api.metrics import bind_claim
from claimdesk.adapters.logs import JsonFormatter
from claimdesk.adapters.telemetry import metrics_url
from claimdesk.core.settings import Settings
from tests.support.api import Api, api_settings, claim_body
from tests.support.codec import TEST_PAYLOAD_KEYS
from tests.support.mailbox import Mailbox, free_port
from tests.support.seal import SEAL_KEYS
from tests.support.serving import Server
from worker import run_worker

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def _parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _total(samples: Samples, name: str, **labels: str) -> float:
    wanted = set(labels.items())
    return sum(
        value for (found, have), value in samples.items() if found == name and wanted <= have
    )


async def _scrape(url: str) -> Samples:
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return _parse(response.text)


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """Every record of this process, as the JSON lines CLAIMDESK_LOG_FORMAT=json writes."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield out
    root.removeHandler(handler)
    root.setLevel(level)


def _records(out: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


# ---- the API ----


async def test_api_metrics_count_by_route_template_and_status(api: Api) -> None:
    operator = await api.key("operator")
    before = await _scrape(f"{api.http.base_url}/metrics")
    route = {"method": "GET", "route": "/claims/{reference}", "status": "404"}
    assert (await api.http.get("/claims/CLM-NOPE-1", headers=operator)).status_code == 404
    assert (await api.http.get("/claims/CLM-NOPE-2", headers=operator)).status_code == 404
    assert (await api.http.get("/no/such/thing")).status_code == 404
    after = await _scrape(f"{api.http.base_url}/metrics")

    name = "claimdesk_http_requests_total"
    assert _total(after, name, **route) - _total(before, name, **route) == 2
    latency = "claimdesk_http_request_duration_seconds_count"
    assert _total(after, latency, **route) - _total(before, latency, **route) == 2
    unmatched = {"route": "<unmatched>", "status": "404"}
    assert _total(after, name, **unmatched) - _total(before, name, **unmatched) == 1
    # References and raw paths never become label values.
    labels = {value for (_, pairs) in after for _, value in pairs}
    assert not {"/claims/CLM-NOPE-1", "CLM-NOPE-1", "/no/such/thing"} & labels


async def test_api_access_log_is_json_with_the_claim_and_never_the_key(
    api: Api, json_logs: io.StringIO
) -> None:
    operator = await api.key("operator")
    secret = operator["Authorization"].removeprefix("Bearer ")
    await api.http.get("/claims/CLM-0000-0001", headers=operator)
    await api.http.get("/healthz", headers=operator)

    records = _records(json_logs)
    access = [r for r in records if r["logger"] == "claimdesk.access"]
    claim_line = next(r for r in access if r.get("claim") == "CLM-0000-0001")
    assert claim_line["route"] == "/claims/{reference}"
    assert claim_line["status"] == 404
    assert {"time", "level", "message"} <= set(claim_line)
    health_line = next(r for r in access if r["route"] == "/healthz")
    assert "claim" not in health_line
    assert secret not in json_logs.getvalue()


async def test_readiness_is_503_with_retry_after_when_temporal_does_not_answer(
    database_url: str, mailbox: Mailbox
) -> None:
    with socket.socket() as probe:  # a port no Temporal listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"127.0.0.1:{probe.getsockname()[1]}"
    settings = Settings(database_url=database_url, temporal_address=dead, smtp_port=mailbox.port)
    server = Server(create_app(settings))
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            alive = await http.get("/healthz")
            ready = await http.get("/readyz")
    finally:
        await server.stop()
    assert alive.status_code == 200
    assert ready.status_code == 503
    assert int(ready.headers["retry-after"]) > 0
    assert ready.json()["checks"]["database"] == "ok"
    assert ready.json()["checks"]["temporal"].startswith("unavailable")


# ---- the worker ----


@pytest.fixture
async def worker_api(
    temporal_env: WorkflowEnvironment, database_url: str, engine: AsyncEngine, mailbox: Mailbox
) -> AsyncIterator[tuple[Api, str]]:
    """The API, and the production worker (`run_worker`) with its Prometheus endpoint."""
    settings = api_settings(temporal_env, database_url, mailbox).model_copy(
        update={"worker_metrics_port": free_port()}
    )
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(settings, stop))
    server = Server(create_app(settings))
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            yield (
                Api(http=http, engine=engine, settings=settings, mailbox=mailbox),
                metrics_url(settings),
            )
    finally:
        await server.stop()
        stop.set()
        await asyncio.wait_for(worker, 60)


@pytest.mark.timeout(120)
async def test_worker_metrics_move_as_a_claim_opens(worker_api: tuple[Api, str]) -> None:
    api, url = worker_api
    queue = api.settings.task_queue
    before = await _scrape(url)
    await api.transaction("T1")
    ana = await api.key("customer", email="ana@example.com")
    opened = await api.http.post("/claims", json=claim_body(), headers=ana)
    assert opened.status_code == 201, opened.text
    after = await _scrape(url)

    def moved(name: str, now: Samples) -> float:
        return _total(now, name, task_queue=queue) - _total(before, name, task_queue=queue)

    # The opening's store write is an activity, done by the time the API answers.
    for name in (
        "temporal_workflow_task_execution_latency_count",
        "temporal_activity_execution_latency_count",
    ):
        assert moved(name, after) > 0, f"{name} did not move"
    # No store write runs inside a workflow task any more (it would not be committed).
    assert moved("temporal_local_activity_execution_latency_count", after) == 0
    # Everything the SDK exports keeps its `temporal_` prefix; claimdesk's own counters
    # keep their names as written (the parser adds `_total` to counter samples).
    assert any(name.startswith("temporal_request") for name, _ in after)
    opened = "claimdesk_claims_opened_total"
    delivery = {"task_queue": queue, "subject": "delivery"}
    assert _total(after, opened, **delivery) - _total(before, opened, **delivery) == 1

    async def mails_sent() -> float:
        name = "claimdesk_emails_sent_total"
        return _total(await _scrape(url), name, task_queue=queue)

    for _ in range(150):  # the opening's e-mails go out in the background
        if await mails_sent() > 0:
            break
        await asyncio.sleep(0.2)
    assert await mails_sent() > 0
    # ... in an activity of their own, counted once it completes.
    name = "temporal_activity_execution_latency_count"
    stored = moved(name, after)
    for _ in range(150):
        if moved(name, await _scrape(url)) > stored:
            break
        await asyncio.sleep(0.2)
    assert moved(name, await _scrape(url)) > stored, f"{name} did not move"


# ---- the SDK's loggers, mapped to the claim ----


@activity.defn(name="observability_probe")
async def probe_activity() -> None:
    activity.logger.info("probe activity ran")


@workflow.defn(name="ObservabilityProbe", sandboxed=False)
class ProbeWorkflow:
    @workflow.run
    async def run(self) -> None:
        workflow.logger.info("probe workflow ran")
        await workflow.execute_activity(
            probe_activity, start_to_close_timeout=timedelta(seconds=30)
        )


@pytest.mark.timeout(60)
async def test_workflow_and_activity_logs_carry_the_workflow_id_as_claim(
    temporal_env: WorkflowEnvironment, json_logs: io.StringIO
) -> None:
    queue = f"logs-{uuid.uuid4().hex[:8]}"
    reference = f"CLM-{uuid.uuid4().hex[:8]}"
    async with Worker(
        temporal_env.client,
        task_queue=queue,
        workflows=[ProbeWorkflow],
        activities=[probe_activity],
    ):
        await temporal_env.client.execute_workflow(
            ProbeWorkflow.run, id=reference, task_queue=queue
        )
    records = {r["message"]: r for r in _records(json_logs) if r.get("claim") == reference}
    assert any(m.startswith("probe workflow ran") for m in records)
    assert any(m.startswith("probe activity ran") for m in records)
    ran = next(r for m, r in records.items() if m.startswith("probe activity ran"))
    assert ran["activity"] == {
        "workflow_type": "ObservabilityProbe",
        "activity_type": "observability_probe",
        "attempt": 1,
    }


# ---- the worker command, as a container runs it ----


@pytest.mark.timeout(90)
async def test_worker_command_logs_json_and_serves_metrics_until_sigterm(
    temporal_env: WorkflowEnvironment, database_url: str, mailbox: Mailbox
) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMDESK_")}
    env |= {
        "CLAIMDESK_DATABASE_URL": database_url,
        "CLAIMDESK_TEMPORAL_ADDRESS": temporal_env.client.service_client.config.target_host,
        "CLAIMDESK_TASK_QUEUE": f"cli-{uuid.uuid4().hex[:8]}",
        "CLAIMDESK_SMTP_PORT": str(mailbox.port),
        "CLAIMDESK_WORKER_METRICS_PORT": str(port),
        "CLAIMDESK_LOG_FORMAT": "json",
        "CLAIMDESK_PAYLOAD_KEYS": TEST_PAYLOAD_KEYS,
        "CLAIMDESK_SEAL_KEYS": SEAL_KEYS,
    }
    worker = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "claimdesk"),
        "worker",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        scraped: Samples | None = None
        for _ in range(150):
            try:
                scraped = await _scrape(f"http://127.0.0.1:{port}/metrics")
                break
            except httpx.HTTPError:
                if worker.returncode is not None:
                    assert worker.stderr is not None
                    pytest.fail(f"the worker exited: {(await worker.stderr.read()).decode()}")
                await asyncio.sleep(0.2)
        assert scraped is not None
        worker.send_signal(signal.SIGTERM)
        _, output = await asyncio.wait_for(worker.communicate(), 60)
    finally:
        if worker.returncode is None:
            worker.kill()
            await worker.wait()
    err = output.decode()
    assert worker.returncode == 0, err
    lines = [json.loads(line) for line in err.splitlines() if line.strip()]
    started = next(r for r in lines if r["logger"] == "claimdesk.worker")
    assert f"127.0.0.1:{port}/metrics" in str(started["message"])
    assert {"time", "level", "logger", "message"} <= set(started)


async def test_records_logged_while_handling_a_claims_route_carry_its_reference(
    json_logs: io.StringIO,
) -> None:
    """The app-wide dependency binds `{reference}` for whatever the handler logs, when it has
    a reference's shape: any other text there (an address, say) is not logged as a claim."""
    app = FastAPI(dependencies=[Depends(bind_claim)])

    @app.get("/claims/{reference}/probe")
    async def probe(reference: str) -> dict[str, str]:
        logging.getLogger("claimdesk.probe").info("handling the probe")
        return {}

    @app.get("/elsewhere")
    async def elsewhere() -> dict[str, str]:
        logging.getLogger("claimdesk.probe").info("handling elsewhere")
        return {}

    server = Server(app)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
            assert (await http.get("/claims/CLM-B0ND-0001/probe")).status_code == 200
            assert (await http.get("/elsewhere")).status_code == 200
            assert (await http.get("/claims/ana%40example.org/probe")).status_code == 200
    finally:
        await server.stop()
    records = [r for r in _records(json_logs) if r["logger"] == "claimdesk.probe"]
    assert [(r["message"], r.get("claim")) for r in records] == [
        ("handling the probe", "CLM-B0ND-0001"),
        ("handling elsewhere", None),
        ("handling the probe", None),
    ]
    assert "ana@example.org" not in json_logs.getvalue()
