"""Sign-in over HTTP: one-time links by e-mail, passwords, sessions, CSRF, rate limits."""

from __future__ import annotations

import hashlib
import re

import httpx
import pytest
from limits import parse
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.testing import WorkflowEnvironment

from api.web.identity import CSRF_FIELD, SESSION_COOKIE
from claimdesk.core.settings import Settings
from tests.support.api import api_settings
from tests.support.mailbox import Mailbox
from tests.support.web import PASSWORD, Web, csrf_in, link_in, serve_web

NEW_PASSWORD = "a long new passphrase"


async def _form(http: httpx.AsyncClient, page: str) -> str:
    answer = await http.get(page)
    assert answer.status_code == 200
    return csrf_in(answer.text)


async def _ask_link(http: httpx.AsyncClient, email: str) -> httpx.Response:
    token = await _form(http, "/app/first-visit")
    return await http.post("/app/first-visit", data={"email": email, CSRF_FIELD: token})


async def _set_password(http: httpx.AsyncClient, link: str, password: str) -> httpx.Response:
    page = await http.get(link)
    assert page.status_code == 200, page.text
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert token is not None
    return await http.post(
        "/app/set-password",
        data={
            CSRF_FIELD: csrf_in(page.text),
            "token": token.group(1),
            "password": password,
            "confirm": password,
        },
    )


async def _sign_in(
    http: httpx.AsyncClient, email: str, password: str, next: str = ""
) -> httpx.Response:
    token = await _form(http, "/app/sign-in")
    data = {"email": email, "password": password, CSRF_FIELD: token, "next": next}
    return await http.post("/app/sign-in", data=data)


async def test_a_customer_first_visit_sets_a_password_from_the_mailed_link(web: Web) -> None:
    email = await web.records_for("customer", email="ana@example.com")
    http = await web.anonymous()
    answer = await _ask_link(http, "Ana@Example.com ")
    assert answer.status_code == 200
    assert "If this address is known to us" in answer.text
    link = link_in(web.mailbox, email)
    assert link.startswith(f"{web.url}/app/set-password?token=")
    done = await _set_password(http, link, NEW_PASSWORD)
    assert done.status_code == 303 and done.headers["location"] == "/app/"
    home = await http.get("/app/")
    assert home.status_code == 200 and "Signed in as ana@example.com (customer)" in home.text
    # The password works from another browser; the link does not work twice.
    other = await web.anonymous()
    assert (await _sign_in(other, email, NEW_PASSWORD)).status_code == 303
    again = await other.get(link)
    assert again.status_code == 410 and "no longer works" in again.text


async def test_an_unknown_address_gets_the_same_answer_and_no_mail(web: Web) -> None:
    known = await web.records_for("customer", email="ana@example.com")
    http = await web.anonymous()
    unknown_answer = await _ask_link(http, "nobody@example.com")
    known_answer = await _ask_link(http, known)
    strip = re.compile(r'value="[^"]*"')
    assert strip.sub("", unknown_answer.text) == strip.sub("", known_answer.text)
    link_in(web.mailbox, known)  # the known one was sent; by then the other would be too
    assert web.mailbox.to("nobody@example.com") == []


async def test_a_wrong_password_and_an_unknown_address_get_the_same_error(web: Web) -> None:
    email = await web.account("customer")
    http = await web.anonymous()
    wrong = await _sign_in(http, email, "not the password")
    unknown = await _sign_in(http, "nobody@example.com", "not the password")
    for answer in (wrong, unknown):
        assert answer.status_code == 400
        assert "Wrong e-mail address or password." in answer.text
        assert 'aria-describedby="password-error"' in answer.text
        assert SESSION_COOKIE not in answer.cookies
    assert await web.api.count("web_sessions") == 0


@pytest.mark.parametrize(
    ("role", "shown"),
    [("customer", "(customer)"), ("merchant", "(merchant M7)"), ("operator", "(operator)")],
)
async def test_each_kind_of_person_signs_in_to_their_space(web: Web, role: str, shown: str) -> None:
    email = (
        await web.account(role, merchant_id="M7") if role == "merchant" else await web.account(role)
    )
    http = await web.anonymous()
    answer = await _sign_in(http, email, PASSWORD)
    assert answer.status_code == 303
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    home = await http.get("/app/")
    assert shown in home.text


async def test_a_page_sends_a_stranger_to_sign_in_and_back(web: Web) -> None:
    email = await web.account("customer")
    http = await web.anonymous()
    answer = await http.get("/app/?tab=claims")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/app/sign-in?next=%2Fapp%2F%3Ftab%3Dclaims"
    signed_in = await _sign_in(http, email, PASSWORD, next="/app/?tab=claims")
    assert signed_in.headers["location"] == "/app/?tab=claims"


