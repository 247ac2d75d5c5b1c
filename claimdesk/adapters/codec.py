"""Encrypts every payload claimdesk hands Temporal: AES-256-GCM, keys named by id so they rotate."""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

from claimdesk.core.settings import Settings

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
NONCE_BYTES = 12  # 96 bits, random per payload: GCM's recommended nonce
KEY_BYTES = 32  # AES-256
TAG_BYTES = 16  # GCM's authentication tag, at the end of what `encrypt` returns


class PayloadKeyError(ValueError):
    """A payload that cannot be decrypted: unknown key id, or altered since it was sealed."""


class MissingKeysError(RuntimeError):
    """The worker or the API was started without CLAIMDESK_PAYLOAD_KEYS."""


def new_key() -> str:
    """A fresh key as CLAIMDESK_PAYLOAD_KEYS spells one (base64 of 32 random bytes)."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode()


class EncryptionCodec(PayloadCodec):
    """Seals each whole payload (metadata and data) under the current key; opens any payload
    sealed under a key it still holds, and lets a payload that was never sealed through (the
    claims recorded before encryption replay as they are)."""

    def __init__(self, keys: Mapping[str, bytes], current: str) -> None:
        if current not in keys:
            raise ValueError(f"the current key {current!r} is not among the keys")
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self._current = current

    @property
    def current_key_id(self) -> str:
        return self._current

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.seal(payload) for payload in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.open(payload) for payload in payloads]

    def seal(self, payload: Payload) -> Payload:
        key_id = self._current.encode()
        nonce = os.urandom(NONCE_BYTES)
        # The key id is authenticated too: moving a payload under another id fails to open.
        sealed = self._ciphers[self._current].encrypt(nonce, payload.SerializeToString(), key_id)
        return Payload(metadata={"encoding": ENCODING, KEY_ID: key_id}, data=nonce + sealed)

    def open(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            return payload
        key_id = payload.metadata.get(KEY_ID, b"").decode(errors="replace")
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise PayloadKeyError(
                f"payload encrypted with key {key_id!r}, which is not in CLAIMDESK_PAYLOAD_KEYS "
                f"(known: {', '.join(sorted(self._ciphers))}): keep retired keys listed"
            )
        if len(payload.data) < NONCE_BYTES + TAG_BYTES:
            # Cut short: `decrypt` would raise a bare ValueError on the nonce's length.
            raise PayloadKeyError(
                f"payload encrypted with key {key_id!r} is truncated: {len(payload.data)} bytes, "
                f"shorter than a nonce and a tag ({NONCE_BYTES + TAG_BYTES})"
            )
        nonce, sealed = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
        try:
            plain = cipher.decrypt(nonce, sealed, key_id.encode())
        except InvalidTag as error:
            raise PayloadKeyError(
                f"payload encrypted with key {key_id!r} does not authenticate: altered or "
                "encrypted with another key under the same id"
            ) from error
        return Payload.FromString(plain)


def codec_for(settings: Settings) -> EncryptionCodec:
    """The codec of CLAIMDESK_PAYLOAD_KEYS; without keys nothing starts (MissingKeysError)."""
    keys = settings.payload_key_ring()
    if not keys:
        raise MissingKeysError(
            "CLAIMDESK_PAYLOAD_KEYS is not set: claim payloads in Temporal are encrypted, set it "
            "to `<id>:<base64 of 32 random bytes>` (e.g. `k1:$(openssl rand -base64 32)`); "
            "`claimdesk dev` makes one under its data directory"
        )
    return EncryptionCodec(keys, settings.current_payload_key_id)
