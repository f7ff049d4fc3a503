"""Search rows carry their asset's discovery key, sensitivity and organisation, kept exact by a trigger.

Search then answers from covering indexes without joining every match to `assets`.

A later migration that rebuilds the `assets` table (SQLite batch mode copies and renames it) drops the
trigger with the old table; such a migration must create it again (`create_scope_trigger`).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 08:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_SET = (
    "UPDATE search_documents SET discover_key = NEW.discover_key, sensitivity = NEW.sensitivity, "
    "organisation_id = NEW.organisation_id WHERE asset_id = NEW.id; "
    "UPDATE search_facets SET discover_key = NEW.discover_key WHERE asset_id = NEW.id;"
)


def create_scope_trigger() -> None:
    """The trigger that copies an asset's discovery key, sensitivity and organisation to its search rows."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER assets_search_scope AFTER UPDATE OF discover_key, sensitivity, organisation_id "
            f"ON assets BEGIN {_SET} END"
        )
    else:
        op.execute(
            "CREATE OR REPLACE FUNCTION assets_search_scope() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {_SET} RETURN NEW; END $$"
        )
        op.execute(
            "CREATE TRIGGER assets_search_scope AFTER UPDATE OF discover_key, sensitivity, organisation_id "
            "ON assets FOR EACH ROW EXECUTE FUNCTION assets_search_scope()"
        )


def upgrade() -> None:
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("discover_key", sa.String(length=32), server_default="", nullable=False))
        batch_op.add_column(sa.Column("sensitivity", sa.String(length=32), server_default="", nullable=False))
        batch_op.add_column(sa.Column("organisation_id", sa.String(length=36), server_default="", nullable=False))
        batch_op.create_index(
            "ix_search_documents_scope", ["kind", "discover_key", "sensitivity", "organisation_id"], unique=False
        )
    with op.batch_alter_table("search_facets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=32), server_default="", nullable=False))
        batch_op.add_column(sa.Column("discover_key", sa.String(length=32), server_default="", nullable=False))
        batch_op.drop_index("ix_search_facets_asset_id")
        batch_op.create_index("ix_search_facets_asset_facet", ["asset_id", "facet", "value"], unique=False)
        batch_op.create_index("ix_search_facets_scope", ["kind", "discover_key", "facet", "value"], unique=False)
    op.execute(
        "UPDATE search_documents SET "
        "discover_key = (SELECT a.discover_key FROM assets a WHERE a.id = search_documents.asset_id), "
        "sensitivity = (SELECT a.sensitivity FROM assets a WHERE a.id = search_documents.asset_id), "
        "organisation_id = (SELECT a.organisation_id FROM assets a WHERE a.id = search_documents.asset_id)"
    )
    op.execute(
        "UPDATE search_facets SET "
        "kind = (SELECT a.kind FROM assets a WHERE a.id = search_facets.asset_id), "
        "discover_key = (SELECT a.discover_key FROM assets a WHERE a.id = search_facets.asset_id)"
    )
    create_scope_trigger()


def downgrade() -> None:
    op.execute(
        "DROP TRIGGER IF EXISTS assets_search_scope" + ("" if op.get_bind().dialect.name == "sqlite" else " ON assets")
    )
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS assets_search_scope()")
    with op.batch_alter_table("search_facets", schema=None) as batch_op:
        batch_op.drop_index("ix_search_facets_scope")
        batch_op.drop_index("ix_search_facets_asset_facet")
        batch_op.create_index("ix_search_facets_asset_id", ["asset_id"], unique=False)
        batch_op.drop_column("discover_key")
        batch_op.drop_column("kind")
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.drop_index("ix_search_documents_scope")
        batch_op.drop_column("organisation_id")
        batch_op.drop_column("sensitivity")
        batch_op.drop_column("discover_key")
