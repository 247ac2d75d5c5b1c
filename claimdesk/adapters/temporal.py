"""The one way claimdesk connects to Temporal, so the API and the worker agree on the converter."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from typing import Any

from pydantic import TypeAdapter
from temporalio.client import Client, Interceptor
from temporalio.contrib.pydantic import PydanticJSONPlainPayloadConverter
from temporalio.converter import (
    CompositePayloadConverter,
    DataConverter,
    DefaultFailureConverterWithEncodedAttributes,
    DefaultPayloadConverter,
    JSONPlainPayloadConverter,
)
from temporalio.runtime import Runtime

from claimdesk.adapters.codec import codec_for
from claimdesk.core.settings import Settings

# One cache of pydantic type adapters for the whole process. The SDK's pydantic converter
# keeps its cache per converter instance, and the worker makes a fresh converter for every
# workflow it starts or replays, so each claim rebuilt the schemas of its dataclasses: 12 %
# of the worker's CPU under load (py-spy, docs/bench/history.md). Same JSON on the wire.
_TYPE_ADAPTERS: functools._lru_cache_wrapper[TypeAdapter[Any]] = functools.lru_cache(maxsize=1024)(
    TypeAdapter
)


class _SharedCacheJSONConverter(PydanticJSONPlainPayloadConverter):
    def __init__(self) -> None:
        super().__init__()
        self._type_adapter = _TYPE_ADAPTERS


class PayloadConverter(CompositePayloadConverter):
    """The SDK's pydantic payload converter, its type adapters cached once per process."""

    def __init__(self) -> None:
        super().__init__(
            *(
                _SharedCacheJSONConverter() if isinstance(c, JSONPlainPayloadConverter) else c
                for c in DefaultPayloadConverter.default_encoding_payload_converters
            )
        )


# The values as JSON, before encryption (wire-compatible with `pydantic_data_converter`).
data_converter = DataConverter(payload_converter_class=PayloadConverter)


def data_converter_for(settings: Settings) -> DataConverter:
    """What the API and the worker both use: `data_converter`, every payload encrypted with
    CLAIMDESK_PAYLOAD_KEYS, and failures' messages and stack traces too (they may quote
    what a customer wrote)."""
    return dataclasses.replace(
        data_converter,
        payload_codec=codec_for(settings),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


async def connect(
    settings: Settings,
    *,
    runtime: Runtime | None = None,
    interceptors: Sequence[Interceptor] = (),
    lazy: bool = False,
) -> Client:
    """`runtime`: the worker's, which exports its metrics (None: the SDK's default);
    `interceptors`: the API's seal (claimdesk/adapters/seal.py); `lazy`: connect on first use."""
    return await Client.connect(
        settings.temporal_target,
        namespace=settings.temporal_namespace,
        data_converter=data_converter_for(settings),
        runtime=runtime,
        interceptors=interceptors,
        lazy=lazy,
    )
