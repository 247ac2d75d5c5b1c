"""Hostile input: schemathesis fuzzes every operation of the app's OpenAPI with each role's key.

The app runs over real HTTP (uvicorn) with a worker and a Temporal dev server behind it,
and real claims, transactions and merchants the fuzzer's path parameters reach, so the
actions go to real workflows and not only to 404s. Every answer must be a non-5xx that
the schema documents: its status, its content type and its body; and input the schema
calls invalid must be refused (schemathesis' negative_data_rejection).
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import CheckFunction
from schemathesis.core.result import Ok
from schemathesis.generation.meta import negated_parameters

from tests.support.api import Api, claim_body

# Per operation, caller and mode: 24 operations x (3 keys x 2 modes + no key), about 750 cases.
MAX_EXAMPLES = 5
# 147 of them with input to vary get 5 cases each, 12 without (GET /healthz…) get 1: 747 in
# the runs made. Under this floor the fuzzer quietly tried less than it says.
MIN_CASES = 650

CHECKS: list[CheckFunction] = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.negative_data_rejection,
]


@dataclass
class Tally:
    """What the fuzzer sent and what came back."""

    cases: Counter[str] = field(default_factory=Counter)  # per operation, caller and mode
    statuses: Counter[int] = field(default_factory=Counter)
    planned: list[str] = field(default_factory=list)  # every operation, caller and mode
    failures: list[str] = field(default_factory=list)
    unsatisfiable: list[str] = field(default_factory=list)

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


@dataclass
class World:
    """The records the fuzzer's path parameters point at, and a key per caller."""

    keys: dict[str, dict[str, str]]
    known: dict[str, list[str]]


async def _world(api: Api) -> World:
    await api.transaction("T1", customer_email="ana@example.com", merchant_id="M1")
    await api.transaction("T2", customer_email="ana@example.com", merchant_id="M1")
    await api.transaction("T3", customer_email="bob@example.com", merchant_id="M2")
    ana = await api.key("customer", email="ana@example.com")
    bob = await api.key("customer", email="bob@example.com")
    references = []
    for transaction_id, subject, category, who, email in (
        ("T1", "delivery", "not_received", ana, "ana@example.com"),
        ("T2", "payment", "unauthorized", ana, "ana@example.com"),
        ("T3", "delivery", "damaged", bob, "bob@example.com"),
    ):
        body = claim_body(
            transaction_id,
            subject=subject,
            category=category,
            contact={"name": "A customer", "email": email},
        )
        response = await api.http.post("/claims", json=body, headers=who)
        assert response.status_code == 201, response.text
        references.append(response.json()["reference"])
    keys = {
        "customer": ana,
        "merchant": await api.key("merchant", merchant_id="M1"),
        "operator": await api.key("operator"),
        "anonymous": {},
    }
    return World(
        keys={role: _auth_only(headers) for role, headers in keys.items()},
        known={
            "reference": references,
            "transaction_id": ["T1", "T2", "T3"],
            "merchant_id": ["M1", "M2"],
        },
    )


def _auth_only(headers: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in headers.items() if name == "Authorization"}


def _strategy(operation: Any, mode: GenerationMode, world: World) -> st.SearchStrategy[Case[Any]]:
    """Generated path parameters, or (as often) the ones of the real records."""
    strategies = [operation.as_strategy(generation_mode=mode)]
    for name in re.findall(r"{(\w+)}", operation.path):
        strategies.extend(
            operation.as_strategy(generation_mode=mode, path_parameters={name: value})
            for value in world.known.get(name, [])
        )
    return st.one_of(strategies)


def _modes(role: str) -> tuple[GenerationMode, ...]:
    # Without a key every answer is the same 401 whatever the input: valid input is enough.
    if role == "anonymous":
        return (GenerationMode.POSITIVE,)
    return (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


def _fuzz(document: dict[str, Any], base_url: str, world: World) -> Tally:
    schema = schemathesis.openapi.from_dict(document)
    tally = Tally()
    with requests.Session() as session:
        for result in schema.get_all_operations():
            assert isinstance(result, Ok), result.err()  # the app's own schema is valid
            operation = result.ok()
            for role, headers in world.keys.items():
                for mode in _modes(role):
                    label = f"{operation.label} as {role} ({mode.value})"
                    tally.planned.append(label)
                    strategy = _strategy(operation, mode, world)
                    try:
                        _run(strategy, base_url, session, headers, tally, label)
                    except Unsatisfiable:
                        # e.g. no way to make GET /healthz's (empty) input invalid
                        tally.unsatisfiable.append(label)
                    except (Exception, BaseExceptionGroup) as error:  # schemathesis' FailureGroup
                        tally.failures.append(f"{label}:\n{error}")
    return tally


def _key_unless_negated(case: Case[Any], key: dict[str, str]) -> dict[str, str]:
    """The caller's key, unless the case is invalid by its Authorization (taken away or mangled).

    Putting the key back would send a valid request, which negative_data_rejection would
    then report as invalid data accepted; the case goes as generated and meets a 401.
    """
    negated = {name.lower() for name, _ in negated_parameters(case.meta)}
    return {} if "authorization" in negated else key


def _run(
    strategy: st.SearchStrategy[Case[Any]],
    base_url: str,
    session: requests.Session,
    headers: dict[str, str],
    tally: Tally,
    label: str,
) -> None:
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Case[Any]) -> None:
        tally.cases[label] += 1
        sent = _key_unless_negated(case, headers)
        response = case.call(base_url=base_url, session=session, headers=sent)
        tally.statuses[response.status_code] += 1
        case.validate_response(response, checks=CHECKS, headers=sent)

    run()


async def test_fuzzing_every_operation_as_every_caller_gets_no_5xx_and_only_documented_answers(
    api: Api,
) -> None:
    world = await _world(api)
    document = (await api.http.get("/openapi.json")).json()
    tally = await asyncio.to_thread(_fuzz, document, str(api.http.base_url), world)
    total = sum(tally.cases.values())
    print(
        f"\nfuzz: {total} cases over {len(tally.planned)} operations x callers x modes "
        f"(per each: {sorted(Counter(tally.cases[label] for label in tally.planned).items())}), "
        f"statuses {dict(sorted(tally.statuses.items()))}, "
        f"{tally.server_errors} 5xx, "
        f"no negative input for: {tally.unsatisfiable}",
        file=sys.stderr,
    )
    assert not tally.failures, "\n\n".join(tally.failures)
    # Every operation was tried by every caller in each mode it has input for, and most of
    # them MAX_EXAMPLES times: a strategy that quietly generates little or nothing fails.
    tried = [label for label in tally.planned if label not in tally.unsatisfiable]
    idle = [label for label in tried if not tally.cases[label]]
    assert not idle, f"no case generated for {idle}"
    assert total >= MIN_CASES, f"{total} cases, fewer than {MIN_CASES}"
    assert tally.server_errors == 0
    # The fuzzer reached real claims (2xx) and was refused for real (4xx), not only 404s.
    assert tally.statuses[200] > 0
    assert {401, 403, 404, 409, 422} <= set(tally.statuses)
