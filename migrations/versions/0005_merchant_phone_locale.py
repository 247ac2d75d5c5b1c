"""a merchant's phone and the language it is written to in

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 13:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("merchants", sa.Column("phone", sa.String(length=32), nullable=True))
    op.add_column("merchants", sa.Column("locale", sa.String(length=2), nullable=True))


def downgrade() -> None:
    op.drop_column("merchants", "locale")
    op.drop_column("merchants", "phone")
