"""Catalogue tables, on the platform's one metadata (the migration chain lives in `kernel/migrations`)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from genesis_platform.kernel.db import metadata

__all__ = [
    "dataset_cards",
    "dataset_files",
    "dataset_versions",
    "model_files",
    "model_versions",
    "search_documents",
    "search_index_state",
    "search_scopes",
    "search_vectors",
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

# The search index (derived data, rebuilt from datasets, versions and cards when `search_index_state` says it is
# stale; see catalog/search.py). One document per asset. `discover_key`, `sensitivity` and `organisation_id`
# are copies of the asset's: written from `assets` in SQL with the document, and rewritten in the same
# transaction by the `assets_search_scope` trigger (migration 0007) whenever the asset's markings change, so
# results, counts and facets are computed from this table alone. `facets` is the document's facet values as
# canonical JSON, `[["domain","Materials"],["format","csv"]]`. The text itself is only in the engine-specific
# full-text index (migration 0007): the FTS5 table `search_fts` keyed by `doc` as rowid on SQLite, a weighted
# `tsv` column with a GIN index on this very table on PostgreSQL. The table stays narrow, so counting tens of
# thousands of matches reads little.
# Each distinct (kind, discovery key, sensitivity, organisation, facets) a document has: counting matches by this
# small integer is several times cheaper than grouping by the texts. Rows are only ever added.
search_scopes = Table(
    "search_scopes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("discover_key", String(32), nullable=False),
    Column("sensitivity", String(32), nullable=False),
    Column("organisation_id", String(36), nullable=False),
    Column("facets", Text, nullable=False),
    UniqueConstraint("kind", "discover_key", "sensitivity", "organisation_id", "facets"),
)

search_documents = Table(
    "search_documents",
    metadata,
    Column("doc", Integer, primary_key=True, autoincrement=True),
    Column("asset_id", String(64), ForeignKey("assets.id"), nullable=False, unique=True),
    Column("kind", String(32), nullable=False),
    Column("facets", Text, nullable=False),
    Column("updated_at", String(32), nullable=False),
    Column("discover_key", String(32), nullable=False),
    Column("sensitivity", String(32), nullable=False),
    Column("organisation_id", String(36), nullable=False),
    Column("scope", Integer, ForeignKey("search_scopes.id"), nullable=False),
    Index("ix_search_documents_scope", "kind", "discover_key", "scope"),
)

# Sentence embeddings of search documents for semantic search (catalog/semantic.py), computed lazily; a
# re-indexed document has a new `doc` and so no vector until a semantic search embeds it again.
search_vectors = Table(
    "search_vectors",
    metadata,
    Column("doc", Integer, ForeignKey("search_documents.doc", ondelete="CASCADE"), primary_key=True),
    Column("model", String(64), primary_key=True),
    Column("vector", LargeBinary, nullable=False),
)

search_index_state = Table(
    "search_index_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", Integer, nullable=False),
    Column("built_at", String(32), nullable=False),
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
