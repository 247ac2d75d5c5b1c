"""/docs without internet, the static files' caching, and the pages' words in both languages."""

from __future__ import annotations

import re

from api.web.messages import MESSAGES, best_locale
from claimdesk.core.domain import Locale
from tests.support.web import Web


async def test_docs_use_only_files_the_app_serves(web: Web) -> None:
    http = await web.anonymous()
    page = await http.get("/docs")
    assert page.status_code == 200
    addresses = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", page.text)
    urls = re.findall(r"""url:\s*["']([^"']+)["']""", page.text)
    assert addresses, page.text
    assert not [a for a in addresses + urls if "//" in a], "an address on another host"
    for address in addresses + urls:
        answer = await http.get(address)
        assert answer.status_code == 200, address
    assert "openapi" in (await http.get("/openapi.json")).json()
    assert (await http.get("/redoc")).status_code == 404


async def test_static_files_are_cached_and_versioned_by_content(web: Web) -> None:
    http = await web.anonymous()
    page = await http.get("/app/sign-in")
    css = re.search(r'href="(/static/claimdesk\.css\?v=[0-9a-f]{12})"', page.text)
    assert css is not None
    answer = await http.get(css.group(1))
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/css")
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_every_page_word_exists_in_both_languages() -> None:
    assert set(MESSAGES[Locale.EN]) == set(MESSAGES[Locale.FR])
    for key, english in MESSAGES[Locale.EN].items():
        fields = set(re.findall(r"\{(\w+)\}", english))
        assert fields == set(re.findall(r"\{(\w+)\}", MESSAGES[Locale.FR][key])), key


def test_the_browser_language_is_chosen_by_preference() -> None:
    assert best_locale("fr-CA,fr;q=0.9,en;q=0.8") is Locale.FR
    assert best_locale("de-DE,en;q=0.5,fr;q=0.7") is Locale.FR
    assert best_locale("de, en;q=0") is Locale.EN
    assert best_locale("fr;q=0, en;q=0.1") is Locale.EN
    assert best_locale(None) is Locale.EN
    assert best_locale("garbage;q=x,,") is Locale.EN
