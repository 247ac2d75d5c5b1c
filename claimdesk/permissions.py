"""Who may do what to a claim as it stands, and why not, in words. Pure, no I/O."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Protocol

from claimdesk.domain import (
    MONETARY_OUTCOMES,
    Action,
    ClaimInput,
    CloseRequest,
    Decision,
    DecisionOutcome,
    InfoRequest,
    MerchantAction,
    MerchantResponse,
    Outcome,
    PostMessage,
    Proposal,
    ProposalAnswer,
    ProposalKind,
    Role,
    SatisfactionAnswer,
    Status,
    Subject,
)

LIVE = frozenset({Status.OPEN, Status.AWAITING_CUSTOMER})  # not resolved, not closed

Message = (
    PostMessage
    | MerchantResponse
    | ProposalAnswer
    | CloseRequest
    | SatisfactionAnswer
    | Decision
    | InfoRequest
)


class ClaimFacts(Protocol):
    """What the permissions read of a claim."""

    input: ClaimInput
    status: Status
    proposal: Proposal | None
    outcome: Outcome | None


def why_not(claim: ClaimFacts, action: Action, role: Role) -> str | None:
    """Why `role` may not do `action` to the claim now, or None if it may."""
    if claim.status is Status.CLOSED:
        return f"claim {claim.input.reference} is closed"
    judges: dict[Role, Callable[[ClaimFacts, Action], str | None]] = {
        Role.CUSTOMER: _customer_may,
        Role.MERCHANT: _merchant_may,
        Role.OPERATOR: _operator_may,
    }
    judge = judges.get(role)
    return "the system does not act through messages" if judge is None else judge(claim, action)


def _customer_may(claim: ClaimFacts, action: Action) -> str | None:
    if action in (Action.MESSAGE, Action.CLOSE, Action.WITHDRAW):
        return None
    if action in (Action.ACCEPT_PROPOSAL, Action.REJECT_PROPOSAL):
        return None if claim.proposal is not None else "there is no proposal to answer"
    if action is Action.SATISFACTION:
        if claim.status is Status.RESOLVED:
            return None
        return "the claim is not resolved: there is no outcome to confirm"
    return f"a customer cannot {action.value.replace('_', ' ')}"


def _merchant_may(claim: ClaimFacts, action: Action) -> str | None:
    if action not in (Action.MESSAGE, Action.MERCHANT_RESPONSE):
        return f"a merchant cannot {action.value.replace('_', ' ')}"
    if claim.input.subject is not Subject.DELIVERY:
        return "merchants answer delivery claims only; the platform handles payment claims"
    if action is Action.MERCHANT_RESPONSE and claim.status not in LIVE:
        return f"the claim is {claim.status.value}: it no longer awaits the merchant"
    return None


def _operator_may(claim: ClaimFacts, action: Action) -> str | None:
    if action is Action.MESSAGE:
        return None
    if action in (Action.DECISION, Action.REQUEST_INFO):
        if claim.status in LIVE:
            return None
        return f"the claim is {claim.status.value}: it awaits the customer's confirmation"
    if action is Action.CLOSE:
        if claim.outcome is not None:
            return None
        return "the platform closes a claim only after a decision the parties were told of"
    return f"an operator cannot {action.value.replace('_', ' ')}"


def content_refusal(claim: ClaimFacts, message: Message) -> str | None:
    """What is wrong with what the message asks for (an amount, a missing reason), if anything."""
    if isinstance(message, MerchantResponse):
        return _merchant_response_refusal(claim, message)
    if isinstance(message, Decision):
        return _decision_refusal(claim, message)
    return None


def _merchant_response_refusal(claim: ClaimFacts, response: MerchantResponse) -> str | None:
    if response.action is MerchantAction.PROPOSE:
        proposal = response.proposal
        if proposal is None:
            return "a proposal is needed to propose"
        if proposal.kind is ProposalKind.REFUND:
            return _amount_refusal(claim, proposal.amount, "a refund")
        return None
    if response.action is MerchantAction.REJECT and not response.reason:
        return "a rejection needs a reason"
    if response.action is MerchantAction.REQUEST_INFO and not response.message:
        return "a request for information needs a message saying what is needed"
    return None


def _decision_refusal(claim: ClaimFacts, decision: Decision) -> str | None:
    if decision.outcome not in MONETARY_OUTCOMES:
        return None
    why = _amount_refusal(claim, decision.amount, f"a {decision.outcome.value}")
    if why is None and decision.outcome is DecisionOutcome.PARTIAL_REFUND:
        assert decision.amount is not None
        if decision.amount >= claim.input.transaction.amount:
            return "a partial refund must be less than the transaction amount"
    return why


def _amount_refusal(claim: ClaimFacts, amount: Decimal | None, what: str) -> str | None:
    if amount is None:
        return f"{what} needs an amount"
    limit = claim.input.transaction.amount
    if not Decimal(0) < amount <= limit:
        return f"{what} must be more than 0 and at most the transaction amount {limit}"
    return None
