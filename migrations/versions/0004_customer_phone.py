"""the customer's phone on the claim, and whether the merchant may read it (revision 0004 after 0003, 2026-12-01)."""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


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
