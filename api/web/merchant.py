"""The merchant's space: the inbox of the claims against its shop, most urgent first."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import EngineDep
from api.web import claims_list
from api.web.identity import PagePrincipalDep
from api.web.party_pages import forbidden_page, page
from claimdesk.core.domain import Role

router = APIRouter(prefix="/app", include_in_schema=False)


@router.get("/inbox")
async def inbox(
    request: Request,
    principal: PagePrincipalDep,
    engine: EngineDep,
    offset: str = "0",
    closed: str = "",
) -> Response:
    """Open claims, the most urgent first; `?closed=1`: the closed ones, latest first."""
    if principal.role is not Role.MERCHANT:
        return await forbidden_page(request)
    listing = await claims_list.merchant_inbox(
        engine, principal, claims_list.offset_of(offset), closed=closed == "1"
    )
    return await page(request, "inbox.html", {"listing": listing, "closed": closed == "1"})
