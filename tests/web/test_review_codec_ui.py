"""Hostile review of issue 14 item 2: the Temporal UI and the codec server."""

from __future__ import annotations

import base64

from temporalio.api.common.v1 import Payload

from tests.support.codec import codec
from tests.support.web import Web

UI = "http://localhost:8233"


async def test_an_operator_signed_in_to_the_console_can_decode_from_the_temporal_ui(
    web: Web,
) -> None:
    """The UI (compose: TEMPORAL_CODEC_INCLUDE_CREDENTIALS) can only send the browser's
    cookies, never an API key. The operator console's sign-in is merged, yet the codec
    server still takes API keys alone: no operator can read a payload in the UI, which is
    what item 2 asks the codec endpoint for."""
    operator = await web.client_for("operator")
    sealed = codec.seal(Payload(metadata={"encoding": b"json/plain"}, data=b'"hello"'))
    body = {
        "payloads": [
            {
                "metadata": {k: base64.b64encode(v).decode() for k, v in sealed.metadata.items()},
                "data": base64.b64encode(sealed.data).decode(),
            }
        ]
    }
    answer = await operator.http.post(
        "/codec/decode", json=body, headers={"Origin": UI, "X-Namespace": "default"}
    )
    assert answer.status_code == 200, (answer.status_code, answer.text)
