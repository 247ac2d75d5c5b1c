"""API keys: how they look, how they are checked, and who the caller is; and the web claim
center's session cookie, looked up here once for the pages and the operators' tools alike."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from api.deps import EngineDep, SettingsDep
from api.errors import Forbidden, ProblemError, Unauthorized
from claimdesk.core.domain import Actor, Role, Standing
from claimdesk.core.permissions import OPERATOR_TOOL_ROLES
from claimdesk.core.settings import Settings
from claimdesk.store import keys, merchants, web_accounts
from claimdesk.store.db import sessions, unit_of_work
from claimdesk.store.models import ApiKey, WebAccount, WebSession

KEY_PREFIX = "cdk"
SESSION_COOKIE = "claimdesk_session"  # the web claim center's sign-in (api/web/identity.py)
SESSION_COOKIE_MAX = 100  # longer than any token we issue: refused unread


def hash_secret(key: str) -> str:
    """The stored form of a key: its SHA-256, so a leaked table reveals no usable key."""
    return hashlib.sha256(key.encode()).hexdigest()


def new_api_key() -> tuple[str, str]:
    """A fresh key id and the full key `cdk_<id>_<secret>` (the id lets one revoke it by name)."""
    key_id = secrets.token_hex(6)
    return key_id, f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"


def issue_api_key(
    role: str, *, email: str | None = None, merchant_id: str | None = None
) -> tuple[ApiKey, str]:
    """A new key's row to store (its hash, never the key) and the key, to show once."""
    key_id, secret = new_api_key()
    row = ApiKey(
        id=key_id,
        role=role,
        email=email,
        merchant_id=merchant_id,
        secret_hash=hash_secret(secret),
        created_at=datetime.now(UTC),
    )
    return row, secret


@dataclass(frozen=True)
class Principal:
    """The caller, as their API key says."""

    role: Role
    key_id: str
    email: str | None = None
    merchant_id: str | None = None

    @property
    def actor(self) -> Actor:
        """Who the workflow records: the customer's e-mail, the merchant id, the operator key."""
        if self.role is Role.CUSTOMER:
            assert self.email is not None
            return Actor(role=Role.CUSTOMER, id=self.email)
        if self.role is Role.MERCHANT:
            assert self.merchant_id is not None
            return Actor(role=Role.MERCHANT, id=self.merchant_id)
        return Actor(role=Role.OPERATOR, id=self.key_id)

    @property
    def customer_filter(self) -> str | None:
        """The e-mail a customer's reads are limited to; None for everyone else."""
        return self.email if self.role is Role.CUSTOMER else None

    @property
    def merchant_filter(self) -> str | None:
        """The merchant a merchant's reads are limited to; None for everyone else."""
        return self.merchant_id if self.role is Role.MERCHANT else None


_bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer cdk_…`")


async def authenticate(
    engine: EngineDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """Looks the key up on every request, so a revoked key is refused at once.

    In its own short session: a request-wide one kept its connection checked out while the
    handler waited on Temporal, and 32 concurrent POST /claims emptied the pool (503s).
    """
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("send an API key as `Authorization: Bearer <key>`")
    token = credentials.credentials.strip()
    if not token.startswith(f"{KEY_PREFIX}_") or len(token) > 200:
        raise Unauthorized("this is not a claimdesk API key")
    async with sessions(engine)() as session:
        key = await keys.find_active_api_key(session=session, secret_hash=hash_secret(token))
        shop = key.merchant_id if key is not None and key.role == Role.MERCHANT.value else None
        if shop is not None and await is_terminated(session=session, merchant_id=shop):
            raise merchant_terminated(shop)
    if key is None:
        raise Unauthorized("unknown or revoked API key")
    return Principal(
        role=Role(key.role), key_id=key.id, email=key.email, merchant_id=key.merchant_id
    )


def merchant_terminated(merchant_id: str) -> ProblemError:
    """A terminated merchant's keys are refused like a revoked key (401, which every route
    documents), under their own type so the merchant knows why; reinstating lifts it."""
    return ProblemError(
        401,
        "merchant-terminated",
        "Merchant terminated",
        f"merchant {merchant_id} is terminated: its API keys are refused until an operator "
        "reinstates it",
        headers={"WWW-Authenticate": 'Bearer realm="claimdesk", error="invalid_token"'},
    )


async def is_terminated(*, session: AsyncSession, merchant_id: str) -> bool:
    standing = await merchants.merchant_standing(session=session, merchant_id=merchant_id)
    return standing is Standing.TERMINATED


# What a route asks for to know its caller: the key, checked on every request.
PrincipalDep = Annotated[Principal, Depends(authenticate)]


# ---- the web claim center's sessions ----


@dataclass(frozen=True)
class Space:
    """Where a signed-in person acts: their role, and their shop for a merchant."""

    role: Role
    merchant_id: str | None = None


def space_from(facts: web_accounts.PersonFacts) -> Space | None:
    """The one decision of where a person acts, from the records as they are now: operator
    if flagged; else the merchant whose contact address it is; else a customer if the
    address bought something; else nobody (None). Made at sign-in and on every request."""
    if facts.operator:
        return Space(Role.OPERATOR)
    if facts.merchant_id is not None:
        return Space(Role.MERCHANT, facts.merchant_id)
    if facts.has_bought:
        return Space(Role.CUSTOMER)
    return None


def principal_of(account: WebAccount, row: WebSession) -> Principal:
    """The signed-in person as the API's routes know a caller."""
    return Principal(
        role=Role(row.role),
        key_id=account.id,
        email=account.email if row.role == Role.CUSTOMER.value else None,
        merchant_id=row.merchant_id,
    )


async def session_of(
    engine: AsyncEngine, settings: Settings, *, token: str
) -> tuple[WebAccount, WebSession] | None:
    """The account and session of a session cookie, its last use now; None once it expired,
    idled out, or for a value no session of ours could have.

    Where the person acts is decided again from the records (`space_from`, in the same
    query as the session): a session whose space is no longer the one it was opened in (a
    merchant's contact address changed, an operator flag removed, …) or whose merchant is
    terminated is deleted, and the person signs in again into what they are now."""
    if not token or len(token) > SESSION_COOKIE_MAX:
        return None
    now = datetime.now(UTC)
    async with unit_of_work(engine) as session:
        found = await web_accounts.touch_session(
            session=session,
            id_hash=hash_secret(token),
            now=now,
            idle_since=now - settings.web_session_idle,
        )
        if found is None:
            return None
        row, account, facts = found
        space = space_from(facts)
        if (
            space is None
            or (space.role.value, space.merchant_id) != (row.role, row.merchant_id)
            or facts.merchant_status == Standing.TERMINATED.value
        ):
            await web_accounts.delete_session(session=session, id_hash=row.id_hash)
            return None
        return account, row


async def authenticate_operator(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The one door to the operators' tools (the codec server): an operator's API key as
    `Authorization: Bearer` (the CLI's `--codec-auth`), or, without that header, an operator's
    web session cookie (the Temporal UI calls from the browser with credentials: it cannot
    send a key). A key sent decides alone: a bad one is refused, whatever the cookie.

    No CSRF token is asked of the cookie: these routes only decrypt or encrypt what is sent
    and change nothing; the cookie is SameSite=Lax (no cross-site POST carries it) and CORS
    lets only the Temporal UI's origins read an answer.
    """
    if credentials is not None:
        principal = await authenticate(engine, credentials)
    else:
        found = await session_of(engine, settings, token=request.cookies.get(SESSION_COOKIE, ""))
        if found is None:
            raise Unauthorized(
                "send an operator's API key as `Authorization: Bearer <key>`, or sign in to "
                "the claim center as an operator (its session cookie)"
            )
        principal = principal_of(*found)
    require_role(principal, *OPERATOR_TOOL_ROLES)
    return principal


def require_role(principal: Principal, *roles: Role) -> None:
    """For resources that are not scoped (nothing to hide): the wrong role is a plain 403."""
    if principal.role not in roles:
        names = ", ".join(role.value for role in roles)
        raise Forbidden(f"only {names} keys may do this")


OperatorDep = Annotated[Principal, Depends(authenticate_operator)]
