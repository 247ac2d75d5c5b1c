"""API keys: how they look, how they are checked, and who the caller is."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.deps import EngineDep
from api.errors import Forbidden, ProblemError, Unauthorized
from claimdesk.core.domain import Actor, Role, Standing
from claimdesk.core.permissions import OPERATOR_TOOL_ROLES
from claimdesk.store import keys, merchants
from claimdesk.store.db import sessions
from claimdesk.store.models import ApiKey

KEY_PREFIX = "cdk"


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
        if key is not None and key.role == Role.MERCHANT.value and key.merchant_id is not None:
            standing = await merchants.merchant_standing(
                session=session, merchant_id=key.merchant_id
            )
            if standing is Standing.TERMINATED:
                raise merchant_terminated(key.merchant_id)
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


# What a route asks for to know its caller: the key, checked on every request.
PrincipalDep = Annotated[Principal, Depends(authenticate)]


async def authenticate_operator(principal: PrincipalDep) -> Principal:
    """The one door to the operators' tools (the codec server): an operator's API key today;
    the web sign-in's session cookie is to be accepted here too, for the Temporal UI."""
    require_role(principal, *OPERATOR_TOOL_ROLES)
    return principal


def require_role(principal: Principal, *roles: Role) -> None:
    """For resources that are not scoped (nothing to hide): the wrong role is a plain 403."""
    if principal.role not in roles:
        names = ", ".join(role.value for role in roles)
        raise Forbidden(f"only {names} keys may do this")


OperatorDep = Annotated[Principal, Depends(authenticate_operator)]
