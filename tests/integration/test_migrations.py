from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import genesis_platform.catalog  # noqa: F401  (registers the catalogue tables on the metadata)
from genesis_platform.discovery import tables as _discovery_tables  # noqa: F401  (and the discovery tables)
from genesis_platform.kernel.db import make_engine, metadata, migrate


def _url(database_url: str | None, tmp_path: Path) -> str:
    return database_url or f"sqlite:///{tmp_path / 'empty.db'}"


def test_empty_database_upgrades_to_head_and_matches_the_models(database_url, tmp_path):
    engine = make_engine(_url(database_url, tmp_path))
    try:
        migrate(engine)
        tables = set(inspect(engine).get_table_names())
        assert set(metadata.tables) <= tables
        with engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == "0011"
            diffs = compare_metadata(MigrationContext.configure(conn), metadata)

            # The full-text index is engine-specific by design (FTS5 and its shadow tables on SQLite; a tsvector
            # column of search_documents with its GIN index on PostgreSQL).
            def engine_specific(diff: tuple) -> bool:
                if diff[0] == "remove_column":
                    return (diff[2], diff[3].name) == ("search_documents", "tsv")
                obj = diff[1]
                if diff[0] == "remove_index":
                    return obj.name == "ix_search_documents_tsv" or obj.table.name.startswith("search_fts")
                return diff[0] == "remove_table" and obj.name.startswith("search_fts")

            assert [d for d in diffs if not engine_specific(d)] == []
        migrate(engine)  # idempotent at head
    finally:
        engine.dispose()


def test_sqlite_runs_in_wal_mode(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()
