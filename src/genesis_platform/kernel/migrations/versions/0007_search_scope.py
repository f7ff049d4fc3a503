"""Search index v2: documents carry their asset's discovery scope and facets; full text keyed by document.

`search_documents` gains an integer key `doc` (the FTS5 rowid on SQLite; a rowid alias, so VACUUM cannot
move it) and copies of the asset's discovery key, sensitivity and organisation
plus the document's facets as JSON, and the id of that combination in `search_scopes`, so totals and facet
counts are one GROUP BY over a small integer (a few hundred scopes) from a covering index or a full-text match,
never from `assets`. Its text lives only in the full-text index (FTS5 on
SQLite; on PostgreSQL a weighted `tsvector` column of the document itself, GIN-indexed): a narrow table is what
makes counting tens of thousands of matches cheap. A trigger on `assets` rewrites the copies in the same
transaction whenever an asset's markings or organisation change, so they cannot go stale. `search_facets`
is gone (its rows live in `facets`).

The search index is derived data: this migration recreates its tables empty and marks the index stale;
the catalogue rebuilds it from datasets, versions and cards when the platform next opens.

A later migration that rebuilds `assets` (SQLite batch mode copies and renames it) drops the trigger with
the old table and must call `create_scope_trigger` again.

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

_SCOPE = (
    "(SELECT s.id FROM search_scopes s WHERE s.kind = search_documents.kind AND s.discover_key = NEW.discover_key "
    "AND s.sensitivity = NEW.sensitivity AND s.organisation_id = NEW.organisation_id "
    "AND s.facets = search_documents.facets)"
)
_NEW_SCOPES = (
    "INSERT INTO search_scopes (kind, discover_key, sensitivity, organisation_id, facets) "
    "SELECT d.kind, NEW.discover_key, NEW.sensitivity, NEW.organisation_id, d.facets FROM search_documents d "
    "WHERE d.asset_id = NEW.id ON CONFLICT DO NOTHING;"
)
_SET = (
    f"{_NEW_SCOPES} UPDATE search_documents SET discover_key = NEW.discover_key, sensitivity = NEW.sensitivity, "
    f"organisation_id = NEW.organisation_id, scope = {_SCOPE} WHERE asset_id = NEW.id;"
)


def create_scope_trigger() -> None:
    """The trigger that copies an asset's discovery key, sensitivity and organisation to its search document."""
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
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table("search_facets")
    op.drop_table("search_documents")
    op.create_table(
        "search_scopes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("discover_key", sa.String(length=32), nullable=False),
        sa.Column("sensitivity", sa.String(length=32), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("facets", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_scopes")),
        sa.UniqueConstraint(
            "kind", "discover_key", "sensitivity", "organisation_id", "facets", name=op.f("uq_search_scopes_kind")
        ),
    )
    op.create_table(
        "search_documents",
        sa.Column("doc", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("asset_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("facets", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("discover_key", sa.String(length=32), nullable=False),
        sa.Column("sensitivity", sa.String(length=32), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("scope", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["asset_id"], ["assets.id"], name=op.f("fk_search_documents_asset_id_assets")),
        sa.ForeignKeyConstraint(["scope"], ["search_scopes.id"], name=op.f("fk_search_documents_scope_search_scopes")),
        sa.PrimaryKeyConstraint("doc", name=op.f("pk_search_documents")),
        sa.UniqueConstraint("asset_id", name=op.f("uq_search_documents_asset_id")),
    )
    op.create_index("ix_search_documents_scope", "search_documents", ["kind", "discover_key", "scope"], unique=False)
    op.create_table(
        "search_index_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("built_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_index_state")),
    )
    if sqlite:
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(title, body, tokenize='porter unicode61')")
        # Title words weigh ten times body words in `rank` (BM25), which is what ORDER BY rank sorts by.
        op.execute("INSERT INTO search_fts (search_fts, rank) VALUES ('rank', 'bm25(10.0, 1.0)')")
    else:
        # PostgreSQL keeps the weighted tsvector on the document itself: a match reads one table, no join.
        op.execute("ALTER TABLE search_documents ADD COLUMN tsv TSVECTOR NOT NULL DEFAULT ''::tsvector")
        op.execute("CREATE INDEX ix_search_documents_tsv ON search_documents USING GIN (tsv)")
    create_scope_trigger()


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.execute("DROP TRIGGER IF EXISTS assets_search_scope" + ("" if sqlite else " ON assets"))
    if not sqlite:
        op.execute("DROP FUNCTION IF EXISTS assets_search_scope()")
    op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table("search_index_state")
    op.drop_index("ix_search_documents_scope", table_name="search_documents")
    op.drop_table("search_documents")
    op.drop_table("search_scopes")
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
    op.create_index("ix_search_documents_updated_at", "search_documents", ["updated_at"], unique=False)
    op.create_table(
        "search_facets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("asset_id", sa.String(length=64), nullable=False),
        sa.Column("facet", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["asset_id"], ["assets.id"], name=op.f("fk_search_facets_asset_id_assets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_facets")),
    )
    op.create_index("ix_search_facets_asset_id", "search_facets", ["asset_id"], unique=False)
    op.create_index("ix_search_facets_facet_value", "search_facets", ["facet", "value"], unique=False)
    if sqlite:
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5(asset_id UNINDEXED, title, body, tokenize='porter unicode61')"
        )
    else:
        op.execute(
            "CREATE TABLE search_fts (asset_id VARCHAR(64) PRIMARY KEY REFERENCES assets(id), tsv TSVECTOR NOT NULL)"
        )
        op.execute("CREATE INDEX ix_search_fts_tsv ON search_fts USING GIN (tsv)")
