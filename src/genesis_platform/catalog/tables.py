"""Catalogue tables, on the platform's one metadata (the migration chain lives in `kernel/migrations`)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint

from genesis_platform.kernel.db import metadata

__all__ = [
    "dataset_cards",
    "dataset_files",
    "dataset_versions",
    "model_files",
    "model_versions",
    "search_documents",
    "search_facets",
]

dataset_versions = Table(
    "dataset_versions",
    metadata,
    Column("id", String(120), primary_key=True),
    Column("dataset_id", String(64), ForeignKey("assets.id"), nullable=False, index=True),
    Column("number", Integer, nullable=False),
    Column("previous_id", String(120), nullable=True),
    Column("state", String(16), nullable=False),
    Column("manifest_sha256", String(64), nullable=False),
    Column("total_size", BigInteger, nullable=False),
    Column("file_count", Integer, nullable=False),
    Column("structures", Text, nullable=False),
    Column("created_by", String(36), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("withdrawn_at", String(32), nullable=True),
    Column("withdrawn_by", String(36), nullable=True),
    Column("withdrawn_reason", Text, nullable=True),
    UniqueConstraint("dataset_id", "number"),
)

dataset_files = Table(
    "dataset_files",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("version_id", String(120), ForeignKey("dataset_versions.id"), nullable=False, index=True),
    Column("path", Text, nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("size", BigInteger, nullable=False),
)

# Every card attached to a dataset, newest last: the card's own change log lives inside it, this is the platform's.
dataset_cards = Table(
    "dataset_cards",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dataset_id", String(64), ForeignKey("assets.id"), nullable=False, index=True),
    Column("card", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("completeness", Text, nullable=False),
    Column("created_by", String(36), nullable=False),
    Column("created_at", String(32), nullable=False),
)

# What search matches on. The full-text index itself (`search_fts`: FTS5 on SQLite, a tsvector with a GIN index
# on PostgreSQL) is engine-specific and made by migration 0004; see catalog/search.py.
#
# `discover_key`, `sensitivity` and `organisation_id` are copies of the asset's, so that results, counts and
# facets are computed from these two tables and their covering indexes alone. They are copied from `assets` in
# SQL when a document is written, and a trigger on `assets` (migration 0007) rewrites them in the same
# transaction whenever the asset's markings or organisation change: they cannot go stale.
search_documents = Table(
    "search_documents",
    metadata,
    Column("asset_id", String(64), ForeignKey("assets.id"), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("updated_at", String(32), nullable=False, index=True),
    Column("discover_key", String(32), nullable=False, server_default=""),
    Column("sensitivity", String(32), nullable=False, server_default=""),
    Column("organisation_id", String(36), nullable=False, server_default=""),
    Index("ix_search_documents_scope", "kind", "discover_key", "sensitivity", "organisation_id"),
)

search_facets = Table(
    "search_facets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("asset_id", String(64), ForeignKey("assets.id"), nullable=False),
    Column("facet", String(32), nullable=False),
    Column("value", String(200), nullable=False),
    Column("kind", String(32), nullable=False, server_default=""),
    Column("discover_key", String(32), nullable=False, server_default=""),
    Index("ix_search_facets_facet_value", "facet", "value"),
    Index("ix_search_facets_asset_facet", "asset_id", "facet", "value"),
    Index("ix_search_facets_scope", "kind", "discover_key", "facet", "value"),
)

# Foundation models: each version's card and its weight files (blobs named by SHA-256, like dataset files).
model_versions = Table(
    "model_versions",
    metadata,
    Column("id", String(120), primary_key=True),
    Column("model_id", String(64), ForeignKey("assets.id"), nullable=False, index=True),
    Column("number", Integer, nullable=False),
    Column("previous_id", String(120), nullable=True),
    Column("framework", String(32), nullable=False),
    Column("card", Text, nullable=False),
    Column("created_by", String(36), nullable=False),
    Column("created_at", String(32), nullable=False),
    UniqueConstraint("model_id", "number"),
)

model_files = Table(
    "model_files",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("version_id", String(120), ForeignKey("model_versions.id"), nullable=False, index=True),
    Column("path", Text, nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("size", BigInteger, nullable=False),
)
