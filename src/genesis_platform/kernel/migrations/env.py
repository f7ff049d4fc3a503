"""Alembic environment: migrations run on the engine the platform hands over, never on a configured URL."""

from __future__ import annotations

from alembic import context

from genesis_platform.kernel.db import metadata

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
