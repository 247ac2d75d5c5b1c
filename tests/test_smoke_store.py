"""The migrated schema is there and a fresh database is empty."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


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
