"""The details each timeline event and each e-mail carries: its keys, required or optional.

One declaration for both ends. The rules check every event and e-mail they write against
it, so a key they leave out or do not declare fails at once; the renderer hands a template
every key declared for it (None for an optional one left out) and no other, so a template
reading a key that is not there fails under StrictUndefined instead of rendering blank.
On the wire details stay what they were: `dict[str, str]`, absent keys left out. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from claimdesk.core.domain import EventKind, Template


class DetailsMismatch(ValueError):
    """Details that do not fit their declaration: a programming error, never a user's."""


@dataclass(frozen=True)
class Keys:
    """The detail keys of one event kind or one e-mail template."""

    required: frozenset[str]
    optional: frozenset[str]

    @property
    def names(self) -> frozenset[str]:
        return self.required | self.optional

    def check(self, details: Mapping[str, str], what: object) -> None:
        """Raises `DetailsMismatch` unless `details` has every required key and no other."""
        missing = self.required - details.keys()
        undeclared = details.keys() - self.names
        if missing or undeclared:
            raise DetailsMismatch(
                f"{what}: missing {sorted(missing)}, not declared {sorted(undeclared)}"
            )

    def complete(self, details: Mapping[str, str]) -> dict[str, str | None]:
        """Every declared key, None for an optional one the details leave out."""
        self.check(details, "details")
        return {name: details.get(name) for name in sorted(self.names)}


def _keys(*required: str, optional: tuple[str, ...] = ()) -> Keys:
    return Keys(frozenset(required), frozenset(optional))


# The same details go in the event and in the e-mail that tells of it.
_PROPOSAL = _keys("kind", optional=("amount", "message"))
_DECISION = _keys("outcome", "note", optional=("amount",))
_RESOLUTION = _keys("outcome", "satisfaction_by", optional=("amount", "note"))

EVENT_DETAILS: dict[EventKind, Keys] = {
    EventKind.OPENED: _keys("subject"),
    EventKind.ROUTED: _keys("queue", "level"),
    EventKind.MERCHANT_NOTIFIED: _keys("respond_by"),
    EventKind.MESSAGE: _keys("body"),
    EventKind.PROPOSAL_MADE: _PROPOSAL,
    EventKind.INFO_REQUESTED: _keys("question"),
    EventKind.MERCHANT_ACKNOWLEDGED: _keys(optional=("message", "reason")),
    EventKind.MERCHANT_REJECTED: _keys("reason", optional=("message",)),
    EventKind.PROPOSAL_ACCEPTED: _keys("kind", optional=("reason",)),
    EventKind.PROPOSAL_REJECTED: _keys(optional=("reason",)),
    # Up a rung of the ladder (team, merchant_silent) or after a rejected proposal (cause);
    # findings_by: when the investigation's findings are due (edition 2).
    EventKind.ESCALATED: _keys(
        "level", optional=("team", "merchant_silent", "cause", "findings_by")
    ),
    EventKind.SATISFACTION: _keys("verdict", optional=("comment", "rating")),
    EventKind.REFERRED_TO_MEDIATION: _keys(optional=("comment",)),
    EventKind.DECISION: _DECISION,
    EventKind.RESOLVED: _RESOLUTION,
    EventKind.REOPENED: _keys("level", optional=("comment", "findings_by")),
    # agreement: on a platform close, what the customer agreed to; recourse: the claim
    # ends without the customer's satisfaction, they are told of mediator and court
    # (both edition 2).
    EventKind.CLOSED: _keys("reason", optional=("note", "agreement", "recourse")),
    EventKind.DEADLINE_REACHED: _keys("deadline"),
    EventKind.SLA_BREACHED: _keys("merchant_silent"),
    EventKind.MERCHANT_REMINDED: _keys("respond_by"),
    EventKind.MERCHANT_STRIKE: _keys("strikes", "limit", "restricted"),
    EventKind.MERCHANT_RESTRICTED: _keys("strikes"),
    EventKind.MAIL_UNDELIVERABLE: _keys("template", "recipient", "reason"),
    EventKind.INTERNAL_NOTE: _keys("note"),
    # cause: no_contact_address or mail_refused; level: the claim's level after it;
    # findings_by: when the investigation's findings are due, if owed.
    EventKind.MERCHANT_UNREACHABLE: _keys("cause", "level", optional=("findings_by",)),
    EventKind.MERCHANT_TERMINATED: _keys("level", optional=("findings_by",)),
    # Edition 3: the level the claim goes back to, and when its merchant must answer by.
    # and the findings the take-over owed that the give-back withdrew, if any.
    EventKind.MERCHANT_REINSTATED: _keys("level", "respond_by", optional=("findings_withdrawn",)),
    EventKind.FINDINGS: _keys("note"),
    EventKind.FINDINGS_OVERDUE: _keys("findings_by"),
}

MAIL_DETAILS: dict[Template, Keys] = {
    # respond_by: a delivery claim sent to its merchant. A claim opened with the platform
    # (edition 2): handled_by "platform" and findings_by.
    Template.ACKNOWLEDGEMENT: _keys(optional=("respond_by", "handled_by", "findings_by")),
    Template.NEW_CLAIM_OPERATORS: _keys("queue"),
    Template.NEW_CLAIM_MERCHANT: _keys("respond_by"),
    Template.ESCALATED: _keys("level", "merchant_silent", optional=("findings_by",)),
    Template.MERCHANT_REMINDER: _keys("respond_by"),
    Template.SLA_BREACHED: _keys("merchant_silent"),
    Template.MERCHANT_STRIKE: _keys("strikes", "limit", "restricted"),
    Template.MESSAGE: _keys("author", "body"),
    Template.INFO_REQUESTED: _keys("author", "question"),
    Template.MERCHANT_ANSWERED: _keys("action", optional=("message", "reason")),
    Template.PROPOSAL: _PROPOSAL,
    Template.PROPOSAL_ANSWERED: _keys("answer", optional=("reason",)),
    Template.RESOLVED: _RESOLUTION,
    Template.DECISION: _DECISION,
    Template.REOPENED: _keys("level", optional=("comment", "findings_by")),
    Template.MEDIATION: _keys(optional=("comment",)),
    Template.CLOSED: _keys("reason", optional=("recourse",)),
    Template.CLOSED_NOTICE: _keys("reason"),
    # cause: merchant_terminated, no_contact_address or mail_refused.
    Template.PLATFORM_TAKES_OVER: _keys("cause", "level", optional=("findings_by",)),
    # The claim's level is in the claim itself: a customer's timeline reads no level here.
    Template.MERCHANT_HANDLES_AGAIN: _keys("respond_by", optional=("findings_withdrawn",)),
    Template.FINDINGS: _keys("note"),
    Template.FINDINGS_OVERDUE: _keys("findings_by", "level"),
    Template.MESSAGE_DIGEST: _keys("count"),
}
