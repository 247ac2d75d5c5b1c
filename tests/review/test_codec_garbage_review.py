"""Hostile review of issue 14 item 2: the codec server on garbage."""

from __future__ import annotations

import base64

import pytest
from temporalio.api.common.v1 import Payload

from claimdesk.adapters.codec import ENCODING, KEY_ID, PayloadKeyError
from tests.support.api import Api
from tests.support.codec import TEST_KEY_ID, codec

UI = "http://localhost:8233"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


@pytest.mark.parametrize("data", [b"", b"\x00", b"short"], ids=["empty", "one-byte", "5-bytes"])
def test_a_truncated_encrypted_payload_is_refused_as_undecryptable(data: bytes) -> None:
    """Shorter than the 12-byte nonce: AESGCM.decrypt raises ValueError (nonce length), not
    InvalidTag, and the codec lets it out instead of PayloadKeyError."""
    forged = Payload(metadata={"encoding": ENCODING, KEY_ID: TEST_KEY_ID.encode()}, data=data)
    with pytest.raises(PayloadKeyError):
        codec.open(forged)


async def test_the_codec_server_answers_a_truncated_payload_with_422_not_500(api: Api) -> None:
    operator = await api.key("operator")
    body = {
        "payloads": [
            {
                "metadata": {"encoding": _b64(ENCODING), KEY_ID: _b64(TEST_KEY_ID.encode())},
                "data": "",
            }
        ]
    }
    answer = await api.http.post("/codec/decode", json=body, headers={**operator, "Origin": UI})
    assert answer.status_code == 422, (answer.status_code, answer.text)
