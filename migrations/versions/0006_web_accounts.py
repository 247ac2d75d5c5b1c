"""the web claim center's accounts, sessions and one-time links (revision 0006 after 0005, 2026-12-01)."""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


def _tz(name: str, *, nullable: bool) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "web_accounts",
        sa.Column("id", sa.String(length=32), primary_key=True),
        sa.Column("email", sa.String(length=254), nullable=False, unique=True),
        sa.Column("operator", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("locale", sa.String(length=2), nullable=True),
        _tz("created_at", nullable=False),
        _tz("password_set_at", nullable=True),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.String(length=64), primary_key=True),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("merchant_id", sa.String(length=64), nullable=True),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        _tz("created_at", nullable=False),
        _tz("last_seen_at", nullable=False),
        _tz("expires_at", nullable=False),
    )
    op.create_index("ix_web_sessions_account_id", "web_sessions", ["account_id"])
    op.create_table(
        "web_links",
        sa.Column("token_hash", sa.String(length=64), primary_key=True),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        _tz("created_at", nullable=False),
        _tz("expires_at", nullable=False),
        _tz("used_at", nullable=True),
    )
    op.create_index("ix_web_links_account_id", "web_links", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_web_links_account_id", table_name="web_links")
    op.drop_table("web_links")
    op.drop_index("ix_web_sessions_account_id", table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_table("web_accounts")
