"""The web claim center's accounts as a service: passwords, one-time links, sign-in, sessions.

The pages call these; the SQL is in `claimdesk.store.web_accounts`. Who a person is (their
space) is decided by `api.auth.space_from`, at sign-in and again on every request.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from api.auth import Space, hash_secret, is_terminated, space_from
from claimdesk.core.domain import Locale
from claimdesk.core.settings import Settings
from claimdesk.store import web_accounts
from claimdesk.store.db import unit_of_work
from claimdesk.store.models import WebAccount, WebLink, WebSession

PASSWORD_MIN = 10
PASSWORD_MAX = 256
ACCOUNT_PREFIX = "web-"
LINKS_KEPT = timedelta(days=1)  # past its expiry, a link is kept this long, then deleted

# argon2-cffi's defaults are Argon2id with RFC 9106's second recommended profile.
_hasher = PasswordHasher()


@lru_cache
def _stand_in_hash() -> str:
    """Verified against when the address has no password, so an unknown address or one
    without a password takes as long to refuse as a wrong password."""
    return _hasher.hash(secrets.token_urlsafe(16))


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def password_matches(stored: str | None, password: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher.verify(stored or _stand_in_hash(), password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(verify)


def password_problem(password: str, confirmation: str) -> tuple[str, dict[str, int]] | None:
    """The message key (and its fields) of what is wrong with a new password, or None."""
    if len(password) < PASSWORD_MIN:
        return "err_password_short", {"min": PASSWORD_MIN}
    if len(password) > PASSWORD_MAX:
        return "err_password_long", {"max": PASSWORD_MAX}
    if password != confirmation:
        return "err_password_mismatch", {}
    return None


async def space_of(*, session: AsyncSession, account: WebAccount) -> Space | None:
    """Where the account's person acts now (`api.auth.space_from`, the one decision)."""
    return space_from(await web_accounts.person_facts(session=session, account=account))


# ---- one-time links ----


async def offer_link(engine: AsyncEngine, settings: Settings, *, email: str) -> str | None:
    """A fresh one-time link's token for `email` if the address may have an account (an
    operator's, a merchant's contact, a buyer's), else None. Only its hash is stored."""
    now = datetime.now(UTC)
    async with unit_of_work(engine) as session:
        account = await web_accounts.find_account(session=session, email=email)
        if account is None:
            candidate = WebAccount(id=_account_id(), email=email, created_at=now)
            if await space_of(session=session, account=candidate) is None:
                return None
            account = await web_accounts.ensure_account(
                session=session, account_id=candidate.id, email=email, at=now
            )
        elif await space_of(session=session, account=account) is None:
            return None
        await web_accounts.delete_old_links(session=session, before=now - LINKS_KEPT)
        token = secrets.token_urlsafe(32)
        link = WebLink(
            token_hash=hash_secret(token),
            account_id=account.id,
            created_at=now,
            expires_at=now + settings.web_link_ttl,
        )
        await web_accounts.insert_link(session=session, link=link)
    return token


async def link_account(engine: AsyncEngine, *, token: str) -> WebAccount | None:
    """The account a still-usable link opens (the link stays unused), or None."""
    async with unit_of_work(engine) as session:
        link = await web_accounts.find_usable_link(
            session=session, token_hash=hash_secret(token), now=datetime.now(UTC)
        )
        if link is None:
            return None
        return await web_accounts.get_account(session=session, account_id=link.account_id)


async def use_link(engine: AsyncEngine, *, token: str, password: str) -> WebAccount | None:
    """Spends the link on a new password: every session of the account ends (a stolen one
    included). None if the link was used, expired or unknown; nothing changes then."""
    password_hash = await hash_password(password)
    now = datetime.now(UTC)
    async with unit_of_work(engine) as session:
        account_id = await web_accounts.use_link(
            session=session, token_hash=hash_secret(token), now=now
        )
        if account_id is None:
            return None
        await web_accounts.set_password(
            session=session, account_id=account_id, password_hash=password_hash, at=now
        )
        await web_accounts.delete_sessions_of(session=session, account_id=account_id)
        return await web_accounts.get_account(session=session, account_id=account_id)


# ---- signing in and out ----


@dataclass(frozen=True)
class SignIn:
    """What a sign-in attempt gave: an account and its space, or the message key of why not."""

    account: WebAccount | None = None
    space: Space | None = None
    refusal: str | None = None


async def check_password(engine: AsyncEngine, *, email: str, password: str) -> SignIn:
    async with unit_of_work(engine) as session:
        account = await web_accounts.find_account(session=session, email=email)
        stored = account.password_hash if account is not None else None
        # Verified whatever the account: refusing an unknown address takes as long.
        matches = await password_matches(stored, password)
        if account is None or not matches:
            return SignIn(refusal="err_credentials")
        space = await space_of(session=session, account=account)
        if space is None:
            return SignIn(refusal="err_credentials")
        if space.merchant_id and await is_terminated(
            session=session, merchant_id=space.merchant_id
        ):
            return SignIn(refusal="err_merchant_terminated")
    return SignIn(account=account, space=space)


async def open_session(
    engine: AsyncEngine,
    settings: Settings,
    *,
    account: WebAccount,
    space: Space,
    replacing: str | None = None,
) -> str:
    """A new session row for the account, the browser's previous one (`replacing`, its cookie)
    deleted; returns the new cookie's value (only its hash is kept)."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    row = WebSession(
        id_hash=hash_secret(token),
        account_id=account.id,
        role=space.role.value,
        merchant_id=space.merchant_id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        expires_at=now + settings.web_session_ttl,
    )
    async with unit_of_work(engine) as session:
        await web_accounts.delete_stale_sessions(
            session=session, now=now, idle_since=now - settings.web_session_idle
        )
        if replacing:
            await web_accounts.delete_session(session=session, id_hash=hash_secret(replacing))
        await web_accounts.insert_session(session=session, row=row)
    return token


async def close_session(engine: AsyncEngine, *, token: str) -> None:
    async with unit_of_work(engine) as session:
        await web_accounts.delete_session(session=session, id_hash=hash_secret(token))


async def remember_locale(engine: AsyncEngine, *, account_id: str, locale: str) -> None:
    async with unit_of_work(engine) as session:
        await web_accounts.set_locale(session=session, account_id=account_id, locale=locale)


def _account_id() -> str:
    return ACCOUNT_PREFIX + secrets.token_hex(6)


def locale_of(account: WebAccount | None) -> Locale | None:
    return Locale(account.locale) if account is not None and account.locale else None
