"""/docs: Swagger UI from files installed with the app (swagger-ui-bundle-v2), no CDN."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from api.web.static import CachedStatic

SWAGGER_PREFIX = "/static/swagger-ui"
router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
async def swagger_ui() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="claimdesk API",
        swagger_js_url=f"{SWAGGER_PREFIX}/swagger-ui-bundle.js",
        swagger_css_url=f"{SWAGGER_PREFIX}/swagger-ui.css",
        swagger_favicon_url=f"{SWAGGER_PREFIX}/favicon-32x32.png",
    )


def mount(app: FastAPI) -> None:
    files: StaticFiles = CachedStatic(directory=str(swagger_ui_path), max_age=24 * 3600)
    app.mount(SWAGGER_PREFIX, files, name="swagger-ui")
    app.include_router(router)
