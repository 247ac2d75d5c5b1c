"""Personal data in Temporal: stored sealed (read raw from the server, without the codec),
never in search attributes, summaries or details; readable to operators through the codec
server over real HTTP, from the Temporal UI's origin only."""

from __future__ import annotations

import json
from typing import Any

from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads, WorkflowExecution
from temporalio.api.query.v1 import WorkflowQuery
from temporalio.api.workflowservice.v1 import (
    DescribeWorkflowExecutionRequest,
    QueryWorkflowRequest,
)
from temporalio.testing import WorkflowEnvironment

from claimdesk.adapters.codec import ENCODING
from tests.support.api import Api, claim_body
from tests.support.codec import codec, every_payload, plain

EMAIL = "zelda.quixote@example.org"
NAME = "Zelda Quixote-Marlowe"
PHONE = "+33 6 98 76 54 32"
DESCRIPTION = "The xylophone never reached 17 rue des Tilleuls"
MESSAGE = "Zelda here again, about the xylophone parcel"
PERSONAL = (EMAIL, NAME, PHONE, DESCRIPTION, MESSAGE, "Zelda", "xylophone", "Tilleuls")
UI = "http://localhost:8233"  # the dev server's UI, the default origin


async def _claim_with_personal_data(api: Api) -> tuple[str, dict[str, dict[str, str]]]:
    await api.transaction("T1", customer_email=EMAIL)
    keys = {
        "customer": await api.key("customer", email=EMAIL),
        "merchant": await api.key("merchant", merchant_id="M1"),
        "operator": await api.key("operator"),
    }
    body = claim_body(
        "T1",
        description=DESCRIPTION,
        contact={"name": NAME, "email": EMAIL, "phone": PHONE, "share_phone_with_merchant": True},
    )
    opened = await api.http.post("/claims", json=body, headers=keys["customer"])
    assert opened.status_code == 201, opened.text
    reference: str = opened.json()["reference"]
    for role in ("customer", "merchant", "operator"):
        sent = await api.http.post(
            f"/claims/{reference}/messages", json={"body": MESSAGE}, headers=keys[role]
        )
        assert sent.status_code == 200, sent.text
    return reference, keys


def _clear(blob: bytes) -> list[str]:
    return [text for text in PERSONAL if text.encode() in blob]


async def test_no_personal_data_reaches_temporal_in_clear_and_the_codec_reads_it_all(
    api: Api, temporal_env: WorkflowEnvironment
) -> None:
    reference, keys = await _claim_with_personal_data(api)
    # The current details are shown from a query: asked raw, as the UI does.
    service = temporal_env.client.workflow_service
    execution = WorkflowExecution(workflow_id=reference)
    namespace = temporal_env.client.namespace
    metadata = await service.query_workflow(
        QueryWorkflowRequest(
            namespace=namespace,
            execution=execution,
            query=WorkflowQuery(query_type="__temporal_workflow_metadata"),
        )
    )
    withdrawn = await api.http.post(
        f"/claims/{reference}/withdraw", json={"note": MESSAGE}, headers=keys["customer"]
    )
    assert withdrawn.status_code == 200, withdrawn.text
    handle = temporal_env.client.get_workflow_handle(reference)
    await handle.result()
    # Raw, as Temporal stores them: every event, the description (search attributes, summary,
    # details) and the query's answer (current details).
    history = await handle.fetch_history()
    described = await service.describe_workflow_execution(
        DescribeWorkflowExecutionRequest(namespace=namespace, execution=execution)
    )
    for event in history.events:
        assert not _clear(event.SerializeToString()), event
    assert not _clear(described.SerializeToString())
    assert not _clear(metadata.SerializeToString())
    assert described.execution_config.user_metadata.summary.metadata["encoding"] == ENCODING

    # Everything sealed opens with the service's key, and there the personal data is.
    payloads = [p for event in history.events for p in every_payload(event)]
    sealed = [p for p in payloads if p.metadata.get("encoding") == ENCODING]
    opened = b"".join(p.SerializeToString() for p in plain(sealed))
    assert set(_clear(opened)) == set(PERSONAL)
    # Summary, details and current details, decrypted, still carry none of it.
    shown = [described.execution_config.user_metadata.summary]
    shown.append(described.execution_config.user_metadata.details)
    shown += list(metadata.query_result.payloads)
    readable = b"".join(p.data for p in plain(shown))
    assert b"claim against merchant M1" in readable and b"Level 1" in readable
    assert not _clear(readable)
    attributes = described.workflow_execution_info.search_attributes.indexed_fields
    for name, attribute in attributes.items():
        assert attribute.metadata["encoding"] == b"json/plain", name
        assert not _clear(attribute.data)


