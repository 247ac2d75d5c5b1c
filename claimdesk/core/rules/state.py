"""A claim as its workflow holds it: fields, opening, hand-over, and each transition's output.

A transition leaves behind timeline events, e-mails and perhaps a strike, which `_finish`
hands the workflow as a `Step`, with the view of the claim after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime

from claimdesk.core import editions
from claimdesk.core.details import EVENT_DETAILS, MAIL_DETAILS
from claimdesk.core.domain import (
    Action,
    Answered,
    CarriedState,
    ClaimInput,
    ClaimView,
    ClosedReason,
    Deadline,
    EventKind,
    MailOrder,
    MessageMails,
    Outcome,
    Proposal,
    Recipient,
    Role,
    Status,
    StrikeResult,
    Subject,
    Template,
    TimelineEvent,
)
from claimdesk.core.permissions import ActionInput, content_refusal, why_not
from claimdesk.core.rules import actions, ladder, mail_cap, reinstatement, results, takeover
from claimdesk.core.rules.step import Refused, Step, iso, text

# What a run hands the next: CarriedState's fields, each the ClaimState field of the same
# name, but `answered` (the Updates answered lately, which the workflow keeps).
_CARRIED = tuple(f.name for f in fields(CarriedState) if f.name != "answered")


@dataclass
class _Mail:
    seq: int
    template: Template
    recipient: Recipient
    details: dict[str, str]


@dataclass
class ClaimState:
    """One claim as its workflow holds it."""

    input: ClaimInput
    status: Status = Status.OPEN
    level: int = 1
    sla_breached: bool = False
    merchant_answered: bool = False
    customer_owed_answer: bool = False
    proposal: Proposal | None = None
    outcome: Outcome | None = None
    closed_reason: ClosedReason | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    last_activity_at: datetime | None = None
    updated_at: datetime | None = None
    ladder_done: set[Deadline] = field(default_factory=set)
    findings_due_at: datetime | None = None  # the investigation's findings (rules/findings)
    findings_overdue: bool = False
    seq: int = 0
    version: int = 0
    merchant_unreachable: bool = False
    merchant_terminated: bool = False
    taken_over_at_level: int | None = None  # edition 3: see rules/reinstatement
    ladder_from: datetime | None = None
    message_mails: list[MessageMails] = field(default_factory=list)  # edition 3 (mail_cap)
    platform_question_open: bool = False  # edition 3: see rules/actions
    _events: list[TimelineEvent] = field(default_factory=list, repr=False)
    _mails: list[_Mail] = field(default_factory=list, repr=False)
    _wants_strike: bool = field(default=False, repr=False)

    # ---- opening and hand-over ----

    @classmethod
    def open(cls, claim: ClaimInput) -> tuple[ClaimState, Step]:
        state = cls(input=claim, last_activity_at=claim.opened_at, updated_at=claim.opened_at)
        now = claim.opened_at
        policy = claim.policy
        # The filing is the customer's first request: owed an answer like any later one.
        state.customer_owed_answer = editions.filing_is_a_request(policy)
        seq = state.record_event(now, Role.CUSTOMER, EventKind.OPENED, subject=claim.subject)
        if takeover.opens_with_platform(claim):
            takeover.open_with_platform(state, seq, now)
            return state, state._finish(now)
        state.order_mail(seq, Template.ACKNOWLEDGEMENT, Recipient.CUSTOMER, **state._respond_by())
        if claim.subject is Subject.PAYMENT:
            seq = state.record_event(
                now, Role.SYSTEM, EventKind.ROUTED, queue="customer_service", level=1
            )
            state.order_mail(
                seq, Template.NEW_CLAIM_OPERATORS, Recipient.OPERATORS, queue="customer_service"
            )
        else:
            respond_by = claim.opened_at + policy.level2_after
            seq = state.record_event(
                now, Role.SYSTEM, EventKind.MERCHANT_NOTIFIED, respond_by=iso(respond_by)
            )
            state.order_mail(
                seq, Template.NEW_CLAIM_MERCHANT, Recipient.MERCHANT, respond_by=iso(respond_by)
            )
            state.order_mail(
                seq, Template.NEW_CLAIM_OPERATORS, Recipient.OPERATORS, queue="informed"
            )
        return state, state._finish(now)

    def _respond_by(self) -> dict[str, str]:
        if not self.is_delivery:
            return {}
        return {"respond_by": iso(self.input.opened_at + self.input.policy.level2_after)}

    @classmethod
    def resume(cls, claim: ClaimInput) -> ClaimState:
        """The claim as the previous run handed it over (continue-as-new)."""
        carried = claim.carried
        assert carried is not None and carried.status is not Status.CLOSED
        values = {name: getattr(carried, name) for name in _CARRIED}
        values["ladder_done"] = set(carried.ladder_done)
        return cls(input=replace(claim, carried=None), **values)

    def handover(self, answered: Sequence[Answered] = ()) -> ClaimInput:
        """The next run's input: the claim as it stands (a closed claim never continues).

        `answered`: the Updates answered lately, which the next run must not carry out again.
        """
        assert not self.is_closed and self.last_activity_at and self.updated_at
        assert not (self._events or self._mails or self._wants_strike)
        values = {name: getattr(self, name) for name in _CARRIED}
        # A list in Deadline order: the same set always hands over the same payload.
        values["ladder_done"] = sorted(self.ladder_done, key=list(Deadline).index)
        return replace(self.input, carried=CarriedState(**values, answered=list(answered)))

    # ---- what may be done now ----

    @property
    def is_closed(self) -> bool:
        return self.status is Status.CLOSED

    @property
    def is_delivery(self) -> bool:
        return self.input.subject is Subject.DELIVERY

    def allowed_actions(self, role: Role) -> list[Action]:
        return [action for action in Action if why_not(self, action, role) is None]

    def refusal(self, action: Action, message: ActionInput) -> str | None:
        """Why `message` cannot be carried out as `action` now, or None if it can."""
        return why_not(self, action, message.actor.role) or content_refusal(self, message)

    # ---- transitions: each returns what the workflow must carry out ----

    def act(self, action: Action, message: ActionInput, now: datetime) -> Step:
        """Carries out `message` as `action`, or raises `Refused` leaving the claim as it was."""
        why = self.refusal(action, message)
        if why is not None:
            raise Refused(why)
        if action is not Action.INTERNAL_NOTE:
            # A note between operators is no communication with the parties (120 days).
            self.last_activity_at = now
        actions.HANDLERS[action](self, message, now)
        return self._finish(now)

    def advance(self, now: datetime) -> Step:
        """Fires every deadline due at `now`, in order, then sends the digests due."""
        fired = ladder.fire_due(self, now)
        digests = mail_cap.send_digests(self, now)
        return self._finish(now) if fired or digests else Step()

    def strike_recorded(self, result: StrikeResult, now: datetime) -> Step:
        """Records the outcome of a non-cooperation strike the store counted."""
        results.strike_recorded(self, result, now)
        return self._finish(now)

    def mail_undeliverable(self, order: MailOrder, reason: str, now: datetime) -> Step:
        """Records an e-mail the recipient's server refused for good, for operators to see."""
        results.mail_undeliverable(self, order, reason, now)
        return self._finish(now)

    def termination_refusal(self) -> str | None:
        """Why the platform does not take the claim over from its terminated merchant."""
        return takeover.termination_refusal(self)

    def take_over_from_terminated_merchant(self, now: datetime) -> Step:
        """The platform takes the claim over from its terminated merchant, or raises `Refused`."""
        why = self.termination_refusal()
        if why is not None:
            raise Refused(why)
        takeover.merchant_terminated(self, now)
        return self._finish(now)

    def reinstatement_refusal(self) -> str | None:
        """Why the claim does not go back to its reinstated merchant."""
        return reinstatement.refusal(self)

    def return_to_reinstated_merchant(self, now: datetime) -> Step:
        """The claim goes back to its reinstated merchant (edition 3), or raises `Refused`."""
        why = self.reinstatement_refusal()
        if why is not None:
            raise Refused(why)
        reinstatement.merchant_reinstated(self, now)
        return self._finish(now)

    def merchant_mail_unreachable(self, cause: str, now: datetime) -> Step:
        """The merchant's e-mail cannot reach it: the platform steps in (an empty step when
        it already did, the claim no longer awaits an answer, or under edition 1)."""
        if not takeover.merchant_unreachable(self, cause, now):
            return Step()
        return self._finish(now)

    # ---- deadlines ----

    def deadlines(self) -> list[tuple[datetime, Deadline]]:
        """Every timer the claim is waiting on, earliest first."""
        return ladder.deadlines(self)

    def next_timer(self) -> datetime | None:
        """When the workflow must wake up next, if ever: a deadline, or a digest (edition 3)."""
        return min(at for at, _ in self._timers()) if self._timers() else None

    def next_timer_label(self) -> str:
        """What the next timer is for, as its summary in Temporal says."""
        timers = self._timers()
        return min(timers)[1] if timers else "deadline"

    def _timers(self) -> list[tuple[datetime, str]]:
        due = [(at, deadline.value) for at, deadline in self.deadlines()[:1]]
        digest = mail_cap.digest_due(self)
        return due if digest is None else [*due, (digest, Template.MESSAGE_DIGEST.value)]

    def next_deadline(self) -> tuple[datetime, Deadline] | None:
        """The next deadline that will change something: what people are shown."""
        return ladder.next_deadline(self)

    # ---- what a transition leaves behind (for the rules' modules) ----

    def record_event(self, at: datetime, actor: Role, kind: EventKind, /, **details: object) -> int:
        """Adds a timeline event to the transition under way; its sequence number.

        Raises `DetailsMismatch` if the details are not those declared for `kind`.
        """
        written = text(**details)
        EVENT_DETAILS[kind].check(written, f"event {kind.value}")
        self.seq += 1
        self._events.append(TimelineEvent(self.seq, at, actor, kind, written))
        return self.seq

    def order_mail(
        self, seq: int, template: Template, recipient: Recipient, /, **details: object
    ) -> None:
        """Adds an e-mail about event `seq` to the transition under way."""
        written = text(**details)
        MAIL_DETAILS[template].check(written, f"e-mail {template.value}")
        self._mails.append(_Mail(seq, template, recipient, written))

    def order_strike(self) -> None:
        """Asks the workflow to record a non-cooperation strike against the merchant."""
        self._wants_strike = True

    def _finish(self, now: datetime) -> Step:
        """Closes a transition: a new version, the view after it, and what to carry out."""
        if self.is_closed:  # what waited for a digest is told now: no timer runs any more
            mail_cap.send_digests(self, now, all_held=True)
        self.version += 1
        self.updated_at = now
        view = self.view()
        reference = self.input.reference
        mails = [
            MailOrder(
                key=f"{reference}/{m.seq}/{m.template.value}/{m.recipient.value}",
                template=m.template,
                recipient=m.recipient,
                claim=view,
                details=m.details,
            )
            for m in self._mails
        ]
        step = Step(events=self._events, strike=self._wants_strike, mails=mails)
        self._events, self._mails, self._wants_strike = [], [], False
        return step

    # ---- reporting ----

    def view(self) -> ClaimView:
        claim = self.input
        upcoming = self.next_deadline()
        assert self.updated_at is not None
        return ClaimView(
            reference=claim.reference,
            transaction_id=claim.transaction.id,
            merchant_id=claim.transaction.merchant_id,
            customer_email=claim.contact.email,
            customer_name=claim.contact.name,
            subject=claim.subject,
            category=claim.category,
            description=claim.description,
            locale=claim.locale,
            amount=claim.transaction.amount,
            currency=claim.transaction.currency,
            status=self.status,
            escalation_level=self.level,
            sla_breached=self.sla_breached,
            next_deadline=upcoming[0] if upcoming else None,
            next_deadline_kind=upcoming[1] if upcoming else None,
            proposal=replace(self.proposal) if self.proposal else None,
            outcome=replace(self.outcome) if self.outcome else None,
            closed_reason=self.closed_reason,
            opened_at=claim.opened_at,
            updated_at=self.updated_at,
            resolved_at=self.resolved_at,
            closed_at=self.closed_at,
            transaction_occurred_at=claim.transaction.occurred_at,
            allowed_actions={
                role.value: [a.value for a in self.allowed_actions(role)]
                for role in (Role.CUSTOMER, Role.MERCHANT, Role.OPERATOR)
            },
            version=self.version,
            customer_phone=claim.contact.phone,
            customer_shares_phone=claim.contact.share_phone_with_merchant,
        )
