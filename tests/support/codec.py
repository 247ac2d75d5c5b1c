"""The tests' payload key: committed, so it protects nothing; for tests and their recordings only.

tests/conftest.py puts it in CLAIMDESK_PAYLOAD_KEYS for every Settings() and every process the
tests start; the histories under tests/histories/*-encrypted were recorded with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload

from claimdesk.adapters.codec import codec_for
from claimdesk.adapters.temporal import data_converter_for
from claimdesk.core.settings import Settings

TEST_KEY_ID = "test-only-1"
TEST_PAYLOAD_KEYS = f"{TEST_KEY_ID}:Y5wMxSdGkJko4O01s2cyPV4GzTDtRSOUAxoGth0wVjs="
# A second key, for rotation tests.
NEXT_KEY_ID = "test-only-2"
NEXT_PAYLOAD_KEY = f"{NEXT_KEY_ID}:toPSqhRW3s7WYzhV70otfC98MQfXsKIAfQi9akjn0nM="

_settings = Settings(payload_keys=TEST_PAYLOAD_KEYS)
codec = codec_for(_settings)
# What the tests' clients, workers and replayers use: the service's converter, test key.
converter = data_converter_for(_settings)


def plain(payloads: Iterable[Payload]) -> list[Payload]:
    """The payloads decrypted (one never encrypted, from an older recording, as it is)."""
    return [codec.open(payload) for payload in payloads]


def every_payload(message: Message) -> Iterator[Payload]:
    """Every Payload inside a protobuf message (a history event, say), in maps and lists too."""
    if isinstance(message, Payload):
        yield message
        return
    for field, value in message.ListFields():
        if field.type != FieldDescriptor.TYPE_MESSAGE:
            continue
        if field.message_type.GetOptions().map_entry:
            inner = [v for v in value.values() if isinstance(v, Message)]
        elif field.is_repeated:
            inner = list(value)
        else:
            inner = [value]
        for item in inner:
            yield from every_payload(item)
