"""What the customer's and merchant's page tests share: a filed claim through the pages."""

from __future__ import annotations

import re

from tests.support.web import Person, Web

REFERENCE = re.compile(r"/app/claims/(CLM-[0-9A-Z]{4}-[0-9A-Z]{4})")


def filing_form(**overrides: str) -> dict[str, str]:
    form = {
        "subject": "delivery",
        "category": "not_received",
        "description": "Ordered a lamp three weeks ago; nothing arrived.",
        "contact_name": "Ana Lima",
        "contact_phone": "",
        "locale": "en",
    }
    form.update(overrides)
    return form


async def file_through_page(person: Person, transaction_id: str, **overrides: str) -> str:
    """Files a claim from the purchase's form; answers its reference."""
    answer = await person.post_form(
        f"/app/transactions/{transaction_id}/claim", filing_form(**overrides)
    )
    assert answer.status_code == 303, answer.text
    found = REFERENCE.match(answer.headers["location"])
    assert found is not None
    return found.group(1)


async def customer_with_purchase(
    web: Web, transaction_id: str, *, email: str = "ana@example.com", days_ago: float = 3
) -> Person:
    await web.api.transaction(transaction_id, customer_email=email, days_ago=days_ago)
    return await web.client_for("customer", email=email)
