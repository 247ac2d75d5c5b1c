"""ISO 4217: real codes only, each with its minor units; amounts kept to the cent."""

from __future__ import annotations

from decimal import Decimal

from claimdesk.core.currency import decimals, decimals_accepted, decimals_of, minor_units


def test_only_real_payment_currencies_are_known_each_with_its_minor_units() -> None:
    units = minor_units()
    assert (units["EUR"], units["USD"], units["JPY"], units["KRW"], units["BHD"]) == (2, 2, 0, 0, 3)
    # No such code; gold, "no currency" and the testing code carry no minor units.
    for code in ("ZZZ", "XAU", "XXX", "XTS", "eur"):
        assert code not in units, code


def test_an_amount_takes_its_currency_s_decimals_as_far_as_the_store_keeps_them() -> None:
    assert decimals_accepted("JPY") == 0 and decimals_accepted("EUR") == 2
    assert decimals_of("BHD") == 3 and decimals_accepted("BHD") == 2  # Numeric(14, 2)
    assert [decimals(Decimal(text)) for text in ("5000", "50.5", "1.50", "1.005")] == [0, 1, 1, 3]
