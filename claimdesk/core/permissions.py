"""Who may do what to a claim, ever and as it stands, up to which amount, and why not. Pure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import ClassVar, Protocol

from claimdesk.core import editions
from claimdesk.core.domain import (
    MONETARY_OUTCOMES,
    Action,
    ClaimInput,
    CloseRequest,
    Decision,
    DecisionOutcome,
    Findings,
    InfoRequest,
    InternalNote,
    MerchantAction,
    MerchantResponse,
    Outcome,
    PostMessage,
    Proposal,
    ProposalAnswer,
    ProposalKind,
    Role,
    SatisfactionAnswer,
    Standing,
    Status,
    Subject,
)

LIVE = frozenset({Status.OPEN, Status.AWAITING_CUSTOMER})  # not resolved, not closed
RATINGS = range(1, 6)  # a customer's degree of satisfaction, 1 to 5

# Who may ever do an action, whatever the claim's state: the API answers anyone else who
# can see the claim with 403 before asking the claim, which may still refuse it now (409).
ACTION_ROLES: dict[Action, frozenset[Role]] = {
    Action.MESSAGE: frozenset({Role.CUSTOMER, Role.MERCHANT, Role.OPERATOR}),
    Action.MERCHANT_RESPONSE: frozenset({Role.MERCHANT}),
    Action.ACCEPT_PROPOSAL: frozenset({Role.CUSTOMER}),
    Action.REJECT_PROPOSAL: frozenset({Role.CUSTOMER}),
    Action.CLOSE: frozenset({Role.CUSTOMER, Role.OPERATOR}),
    Action.WITHDRAW: frozenset({Role.CUSTOMER}),
    Action.SATISFACTION: frozenset({Role.CUSTOMER}),
    Action.DECISION: frozenset({Role.OPERATOR}),
    Action.REQUEST_INFO: frozenset({Role.OPERATOR}),
    Action.INTERNAL_NOTE: frozenset({Role.OPERATOR}),
    Action.FINDINGS: frozenset({Role.OPERATOR}),
}
# Who may use the operators' tools: the codec server decrypts every claim's personal data.
OPERATOR_TOOL_ROLES = frozenset({Role.OPERATOR})
_ARTICLE = {Role.CUSTOMER: "a", Role.MERCHANT: "a", Role.OPERATOR: "an"}

# Any workflow input asking for an action: the messages' dataclasses, `PostMessage` among them.
ActionInput = (
    PostMessage
    | MerchantResponse
    | ProposalAnswer
    | CloseRequest
    | SatisfactionAnswer
    | Decision
    | InfoRequest
    | InternalNote
    | Findings
)


class ClaimFacts(Protocol):
    """What the permissions read of a claim."""

    input: ClaimInput
    status: Status
    level: int
    proposal: Proposal | None
    outcome: Outcome | None
    findings_due_at: datetime | None


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
    if judge is None:
        return "the system does not act through messages"
    if role not in ACTION_ROLES[action]:
        return f"{_ARTICLE[role]} {role.value} cannot {action.value.replace('_', ' ')}"
    return judge(claim, action)


def _customer_may(claim: ClaimFacts, action: Action) -> str | None:
    if action in (Action.ACCEPT_PROPOSAL, Action.REJECT_PROPOSAL):
        return None if claim.proposal is not None else "there is no proposal to answer"
    if action is Action.SATISFACTION and claim.status is not Status.RESOLVED:
        return "the claim is not resolved: there is no outcome to confirm"
    return None


def _merchant_may(claim: ClaimFacts, action: Action) -> str | None:
    if claim.input.subject is not Subject.DELIVERY:
        return "merchants answer delivery claims only; the platform handles payment claims"
    if action is Action.MERCHANT_RESPONSE and claim.status not in LIVE:
        return f"the claim is {claim.status.value}: it no longer awaits the merchant"
    return None


def _operator_may(claim: ClaimFacts, action: Action) -> str | None:
    if action in (Action.DECISION, Action.REQUEST_INFO) and claim.status not in LIVE:
        return f"the claim is {claim.status.value}: it awaits the customer's confirmation"
    if action is Action.CLOSE:
        return _platform_close_refusal(claim)
    if action is Action.FINDINGS:
        return _findings_refusal(claim)
    return None


def _findings_refusal(claim: ClaimFacts) -> str | None:
    """Findings are owed from level 2 (edition 2) until given or the claim is resolved."""
    if claim.findings_due_at is not None:
        return None
    if not editions.investigation_owes_findings(claim.input.policy):
        return "this claim opened under rules that owe no investigation findings"
    if claim.level < 2:
        return "the claim is at level 1: no investigation is open, so no findings are owed"
    if claim.status not in LIVE:
        return f"the claim is {claim.status.value}: its outcome was the investigation's finding"
    return "no findings are owed now: they were given since the investigation opened"


def customer_agreement(claim: ClaimFacts) -> str | None:
    """What the customer agreed to that lets the platform close the claim, if anything.

    Their satisfaction and the end of their satisfaction window close the claim by
    themselves; what remains is an outcome they chose: a proposal they accepted.
    """
    if claim.outcome is not None and claim.outcome.decided_by is Role.CUSTOMER:
        return "proposal_accepted"
    return None


def _platform_close_refusal(claim: ClaimFacts) -> str | None:
    if not editions.platform_close_needs_agreement(claim.input.policy):
        if claim.outcome is None:
            return "the platform closes a claim only after a decision the parties were told of"
        return None
    if customer_agreement(claim) is not None:
        return None
    missing = (
        "the customer has not accepted the outcome nor said they are satisfied, and their "
        "satisfaction window has not passed"
        if claim.outcome is not None
        else "there is no outcome yet for the customer to agree to"
    )
    return f"the platform closes a claim only in agreement with the customer: {missing}"


def content_refusal(claim: ClaimFacts, message: ActionInput) -> str | None:
    """What is wrong with what the message asks for (an amount, a missing reason), if anything."""
    if isinstance(message, MerchantResponse):
        return _merchant_response_refusal(claim, message)
    if isinstance(message, Decision):
        return _decision_refusal(claim, message)
    if isinstance(message, SatisfactionAnswer) and message.rating not in (None, *RATINGS):
        return f"a rating is from {RATINGS.start} to {RATINGS.stop - 1}"
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
        if not within_limit(decision.amount, claim.input.transaction.amount, partial=True):
            return "a partial refund must be less than the transaction amount"
    return why


def _amount_refusal(claim: ClaimFacts, amount: Decimal | None, what: str) -> str | None:
    if amount is None:
        return f"{what} needs an amount"
    limit = claim.input.transaction.amount
    if not (amount > 0 and within_limit(amount, limit, partial=False)):
        return f"{what} must be more than 0 and at most the transaction amount {limit}"
    return None


# ---- amounts: the one limit, for the claim's refusals above and the API's 422 ----


def within_limit(amount: Decimal, limit: Decimal, *, partial: bool) -> bool:
    """A refund is at most what the customer paid (`limit`); a partial one is less."""
    return amount < limit if partial else amount <= limit


@dataclass(frozen=True)
class AmountOverLimit:
    """A message asking for more than the customer paid: wrong whatever the claim's state."""

    code: ClassVar[str] = "amount-over-limit"
    title: ClassVar[str] = "Amount over the transaction amount"

    field: str  # as the request names it
    limit: Decimal
    partial: bool

    @property
    def detail(self) -> str:
        bound = "less than" if self.partial else "at most"
        return f"{self.field} must be {bound} the transaction amount {self.limit}"


