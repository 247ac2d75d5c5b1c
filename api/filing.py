"""Opening a claim: the core's filing rules, the store's reservation, the workflow's start."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy

from api.auth import Principal
from api.errors import InvalidRequest, NotFound, ProblemError
from api.idempotency import key_reused
from api.schemas import ClaimCreate
from api.temporal_calls import call_claim
from claimdesk.core.domain import ClaimInput, ClaimView, Contact, Standing, TransactionRef
from claimdesk.core.filing import filing_refusal
from claimdesk.core.reference import REFERENCE_ALPHABET, REFERENCE_CHARS, reference_from
from claimdesk.core.rules import ClaimState
from claimdesk.core.settings import Settings
from claimdesk.core.standing import opening_details, summary, visibility
from claimdesk.store import claims, idempotency, merchants, transactions
from claimdesk.store.db import sessions, unit_of_work
from claimdesk.store.models import OPENING, Claim, IdempotencyRecord, Transaction
from workflows import search
from workflows.claim import ClaimWorkflow


def new_reference() -> str:
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_CHARS))
    return reference_from(chars)


def request_fingerprint(body: ClaimCreate) -> str:
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


# ---- filing rules ----


def check_filing(
    *,
    body: ClaimCreate,
    principal: Principal,
    transaction: Transaction,
    now: datetime,
    settings: Settings,
) -> None:
    """Refuses, with a 422 naming the rule, a claim the core's filing rules refuse."""
    refusal = filing_refusal(
        subject=body.subject,
        category=body.category,
        contact_email=body.contact.email,
        filer_email=principal.email,
        transaction_at=transaction.occurred_at,
        now=now,
        close_after=settings.transaction_close_after,
        payment_window=settings.payment_filing_window,
    )
    if refusal is not None:
        raise InvalidRequest(refusal.rule.value, refusal.title, refusal.detail)


# ---- opening a claim ----


@dataclass
class _Filing:
    claim_input: ClaimInput
    needs_start: bool  # False when a replay finds the workflow already reported
    answer: ClaimView | None = None  # a replay's first answer, once the opening stored it

    @property
    def reference(self) -> str:
        return self.claim_input.reference


async def file_claim(
    *,
    engine: AsyncEngine,
    client: Client,
    settings: Settings,
    principal: Principal,
    body: ClaimCreate,
    idempotency_key: str | None,
) -> Claim:
    """Reserves the claim in the store, then starts its workflow and waits until it opened.

    The reservation and the idempotency record commit together, so a replay of the same
    key always finds the claim and re-runs the (idempotent) update-with-start: a crash
    between the two steps heals on the client's retry.
    """
    async with unit_of_work(engine) as session:
        filing = await _reserve(
            session=session,
            settings=settings,
            principal=principal,
            body=body,
            idempotency_key=idempotency_key,
        )
    if filing.needs_start:
        try:
            view = await _start(client=client, settings=settings, claim_input=filing.claim_input)
        except BaseException:
            if idempotency_key is None:
                # Nobody can retry this request: free the transaction for a new claim. Should
                # the workflow have started after all, its first report re-creates the row.
                async with unit_of_work(engine) as session:
                    await claims.delete_unreported_claim(
                        session=session, reference=filing.reference
                    )
            raise
        # The workflow answers once the store holds this view: no need to read it back.
        return claims.stored_claim(view)
    if filing.answer is not None:
        return claims.stored_claim(filing.answer)
    # Opened before first answers were kept: the claim as it is now.
    async with sessions(engine)() as session:
        claim = await claims.get_claim_row(session=session, reference=filing.reference)
    assert claim is not None
    return claim


async def _reserve(
    *,
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    body: ClaimCreate,
    idempotency_key: str | None,
) -> _Filing:
    transaction = await transactions.get_transaction(
        session=session, transaction_id=body.transaction_id, customer_email=principal.email
    )
    if transaction is None:
        raise NotFound(f"transaction {body.transaction_id}")
    now = datetime.now(UTC)
    standing = await merchants.merchant_standing(
        session=session, merchant_id=transaction.merchant_id
    )
    claim_input = opening_input(
        body=body,
        transaction=transaction,
        reference=new_reference(),
        opened_at=now,
        settings=settings,
        merchant_standing=standing or Standing.ACTIVE,
    )
    if idempotency_key is not None:
        record = IdempotencyRecord(
            api_key_id=principal.key_id,
            key=idempotency_key,
            request_hash=request_fingerprint(body),
            reference=claim_input.reference,
            created_at=now,
        )
        if not await idempotency.insert_idempotency_record(session=session, record=record):
            return await _replay(session=session, record=record, filed=claim_input)
    check_filing(
        body=body, principal=principal, transaction=transaction, now=now, settings=settings
    )
    if not await claims.reserve_claim(session=session, view=reservation(claim_input)):
        raise await _open_claim_exists(
            session=session, principal=principal, transaction_id=transaction.id, body=body
        )
    return _Filing(claim_input=claim_input, needs_start=True)


