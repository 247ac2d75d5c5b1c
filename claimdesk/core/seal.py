"""The API's seal on what it asks a claim's workflow: an HMAC the worker checks, so an
Update or a start sent to Temporal around the API acts on no claim.

The seal covers the namespace, the workflow id, the message's name, its id (the Update
id, or "start") and the payloads as the data converter writes them, the actor included:
it cannot be moved to another claim, another action or another Update id, nor the
message changed under it. Keys are `id:secret` pairs; the first listed seals, every
listed one is accepted, so a key is rotated without a moment when the API and the
workers disagree (README, "The seal").
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

# The Temporal header that carries the seal, as `key id:hex HMAC-SHA256`.
SEAL_HEADER = "claimdesk-seal"
# The message id a workflow start is sealed under (Updates: their Update id).
START = "start"
# Shorter secrets are refused: 32 random characters or more (`openssl rand -hex 32`).
MIN_SECRET_LENGTH = 32
_KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,32}")
_VERSION = "claimdesk-seal/1"


@dataclass(frozen=True)
class Sealed:
    """What a seal is over: one message to one claim's workflow."""

    namespace: str
    workflow_id: str
    name: str  # the Update's name, or the workflow type for a start
    message_id: str  # the Update id, or START
    payloads: Sequence[bytes]

    def canonical(self) -> bytes:
        digests = [hashlib.sha256(p).hexdigest() for p in self.payloads]
        fields = [_VERSION, self.namespace, self.workflow_id, self.name, self.message_id, digests]
        return json.dumps(fields, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Keyring:
    """The seal keys by id; `current` seals, all of them are accepted."""

    keys: Mapping[str, bytes] = field(repr=False)  # never in a log or a traceback
    current: str

    @classmethod
    def parse(cls, text: str) -> Keyring:
        """`id:secret,id:secret`, the first one current. Raises ValueError saying what is wrong."""
        keys: dict[str, bytes] = {}
        for entry in (part.strip() for part in text.split(",")):
            key_id, colon, secret = entry.partition(":")
            if not colon or not _KEY_ID.fullmatch(key_id):
                raise ValueError(
                    "seal keys are `id:secret` pairs separated by commas, the id letters, "
                    "digits, `_`, `.` or `-` (at most 32)"
                )
            if len(secret) < MIN_SECRET_LENGTH:
                raise ValueError(
                    f"seal key {key_id!r} is shorter than {MIN_SECRET_LENGTH} characters"
                )
            if key_id in keys:
                raise ValueError(f"seal key id {key_id!r} is listed twice")
            keys[key_id] = secret.encode()
        return cls(keys=keys, current=next(iter(keys)))

    def seal(self, sealed: Sealed) -> str:
        return f"{self.current}:{self._mac(self.keys[self.current], sealed)}"

    def verify(self, seal: str | None, sealed: Sealed) -> bool:
        """Whether `seal` is one of our keys' over exactly `sealed`."""
        if seal is None:
            return False
        key_id, _, mac = seal.partition(":")
        secret = self.keys.get(key_id)
        return secret is not None and hmac.compare_digest(mac, self._mac(secret, sealed))

    @staticmethod
    def _mac(secret: bytes, sealed: Sealed) -> str:
        return hmac.new(secret, sealed.canonical(), hashlib.sha256).hexdigest()
