"""Timeline event kinds are one enum: the report words every one of them in every locale."""

from __future__ import annotations

import pytest

from claimdesk.core.domain import EventKind, Locale
from claimdesk.core.report_words import EVENT_WORDS as _EVENTS


@pytest.mark.parametrize("locale", list(Locale))
def test_the_report_words_every_event_kind(locale: Locale) -> None:
    missing = [kind.value for kind in EventKind if kind not in _EVENTS[locale]]
    assert not missing, f"{locale}: no words for {missing}"
