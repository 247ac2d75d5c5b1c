"""Operators of the web claim center: who may sign in to the operator console."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Annotated

import typer
from pydantic import TypeAdapter, ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from claimdesk.run.cli.records import fail, in_store
from claimdesk.store import web_accounts

operators_app = typer.Typer(
    no_args_is_help=True, help="Who may sign in to the web operator console."
)
EmailOption = Annotated[str, typer.Option(help="The operator's own e-mail address.")]


def _address(email: str) -> str:
    from api.schemas import Email

    try:
        return TypeAdapter(Email).validate_python(email)
    except ValidationError as error:
        raise fail("--email: an e-mail address such as olga@example.com") from error


@operators_app.command("add")
def add_operator(email: EmailOption) -> None:
    """Make the address an operator's; they then ask the sign-in page for a link."""
    address = _address(email)

    async def work(session: AsyncSession) -> None:
        await web_accounts.ensure_account(
            session=session,
            account_id=f"web-{secrets.token_hex(6)}",
            email=address,
            at=datetime.now(UTC),
        )
        await web_accounts.set_operator(session=session, email=address, operator=True)

    in_store(work)
    typer.echo(f"{address} is an operator: /app/first-visit sends them a link to set a password")


@operators_app.command("remove")
def remove_operator(email: EmailOption) -> None:
    """Take the operator role away; their open sessions end at once."""
    address = _address(email)

    async def work(session: AsyncSession) -> bool:
        account = await web_accounts.find_account(session=session, email=address)
        if account is None or not account.operator:
            return False
        await web_accounts.set_operator(session=session, email=address, operator=False)
        await web_accounts.delete_sessions_of(session=session, account_id=account.id)
        return True

    if not in_store(work):
        raise fail(f"{address} is not an operator")
    typer.echo(f"{address} is no longer an operator")


@operators_app.command("list")
def list_operators() -> None:
    """Every operator's address, and whether they have set a password yet."""

    async def work(session: AsyncSession) -> list[tuple[str, bool]]:
        rows = await web_accounts.list_operators(session=session)
        return [(row.email, row.password_hash is not None) for row in rows]

    for email, has_password in in_store(work):
        typer.echo(f"{email}\t{'password set' if has_password else 'no password yet'}")


def register(app: typer.Typer) -> None:
    app.add_typer(operators_app, name="operators")
