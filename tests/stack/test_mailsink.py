"""The SMTP sink keeps each message once as an .eml file, across restarts, and notes resends."""

from __future__ import annotations

import email
import email.policy
import logging
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import pytest

from claimdesk.adapters.mailsink import DROPPED, serve_mail_sink
from tests.support.mailbox import free_port


def _message(message_id: str, subject: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "claims@claimdesk.localhost"
    message["To"] = "ada@example.com"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["X-Claimdesk-Template"] = "acknowledgement"
    message.set_content("Your claim CLM-TEST-0001 is open.")
    return message


async def _send(port: int, *messages: EmailMessage) -> None:
    for message in messages:
        await aiosmtplib.send(message, hostname="127.0.0.1", port=port, timeout=5)


def _kept(directory: Path) -> list[EmailMessage]:
    found = []
    for path in sorted(directory.glob("*.eml")):
        parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        found.append(parsed)
    return found


async def test_each_message_is_kept_as_an_eml_file(tmp_path: Path) -> None:
    port = free_port()
    server = await serve_mail_sink(tmp_path / "mail", "127.0.0.1", port)
    try:
        await _send(port, _message("<a@claimdesk>", "first"), _message("<b@claimdesk>", "second"))
    finally:
        server.close()
        await server.wait_closed()

    kept = _kept(tmp_path / "mail")
    assert [m["Subject"] for m in kept] == ["first", "second"]
    assert kept[0]["X-Claimdesk-Template"] == "acknowledgement"
    assert "CLM-TEST-0001" in kept[0].get_content()
    assert not list((tmp_path / "mail").glob("*.part"))
    assert not (tmp_path / "mail" / DROPPED).exists()


async def test_a_resent_message_id_is_dropped_even_after_a_restart(tmp_path: Path) -> None:
    directory = tmp_path / "mail"
    port = free_port()
    server = await serve_mail_sink(directory, "127.0.0.1", port)
    try:
        await _send(
            port, _message("<same@claimdesk>", "once"), _message("<same@claimdesk>", "again")
        )
    finally:
        server.close()
        await server.wait_closed()
    assert [m["Subject"] for m in _kept(directory)] == ["once"]

    port = free_port()
    server = await serve_mail_sink(directory, "127.0.0.1", port)
    try:
        await _send(port, _message("<same@claimdesk>", "after restart"))
        await _send(port, _message("<other@claimdesk>", "new"))
    finally:
        server.close()
        await server.wait_closed()
    assert sorted(str(m["Subject"]) for m in _kept(directory)) == ["new", "once"]
    # Each message dropped is noted, so a resend is visible though it shows once.
    dropped = (directory / DROPPED).read_text().splitlines()
    assert [line.split(" ", 1)[1] for line in dropped] == ["<same@claimdesk>"] * 2


async def test_the_sink_logs_nothing_per_message_at_info(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()
    with caplog.at_level(logging.INFO):
        server = await serve_mail_sink(tmp_path / "mail", "127.0.0.1", port)
        try:
            await _send(port, _message("<c@claimdesk>", "third"))
        finally:
            server.close()
            await server.wait_closed()
    assert len(_kept(tmp_path / "mail")) == 1
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO] == []
    assert "ada@example.com" not in caplog.text
