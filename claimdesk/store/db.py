"""Engines and sessions: one async engine per process, one session per unit of work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession


def async_url(url: str) -> str:
    """The SQLAlchemy URL for psycopg 3, whatever form `url` came in."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    raise ValueError(f"not a PostgreSQL URL: {url!r}")


def make_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    return create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        # An error's text names its statement but not the values bound to it: those are
        # customers' data (addresses, names, messages), and the text reaches the logs (the
        # API's 503 line, the worker's activity-failure warning, Temporal's failure info).
        hide_parameters=True,
        # Times come back in UTC whatever the server's zone, as the workflow reports them.
        connect_args={"options": "-c timezone=UTC"},
    )


def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


@asynccontextmanager
async def unit_of_work(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session whose work commits at the end, or rolls back on error."""
    async with sessions(engine)() as session, session.begin():
        yield session


async def ping(*, session: AsyncSession) -> None:
    """Fails unless the database answers."""
    await session.exec(select(1))
