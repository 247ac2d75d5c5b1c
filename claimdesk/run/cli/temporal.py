"""`claimdesk temporal setup`: the namespace and search attributes claimdesk needs, anywhere."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Annotated

import typer

temporal_app = typer.Typer(no_args_is_help=True, help="Prepare a Temporal cluster for claimdesk.")


@temporal_app.command()
def setup(
    wait: Annotated[
        float, typer.Option(help="Seconds to keep retrying while Temporal is not ready.")
    ] = 0.0,
) -> None:
    """Register the namespace (if missing) and the claims' search attributes. Idempotent."""
    from temporalio.client import Client

    from claimdesk.adapters.cluster import SetupError, setup_cluster
    from claimdesk.run.cli.stack import _settings, exit_past_temporals_threads

    settings = _settings()
    namespace = settings.temporal_namespace

    async def connect() -> Client:
        # No claim payload goes through here: no payload keys needed (compose gives none).
        return await Client.connect(settings.temporal_target, namespace=namespace)

    try:
        created, added = asyncio.run(
            setup_cluster(connect, namespace, wait=timedelta(seconds=max(wait, 0.0)))
        )
    except SetupError as error:
        typer.echo(f"cannot set up {settings.temporal_target}: {error}", err=True)
        exit_past_temporals_threads(1)
    if created:
        typer.echo(f"namespace {namespace} created")
    if added:
        typer.echo(f"search attributes added to {namespace}: {', '.join(added)}")
    else:
        typer.echo(f"search attributes already registered on {namespace}")
    exit_past_temporals_threads(0)


def register(app: typer.Typer) -> None:
    """Adds the `temporal` command group to `app`."""
    app.add_typer(temporal_app, name="temporal")
