"""A claim's input, the people acting on it, and scripted paths through the real rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from claimdesk.core.audience import read_as, sees
from claimdesk.core.domain import (
    Action,
    Actor,
    Category,
    ClaimInput,
    CloseRequest,
    Contact,
    Decision,
    DecisionOutcome,
    Findings,
    InfoRequest,
    InternalNote,
    Locale,
    MerchantAction,
    MerchantResponse,
    Policy,
    PostMessage,
    Proposal,
    ProposalAnswer,
    ProposalKind,
    Recipient,
    Role,
    SatisfactionAnswer,
    Standing,
    StrikeResult,
    Subject,
    Template,
    TransactionRef,
)
from claimdesk.core.permissions import ActionInput
from claimdesk.core.rules import ClaimState, Step

OPENED = datetime(2026, 11, 21, 14, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
POLICY = Policy(
    level2_after=24 * HOUR,
    level3_after=48 * HOUR,
    resolution_target=5 * DAY,
    inactivity_close_after=120 * DAY,
    transaction_close_after=180 * DAY,
    satisfaction_window=7 * DAY,
    merchant_strike_limit=3,
)
CUSTOMER = Actor(Role.CUSTOMER, "ana@example.com")
MERCHANT = Actor(Role.MERCHANT, "M1")
OPERATOR = Actor(Role.OPERATOR, "key_op")


def claim_input(subject: Subject = Subject.DELIVERY, bought: timedelta = 10 * DAY) -> ClaimInput:
    category = Category.NOT_RECEIVED if subject is Subject.DELIVERY else Category.UNAUTHORIZED
    return ClaimInput(
        reference="CLM-TEST-0001",
        transaction=TransactionRef("T1", "M1", Decimal("49.90"), "EUR", OPENED - bought),
        subject=subject,
        category=category,
        description="The parcel never came.",
        contact=Contact("Ana", "ana@example.com"),
        locale=Locale.EN,
        opened_at=OPENED,
        policy=POLICY,
    )


def under(edition: int, claim: ClaimInput) -> ClaimInput:
    """The claim as filed under the rules of that edition."""
    return replace(claim, policy=replace(POLICY, edition=edition))


def opened(subject: Subject = Subject.DELIVERY, bought: timedelta = 10 * DAY) -> ClaimState:
    state, _ = ClaimState.open(claim_input(subject, bought))
    return state


def every_path() -> list[Step]:
    """The steps of paths that, together, send every e-mail and record every event kind,
    each with every detail it may carry (free texts are distinct, to be found again)."""
    return (
        _silent_merchant()
        + _merchant_asks_proposes_and_is_accepted()
        + _merchant_rejects()
        + _platform_decides_until_mediation()
        + _closings()
        + _platform_closes_with_agreement()
        + _platform_takes_over_from_the_merchant()
        + _investigation_findings()
        + _message_flood()
    )


def _silent_merchant() -> list[Step]:
    state, opening = ClaimState.open(claim_input(Subject.DELIVERY))
    ladder = state.advance(OPENED + 5 * DAY)  # reminded, level 2 and 3, breached
    strike = state.strike_recorded(StrikeResult(3, True, True), OPENED + 5 * DAY)
    [order, *_] = strike.mails
    refused = state.mail_undeliverable(order, "550 mailbox unavailable", OPENED + 5 * DAY)
    return [opening, ladder, strike, refused]


def _merchant_asks_proposes_and_is_accepted() -> list[Step]:
    state, opening = ClaimState.open(claim_input(Subject.DELIVERY))
    moves: list[tuple[Action, ActionInput]] = [
        (Action.MESSAGE, PostMessage(CUSTOMER, "Where is my parcel?")),
        (
            Action.MERCHANT_RESPONSE,
            MerchantResponse(MERCHANT, MerchantAction.REQUEST_INFO, "Your tracking number?"),
        ),
        (
            Action.MERCHANT_RESPONSE,
            MerchantResponse(
                MERCHANT, MerchantAction.ACKNOWLEDGE, "We ask the carrier.", None, "Held at depot."
            ),
        ),
        (
            Action.MERCHANT_RESPONSE,
            MerchantResponse(
                MERCHANT,
                MerchantAction.PROPOSE,
                "Sorry for the delay.",
                Proposal(ProposalKind.REFUND, Decimal("20.00")),
            ),
        ),
        (Action.REJECT_PROPOSAL, ProposalAnswer(CUSTOMER, "Too little, too late.")),
        (
            Action.MERCHANT_RESPONSE,
            MerchantResponse(
                MERCHANT, MerchantAction.PROPOSE, proposal=Proposal(ProposalKind.REPLACEMENT)
            ),
        ),
        (Action.ACCEPT_PROPOSAL, ProposalAnswer(CUSTOMER, "A new one will do.")),
        (Action.SATISFACTION, SatisfactionAnswer(CUSTOMER, True, "Thanks for the help.", 4)),
    ]
    return [opening] + [state.act(action, message, OPENED + HOUR) for action, message in moves]


def _merchant_rejects() -> list[Step]:
    state, opening = ClaimState.open(claim_input(Subject.DELIVERY))
    reject = MerchantResponse(
        MERCHANT, MerchantAction.REJECT, "See the carrier's proof.", None, "Signed for on 12/11."
    )
    return [opening, state.act(Action.MERCHANT_RESPONSE, reject, OPENED + HOUR)]


def _platform_decides_until_mediation() -> list[Step]:
    state, opening = ClaimState.open(claim_input(Subject.PAYMENT))
    steps = [opening]
    now = OPENED + HOUR
    for ask, say in (
        (Action.REQUEST_INFO, InfoRequest(OPERATOR, "Could you send your bank statement?")),
        (Action.MESSAGE, PostMessage(CUSTOMER, "Here is my statement.")),
        (Action.MESSAGE, PostMessage(OPERATOR, "We are looking into it.")),
        (Action.INTERNAL_NOTE, InternalNote(OPERATOR, "Card reported stolen on the 3rd.")),
    ):
        steps.append(state.act(ask, say, now))
    for comment in ("The refund never came.", "Still nothing on my account.", "I give up."):
        decision = Decision(
            OPERATOR, DecisionOutcome.PARTIAL_REFUND, "Half the shipping cost.", Decimal("20.00")
        )
        steps.append(state.act(Action.DECISION, decision, now))
        unsatisfied = SatisfactionAnswer(CUSTOMER, False, comment)
        steps.append(state.act(Action.SATISFACTION, unsatisfied, now))
    return steps


def _closings() -> list[Step]:
    """A withdrawal with a note; a resolved claim closed when no answer came in time."""
    withdrawn, first = ClaimState.open(claim_input(Subject.DELIVERY))
    note = CloseRequest(CUSTOMER, "Found it at the neighbour's.")
    steps = [first, withdrawn.act(Action.WITHDRAW, note, OPENED + HOUR)]
    unanswered, second = ClaimState.open(claim_input(Subject.PAYMENT))
    refund = Decision(OPERATOR, DecisionOutcome.REFUND, "Never delivered.", Decimal("49.90"))
    steps += [second, unanswered.act(Action.DECISION, refund, OPENED + HOUR)]
    return [*steps, unanswered.advance(OPENED + HOUR + POLICY.satisfaction_window)]


def _platform_closes_with_agreement() -> list[Step]:
    """Edition 2: an operator closes once the customer accepted the merchant's proposal; a
    decision left unanswered closes telling the customer of their recourse."""
    edition_2 = replace(POLICY, edition=2)
    unanswered, first = ClaimState.open(replace(claim_input(Subject.PAYMENT), policy=edition_2))
    rejected = Decision(OPERATOR, DecisionOutcome.REJECTED, "Authorised with your card.")
    steps = [first, unanswered.act(Action.DECISION, rejected, OPENED + HOUR)]
    steps.append(unanswered.advance(OPENED + HOUR + POLICY.satisfaction_window))
    claim = claim_input(Subject.DELIVERY)
    state, opening = ClaimState.open(replace(claim, policy=edition_2))
    refund = MerchantResponse(
        MERCHANT, MerchantAction.PROPOSE, proposal=Proposal(ProposalKind.REFUND, Decimal("9"))
    )
    steps += [opening, state.act(Action.MERCHANT_RESPONSE, refund, OPENED + HOUR)]
    steps.append(state.act(Action.ACCEPT_PROPOSAL, ProposalAnswer(CUSTOMER), OPENED + HOUR))
    return [*steps, state.act(Action.CLOSE, CloseRequest(OPERATOR), OPENED + 2 * HOUR)]


ROLE_OF = {
    Recipient.CUSTOMER: Role.CUSTOMER,
    Recipient.MERCHANT: Role.MERCHANT,
    Recipient.OPERATORS: Role.OPERATOR,
}


def assert_mails_tell_only_what_the_recipient_sees(step: Step) -> None:
    """Every e-mail is about an event of its step that its recipient's timeline shows."""
    events = {event.seq: event for event in step.events}
    for order in step.mails:
        if order.template is Template.MESSAGE_DIGEST:
            continue  # about messages of earlier steps, told by their number alone
        event = events[int(order.key.split("/")[1])]
        role = ROLE_OF[order.recipient]
        subject = order.claim.subject
        assert sees(role, subject, event.kind), (order.key, event.kind)
        # Nor does it carry a detail of the event the recipient does not read.
        _, read = read_as(role, subject, event.kind, event.details)
        hidden = {value for key, value in event.details.items() if key not in read}
        assert not hidden & set(order.details.values()), (order.key, hidden)


