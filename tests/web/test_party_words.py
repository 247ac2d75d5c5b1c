"""Every word the customer's and merchant's pages ask for exists, in both languages."""

from __future__ import annotations

import re
from pathlib import Path

from api.web.messages import MESSAGES
from api.web.rendering import TEMPLATES
from claimdesk.core.domain import Deadline, Locale

PARTY_TEMPLATES = [
    "_party_nav.html",
    "_claim_actions.html",
    "_claim_list.html",
    "claim.html",
    "file_claim.html",
    "inbox.html",
    "my_claims.html",
    "time_zone.html",
    "transactions.html",
]


def _keys(template: str) -> set[str]:
    text = (Path(TEMPLATES) / template).read_text()
    return set(re.findall(r"""\bt\(["'](\w+)["']\s*[,)]""", text))


def test_the_templates_words_exist() -> None:
    for template in PARTY_TEMPLATES:
        missing = _keys(template) - set(MESSAGES[Locale.EN])
        assert not missing, (template, missing)


def test_every_deadline_level_and_refusal_has_its_words() -> None:
    for locale in Locale:
        words = MESSAGES[locale]
        for deadline in Deadline:
            assert f"deadline_{deadline.value}" in words
        for level in (1, 2, 3):
            assert f"level_{level}" in words
        for kind in ("not_found", "forbidden"):
            assert f"{kind}_title" in words and f"{kind}_body" in words
