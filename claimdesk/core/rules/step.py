"""What a transition hands the workflow (a `Step`, or `Refused`), and how details are written."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from claimdesk.core.domain import MailOrder, TimelineEvent


class Refused(Exception):
    """An action that does not fit the claim as it stands; the claim is unchanged."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Step:
    """What the workflow must carry out after one transition, in this order."""

    events: list[TimelineEvent] = field(default_factory=list)
    strike: bool = False
    mails: list[MailOrder] = field(default_factory=list)

    def then(self, other: Step) -> Step:
        return Step(
            events=self.events + other.events,
            strike=self.strike or other.strike,
            mails=self.mails + other.mails,
        )


def text(**details: object) -> dict[str, str]:
    """Event and e-mail details as text, leaving out what is absent."""
    return {key: str(value) for key, value in details.items() if value is not None}


def iso(moment: datetime) -> str:
    return moment.isoformat()


def yes(flag: bool) -> str:
    return "yes" if flag else "no"
