"""Merchants: operators register, read, restrict and reinstate them; a merchant reads itself."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Response

from api import merchant_standing, records
from api.auth import Principal, PrincipalDep, require_role
from api.deps import EngineDep, SessionDep, TemporalDep
from api.errors import problem_responses
from api.schemas import ClaimStaysOut, MerchantIn, MerchantOut, MerchantStandingOut
from claimdesk.core.domain import Role, Standing
from claimdesk.store import merchants

router = APIRouter(
    prefix="/merchants", tags=["merchants"], responses=problem_responses(400, 401, 413, 422)
)

MerchantId = Annotated[str, Path(max_length=64)]


@router.post(
    "",
    status_code=201,
    summary="Register a merchant (201), or replace its name and contact details (200)",
    responses={200: {"model": MerchantOut, "description": "Updated"}, **problem_responses(403)},
)
async def register_merchant(
    body: MerchantIn, principal: PrincipalDep, session: SessionDep, response: Response
) -> MerchantOut:
    require_role(principal, Role.OPERATOR)
    merchant, created = await merchants.upsert_merchant(
        session=session,
        merchant_id=body.id,
        name=body.name,
        email=body.email,
        phone=body.phone,
        locale=body.locale.value if body.locale else None,
        at=datetime.now(UTC),
    )
    await session.commit()
    if not created:
        response.status_code = 200
    response.headers["Location"] = f"/merchants/{merchant.id}"
    return await records.merchant_record(session=session, merchant=merchant)


@router.get(
    "/{merchant_id}",
    summary="One merchant: contact, strikes, status",
    responses=problem_responses(404),
)
async def get_merchant(
    merchant_id: MerchantId, principal: PrincipalDep, session: SessionDep
) -> MerchantOut:
    merchant = await records.visible_merchant(
        session=session, principal=principal, merchant_id=merchant_id
    )
    return await records.merchant_record(session=session, merchant=merchant)


@router.post(
    "/{merchant_id}/restrict",
    summary="Restrict a merchant: its new claims open with the platform (level 2)",
    responses=problem_responses(403, 404),
)
async def restrict(
    merchant_id: MerchantId, principal: PrincipalDep, engine: EngineDep, session: SessionDep
) -> MerchantOut:
    return await _set_status(merchant_id, principal, engine, session, Standing.RESTRICTED)


@router.post(
    "/{merchant_id}/terminate",
    summary="Terminate a merchant: its keys stop (401), its claims awaiting an answer go to "
    "the platform (level 2) and their customers are told",
    responses=problem_responses(403, 404, 503),
)
async def terminate(
    merchant_id: MerchantId,
    principal: PrincipalDep,
    engine: EngineDep,
    client: TemporalDep,
    session: SessionDep,
) -> MerchantStandingOut:
    return await _change(merchant_id, principal, engine, client, session, Standing.TERMINATED)


@router.post(
    "/{merchant_id}/reinstate",
    summary="Lift a merchant's restriction or termination: its keys work again, and the "
    "claims its termination alone moved to the platform go back to it, their customers told",
    responses=problem_responses(403, 404, 503),
)
async def reinstate(
    merchant_id: MerchantId,
    principal: PrincipalDep,
    engine: EngineDep,
    client: TemporalDep,
    session: SessionDep,
) -> MerchantStandingOut:
    return await _change(merchant_id, principal, engine, client, session, Standing.ACTIVE)


async def _change(
    merchant_id: str,
    principal: Principal,
    engine: EngineDep,
    client: TemporalDep,
    session: SessionDep,
    standing: Standing,
) -> MerchantStandingOut:
    """A termination or a reinstatement, and what it did to the merchant's claims."""
    merchant, told = await merchant_standing.change_standing(
        engine=engine,
        client=client,
        principal=principal,
        merchant_id=merchant_id,
        standing=standing,
    )
    return _with_claims(await records.merchant_record(session=session, merchant=merchant), told)


def _with_claims(merchant: MerchantOut, told: merchant_standing.ClaimsTold) -> MerchantStandingOut:
    """The merchant and which of its claims awaiting an answer moved, which stayed and why."""
    staying = [ClaimStaysOut(reference=r, reason=why) for r, why in sorted(told.staying)]
    return MerchantStandingOut(
        **merchant.model_dump(), claims_moved=sorted(told.moved), claims_staying=staying
    )


async def _set_status(
    merchant_id: str,
    principal: Principal,
    engine: EngineDep,
    session: SessionDep,
    to: Standing,
) -> MerchantOut:
    merchant = await merchant_standing.set_standing(
        engine=engine, principal=principal, merchant_id=merchant_id, standing=to
    )
    return await records.merchant_record(session=session, merchant=merchant)
