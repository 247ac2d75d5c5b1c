"""Problem details: one error base with its HTTP status, rendered as application/problem+json."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from temporalio.client import WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.exceptions import ApplicationError, TemporalError
from temporalio.service import RPCError, RPCStatusCode

from claimdesk.adapters.seal import UNSEALED

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://claimdesk.example/problems/"
RETRY_AFTER_SECONDS = 5


class ProblemError(Exception):
    """An error the API answers with: its status, a stable type, a title and a detail."""

    def __init__(
        self,
        status: int,
        type: str,
        title: str,
        detail: str | None = None,
        *,
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.type = type if ":" in type else PROBLEM_BASE + type
        self.title = title
        self.detail = detail
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})


class NotFound(ProblemError):
    def __init__(self, what: str) -> None:
        super().__init__(404, "not-found", "Not found", f"{what} does not exist or is not yours")


class Forbidden(ProblemError):
    def __init__(self, detail: str) -> None:
        super().__init__(403, "forbidden", "Forbidden", detail)


class Unauthorized(ProblemError):
    def __init__(self, detail: str) -> None:
        super().__init__(
            401,
            "unauthorized",
            "Unauthorized",
            detail,
            headers={"WWW-Authenticate": 'Bearer realm="claimdesk"'},
        )


class InvalidRequest(ProblemError):
    """A body that parses but breaks a rule the API checks (422)."""

    def __init__(self, type: str, title: str, detail: str) -> None:
        super().__init__(422, type, title, detail)


class ActionRefused(ProblemError):
    def __init__(self, reason: str) -> None:
        super().__init__(409, "action-refused", "Action refused", reason)


class BodyTooLarge(ProblemError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            413, "body-too-large", "Body too large", f"request bodies are limited to {limit} bytes"
        )


class ServiceUnavailable(ProblemError):
    def __init__(self, detail: str) -> None:
        super().__init__(
            503,
            "service-unavailable",
            "Service unavailable",
            detail,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )


_FIELD_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["loc", "msg", "type"],
    "properties": {
        "loc": {"type": "array", "items": {"type": "string"}},
        "msg": {"type": "string"},
        "type": {"type": "string"},
    },
}

# What `problem_response` writes (RFC 9457), inlined in each response so that the
# OpenAPI document states application/problem+json and nothing else for errors.
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "description": "a URI naming the kind of problem"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "description": "what went wrong, in words"},
        "instance": {"type": "string", "description": "the path that was asked"},
        "errors": {"type": "array", "items": _FIELD_ERROR_SCHEMA},
        "existing_reference": {"type": "string", "description": "the open claim in the way"},
    },
}

_PROBLEM_TITLES = {
    400: "Malformed request (not JSON, or NUL characters)",
    401: "No API key, or an unknown or revoked one",
    403: "This role may not do this",
    404: "Unknown, or not yours",
    409: "The action does not fit the claim now",
    413: "Body too large",
    422: "Invalid request",
    429: "Too many requests from this API key or address; retry after Retry-After (seconds)",
    503: "The store or the workflow service is unavailable; retry after Retry-After",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entries documenting these error statuses as problem details."""
    return {
        status: {
            "description": _PROBLEM_TITLES[status],
            "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}},
        }
        for status in statuses
    }


def problem_response(error: ProblemError, request: Request) -> JSONResponse:
    body: dict[str, Any] = {
        "type": error.type,
        "title": error.title,
        "status": error.status,
        "instance": request.url.path,
    }
    if error.detail is not None:
        body["detail"] = error.detail
    body.update(error.extra)
    return JSONResponse(
        jsonable_encoder(body),
        status_code=error.status,
        media_type=PROBLEM_JSON,
        headers=error.headers,
    )


def _field_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    return [
        {
            "loc": [str(part) for part in error.get("loc", ())],
            "msg": str(error.get("msg", "")),
            "type": str(error.get("type", "")),
        }
        for error in errors
    ]


def temporal_problem(error: BaseException) -> ProblemError | None:
    """The problem a Temporal client error stands for, or None if it is not one we know."""
    if isinstance(error, RuntimeError) and str(error).startswith("Failed client connect"):
        # The lazy client's first call, with the server down: the SDK says so only in words.
        return ServiceUnavailable("the workflow service is unreachable; try again")
    if isinstance(error, WorkflowUpdateFailedError):
        cause = error.cause
        if isinstance(cause, ApplicationError) and cause.type == "ActionRefused":
            return ActionRefused(cause.message)
        if isinstance(cause, ApplicationError) and cause.type == UNSEALED:
            # The workers do not list the key this API seals with: a deployment to fix (or
            # a rotation done out of order), not the caller's fault, and nothing was done.
            log.error("the worker refused this API's seal: CLAIMDESK_SEAL_KEYS differ")
            return ServiceUnavailable("the workflow service refused the request; try again later")
        return None
    if isinstance(error, WorkflowUpdateRPCTimeoutOrCancelledError):
        return ServiceUnavailable("the claim did not answer in time; try again")
    if isinstance(error, RPCError) and error.status in (
        RPCStatusCode.UNAVAILABLE,
        RPCStatusCode.DEADLINE_EXCEEDED,
        RPCStatusCode.RESOURCE_EXHAUSTED,
    ):
        return ServiceUnavailable("the workflow service is unavailable; try again")
    return None


def database_problem(error: BaseException) -> ProblemError | None:
    """503 for a store that does not answer (down, restarting, out of connections).

    The request may well succeed once it is back, so the client is told when to retry
    instead of getting a 500 for what is not a bug.
    """
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return ServiceUnavailable("the claim store is unavailable; try again")
    if isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError | sa_exc.TimeoutError):
        return ServiceUnavailable("the claim store is unavailable; try again")
    return None


async def _on_problem(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ProblemError)
    return problem_response(error, request)


async def _on_validation(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = _field_errors(error.errors())
    if any(e["type"] == "json_invalid" for e in errors):
        problem = ProblemError(400, "malformed-json", "Malformed JSON", "the body is not JSON")
    else:
        problem = ProblemError(
            422,
            "validation-error",
            "Invalid request",
            "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors),
            extra={"errors": errors},
        )
    return problem_response(problem, request)


async def _on_http(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    # FastAPI's 400 is a body it could not decode (bad UTF-8, JSON nested past Python's limit).
    titles = {
        400: "Malformed JSON",
        404: "Not found",
        405: "Method not allowed",
        413: "Body too large",
    }
    slug = {
        400: "malformed-json",
        404: "not-found",
        405: "method-not-allowed",
        413: "body-too-large",
    }.get(error.status_code, "http-error")
    problem = ProblemError(
        error.status_code,
        slug,
        titles.get(error.status_code, "HTTP error"),
        str(error.detail),
        headers=error.headers,
    )
    return problem_response(problem, request)


async def _on_anything(request: Request, error: Exception) -> JSONResponse:
    problem = temporal_problem(error) or database_problem(error)
    if problem is not None and problem.status == 503:
        log.warning("%s %s: 503, %s (%s)", request.method, request.url.path, problem.detail, error)
    if problem is None:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        problem = ProblemError(
            500, "internal-error", "Internal error", "the request failed; it has been logged"
        )
    return problem_response(problem, request)


def install(app: FastAPI) -> None:
    """Every error the app can meet renders as problem details."""
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    # Temporal and store errors get their own entry so they never reach the server-error
    # middleware (which would log each one as a crash).
    app.add_exception_handler(TemporalError, _on_anything)
    app.add_exception_handler(sa_exc.SQLAlchemyError, _on_anything)
    app.add_exception_handler(Exception, _on_anything)
