"""`claimdesk dev`: Temporal, PostgreSQL, the mail sink, the worker and the API on one machine."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import signal
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from pydantic import SecretStr
from temporalio.client import Client

from claimdesk.adapters import logs

# The dev server must know them before the first claim starts; kept importable from here.
from claimdesk.adapters.cluster import SEARCH_ATTRIBUTES as SEARCH_ATTRIBUTES
from claimdesk.adapters.codec import new_key
from claimdesk.adapters.embedded import embedded_pgdata, resolve_database, temporal_cli
from claimdesk.adapters.mailsink import serve_mail_sink
from claimdesk.adapters.telemetry import metrics_url
from claimdesk.core.settings import Settings
from claimdesk.run.launch import LOOPBACK, Child, wait_http_ok, wait_until_answers
from claimdesk.run.launch import StackError as StackError
from claimdesk.store.migrate import upgrade

log = logging.getLogger("claimdesk.dev")

STOP_TIMEOUT = 30.0


@dataclass(frozen=True)
class StackPaths:
    """Where the embedded stack keeps its files, all under the data directory."""

    data_dir: Path

    @property
    def temporal_db(self) -> Path:
        return self.data_dir / "temporal" / "temporal.db"

    @property
    def pgdata(self) -> Path:
        return embedded_pgdata(self.data_dir)

    @property
    def mail(self) -> Path:
        return self.data_dir / "mail"

    @property
    def logs(self) -> Path:
        return self.data_dir / "log"

    @property
    def payload_keys(self) -> Path:
        return self.data_dir / "payload-keys"

    @property
    def seal_keys(self) -> Path:
        return self.data_dir / "seal-keys"

    def create(self) -> None:
        # Private: it holds the database, and the embedded PostgreSQL keeps its lock here.
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        for folder in (self.temporal_db.parent, self.mail, self.logs):
            folder.mkdir(parents=True, exist_ok=True)


def dev_seal_keys(paths: StackPaths) -> SecretStr:
    """The dev stack's seal key (CLAIMDESK_SEAL_KEYS): made once under the data directory,
    readable by its owner only, and kept, so the API and the worker agree across restarts."""
    try:
        fd = os.open(paths.seal_keys, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as file:
            file.write(f"dev:{secrets.token_hex(32)}\n")
    return SecretStr(paths.seal_keys.read_text().strip())


def with_seal_keys(settings: Settings, paths: StackPaths) -> Settings:
    """`settings` with the dev stack's seal key, unless CLAIMDESK_SEAL_KEYS was given."""
    if settings.seal_keys is not None:
        return settings
    return settings.model_copy(update={"seal_keys": dev_seal_keys(paths)})


def port_is_free(host: str, port: int) -> bool:
    with socket.socket() as probe:
        # Same option as the servers that will bind it, so TIME_WAIT leftovers don't count.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def check_ports(settings: Settings) -> None:
    """Refuses to start, naming every port already taken and the variable that moves it."""
    wanted = [
        ("Temporal", LOOPBACK, settings.temporal_port, "CLAIMDESK_TEMPORAL_PORT"),
        ("Temporal UI", LOOPBACK, settings.temporal_ui_port, "CLAIMDESK_TEMPORAL_UI_PORT"),
        ("SMTP sink", LOOPBACK, settings.smtp_port, "CLAIMDESK_SMTP_PORT"),
        ("API", settings.api_host, settings.api_port, "CLAIMDESK_API_PORT"),
        (
            "Worker metrics",
            settings.worker_metrics_host,
            settings.worker_metrics_port,
            "CLAIMDESK_WORKER_METRICS_PORT",
        ),
    ]
    taken = [
        f"  {name}: {host}:{port} is already in use (set {variable} to another port)"
        for name, host, port, variable in wanted
        if not port_is_free(host, port)
    ]
    if taken:
        raise StackError(
            "cannot start the dev stack:\n"
            + "\n".join(taken)
            + "\nIs another `claimdesk dev` (or a Temporal dev server) already running?"
        )


