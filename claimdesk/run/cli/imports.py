"""`claimdesk transactions import`: a CSV streamed into the store in batches, all or nothing."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated

import typer
from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from claimdesk.run.cli.records import describe, fail, in_store
from claimdesk.store.imports import Clash, Staging
from claimdesk.store.transactions import TransactionRow

if TYPE_CHECKING:
    import _csv

CSV_HEADER = ["id", "merchant_id", "customer_email", "amount", "currency", "occurred_at"]
BATCH = 5_000  # rows per COPY into the staging table
PROGRESS_EVERY = 20_000
NAMED = 20  # problems named one by one; the rest are counted
MAX_LINE_BYTES = 64 * 1024  # a transaction fits in far less; bounds what one read holds

transactions_app = typer.Typer(no_args_is_help=True, help="Load payment transactions.")


class Unreadable(Exception):
    """The file cannot be read as CSV text; nothing was imported."""


def utf8_lines(handle: IO[bytes]) -> Iterator[str]:
    """The file's lines, decoded as strict UTF-8 (a leading BOM dropped).

    Each line is decoded on its own, so an error names the line and the byte where it is.
    """
    offset = 0
    number = 0
    while raw := handle.readline(MAX_LINE_BYTES + 1):
        number += 1
        if len(raw) > MAX_LINE_BYTES:
            raise Unreadable(f"line {number} is longer than {MAX_LINE_BYTES} bytes")
        text = (
            raw[len(codecs.BOM_UTF8) :] if number == 1 and raw.startswith(codecs.BOM_UTF8) else raw
        )
        try:
            yield text.decode("utf-8")
        except UnicodeDecodeError as error:
            at = offset + len(raw) - len(text) + error.start
            raise Unreadable(
                f"line {number} is not UTF-8: byte 0x{text[error.start]:02x} at offset {at}"
                " of the file (save it as UTF-8 and import it again)"
            ) from None
        offset += len(raw)


def _records(reader: _csv.Reader) -> Iterator[list[str]]:
    """The reader's records; a malformed one (a stray quote, a NUL) names its line."""
    try:
        yield from reader
    except csv.Error as error:
        raise Unreadable(f"line {reader.line_num}: {error}") from None


def _row(record: list[str]) -> TransactionRow:
    from api.schemas import TransactionIn

    checked = TransactionIn.model_validate(
        dict(zip(CSV_HEADER, (value.strip() for value in record), strict=True))
    )
    return TransactionRow(**checked.model_dump())


class Problems:
    """The file's problems: the first `NAMED` in words, all of them counted."""

    def __init__(self) -> None:
        self.named: list[str] = []
        self.count = 0

    def add(self, text: str) -> None:
        self.count += 1
        if len(self.named) < NAMED:
            self.named.append(text)

    def refuse(self, name: str, what: str) -> typer.Exit:
        more = self.count - len(self.named)
        lines = [*self.named, *([f"... and {more:,} more"] if more else [])]
        return fail("\n".join([*lines, f"{name}: {self.count:,} {what}; nothing imported"]))


async def stage(staging: Staging, handle: IO[bytes], name: str, max_rows: int) -> int:
    """Checks every row as POST /transactions does and stages the valid ones in batches;
    returns the row count, or raises the file's refusal naming its bad rows."""
    reader = csv.reader(utf8_lines(handle), strict=True)
    header = next(reader, None)
    if header is None or [field.strip() for field in header] != CSV_HEADER:
        raise Unreadable(f"the header must be {','.join(CSV_HEADER)}")
    rows = 0
    problems = Problems()
    batch: list[tuple[int, TransactionRow]] = []
    for record in _records(reader):
        rows += 1
        if rows > max_rows:
            raise Unreadable(f"more than {max_rows:,} rows (--max-rows)")
        if len(record) != len(CSV_HEADER):
            problems.add(
                f"line {reader.line_num}: {len(CSV_HEADER)} fields expected, not {len(record)}"
            )
        else:
            try:
                batch.append((reader.line_num, _row(record)))
            except ValidationError as error:
                problems.add(f"line {reader.line_num}: {describe(error)}")
        if len(batch) >= BATCH:
            await staging.add(batch)
            batch.clear()
        if rows % PROGRESS_EVERY == 0:
            typer.echo(f"{name}: {rows:,} rows read and checked", err=True)
    await staging.add(batch)
    if problems.count:
        raise problems.refuse(name, "row(s) refused")
    return rows


def _clash(clash: Clash) -> str:
    claims = " and has claims" if clash.has_claims else ""
    return (
        f"line {clash.line}: transaction {clash.transaction_id} is stored with another "
        f"{', '.join(clash.fields)}{claims}"
    )


async def check_and_apply(
    *, session: AsyncSession, staging: Staging, name: str, update: bool
) -> tuple[int, int]:
    """Refuses repeated ids and (unless `update`) rows differing from the store; with
    `update`, rows differing from a transaction with claims; returns (inserted, updated)."""
    problems = Problems()
    for transaction_id, lines in await staging.repeated(limit=NAMED):
        problems.add(f"transaction {transaction_id} repeated on lines {', '.join(map(str, lines))}")
    if problems.count:
        raise problems.refuse(name, "transaction id(s) repeated")
    # Insert first, then compare: a transaction recorded meanwhile is compared too.
    inserted = await staging.insert_new(session=session, at=datetime.now(UTC))
    if update:
        await staging.lock_claims()
    total, clashes = await staging.clashes(with_claims_only=update, limit=NAMED)
    for clash in clashes:
        problems.add(_clash(clash))
    problems.count = total
    if total and update:
        raise problems.refuse(name, "row(s) would change a transaction with claims")
    if total:
        raise problems.refuse(
            name, "row(s) differ from the stored transaction (--update replaces them)"
        )
    updated = await staging.update_differing() if update else 0
    return inserted, updated


@transactions_app.command("import")
def import_transactions(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="UTF-8 CSV with header " + ",".join(CSV_HEADER),
        ),
    ],
    update: Annotated[
        bool,
        typer.Option(
            "--update",
            help="Replace stored transactions the file gives other data for; "
            "a transaction with claims is never changed (the file is refused).",
        ),
    ] = False,
    max_rows: Annotated[
        int, typer.Option(min=1, help="Refuse a file with more data rows than this.")
    ] = 1_000_000,
) -> None:
    """Load transactions, all or nothing: one refused row and nothing is imported.

    A row already stored with the same data is left as it is; one stored with other data
    refuses the file, unless --update.
    """

    async def work(session: AsyncSession) -> tuple[int, int, int]:
        staging = await Staging.open(session=session)
        with file.open("rb") as handle:
            try:
                rows = await stage(staging, handle, str(file), max_rows)
            except Unreadable as error:
                raise fail(f"{file}: {error}; nothing imported") from None
        typer.echo(f"{file}: {rows:,} rows checked; comparing with the store", err=True)
        inserted, updated = await check_and_apply(
            session=session, staging=staging, name=str(file), update=update
        )
        return rows, inserted, updated

    rows, inserted, updated = in_store(work)
    typer.echo(
        f"imported {rows:,} transaction(s) from {file}: {inserted:,} new, {updated:,} updated, "
        f"{rows - inserted - updated:,} already stored as they are"
    )


def register(app: typer.Typer) -> None:
    """Adds this module's commands to `app`."""
    app.add_typer(transactions_app, name="transactions")
