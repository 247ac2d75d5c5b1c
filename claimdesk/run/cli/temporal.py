"""`claimdesk temporal setup`: the namespace and search attributes claimdesk needs, anywhere."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import timedelta
from typing import Annotated, NoReturn

import typer

temporal_app = typer.Typer(no_args_is_help=True, help="Prepare a Temporal cluster for claimdesk.")


@temporal_app.command()
def setup(
    wait: Annotated[
        float, typer.Option(help="Seconds to keep retrying while Temporal is not ready.")
    ] = 0.0,
) -> None:
    """Register the namespace (if missing) and the claims' search attributes. Idempotent."""
    from claimdesk.adapters.cluster import SetupError, setup_cluster
    from claimdesk.adapters.temporal import connect
    from claimdesk.run.cli.stack import _settings

    settings = _settings()
    namespace = settings.temporal_namespace
    try:
        created, added = asyncio.run(
            setup_cluster(
                lambda: connect(settings), namespace, wait=timedelta(seconds=max(wait, 0.0))
            )
        )
    except SetupError as error:
        typer.echo(f"cannot set up {settings.temporal_target}: {error}", err=True)
        _exit_now(1)
    if created:
        typer.echo(f"namespace {namespace} created")
    if added:
        typer.echo(f"search attributes added to {namespace}: {', '.join(added)}")
    else:
        typer.echo(f"search attributes already registered on {namespace}")
    _exit_now(0)


def _exit_now(code: int) -> NoReturn:
    """Ends the process without the interpreter's teardown.

    The Temporal client's Rust threads can outlive a short command and touch Python while
    the interpreter finalizes, which aborts the process now and then ("PyGILState_Release:
    thread state … must be current", temporalio/sdk-python#300). Nothing is left to clean
    up here, so the output is flushed and the process ends at once.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def register(app: typer.Typer) -> None:
    """Adds the `temporal` command group to `app`."""
    app.add_typer(temporal_app, name="temporal")
