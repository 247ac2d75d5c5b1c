"""The report names every detail an event carries, or leaves it out on purpose."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from claimdesk.core import report_words
from claimdesk.core.details import EVENT_DETAILS
from claimdesk.core.domain import (
    Action,
    Locale,
    MerchantAction,
    MerchantResponse,
    Proposal,
    ProposalKind,
)
from claimdesk.core.report import ClaimReport, render_report
from tests.support.claims import HOUR, MERCHANT, OPENED, opened


def test_every_declared_event_detail_is_named_in_the_report_or_left_out_on_purpose() -> None:
    declared = frozenset().union(*(keys.names for keys in EVENT_DETAILS.values()))
    for locale in Locale:
        named = frozenset(report_words.DETAIL_NAMES[locale])
        assert not named & report_words.LEFT_OUT, locale
        # A key renamed in the rules would otherwise vanish from the report without a word.
        assert named | report_words.LEFT_OUT == declared, locale


def test_the_timelines_amounts_are_written_like_the_headers_in_the_readers_language() -> None:
    state = opened()
    answer = MerchantResponse(
        MERCHANT, MerchantAction.PROPOSE, proposal=Proposal(ProposalKind.REFUND, Decimal("12.5"))
    )
    step = state.act(Action.MERCHANT_RESPONSE, answer, OPENED + HOUR)
    view = state.view()
    english = render_report(ClaimReport(view, step.events))
    french = render_report(ClaimReport(replace(view, locale=Locale.FR), step.events))
    assert "amount: 12.50 EUR" in english
    assert "montant: 12,50 EUR" in french and "12.5" not in french
