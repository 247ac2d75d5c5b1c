"""a merchant's phone and the language it is written to in (revision 0005 after 0004, 2026-12-01)."""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.add_column("merchants", sa.Column("phone", sa.String(length=32), nullable=True))
    op.add_column("merchants", sa.Column("locale", sa.String(length=2), nullable=True))


def downgrade() -> None:
    op.drop_column("merchants", "locale")
    op.drop_column("merchants", "phone")
