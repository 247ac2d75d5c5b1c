"""What each action does to a claim: one handler per `Action`, each taking the claim's state.

`ClaimState.act` has already checked the action fits (`claimdesk.core.permissions`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from claimdesk.core import editions
from claimdesk.core.domain import (
    Action,
    ClosedReason,
    CloseRequest,
    Decision,
    EventKind,
    InfoRequest,
    InternalNote,
    MerchantAction,
    MerchantResponse,
    Outcome,
    PostMessage,
    ProposalAnswer,
    Recipient,
    Role,
    SatisfactionAnswer,
    Status,
    Template,
)
from claimdesk.core.permissions import customer_agreement
from claimdesk.core.rules import findings, mail_cap
from claimdesk.core.rules.closing import close
from claimdesk.core.rules.ladder import TOP_LEVEL
from claimdesk.core.rules.step import iso, text

if TYPE_CHECKING:
    from claimdesk.core.rules.state import ClaimState


def on_message(state: ClaimState, message: PostMessage, now: datetime) -> None:
    author = message.actor.role
    seq = state.record_event(now, author, EventKind.MESSAGE, body=message.body)
    told = _told_of_message(state, author)
    if author is Role.CUSTOMER:
        state.platform_question_open = False  # answered (the operators were told)
        state.customer_owed_answer = True
        if state.status is Status.AWAITING_CUSTOMER and state.proposal is None:
            state.status = Status.OPEN
    else:
        state.customer_owed_answer = False
        if author is Role.MERCHANT and editions.any_merchant_action_answers(state.input.policy):
            state.merchant_answered = True
    for recipient in told:
        details = {"author": author.value, "body": message.body}
        mail_cap.tell(state, seq, Template.MESSAGE, recipient, now, details)


def _told_of_message(state: ClaimState, author: Role) -> list[Recipient]:
    """The other parties to the claim: the merchant only on delivery claims."""
    parties = {
        Role.CUSTOMER: Recipient.CUSTOMER,
        Role.MERCHANT: Recipient.MERCHANT,
        Role.OPERATOR: Recipient.OPERATORS,
    }
    if not state.is_delivery:
        del parties[Role.MERCHANT]
    elif state.level == 1 and author is not Role.OPERATOR and not _answers_platform(state, author):
        # At level 1 a delivery claim is between customer and merchant, but for the
        # customer's answer to a question an operator asked (edition 3).
        del parties[Role.OPERATOR]
    return [recipient for role, recipient in parties.items() if role is not author]


def _answers_platform(state: ClaimState, author: Role) -> bool:
    return (
        author is Role.CUSTOMER
        and state.platform_question_open
        and editions.platform_question_reaches_operators(state.input.policy)
    )


def on_merchant_response(state: ClaimState, response: MerchantResponse, now: datetime) -> None:
    state.merchant_answered = True
    state.customer_owed_answer = False
    if response.action is MerchantAction.PROPOSE:
        _merchant_proposes(state, response, now)
    elif response.action is MerchantAction.REQUEST_INFO:
        _merchant_asks(state, response, now)
    else:
        _merchant_answers(state, response, now)


def _merchant_proposes(state: ClaimState, response: MerchantResponse, now: datetime) -> None:
    assert response.proposal is not None
    first = state.proposal is None  # a new one to answer, not a change of the standing one
    state.proposal = response.proposal
    state.status = Status.AWAITING_CUSTOMER
    details = text(
        kind=response.proposal.kind.value,
        amount=response.proposal.amount,
        message=response.message,
    )
    seq = state.record_event(now, Role.MERCHANT, EventKind.PROPOSAL_MADE, **details)
    mail_cap.tell(state, seq, Template.PROPOSAL, Recipient.CUSTOMER, now, details, must_go=first)


def _merchant_asks(state: ClaimState, response: MerchantResponse, now: datetime) -> None:
    assert response.message is not None
    _ask_customer(state, Role.MERCHANT, response.message, now)


def _merchant_answers(state: ClaimState, response: MerchantResponse, now: datetime) -> None:
    """An acknowledgement or a rejection."""
    kind = response.action
    acknowledged = kind is MerchantAction.ACKNOWLEDGE
    event = EventKind.MERCHANT_ACKNOWLEDGED if acknowledged else EventKind.MERCHANT_REJECTED
    details = text(message=response.message, reason=response.reason)
    seq = state.record_event(now, Role.MERCHANT, event, **details)
    told = {"action": kind.value, **details}
    mail_cap.tell(state, seq, Template.MERCHANT_ANSWERED, Recipient.CUSTOMER, now, told)


def on_accept(state: ClaimState, answer: ProposalAnswer, now: datetime) -> None:
    proposal = state.proposal
    assert proposal is not None
    reason = answer.reason
    seq = state.record_event(
        now, Role.CUSTOMER, EventKind.PROPOSAL_ACCEPTED, kind=proposal.kind.value, reason=reason
    )
    state.order_mail(
        seq, Template.PROPOSAL_ANSWERED, Recipient.MERCHANT, answer="accepted", reason=reason
    )
    outcome = Outcome(
        kind=proposal.kind.value, amount=proposal.amount, note=reason, decided_by=Role.CUSTOMER
    )
    _resolve(state, outcome, now)


def on_reject(state: ClaimState, answer: ProposalAnswer, now: datetime) -> None:
    state.proposal = None
    state.status = Status.OPEN
    state.customer_owed_answer = True
    seq = state.record_event(now, Role.CUSTOMER, EventKind.PROPOSAL_REJECTED, reason=answer.reason)
    for recipient in (Recipient.MERCHANT, Recipient.OPERATORS):
        state.order_mail(
            seq, Template.PROPOSAL_ANSWERED, recipient, answer="rejected", reason=answer.reason
        )
    if state.level < TOP_LEVEL:
        # A rejected proposal goes to the platform: one level up, where leaving level 1
        # opens the investigation (and its findings are owed, edition 2).
        findings_by = findings.owe(state, now) if state.level == 1 else findings.owed_by(state)
        state.level += 1
        state.record_event(
            now,
            Role.SYSTEM,
            EventKind.ESCALATED,
            level=state.level,
            cause="proposal_rejected",
            findings_by=findings_by,
        )


def on_close(state: ClaimState, request: CloseRequest, now: datetime) -> None:
    by_customer = request.actor.role is Role.CUSTOMER
    reason = ClosedReason.BY_CUSTOMER if by_customer else ClosedReason.BY_PLATFORM
    agreement = None
    if not by_customer and editions.platform_close_needs_agreement(state.input.policy):
        agreement = customer_agreement(state)
    close(state, reason, now, request.actor.role, note=request.note, agreement=agreement)


def on_withdraw(state: ClaimState, request: CloseRequest, now: datetime) -> None:
    close(state, ClosedReason.WITHDRAWN, now, Role.CUSTOMER, note=request.note)


def on_satisfaction(state: ClaimState, answer: SatisfactionAnswer, now: datetime) -> None:
    verdict = "satisfied" if answer.satisfied else "not_satisfied"
    state.record_event(
        now,
        Role.CUSTOMER,
        EventKind.SATISFACTION,
        verdict=verdict,
        comment=answer.comment,
        rating=answer.rating,
    )
    if answer.satisfied:
        close(state, ClosedReason.BY_CUSTOMER, now, Role.CUSTOMER)
    elif state.level < TOP_LEVEL:
        _reopen(state, now, comment=answer.comment)
    else:
        seq = state.record_event(
            now, Role.SYSTEM, EventKind.REFERRED_TO_MEDIATION, comment=answer.comment
        )
        state.order_mail(
            seq, Template.MEDIATION, Recipient.CUSTOMER, **text(comment=answer.comment)
        )
        close(state, ClosedReason.REFERRED_TO_MEDIATION, now, Role.SYSTEM)


def on_decision(state: ClaimState, decision: Decision, now: datetime) -> None:
    details = text(outcome=decision.outcome.value, amount=decision.amount, note=decision.note)
    seq = state.record_event(now, Role.OPERATOR, EventKind.DECISION, **details)
    state.order_mail(seq, Template.DECISION, Recipient.MERCHANT, **details)
    outcome = Outcome(
        kind=decision.outcome.value,
        amount=decision.amount,
        note=decision.note,
        decided_by=Role.OPERATOR,
    )
    _resolve(state, outcome, now)


def on_request_info(state: ClaimState, request: InfoRequest, now: datetime) -> None:
    state.customer_owed_answer = False
    state.platform_question_open = True
    _ask_customer(state, Role.OPERATOR, request.question, now)


def _ask_customer(state: ClaimState, author: Role, question: str, now: datetime) -> None:
    first = state.status is not Status.AWAITING_CUSTOMER  # nothing asked of them yet
    state.status = Status.AWAITING_CUSTOMER
    seq = state.record_event(now, author, EventKind.INFO_REQUESTED, question=question)
    details = {"author": author.value, "question": question}
    mail_cap.tell(
        state, seq, Template.INFO_REQUESTED, Recipient.CUSTOMER, now, details, must_go=first
    )


def on_internal_note(state: ClaimState, note: InternalNote, now: datetime) -> None:
    """Operators only: on the timeline for them (claimdesk.core.audience), nobody e-mailed."""
    state.record_event(now, note.actor.role, EventKind.INTERNAL_NOTE, note=note.note)


def _resolve(state: ClaimState, outcome: Outcome, now: datetime) -> None:
    findings.settled(state)  # the outcome is the conclusion the customer is told of
    state.outcome = outcome
    state.proposal = None
    state.customer_owed_answer = False
    state.status = Status.RESOLVED
    state.resolved_at = now
    satisfaction_by = now + state.input.policy.satisfaction_window
    details = text(
        outcome=outcome.kind,
        amount=outcome.amount,
        note=outcome.note,
        satisfaction_by=iso(satisfaction_by),
    )
    seq = state.record_event(now, Role.SYSTEM, EventKind.RESOLVED, **details)
    state.order_mail(seq, Template.RESOLVED, Recipient.CUSTOMER, **details)


def _reopen(state: ClaimState, now: datetime, comment: str | None) -> None:
    state.level += 1
    state.status = Status.OPEN
    state.outcome = None
    state.resolved_at = None
    state.customer_owed_answer = True
    # The customer contests the outcome: the investigation resumes and owes new findings.
    details = text(level=state.level, comment=comment, findings_by=findings.owe(state, now))
    seq = state.record_event(now, Role.SYSTEM, EventKind.REOPENED, **details)
    for recipient in (Recipient.CUSTOMER, Recipient.OPERATORS):
        state.order_mail(seq, Template.REOPENED, recipient, **details)


# Each handler takes the message dataclass its action comes with (see ActionInput).
HANDLERS: dict[Action, Callable[[ClaimState, Any, datetime], None]] = {
    Action.MESSAGE: on_message,
    Action.MERCHANT_RESPONSE: on_merchant_response,
    Action.ACCEPT_PROPOSAL: on_accept,
    Action.REJECT_PROPOSAL: on_reject,
    Action.CLOSE: on_close,
    Action.WITHDRAW: on_withdraw,
    Action.SATISFACTION: on_satisfaction,
    Action.DECISION: on_decision,
    Action.REQUEST_INFO: on_request_info,
    Action.INTERNAL_NOTE: on_internal_note,
    Action.FINDINGS: findings.on_findings,
}
