"""The tables against what fills them: `claims` holds a `ClaimView`, `transactions` a
`TransactionRow`, each field in the column of its name."""

from __future__ import annotations

import types
from dataclasses import fields
from typing import Union, get_args, get_origin, get_type_hints

from claimdesk.core.domain import ClaimView
from claimdesk.store.models import Claim, Transaction, table_of
from claimdesk.store.transactions import TransactionRow


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


def test_the_transactions_table_has_a_column_for_each_transaction_row_field() -> None:
    columns = [column.name for column in table_of(Transaction).columns]
    assert columns == [field.name for field in fields(TransactionRow)]
