"""A claim's reference has one definition: what the API makes, the logs recognise."""

from __future__ import annotations

import pytest

from api.filing import new_reference
from claimdesk.core.reference import is_reference


def test_every_new_reference_has_the_shape_the_logs_recognise() -> None:
    assert all(is_reference(new_reference()) for _ in range(200))


@pytest.mark.parametrize(
    "text",
    [
        "ana@example.org",
        "clm-7k3f-9qx2",  # the API's references are upper-case
        "CLM-7K3F-9QX",
        "CLM-7K3F-9QX23",
        "CLM-7K3F9QX2",
        "CLM-7K3F-9QXI",  # I, L, O, U are not in the alphabet
        "CLM-7K3F-9QX2\n",
        " CLM-7K3F-9QX2",
        "",
    ],
)
def test_anything_else_is_not_a_reference(text: str) -> None:
    assert not is_reference(text)