def with_dev_payload_keys(settings: Settings, paths: StackPaths) -> Settings:
    """`settings` with payload keys: as given, else the data directory's own, made on the
    first start and kept (owner-only), so a restart still decrypts the claims it holds."""
    if settings.payload_keys is not None:
        return settings
    if not paths.payload_keys.exists():
        paths.payload_keys.touch(mode=0o600)
        paths.payload_keys.write_text(f"dev-1:{new_key()}\n")
    keys = paths.payload_keys.read_text().strip()
    return Settings.model_validate({**settings.model_dump(), "payload_keys": keys})


def codec_endpoint(settings: Settings) -> str:
    """Where the dev server's UI asks the API to decrypt: `localhost`, the UI's own host, so a
    browser sends the API's cookies along (same site)."""
    loopback = settings.api_host in {LOOPBACK, "localhost", "0.0.0.0", "::1", "::"}
    host = "localhost" if loopback else settings.api_host
    return f"http://{host}:{settings.api_port}/codec"


def temporal_command(settings: Settings, paths: StackPaths) -> list[str]:
    command = [
        str(temporal_cli()),
        "server",
        "start-dev",
        "--db-filename",
        str(paths.temporal_db),
        "--port",
        str(settings.temporal_port),
        "--ui-port",
        str(settings.temporal_ui_port),
        "--ui-codec-endpoint",
        codec_endpoint(settings),
        "--ip",
        LOOPBACK,
        "--namespace",
        settings.temporal_namespace,
        "--sqlite-pragma",
        "journal_mode=wal",
        "--sqlite-pragma",
        "synchronous=normal",
        "--log-level",
        "warn",
    ]
    for name, kind in SEARCH_ATTRIBUTES.items():
        command += ["--search-attribute", f"{name}={kind}"]
    return command


class TemporalDevServer:
    """The Temporal CLI's dev server as a child process, its output in `log/temporal.log`."""

    def __init__(self, settings: Settings, paths: StackPaths, *extra_args: str) -> None:
        self.settings = settings
        self.child = Child(
            "the Temporal dev server",
            [*temporal_command(settings, paths), *extra_args],
            paths.logs / "temporal.log",
        )

    def start(self) -> None:
        self.child.start()

    async def wait_ready(self) -> None:
        """Waits until the frontend answers and the namespace is served."""
        target, namespace = self.settings.temporal_target, self.settings.temporal_namespace

        async def healthy() -> bool:
            client = await Client.connect(target, namespace=namespace)
            return await client.service_client.check_health()

        await wait_until_answers(healthy, "Temporal", child=self.child, interval=0.25)

    @property
    def running(self) -> bool:
        return self.child.running

    def stop(self, timeout: float = 15.0) -> None:
        self.child.stop(timeout)


