"""ISO 4217 currencies: which codes are real, and how many decimals (minor units) each has.

The table is ISO's own (the `iso4217` package ships the maintenance agency's list, dated):
`ZZZ` is no currency, `JPY` has no decimals, `BHD` three. Codes without minor units (gold,
SDR, fund codes, `XXX`) are not what a card payment is made in: they are refused too.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from iso4217 import Currency as _Iso4217

# The store keeps amounts to the cent (Numeric(14, 2)): a third decimal would be rounded away
# by PostgreSQL, so a currency with three (BHD, KWD, OMR...) takes amounts of at most two.
STORED_DECIMALS = 2


@cache
def minor_units() -> dict[str, int]:
    """Every payment currency's code and its decimals, as ISO 4217 lists them."""
    return {
        currency.code: currency.exponent
        for currency in _Iso4217
        if currency.exponent is not None and currency.code.isalpha()
    }


def decimals_of(code: str) -> int:
    """The decimals an amount in `code` shows (2 for a code the table does not know)."""
    return minor_units().get(code, 2)


def decimals_accepted(code: str) -> int:
    """The decimals an amount in `code` may have: its minor units, as far as the store holds."""
    return min(decimals_of(code), STORED_DECIMALS)


def decimals(amount: Decimal) -> int:
    """How many decimals `amount` is written with, trailing zeros not counted (`1.50`: 1)."""
    exponent = amount.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def decimals_refusal(amount: Decimal, code: str) -> str | None:
    """Why `amount` cannot be in `code`: more decimals than the currency has (the API's
    `Amount` already refuses more than the store keeps, a third decimal of BHD included)."""
    accepted = decimals_accepted(code)
    if decimals(amount) <= accepted:
        return None
    return f"at most {accepted} decimals in {code}" if accepted else f"no decimals in {code}"
