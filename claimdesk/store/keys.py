"""API keys: issued, listed and revoked by the CLI, looked up on every request."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from claimdesk.store.models import ApiKey


async def insert_api_key(*, session: AsyncSession, key: ApiKey) -> None:
    session.add(key)
    await session.flush()


async def list_api_keys(*, session: AsyncSession) -> Sequence[ApiKey]:
    return (await session.exec(select(ApiKey).order_by(col(ApiKey.created_at)))).all()


async def revoke_api_key(*, session: AsyncSession, key_id: str, at: datetime) -> bool:
    """Marks the key revoked (the first time stays); False if there is no such key."""
    key = await session.get(ApiKey, key_id)
    if key is None:
        return False
    if key.revoked_at is None:
        key.revoked_at = at
        session.add(key)
        await session.flush()
    return True


async def find_active_api_key(*, session: AsyncSession, secret_hash: str) -> ApiKey | None:
    query = select(ApiKey).where(
        col(ApiKey.secret_hash) == secret_hash, col(ApiKey.revoked_at).is_(None)
    )
    return (await session.exec(query)).first()