class _EmbeddedServer(uvicorn.Server):
    """uvicorn without its own signal handlers: the stack decides when everything stops."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def log_to_files(paths: StackPaths, settings: Settings) -> None:
    """Everything to `log/claimdesk.log` (CLAIMDESK_LOG_FORMAT); warnings and errors also
    to the terminal, as text."""
    file = logging.FileHandler(paths.logs / "claimdesk.log")
    file.setFormatter(logs.formatter(settings))
    logs.prepare_sdk_loggers(settings)
    console = logging.StreamHandler()
    console.setLevel(logging.WARNING)
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.setLevel(settings.log_level)
    root.addHandler(file)
    root.addHandler(console)


def summary(settings: Settings, paths: StackPaths) -> str:
    api = f"http://{settings.api_host}:{settings.api_port}"
    rows = [
        ("API", api),
        # The public URL, as the e-mails' links: the browser keeps one host's cookies.
        ("Claim center", f"{settings.public_url.rstrip('/')}/"),
        ("OpenAPI docs", f"{api}/docs"),
        ("API metrics", f"{api}/metrics"),
        ("Worker metrics", metrics_url(settings)),
        ("Temporal UI", f"http://localhost:{settings.temporal_ui_port}"),
        ("Codec server", f"{codec_endpoint(settings)} (operators; key in {paths.payload_keys})"),
        ("Temporal", f"{settings.temporal_target} (namespace {settings.temporal_namespace})"),
        ("Mail folder", f"{paths.mail}/ (SMTP on {LOOPBACK}:{settings.smtp_port})"),
        ("Database", str(settings.database_url)),
        ("Logs", f"{paths.logs}/"),
    ]
    width = max(len(name) for name, _ in rows)
    lines = [f"  {name.ljust(width)}  {where}" for name, where in rows]
    return "claimdesk dev is running (Ctrl-C stops it all)\n" + "\n".join(lines)


async def run_dev(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Runs the whole stack until `stop` is set (by default: SIGINT or SIGTERM)."""
    from api.app import create_app
    from worker import run_worker

    paths = StackPaths(settings.data_dir)
    check_ports(settings)
    paths.create()
    settings = with_dev_payload_keys(settings, paths)
    settings = with_seal_keys(settings, paths)
    log_to_files(paths, settings)
    signals: _Signals | None = None
    if stop is None:
        signals = _Signals()
        stop = signals.stop
    print(
        f"starting claimdesk dev (data in {paths.data_dir}/, logs in {paths.logs}/)...", flush=True
    )

    temporal = TemporalDevServer(settings, paths)
    temporal.start()
    try:
        settings = await asyncio.to_thread(resolve_database, settings)
        assert settings.database_url is not None
        await asyncio.to_thread(upgrade, settings.database_url)
        await temporal.wait_ready()
        mail = await serve_mail_sink(paths.mail, LOOPBACK, settings.smtp_port)
        worker_stop = asyncio.Event()
        worker = asyncio.create_task(run_worker(settings, worker_stop), name="worker")
        api = _EmbeddedServer(
            uvicorn.Config(
                create_app(settings),
                host=settings.api_host,
                port=settings.api_port,
                log_config=None,
                access_log=False,  # the app logs one access line per request itself
                lifespan="on",
                proxy_headers=False,  # CLAIMDESK_TRUSTED_PROXIES decides (api/app.py)
            )
        )
        api_task = asyncio.create_task(api.serve(), name="api")
        try:
            await _until_ready_or_failed(settings, [worker, api_task])
            if signals is not None:
                signals.ready()
            print(summary(settings, paths), flush=True)
            await _until_stopped_or_failed(stop, [worker, api_task])
        finally:
            log.info("stopping: API, worker, mail sink, then Temporal")
            api.should_exit = True
            await _finish(api_task)
            worker_stop.set()
            await _finish(worker)
            mail.close()
            await mail.wait_closed()
    finally:
        await asyncio.to_thread(temporal.stop)
        log.info("stopped")
        print("claimdesk dev stopped", flush=True)


async def _until_ready_or_failed(settings: Settings, tasks: list[asyncio.Task[None]]) -> None:
    health = f"http://{settings.api_host}:{settings.api_port}/healthz"
    ready = asyncio.create_task(wait_http_ok(health))
    done, _ = await asyncio.wait([ready, *tasks], return_when=asyncio.FIRST_COMPLETED)
    if ready not in done:
        ready.cancel()
        _raise_if_ended(tasks)
    ready.result()


async def _until_stopped_or_failed(stop: asyncio.Event, tasks: list[asyncio.Task[None]]) -> None:
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait([stopping, *tasks], return_when=asyncio.FIRST_COMPLETED)
    if not stopping.done():
        stopping.cancel()
        _raise_if_ended(tasks)


def _raise_if_ended(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        if task.done():
            error = None if task.cancelled() else task.exception()
            reason = repr(error) if error is not None else "see the log folder"
            raise StackError(f"the {task.get_name()} stopped unexpectedly: {reason}") from error


async def _finish(task: asyncio.Task[None]) -> None:
    """Waits for `task` to end on its own, then cancels it; its failure is logged, not raised."""
    done, _ = await asyncio.wait([task], timeout=STOP_TIMEOUT)
    if not done:
        log.warning("%s did not stop within %.0f s: cancelling it", task.get_name(), STOP_TIMEOUT)
        task.cancel()
        await asyncio.wait([task])
    elif not task.cancelled() and task.exception() is not None:
        log.error("%s failed while stopping", task.get_name(), exc_info=task.exception())


class _Signals:
    """SIGINT/SIGTERM: while starting, cancel the start (the `finally` blocks undo it);
    once running, ask for an orderly stop."""

    def __init__(self) -> None:
        self.stop = asyncio.Event()
        self._starting = asyncio.current_task()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._received)

    def ready(self) -> None:
        self._starting = None

    def _received(self) -> None:
        if self._starting is not None:
            self._starting.cancel()
            self._starting = None
        else:
            self.stop.set()
