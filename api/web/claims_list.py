"""The lists of claims on the parties' pages: a customer's, newest first; a merchant's
inbox, most urgent first (claimdesk/store/inbox.py) — each as the API shows the claims."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from api import claims_read
from api.auth import Principal
from api.schemas import ClaimOut
from claimdesk.store import claims, inbox
from claimdesk.store.db import sessions

PAGE_SIZE = 25
_SMALL_NUMBER = re.compile(r"[0-9]{1,7}")
MAX_OFFSET = 1_000_000


@dataclass
class Listing:
    items: list[ClaimOut]
    next_offset: int | None


def offset_of(value: str) -> int:
    """A page's `offset` query parameter; anything but a small number is the first page."""
    if not _SMALL_NUMBER.fullmatch(value):  # ASCII digits only: "²".isdigit() is True
        return 0
    return int(value) if int(value) <= MAX_OFFSET else 0


async def customer_claims(engine: AsyncEngine, principal: Principal, offset: int) -> Listing:
    async with sessions(engine)() as session:
        rows = await claims.list_claim_rows(
            session=session,
            customer_email=principal.customer_filter,
            merchant_id=principal.merchant_filter,
            limit=PAGE_SIZE + 1,
            offset=offset,
        )
        items = await claims_read.claims_out(
            session=session, principal=principal, rows=rows[:PAGE_SIZE]
        )
    return Listing(items, offset + PAGE_SIZE if len(rows) > PAGE_SIZE else None)


async def merchant_inbox(
    engine: AsyncEngine, principal: Principal, offset: int, *, closed: bool
) -> Listing:
    assert principal.merchant_id is not None
    async with sessions(engine)() as session:
        rows = await inbox.inbox_rows(
            session=session,
            merchant_id=principal.merchant_id,
            closed=closed,
            limit=PAGE_SIZE + 1,
            offset=offset,
        )
        items = await claims_read.claims_out(
            session=session, principal=principal, rows=rows[:PAGE_SIZE]
        )
    return Listing(items, offset + PAGE_SIZE if len(rows) > PAGE_SIZE else None)
