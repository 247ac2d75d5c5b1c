"""The mail activity: render a step's mail orders and send each over SMTP, at most once per key."""

from __future__ import annotations

import email.policy
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage

import aiosmtplib
from aiosmtplib.email import extract_recipients, extract_sender
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio import activity
from temporalio.exceptions import ApplicationError

from claimdesk.core.audience import report_for
from claimdesk.core.domain import (
    Locale,
    MailBatch,
    MailOrder,
    MailReceipt,
    MailRefusal,
    Recipient,
    Role,
    Template,
    without_addresses,
)
from claimdesk.core.mail import (
    MAX_HEADER_LINE,
    MerchantCard,
    RenderedMail,
    build_message,
    message_id,
    render,
)
from claimdesk.core.report import Mediator, render_report
from claimdesk.core.settings import Settings
from claimdesk.store import mail_log, merchants
from claimdesk.store.claims import load_report
from claimdesk.store.db import sessions

MAIL_REFUSED = "MailRefused"


@dataclass(frozen=True)
class Address:
    email: str
    merchant_without_contact: bool = False


class Connection:
    """One SMTP connection for a batch of e-mails, opened when the first one needs it.

    A connection a failed e-mail may have left in a bad state is dropped; the next e-mail
    opens a fresh one.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._client: aiosmtplib.SMTP | None = None

    async def __aenter__(self) -> Connection:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._drop(quit=True)

    async def send(self, message: EmailMessage) -> None:
        if self._client is None or not self._client.is_connected:
            host, port = self._settings.smtp_target
            self._client = aiosmtplib.SMTP(
                hostname=host, port=port, timeout=self._settings.smtp_timeout_seconds
            )
            await self._client.connect()
        try:
            await _send_unfolded(self._client, message)
        except BaseException:
            await self._drop(quit=False)
            raise

    async def _drop(self, *, quit: bool) -> None:
        client, self._client = self._client, None
        if client is None or not client.is_connected:
            return
        try:
            if quit:
                await client.quit()
            else:
                client.close()
        except aiosmtplib.SMTPException:
            client.close()


class MailActivities:
    def __init__(self, engine: AsyncEngine, settings: Settings) -> None:
        self._engine = engine
        self._settings = settings

    @activity.defn(name="send_mails")
    async def send_mails(self, batch: MailBatch) -> MailReceipt:
        """Sends every e-mail of a step that was not sent yet, each at most once.

        A permanent refusal of one e-mail is reported, not raised, so the others still
        go out. A temporary failure of any is raised after the rest were tried: Temporal
        retries the batch, and what was already sent is skipped by its key.
        """
        meter = activity.metric_meter()
        sent = meter.create_counter("claimdesk_emails_sent", "E-mails the SMTP server accepted")
        failed = meter.create_counter(
            "claimdesk_emails_failed", "E-mail attempts refused or failed (temporary or not)"
        )
        receipt = MailReceipt()
        failure: Exception | None = None
        async with Connection(self._settings) as smtp, sessions(self._engine)() as session:
            cards: dict[str, MerchantCard | None] = {}
            for order in batch.orders:
                activity.heartbeat(order.key)
                try:
                    if await self._send(order, smtp, session, cards, receipt):
                        sent.add(1)
                except ApplicationError as refused:
                    if refused.type != MAIL_REFUSED:
                        raise
                    failed.add(1)
                    receipt.refused.append(MailRefusal(order, refused.message))
                except Exception as error:  # retried as a whole, once the others were tried
                    failed.add(1)
                    activity.logger.warning(
                        "e-mail %s not sent yet: %s", order.key, without_addresses(str(error))
                    )
                    failure = failure or error
        if failure is not None:
            raise failure
        return receipt

    async def _send(
        self,
        order: MailOrder,
        smtp: Connection,
        session: AsyncSession,
        cards: dict[str, MerchantCard | None],
        receipt: MailReceipt,
    ) -> bool:
        """Sends the order's e-mail unless its key was already sent; says whether it sent.

        Each e-mail is its own transaction on the batch's session: its log row is written,
        then the message is sent, and the row commits only after the SMTP server accepted
        it. An SMTP failure rolls the row back and raises, so Temporal retries; an attempt
        that finds the key logged skips it, and a concurrent attempt on the same key waits
        on the row and then skips.
        """
        async with session.begin():
            merchant = await _merchant_card(session, order.claim.merchant_id, cards)
            address = self._address(order, merchant)
            if address.merchant_without_contact:
                # Sent now or before: the workflow learns it on every attempt that gets here.
                receipt.merchant_without_contact.append(order)
            rendered = await self._render(order, session, address, merchant)
            now = datetime.now(UTC)
            try:
                message = build_message(
                    order, rendered, to=address.email, settings=self._settings, date=now
                )
            except (ValueError, UnicodeError) as unusable:
                if await mail_log.mail_already_sent(session=session, key=order.key):
                    return False  # sent before the merchant's address changed to this one
                # An address no message can be written to will not improve on retry.
                raise _refusal(
                    f"cannot write an e-mail to the {order.recipient.value}'s address: {unusable}"
                ) from unusable
            claimed = await mail_log.log_sent_mail(
                session=session,
                key=order.key,
                reference=order.claim.reference,
                template=str(order.template),
                recipient=address.email,
                subject=rendered.subject,
                message_id=message_id(order.key, self._settings),
                sent_at=now,
            )
            if not claimed:
                activity.logger.info("mail %s already sent, skipping", order.key)
                return False
            await _deliver(smtp, message, order.recipient)
        # One line per e-mail sent: a retried attempt skips it (logged above, by its key).
        activity.logger.info(
            "e-mail sent: %s to the %s",
            order.template.value,
            order.recipient.value,
            extra={"template": order.template.value, "recipient": order.recipient.value},
        )
        return True

    async def _render(
        self,
        order: MailOrder,
        session: AsyncSession,
        address: Address,
        merchant: MerchantCard | None,
    ) -> RenderedMail:
        report = None
        if order.template is Template.CLOSED:
            # The workflow writes the projection before it sends mail, so the store
            # holds the closed claim and its full timeline by now.
            found = await load_report(session=session, reference=order.claim.reference)
            # The closing e-mail goes to the customer: their part of the claim only.
            mediator = Mediator.of(self._settings)
            report = (
                None if found is None else render_report(report_for(Role.CUSTOMER, found), mediator)
            )
        return render(
            order,
            settings=self._settings,
            report=report,
            merchant_without_contact=address.merchant_without_contact,
            merchant=merchant,
        )

    def _address(self, order: MailOrder, merchant: MerchantCard | None) -> Address:
        if order.recipient is Recipient.CUSTOMER:
            return Address(order.claim.customer_email)
        if order.recipient is Recipient.MERCHANT:
            if merchant is not None and merchant.email:
                return Address(merchant.email)
            return Address(self._settings.operator_email, merchant_without_contact=True)
        return Address(self._settings.operator_email)


async def _merchant_card(
    session: AsyncSession, merchant_id: str, cards: dict[str, MerchantCard | None]
) -> MerchantCard | None:
    """The merchant as its record stands now, looked up once per batch."""
    if merchant_id not in cards:
        row = await merchants.get_merchant(session=session, merchant_id=merchant_id)
        cards[merchant_id] = (
            None
            if row is None
            else MerchantCard(
                name=row.name,
                email=row.email or None,
                phone=row.phone,
                locale=Locale(row.locale) if row.locale else None,
            )
        )
    return cards[merchant_id]


async def _deliver(smtp: Connection, message: EmailMessage, to: Recipient) -> None:
    """Sends `message`; a temporary failure raises as it is (Temporal retries), a permanent
    refusal (no such mailbox, say) as `MAIL_REFUSED`, which no retry would change."""
    try:
        await smtp.send(message)
    except aiosmtplib.SMTPResponseException as refused:
        if refused.code < 500:
            raise
        raise _refusal(f"the {to.value}'s address refused: {refused.code} {refused.message}") from (
            refused
        )
    except aiosmtplib.SMTPRecipientsRefused as refused:
        answers = "; ".join(f"{one.code} {one.message}" for one in refused.recipients)
        raise _refusal(f"the {to.value}'s address refused: {answers}") from refused


def _refusal(reason: str) -> ApplicationError:
    """A refusal for the timeline and the logs: it names the recipient's role, and any
    address the server's answer quotes is blanked out."""
    return ApplicationError(without_addresses(reason), type=MAIL_REFUSED, non_retryable=True)


async def _send_unfolded(client: aiosmtplib.SMTP, message: EmailMessage) -> None:
    """`send_message`, but with the headers as `build_message` wrote them: aiosmtplib
    flattens with `email.policy.SMTP`, whose 78-column folding gives a long Subject a
    leading space (or a double one) in the readers that unfold it."""
    if client.is_ehlo_or_helo_needed:
        await client.ehlo()
    sender = extract_sender(message)
    recipients = extract_recipients(message)
    if sender is None or not recipients:
        raise ValueError("a message needs a From and a To")
    options: list[str] = []
    utf8 = not (sender + "".join(recipients)).isascii()
    if utf8:
        if not client.supports_extension("smtputf8"):
            raise aiosmtplib.SMTPNotSupported("a non-ASCII address needs SMTPUTF8")
        options.append("SMTPUTF8")
    eight_bit = client.supports_extension("8BITMIME")
    if eight_bit:
        options.append("BODY=8BITMIME")
    policy = (email.policy.SMTPUTF8 if utf8 else email.policy.SMTP).clone(
        max_line_length=MAX_HEADER_LINE, cte_type="8bit" if eight_bit else "7bit"
    )
    await client.sendmail(sender, recipients, message.as_bytes(policy=policy), mail_options=options)
