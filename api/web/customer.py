"""The customer's space: their purchases, filing a claim from one, and their claims."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from api import filing, limits
from api.auth import Principal, require_role
from api.deps import EngineDep, SettingsDep, TemporalDep
from api.errors import ProblemError
from api.idempotency import form_key
from api.schemas import ClaimCreate
from api.web import claims_list
from api.web.identity import CheckedFormDep, PagePrincipalDep, current_visit
from api.web.party_pages import (
    IDEMPOTENCY_FIELD,
    FieldErrors,
    forbidden_page,
    not_found_page,
    page,
    problem_errors,
    refusal_page,
    validation_errors,
)
from claimdesk.core.domain import CATEGORIES, Locale, Role, Subject
from claimdesk.core.settings import Settings
from claimdesk.store import merchants, transactions
from claimdesk.store.db import sessions
from claimdesk.store.models import Transaction

router = APIRouter(prefix="/app", include_in_schema=False)
PAGE_SIZE = claims_list.PAGE_SIZE

# Where the filing's errors show: a body field's error, and a refusal's, by field id.
_FIELD_ERRORS = {
    "subject": ("subject", "err_subject"),
    "category": ("category", "err_category"),
    "description": ("description", "err_description"),
    "contact.name": ("contact_name", "err_contact_name"),
    "contact.phone": ("contact_phone", "err_contact_phone"),
    "locale": ("locale", "err_locale"),
}
_REFUSAL_FIELDS = {
    "category-does-not-fit-subject": "category",
    "filing-window-closed": "subject",
}


def _customer(principal: Principal) -> bool:
    try:
        require_role(principal, Role.CUSTOMER)
    except ProblemError:
        return False
    return True


@router.get("/transactions")
async def purchases(
    request: Request, principal: PagePrincipalDep, engine: EngineDep, offset: str = "0"
) -> Response:
    if not _customer(principal):
        return await forbidden_page(request)
    start = claims_list.offset_of(offset)
    async with sessions(engine)() as session:
        rows = await transactions.list_transactions(
            session=session, customer_email=principal.email, limit=PAGE_SIZE + 1, offset=start
        )
        shops = await merchants.merchants_by_id(
            session=session, merchant_ids={row.merchant_id for row in rows}
        )
    return await page(
        request,
        "transactions.html",
        {
            "transactions": rows[:PAGE_SIZE],
            "shops": {id: shop.name for id, shop in shops.items()},
            "next_offset": start + PAGE_SIZE if len(rows) > PAGE_SIZE else None,
        },
    )


async def _transaction(
    engine: EngineDep, principal: Principal, transaction_id: str
) -> tuple[Transaction, str] | None:
    """The customer's transaction (another's: None), with its shop's name."""
    async with sessions(engine)() as session:
        found = await transactions.get_transaction(
            session=session, transaction_id=transaction_id[:64], customer_email=principal.email
        )
        if found is None:
            return None
        shop = await merchants.get_merchant(session=session, merchant_id=found.merchant_id)
    return found, shop.name if shop else found.merchant_id


async def _own_transaction(
    request: Request, engine: EngineDep, principal: Principal, transaction_id: str
) -> tuple[Transaction, str] | Response:
    """The signed-in customer's own transaction with its shop's name, or the page that
    refuses it: 403 for someone not a customer, 404 for a transaction not theirs."""
    if not _customer(principal):
        return await forbidden_page(request)
    found = await _transaction(engine, principal, transaction_id)
    if found is None:
        return await not_found_page(request)
    return found


@router.get("/transactions/{transaction_id}/claim")
async def filing_form(
    request: Request,
    transaction_id: str,
    principal: PagePrincipalDep,
    engine: EngineDep,
    settings: SettingsDep,
) -> Response:
    found = await _own_transaction(request, engine, principal, transaction_id)
    if isinstance(found, Response):
        return found
    locale = (await current_visit(request)).locale
    return await _form(request, settings, found, {"locale": locale.value}, {})


async def _form(
    request: Request,
    settings: Settings,
    found: tuple[Transaction, str],
    values: dict[str, str],
    errors: FieldErrors,
    status_code: int = 200,
) -> Response:
    transaction, shop = found
    return await page(
        request,
        "file_claim.html",
        {
            "transaction": transaction,
            "shop": shop,
            "values": values,
            "errors": errors,
            "subjects": [Subject.DELIVERY, Subject.PAYMENT],
            "categories": {s.value: sorted(c.value for c in CATEGORIES[s]) for s in Subject},
            "locales": [item.value for item in Locale],
            "payment_until": transaction.occurred_at + settings.payment_filing_window,
            "any_until": transaction.occurred_at + settings.transaction_close_after,
            "payment_days": settings.payment_filing_window.days,
            "any_days": settings.transaction_close_after.days,
            "merchant_hours": int(settings.level2_after.total_seconds() // 3600),
        },
        status_code=status_code,
    )


def _body(transaction_id: str, email: str | None, form: dict[str, str]) -> dict[str, Any]:
    """The API's `ClaimCreate` from the form; the contact's e-mail is the customer's own."""
    return {
        "transaction_id": transaction_id,
        "subject": form.get("subject", ""),
        "category": form.get("category", ""),
        "description": form.get("description", ""),
        "contact": {
            "name": form.get("contact_name", ""),
            "email": email,
            "phone": form.get("contact_phone") or None,
            "share_phone_with_merchant": form.get("share_phone") == "yes",
        },
        "locale": form.get("locale", ""),
    }


@router.post("/transactions/{transaction_id}/claim")
async def file(
    request: Request,
    transaction_id: str,
    principal: PagePrincipalDep,
    form: CheckedFormDep,
    engine: EngineDep,
    client: TemporalDep,
    settings: SettingsDep,
) -> Response:
    found = await _own_transaction(request, engine, principal, transaction_id)
    if isinstance(found, Response):
        return found
    locale = (await current_visit(request)).locale
    # As POST /claims: over the opening limit, a 429 page (api/web/__init__.py), nothing filed.
    limits.count_request(request, principal, limits.OPENING)
    try:
        body = ClaimCreate.model_validate(_body(found[0].id, principal.email, form))
        claim = await filing.file_claim(
            engine=engine,
            client=client,
            settings=settings,
            principal=principal,
            body=body,
            idempotency_key=form_key(form.get(IDEMPOTENCY_FIELD)),
        )
    except ValidationError as invalid:
        errors = validation_errors(locale, invalid.errors(), _FIELD_ERRORS)
        return await _form(request, settings, found, form, errors, status_code=422)
    except ProblemError as problem:
        refused = await refusal_page(request, problem)
        if refused is not None:
            return refused
        errors = problem_errors(request, locale, problem, _REFUSAL_FIELDS)
        return await _form(request, settings, found, form, errors, problem.status)
    return RedirectResponse(f"/app/claims/{claim.reference}?filed=1", status_code=303)


@router.get("/claims")
async def my_claims(
    request: Request, principal: PagePrincipalDep, engine: EngineDep, offset: str = "0"
) -> Response:
    if not _customer(principal):
        return await forbidden_page(request)
    listing = await claims_list.customer_claims(engine, principal, claims_list.offset_of(offset))
    return await page(request, "my_claims.html", {"listing": listing})
