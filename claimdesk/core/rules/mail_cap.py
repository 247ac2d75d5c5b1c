"""Edition 3's cap on e-mails about messages, so that a flood of messages cannot flood a
mailbox: a recipient gets at most `policy.message_mails_per_hour` of them per claim in any
rolling hour. A message past the cap is stored and on the timeline as always, but not
e-mailed on its own: when the hour of the recipient's oldest e-mail ends, one digest tells
them how many messages wait on the claim (a durable timer, like every deadline), and the
digest counts as one of the hour's e-mails. A claim that closes sends what is held at once.
Decisions, deadlines, proposals and closings are never capped: only `Template.MESSAGE`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from claimdesk.core import editions
from claimdesk.core.domain import MessageMails, Recipient, Template

if TYPE_CHECKING:
    from claimdesk.core.rules.state import ClaimState

WINDOW = timedelta(hours=1)


def tell_of_message(
    state: ClaimState, seq: int, recipient: Recipient, now: datetime, **details: str
) -> None:
    """E-mails `recipient` about message `seq`, or holds it for their digest."""
    policy = state.input.policy
    if not editions.message_mails_capped(policy):
        state.order_mail(seq, Template.MESSAGE, recipient, **details)
        return
    mails = _mails_of(state, recipient)
    if mails.held == 0:
        _forget_before(mails, now)
    if mails.held or len(mails.sent) >= policy.message_mails_per_hour:
        if mails.held == 0:
            mails.digest_at = mails.sent[0] + WINDOW
        mails.held += 1
        mails.last_held_seq = seq
        return
    mails.sent.append(now)
    state.order_mail(seq, Template.MESSAGE, recipient, **details)


def digest_due(state: ClaimState) -> datetime | None:
    """When the next digest is due, if any message waits for one."""
    return min((m.digest_at for m in state.message_mails if m.digest_at is not None), default=None)


def send_digests(state: ClaimState, now: datetime, *, all_held: bool = False) -> bool:
    """Sends each digest due at `now` (every one, `all_held`: the claim closes); whether any."""
    sent = False
    for mails in state.message_mails:
        if mails.digest_at is None or not (all_held or mails.digest_at <= now):
            continue
        _forget_before(mails, now)
        state.order_mail(
            mails.last_held_seq, Template.MESSAGE_DIGEST, mails.recipient, count=mails.held
        )
        mails.sent.append(now)
        mails.held, mails.digest_at = 0, None
        sent = True
    return sent


def _mails_of(state: ClaimState, recipient: Recipient) -> MessageMails:
    for mails in state.message_mails:
        if mails.recipient == recipient:
            return mails
    state.message_mails.append(MessageMails(recipient=recipient))
    return state.message_mails[-1]


def _forget_before(mails: MessageMails, now: datetime) -> None:
    """Drops the e-mails that left the rolling hour."""
    mails.sent = [at for at in mails.sent if at > now - WINDOW]
