"""What the web tests share: the app over real HTTP with its public URL, people signed in.

`Web.client_for(role)` makes the records a person needs (a transaction for a customer, a
merchant with that contact address, an operator account), their account with a password,
and a session through the store; it answers an httpx client holding the session cookie and
the form token its POSTs need (`person.post_form(path, {...})`).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from api.web import accounts
from api.web.identity import CSRF_FIELD, SESSION_COOKIE
from claimdesk.core.settings import Settings
from claimdesk.store import web_accounts
from claimdesk.store.db import unit_of_work
from claimdesk.store.merchants import upsert_merchant
from tests.support.api import Api
from tests.support.mailbox import Mailbox
from tests.support.serving import Server
from worker import build_worker

PASSWORD = "correct horse battery staple"
DEFAULT_EMAIL = {
    "customer": "ana@example.com",
    "merchant": "shop@example.com",
    "operator": "olga@claimdesk.example",
}
_CSRF = re.compile(rf'name="{CSRF_FIELD}" value="([^"]+)"')
_LINK = re.compile(r"(https?://\S+/app/set-password\?token=[\w\-]+)")


def csrf_in(html: str) -> str:
    """The form token a page carries (the first `csrf_token` hidden field)."""
    found = _CSRF.search(html)
    assert found is not None, "no CSRF field on the page"
    return found.group(1)


def link_in(mailbox: Mailbox, to: str, count: int = 1) -> str:
    """The set-password link of the `count`-th sign-in e-mail sent to `to` (waits for it)."""
    mails = mailbox.wait_for(count, X_Claimdesk_Template="sign_in_link", To=to)
    assert len(mails) >= count, f"no sign-in link e-mail #{count} to {to}"
    body = mails[count - 1].get_body(("plain",))
    assert body is not None
    found = _LINK.search(body.get_content())
    assert found is not None
    return found.group(1)


@dataclass
class Person:
    """A signed-in browser without a browser: its cookie jar and its form token."""

    http: httpx.AsyncClient
    email: str
    csrf_token: str

    async def post_form(self, path: str, data: dict[str, str]) -> httpx.Response:
        return await self.http.post(path, data={CSRF_FIELD: self.csrf_token, **data})


@dataclass
class Web:
    """The running app (pages and API), `url` its address, the same as `CLAIMDESK_PUBLIC_URL`."""

    api: Api
    url: str
    stack: AsyncExitStack

    @property
    def engine(self) -> AsyncEngine:
        return self.api.engine

    @property
    def settings(self) -> Settings:
        return self.api.settings

    @property
    def mailbox(self) -> Mailbox:
        return self.api.mailbox

    async def records_for(
        self, role: str, *, email: str | None = None, merchant_id: str = "M1"
    ) -> str:
        """The records that give `email` a space of `role`, unless it has them already (a
        transaction at M1 for a customer; a merchant `merchant_id` with that contact address
        for a merchant; the operator flag); returns the address."""
        email = email or DEFAULT_EMAIL[role]
        async with unit_of_work(self.engine) as session:
            bought = await web_accounts.has_bought(session=session, email=email)
            shop = await web_accounts.merchant_of(session=session, email=email)
        if role == "customer" and not bought:
            await self.api.transaction(f"T-{uuid.uuid4().hex[:8]}", customer_email=email)
        elif role == "merchant" and shop is None:
            async with unit_of_work(self.engine) as session:
                await upsert_merchant(
                    session=session,
                    merchant_id=merchant_id,
                    name="Boutique Lumière",
                    email=email,
                    at=datetime.now(UTC),
                )
        elif role == "operator":
            await self.operator(email)
        return email

    async def operator(self, email: str) -> None:
        async with unit_of_work(self.engine) as session:
            account = await web_accounts.ensure_account(
                session=session,
                account_id=f"web-{uuid.uuid4().hex[:12]}",
                email=email,
                at=datetime.now(UTC),
            )
            await web_accounts.set_operator(session=session, email=account.email, operator=True)

    async def account(self, role: str, *, email: str | None = None, **kw: Any) -> str:
        """A person of `role` with the password `PASSWORD` (set once: a second call leaves the
        first one's sessions alone); returns their address."""
        email = await self.records_for(role, email=email, **kw)
        async with unit_of_work(self.engine) as session:
            found = await web_accounts.find_account(session=session, email=email)
        if found is not None and found.password_hash is not None:
            return email
        token = await accounts.offer_link(self.engine, self.settings, email=email)
        assert token is not None
        assert await accounts.use_link(self.engine, token=token, password=PASSWORD)
        return email

    async def client_for(self, role: str, *, email: str | None = None, **kw: Any) -> Person:
        """An httpx client signed in as a person of `role` (customer, merchant, operator)."""
        email = await self.account(role, email=email, **kw)
        outcome = await accounts.check_password(self.engine, email=email, password=PASSWORD)
        assert outcome.account is not None and outcome.space is not None
        cookie = await accounts.open_session(
            self.engine, self.settings, account=outcome.account, space=outcome.space
        )
        http = await self.stack.enter_async_context(
            httpx.AsyncClient(base_url=self.url, timeout=30, cookies={SESSION_COOKIE: cookie})
        )
        home = await http.get("/app/")
        assert home.status_code == 200, home.text
        return Person(http=http, email=email, csrf_token=csrf_in(home.text))

    async def anonymous(self) -> httpx.AsyncClient:
        return await self.stack.enter_async_context(
            httpx.AsyncClient(base_url=self.url, timeout=30)
        )


class _Deferred:
    """An ASGI app standing for one made once the server's port (its public URL) is known."""

    target: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.target(scope, receive, send)


@asynccontextmanager
async def serve_web(
    temporal_env: WorkflowEnvironment, engine: AsyncEngine, mailbox: Mailbox, settings: Settings
) -> AsyncIterator[Web]:
    """The app over real HTTP whose e-mails link to it, with a worker running its claims."""
    deferred = _Deferred()
    server = Server(deferred)
    settings = settings.model_copy(update={"public_url": server.url})
    deferred.target = create_app(settings)
    await server.start()
    try:
        async with (
            AsyncExitStack() as stack,
            build_worker(temporal_env.client, engine, settings),
            httpx.AsyncClient(base_url=server.url, timeout=30) as http,
        ):
            api = Api(http=http, engine=engine, settings=settings, mailbox=mailbox)
            yield Web(api=api, url=server.url, stack=stack)
    finally:
        await server.stop()
