"""The FastAPI application: one engine and one Temporal client per process, every route mounted."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import errors, metrics
from api.routes import claims, health, merchants, transactions
from claimdesk.adapters.embedded import database_url
from claimdesk.adapters.logs import warn_of_placeholders
from claimdesk.adapters.seal import sealer
from claimdesk.adapters.temporal import connect
from claimdesk.core.settings import Settings, get_settings
from claimdesk.store.db import make_engine

# No request body claimdesk accepts comes near this; anything bigger is refused unread.
MAX_BODY_BYTES = 64 * 1024


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        seal = sealer(settings)  # refuses to start without CLAIMDESK_SEAL_KEYS
        url = await asyncio.to_thread(database_url, settings)
        engine = make_engine(url)
        # lazy: the API starts (and /readyz says 503) even while Temporal is still coming up.
        # Every start and Update it sends carries the API's seal: the worker acts on nothing else.
        client = await connect(settings, interceptors=[seal], lazy=True)
        app.state.settings = settings
        warn_of_placeholders(settings, "api")
        app.state.engine = engine
        app.state.temporal = client
        try:
            yield
        finally:
            await engine.dispose()

    app = FastAPI(
        title="claimdesk",
        summary="Claims between customers and merchants, one Temporal workflow per claim.",
        version="0.1.0",
        lifespan=lifespan,
        # Log records made while handling a claim's route carry its reference.
        dependencies=[Depends(metrics.bind_claim)],
    )
    errors.install(app)
    app.add_middleware(_LimitBodySize)
    app.add_middleware(_RefuseNul)
    # Added last, so outermost: it counts the answers of the middlewares above too.
    app.state.metrics = metrics.ApiMetrics()
    app.add_middleware(metrics.ObserveRequests, metrics=app.state.metrics)
    app.include_router(metrics.router)
    for router in (claims.router, transactions.router, merchants.router, health.router):
        app.include_router(router)
    return app


class _RefuseNul:
    """A NUL in the path or query is refused here: PostgreSQL cannot even compare with one.

    Plain ASGI, like the other middlewares: Starlette's `BaseHTTPMiddleware` runs every
    request through a task group and memory streams, a few milliseconds of CPU each.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and ("\x00" in scope["path"] or b"%00" in scope["query_string"]):
            problem = errors.ProblemError(
                400,
                "invalid-characters",
                "Invalid characters",
                "the path and query may not contain NUL (U+0000) characters",
            )
            response = errors.problem_response(problem, Request(scope))
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class _LimitBodySize:
    """Refuses a body over MAX_BODY_BYTES (413): unread when its declared length says so,
    and as soon as the count passes the limit when it streams in chunks without one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            response = errors.problem_response(errors.BodyTooLarge(MAX_BODY_BYTES), Request(scope))
            await response(scope, receive, send)
            return
        received = 0

        async def counting() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > MAX_BODY_BYTES:
                # An HTTPException is the one error FastAPI lets out of its body reading
                # (any other becomes a 400); errors.py renders it as the same problem.
                raise StarletteHTTPException(413, errors.BodyTooLarge(MAX_BODY_BYTES).detail)
            return message

        await self.app(scope, counting, send)
