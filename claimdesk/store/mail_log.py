"""The log of e-mails sent: one row per key, so each e-mail goes out at most once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from claimdesk.store.models import SentMail, table_of


async def mail_already_sent(*, session: AsyncSession, key: str) -> bool:
    found = await session.exec(select(SentMail.key).where(SentMail.key == key))
    return found.first() is not None


async def log_sent_mail(
    *,
    session: AsyncSession,
    key: str,
    reference: str,
    template: str,
    recipient: str,
    subject: str,
    message_id: str,
    sent_at: datetime,
) -> bool:
    """Logs a mail; False if the key is already logged.

    On a key a concurrent, uncommitted attempt holds, PostgreSQL makes this wait
    for that attempt to finish, so two attempts never both send.
    """
    sent = table_of(SentMail)
    statement = (
        insert(sent)
        .values(
            key=key,
            reference=reference,
            template=template,
            recipient=recipient[:254],
            subject=subject[:300],
            message_id=message_id[:300],
            sent_at=sent_at,
        )
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(sent.c.key)
    )
    return (await session.exec(statement)).first() is not None
