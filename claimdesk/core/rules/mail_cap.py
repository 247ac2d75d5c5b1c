"""Edition 3's cap on the e-mails a party's repeatable actions send, so that a flood of
them cannot flood a mailbox: a recipient gets at most `policy.message_mails_per_hour`
*updates* per claim in any rolling hour. An update is an e-mail an action a party may
repeat at will sends another party: a message (`Template.MESSAGE`), a merchant's
acknowledgement or rejection (`MERCHANT_ANSWERED`), a request for information from the
merchant or an operator (`INFO_REQUESTED`), a proposal (`PROPOSAL`). One that is past the
cap is stored and on the timeline as always, but not e-mailed on its own: when the hour of
the recipient's oldest update ends, one digest tells them how many more updates wait on the
claim (a durable timer, like every deadline), and the digest counts as one of the hour's
updates. A claim that closes sends what is held at once.

Never held (`must_go=True`; it still counts as one of the hour's updates): an update that asks
the customer for something they are not yet asked for — a request for information while
none is pending (the claim does not await the customer), a proposal while none stands.
What may be held is only a further one while the claim already awaits the customer (they
were e-mailed what it awaits), or a proposal replacing the standing one; no deadline runs
on a request or a proposal, the claim's page always shows the latest, and the digest
points there within the hour. E-mails caused by a step the claim takes once (a decision,
findings, a resolution, an escalation, a deadline, a closing, the answer to a proposal)
never pass here and are never held.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from claimdesk.core import editions
from claimdesk.core.domain import MessageMails, Recipient, Template

if TYPE_CHECKING:
    from claimdesk.core.rules.state import ClaimState

WINDOW = timedelta(hours=1)


def tell(
    state: ClaimState,
    seq: int,
    template: Template,
    recipient: Recipient,
    now: datetime,
    details: Mapping[str, object],
    *,
    must_go: bool = False,
) -> None:
    """E-mails `recipient` an update about event `seq`, or holds it for their digest."""
    policy = state.input.policy
    if not editions.message_mails_capped(policy):
        state.order_mail(seq, template, recipient, **details)
        return
    mails = _mails_of(state, recipient)
    if mails.held == 0:
        _forget_before(mails, now)
    full = mails.held or len(mails.sent) >= policy.message_mails_per_hour
    if full and not must_go:
        if mails.held == 0:  # when the hour holds one less than the cap (a must-go is over)
            mails.digest_at = mails.sent[len(mails.sent) - policy.message_mails_per_hour] + WINDOW
        mails.held += 1
        mails.last_held_seq = seq
        return
    mails.sent.append(now)
    state.order_mail(seq, template, recipient, **details)


def digest_due(state: ClaimState) -> datetime | None:
    """When the next digest is due, if any update waits for one."""
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
