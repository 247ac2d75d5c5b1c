"""How money reads for people: each currency with its own decimals, each locale its way."""

from __future__ import annotations

from decimal import Decimal

import pytest

from claimdesk.core.domain import Locale
from claimdesk.core.wording import format_money, typed_amount

NNBSP = "\u202f"  # French groups thousands with a narrow no-break space


@pytest.mark.parametrize(
    ("amount", "currency", "english", "french"),
    [
        ("49.9", "EUR", "49.90 EUR", "49,90 EUR"),
        ("1234.5", "USD", "1,234.50 USD", f"1{NNBSP}234,50 USD"),
        ("5000", "JPY", "5,000 JPY", f"5{NNBSP}000 JPY"),
        ("5000.00", "KRW", "5,000 KRW", f"5{NNBSP}000 KRW"),
        ("1.25", "BHD", "1.250 BHD", "1,250 BHD"),
        ("1.005", "KWD", "1.005 KWD", "1,005 KWD"),
    ],
)
def test_money_shows_the_currency_s_own_decimals(
    amount: str, currency: str, english: str, french: str
) -> None:
    assert format_money(Decimal(amount), currency, Locale.EN) == english
    assert format_money(amount, currency, Locale.FR) == french


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("20,00", "20.00"),
        (" 20.00 ", "20.00"),
        ("1\u202f234,50", "1234.50"),  # as the French pages write it
        ("49,9", "49.9"),
        ("", None),
        ("   ", None),
        ("1,234.50", "1,234.50"),  # left for the body's check to refuse, never guessed
        ("abc", "abc"),
    ],
)
def test_an_amount_typed_in_a_form_is_read_one_way_everywhere(typed: str, read: str | None) -> None:
    assert typed_amount(typed) == read
