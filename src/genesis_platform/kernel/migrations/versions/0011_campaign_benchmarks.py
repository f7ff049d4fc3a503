"""Discovery: seeded benchmark runs of a campaign's pool (Liang et al. protocol), kept beside the campaign.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 19:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaign_benchmark_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("picks", sa.Text(), nullable=False),
        sa.Column("seconds", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_campaign_benchmark_runs_campaign_id_campaigns")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_benchmark_runs")),
        sa.UniqueConstraint(
            "campaign_id", "method", "version", "seed", name=op.f("uq_campaign_benchmark_runs_campaign_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("campaign_benchmark_runs")
