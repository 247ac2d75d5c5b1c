"""The API's Prometheus metrics and access log, by route template, never by raw path."""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from claimdesk.adapters.logs import current_claim
from claimdesk.core.reference import is_reference

access_log = logging.getLogger("claimdesk.access")

# A path no route matched: one label value, so probing random URLs cannot create series.
UNMATCHED = "<unmatched>"
# A caller's or proxy's request id is logged only if it looks like one (no free text).
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class ApiMetrics:
    """The API's series, in a registry of its own (one per app, so tests can run several)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        labels = ("method", "route", "status")
        self.requests = Counter(
            "claimdesk_http_requests",
            "HTTP requests answered, by route template and status",
            labels,
            registry=self.registry,
        )
        self.latency = Histogram(
            "claimdesk_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template and status",
            labels,
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class ObserveRequests:
    """ASGI middleware: counts and times every request, and logs one access line for it.

    Outermost, so it also sees the answers other middlewares give (413, 400). The route
    template is read after the app ran: the router records the matched route in the scope.
    """

    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # what the client gets if the app fails before answering
        started = time.perf_counter()

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_template(scope)
            labels = {"method": scope["method"], "route": route, "status": str(status)}
            self.metrics.requests.labels(**labels).inc()
            self.metrics.latency.labels(**labels).observe(elapsed)
            known = _claim_and_request_id(scope)
            # The message says it all for the text format; JSON has each as a field too.
            access_log.info(
                "%s %s %s %.1f ms%s",
                scope["method"],
                route,
                status,
                elapsed * 1000,
                "".join(f" {name}={value}" for name, value in known.items()),
                extra={
                    **labels,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 1),
                    **known,
                },
            )


def _claim_and_request_id(scope: Scope) -> dict[str, str]:
    """The claim of a `/claims/{reference}…` route, and the `X-Request-ID` the request came
    with: never the raw path or query string, which may hold an e-mail address."""
    found: dict[str, str] = {}
    reference = _claim_reference(scope.get("path_params", {}))
    if reference is not None:
        found["claim"] = reference
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            request_id = value.decode("latin-1")
            if _REQUEST_ID.fullmatch(request_id):
                found["request_id"] = request_id
    return found


def _route_template(scope: Scope) -> str:
    route: Any = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED


async def bind_claim(request: Request) -> None:
    """App-wide dependency: log records made while handling `/claims/{reference}…` carry it.

    Async on purpose: it runs in the handler's own context, so the value is seen there.
    """
    reference = _claim_reference(request.path_params)
    if reference is not None:
        current_claim.set(reference)


def _claim_reference(path_params: dict[str, Any]) -> str | None:
    """The route's `{reference}` if it has a reference's shape: any other text a caller
    puts there (an e-mail address, say) is never logged as a claim."""
    reference = path_params.get("reference")
    return reference if isinstance(reference, str) and is_reference(reference) else None


router = APIRouter(tags=["health"])


@router.get(
    "/metrics",
    summary="Prometheus metrics (unauthenticated: keep it off the public internet)",
    response_class=Response,
)
async def metrics(request: Request) -> Response:
    api_metrics: ApiMetrics = request.app.state.metrics
    return Response(api_metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
