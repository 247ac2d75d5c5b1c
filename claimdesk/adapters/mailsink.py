"""The embedded stack's SMTP server: keeps every message it receives as an `.eml` file."""

from __future__ import annotations

import asyncio
import email
import email.policy
import hashlib
import logging
import os
from datetime import UTC, datetime
from pathlib import Path

from aiosmtpd.smtp import SMTP, Envelope, Session

# aiosmtpd's logger: at INFO it writes every connection, sender and recipient address.
SMTP_LOGGER = "mail.log"
SUFFIX = ".eml"
# One line per message dropped as already kept: what a reader of the .eml files cannot see.
DROPPED = "dropped.log"


def _message_id(raw: bytes) -> str | None:
    message_id = email.message_from_bytes(raw, policy=email.policy.compat32).get("Message-ID")
    return str(message_id).strip() if message_id else None


def message_digest(raw: bytes) -> str:
    """A short hash naming a message: of its Message-ID, else of its whole content.

    Naming a file after the Message-ID is what lets the sink recognise a message
    it already kept, across restarts, without an index to keep in step.
    """
    message_id = _message_id(raw)
    basis = message_id.encode() if message_id else raw
    return hashlib.sha256(basis).hexdigest()[:12]


class MailSink:
    """An aiosmtpd handler writing each message to `directory/<received-at>-<hash>.eml`.

    A message whose Message-ID it already wrote is accepted and dropped: a sender
    that crashed after sending and retries must not make it show twice. Each drop is
    noted in `directory/dropped.log` (time and Message-ID), so a resend stays visible.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._kept = {
            path.stem.rpartition("-")[2]
            for path in directory.glob(f"*{SUFFIX}")
            if "-" in path.stem
        }

    def keep(self, raw: bytes) -> Path | None:
        """Writes `raw` unless a message with its digest is already kept; returns the new file."""
        digest = message_digest(raw)
        received = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        if digest in self._kept:
            with (self.directory / DROPPED).open("a") as dropped:
                dropped.write(f"{received} {_message_id(raw) or digest}\n")
            return None
        path = self.directory / f"{received}-{digest}{SUFFIX}"
        # Write then rename, so a reader never sees half a message.
        partial = path.with_suffix(".part")
        partial.write_bytes(raw)
        os.replace(partial, path)
        self._kept.add(digest)
        return path

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode()
        if not isinstance(raw, bytes):
            return "554 5.6.0 no message content"
        self.keep(raw)
        return "250 OK"


async def serve_mail_sink(directory: Path, host: str, port: int) -> asyncio.Server:
    """Starts the sink on `host:port` in the running loop; close the returned server to stop.

    The sink is quiet: the .eml files are its record, and aiosmtpd's own lines (the bulk of
    the dev log, with every recipient's address) are kept to its warnings.
    """
    logging.getLogger(SMTP_LOGGER).setLevel(logging.WARNING)
    handler = MailSink(directory)
    loop = asyncio.get_running_loop()
    return await loop.create_server(lambda: SMTP(handler, hostname=host), host=host, port=port)
