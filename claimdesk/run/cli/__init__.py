"""The `claimdesk` command: the stack (`dev`, `worker`, `api`, `demo`) and the records."""

from __future__ import annotations

import typer

from claimdesk.run.cli import imports, operators, records, stack, temporal

app = typer.Typer(no_args_is_help=True, help="claimdesk: customer/merchant claims on Temporal.")
stack.register(app)
records.register(app)
imports.register(app)
operators.register(app)
temporal.register(app)