def _platform_takes_over_from_the_merchant() -> list[Step]:
    """Edition 2: a restricted merchant's claim opens with the platform; a merchant without
    an address, and one terminated, hand their claims to the platform."""
    edition_2 = replace(POLICY, edition=2)
    restricted = replace(
        claim_input(Subject.DELIVERY), policy=edition_2, merchant_standing=Standing.RESTRICTED
    )
    _, at_platform = ClaimState.open(restricted)
    unreachable, opening = ClaimState.open(replace(claim_input(), policy=edition_2))
    steps = [
        at_platform,
        opening,
        unreachable.merchant_mail_unreachable("no_contact_address", OPENED),
    ]
    terminated, second = ClaimState.open(replace(claim_input(), policy=edition_2))
    steps += [second, terminated.take_over_from_terminated_merchant(OPENED + HOUR)]
    # Edition 3: reinstated, the merchant gets the claim back.
    back, third = ClaimState.open(under(3, claim_input()))
    steps += [third, back.take_over_from_terminated_merchant(OPENED + HOUR)]
    return [*steps, back.return_to_reinstated_merchant(OPENED + 2 * HOUR)]


def _investigation_findings() -> list[Step]:
    """Edition 2: level 2 owes findings, given late after the operators' alert; a reopening
    owes new findings; a rejected proposal opens the investigation."""
    edition_2 = replace(POLICY, edition=2)
    late, opening = ClaimState.open(replace(claim_input(Subject.PAYMENT), policy=edition_2))
    steps = [opening, late.advance(OPENED + 3 * DAY)]  # level 2, 3, findings overdue
    note = Findings(OPERATOR, "The charge came from your card.")
    steps.append(late.act(Action.FINDINGS, note, OPENED + 3 * DAY))
    reopened, first = ClaimState.open(replace(claim_input(Subject.PAYMENT), policy=edition_2))
    steps += [first, reopened.advance(OPENED + DAY)]  # level 2, findings owed
    rejected = Decision(OPERATOR, DecisionOutcome.REJECTED, "Authorised with your card.")
    steps.append(reopened.act(Action.DECISION, rejected, OPENED + DAY))
    unsatisfied = SatisfactionAnswer(CUSTOMER, False, "I never made that payment.")
    steps.append(reopened.act(Action.SATISFACTION, unsatisfied, OPENED + DAY))
    delivery, second = ClaimState.open(replace(claim_input(Subject.DELIVERY), policy=edition_2))
    refund = MerchantResponse(
        MERCHANT, MerchantAction.PROPOSE, proposal=Proposal(ProposalKind.REFUND, Decimal("9"))
    )
    steps += [second, delivery.act(Action.MERCHANT_RESPONSE, refund, OPENED + HOUR)]
    return [*steps, delivery.act(Action.REJECT_PROPOSAL, ProposalAnswer(CUSTOMER), OPENED + HOUR)]


def _message_flood() -> list[Step]:
    """Edition 3: a customer writes past the merchant's hourly cap of message e-mails;
    the merchant gets one digest of the rest when the hour ends."""
    capped = replace(POLICY, edition=3, message_mails_per_hour=2)
    state, opening = ClaimState.open(replace(claim_input(), policy=capped))
    words = ("Hello?", "Anyone there?", "Still waiting.", "Hello again?")
    steps = [state.act(Action.MESSAGE, PostMessage(CUSTOMER, said), OPENED) for said in words]
    return [opening, *steps, state.advance(OPENED + HOUR)]
