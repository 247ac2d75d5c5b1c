"""The `claimdesk` command: the stack (`dev`, `worker`, `api`, `demo`) and the records."""

from __future__ import annotations

import typer

from claimdesk.run.cli import imports, operators, records, stack, temporal

# No local variables in a traceback: a failed start would print secrets (the seal keys, the
# database URL) to the terminal and to the container's log.
app = typer.Typer(
    no_args_is_help=True,
    help="claimdesk: customer/merchant claims on Temporal.",
    pretty_exceptions_show_locals=False,
)
stack.register(app)
records.register(app)
imports.register(app)
operators.register(app)
temporal.register(app)
