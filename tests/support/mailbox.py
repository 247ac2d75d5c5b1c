"""A real SMTP server (aiosmtpd) for tests: keeps what it receives, can refuse on demand."""

from __future__ import annotations

import email
import email.policy
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

# Re-exported: the stack tests pick their ports with it.
from claimdesk.run.launch import free_port as free_port


@dataclass
class _Handler:
    received: list[EmailMessage] = field(default_factory=list)
    refuse_next: int = 0  # answer this many DATA commands with a temporary failure
    reject: set[str] = field(default_factory=set)  # addresses refused for good (550)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.reject & {address.lower() for address in envelope.rcpt_tos}:
            return "550 5.1.1 no such mailbox"
        if self.refuse_next > 0:
            self.refuse_next -= 1
            return "451 4.3.0 try again later"
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(message)
        return "250 OK"


class Mailbox:
    """An SMTP server on 127.0.0.1 whose messages a test can read."""

    def __init__(self) -> None:
        self.port = free_port()
        self._handler = _Handler()
        self._controller = Controller(self._handler, hostname="127.0.0.1", port=self.port)

    def start(self) -> Mailbox:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def refuse_next(self, count: int) -> None:
        self._handler.refuse_next = count

    def reject_for_good(self, address: str) -> None:
        self._handler.reject.add(address.lower())

    @property
    def messages(self) -> list[EmailMessage]:
        return list(self._handler.received)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self._handler.received if address in str(m["To"])]

    def header(self, name: str) -> list[str]:
        return [str(m[name]) for m in self._handler.received]

    def wait_for(self, count: int, timeout: float = 10.0, **match: Any) -> list[EmailMessage]:
        """Waits until at least `count` messages whose headers contain `match` arrived."""
        deadline = time.monotonic() + timeout
        while True:
            found = [
                m
                for m in self._handler.received
                if all(str(v) in str(m.get(k.replace("_", "-"), "")) for k, v in match.items())
            ]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.05)
