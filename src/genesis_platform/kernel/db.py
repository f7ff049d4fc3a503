"""The relational store: one SQLAlchemy metadata for every table, engines for SQLite and PostgreSQL, migrations.

SQLite is the embedded default: WAL journal, foreign keys on, and `BEGIN IMMEDIATE` so that a unit of work
takes the write lock when it starts instead of failing half way (every unit of work writes, since every
request appends to the audit log). PostgreSQL is chosen by URL. Alembic migrates either to head on start.
"""

from __future__ import annotations

import sqlite3
from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
)

__all__ = [
    "access_requests",
    "api_tokens",
    "assets",
    "audit_checkpoints",
    "audit_head",
    "audit_records",
    "make_engine",
    "metadata",
    "migrate",
    "organisations",
    "prov_nodes",
    "prov_relations",
    "refresh_statistics",
    "users",
]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Timestamps are stored as ISO 8601 UTC text with microseconds ("2026-11-25T17:22:50.123456Z"): identical on
# both engines, sortable, and byte-for-byte what the audit chain hashes.
_TS = 32

organisations = Table(
    "organisations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("kind", String(32), nullable=False),
    Column("country", String(3), nullable=False),
    Column("created_at", String(_TS), nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("email", String(320), nullable=False),
    Column("organisation_id", String(36), ForeignKey("organisations.id"), nullable=False),
    Column("vetting", String(16), nullable=False),
    # Lists and sets of attributes as canonical JSON text: read whole, written whole, never queried inside.
    Column("attributes", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", String(_TS), nullable=False),
    Column("updated_at", String(_TS), nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user_id", String(36), ForeignKey("users.id"), nullable=False, index=True),
    Column("label", String(200), nullable=False),
    Column("secret_hash", String(200), nullable=False),
    Column("created_at", String(_TS), nullable=False),
    Column("expires_at", String(_TS), nullable=False),
    Column("revoked_at", String(_TS), nullable=True),
)

assets = Table(
    "assets",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("kind", String(32), nullable=False, index=True),
    Column("name", String(300), nullable=False),
    Column("description", Text, nullable=False),
    Column("owner_id", String(36), ForeignKey("users.id"), nullable=False),
    Column("organisation_id", String(36), ForeignKey("organisations.id"), nullable=False, index=True),
    Column("project", String(100), nullable=True),
    Column("markings", Text, nullable=False),
    # Derived from the markings on every write: search filters on them without reading the JSON.
    Column("sensitivity", String(32), nullable=False, index=True),
    Column("discover_key", String(32), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("created_at", String(_TS), nullable=False),
    Column("updated_at", String(_TS), nullable=False),
    # Finds one asset per discovery profile by index seeks alone (a loose index scan; see AssetStore).
    Index("ix_assets_kind_discover_key_id", "kind", "discover_key", "id"),
)

audit_records = Table(
    "audit_records",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", String(_TS), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("action", String(64), nullable=False),
    Column("resource", String(200), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("details", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_records_actor_seq", "actor", "seq"),
    Index("ix_audit_records_resource_seq", "resource", "seq"),
    Index("ix_audit_records_action_seq", "action", "seq"),
    Index("ix_audit_records_at", "at"),
)

# The signed tree head: one row, rewritten by every append. Tail insertions and truncations that bypass the
# kernel break its signature (docs/security.md).
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("tree_size", BigInteger, nullable=False),
    Column("head_hash", String(64), nullable=False),
    Column("root", String(64), nullable=False),
    Column("frontier", Text, nullable=False),
    Column("at", String(_TS), nullable=False),
    Column("key_id", String(32), nullable=False),
    Column("signature", String(200), nullable=False),
)

audit_checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("tree_size", BigInteger, primary_key=True, autoincrement=False),
    Column("root", String(64), nullable=False),
    Column("head_hash", String(64), nullable=False),
    Column("at", String(_TS), nullable=False),
    Column("key_id", String(32), nullable=False),
    Column("signature", String(200), nullable=False),
)

access_requests = Table(
    "access_requests",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("asset_id", String(64), ForeignKey("assets.id"), nullable=False, index=True),
    Column("requester_id", String(36), ForeignKey("users.id"), nullable=False, index=True),
    Column("actions", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("created_at", String(_TS), nullable=False),
    Column("decided_by", String(36), nullable=True),
    Column("decided_at", String(_TS), nullable=True),
    Column("note", Text, nullable=True),
    Column("expires_at", String(_TS), nullable=True),
    Column("agreement", String(200), nullable=True),
)

prov_nodes = Table(
    "prov_nodes",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("kind", String(16), nullable=False),  # entity | activity | agent
    Column("prov_type", String(64), nullable=False),
    Column("label", String(300), nullable=False),
    Column("attributes", Text, nullable=False),
    Column("started_at", String(_TS), nullable=True),
    Column("ended_at", String(_TS), nullable=True),
    Column("created_at", String(_TS), nullable=False),
)

prov_relations = Table(
    "prov_relations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("relation", String(32), nullable=False),
    Column("subject", String(200), ForeignKey("prov_nodes.id"), nullable=False, index=True),
    Column("object", String(200), ForeignKey("prov_nodes.id"), nullable=False, index=True),
    Column("attributes", Text, nullable=False),
    Column("created_at", String(_TS), nullable=False),
)


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN IMMEDIATE instead of pysqlite's deferred BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, *, echo: bool = False, **options: Any) -> Engine:
    """Create an engine for `url`, with the SQLite settings above when it is SQLite.

    Args:
        url: SQLAlchemy URL; a bare `postgresql://` URL is served by psycopg 3.
        echo: log SQL.
        **options: passed to `create_engine`.
    """
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    engine = create_engine(url, echo=echo, **options)
    if engine.dialect.name == "sqlite":
        _sqlite_setup(engine)
    return engine


def _alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("genesis_platform.kernel") / "migrations"))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database behind `engine` to `revision` (head by default)."""
    command.upgrade(_alembic_config(engine), revision)


def refresh_statistics(engine: Engine, *, minimum_rows: int = 1000, growth: float = 2.0) -> list[str]:
    """Re-analyse SQLite tables whose planner statistics are missing or stale; return the tables analysed.

    PostgreSQL's autovacuum keeps statistics current; SQLite keeps none until `ANALYZE` runs, and without them
    its planner picks poor plans once tables are large (a 100,000-dataset search took 3x longer). A table is
    analysed when it holds at least `minimum_rows` rows and has no statistics or has grown or shrunk by
    `growth` times since they were taken. Sizes are read as `max(rowid)` (one index step per table, close to
    the row count for tables that rarely delete); `PRAGMA analysis_limit` keeps each analysis to a sample.
    It never waits: when another process holds the write lock it gives up and tries at the next close.
    """
    if engine.dialect.name != "sqlite":
        return []
    raw = engine.raw_connection()
    cursor = raw.cursor()
    try:
        cursor.execute("PRAGMA busy_timeout = 0")
        recorded: dict[str, int] = {}
        if cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'").fetchone():
            for tbl, stat in cursor.execute("SELECT tbl, stat FROM sqlite_stat1").fetchall():
                recorded[tbl] = max(recorded.get(tbl, 0), int(str(stat).split()[0]))
        stale = []
        for name in metadata.tables:
            rows = int(cursor.execute(f'SELECT coalesce(max(rowid), 0) FROM "{name}"').fetchone()[0])
            before = recorded.get(name)
            if rows >= minimum_rows and (before is None or not before / growth <= rows <= before * growth):
                stale.append(name)
        if stale:
            cursor.execute("PRAGMA analysis_limit = 1000")
            try:
                for name in stale:
                    cursor.execute(f'ANALYZE "{name}"')  # autocommit: the connection runs no transaction
            except sqlite3.OperationalError:  # busy: another process is writing; next time
                return []
        return stale
    finally:
        cursor.execute("PRAGMA busy_timeout = 30000")
        raw.close()
