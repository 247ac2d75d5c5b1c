"""The report names every detail an event carries, or leaves it out on purpose."""

from __future__ import annotations

from claimdesk.core import report
from claimdesk.core.details import EVENT_DETAILS
from claimdesk.core.domain import Locale


def test_every_declared_event_detail_is_named_in_the_report_or_left_out_on_purpose() -> None:
    declared = frozenset().union(*(keys.names for keys in EVENT_DETAILS.values()))
    for locale in Locale:
        named = frozenset(report._DETAILS[locale])
        assert not named & report.LEFT_OUT, locale
        # A key renamed in the rules would otherwise vanish from the report without a word.
        assert named | report.LEFT_OUT == declared, locale
