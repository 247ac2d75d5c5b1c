"""Commands that keep the records: API keys and merchants (transactions: `imports`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, TypeVar

import typer
from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from claimdesk.adapters.embedded import EmbeddedUnavailable, database_url
from claimdesk.core.settings import Settings
from claimdesk.store.db import make_engine, unit_of_work
from claimdesk.store.keys import insert_api_key, list_api_keys, revoke_api_key
from claimdesk.store.merchants import upsert_merchant
from claimdesk.store.migrate import upgrade
from claimdesk.store.models import ApiKey

T = TypeVar("T")

keys_app = typer.Typer(no_args_is_help=True, help="Issue, list and revoke API keys.")
merchants_app = typer.Typer(no_args_is_help=True, help="Register merchants.")


class KeyRole(StrEnum):
    CUSTOMER = "customer"
    MERCHANT = "merchant"
    OPERATOR = "operator"


def in_store(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Runs `work` in one transaction on the configured (or embedded) database, migrated first."""
    try:
        settings = Settings()
    except ValidationError as error:
        typer.echo(f"invalid settings:\n{error}", err=True)
        raise typer.Exit(2) from error
    try:
        url = database_url(settings)
    except EmbeddedUnavailable as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from error
    upgrade(url)

    async def main() -> T:
        engine = make_engine(url, pool_size=1)
        try:
            async with unit_of_work(engine) as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(1)


# ---- keys ----


@keys_app.command("create")
def create_key(
    role: Annotated[KeyRole, typer.Option(help="Who the key speaks for.")],
    email: Annotated[
        str | None, typer.Option(help="The customer's e-mail (customer keys).")
    ] = None,
    merchant_id: Annotated[
        str | None, typer.Option(help="The merchant's id (merchant keys).")
    ] = None,
) -> None:
    """Issue a key; it is shown once, alone on the last line, and stored only as a hash."""
    from pydantic import TypeAdapter

    from api.auth import issue_api_key
    from api.schemas import Email, Identifier

    if role is KeyRole.CUSTOMER and not email:
        raise fail("a customer key needs --email")
    if role is KeyRole.MERCHANT and not merchant_id:
        raise fail("a merchant key needs --merchant-id")
    if role is not KeyRole.CUSTOMER and email:
        raise fail("--email binds customer keys only")
    if role is not KeyRole.MERCHANT and merchant_id:
        raise fail("--merchant-id binds merchant keys only")
    try:
        email = TypeAdapter(Email).validate_python(email) if email else None
        merchant_id = TypeAdapter(Identifier).validate_python(merchant_id) if merchant_id else None
    except ValidationError as error:
        raise fail(f"invalid binding: {describe(error)}") from error
    key, secret = issue_api_key(role.value, email=email, merchant_id=merchant_id)

    async def work(session: AsyncSession) -> None:
        await insert_api_key(session=session, key=key)

    in_store(work)
    typer.echo(f"created {role.value} key {key.id} ({_binding(key) or 'no binding'})")
    typer.echo("keep it now: it cannot be shown again")
    typer.echo(secret)


@keys_app.command("list")
def list_keys() -> None:
    """Every key: id, role, binding, created, revoked (never the secret)."""

    async def work(session: AsyncSession) -> list[ApiKey]:
        return list(await list_api_keys(session=session))

    keys = in_store(work)
    rows = [("id", "role", "binding", "created", "revoked")] + [
        (
            key.id,
            key.role,
            _binding(key) or "-",
            key.created_at.isoformat(timespec="seconds"),
            key.revoked_at.isoformat(timespec="seconds") if key.revoked_at else "-",
        )
        for key in keys
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for row in rows:
        typer.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


@keys_app.command("revoke")
def revoke_key(
    key_id: Annotated[str, typer.Argument(help="The key id `keys list` shows.")],
) -> None:
    """Revoke a key: the API refuses it from the next request on."""

    async def work(session: AsyncSession) -> bool:
        return await revoke_api_key(session=session, key_id=key_id, at=datetime.now(UTC))

    if not in_store(work):
        raise fail(f"no key {key_id}")
    typer.echo(f"revoked key {key_id}")


def _binding(key: ApiKey) -> str:
    if key.email:
        return f"email={key.email}"
    if key.merchant_id:
        return f"merchant_id={key.merchant_id}"
    return ""


# ---- merchants ----


@merchants_app.command("add")
def add_merchant(
    id: Annotated[str, typer.Option("--id", help="The merchant id transactions use.")],
    name: Annotated[str, typer.Option(help="The shop's name.")],
    email: Annotated[str, typer.Option(help="Where claims are sent.")],
    phone: Annotated[str | None, typer.Option(help="A phone customers may call.")] = None,
    locale: Annotated[
        str | None, typer.Option(help="en or fr: the merchant's e-mails (default: the claim's).")
    ] = None,
) -> None:
    """Register a merchant, or replace its name and contact details."""
    from api.schemas import MerchantIn

    try:
        merchant = MerchantIn(id=id, name=name, email=email, phone=phone, locale=locale)
    except ValidationError as error:
        raise fail(describe(error)) from error

    async def work(session: AsyncSession) -> bool:
        _, created = await upsert_merchant(
            session=session,
            merchant_id=merchant.id,
            name=merchant.name,
            email=merchant.email,
            phone=merchant.phone,
            locale=merchant.locale.value if merchant.locale else None,
            at=datetime.now(UTC),
        )
        return created

    created = in_store(work)
    typer.echo(f"{'added' if created else 'updated'} merchant {merchant.id}")


def describe(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in e['loc']) or 'row'}: {e['msg']}" for e in error.errors()
    )


def register(app: typer.Typer) -> None:
    """Adds this module's commands to `app`."""
    app.add_typer(keys_app, name="keys")
    app.add_typer(merchants_app, name="merchants")
