"""Liveness and readiness: is the process up, and can it reach its store and Temporal."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from datetime import timedelta

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import SessionDep, TemporalDep
from api.errors import RETRY_AFTER_SECONDS, problem_responses
from api.schemas import Health
from claimdesk.store.db import ping

# Only what the middleware answers any request with (NUL characters, a huge body).
router = APIRouter(tags=["health"], responses=problem_responses(400, 413))
log = logging.getLogger(__name__)

CHECK_TIMEOUT = timedelta(seconds=3)


@router.get("/healthz", summary="The process answers")
async def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    summary="The store and Temporal answer (503 otherwise)",
    responses={503: {"model": Health}},
)
async def readyz(session: SessionDep, client: TemporalDep) -> JSONResponse:
    checks = {
        "database": await _check("database", ping(session=session)),
        "temporal": await _check(
            "temporal", client.service_client.check_health(timeout=CHECK_TIMEOUT)
        ),
    }
    ready = all(result == "ok" for result in checks.values())
    body = Health(status="ready" if ready else "unavailable", checks=checks)
    return JSONResponse(
        body.model_dump(),
        status_code=200 if ready else 503,
        headers={} if ready else {"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _check(name: str, probe: Awaitable[object]) -> str:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT.total_seconds()):
            result = await probe
    except Exception as error:
        log.warning("readiness: %s is not answering: %s", name, error)
        return f"unavailable: {type(error).__name__}"
    return "ok" if result is not False else "unavailable"
