"""An index that finds one asset per discovery profile by seeks alone (search's loose index scan).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 08:30:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.create_index("ix_assets_kind_discover_key_id", ["kind", "discover_key", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.drop_index("ix_assets_kind_discover_key_id")
