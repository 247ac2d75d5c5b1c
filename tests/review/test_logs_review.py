"""Hostile review of issue 14 item 6: an address in a log line the suite does not look at."""

from __future__ import annotations

import asyncio
import logging
import socket
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from fastapi import Request
from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from api import errors
from api.web import linkmail
from claimdesk.adapters.logs import TEXT_FORMAT, JsonFormatter
from claimdesk.core.domain import Locale
from claimdesk.core.settings import Settings
from tests.support.api import Api

ADDRESS = "zelda.quixote@example.org"


class _Refusing:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        return f"550 5.1.1 <{address}>: recipient unknown"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_a_refused_sign_in_link_is_logged_without_the_address(
    caplog: pytest.LogCaptureFixture,
) -> None:
    port = _free_port()
    smtp = Controller(_Refusing(), hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        settings = Settings(smtp_host="127.0.0.1", smtp_port=port)
        with caplog.at_level(logging.INFO):
            await linkmail.send_link(settings, to=ADDRESS, token="t" * 32, locale=Locale.EN)
    finally:
        smtp.stop()
    # As the service's JSON formatter writes each record (message and exception).
    formatter = JsonFormatter()
    logged = [formatter.format(r) for r in caplog.records if r.name != "mail.log"]
    assert logged, "nothing logged"
    assert not [line for line in logged if ADDRESS in line], logged


async def test_a_store_timeout_answered_503_is_logged_without_the_statements_parameters(
    engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    """A statement cancelled by PostgreSQL (statement_timeout, a failover) is an
    OperationalError: the API answers 503 and logs the error's text, which SQLAlchemy
    writes with the statement's parameters (the engine does not hide them)."""
    with pytest.raises(sa_exc.OperationalError) as raised:
        async with engine.connect() as conn:
            await conn.execute(text("SET statement_timeout = 10"))
            await conn.execute(
                text("SELECT pg_sleep(1), CAST(:e AS text)"),
                {"e": ADDRESS},
            )
    request = Request({"type": "http", "method": "GET", "path": "/claims", "headers": []})
    with caplog.at_level(logging.INFO):
        answer = await errors._on_anything(request, raised.value)
    assert answer.status_code == 503
    formatter = JsonFormatter()
    logged = [formatter.format(r) for r in caplog.records]
    assert logged and not [line for line in logged if ADDRESS in line], logged


async def test_the_access_line_names_only_a_claim_reference_never_the_raw_path_segment(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    """The access line's `claim=` (and every record's `claim`, via bind_claim) is the raw,
    URL-decoded `{reference}` path segment, logged whatever the route's validation says
    of it: any text a caller puts there (an e-mail address, say) is logged at INFO as a
    claim reference. (A CR/LF in it does not reach the log: the route does not match.)"""
    operator = await api.key("operator")
    with caplog.at_level(logging.INFO, logger="claimdesk.access"):
        await api.http.get(f"/claims/{quote(ADDRESS)}", headers=operator)
        await asyncio.sleep(0.3)  # the line is written once the answer is sent
    formatter = logging.Formatter(TEXT_FORMAT)
    lines = [formatter.format(r) for r in caplog.records if r.name == "claimdesk.access"]
    assert len(lines) == 1, lines
    assert ADDRESS not in lines[0], lines
