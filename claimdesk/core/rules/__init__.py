"""The claim's rules: which action fits which state, what each deadline does. Pure, no I/O.

The workflow feeds a `ClaimState` the messages it receives and the deadlines that
fall due, and carries out the `Step` each one returns: timeline events to store,
e-mails to send, and whether to record a merchant strike.

Import from here. Inside: `state` (the claim, its opening and hand-over, the bookkeeping
of a transition and the view after it), `actions` (what each action does), `ladder` (the
deadlines and what each does when due), `closing` (how a claim closes, by either),
`results` (what the workflow learns carrying a step out) and `step` (what it is handed).
"""

from __future__ import annotations

from claimdesk.core.rules.ladder import LADDER, TOP_LEVEL
from claimdesk.core.rules.state import ClaimState
from claimdesk.core.rules.step import Refused, Step

__all__ = ["LADDER", "TOP_LEVEL", "ClaimState", "Refused", "Step"]