@pytest.mark.parametrize(
    "target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:x"]
)
async def test_sign_in_never_sends_anyone_off_site(web: Web, target: str) -> None:
    email = await web.account("customer")
    http = await web.anonymous()
    answer = await _sign_in(http, email, PASSWORD, next=target)
    assert answer.headers["location"] == "/app/"


async def test_root_sends_people_to_their_space(web: Web) -> None:
    http = await web.anonymous()
    assert (await http.get("/")).headers["location"] == "/app/"


async def test_a_form_without_its_token_is_refused_and_changes_nothing(web: Web) -> None:
    person = await web.client_for("customer")
    forged = await person.http.post("/app/sign-out", data={})
    assert forged.status_code == 403 and "This form was refused" in forged.text
    wrong = await person.http.post("/app/sign-out", data={CSRF_FIELD: "x" * 43})
    assert wrong.status_code == 403
    assert (await person.http.get("/app/")).status_code == 200  # still signed in
    email = await web.records_for("customer", email="ben@example.com")
    stranger = await web.anonymous()  # never shown a form: no token cookie to match
    refused = await stranger.post("/app/first-visit", data={"email": email, CSRF_FIELD: "x"})
    assert refused.status_code == 403
    assert web.mailbox.to(email) == []


async def test_sign_out_ends_the_session(web: Web) -> None:
    person = await web.client_for("merchant")
    cookie = person.http.cookies[SESSION_COOKIE]
    out = await person.post_form("/app/sign-out", {})
    assert out.status_code == 303 and out.headers["location"] == "/app/sign-in?signed_out=1"
    assert await web.api.count("web_sessions") == 0
    replay = await web.anonymous()
    replay.cookies.set(SESSION_COOKIE, cookie)
    assert (await replay.get("/app/")).status_code == 303


async def test_a_new_password_ends_every_other_session(web: Web) -> None:
    person = await web.client_for("customer")
    http = await web.anonymous()
    await _ask_link(http, person.email)
    done = await _set_password(http, link_in(web.mailbox, person.email), NEW_PASSWORD)
    assert done.status_code == 303
    assert (await person.http.get("/app/")).status_code == 303
    assert (await http.get("/app/")).status_code == 200


async def test_a_password_too_short_or_mistyped_is_refused_with_the_link_kept(web: Web) -> None:
    email = await web.records_for("customer")
    http = await web.anonymous()
    await _ask_link(http, email)
    link = link_in(web.mailbox, email)
    short = await _set_password(http, link, "short")
    assert short.status_code == 400 and "at least 10 characters" in short.text
    assert (await _set_password(http, link, NEW_PASSWORD)).status_code == 303


async def test_sign_in_attempts_are_rate_limited_per_address(web: Web) -> None:
    email = await web.account("customer")
    http = await web.anonymous()
    limit = parse(web.settings.rate_signin).amount
    statuses = [
        (await _sign_in(http, email, "wrong password")).status_code for _ in range(limit + 1)
    ]
    assert statuses == [400] * limit + [429]
    # Even the right password waits: the limit counts attempts, not failures.
    assert (await _sign_in(http, email, PASSWORD)).status_code == 429


async def test_the_language_follows_the_browser_then_the_switch(web: Web) -> None:
    http = await web.anonymous()
    browser_languages = {"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"}
    french = await http.get("/app/sign-in", headers=browser_languages)
    assert '<html lang="fr">' in french.text and "Mot de passe" in french.text
    switched = await http.post(
        "/app/language",
        data={"locale": "en", "next": "/app/sign-in", CSRF_FIELD: csrf_in(french.text)},
    )
    assert switched.status_code == 303
    english = await http.get("/app/sign-in", headers={"Accept-Language": "fr"})
    assert '<html lang="en">' in english.text


async def test_a_terminated_merchant_cannot_sign_in(web: Web) -> None:
    email = await web.account("merchant")
    async with web.engine.begin() as conn:
        await conn.execute(text("UPDATE merchants SET status = 'terminated' WHERE id = 'M1'"))
    answer = await _sign_in(await web.anonymous(), email, PASSWORD)
    assert answer.status_code == 400 and "terminated" in answer.text


async def test_an_idle_or_expired_session_sends_back_to_sign_in(web: Web) -> None:
    idle = await web.client_for("customer")
    expired = await web.client_for("merchant")
    async with web.engine.begin() as conn:
        three_hours_idle = "last_seen_at = now() - interval '3 hours'"
        past_its_end = "expires_at = now() - interval '1 second'"
        await conn.execute(
            text(f"UPDATE web_sessions SET {three_hours_idle} WHERE role = 'customer'")
        )
        await conn.execute(text(f"UPDATE web_sessions SET {past_its_end} WHERE role = 'merchant'"))
    for person in (idle, expired):
        assert (await person.http.get("/app/")).status_code == 303
    assert await web.api.count("web_sessions") == 0


