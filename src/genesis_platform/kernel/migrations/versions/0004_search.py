"""Catalogue search: documents, facets, and the engine-specific full-text index `search_fts`.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 18:39:23.226200
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_documents",
        sa.Column("asset_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["asset_id"], ["assets.id"], name=op.f("fk_search_documents_asset_id_assets")),
        sa.PrimaryKeyConstraint("asset_id", name=op.f("pk_search_documents")),
    )
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_search_documents_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "search_facets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("asset_id", sa.String(length=64), nullable=False),
        sa.Column("facet", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["asset_id"], ["assets.id"], name=op.f("fk_search_facets_asset_id_assets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_facets")),
    )
    with op.batch_alter_table("search_facets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_search_facets_asset_id"), ["asset_id"], unique=False)
        batch_op.create_index("ix_search_facets_facet_value", ["facet", "value"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5(asset_id UNINDEXED, title, body, tokenize='porter unicode61')"
        )
    else:
        op.execute(
            "CREATE TABLE search_fts (asset_id VARCHAR(64) PRIMARY KEY REFERENCES assets(id), tsv TSVECTOR NOT NULL)"
        )
        op.execute("CREATE INDEX ix_search_fts_tsv ON search_fts USING GIN (tsv)")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS search_fts")
    with op.batch_alter_table("search_facets", schema=None) as batch_op:
        batch_op.drop_index("ix_search_facets_facet_value")
        batch_op.drop_index(batch_op.f("ix_search_facets_asset_id"))

    op.drop_table("search_facets")
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_documents_updated_at"))

    op.drop_table("search_documents")
