"""the customer's phone on the claim, and whether the merchant may read it

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("claims", sa.Column("customer_phone", sa.String(length=32), nullable=True))
    op.add_column(
        "claims",
        sa.Column(
            "customer_shares_phone", sa.Boolean(), nullable=False, server_default=sa.false()
        ),
    )


def downgrade() -> None:
    op.drop_column("claims", "customer_shares_phone")
    op.drop_column("claims", "customer_phone")
