"""The payload codec: what it seals only its keys open, a changed byte is caught, keys rotate."""

from __future__ import annotations

import base64

import pytest
from pydantic import ValidationError
from temporalio.api.common.v1 import Payload
from temporalio.api.failure.v1 import Failure
from temporalio.exceptions import ApplicationError

from claimdesk.adapters.codec import (
    ENCODING,
    KEY_ID,
    EncryptionCodec,
    MissingKeysError,
    PayloadKeyError,
    codec_for,
)
from claimdesk.adapters.temporal import PayloadConverter, data_converter_for
from claimdesk.core.settings import Settings
from tests.support.codec import NEXT_KEY_ID, NEXT_PAYLOAD_KEY, TEST_KEY_ID, TEST_PAYLOAD_KEYS

SECRET = b'{"name": "Ana Lima", "email": "ana@example.com"}'


def _payload() -> Payload:
    return Payload(metadata={"encoding": b"json/plain", "note": b"kept"}, data=SECRET)


def _codec(keys: str, key_id: str | None = None) -> EncryptionCodec:
    return codec_for(Settings(payload_keys=keys, payload_key_id=key_id))


async def test_a_sealed_payload_hides_data_and_metadata_and_opens_to_the_same_payload() -> None:
    codec = _codec(TEST_PAYLOAD_KEYS)
    [sealed] = await codec.encode([_payload()])
    assert sealed.metadata["encoding"] == ENCODING
    assert sealed.metadata[KEY_ID] == TEST_KEY_ID.encode()
    assert set(sealed.metadata) == {"encoding", KEY_ID}
    assert b"Ana" not in sealed.SerializeToString()
    assert b"json/plain" not in sealed.SerializeToString()
    assert await codec.decode([sealed]) == [_payload()]


async def test_each_seal_draws_a_fresh_nonce() -> None:
    codec = _codec(TEST_PAYLOAD_KEYS)
    first, second = await codec.encode([_payload(), _payload()])
    assert first.data[:12] != second.data[:12]
    assert first.data != second.data


async def test_a_payload_never_sealed_passes_through() -> None:
    assert await _codec(TEST_PAYLOAD_KEYS).decode([_payload()]) == [_payload()]


@pytest.mark.parametrize("at", [0, 12, 30, -1])  # the nonce, the ciphertext, the tag
async def test_a_flipped_byte_is_refused(at: int) -> None:
    codec = _codec(TEST_PAYLOAD_KEYS)
    [sealed] = await codec.encode([_payload()])
    data = bytearray(sealed.data)
    data[at] ^= 0x01
    sealed.data = bytes(data)
    with pytest.raises(PayloadKeyError, match="does not authenticate"):
        await codec.decode([sealed])


async def test_a_payload_moved_under_another_key_id_is_refused() -> None:
    both = _codec(f"{TEST_PAYLOAD_KEYS},{NEXT_PAYLOAD_KEY}", TEST_KEY_ID)
    [sealed] = await both.encode([_payload()])
    sealed.metadata[KEY_ID] = NEXT_KEY_ID.encode()
    with pytest.raises(PayloadKeyError, match="does not authenticate"):
        await both.decode([sealed])


async def test_an_unknown_key_id_is_named_in_a_clear_error() -> None:
    [sealed] = await _codec(NEXT_PAYLOAD_KEY).encode([_payload()])
    with pytest.raises(PayloadKeyError, match=f"key '{NEXT_KEY_ID}', which is not in"):
        await _codec(TEST_PAYLOAD_KEYS).decode([sealed])


async def test_after_a_rotation_the_new_key_seals_and_the_old_one_still_opens() -> None:
    [old] = await _codec(TEST_PAYLOAD_KEYS).encode([_payload()])
    rotated = _codec(f"{TEST_PAYLOAD_KEYS},{NEXT_PAYLOAD_KEY}", NEXT_KEY_ID)
    [new] = await rotated.encode([_payload()])
    assert new.metadata[KEY_ID] == NEXT_KEY_ID.encode()
    assert await rotated.decode([old, new]) == [_payload(), _payload()]


def test_without_keys_the_codec_refuses_to_exist() -> None:
    with pytest.raises(MissingKeysError, match="CLAIMDESK_PAYLOAD_KEYS is not set"):
        codec_for(Settings(payload_keys=None))


@pytest.mark.parametrize(
    ("keys", "key_id", "says"),
    [
        ("k1:" + base64.b64encode(b"short").decode(), None, "32 random bytes"),
        ("k1:not base64!", None, "32 random bytes"),
        ("no-colon", None, "32 random bytes"),
        (f"{TEST_PAYLOAD_KEYS},{TEST_PAYLOAD_KEYS}", TEST_KEY_ID, "ids unique"),
        (f"bad id:{TEST_PAYLOAD_KEYS.partition(':')[2]}", None, "<id>:<base64 key>"),
        (f"{TEST_PAYLOAD_KEYS},{NEXT_PAYLOAD_KEY}", None, "PAYLOAD_KEY_ID must name"),
        (TEST_PAYLOAD_KEYS, "k9", "'k9' is not in"),
    ],
)
def test_malformed_keys_are_refused_at_start(keys: str, key_id: str | None, says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        Settings(payload_keys=keys, payload_key_id=key_id)


def test_the_keys_never_show_in_the_settings_repr() -> None:
    settings = Settings(payload_keys=TEST_PAYLOAD_KEYS)
    assert TEST_PAYLOAD_KEYS.partition(":")[2] not in repr(settings)


async def test_the_service_converter_keeps_the_shared_pydantic_converter_and_seals() -> None:
    service = data_converter_for(Settings(payload_keys=TEST_PAYLOAD_KEYS))
    assert service.payload_converter_class is PayloadConverter  # the per-process cache
    [payload] = await service.encode([{"name": "Ana Lima"}])
    assert payload.metadata["encoding"] == ENCODING
    assert await service.decode([payload], [dict]) == [{"name": "Ana Lima"}]


async def test_a_failures_message_is_sealed_too() -> None:
    """A refusal may quote the customer's words: its message travels encrypted."""
    service = data_converter_for(Settings(payload_keys=TEST_PAYLOAD_KEYS))
    failure = Failure()
    error = ApplicationError("Ana Lima wrote: my lamp never came", type="refused")
    await service.encode_failure(error, failure)
    assert b"Ana Lima" not in failure.SerializeToString()
    back = await service.decode_failure(failure)
    assert isinstance(back, ApplicationError) and back.message == error.message
