"""A transactions import: rows staged in a temporary table, then compared and applied set-wise.

Everything happens on the caller's session, in its transaction: a refused file rolls back
and leaves the store as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple, dataclass
from datetime import datetime
from typing import Any

import psycopg
from sqlmodel.ext.asyncio.session import AsyncSession

from claimdesk.store.merchants import ensure_merchants
from claimdesk.store.transactions import TransactionRow

COLUMNS = tuple(TransactionRow.__dataclass_fields__)
DATA = COLUMNS[1:]  # what a transaction says, besides its id
_STAGED = "import_rows"
_DIFFERS = " OR ".join(f"s.{name} IS DISTINCT FROM t.{name}" for name in DATA)
_DIFFERING_FIELDS = (
    "array_remove(ARRAY["
    + ", ".join(f"CASE WHEN s.{n} IS DISTINCT FROM t.{n} THEN '{n}' END" for n in DATA)
    + "], NULL)"
)
_HAS_CLAIMS = "EXISTS (SELECT 1 FROM claims c WHERE c.transaction_id = t.id)"


@dataclass(frozen=True)
class Clash:
    """A row of the file whose transaction is stored with other data."""

    line: int
    transaction_id: str
    fields: tuple[str, ...]
    has_claims: bool


class Staging:
    """The file's rows in a temporary table that the commit (or rollback) drops."""

    def __init__(self, connection: psycopg.AsyncConnection[Any]) -> None:
        self._connection = connection

    @classmethod
    async def open(cls, *, session: AsyncSession) -> Staging:
        raw = await (await session.connection()).get_raw_connection()
        connection = raw.driver_connection
        assert isinstance(connection, psycopg.AsyncConnection)
        await connection.execute(
            f"CREATE TEMP TABLE {_STAGED} (line integer NOT NULL, LIKE transactions) ON COMMIT DROP"
        )
        return cls(connection)

    async def add(self, rows: Sequence[tuple[int, TransactionRow]]) -> None:
        """Stages `(line, row)` pairs with one COPY."""
        statement = f"COPY {_STAGED} (line, {', '.join(COLUMNS)}) FROM STDIN"
        async with self._connection.cursor() as cursor, cursor.copy(statement) as copy:
            for line, row in rows:
                await copy.write_row((line, *astuple(row)))

    async def repeated(self, *, limit: int) -> list[tuple[str, list[int]]]:
        """Ids the file holds more than once, with their lines (the first `limit`)."""
        cursor = await self._connection.execute(
            f"SELECT id, array_agg(line ORDER BY line) FROM {_STAGED}"
            " GROUP BY id HAVING count(*) > 1 ORDER BY min(line) LIMIT %s",
            (limit,),
        )
        return [(str(id_), list(lines)) for id_, lines in await cursor.fetchall()]

    async def clashes(self, *, with_claims_only: bool, limit: int) -> tuple[int, list[Clash]]:
        """How many rows differ from their stored transaction, and the first `limit` of them."""
        where = f"({_DIFFERS})" + (f" AND {_HAS_CLAIMS}" if with_claims_only else "")
        cursor = await self._connection.execute(
            f"SELECT s.line, s.id, {_DIFFERING_FIELDS}, {_HAS_CLAIMS}, count(*) OVER ()"
            f" FROM {_STAGED} s JOIN transactions t ON t.id = s.id WHERE {where}"
            " ORDER BY s.line LIMIT %s",
            (limit,),
        )
        found = await cursor.fetchall()
        total = found[0][4] if found else 0
        return total, [
            Clash(line, id_, tuple(fields), claims) for line, id_, fields, claims, _ in found
        ]

    async def insert_new(self, *, session: AsyncSession, at: datetime) -> int:
        """Adds the merchants and transactions not stored yet; returns how many transactions."""
        cursor = await self._connection.execute(f"SELECT DISTINCT merchant_id FROM {_STAGED}")
        merchant_ids = [str(merchant_id) for (merchant_id,) in await cursor.fetchall()]
        await ensure_merchants(session=session, merchant_ids=merchant_ids, at=at)
        columns = ", ".join(COLUMNS)
        cursor = await self._connection.execute(
            f"INSERT INTO transactions ({columns}) SELECT {columns} FROM {_STAGED}"
            " ON CONFLICT (id) DO NOTHING"
        )
        return cursor.rowcount

    async def lock_claims(self) -> None:
        """Holds claims from being filed or changed until the import commits, so no claim
        lands on a transaction between the check that it has none and its update."""
        await self._connection.execute("LOCK TABLE claims IN SHARE MODE")

    async def update_differing(self) -> int:
        """Rewrites the stored transactions the file gives other data for (none with claims)."""
        assignments = ", ".join(f"{name} = s.{name}" for name in DATA)
        cursor = await self._connection.execute(
            f"UPDATE transactions t SET {assignments} FROM {_STAGED} s"
            f" WHERE t.id = s.id AND ({_DIFFERS}) AND NOT {_HAS_CLAIMS}"
        )
        return cursor.rowcount
