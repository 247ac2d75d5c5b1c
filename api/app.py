"""The FastAPI application: one engine and one Temporal client per process, every route mounted."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api import errors, metrics, web
from api.limits import RateLimits
from api.routes import claims, codec, health, merchants, transactions
from claimdesk.adapters.embedded import database_url
from claimdesk.adapters.logs import warn_of_placeholders
from claimdesk.adapters.seal import sealer
from claimdesk.adapters.temporal import connect, data_converter_for
from claimdesk.core.settings import Settings, get_settings
from claimdesk.store.db import make_engine

# No request body claimdesk accepts comes near this; anything bigger is refused unread.
MAX_BODY_BYTES = 64 * 1024
# But the codec server's: a claim's payloads (its view, every message) together, in base64.
MAX_CODEC_BODY_BYTES = 4 * 1024 * 1024


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    converter = data_converter_for(settings)  # refuses to start without payload keys

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        seal = sealer(settings)  # refuses to start without CLAIMDESK_SEAL_KEYS
        url = await asyncio.to_thread(database_url, settings)
        engine = make_engine(url)
        # lazy: the API starts (and /readyz says 503) even while Temporal is still coming up.
        # Every start and Update it sends carries the API's seal: the worker acts on nothing else.
        client = await connect(settings, interceptors=[seal], lazy=True)
        app.state.settings = settings
        app.state.codec = converter.payload_codec
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
        # /docs is served from local files by api.web.docs (no CDN); no ReDoc.
        docs_url=None,
        redoc_url=None,
        # Log records made while handling a claim's route carry its reference.
        dependencies=[Depends(metrics.bind_claim)],
    )
    errors.install(app)
    # Per process, so per app: each API instance counts its own requests.
    app.state.rate_limits = RateLimits.of(settings)
    app.add_middleware(_LimitBodySize)
    app.add_middleware(_RefuseNul)
    app.add_middleware(_CodecCors, origins=settings.ui_origins)
    # Added last, so outermost: it counts the answers of the middlewares above too.
    app.state.metrics = metrics.ApiMetrics()
    app.add_middleware(metrics.ObserveRequests, metrics=app.state.metrics)
    if settings.trusted_proxies:
        # Outermost: the client every limit and log sees is the one a trusted proxy names.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    app.include_router(metrics.router)
    routers = (claims.router, transactions.router, merchants.router, health.router, codec.router)
    for router in routers:
        app.include_router(router)
    web.install(app, settings)
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
            await _refuse(problem, scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _refuse(problem: errors.ProblemError, scope: Scope, receive: Receive, send: Send) -> None:
    """A middleware's refusal: problem+json, or a page under /app (the web claim center)."""
    response = await web.problem_answer(Request(scope), problem)
    await response(scope, receive, send)


class _CodecCors:
    """The Temporal UI's pages call the codec server from the browser: its origins may, with
    the caller's credentials; no other origin, and no other route (CORS stays off there)."""

    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=origins,
            allow_methods=["POST"],
            allow_headers=["Authorization", "Content-Type", "X-Namespace"],
            allow_credentials=True,
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(f"{codec.PREFIX}/"):
            await self.cors(scope, receive, send)
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
        limit = MAX_BODY_BYTES
        if scope["path"].startswith(f"{codec.PREFIX}/"):
            limit = MAX_CODEC_BODY_BYTES
        length = Headers(scope=scope).get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _refuse(errors.BodyTooLarge(limit), scope, receive, send)
            return
        received = 0

        async def counting() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                # An HTTPException is the one error FastAPI lets out of its body reading
                # (any other becomes a 400); errors.py renders it as the same problem.
                raise StarletteHTTPException(413, errors.BodyTooLarge(limit).detail)
            return message

        await self.app(scope, counting, send)
