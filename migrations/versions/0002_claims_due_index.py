"""operators' queue: claims not closed, by their next deadline

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 17:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_claims_next_deadline_open",
        "claims",
        ["next_deadline"],
        postgresql_where=sa.text("status <> 'closed'"),
    )


def downgrade() -> None:
    op.drop_index("ix_claims_next_deadline_open", table_name="claims")
