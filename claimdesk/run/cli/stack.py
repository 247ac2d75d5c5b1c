"""Commands that run the service: dev, worker, api, migrate, demo."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError

from claimdesk.core.settings import Settings, get_settings


def _settings() -> Settings:
    """The settings from the environment, or a readable refusal."""
    try:
        return get_settings()
    except ValidationError as error:
        typer.echo(f"invalid settings:\n{error}", err=True)
        raise typer.Exit(2) from error


def _with_database(settings: Settings) -> Settings:
    """`settings` with its database decided, or a readable refusal when the embedded
    default is needed where it is not installed (a production image)."""
    from claimdesk.adapters.embedded import EmbeddedUnavailable, resolve_database

    try:
        return resolve_database(settings)
    except EmbeddedUnavailable as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from error


def _require_payload_keys(settings: Settings) -> None:
    """A worker or an API without the keys that encrypt claims in Temporal does not start."""
    from claimdesk.adapters.codec import MissingKeysError, codec_for

    try:
        codec_for(settings)
    except MissingKeysError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from error


def dev() -> None:
    """Run the whole stack here, no Docker: Temporal, PostgreSQL, mail sink, worker, API."""
    from claimdesk.run.devstack import StackError, run_dev

    try:
        asyncio.run(run_dev(_settings()))
    except StackError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from error
    except asyncio.CancelledError as error:
        typer.echo("interrupted while starting: everything started was stopped", err=True)
        raise typer.Exit(130) from error


def worker() -> None:
    """Run a worker (unset connections: the embedded ones that `dev` runs)."""
    from claimdesk.adapters.logs import configure_logging
    from claimdesk.adapters.telemetry import metrics_url
    from worker import run_worker

    settings = _settings()
    _require_payload_keys(settings)
    configure_logging(settings)
    settings = _with_database(settings)
    logging.getLogger("claimdesk.worker").info(
        "worker on task queue %s, metrics at %s", settings.task_queue, metrics_url(settings)
    )

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_worker(settings, stop)

    asyncio.run(run())
    exit_past_temporals_threads()


def exit_past_temporals_threads(code: int = 0) -> NoReturn:
    """Ends a process that used Temporal, once its work is done and its output flushed,
    without the interpreter's teardown: the SDK's Rust threads can outlive the event loop
    and touch Python while CPython finalizes, which aborts now and then ("PyGILState_Release:
    thread state … must be current", SIGABRT; temporalio/sdk-python#300), turning a clean
    stop into a crash."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def api(
    host: Annotated[str | None, typer.Option(help="Default: CLAIMDESK_API_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Default: CLAIMDESK_API_PORT.")] = None,
) -> None:
    """Serve the HTTP API (unset connections: the embedded ones that `dev` runs)."""
    import uvicorn

    from api.app import create_app
    from claimdesk.adapters.logs import configure_logging

    settings = _settings()
    _require_payload_keys(settings)
    configure_logging(settings)
    settings = _with_database(settings)
    uvicorn.run(
        create_app(settings),
        host=host or settings.api_host,
        port=port or settings.api_port,
        # The app trusts X-Forwarded-For only from CLAIMDESK_TRUSTED_PROXIES (api/app.py),
        # not from whatever uvicorn's FORWARDED_ALLOW_IPS says.
        proxy_headers=False,
        # Ours: the root logger's format; the app logs one access line per request itself.
        log_config=None,
        access_log=False,
    )


def migrate() -> None:
    """Bring the database schema to the latest revision."""
    from claimdesk.store.migrate import upgrade

    settings = _with_database(_settings())
    assert settings.database_url is not None
    upgrade(settings.database_url)
    typer.echo("database schema is up to date")


def demo(
    api: Annotated[
        str | None, typer.Option("--api", help="The running API. Default: CLAIMDESK_PUBLIC_URL.")
    ] = None,
) -> None:
    """Drive one delivery claim through the running API, step by step."""
    from claimdesk.run.cli.demo import run_demo

    settings = _settings()
    run_demo(settings, api or settings.public_url)


def register(app: typer.Typer) -> None:
    """Adds this module's commands to `app`."""
    for command in (dev, worker, api, migrate, demo):
        app.command()(command)
