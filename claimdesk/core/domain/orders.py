"""What a claim's workflow hands its activities to carry out, and what they answer."""

# Annotations are evaluated here, not deferred: see the package's docstring.

import re
from dataclasses import dataclass, field
from datetime import datetime

from claimdesk.core.domain.views import ClaimView, TimelineEvent
from claimdesk.core.domain.vocabulary import Recipient, Template


@dataclass
class MailOrder:
    """One e-mail to send; `key` makes it at most once per claim event."""

    key: str
    template: Template
    recipient: Recipient
    claim: ClaimView
    details: dict[str, str] = field(default_factory=dict)


@dataclass
class MailBatch:
    """The e-mails of one step, sent by one activity (one history entry instead of one each)."""

    orders: list[MailOrder]


# Anything shaped like an e-mail address, as SMTP servers and libraries quote them.
_ADDRESS = re.compile(r"[^\s<>\"'(),;:\[\]]+@[^\s<>\"'(),;:\[\]]+")


def without_addresses(text: str) -> str:
    """`text` with every e-mail address in it replaced by `<address>`: what a log line or a
    refusal reason says of a delivery, never to whom."""
    return _ADDRESS.sub("<address>", text)


@dataclass
class MailRefusal:
    """An e-mail the recipient's server refused for good: it will never be sent."""

    order: MailOrder
    reason: str


@dataclass
class MailReceipt:
    """What became of a batch: every order sent (or sent before) except those refused."""

    refused: list[MailRefusal] = field(default_factory=list)
    # Orders for the merchant sent to the operators instead: no contact address on file.
    merchant_without_contact: list[MailOrder] = field(default_factory=list)


@dataclass
class Projection:
    """What the store must hold after a step: the claim and its new timeline events."""

    claim: ClaimView
    events: list[TimelineEvent]
    # The Update (API action) this step answers, if any: its answer is kept with the step.
    answers: str | None = None


@dataclass
class StrikeInput:
    reference: str
    merchant_id: str
    at: datetime
    limit: int


@dataclass
class StrikeResult:
    strikes: int
    restricted: bool
    newly_restricted: bool
