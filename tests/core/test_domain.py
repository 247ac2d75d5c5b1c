"""The domain package: one import path for every name, payloads the workflow sandbox can decode."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

import claimdesk.core.domain as domain
from claimdesk.core.domain import inputs, orders, views, vocabulary

MODULES = [vocabulary, inputs, views, orders]


@pytest.mark.parametrize("module", MODULES, ids=lambda module: module.__name__)
def test_the_package_re_exports_every_public_name_of_its_modules(module: object) -> None:
    public = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and not inspect.ismodule(value)
        and getattr(value, "__module__", module.__name__) == module.__name__
    }
    assert public <= set(domain.__all__)
    assert all(getattr(domain, name) is getattr(module, name) for name in public)


def test_no_payload_field_is_annotated_with_a_string() -> None:
    """The sandbox passes the package through but not its modules: pydantic decoding a
    payload there could not resolve a string annotation by the class's module."""
    for name in domain.__all__:
        cls = getattr(domain, name)
        if dataclasses.is_dataclass(cls):
            deferred = [f.name for f in dataclasses.fields(cls) if isinstance(f.type, str)]
            assert not deferred, f"{name}: {deferred}"


def test_without_addresses_blanks_every_address_a_server_quotes() -> None:
    reason = "550 5.1.1 <ana.lima+shop@example.com>: no such user (bob@mail.example.org)"
    assert domain.without_addresses(reason) == ("550 5.1.1 <<address>>: no such user (<address>)")
    assert domain.without_addresses("the customer's address refused: 550") == (
        "the customer's address refused: 550"
    )
