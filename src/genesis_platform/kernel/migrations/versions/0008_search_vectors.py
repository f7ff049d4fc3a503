"""Sentence embeddings of search documents, for semantic search.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 09:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_vectors",
        sa.Column("doc", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["doc"], ["search_documents.doc"], name=op.f("fk_search_vectors_doc_search_documents"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("doc", "model", name=op.f("pk_search_vectors")),
    )


def downgrade() -> None:
    op.drop_table("search_vectors")
