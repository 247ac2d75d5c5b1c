"""The filing rules, without HTTP: the windows to the day, the category, the contact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from claimdesk.core.domain import Category, Subject
from claimdesk.core.filing import FilingRefusal, FilingRule, filing_refusal

NOW = datetime(2026, 11, 21, 14, 0, tzinfo=UTC)
DAY = timedelta(days=1)
TICK = timedelta(microseconds=1)
ANA = "ana@example.com"


def refusal(
    *,
    subject: Subject = Subject.DELIVERY,
    category: Category | None = None,
    contact_email: str = ANA,
    age: timedelta = 10 * DAY,
) -> FilingRefusal | None:
    if category is None:
        category = Category.NOT_RECEIVED if subject is Subject.DELIVERY else Category.UNAUTHORIZED
    return filing_refusal(
        subject=subject,
        category=category,
        contact_email=contact_email,
        filer_email=ANA,
        transaction_at=NOW - age,
        now=NOW,
        close_after=180 * DAY,
        payment_window=60 * DAY,
    )


@pytest.mark.parametrize("subject", list(Subject))
def test_a_fitting_claim_within_its_window_may_be_filed(subject: Subject) -> None:
    assert refusal(subject=subject) is None


@pytest.mark.parametrize(
    ("subject", "category"),
    [(Subject.PAYMENT, Category.DAMAGED), (Subject.DELIVERY, Category.UNAUTHORIZED)],
)
def test_a_category_that_does_not_fit_the_subject_is_refused_naming_those_that_do(
    subject: Subject, category: Category
) -> None:
    refused = refusal(subject=subject, category=category)
    assert refused is not None and refused.rule is FilingRule.CATEGORY_FITS_SUBJECT
    assert refused.rule.value == "category-does-not-fit-subject"
    assert refused.title == "Category does not fit the subject"
    if subject is Subject.PAYMENT:
        assert refused.detail == (
            "a payment claim has one of these categories: "
            "amount_discrepancy, refund_issue, unauthorized"
        )


def test_refund_issue_fits_both_subjects() -> None:
    for subject in Subject:
        assert refusal(subject=subject, category=Category.REFUND_ISSUE) is None


def test_a_contact_e_mail_other_than_the_filers_is_refused() -> None:
    refused = refusal(contact_email="eve@example.com")
    assert refused == FilingRefusal(
        FilingRule.CONTACT_IS_FILER,
        "Contact e-mail is not yours",
        "contact.email must be the e-mail address your API key is bound to",
    )
    assert refused.rule.value == "contact-email-mismatch"


def test_a_payment_claim_may_be_filed_on_its_60th_day_and_not_a_moment_later() -> None:
    assert refusal(subject=Subject.PAYMENT, age=60 * DAY) is None
    refused = refusal(subject=Subject.PAYMENT, age=60 * DAY + TICK)
    assert refused is not None and refused.rule is FilingRule.WITHIN_WINDOW
    assert refused.rule.value == "filing-window-closed"
    assert refused.title == "Too late to file a payment claim"
    assert refused.detail == (
        "payment claims must be filed within 60 days of the transaction "
        f"(it took place on {(NOW - 60 * DAY - TICK).isoformat()})"
    )


def test_a_delivery_claim_may_be_filed_past_60_days() -> None:
    assert refusal(subject=Subject.DELIVERY, age=61 * DAY) is None


@pytest.mark.parametrize("subject", list(Subject))
def test_no_claim_may_be_filed_a_moment_after_180_days(subject: Subject) -> None:
    if subject is Subject.DELIVERY:
        assert refusal(subject=subject, age=180 * DAY) is None
    refused = refusal(subject=subject, age=180 * DAY + TICK)
    assert refused is not None and refused.rule is FilingRule.WITHIN_WINDOW
    assert refused.title == "Too late to file a claim"
    assert refused.detail == (
        "no claim can be filed more than 180 days after the transaction "
        f"(it took place on {(NOW - 180 * DAY - TICK).isoformat()})"
    )


def test_the_category_is_judged_before_the_contact_and_the_window() -> None:
    refused = refusal(
        subject=Subject.PAYMENT,
        category=Category.DAMAGED,
        contact_email="eve@example.com",
        age=200 * DAY,
    )
    assert refused is not None and refused.rule is FilingRule.CATEGORY_FITS_SUBJECT
