"""The tables against the domain: the `claims` table holds exactly a `ClaimView`."""

from __future__ import annotations

import types
from dataclasses import fields
from typing import Union, get_args, get_origin, get_type_hints

from claimdesk.core.domain import ClaimView
from claimdesk.store.models import Claim, table_of


def _optional(hint: object) -> bool:
    return get_origin(hint) in (Union, types.UnionType) and type(None) in get_args(hint)


def test_the_claims_table_has_a_column_for_each_claim_view_field_and_no_other() -> None:
    # A field added to ClaimView needs its column here and a migration (and the reverse).
    columns = {column.name for column in table_of(Claim).columns}
    view = {field.name for field in fields(ClaimView)}
    assert sorted(view - columns) == [], "ClaimView fields without a column"
    assert sorted(columns - view) == [], "columns no ClaimView field fills"


def test_a_claims_column_is_nullable_exactly_where_the_view_field_may_be_none() -> None:
    hints = get_type_hints(ClaimView)
    nullable = {column.name: column.nullable for column in table_of(Claim).columns}
    for name, hint in hints.items():
        assert nullable[name] == _optional(hint), name
