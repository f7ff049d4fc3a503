"""What every exporter receives, and the small mappings the formats share."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from genesis_platform.catalog.datacard.model import AgentClass, DataCard
from genesis_platform.catalog.model import DatasetVersion
from genesis_platform.kernel.assets.model import GovernedAsset

__all__ = ["FORMATS", "MEDIA_TYPES", "ExportSubject", "agent_name", "media_type"]

FORMATS = ("genesis", "datacite", "dcat", "croissant", "ro-crate", "prov")
"""The names `genesis dataset export --format` accepts."""

MEDIA_TYPES = {
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
    ".json": "application/json",
    ".jsonl": "application/jsonl",
    ".ndjson": "application/x-ndjson",
    ".parquet": "application/vnd.apache.parquet",
    ".h5": "application/x-hdf5",
    ".hdf5": "application/x-hdf5",
    ".nc": "application/x-netcdf",
    ".md": "text/markdown",
    ".txt": "text/plain",
}


def media_type(path: str) -> str:
    """The media type a file's suffix suggests (`application/octet-stream` when unknown)."""
    return MEDIA_TYPES.get(PurePosixPath(path).suffix.lower(), "application/octet-stream")


@dataclass(frozen=True)
class ExportSubject:
    """A dataset version to export, with its card.

    Attributes:
        asset: the governed asset.
        version: the version.
        card: the attached card, or a drafted one.
    """

    asset: GovernedAsset
    version: DatasetVersion
    card: DataCard

    @property
    def name(self) -> str:
        """The dataset's name as the card gives it."""
        d = self.card.discoverability
        return d.identification.name if d and d.identification and d.identification.name else self.asset.name

    @property
    def summary(self) -> str:
        """The dataset's summary."""
        d = self.card.discoverability
        text = d.dataset_description.dataset_summary if d and d.dataset_description else None
        return text or self.asset.description or self.name

    @property
    def keywords(self) -> list[str]:
        """Keywords."""
        d = self.card.discoverability
        return list(d.dataset_description.keywords or []) if d and d.dataset_description else []


def agent_name(agent: AgentClass) -> str:
    """`Family, Given` for a person, the name for anything else."""
    if agent.person is not None:
        return ", ".join(p for p in (agent.person.family_name, agent.person.given_name) if p)
    inner = agent.organization or agent.ai_model or agent.software
    return (inner.name if inner else None) or "unknown"
