"""The API's seal on what it asks a claim's workflow: an HMAC the worker checks, so an
Update or a start sent to Temporal around the API acts on no claim.

The seal covers the namespace, the workflow id, the message's name, its id (the Update
id, or "start") and the payloads as the data converter writes them, the actor included:
it cannot be moved to another claim, another action or another Update id, nor the
message changed under it. It carries the time it was made (`sealed_at`, whole seconds
since the epoch, inside the HMAC): the worker accepts it for `FRESH_FOR` only, so a seal
read from a history cannot be sent again once the claim has forgotten the Update id it
answered (`ANSWERED_KEPT`), nor a start once that window has passed. Keys are
`id:secret` pairs; the first listed seals, every listed one is accepted, so a key is
rotated without a moment when the API and the workers disagree (README, "The seal").
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

# The Temporal header that carries the seal, as `key id:hex HMAC-SHA256`.
SEAL_HEADER = "claimdesk-seal"
# The message id a workflow start is sealed under (Updates: their Update id).
START = "start"
# Shorter secrets are refused: 32 random characters or more (`openssl rand -hex 32`).
MIN_SECRET_LENGTH = 32
_KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,32}")
_VERSION = "claimdesk-seal/2"  # 2: the sealing time is sealed too

# How long a seal is accepted after it was made (the API seals each try anew).
FRESH_FOR = timedelta(minutes=5)
# How far ahead of the workflow's clock a seal's time may be: the API's clock and the
# Temporal server's differ a little.
CLOCK_SKEW = timedelta(minutes=1)
# How long a claim's workflow remembers the Updates it answered, across hand-overs to a
# fresh run. A seal must go stale before its Update id is forgotten: the same sealed
# Update sent again later is then refused by its age, before by its id.
ANSWERED_KEPT = timedelta(minutes=10)
assert FRESH_FOR + CLOCK_SKEW < ANSWERED_KEPT, "a replayed Update could outlive its id"


@dataclass(frozen=True)
class Sealed:
    """What a seal is over: one message to one claim's workflow."""

    namespace: str
    workflow_id: str
    name: str  # the Update's name, or the workflow type for a start
    message_id: str  # the Update id, or START
    payloads: Sequence[bytes]

    def canonical(self, sealed_at: int) -> bytes:
        digests = [hashlib.sha256(p).hexdigest() for p in self.payloads]
        fields = [
            _VERSION,
            self.namespace,
            self.workflow_id,
            self.name,
            self.message_id,
            sealed_at,
            digests,
        ]
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
                    "digits, `_`, `.` or `-` (at most 32), the secret without a comma "
                    "(e.g. `openssl rand -hex 32`)"
                )
            if len(secret) < MIN_SECRET_LENGTH:
                raise ValueError(  # a secret cut in two by a comma in it lands here or above
                    f"seal key {key_id!r} is shorter than {MIN_SECRET_LENGTH} characters "
                    "(a secret takes no comma: the list is cut there)"
                )
            if key_id in keys:
                raise ValueError(f"seal key id {key_id!r} is listed twice")
            keys[key_id] = secret.encode()
        return cls(keys=keys, current=next(iter(keys)))

    def seal(self, sealed: Sealed, at: datetime) -> str:
        """`id:sealed_at:HMAC`, sealed at `at` (the API's clock)."""
        sealed_at = int(at.timestamp())
        return f"{self.current}:{sealed_at}:{self._mac(self.keys[self.current], sealed, sealed_at)}"

    def verify(self, seal: str | None, sealed: Sealed, now: datetime) -> bool:
        """Whether `seal` is one of our keys' over exactly `sealed`, made within `FRESH_FOR`
        before `now` (and at most `CLOCK_SKEW` after it)."""
        key_id, _, rest = (seal or "").partition(":")
        sealed_at, _, mac = rest.partition(":")
        secret = self.keys.get(key_id)
        well_formed = sealed_at.isascii() and sealed_at.isdigit() and len(sealed_at) <= 12
        if secret is None or not well_formed:
            return False
        at = datetime.fromtimestamp(int(sealed_at), UTC)
        if not now - FRESH_FOR <= at <= now + CLOCK_SKEW:
            return False
        return hmac.compare_digest(mac, self._mac(secret, sealed, int(sealed_at)))

    @staticmethod
    def _mac(secret: bytes, sealed: Sealed, sealed_at: int) -> str:
        return hmac.new(secret, sealed.canonical(sealed_at), hashlib.sha256).hexdigest()
