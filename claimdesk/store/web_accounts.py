"""The web claim center's people: accounts by e-mail, server-side sessions, one-time links."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, exists, or_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from claimdesk.store.models import (
    Merchant,
    Transaction,
    WebAccount,
    WebLink,
    WebSession,
    table_of,
)

# ---- accounts ----


async def find_account(*, session: AsyncSession, email: str) -> WebAccount | None:
    query = select(WebAccount).where(col(WebAccount.email) == email)
    return (await session.exec(query)).first()


async def get_account(*, session: AsyncSession, account_id: str) -> WebAccount | None:
    return await session.get(WebAccount, account_id)


async def ensure_account(
    *, session: AsyncSession, account_id: str, email: str, at: datetime
) -> WebAccount:
    """The account of `email`, created (with `account_id`) if it has none yet."""
    statement = (
        insert(WebAccount)
        .values(id=account_id, email=email, operator=False, created_at=at)
        .on_conflict_do_nothing(index_elements=["email"])
    )
    await session.exec(statement)
    account = await find_account(session=session, email=email)
    assert account is not None
    return account


async def set_operator(*, session: AsyncSession, email: str, operator: bool) -> bool:
    """Flags the account operator or not; False if the address has no account."""
    result = await session.exec(
        update(WebAccount).where(col(WebAccount.email) == email).values(operator=operator)
    )
    return bool(result.rowcount)


async def list_operators(*, session: AsyncSession) -> Sequence[WebAccount]:
    query = select(WebAccount).where(col(WebAccount.operator)).order_by(col(WebAccount.email))
    return (await session.exec(query)).all()


async def set_password(
    *, session: AsyncSession, account_id: str, password_hash: str, at: datetime
) -> None:
    await session.exec(
        update(WebAccount)
        .where(col(WebAccount.id) == account_id)
        .values(password_hash=password_hash, password_set_at=at)
    )


async def merchant_of(*, session: AsyncSession, email: str) -> str | None:
    """The merchant whose contact address this is (the first by id if several share it)."""
    query = select(Merchant.id).where(col(Merchant.email) == email).order_by(col(Merchant.id))
    return (await session.exec(query)).first()


async def has_bought(*, session: AsyncSession, email: str) -> bool:
    """Whether some transaction was made with this customer e-mail."""
    query = select(Transaction.id).where(col(Transaction.customer_email) == email).limit(1)
    return (await session.exec(query)).first() is not None


@dataclass(frozen=True)
class PersonFacts:
    """What decides where a person acts (api.auth.space_from): read in one query, at sign-in
    and on every request of a session alike."""

    operator: bool
    merchant_id: str | None  # the shop whose contact address it is (the first by id)
    merchant_status: str | None  # that shop's standing
    has_bought: bool


def _first_shop() -> ColumnElement[str | None]:
    """The id of the first merchant (by id) whose contact address is the account's."""
    return (
        select(Merchant.id)
        .where(col(Merchant.email) == col(WebAccount.email))
        .order_by(col(Merchant.id))
        .limit(1)
        .correlate(WebAccount)
        .scalar_subquery()
    )


def _bought() -> ColumnElement[bool]:
    return exists().where(col(Transaction.customer_email) == col(WebAccount.email))


def _facts(account: WebAccount, shop: Merchant | None, bought: bool) -> PersonFacts:
    return PersonFacts(
        operator=account.operator,
        merchant_id=shop.id if shop is not None else None,
        merchant_status=shop.status if shop is not None else None,
        has_bought=bool(bought),
    )


async def person_facts(*, session: AsyncSession, account: WebAccount) -> PersonFacts:
    """The facts of an account (stored or about to be) at sign-in."""
    query = (
        select(Merchant)
        .where(col(Merchant.email) == account.email)
        .order_by(col(Merchant.id))
        .limit(1)
    )
    shop = (await session.exec(query)).first()
    return _facts(account, shop, await has_bought(session=session, email=account.email))


# ---- sessions ----


async def insert_session(*, session: AsyncSession, row: WebSession) -> None:
    session.add(row)
    await session.flush()


async def touch_session(
    *, session: AsyncSession, id_hash: str, now: datetime, idle_since: datetime
) -> tuple[WebSession, WebAccount, PersonFacts] | None:
    """The live session of this id, its last use moved to `now`, with its account and the
    account's facts as they are now (one query); None when there is none, or it expired, or
    it was idle since before `idle_since` (such a row is deleted)."""
    query = (
        select(WebSession, WebAccount, Merchant, _bought())
        .join(WebAccount, col(WebAccount.id) == col(WebSession.account_id))
        .outerjoin(Merchant, col(Merchant.id) == _first_shop())
        .where(col(WebSession.id_hash) == id_hash)
    )
    found = (await session.exec(query)).first()
    if found is None:  # no such session (or its account is gone: the sweep deletes it)
        return None
    row, account, shop, bought = found
    if row.expires_at <= now or row.last_seen_at < idle_since:
        await session.exec(delete(WebSession).where(col(WebSession.id_hash) == id_hash))
        return None
    row.last_seen_at = now
    session.add(row)
    await session.flush()
    return row, account, _facts(account, shop, bought)


async def delete_session(*, session: AsyncSession, id_hash: str) -> None:
    await session.exec(delete(WebSession).where(col(WebSession.id_hash) == id_hash))


async def delete_sessions_of(*, session: AsyncSession, account_id: str) -> None:
    await session.exec(delete(WebSession).where(col(WebSession.account_id) == account_id))


async def delete_stale_sessions(
    *, session: AsyncSession, now: datetime, idle_since: datetime
) -> None:
    """Sessions past their end, or idle since before `idle_since`: nobody can use them."""
    await session.exec(
        delete(WebSession).where(
            or_(col(WebSession.expires_at) <= now, col(WebSession.last_seen_at) < idle_since)
        )
    )


# ---- one-time links ----


async def insert_link(*, session: AsyncSession, link: WebLink) -> None:
    session.add(link)
    await session.flush()


async def delete_old_links(*, session: AsyncSession, before: datetime) -> None:
    await session.exec(delete(WebLink).where(col(WebLink.expires_at) < before))


async def find_usable_link(
    *, session: AsyncSession, token_hash: str, now: datetime
) -> WebLink | None:
    query = select(WebLink).where(
        col(WebLink.token_hash) == token_hash,
        col(WebLink.used_at).is_(None),
        col(WebLink.expires_at) > now,
    )
    return (await session.exec(query)).first()


async def use_link(*, session: AsyncSession, token_hash: str, now: datetime) -> str | None:
    """Marks the link used, once: the account it opens, or None if it was used, expired
    or unknown. One statement, so two submissions of the same link cannot both pass."""
    links = table_of(WebLink)
    statement = (
        update(links)
        .where(
            links.c.token_hash == token_hash,
            links.c.used_at.is_(None),
            links.c.expires_at > now,
        )
        .values(used_at=now)
        .returning(links.c.account_id)
    )
    account_id = (await session.exec(statement)).scalar_one_or_none()
    if account_id is not None:
        # Every other link of the account stops working too: the newest password wins.
        await session.exec(
            update(links)
            .where(links.c.account_id == account_id, links.c.used_at.is_(None))
            .values(used_at=now)
        )
    return None if account_id is None else str(account_id)


async def set_locale(*, session: AsyncSession, account_id: str, locale: str) -> None:
    await session.exec(
        update(WebAccount).where(col(WebAccount.id) == account_id).values(locale=locale)
    )
