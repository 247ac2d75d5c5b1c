"""Who may ever do what, and the amount limit, without HTTP or Temporal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import pytest

from claimdesk.core import domain
from claimdesk.core.permissions import (
    ACTION_ROLES,
    AmountOverLimit,
    amount_over_limit,
    content_refusal,
    strike_restricts,
    why_not,
    within_limit,
)
from tests.support import claims
from tests.support.claims import DAY, MERCHANT, OPENED, OPERATOR

PAID = Decimal("49.90")
PEOPLE = (domain.Role.CUSTOMER, domain.Role.MERCHANT, domain.Role.OPERATOR)


@dataclass
class Facts:
    """A claim as the permissions read it."""

    input: domain.ClaimInput
    status: domain.Status = domain.Status.OPEN
    proposal: domain.Proposal | None = None
    outcome: domain.Outcome | None = None
    level: int = 1
    findings_due_at: datetime | None = None


def claim(
    subject: domain.Subject = domain.Subject.DELIVERY,
    *,
    status: domain.Status = domain.Status.OPEN,
    proposal: domain.Proposal | None = None,
    outcome: domain.Outcome | None = None,
) -> Facts:
    claim_input = claims.claim_input(subject)
    return Facts(claim_input, status=status, proposal=proposal, outcome=outcome)


def refund(amount: str) -> domain.MerchantResponse:
    proposal = domain.Proposal(domain.ProposalKind.REFUND, Decimal(amount))
    return domain.MerchantResponse(MERCHANT, domain.MerchantAction.PROPOSE, proposal=proposal)


def decide(outcome: domain.DecisionOutcome, amount: str | None) -> domain.Decision:
    return domain.Decision(
        OPERATOR, outcome, note="n", amount=None if amount is None else Decimal(amount)
    )


# ---- who may ever do what ----


def test_every_action_names_who_may_ever_do_it_and_only_people_act() -> None:
    assert set(ACTION_ROLES) == set(domain.Action)
    assert all(roles and roles <= set(PEOPLE) for roles in ACTION_ROLES.values())


@pytest.mark.parametrize("role", PEOPLE)
@pytest.mark.parametrize("action", list(domain.Action))
def test_a_role_outside_the_table_is_refused_in_every_state_with_its_words(
    role: domain.Role, action: domain.Action
) -> None:
    if role in ACTION_ROLES[action]:
        return
    article = "an" if role is domain.Role.OPERATOR else "a"
    for status in (domain.Status.OPEN, domain.Status.AWAITING_CUSTOMER, domain.Status.RESOLVED):
        facts = claim(status=status, proposal=domain.Proposal(domain.ProposalKind.REPLACEMENT))
        words = f"{article} {role.value} cannot {action.value.replace('_', ' ')}"
        assert why_not(facts, action, role) == words


def test_each_role_may_do_what_the_table_gives_it_on_a_claim_that_fits() -> None:
    fits = {
        domain.Role.CUSTOMER: claim(
            proposal=domain.Proposal(domain.ProposalKind.REPLACEMENT), status=domain.Status.OPEN
        ),
        domain.Role.MERCHANT: claim(),
        domain.Role.OPERATOR: claim(
            outcome=domain.Outcome("refund", PAID, "n", domain.Role.OPERATOR)
        ),
    }
    for action, roles in ACTION_ROLES.items():
        for role in roles:
            facts = fits[role]
            if action is domain.Action.SATISFACTION:
                facts = claim(status=domain.Status.RESOLVED)
            if action is domain.Action.FINDINGS:  # owed by an investigation (level 2, edition 2)
                facts = claim(subject=domain.Subject.PAYMENT)
                facts.level, facts.findings_due_at = 2, OPENED + 3 * DAY
            assert why_not(facts, action, role) is None, (role, action)


def test_a_closed_claim_refuses_everyone_before_the_table() -> None:
    closed = claim(status=domain.Status.CLOSED)
    for action in domain.Action:
        for role in PEOPLE:
            assert why_not(closed, action, role) == "claim CLM-TEST-0001 is closed"


def test_the_system_does_not_act_through_messages() -> None:
    assert (
        why_not(claim(), domain.Action.MESSAGE, domain.Role.SYSTEM)
        == "the system does not act through messages"
    )


def test_the_state_still_refuses_what_the_table_allows() -> None:
    assert why_not(claim(), domain.Action.ACCEPT_PROPOSAL, domain.Role.CUSTOMER) == (
        "there is no proposal to answer"
    )
    assert why_not(claim(domain.Subject.PAYMENT), domain.Action.MESSAGE, domain.Role.MERCHANT) == (
        "merchants answer delivery claims only; the platform handles payment claims"
    )
    assert why_not(claim(), domain.Action.CLOSE, domain.Role.OPERATOR) == (
        "the platform closes a claim only after a decision the parties were told of"
    )


# ---- the amount limit ----


def test_a_refund_may_be_the_whole_amount_a_partial_one_only_less() -> None:
    assert within_limit(PAID, PAID, partial=False)
    assert not within_limit(PAID + Decimal("0.01"), PAID, partial=False)
    assert not within_limit(PAID, PAID, partial=True)
    assert within_limit(PAID - Decimal("0.01"), PAID, partial=True)


def test_a_refund_proposal_over_the_amount_is_over_the_limit_in_the_requests_words() -> None:
    assert amount_over_limit(refund("49.90"), PAID) is None
    over = amount_over_limit(refund("49.91"), PAID)
    assert over == AmountOverLimit(field="proposal.amount", limit=PAID, partial=False)
    assert over.code == "amount-over-limit"
    assert over.title == "Amount over the transaction amount"
    assert over.detail == "proposal.amount must be at most the transaction amount 49.90"


def test_a_proposal_without_an_amount_is_not_over_the_limit() -> None:
    replacement = domain.MerchantResponse(
        MERCHANT,
        domain.MerchantAction.PROPOSE,
        proposal=domain.Proposal(domain.ProposalKind.REPLACEMENT),
    )
    assert amount_over_limit(replacement, PAID) is None
    assert (
        amount_over_limit(
            domain.MerchantResponse(MERCHANT, domain.MerchantAction.ACKNOWLEDGE), PAID
        )
        is None
    )


@pytest.mark.parametrize(
    ("outcome", "amount", "detail"),
    [
        (domain.DecisionOutcome.REFUND, "49.90", None),
        (
            domain.DecisionOutcome.REFUND,
            "50.00",
            "amount must be at most the transaction amount 49.90",
        ),
        (domain.DecisionOutcome.PARTIAL_REFUND, "49.89", None),
        (
            domain.DecisionOutcome.PARTIAL_REFUND,
            "49.90",
            "amount must be less than the transaction amount 49.90",
        ),
        (domain.DecisionOutcome.REFUND, None, None),
    ],
)
def test_a_decisions_amount_is_held_to_the_limit_its_outcome_sets(
    outcome: domain.DecisionOutcome, amount: str | None, detail: str | None
) -> None:
    over = amount_over_limit(decide(outcome, amount), PAID)
    assert (over.detail if over else None) == detail


def test_the_claim_refuses_amounts_by_the_same_limit() -> None:
    facts = claim()
    assert content_refusal(facts, refund("49.90")) is None
    assert content_refusal(facts, refund("49.91")) == (
        "a refund must be more than 0 and at most the transaction amount 49.90"
    )
    assert content_refusal(facts, refund("0")) == (
        "a refund must be more than 0 and at most the transaction amount 49.90"
    )
    partial = domain.DecisionOutcome.PARTIAL_REFUND
    assert content_refusal(facts, decide(partial, "49.89")) is None
    assert content_refusal(facts, decide(partial, "49.90")) == (
        "a partial refund must be less than the transaction amount"
    )
    assert content_refusal(facts, decide(domain.DecisionOutcome.REFUND, None)) == (
        "a refund needs an amount"
    )


@pytest.mark.parametrize(
    ("strikes", "standing", "restricts"),
    [
        (2, domain.Standing.ACTIVE, False),
        (3, domain.Standing.ACTIVE, True),
        (4, domain.Standing.ACTIVE, True),
        (3, domain.Standing.RESTRICTED, False),  # restricted already: nothing new
        (3, domain.Standing.TERMINATED, False),  # terminated stays terminated
    ],
)
def test_a_strike_restricts_a_merchant_at_the_limit_once(
    strikes: int, standing: domain.Standing, restricts: bool
) -> None:
    assert strike_restricts(strikes=strikes, limit=3, standing=standing) is restricts
