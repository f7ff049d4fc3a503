"""Persistence of dataset versions and their files."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update

from genesis_platform.catalog.datacard.model import DataCard
from genesis_platform.catalog.model import DatasetFile, DatasetVersion, Structure, VersionState
from genesis_platform.catalog.tables import dataset_cards, dataset_files, dataset_versions, model_files
from genesis_platform.kernel.timestamps import from_text, to_text

__all__ = ["DatasetStore"]


class DatasetStore:
    """Reads and writes dataset versions.

    Args:
        conn: the unit of work's connection.
    """

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, version: DatasetVersion) -> None:
        """Insert a version and its files."""
        self._conn.execute(
            insert(dataset_versions).values(
                id=version.id,
                dataset_id=version.dataset_id,
                number=version.number,
                previous_id=version.previous_id,
                state=version.state.value,
                manifest_sha256=version.manifest_sha256,
                total_size=version.total_size,
                file_count=len(version.files),
                structures=json.dumps([s.model_dump(mode="json", exclude_defaults=True) for s in version.structures]),
                created_by=version.created_by,
                created_at=to_text(version.created_at),
            )
        )
        if version.files:
            self._conn.execute(
                insert(dataset_files),
                [{"version_id": version.id, "path": f.path, "sha256": f.sha256, "size": f.size} for f in version.files],
            )

    def _version(self, row: Row[Any]) -> DatasetVersion:
        files = self._conn.execute(
            select(dataset_files.c.path, dataset_files.c.sha256, dataset_files.c.size)
            .where(dataset_files.c.version_id == row.id)
            .order_by(dataset_files.c.path)
        ).all()
        return DatasetVersion(
            id=row.id,
            dataset_id=row.dataset_id,
            number=row.number,
            previous_id=row.previous_id,
            state=VersionState(row.state),
            files=tuple(DatasetFile(path=f.path, sha256=f.sha256, size=f.size) for f in files),
            structures=tuple(Structure.model_validate(s) for s in json.loads(row.structures)),
            manifest_sha256=row.manifest_sha256,
            total_size=row.total_size,
            created_by=row.created_by,
            created_at=from_text(row.created_at),
            withdrawn_at=from_text(row.withdrawn_at) if row.withdrawn_at else None,
            withdrawn_by=row.withdrawn_by,
            withdrawn_reason=row.withdrawn_reason,
        )

    def get(self, version_id: str) -> DatasetVersion | None:
        """The version with this id."""
        row = self._conn.execute(select(dataset_versions).where(dataset_versions.c.id == version_id)).first()
        return None if row is None else self._version(row)

    def versions(self, dataset_id: str) -> list[DatasetVersion]:
        """Every version of a dataset, oldest first."""
        rows = self._conn.execute(
            select(dataset_versions)
            .where(dataset_versions.c.dataset_id == dataset_id)
            .order_by(dataset_versions.c.number)
        ).all()
        return [self._version(r) for r in rows]

    def latest_number(self, dataset_id: str) -> int:
        """The highest version number of a dataset (0 when it has none)."""
        value = self._conn.execute(
            select(func.max(dataset_versions.c.number)).where(dataset_versions.c.dataset_id == dataset_id)
        ).scalar()
        return int(value or 0)

    def withdraw(self, version_id: str, by: str, at: str, reason: str) -> None:
        """Mark a version withdrawn."""
        self._conn.execute(
            update(dataset_versions)
            .where(dataset_versions.c.id == version_id)
            .values(state=VersionState.WITHDRAWN.value, withdrawn_by=by, withdrawn_at=at, withdrawn_reason=reason)
        )

    def digest_in_use(self, sha256: str, besides: str) -> bool:
        """Whether an available version other than `besides`, or any model's weights, still need the blob `sha256`."""
        if self._conn.execute(select(model_files.c.id).where(model_files.c.sha256 == sha256).limit(1)).first():
            return True
        found = self._conn.execute(
            select(dataset_files.c.id)
            .join(dataset_versions, dataset_versions.c.id == dataset_files.c.version_id)
            .where(
                dataset_files.c.sha256 == sha256,
                dataset_versions.c.id != besides,
                dataset_versions.c.state == VersionState.AVAILABLE.value,
            )
            .limit(1)
        ).first()
        return found is not None

    def add_card(
        self, dataset_id: str, card: DataCard, body: str, completeness: dict[str, Any], by: str, at: str
    ) -> None:
        """Record a card attached to a dataset."""
        self._conn.execute(
            insert(dataset_cards).values(
                dataset_id=dataset_id,
                card=card.model_dump_json(exclude_none=True),
                body=body,
                completeness=json.dumps(completeness),
                created_by=by,
                created_at=at,
            )
        )

    def card(self, dataset_id: str) -> tuple[DataCard, str, dict[str, Any], str] | None:
        """The newest card of a dataset: (card, Markdown body, completeness, attached at)."""
        row = self._conn.execute(
            select(dataset_cards)
            .where(dataset_cards.c.dataset_id == dataset_id)
            .order_by(dataset_cards.c.id.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        return DataCard.model_validate_json(row.card), row.body, json.loads(row.completeness), row.created_at