def _as_json(payloads: list[Payload]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(json_format.MessageToJson(Payloads(payloads=payloads)))
    return document


def _from_json(body: str) -> list[Payload]:
    return list(json_format.Parse(body, Payloads()).payloads)


async def test_operators_read_decrypted_payloads_through_the_codec_server(api: Api) -> None:
    operator = await api.key("operator")
    original = Payload(metadata={"encoding": b"json/plain"}, data=json.dumps(NAME).encode())
    [sealed] = await codec.encode([original])
    headers = {**operator, "X-Namespace": "default"}
    decoded = await api.http.post("/codec/decode", json=_as_json([sealed]), headers=headers)
    assert decoded.status_code == 200, decoded.text
    assert decoded.headers["content-type"] == "application/json"
    assert _from_json(decoded.text) == [original]
    # As the protocol has it: bytes in base64, the order kept, plain payloads untouched.
    body = decoded.json()["payloads"][0]
    assert body["metadata"] == {"encoding": "anNvbi9wbGFpbg=="}
    both = await api.http.post("/codec/decode", json=_as_json([original, sealed]), headers=headers)
    assert _from_json(both.text) == [original, original]

    encoded = await api.http.post("/codec/encode", json=_as_json([original]), headers=headers)
    assert encoded.status_code == 200, encoded.text
    [resealed] = _from_json(encoded.text)
    assert resealed.metadata["encoding"] == ENCODING and NAME.encode() not in resealed.data
    assert await codec.decode([resealed]) == [original]


async def test_the_codec_server_refuses_everyone_but_operators_and_bad_payloads(
    api: Api,
) -> None:
    [sealed] = await codec.encode([Payload(metadata={"encoding": b"json/plain"}, data=b"1")])
    body = _as_json([sealed])
    await api.transaction("T1")
    for path in ("/codec/decode", "/codec/encode"):
        for headers, status in (
            ({}, 401),
            ({"Authorization": "Bearer cdk_nope_nope"}, 401),
            (await api.key("customer", email="ana@example.com"), 403),
            (await api.key("merchant", merchant_id="M1"), 403),
        ):
            refused = await api.http.post(path, json=body, headers=headers)
            assert refused.status_code == status, (path, headers, refused.text)
            assert refused.headers["content-type"] == "application/problem+json"
            assert "payloads" not in refused.json()
    operator = await api.key("operator")
    tampered = bytearray(sealed.data)
    tampered[-1] ^= 1
    sealed.data = bytes(tampered)
    answer = await api.http.post("/codec/decode", json=_as_json([sealed]), headers=operator)
    assert answer.status_code == 422, answer.text
    assert "does not authenticate" in answer.json()["detail"]
    nested = b"[" * 100_000  # deeper than any JSON parser recurses
    for garbage in (b"not json", b'{"payloads": "x"}', b"[1]", b'{"pay": []}', b"", nested):
        answer = await api.http.post("/codec/decode", content=garbage, headers=operator)
        assert answer.status_code == 400, (garbage[:20], answer.text)


async def test_the_temporal_uis_origin_may_call_the_codec_server_and_no_other(api: Api) -> None:
    asks = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,x-namespace",
    }
    allowed = await api.http.options("/codec/decode", headers={"Origin": UI, **asks})
    assert allowed.status_code == 200, allowed.text
    assert allowed.headers["access-control-allow-origin"] == UI
    assert allowed.headers["access-control-allow-credentials"] == "true"
    assert "x-namespace" in allowed.headers["access-control-allow-headers"].lower()

    elsewhere = "https://attacker.example"
    refused = await api.http.options("/codec/decode", headers={"Origin": elsewhere, **asks})
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers
    # The answer itself carries the header for the UI only (a refusal too, to be read).
    operator = await api.key("operator")
    for origin, shown in ((UI, UI), (elsewhere, None)):
        answer = await api.http.post(
            "/codec/decode", json={"payloads": []}, headers={**operator, "Origin": origin}
        )
        assert answer.status_code == 200
        assert answer.json() == {"payloads": []}
        assert answer.headers.get("access-control-allow-origin") == shown
    # The rest of the API stays closed to the UI's pages.
    claims = await api.http.options("/claims", headers={"Origin": UI, **asks})
    assert "access-control-allow-origin" not in claims.headers
    listed = await api.http.get("/claims", headers={**operator, "Origin": UI})
    assert "access-control-allow-origin" not in listed.headers
