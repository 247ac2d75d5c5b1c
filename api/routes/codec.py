"""The codec server: the Temporal UI (and CLI) send claims' encrypted payloads here to read them.

The Temporal codec server protocol: `POST /codec/decode` and `POST /codec/encode`, each
taking and answering `{"payloads": [...]}` in protobuf's JSON (metadata values and data in
base64). Operators only: whoever decodes reads the customers' personal data.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi import APIRouter, Request, Response
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads

from api.auth import OperatorDep
from api.errors import ProblemError, problem_responses
from claimdesk.adapters.codec import EncryptionCodec, PayloadKeyError

PREFIX = "/codec"

_PAYLOADS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["payloads"],
    "properties": {
        "payloads": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
                    "data": {"type": "string", "description": "base64"},
                },
            },
        }
    },
}
_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The payloads, in the order sent",
        "content": {"application/json": {"schema": _PAYLOADS_SCHEMA}},
    }
}

router = APIRouter(
    prefix=PREFIX,
    tags=["codec"],
    responses={**_ANSWER, **problem_responses(400, 401, 403, 413, 422)},
)


def _codec(request: Request) -> EncryptionCodec:
    codec: EncryptionCodec = request.app.state.codec
    return codec


async def _apply(
    request: Request, step: Callable[[Sequence[Payload]], Awaitable[list[Payload]]]
) -> Response:
    """Reads the body (once the caller is known to be an operator), applies `step`."""
    try:
        sent = json_format.Parse(await request.body(), Payloads())
    except (json_format.ParseError, ValueError, RecursionError) as error:
        raise ProblemError(
            400,
            "invalid-payloads",
            "Invalid payloads",
            'the body must be {"payloads": [{"metadata": {...}, "data": "<base64>"}]} in '
            f"protobuf's JSON ({error})",
        ) from error
    try:
        answered = await step(sent.payloads)
    except PayloadKeyError as error:
        raise ProblemError(
            422, "undecryptable-payload", "Undecryptable payload", str(error)
        ) from error
    # By hand around each payload: protobuf's JSON leaves an empty list out altogether.
    body = {"payloads": [json_format.MessageToDict(payload) for payload in answered]}
    return Response(json.dumps(body), media_type="application/json")


@router.post("/decode", summary="Decrypt payloads (operators: the Temporal UI and CLI)")
async def decode(request: Request, operator: OperatorDep) -> Response:
    return await _apply(request, _codec(request).decode)


@router.post("/encode", summary="Encrypt payloads (operators: the Temporal UI and CLI)")
async def encode(request: Request, operator: OperatorDep) -> Response:
    return await _apply(request, _codec(request).encode)
