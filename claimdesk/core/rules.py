"""The claim's rules: which action fits which state, what each deadline does. Pure, no I/O.

The workflow feeds a `ClaimState` the messages it receives and the deadlines that
fall due, and carries out the `Step` each one returns: timeline events to store,
e-mails to send, and whether to record a merchant strike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from claimdesk.core.domain import (
    Action,
    Answered,
    CarriedState,
    ClaimInput,
    ClaimView,
    ClosedReason,
    CloseRequest,
    Deadline,
    Decision,
    EventKind,
    InfoRequest,
    MailOrder,
    MerchantAction,
    MerchantResponse,
    Outcome,
    PostMessage,
    Proposal,
    ProposalAnswer,
    Recipient,
    Role,
    SatisfactionAnswer,
    Status,
    StrikeResult,
    Subject,
    Template,
    TimelineEvent,
)
from claimdesk.core.permissions import LIVE, ActionInput, content_refusal, why_not

TOP_LEVEL = 3
LADDER = (Deadline.LEVEL2, Deadline.LEVEL3, Deadline.RESOLUTION_TARGET)


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


@dataclass
class _Mail:
    seq: int
    template: Template
    recipient: Recipient
    details: dict[str, str]


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _text(**details: object) -> dict[str, str]:
    """Event and e-mail details as text, leaving out what is absent."""
    return {key: str(value) for key, value in details.items() if value is not None}


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
    seq: int = 0
    version: int = 0
    _events: list[TimelineEvent] = field(default_factory=list, repr=False)
    _mails: list[_Mail] = field(default_factory=list, repr=False)
    _wants_strike: bool = field(default=False, repr=False)

    # ---- opening ----

    @classmethod
    def open(cls, claim: ClaimInput) -> tuple[ClaimState, Step]:
        state = cls(input=claim, last_activity_at=claim.opened_at, updated_at=claim.opened_at)
        now = claim.opened_at
        policy = claim.policy
        seq = state._event(now, Role.CUSTOMER, EventKind.OPENED, subject=claim.subject)
        state._mail(seq, Template.ACKNOWLEDGEMENT, Recipient.CUSTOMER, **state._respond_by())
        if claim.subject is Subject.PAYMENT:
            seq = state._event(
                now, Role.SYSTEM, EventKind.ROUTED, queue="customer_service", level=1
            )
            state._mail(
                seq, Template.NEW_CLAIM_OPERATORS, Recipient.OPERATORS, queue="customer_service"
            )
        else:
            respond_by = claim.opened_at + policy.level2_after
            seq = state._event(
                now, Role.SYSTEM, EventKind.MERCHANT_NOTIFIED, respond_by=_iso(respond_by)
            )
            state._mail(
                seq, Template.NEW_CLAIM_MERCHANT, Recipient.MERCHANT, respond_by=_iso(respond_by)
            )
            state._mail(seq, Template.NEW_CLAIM_OPERATORS, Recipient.OPERATORS, queue="informed")
        return state, state._finish(now)

    @classmethod
    def resume(cls, claim: ClaimInput) -> ClaimState:
        """The claim as the previous run handed it over (continue-as-new)."""
        carried = claim.carried
        assert carried is not None and carried.status is not Status.CLOSED
        return cls(
            input=replace(claim, carried=None),
            status=carried.status,
            level=carried.level,
            sla_breached=carried.sla_breached,
            merchant_answered=carried.merchant_answered,
            customer_owed_answer=carried.customer_owed_answer,
            proposal=carried.proposal,
            outcome=carried.outcome,
            resolved_at=carried.resolved_at,
            last_activity_at=carried.last_activity_at,
            updated_at=carried.updated_at,
            ladder_done=set(carried.ladder_done),
            seq=carried.seq,
            version=carried.version,
        )

    def handover(self, answered: Sequence[Answered] = ()) -> ClaimInput:
        """The next run's input: the claim as it stands (a closed claim never continues).

        `answered`: the Updates answered lately, which the next run must not carry out again.
        """
        assert not self.is_closed and self.last_activity_at and self.updated_at
        assert not (self._events or self._mails or self._wants_strike)
        carried = CarriedState(
            status=self.status,
            level=self.level,
            sla_breached=self.sla_breached,
            merchant_answered=self.merchant_answered,
            customer_owed_answer=self.customer_owed_answer,
            proposal=self.proposal,
            outcome=self.outcome,
            resolved_at=self.resolved_at,
            last_activity_at=self.last_activity_at,
            updated_at=self.updated_at,
            ladder_done=sorted(self.ladder_done, key=list(Deadline).index),
            seq=self.seq,
            version=self.version,
            answered=list(answered),
        )
        return replace(self.input, carried=carried)

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

    # ---- actions ----

    def act(self, action: Action, message: ActionInput, now: datetime) -> Step:
        """Carries out `message` as `action`, or raises `Refused` leaving the claim as it was."""
        why = self.refusal(action, message)
        if why is not None:
            raise Refused(why)
        self.last_activity_at = now
        handlers: dict[Action, Callable[[Any, datetime], None]] = {
            Action.MESSAGE: self._on_message,
            Action.MERCHANT_RESPONSE: self._on_merchant_response,
            Action.ACCEPT_PROPOSAL: self._on_accept,
            Action.REJECT_PROPOSAL: self._on_reject,
            Action.CLOSE: self._on_close,
            Action.WITHDRAW: self._on_withdraw,
            Action.SATISFACTION: self._on_satisfaction,
            Action.DECISION: self._on_decision,
            Action.REQUEST_INFO: self._on_request_info,
        }
        handlers[action](message, now)
        return self._finish(now)

    def _on_message(self, message: PostMessage, now: datetime) -> None:
        author = message.actor.role
        seq = self._event(now, author, EventKind.MESSAGE, body=message.body)
        if author is Role.CUSTOMER:
            self.customer_owed_answer = True
            if self.status is Status.AWAITING_CUSTOMER and self.proposal is None:
                self.status = Status.OPEN
        else:
            self.customer_owed_answer = False
        for recipient in self._told_of_message(author):
            self._mail(seq, Template.MESSAGE, recipient, author=author.value, body=message.body)

    def _told_of_message(self, author: Role) -> list[Recipient]:
        """The other parties to the claim: the merchant only on delivery claims."""
        parties = {
            Role.CUSTOMER: Recipient.CUSTOMER,
            Role.MERCHANT: Recipient.MERCHANT,
            Role.OPERATOR: Recipient.OPERATORS,
        }
        if not self.is_delivery:
            del parties[Role.MERCHANT]
        elif self.level == 1 and author is not Role.OPERATOR:
            # At level 1 a delivery claim is between customer and merchant.
            del parties[Role.OPERATOR]
        return [recipient for role, recipient in parties.items() if role is not author]

    def _on_merchant_response(self, response: MerchantResponse, now: datetime) -> None:
        self.merchant_answered = True
        self.customer_owed_answer = False
        kind = response.action
        if kind is MerchantAction.PROPOSE:
            assert response.proposal is not None
            self.proposal = response.proposal
            self.status = Status.AWAITING_CUSTOMER
            details = _text(
                kind=response.proposal.kind.value,
                amount=response.proposal.amount,
                message=response.message,
            )
            seq = self._event(now, Role.MERCHANT, EventKind.PROPOSAL_MADE, **details)
            self._mail(seq, Template.PROPOSAL, Recipient.CUSTOMER, **details)
        elif kind is MerchantAction.REQUEST_INFO:
            self.status = Status.AWAITING_CUSTOMER
            seq = self._event(
                now, Role.MERCHANT, EventKind.INFO_REQUESTED, question=response.message
            )
            self._mail(
                seq,
                Template.INFO_REQUESTED,
                Recipient.CUSTOMER,
                author=Role.MERCHANT.value,
                question=response.message,
            )
        else:
            acknowledged = kind is MerchantAction.ACKNOWLEDGE
            event = EventKind.MERCHANT_ACKNOWLEDGED if acknowledged else EventKind.MERCHANT_REJECTED
            details = _text(message=response.message, reason=response.reason)
            seq = self._event(now, Role.MERCHANT, event, **details)
            self._mail(
                seq, Template.MERCHANT_ANSWERED, Recipient.CUSTOMER, action=kind.value, **details
            )

    def _on_accept(self, answer: ProposalAnswer, now: datetime) -> None:
        proposal = self.proposal
        assert proposal is not None
        reason = answer.reason
        seq = self._event(
            now, Role.CUSTOMER, EventKind.PROPOSAL_ACCEPTED, kind=proposal.kind.value, reason=reason
        )
        self._mail(
            seq, Template.PROPOSAL_ANSWERED, Recipient.MERCHANT, answer="accepted", reason=reason
        )
        outcome = Outcome(
            kind=proposal.kind.value, amount=proposal.amount, note=reason, decided_by=Role.CUSTOMER
        )
        self._resolve(outcome, now)

    def _on_reject(self, answer: ProposalAnswer, now: datetime) -> None:
        self.proposal = None
        self.status = Status.OPEN
        self.customer_owed_answer = True
        seq = self._event(now, Role.CUSTOMER, EventKind.PROPOSAL_REJECTED, reason=answer.reason)
        for recipient in (Recipient.MERCHANT, Recipient.OPERATORS):
            self._mail(
                seq, Template.PROPOSAL_ANSWERED, recipient, answer="rejected", reason=answer.reason
            )
        if self.level < TOP_LEVEL:
            # A rejected proposal goes to the platform: one level up.
            self.level += 1
            self._event(
                now, Role.SYSTEM, EventKind.ESCALATED, level=self.level, cause="proposal_rejected"
            )

    def _on_close(self, request: CloseRequest, now: datetime) -> None:
        by_customer = request.actor.role is Role.CUSTOMER
        reason = ClosedReason.BY_CUSTOMER if by_customer else ClosedReason.BY_PLATFORM
        self._close(reason, now, request.actor.role, note=request.note)

    def _on_withdraw(self, request: CloseRequest, now: datetime) -> None:
        self._close(ClosedReason.WITHDRAWN, now, Role.CUSTOMER, note=request.note)

    def _on_satisfaction(self, answer: SatisfactionAnswer, now: datetime) -> None:
        verdict = "satisfied" if answer.satisfied else "not_satisfied"
        self._event(
            now, Role.CUSTOMER, EventKind.SATISFACTION, verdict=verdict, comment=answer.comment
        )
        if answer.satisfied:
            self._close(ClosedReason.BY_CUSTOMER, now, Role.CUSTOMER)
        elif self.level < TOP_LEVEL:
            self._reopen(now, comment=answer.comment)
        else:
            seq = self._event(
                now, Role.SYSTEM, EventKind.REFERRED_TO_MEDIATION, comment=answer.comment
            )
            self._mail(seq, Template.MEDIATION, Recipient.CUSTOMER, **_text(comment=answer.comment))
            self._close(ClosedReason.REFERRED_TO_MEDIATION, now, Role.SYSTEM)

    def _on_decision(self, decision: Decision, now: datetime) -> None:
        details = _text(outcome=decision.outcome.value, amount=decision.amount, note=decision.note)
        seq = self._event(now, Role.OPERATOR, EventKind.DECISION, **details)
        self._mail(seq, Template.DECISION, Recipient.MERCHANT, **details)
        outcome = Outcome(
            kind=decision.outcome.value,
            amount=decision.amount,
            note=decision.note,
            decided_by=Role.OPERATOR,
        )
        self._resolve(outcome, now)

    def _on_request_info(self, request: InfoRequest, now: datetime) -> None:
        self.status = Status.AWAITING_CUSTOMER
        self.customer_owed_answer = False
        seq = self._event(now, Role.OPERATOR, EventKind.INFO_REQUESTED, question=request.question)
        self._mail(
            seq,
            Template.INFO_REQUESTED,
            Recipient.CUSTOMER,
            author=Role.OPERATOR.value,
            question=request.question,
        )

    def _resolve(self, outcome: Outcome, now: datetime) -> None:
        self.outcome = outcome
        self.proposal = None
        self.customer_owed_answer = False
        self.status = Status.RESOLVED
        self.resolved_at = now
        satisfaction_by = now + self.input.policy.satisfaction_window
        details = _text(
            outcome=outcome.kind,
            amount=outcome.amount,
            note=outcome.note,
            satisfaction_by=_iso(satisfaction_by),
        )
        seq = self._event(now, Role.SYSTEM, EventKind.RESOLVED, **details)
        self._mail(seq, Template.RESOLVED, Recipient.CUSTOMER, **details)

    def _reopen(self, now: datetime, comment: str | None) -> None:
        self.level += 1
        self.status = Status.OPEN
        self.outcome = None
        self.resolved_at = None
        self.customer_owed_answer = True
        seq = self._event(now, Role.SYSTEM, EventKind.REOPENED, level=self.level, comment=comment)
        for recipient in (Recipient.CUSTOMER, Recipient.OPERATORS):
            self._mail(
                seq, Template.REOPENED, recipient, **_text(level=self.level, comment=comment)
            )

    def _close(
        self, reason: ClosedReason, now: datetime, by: Role, note: str | None = None
    ) -> None:
        self.status = Status.CLOSED
        self.closed_reason = reason
        self.closed_at = now
        self.proposal = None
        seq = self._event(now, by, EventKind.CLOSED, reason=reason.value, note=note)
        self._mail(seq, Template.CLOSED, Recipient.CUSTOMER, reason=reason.value)
        self._mail(seq, Template.CLOSED_NOTICE, Recipient.MERCHANT, reason=reason.value)

    # ---- deadlines ----

    def deadlines(self) -> list[tuple[datetime, Deadline]]:
        """Every timer the claim is waiting on, earliest first."""
        if self.is_closed:
            return []
        claim, policy = self.input, self.input.policy
        ladder_at = {
            Deadline.LEVEL2: claim.opened_at + policy.level2_after,
            Deadline.LEVEL3: claim.opened_at + policy.level3_after,
            Deadline.RESOLUTION_TARGET: claim.opened_at + policy.resolution_target,
        }
        due = [(at, step) for step, at in ladder_at.items() if step not in self.ladder_done]
        if self.resolved_at is not None:
            due.append((self.resolved_at + policy.satisfaction_window, Deadline.SATISFACTION))
        assert self.last_activity_at is not None
        due.append((self.last_activity_at + policy.inactivity_close_after, Deadline.INACTIVITY))
        if not self.customer_owed_answer:
            horizon = claim.transaction.occurred_at + policy.transaction_close_after
            due.append((horizon, Deadline.TRANSACTION_HORIZON))
        return sorted(due, key=lambda item: (item[0], list(Deadline).index(item[1])))

    def next_timer(self) -> datetime | None:
        """When the workflow must wake up next, if ever."""
        due = self.deadlines()
        return due[0][0] if due else None

    def next_deadline(self) -> tuple[datetime, Deadline] | None:
        """The next deadline that will change something: what people are shown."""
        for at, deadline in self.deadlines():
            if deadline in LADDER and not self._rung_matters(deadline):
                continue
            return at, deadline
        return None

    def _rung_matters(self, deadline: Deadline) -> bool:
        """Whether a rung of the ladder would still change the claim when reached."""
        if self.status not in LIVE:
            return False  # resolved: a rung reached now does nothing
        if deadline is Deadline.RESOLUTION_TARGET:
            return True
        if deadline is Deadline.LEVEL2 and self.is_delivery and not self.merchant_answered:
            return True  # a silent merchant is still reminded
        return self.level < _RUNG_LEVEL[deadline]

    def advance(self, now: datetime) -> Step:
        """Fires every deadline due at `now`, in order."""
        fired = False
        while True:
            due = self.deadlines()
            if not due or due[0][0] > now:
                break
            at, deadline = due[0]
            self._fire(deadline, at)
            fired = True
        return self._finish(now) if fired else Step()

    def _fire(self, deadline: Deadline, at: datetime) -> None:
        if deadline in LADDER:
            self.ladder_done.add(deadline)
            if self.status in LIVE:
                self._climb(deadline, at)
            return
        reasons = {
            Deadline.SATISFACTION: ClosedReason.BY_PLATFORM,
            Deadline.INACTIVITY: ClosedReason.INACTIVITY,
            Deadline.TRANSACTION_HORIZON: ClosedReason.TRANSACTION_HORIZON,
        }
        self._event(at, Role.SYSTEM, EventKind.DEADLINE_REACHED, deadline=deadline.value)
        self._close(reasons[deadline], at, Role.SYSTEM)

    def _climb(self, deadline: Deadline, at: datetime) -> None:
        silent = self.is_delivery and not self.merchant_answered
        if deadline is Deadline.RESOLUTION_TARGET:
            self.sla_breached = True
            seq = self._event(at, Role.SYSTEM, EventKind.SLA_BREACHED, merchant_silent=_yes(silent))
            self._mail(
                seq, Template.SLA_BREACHED, Recipient.OPERATORS, merchant_silent=_yes(silent)
            )
            if silent:
                self._wants_strike = True
            return
        level = _RUNG_LEVEL[deadline]
        if self.level < level:
            # A claim reopened or escalated past this rung already told the customer.
            self.level = level
            team = "resolution" if level == 2 else "customer_experience"
            seq = self._event(
                at,
                Role.SYSTEM,
                EventKind.ESCALATED,
                level=level,
                team=team,
                merchant_silent=_yes(silent),
            )
            self._mail(
                seq,
                Template.ESCALATED,
                Recipient.CUSTOMER,
                level=str(level),
                merchant_silent=_yes(silent),
            )
        if silent and level == 2:
            breach_at = self.input.opened_at + self.input.policy.resolution_target
            seq = self._event(
                at, Role.SYSTEM, EventKind.MERCHANT_REMINDED, respond_by=_iso(breach_at)
            )
            self._mail(
                seq, Template.MERCHANT_REMINDER, Recipient.MERCHANT, respond_by=_iso(breach_at)
            )

    def strike_recorded(self, result: StrikeResult, now: datetime) -> Step:
        """Records the outcome of a non-cooperation strike the store counted."""
        limit = self.input.policy.merchant_strike_limit
        seq = self._event(
            now,
            Role.SYSTEM,
            EventKind.MERCHANT_STRIKE,
            strikes=result.strikes,
            limit=limit,
            restricted=_yes(result.restricted),
        )
        self._mail(
            seq,
            Template.MERCHANT_STRIKE,
            Recipient.MERCHANT,
            strikes=str(result.strikes),
            limit=str(limit),
            restricted=_yes(result.restricted),
        )
        if result.newly_restricted:
            self._event(now, Role.SYSTEM, EventKind.MERCHANT_RESTRICTED, strikes=result.strikes)
        return self._finish(now)

    def mail_undeliverable(self, order: MailOrder, reason: str, now: datetime) -> Step:
        """Records an e-mail the recipient's server refused for good, for operators to see."""
        self._event(
            now,
            Role.SYSTEM,
            EventKind.MAIL_UNDELIVERABLE,
            template=order.template.value,
            recipient=order.recipient.value,
            reason=reason,
        )
        return self._finish(now)

    # ---- reporting ----

    def _event(self, at: datetime, actor: Role, kind: EventKind, /, **details: object) -> int:
        self.seq += 1
        self._events.append(TimelineEvent(self.seq, at, actor, kind, _text(**details)))
        return self.seq

    def _mail(
        self, seq: int, template: Template, recipient: Recipient, /, **details: object
    ) -> None:
        self._mails.append(_Mail(seq, template, recipient, _text(**details)))

    def _respond_by(self) -> dict[str, str]:
        if not self.is_delivery:
            return {}
        return {"respond_by": _iso(self.input.opened_at + self.input.policy.level2_after)}

    def _finish(self, now: datetime) -> Step:
        """Closes a transition: a new version, the view after it, and what to carry out."""
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
        )


_RUNG_LEVEL = {Deadline.LEVEL2: 2, Deadline.LEVEL3: 3}


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"
