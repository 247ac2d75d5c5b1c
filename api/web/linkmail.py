"""The e-mail with a one-time link, sent over SMTP from the API process (not a claim event)."""

from __future__ import annotations

import email.policy
import logging
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import urlencode

from activities.mail import Connection
from api.web.messages import message
from claimdesk.core.domain import Locale, without_addresses
from claimdesk.core.mail import MAX_HEADER_LINE
from claimdesk.core.settings import Settings

log = logging.getLogger(__name__)
TEMPLATE = "sign_in_link"
SET_PASSWORD = "/app/set-password"


def link_message(settings: Settings, *, to: str, token: str, locale: Locale) -> EmailMessage:
    home = settings.public_url.rstrip("/")
    link = f"{home}{SET_PASSWORD}?{urlencode({'token': token})}"
    minutes = int(settings.web_link_ttl.total_seconds() // 60)
    mail = EmailMessage(policy=email.policy.default.clone(max_line_length=MAX_HEADER_LINE))
    mail["From"] = settings.mail_from
    mail["To"] = to
    mail["Date"] = formatdate(localtime=False)
    mail["Subject"] = message(locale, "mail_subject")
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "claimdesk.localhost"
    mail["Message-ID"] = make_msgid(domain=domain)
    mail["X-Claimdesk-Template"] = TEMPLATE
    mail.set_content(
        message(locale, "mail_body", email=to, link=link, minutes=minutes, home=f"{home}/")
    )
    mail["Content-Language"] = locale.value
    return mail


async def send_link(settings: Settings, *, to: str, token: str, locale: Locale) -> None:
    """Sends it now; a failure is logged (the page answered already, the same either way)."""
    try:
        async with Connection(settings) as smtp:
            await smtp.send(link_message(settings, to=to, token=token, locale=locale))
    except Exception as error:
        # Not the traceback: SMTP errors quote the recipient, and a log holds no address.
        log.error(
            "the sign-in link e-mail could not be sent: %s: %s",
            type(error).__name__,
            without_addresses(str(error)),
        )
