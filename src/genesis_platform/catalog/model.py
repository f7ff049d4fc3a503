"""Datasets as the catalogue holds them: immutable versions of files, each file named by its SHA-256.

A dataset is a governed asset (kind `dataset`); its markings live on the asset. Each registration makes a new
version that links to the one before; old versions stay readable. A version's lifecycle:

    available ──withdraw──▶ withdrawn   (bytes deleted; the tombstone, hashes and audit trail remain)
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ArrayInfo",
    "ColumnInfo",
    "DataFormat",
    "DatasetFile",
    "DatasetVersion",
    "Structure",
    "VersionState",
    "bagit_manifest",
    "version_id",
]


class DataFormat(StrEnum):
    """File formats whose structure the catalogue reads; anything else is stored as `other`."""

    CSV = "csv"
    TSV = "tsv"
    PARQUET = "parquet"
    JSON = "json"
    JSONL = "jsonl"
    HDF5 = "hdf5"
    NETCDF = "netcdf"
    ZARR = "zarr"
    OTHER = "other"


class VersionState(StrEnum):
    """Where a version stands; see the module docstring."""

    AVAILABLE = "available"
    WITHDRAWN = "withdrawn"


class ColumnInfo(BaseModel):
    """A column of a table.

    Attributes:
        name: the header as written.
        type: the inferred type (`int64`, `double`, `string`, ...).
        unit: the unit declared in the header (`Qtot(uL/min)` declares `uL/min`), if any.
    """

    model_config = ConfigDict(frozen=True)

    name: str
    type: str
    unit: str | None = None


class ArrayInfo(BaseModel):
    """An array of an HDF5, NetCDF or Zarr store.

    Attributes:
        name: its path inside the store.
        shape: its dimensions.
        dtype: its element type.
        unit: the `units` attribute, if any.
    """

    model_config = ConfigDict(frozen=True)

    name: str
    shape: tuple[int, ...]
    dtype: str
    unit: str | None = None


class Structure(BaseModel):
    """What one data object (a table file, an array store) holds.

    Attributes:
        path: the object's path inside the version.
        format: its format.
        rows: row count, for tables.
        columns: columns, for tables.
        arrays: arrays, for array stores.
        error: why the structure could not be read, when it could not (the bytes are still stored).
    """

    model_config = ConfigDict(frozen=True)

    path: str
    format: DataFormat
    rows: int | None = None
    columns: tuple[ColumnInfo, ...] = ()
    arrays: tuple[ArrayInfo, ...] = ()
    error: str | None = None


class DatasetFile(BaseModel):
    """One file of a version.

    Attributes:
        path: relative path inside the version, `/`-separated.
        sha256: SHA-256 of its bytes (the blob's name).
        size: its length in bytes.
    """

    model_config = ConfigDict(frozen=True)

    path: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)


class DatasetVersion(BaseModel):
    """An immutable version of a dataset.

    Attributes:
        id: `<dataset id>@v<number>`.
        dataset_id: the governed asset.
        number: 1, 2, ...
        previous_id: the version it follows.
        state: available or withdrawn.
        files: every file, sorted by path.
        structures: what each data object holds.
        manifest_sha256: digest of the BagIt `manifest-sha256.txt` stored with the version.
        total_size: bytes in all files.
        created_by: the registering user.
        created_at: when it was registered.
        withdrawn_at: when it was withdrawn.
        withdrawn_by: who withdrew it.
        withdrawn_reason: why.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    dataset_id: str
    number: int = Field(ge=1)
    previous_id: str | None = None
    state: VersionState = VersionState.AVAILABLE
    files: tuple[DatasetFile, ...]
    structures: tuple[Structure, ...] = ()
    manifest_sha256: str
    total_size: int
    created_by: str
    created_at: datetime
    withdrawn_at: datetime | None = None
    withdrawn_by: str | None = None
    withdrawn_reason: str | None = None

    @property
    def formats(self) -> list[str]:
        """The formats present, sorted."""
        return sorted({s.format.value for s in self.structures})


def version_id(dataset_id: str, number: int) -> str:
    """The id of version `number` of a dataset."""
    return f"{dataset_id}@v{number}"


def bagit_manifest(files: tuple[DatasetFile, ...] | list[DatasetFile]) -> str:
    """The BagIt (RFC 8493) `manifest-sha256.txt` of a version's files: `<digest> data/<path>` per line."""
    return "".join(f"{f.sha256}  data/{_bagit_path(f.path)}\n" for f in sorted(files, key=lambda f: f.path))


def _bagit_path(path: str) -> str:
    # RFC 8493 §2.1.3: percent-encode CR, LF and % in manifest paths.
    return path.replace("%", "%25").replace("\n", "%0A").replace("\r", "%0D")