async def _open_claim_exists(
    *, session: AsyncSession, principal: Principal, transaction_id: str, body: ClaimCreate
) -> ProblemError:
    """The 409 for a filing an open claim holds the place of: it names that claim only to
    a caller who may read it (its customer; operators), as GET /claims/{reference} would."""
    existing = await claims.open_claim_reference(
        session=session,
        transaction_id=transaction_id,
        subject=body.subject.value,
        customer_email=principal.customer_filter,
    )
    if existing is None:
        return ProblemError(
            409,
            "open-claim-exists",
            "An open claim exists",
            "a claim is still open for this transaction and subject",
        )
    return ProblemError(
        409,
        "open-claim-exists",
        "An open claim exists",
        f"claim {existing} is still open for this transaction and subject",
        extra={"existing_reference": existing},
    )


async def _replay(
    *, session: AsyncSession, record: IdempotencyRecord, filed: ClaimInput
) -> _Filing:
    """The first request's filing: its reference, and when it opened, replace this one's."""
    first = await idempotency.find_idempotency_record(
        session=session, api_key_id=record.api_key_id, key=record.key
    )
    assert first is not None
    if first.request_hash != record.request_hash or first.operation != OPENING:
        raise key_reused()
    claim = await claims.get_claim_row(session=session, reference=first.reference)
    assert claim is not None  # committed together with the record
    return _Filing(
        claim_input=replace(filed, reference=first.reference, opened_at=claim.opened_at),
        needs_start=claim.version == 0,
        answer=None if first.answer is None else idempotency.answer_view(first.answer),
    )


def opening_input(
    *,
    body: ClaimCreate,
    transaction: Transaction,
    reference: str,
    opened_at: datetime,
    settings: Settings,
    merchant_standing: Standing = Standing.ACTIVE,
) -> ClaimInput:
    """The workflow's input: the claim as filed, on its transaction, under today's policy,
    with its merchant's standing at filing (restricted or terminated: to the platform)."""
    return ClaimInput(
        reference=reference,
        transaction=TransactionRef(
            id=transaction.id,
            merchant_id=transaction.merchant_id,
            amount=transaction.amount,
            currency=transaction.currency,
            occurred_at=transaction.occurred_at,
        ),
        subject=body.subject,
        category=body.category,
        description=body.description,
        contact=Contact(
            name=body.contact.name,
            email=body.contact.email,
            phone=body.contact.phone,
            share_phone_with_merchant=body.contact.share_phone_with_merchant,
        ),
        locale=body.locale,
        opened_at=opened_at,
        policy=settings.policy,
        merchant_standing=merchant_standing,
    )


def reservation(claim_input: ClaimInput) -> ClaimView:
    """The claim as it holds its place until its workflow reports (version 0): as the rules
    open it, but with no deadline running yet and nothing anyone may do to it."""
    opened, _ = ClaimState.open(claim_input)
    return replace(
        opened.view(),
        version=0,
        allowed_actions={},
        next_deadline=None,
        next_deadline_kind=None,
    )


async def _start(*, client: Client, settings: Settings, claim_input: ClaimInput) -> ClaimView:
    def operation() -> WithStartWorkflowOperation[ClaimWorkflow, ClaimView]:
        return WithStartWorkflowOperation(
            ClaimWorkflow.run,
            claim_input,
            id=claim_input.reference,
            task_queue=settings.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            # A closed claim's workflow must never start again under the same reference.
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            # Set at start, so operators find the claim from its first event on.
            search_attributes=search.initial(visibility(ClaimState.open(claim_input)[0])),
            static_summary=summary(claim_input),
            static_details=opening_details(claim_input),
        )

    # Many replays of one opening at once: some are turned away for a moment, and asking
    # again is safe (the start is idempotent).
    return await call_claim(
        lambda: client.execute_update_with_start_workflow(
            ClaimWorkflow.opened, start_workflow_operation=operation()
        ),
        too_late="the claim's workflow has not confirmed its opening in time; "
        "retry (with the same Idempotency-Key, if you sent one)",
    )
