"""operators' queue: claims not closed, by their next deadline (revision 0002 after 0001, 2026-11-21)."""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_index(
        "ix_claims_next_deadline_open",
        "claims",
        ["next_deadline"],
        postgresql_where=sa.text("status <> 'closed'"),
    )


def downgrade() -> None:
    op.drop_index("ix_claims_next_deadline_open", table_name="claims")
