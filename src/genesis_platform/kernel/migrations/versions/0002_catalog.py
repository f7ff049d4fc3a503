"""Catalogue tables: dataset versions, their files, and data cards.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 18:15:02.078141
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dataset_cards",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dataset_id", sa.String(length=64), nullable=False),
        sa.Column("card", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("completeness", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["dataset_id"], ["assets.id"], name=op.f("fk_dataset_cards_dataset_id_assets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset_cards")),
    )
    with op.batch_alter_table("dataset_cards", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dataset_cards_dataset_id"), ["dataset_id"], unique=False)

    op.create_table(
        "dataset_versions",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("dataset_id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("previous_id", sa.String(length=120), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.Column("total_size", sa.BigInteger(), nullable=False),
        sa.Column("file_count", sa.Integer(), nullable=False),
        sa.Column("structures", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("withdrawn_at", sa.String(length=32), nullable=True),
        sa.Column("withdrawn_by", sa.String(length=36), nullable=True),
        sa.Column("withdrawn_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["dataset_id"], ["assets.id"], name=op.f("fk_dataset_versions_dataset_id_assets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset_versions")),
        sa.UniqueConstraint("dataset_id", "number", name=op.f("uq_dataset_versions_dataset_id")),
    )
    with op.batch_alter_table("dataset_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dataset_versions_dataset_id"), ["dataset_id"], unique=False)

    op.create_table(
        "dataset_files",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version_id", sa.String(length=120), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"], ["dataset_versions.id"], name=op.f("fk_dataset_files_version_id_dataset_versions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset_files")),
    )
    with op.batch_alter_table("dataset_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dataset_files_sha256"), ["sha256"], unique=False)
        batch_op.create_index(batch_op.f("ix_dataset_files_version_id"), ["version_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("dataset_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dataset_files_version_id"))
        batch_op.drop_index(batch_op.f("ix_dataset_files_sha256"))

    op.drop_table("dataset_files")
    with op.batch_alter_table("dataset_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dataset_versions_dataset_id"))

    op.drop_table("dataset_versions")
    with op.batch_alter_table("dataset_cards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dataset_cards_dataset_id"))

    op.drop_table("dataset_cards")
