"""What a request handler may ask for: the settings, a store session, the Temporal client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client

from claimdesk.core.settings import Settings
from claimdesk.store.db import sessions


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> AsyncEngine:
    engine: AsyncEngine = request.app.state.engine
    return engine


def get_temporal(request: Request) -> Client:
    client: Client = request.app.state.temporal
    return client


async def get_session(
    engine: Annotated[AsyncEngine, Depends(get_engine)],
) -> AsyncIterator[AsyncSession]:
    """A session for reads and single-statement writes; the handler commits what it writes."""
    async with sessions(engine)() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[AsyncEngine, Depends(get_engine)]
TemporalDep = Annotated[Client, Depends(get_temporal)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
