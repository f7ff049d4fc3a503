"""Persistence of model versions, their cards and weight files."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, func, insert, select

from genesis_platform.catalog.foundation.model import ModelCard, ModelVersion
from genesis_platform.catalog.model import DatasetFile
from genesis_platform.catalog.tables import model_files, model_versions
from genesis_platform.kernel.timestamps import from_text, to_text

__all__ = ["ModelStore"]


class ModelStore:
    """Reads and writes model versions.

    Args:
        conn: the unit of work's connection.
    """

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, version: ModelVersion) -> None:
        """Insert a version and its weight files."""
        self._conn.execute(
            insert(model_versions).values(
                id=version.id,
                model_id=version.model_id,
                number=version.number,
                previous_id=version.previous_id,
                framework=version.card.framework,
                card=version.card.model_dump_json(),
                created_by=version.created_by,
                created_at=to_text(version.created_at),
            )
        )
        self._conn.execute(
            insert(model_files),
            [{"version_id": version.id, "path": f.path, "sha256": f.sha256, "size": f.size} for f in version.files],
        )

    def _version(self, row: Row[Any]) -> ModelVersion:
        files = self._conn.execute(
            select(model_files.c.path, model_files.c.sha256, model_files.c.size)
            .where(model_files.c.version_id == row.id)
            .order_by(model_files.c.path)
        ).all()
        return ModelVersion(
            id=row.id,
            model_id=row.model_id,
            number=row.number,
            previous_id=row.previous_id,
            card=ModelCard.model_validate_json(row.card),
            files=tuple(DatasetFile(path=f.path, sha256=f.sha256, size=f.size) for f in files),
            created_by=row.created_by,
            created_at=from_text(row.created_at),
        )

    def get(self, version_id: str) -> ModelVersion | None:
        """The version with this id."""
        row = self._conn.execute(select(model_versions).where(model_versions.c.id == version_id)).first()
        return None if row is None else self._version(row)

    def versions(self, model_id: str) -> list[ModelVersion]:
        """Every version of a model, oldest first."""
        rows = self._conn.execute(
            select(model_versions).where(model_versions.c.model_id == model_id).order_by(model_versions.c.number)
        ).all()
        return [self._version(r) for r in rows]

    def latest_number(self, model_id: str) -> int:
        """The highest version number of a model (0 when it has none)."""
        value = self._conn.execute(
            select(func.max(model_versions.c.number)).where(model_versions.c.model_id == model_id)
        ).scalar()
        return int(value or 0)
