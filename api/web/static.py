"""Static files with cache headers: a year for content-hashed URLs (`?v=`), else `max_age`."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

YEAR = 365 * 24 * 3600


class CachedStatic(StaticFiles):
    def __init__(self, *, max_age: int = 3600, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._max_age = max_age

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            versioned = b"v=" in scope.get("query_string", b"")
            response.headers["Cache-Control"] = (
                f"public, max-age={YEAR}, immutable"
                if versioned
                else f"public, max-age={self._max_age}"
            )
            response.headers["X-Content-Type-Options"] = "nosniff"
        return response
