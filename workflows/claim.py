"""The claim workflow: feeds the claim's rules messages and timers, carries out what they decide.

API actions arrive as Updates with validators, so a caller learns at once whether
its action was taken (and gets 409 when it does not fit the claim); each Update
returns once the store shows the change. Only the API's sealed starts and Updates act
(claimdesk/adapters/seal.py, the worker's interceptor). Every deadline is a durable
timer; nothing polls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from claimdesk.core.domain import (
        Action,
        Answered,
        ClaimInput,
        ClaimView,
        CloseRequest,
        Decision,
        Findings,
        InfoRequest,
        InternalNote,
        MailBatch,
        MerchantReinstated,
        MerchantResponse,
        MerchantTerminated,
        PostMessage,
        Projection,
        ProposalAnswer,
        Recipient,
        SatisfactionAnswer,
        StrikeInput,
        StrikeResult,
        without_addresses,
    )
    from claimdesk.core.permissions import ActionInput
    from claimdesk.core.rules import ClaimState, Refused, Step
    from claimdesk.core.rules.takeover import MAIL_REFUSED, NO_CONTACT_ADDRESS
    from claimdesk.core.seal import ANSWERED_KEPT  # outlives a seal (see there)
    from claimdesk.core.standing import visibility
    from workflows import search
    from workflows.counters import count_step
    from workflows.mail import send_mails
    from workflows.store_writes import StoreWriter


REFUSED = "ActionRefused"
# An Update a previous run of the claim already answered (its Update id is carried over):
# the API answers it from the store, where that run wrote the answer with the action.
ANSWERED_BEFORE = "AlreadyAnswered"
# Refused for a moment while the claim hands over to a fresh run: callers ask again.
HANDING_OVER = "HandingOver"
# The patch that retired the `merchant_response` signal (see its handler).
SIGNAL_RETIRED = "retire-merchant-response-signal"


@workflow.defn(name="ClaimWorkflow")
class ClaimWorkflow:
    @workflow.init
    def __init__(self, claim: ClaimInput) -> None:
        if claim.carried is None:
            self._state, self._opening = ClaimState.open(claim)
        else:  # a run continued as new: the claim goes on where the last run left it
            self._state, self._opening = ClaimState.resume(claim), Step()
        self._lock = asyncio.Lock()  # one transition and its store write at a time
        # Updates answered lately, by this run or the ones before it (carried over): the
        # same Update id sent again after a hand-over must not act twice.
        carried = claim.carried.answered if claim.carried else []
        self._answered: dict[str, datetime] = {a.id: a.at for a in carried}
        self._store = StoreWriter()
        self._opened = False
        self._opening_view: ClaimView | None = None
        self._handing_over = False
        self._mail_tasks: list[asyncio.Task[None]] = []

    @workflow.run
    async def run(self, claim: ClaimInput) -> ClaimView:
        async with self._lock:
            await self._carry_out(self._opening)
            self._opening_view = self._state.view()
        self._opened = True
        while not self._state.is_closed:
            if self._history_is_long():
                # New actions are turned away until the accepted ones are done: under a
                # steady stream of them, the run would otherwise never be free to hand over.
                self._handing_over = True
                await self._drain()
                if self._state.is_closed:  # an accepted action closed it: nothing to hand over
                    self._handing_over = False
                    continue
                workflow.continue_as_new(
                    self._state.handover(answered=self._recently_answered()),
                    search_attributes=search.initial(visibility(self._state)),
                )
            await self._sleep_until_next_deadline()
        await self._drain()
        return self._state.view()

    def _recently_answered(self) -> list[Answered]:
        """The Updates answered within `ANSWERED_KEPT`, for the next run to refuse.

        A repeat of an action is sent again only while its key has no answer, and the store
        write that carries the action out writes that answer before its handler finishes,
        which a run waits for before handing over: only a repeat that read "no answer" just
        before, and is still on its way (well within its 30 s), can bring an id back."""
        since = workflow.now() - ANSWERED_KEPT
        return [Answered(id, at) for id, at in self._answered.items() if at >= since]

    def _history_is_long(self) -> bool:
        """Far from Temporal's limits, a claim with a long life hands over to a fresh run."""
        info = workflow.info()
        limit = self._state.input.policy.history_events_per_run
        return info.is_continue_as_new_suggested() or info.get_current_history_length() >= limit

    async def _drain(self) -> None:
        """Lets every accepted action and every e-mail finish in this run."""
        await workflow.wait_condition(
            lambda: workflow.all_handlers_finished() and all(t.done() for t in self._mail_tasks)
        )
        await asyncio.gather(*self._mail_tasks)
        self._mail_tasks.clear()

    async def _sleep_until_next_deadline(self) -> None:
        wake_at = self._state.next_timer()
        if wake_at is None:
            return
        version = self._state.version
        delay = wake_at - workflow.now()
        if delay > timedelta(0):
            try:
                await workflow.wait_condition(
                    lambda: self._state.version != version,
                    timeout=delay,
                    timeout_summary=self._state.next_timer_label(),
                )
                return  # the claim moved: its deadlines may have too
            except TimeoutError:
                pass
        async with self._lock:
            await self._carry_out(self._state.advance(workflow.now()))

    async def _carry_out(self, step: Step, *, answers: str | None = None) -> None:
        """Stores the step, then sends its e-mails without holding the claim up.

        `answers`: the Update this step answers; the store keeps the answer with the step,
        for a client that asks again with the same Idempotency-Key.
        """
        if not step.events and not step.mails:  # a digest (edition 3) is e-mails alone
            return
        if step.strike:
            result = await self._store.write(
                "record_strike",
                StrikeInput(
                    reference=self._state.input.reference,
                    merchant_id=self._state.input.transaction.merchant_id,
                    at=workflow.now(),
                    limit=self._state.input.policy.merchant_strike_limit,
                ),
                StrikeResult,
            )
            step = step.then(self._state.strike_recorded(result, workflow.now()))
        projection = Projection(claim=self._state.view(), events=step.events, answers=answers)
        await self._store.write("record_claim", projection, None)
        self._publish()
        count_step(step, self._state.input.subject.value)
        if step.mails:
            self._mail_tasks.append(asyncio.create_task(self._send(MailBatch(step.mails))))

    def _publish(self) -> None:
        """Shows operators where the claim stands: search attributes and current details."""
        seen = visibility(self._state)
        updates = search.changes(seen, workflow.info().typed_search_attributes)
        if updates:
            workflow.upsert_search_attributes(updates)
        workflow.set_current_details(seen.details)

    async def _send(self, batch: MailBatch) -> None:
        """Sends a step's e-mails in one activity; a permanent refusal goes on the timeline."""
        receipt = await send_mails(batch)
        for refusal in receipt.refused:
            workflow.logger.error(
                "e-mail %s undeliverable: %s",
                refusal.order.key,
                without_addresses(refusal.reason),  # reasons recorded before they were blanked
            )
            async with self._lock:
                step = self._state.mail_undeliverable(refusal.order, refusal.reason, workflow.now())
                if refusal.order.recipient is Recipient.MERCHANT:
                    # Edition 2: the merchant cannot be reached, the platform steps in (an
                    # empty step under edition 1, or once it did).
                    step = step.then(
                        self._state.merchant_mail_unreachable(MAIL_REFUSED, workflow.now())
                    )
                await self._carry_out(step)
        if receipt.merchant_without_contact:
            # No address on file: the platform steps in (edition 2; nothing under edition 1,
            # whose recorded receipts do not carry the field).
            async with self._lock:
                await self._carry_out(
                    self._state.merchant_mail_unreachable(NO_CONTACT_ADDRESS, workflow.now())
                )

    async def _act(self, action: Action, message: ActionInput) -> ClaimView:
        return await self._transition(lambda: self._state.act(action, message, workflow.now()))

    async def _transition(self, transition: Callable[[], Step]) -> ClaimView:
        """Carries out an Update's (or a signal's) transition, or raises the claim's refusal."""
        await workflow.wait_condition(lambda: self._opened)
        update = workflow.current_update_info()
        async with self._lock:
            try:
                step = transition()
            except Refused as refused:
                raise ApplicationError(refused.reason, type=REFUSED, non_retryable=True) from None
            if update is not None:
                self._answered[update.id] = workflow.now()
            await self._carry_out(step, answers=update.id if update else None)
            return self._state.view()

    def _validate(self, action: Action, message: ActionInput) -> None:
        self._refuse_if(self._state.refusal(action, message))

    def _refuse_if(self, reason: str | None) -> None:
        """An Update's validator: refuses it when the claim cannot take it, or gives `reason`."""
        self._check_takes_updates()
        if reason is not None:
            raise ApplicationError(reason, type=REFUSED, non_retryable=True)

    def _check_takes_updates(self) -> None:
        update = workflow.current_update_info()
        if update is not None and update.id in self._answered:
            # First: a run handing over must not send it on to be carried out again.
            raise ApplicationError(
                "this action was answered before the claim moved to a fresh run",
                type=ANSWERED_BEFORE,
                non_retryable=True,
            )
        if self._handing_over:
            raise ApplicationError(
                "the claim is moving to a fresh run; ask again", type=HANDING_OVER
            )

    # ---- reading ----

    @workflow.query
    def view(self) -> ClaimView:
        return self._state.view()

    @workflow.update
    async def opened(self) -> ClaimView:
        """Answers once the opening step is stored, with the claim as it stored it: the
        API's update-with-start waits on it, and a replay of the opening gets the same."""
        await workflow.wait_condition(lambda: self._opened)
        async with self._lock:  # not mid-step: the view answered is a view stored
            return self._opening_view or self._state.view()

    @opened.validator
    def _check_opened(self) -> None:
        """Only there for the worker's seal check, which runs in validators."""

    # ---- actions (one Update each; the validator refuses without touching history) ----

    @workflow.update
    async def post_message(self, message: PostMessage) -> ClaimView:
        return await self._act(Action.MESSAGE, message)

    @post_message.validator
    def _check_post_message(self, message: PostMessage) -> None:
        self._validate(Action.MESSAGE, message)

    @workflow.update
    async def submit_merchant_response(self, response: MerchantResponse) -> ClaimView:
        return await self._act(Action.MERCHANT_RESPONSE, response)

    @submit_merchant_response.validator
    def _check_merchant_response(self, response: MerchantResponse) -> None:
        self._validate(Action.MERCHANT_RESPONSE, response)

    @workflow.signal(name="merchant_response")
    async def merchant_response(self, response: MerchantResponse) -> None:
        """Retired: the API never sent it, and a signal carries no seal, so it was a way
        around the API. A claim that took one before (a history without the marker) takes
        it again on replay; from the marker on, it is ignored."""
        if workflow.patched(SIGNAL_RETIRED):
            workflow.logger.warning("merchant_response signal ignored: not sent by the API")
            return
        try:
            await self._act(Action.MERCHANT_RESPONSE, response)
        except ApplicationError as refused:
            workflow.logger.warning("merchant response refused: %s", refused.message)

    @workflow.update
    async def accept_proposal(self, answer: ProposalAnswer) -> ClaimView:
        return await self._act(Action.ACCEPT_PROPOSAL, answer)

    @accept_proposal.validator
    def _check_accept_proposal(self, answer: ProposalAnswer) -> None:
        self._validate(Action.ACCEPT_PROPOSAL, answer)

    @workflow.update
    async def reject_proposal(self, answer: ProposalAnswer) -> ClaimView:
        return await self._act(Action.REJECT_PROPOSAL, answer)

    @reject_proposal.validator
    def _check_reject_proposal(self, answer: ProposalAnswer) -> None:
        self._validate(Action.REJECT_PROPOSAL, answer)

    @workflow.update
    async def close(self, request: CloseRequest) -> ClaimView:
        return await self._act(Action.CLOSE, request)

    @close.validator
    def _check_close(self, request: CloseRequest) -> None:
        self._validate(Action.CLOSE, request)

    @workflow.update
    async def withdraw(self, request: CloseRequest) -> ClaimView:
        return await self._act(Action.WITHDRAW, request)

    @withdraw.validator
    def _check_withdraw(self, request: CloseRequest) -> None:
        self._validate(Action.WITHDRAW, request)

    @workflow.update
    async def confirm_satisfaction(self, answer: SatisfactionAnswer) -> ClaimView:
        return await self._act(Action.SATISFACTION, answer)

    @confirm_satisfaction.validator
    def _check_satisfaction(self, answer: SatisfactionAnswer) -> None:
        self._validate(Action.SATISFACTION, answer)

    @workflow.update
    async def decide(self, decision: Decision) -> ClaimView:
        return await self._act(Action.DECISION, decision)

    @decide.validator
    def _check_decide(self, decision: Decision) -> None:
        self._validate(Action.DECISION, decision)

    @workflow.update
    async def request_info(self, request: InfoRequest) -> ClaimView:
        return await self._act(Action.REQUEST_INFO, request)

    @request_info.validator
    def _check_request_info(self, request: InfoRequest) -> None:
        self._validate(Action.REQUEST_INFO, request)

    @workflow.update
    async def add_internal_note(self, note: InternalNote) -> ClaimView:
        return await self._act(Action.INTERNAL_NOTE, note)

    @add_internal_note.validator
    def _check_internal_note(self, note: InternalNote) -> None:
        self._validate(Action.INTERNAL_NOTE, note)

    # ---- the merchant's standing (sent by the API, not by a party to the claim) ----

    @workflow.update
    async def merchant_terminated(self, notice: MerchantTerminated) -> ClaimView:
        """An operator terminated the merchant: the platform takes the claim over (edition 2)."""
        return await self._transition(
            lambda: self._state.take_over_from_terminated_merchant(workflow.now())
        )

    @merchant_terminated.validator
    def _check_merchant_terminated(self, notice: MerchantTerminated) -> None:
        self._refuse_if(self._state.termination_refusal())

    @workflow.update
    async def merchant_reinstated(self, notice: MerchantReinstated) -> ClaimView:
        """An operator reinstated the merchant: the claim goes back to it (edition 3)."""
        return await self._transition(
            lambda: self._state.return_to_reinstated_merchant(workflow.now())
        )

    @merchant_reinstated.validator
    def _check_merchant_reinstated(self, notice: MerchantReinstated) -> None:
        self._refuse_if(self._state.reinstatement_refusal())

    @workflow.update
    async def give_findings(self, findings: Findings) -> ClaimView:
        return await self._act(Action.FINDINGS, findings)

    @give_findings.validator
    def _check_give_findings(self, findings: Findings) -> None:
        self._validate(Action.FINDINGS, findings)
