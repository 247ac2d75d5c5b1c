"""Which rules a claim runs on: each change to what the rules decide, by edition.

A claim keeps the edition it opened under (`Policy.edition`) for its whole life, across
continue-as-new, so its history replays and the claim goes on as it started: a merchant
or a customer never sees the rules change under a claim in progress. A rule that changes
what the workflow does gets a predicate here, raises `CURRENT_EDITION`, and the rules ask
the predicate rather than compare numbers. Pure.
"""

from __future__ import annotations

from claimdesk.core.domain import Policy


def since(policy: Policy, edition: int) -> bool:
    """Whether a claim under `policy` runs on the rules of `edition` or later."""
    return policy.edition >= edition


# ---- edition 2: the seeds' rules of issue 12 ----


def any_merchant_action_answers(policy: Policy) -> bool:
    """A merchant's plain message is an answer too: no reminder, no strike after it."""
    return since(policy, 2)


def filing_is_a_request(policy: Policy) -> bool:
    """A claim just filed owes the customer an answer and its ladder, so the transaction
    horizon neither closes it before a party answered nor before its resolution target."""
    return since(policy, 2)


def platform_close_needs_agreement(policy: Policy) -> bool:
    """The platform closes a claim only once the customer agreed, or let their satisfaction
    window pass; the close event says which (the permissions hold the refusal)."""
    return since(policy, 2)


def unsatisfied_ending_owes_recourse(policy: Policy) -> bool:
    """A claim that ends without the customer's satisfaction tells them of the mediator
    and the court, in the closing e-mail and the report."""
    return since(policy, 2)


def platform_takes_over_from_merchant(policy: Policy) -> bool:
    """The platform handles the claim itself (level 2 at least, operators told) when its
    merchant was restricted or terminated at filing, is terminated while the claim is open,
    or cannot be reached by e-mail (no address on file, or its mail refused for good)."""
    return since(policy, 2)


def investigation_owes_findings(policy: Policy) -> bool:
    """An investigation (level 2, or a reopening) owes the customer its findings within
    `policy.findings_within`; operators are alerted when none came in time."""
    return since(policy, 2)


# ---- edition 3: reinstating a merchant undoes its termination ----


def reinstatement_returns_claims(policy: Policy) -> bool:
    """Reinstating a terminated merchant gives it back the delivery claims its termination
    moved to the platform, if nothing else brought them there: the level they had, and
    the merchant's time to answer again from the reinstatement."""
    return since(policy, 3)


# ---- edition 3: issue 14's limits ----


def message_mails_capped(policy: Policy) -> bool:
    """A recipient gets at most `policy.message_mails_per_hour` updates of a claim in a
    rolling hour: e-mails sent by an action a party may repeat at will (a message, a
    merchant's acknowledgement or rejection, a request for information, a proposal); those
    past it are told in one digest when the hour of the oldest ends. A request or proposal
    the customer is not yet asked always goes out (claimdesk/core/rules/mail_cap.py)."""
    return since(policy, 3)


def platform_question_reaches_operators(policy: Policy) -> bool:
    """While an operator's request for information is open, the customer's messages reach
    the operators too, at any level (a claim given back to its merchant may still hold
    a question the platform asked); the customer's next message answers it."""
    return since(policy, 3)
