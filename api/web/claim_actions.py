"""The forms a party acts on a claim with: each the API's own route, body and checks.

A form's fields become the API's request body (`api.schemas`), validated as the API
validates it, and go to the API's route function (`api.routes.claims`): what the workflow
is sent, and every rule on the way, is the API's. A form is shown only when the core lists
its action among what the visitor may do to the claim now (`allowed_actions`).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from api.routes import claims as routes
from api.schemas import (
    ClaimOut,
    CloseIn,
    MerchantResponseIn,
    MessageIn,
    ProposalAnswerIn,
    SatisfactionIn,
)
from api.schemas.requests import Body
from claimdesk.core.domain import Action, MerchantAction
from claimdesk.core.wording import typed_amount

Form = Mapping[str, str]
_SMALL_NUMBER = re.compile(r"[0-9]{1,3}")


def _text(form: Form, name: str) -> str | None:
    """An optional text field: left empty, not sent."""
    return form.get(name) or None


def _yes_no(value: str) -> object:
    return {"yes": True, "no": False}.get(value, value)


def _number(value: str) -> object:
    """A small whole number typed in ASCII digits; anything else goes to the model as typed
    (a form error there): "²".isdigit() is True, int("²") raises."""
    return int(value) if _SMALL_NUMBER.fullmatch(value) else (value or None)


def _merchant(action: MerchantAction) -> Callable[[Form], dict[str, Any]]:
    def body(form: Form) -> dict[str, Any]:
        proposal = None
        if action is MerchantAction.PROPOSE:
            amount = typed_amount(form.get("amount", ""))  # the console's reading: "20,00"
            proposal = {"kind": form.get("kind", ""), "amount": amount}
        return {
            "action": action.value,
            "message": _text(form, "message"),
            "proposal": proposal,
            "reason": _text(form, "reason"),
        }

    return body


@dataclass(frozen=True)
class ActionForm:
    action: Action  # shown while the core allows it
    route: Callable[..., Awaitable[ClaimOut]]  # the API's, called with `body` and `act`
    model: type[Body]
    body: Callable[[Form], dict[str, Any]]
    # an error's location in the body ("" for the whole body) -> field name, catalogue key
    where: Mapping[str, tuple[str, str]] = field(default_factory=dict)


_MESSAGE = {"message": ("message", "err_text"), "": ("message", "err_text")}
_REASON = {"reason": ("reason", "err_short_text")}
_NOTE = {"note": ("note", "err_short_text")}

ACTION_FORMS: dict[str, ActionForm] = {
    "message": ActionForm(
        Action.MESSAGE,
        routes.post_message,
        MessageIn,
        lambda form: {"body": form.get("body", "")},
        {"body": ("body", "err_text")},
    ),
    "acknowledge": ActionForm(
        Action.MERCHANT_RESPONSE,
        routes.merchant_response,
        MerchantResponseIn,
        _merchant(MerchantAction.ACKNOWLEDGE),
        _MESSAGE,
    ),
    "propose": ActionForm(
        Action.MERCHANT_RESPONSE,
        routes.merchant_response,
        MerchantResponseIn,
        _merchant(MerchantAction.PROPOSE),
        {
            "proposal.kind": ("kind", "err_proposal_kind"),
            "proposal.amount": ("amount", "err_amount"),
            "proposal": ("amount", "err_refund_amount"),
            "message": ("message", "err_text"),
        },
    ),
    "reject": ActionForm(
        Action.MERCHANT_RESPONSE,
        routes.merchant_response,
        MerchantResponseIn,
        _merchant(MerchantAction.REJECT),
        {"reason": ("reason", "err_reason"), "": ("reason", "err_reason")},
    ),
    "request-info": ActionForm(
        Action.MERCHANT_RESPONSE,
        routes.merchant_response,
        MerchantResponseIn,
        _merchant(MerchantAction.REQUEST_INFO),
        {**_MESSAGE, "": ("message", "err_question")},
    ),
    "accept": ActionForm(
        Action.ACCEPT_PROPOSAL,
        routes.accept_proposal,
        ProposalAnswerIn,
        lambda form: {"reason": _text(form, "reason")},
        _REASON,
    ),
    "decline": ActionForm(
        Action.REJECT_PROPOSAL,
        routes.reject_proposal,
        ProposalAnswerIn,
        lambda form: {"reason": _text(form, "reason")},
        _REASON,
    ),
    "satisfaction": ActionForm(
        Action.SATISFACTION,
        routes.satisfaction,
        SatisfactionIn,
        lambda form: {
            "satisfied": _yes_no(form.get("satisfied", "")),
            "rating": _number(form.get("rating", "")),
            "comment": _text(form, "comment"),
        },
        {
            "satisfied": ("satisfied", "err_satisfied"),
            "rating": ("rating", "err_rating"),
            "comment": ("comment", "err_short_text"),
        },
    ),
    "withdraw": ActionForm(
        Action.WITHDRAW, routes.withdraw, CloseIn, lambda form: {"note": _text(form, "note")}, _NOTE
    ),
    "close": ActionForm(
        Action.CLOSE, routes.close, CloseIn, lambda form: {"note": _text(form, "note")}, _NOTE
    ),
}


def shown_forms(allowed_actions: list[str]) -> set[str]:
    """The forms whose action the core allows the visitor now."""
    return {name for name, form in ACTION_FORMS.items() if form.action.value in allowed_actions}
