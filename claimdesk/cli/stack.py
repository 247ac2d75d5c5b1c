"""Commands that run the service: dev, worker, api, migrate, demo."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Adds this module's commands to `app`."""