def amount_over_limit(
    message: MerchantResponse | Decision, limit: Decimal
) -> AmountOverLimit | None:
    """The amount the message asks for, if it is over `limit` (a missing one is not)."""
    asked = requested_amount(message)
    if asked is None:
        return None
    field, amount = asked
    partial = isinstance(message, Decision) and message.outcome is DecisionOutcome.PARTIAL_REFUND
    if within_limit(amount, limit, partial=partial):
        return None
    return AmountOverLimit(field=field, limit=limit, partial=partial)


def requested_amount(message: MerchantResponse | Decision) -> tuple[str, Decimal] | None:
    """The amount a message asks for, with its field as the request names it, if any."""
    if isinstance(message, MerchantResponse):
        proposal = message.proposal
        if proposal is None or proposal.kind is not ProposalKind.REFUND:
            return None
        field, amount = "proposal.amount", proposal.amount
    else:
        field, amount = "amount", message.amount
    return None if amount is None else (field, amount)


def strike_restricts(*, strikes: int, limit: int, standing: Standing) -> bool:
    """Whether a new non-cooperation strike restricts the merchant: its strikes reached the
    limit and it is active (an operator who reinstated it is not overruled by a strike
    counted before; a terminated merchant stays terminated)."""
    return standing is Standing.ACTIVE and strikes >= limit
