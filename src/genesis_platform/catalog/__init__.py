"""The governed catalogue: datasets and domain foundation models (EO 14363 §3(a)(iv)-(v), §3(d)(i))."""

from genesis_platform.catalog.foundation import (
    ChgnetRuntime,
    ModelCard,
    ModelRuntime,
    ModelService,
    ModelVersion,
    Prediction,
)
from genesis_platform.catalog.model import DatasetFile, DatasetVersion, Structure, VersionState, bagit_manifest
from genesis_platform.catalog.search import Hit, SearchQuery, SearchResult, SearchService, ensure_index
from genesis_platform.catalog.service import AttachedCard, DatasetService, FileCheck, VerifyReport

__all__ = [
    "AttachedCard",
    "ChgnetRuntime",
    "DatasetFile",
    "DatasetService",
    "DatasetVersion",
    "FileCheck",
    "Hit",
    "ModelCard",
    "ModelRuntime",
    "ModelService",
    "ModelVersion",
    "Prediction",
    "SearchQuery",
    "SearchResult",
    "SearchService",
    "Structure",
    "VerifyReport",
    "VersionState",
    "bagit_manifest",
    "ensure_index",
]