async def test_an_expired_link_is_refused(web: Web) -> None:
    email = await web.records_for("customer")
    http = await web.anonymous()
    await _ask_link(http, email)
    link = link_in(web.mailbox, email)
    async with web.engine.begin() as conn:
        await conn.execute(text("UPDATE web_links SET expires_at = now() - interval '1 second'"))
    answer = await http.get(link)
    assert answer.status_code == 410 and "no longer works" in answer.text


async def test_link_requests_are_rate_limited_per_address_and_per_client(web: Web) -> None:
    email = await web.records_for("customer")
    http = await web.anonymous()
    per_address = parse(web.settings.rate_signin).amount
    per_client = parse(web.settings.rate_signin_client).amount
    statuses = [(await _ask_link(http, email)).status_code for _ in range(per_address + 1)]
    assert statuses == [200] * per_address + [429]
    assert "Too many attempts" in (await _ask_link(http, email)).text
    # From one client, whatever the addresses: the client's limit, of which this client
    # spent `per_address + 2` above.
    left = per_client - per_address - 2
    others = [(await _ask_link(http, f"x{n}@example.com")).status_code for n in range(left + 2)]
    assert others == [200] * left + [429] * 2


async def test_the_session_cookie_is_secure_behind_https(
    temporal_env: WorkflowEnvironment, database_url: str, engine: AsyncEngine, mailbox: Mailbox
) -> None:
    settings = api_settings(temporal_env, database_url, mailbox).model_copy(
        update={"web_secure_cookies": True}
    )
    async with serve_web(temporal_env, engine, mailbox, settings) as web:
        email = await web.account("customer")
        http = await web.anonymous()
        page = await http.get("/app/sign-in")
        assert "Secure" in page.headers["set-cookie"]
        data = {"email": email, "password": PASSWORD, CSRF_FIELD: csrf_in(page.text), "next": ""}
        # httpx keeps a Secure cookie off http://: the token comes back by hand, as a browser
        # over https would send it.
        http.cookies.set("claimdesk_csrf", page.cookies["claimdesk_csrf"])
        answer = await http.post("/app/sign-in", data=data)
        assert answer.status_code == 303
        assert "Secure" in answer.headers["set-cookie"]
    assert Settings(public_url="https://claims.example").secure_cookies
    assert not Settings(public_url="http://localhost:8000").secure_cookies


async def test_signing_out_after_the_session_ended_just_says_so(web: Web) -> None:
    person = await web.client_for("customer")
    async with web.engine.begin() as conn:
        await conn.execute(text("DELETE FROM web_sessions"))
    out = await person.post_form("/app/sign-out", {})
    assert out.status_code == 303 and out.headers["location"] == "/app/sign-in?signed_out=1"


async def test_the_store_keeps_only_hashes_of_cookies_links_and_passwords(web: Web) -> None:
    email = await web.records_for("customer")
    http = await web.anonymous()
    await _ask_link(http, email)
    link = link_in(web.mailbox, email)
    token = link.rpartition("token=")[2]
    await _set_password(http, link, NEW_PASSWORD)
    cookie = http.cookies[SESSION_COOKIE]
    async with web.engine.connect() as conn:
        stored = str((await conn.execute(text("SELECT * FROM web_links"))).all())
        stored += str((await conn.execute(text("SELECT * FROM web_sessions"))).all())
        stored += str((await conn.execute(text("SELECT * FROM web_accounts"))).all())
    assert token not in stored and cookie not in stored and NEW_PASSWORD not in stored
    assert hashlib.sha256(cookie.encode()).hexdigest() in stored
    assert "$argon2id$" in stored


async def test_a_person_s_language_follows_them_to_another_browser(web: Web) -> None:
    person = await web.client_for("merchant")
    chosen = await person.post_form("/app/language", {"locale": "fr", "next": "/app/"})
    assert chosen.status_code == 303
    elsewhere = await web.anonymous()
    assert (await _sign_in(elsewhere, person.email, PASSWORD)).status_code == 303
    home = await elsewhere.get("/app/", headers={"Accept-Language": "en"})
    assert '<html lang="fr">' in home.text and "Votre espace" in home.text


async def test_two_browsers_of_one_person_are_signed_in_side_by_side(web: Web) -> None:
    first = await web.client_for("customer")
    second = await web.client_for("customer")
    assert first.email == second.email
    assert await web.api.count("transactions") == 1
    for person in (first, second):
        assert (await person.http.get("/app/")).status_code == 200
