"""Idempotency-Key on every action: the operation, its Update id and its first answer (revision 0003 after 0002, 2026-12-01)."""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.add_column(
        "idempotency_keys",
        sa.Column(
            "operation",
            sqlmodel.sql.sqltypes.AutoString(length=32),
            nullable=False,
            server_default="open",
        ),
    )
    op.add_column(
        "idempotency_keys",
        sa.Column("update_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    )
    op.add_column("idempotency_keys", sa.Column("answer", sa.JSON(), nullable=True))
    op.add_column("idempotency_keys", sa.Column("refusal", sa.Text(), nullable=True))
    op.add_column(
        "idempotency_keys", sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "idempotency_keys",
        sa.Column("lease_holder", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
    )
    op.create_index("ix_idempotency_keys_update_id", "idempotency_keys", ["update_id"], unique=True)
    op.create_index("ix_idempotency_keys_reference", "idempotency_keys", ["reference"])


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_reference", table_name="idempotency_keys")
    op.drop_index("ix_idempotency_keys_update_id", table_name="idempotency_keys")
    op.drop_column("idempotency_keys", "lease_holder")
    op.drop_column("idempotency_keys", "lease_until")
    op.drop_column("idempotency_keys", "refusal")
    op.drop_column("idempotency_keys", "answer")
    op.drop_column("idempotency_keys", "update_id")
    op.drop_column("idempotency_keys", "operation")
