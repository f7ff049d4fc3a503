"""The governed catalogue: datasets as immutable, hashed, versioned file sets (EO 14363 §3(a)(v), §3(d)(i))."""

from genesis_platform.catalog.model import DatasetFile, DatasetVersion, Structure, VersionState, bagit_manifest
from genesis_platform.catalog.search import Hit, SearchQuery, SearchResult, SearchService
from genesis_platform.catalog.service import AttachedCard, DatasetService, FileCheck, VerifyReport

__all__ = [
    "AttachedCard",
    "DatasetFile",
    "DatasetService",
    "DatasetVersion",
    "FileCheck",
    "Hit",
    "SearchQuery",
    "SearchResult",
    "SearchService",
    "Structure",
    "VerifyReport",
    "VersionState",
    "bagit_manifest",
]
