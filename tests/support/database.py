"""Test databases: the URL of another database on the same server."""

from __future__ import annotations


def with_database(url: str, database: str) -> str:
    """`url` pointed at another database on the same server."""
    base, _, query = url.partition("?")
    head, _, _ = base.rpartition("/")
    return f"{head}/{database}" + (f"?{query}" if query else "")
