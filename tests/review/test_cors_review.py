"""Hostile review of issue 14 item 2: CORS of the codec server, configured with a wildcard."""

from __future__ import annotations

from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.app import create_app
from claimdesk.core.settings import Settings
from tests.support.codec import TEST_PAYLOAD_KEYS
from tests.support.seal import SEAL_KEYS


def test_a_wildcard_ui_origin_is_refused_or_never_reflected_with_credentials() -> None:
    """`CLAIMDESK_TEMPORAL_UI_ORIGINS=*` is taken as is; with allow_credentials, Starlette
    then answers every origin with its own name and `Allow-Credentials: true`, so any site
    may call the codec server with the operator's credentials (a cookie, once the console's
    sign-in is accepted there, as the README plans)."""
    try:
        settings = Settings(
            temporal_ui_origins="*", payload_keys=TEST_PAYLOAD_KEYS, seal_keys=SEAL_KEYS
        )
    except ValidationError:
        return  # refused: fine
    preflight = TestClient(create_app(settings)).options(
        "/codec/decode",
        headers={
            "Origin": "https://evil.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert preflight.headers.get("access-control-allow-origin") != "https://evil.example", dict(
        preflight.headers
    )
