"""Whether a customer may file a claim: the filing windows, the category, the contact. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from claimdesk.core.domain import CATEGORIES, Category, Subject


class FilingRule(StrEnum):
    """The rule a filing broke; the value is the stable code the API answers with."""

    CATEGORY_FITS_SUBJECT = "category-does-not-fit-subject"
    CONTACT_IS_FILER = "contact-email-mismatch"
    WITHIN_WINDOW = "filing-window-closed"


@dataclass(frozen=True)
class FilingRefusal:
    """Why a claim may not be filed: the rule, a title and the detail in words."""

    rule: FilingRule
    title: str
    detail: str


def filing_refusal(
    *,
    subject: Subject,
    category: Category,
    contact_email: str,
    filer_email: str | None,  # the e-mail the filer is known by (none: refused)
    transaction_at: datetime,
    now: datetime,
    close_after: timedelta,
    payment_window: timedelta,
) -> FilingRefusal | None:
    """Why this claim may not be filed now, or None if it may.

    A claim may be filed up to `close_after` after its transaction, a payment claim up to
    `payment_window` after it (both inclusive).
    """
    if category not in CATEGORIES[subject]:
        fitting = ", ".join(sorted(c.value for c in CATEGORIES[subject]))
        return FilingRefusal(
            FilingRule.CATEGORY_FITS_SUBJECT,
            "Category does not fit the subject",
            f"a {subject.value} claim has one of these categories: {fitting}",
        )
    if contact_email != filer_email:
        # The claim is found by its customer's e-mail: another address would hide it from them.
        return FilingRefusal(
            FilingRule.CONTACT_IS_FILER,
            "Contact e-mail is not yours",
            "contact.email must be the e-mail address your API key is bound to",
        )
    age = now - transaction_at
    if age > close_after:
        return FilingRefusal(
            FilingRule.WITHIN_WINDOW,
            "Too late to file a claim",
            f"no claim can be filed more than {close_after.days} days "
            f"after the transaction (it took place on {transaction_at.isoformat()})",
        )
    if subject is Subject.PAYMENT and age > payment_window:
        return FilingRefusal(
            FilingRule.WITHIN_WINDOW,
            "Too late to file a payment claim",
            f"payment claims must be filed within {payment_window.days} days "
            f"of the transaction (it took place on {transaction_at.isoformat()})",
        )
    return None
