"""The migrated schema is there and a fresh database is empty."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

import claimdesk.store.models  # noqa: F401 - registers the tables on SQLModel.metadata


async def test_fresh_database_has_every_table_and_no_rows(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        tables = set(
            (
                await conn.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                )
            ).scalars()
        )
        assert {"claims", "claim_events", "sent_mails", "transactions", "merchants"} <= tables
        assert (await conn.execute(text("SELECT count(*) FROM claims"))).scalar_one() == 0


async def test_migrations_build_exactly_the_schema_the_models_describe(engine: AsyncEngine) -> None:
    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection)
        return list(compare_metadata(context, SQLModel.metadata))

    async with engine.connect() as conn:
        assert await conn.run_sync(differences) == []
