"""Reading what a data file holds: tables' columns and rows, and the arrays of HDF5, NetCDF and Zarr stores.

Tables: column names, inferred types, units declared in headers, row counts. Array stores: names, shapes,
dtypes and `units` attributes.

Reading never fails a registration: a file whose structure cannot be read is stored all the same, and its
`Structure.error` says why.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from genesis_platform.catalog.model import ArrayInfo, ColumnInfo, DataFormat, Structure

__all__ = ["data_objects", "detect_format", "read_structure", "unit_of"]

_SUFFIXES = {
    ".csv": DataFormat.CSV,
    ".tsv": DataFormat.TSV,
    ".parquet": DataFormat.PARQUET,
    ".pq": DataFormat.PARQUET,
    ".json": DataFormat.JSON,
    ".jsonl": DataFormat.JSONL,
    ".ndjson": DataFormat.JSONL,
    ".h5": DataFormat.HDF5,
    ".hdf5": DataFormat.HDF5,
    ".hdf": DataFormat.HDF5,
    ".nc": DataFormat.NETCDF,
    ".nc4": DataFormat.NETCDF,
    ".netcdf": DataFormat.NETCDF,
    ".zarr": DataFormat.ZARR,
}
# A unit declared at the end of a header: "Qtot(uL/min)", "Conductivity (measured) (S/cm)", "T [K]".
_UNIT = re.compile(r"[\(\[]\s*([^()\[\]]{1,24}?)\s*[\)\]]\s*$")
_UNITLIKE = re.compile(r"^(%|[A-Za-zµ°Å][A-Za-z0-9µ°Å/^·*.\-\s]*)$")


def detect_format(path: Path) -> DataFormat:
    """The format a path's suffix names (a `.zarr` folder is a Zarr store)."""
    return _SUFFIXES.get(path.suffix.lower(), DataFormat.OTHER)


def unit_of(header: str) -> str | None:
    """The unit a column header declares in trailing brackets, if it looks like one."""
    match = _UNIT.search(header)
    if match is None:
        return None
    unit = match.group(1).strip()
    if not _UNITLIKE.match(unit) or unit.lower() in {"measured", "predicted", "mean", "std", "raw"}:
        return None
    return unit


def data_objects(root: Path) -> Iterator[tuple[str, Path]]:
    """The data objects under `root` (a file or a folder): files, and Zarr stores as single objects.

    Yields `(relative path, absolute path)`; a single file's relative path is its name.
    """
    if root.is_file():
        yield root.name, root
        return
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if any(part.lower().endswith(".zarr") for part in Path(rel).parts[:-1]):
            continue  # inside a Zarr store: described by the store
        if (path.is_dir() and detect_format(path) is DataFormat.ZARR) or path.is_file():
            yield rel, path


def read_structure(rel: str, path: Path) -> Structure:
    """Read the structure of one data object; errors are reported in the result, never raised."""
    fmt = detect_format(path)
    try:
        if fmt in {DataFormat.CSV, DataFormat.TSV}:
            return _table(rel, fmt, *_csv(path, "\t" if fmt is DataFormat.TSV else ","))
        if fmt is DataFormat.PARQUET:
            return _table(rel, fmt, *_parquet(path))
        if fmt is DataFormat.JSONL:
            return _table(rel, fmt, *_jsonl(path))
        if fmt is DataFormat.JSON:
            return _json(rel, path)
        if fmt is DataFormat.HDF5:
            return Structure(path=rel, format=fmt, arrays=tuple(_hdf5(path)))
        if fmt is DataFormat.NETCDF:
            return Structure(path=rel, format=fmt, arrays=tuple(_netcdf(path)))
        if fmt is DataFormat.ZARR:
            return Structure(path=rel, format=fmt, arrays=tuple(_zarr(path)))
    except Exception as e:  # a malformed file is still data to keep; say why it could not be read
        return Structure(path=rel, format=fmt, error=f"{type(e).__name__}: {e}"[:500])
    return Structure(path=rel, format=DataFormat.OTHER)


def _table(rel: str, fmt: DataFormat, rows: int, schema: Any) -> Structure:
    columns = tuple(ColumnInfo(name=f.name, type=str(f.type), unit=unit_of(f.name)) for f in schema)
    return Structure(path=rel, format=fmt, rows=rows, columns=columns)


def _csv(path: Path, delimiter: str) -> tuple[int, Any]:
    from pyarrow import csv

    # Streamed in blocks, so a file larger than memory is counted without being loaded; a UTF-8 BOM is skipped.
    reader = csv.open_csv(path, parse_options=csv.ParseOptions(delimiter=delimiter))
    rows = sum(batch.num_rows for batch in reader)
    return rows, reader.schema


def _parquet(path: Path) -> tuple[int, Any]:
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(path)
    return meta.metadata.num_rows, meta.schema_arrow


def _jsonl(path: Path) -> tuple[int, Any]:
    from pyarrow import json as pajson

    table = pajson.read_json(path)
    return table.num_rows, table.schema


def _json(rel: str, path: Path) -> Structure:
    data = json.loads(path.read_text(encoding="utf-8-sig"))
    if isinstance(data, list) and data and all(isinstance(r, dict) for r in data):
        names: dict[str, str] = {}
        for record in data:
            for key, value in record.items():
                kind = _json_type(value)
                names[key] = kind if names.get(key) in (None, "null", kind) else "mixed"
        columns = tuple(ColumnInfo(name=k, type=v, unit=unit_of(k)) for k, v in names.items())
        return Structure(path=rel, format=DataFormat.JSON, rows=len(data), columns=columns)
    if isinstance(data, dict):
        columns = tuple(ColumnInfo(name=k, type=_json_type(v)) for k, v in data.items())
        return Structure(path=rel, format=DataFormat.JSON, columns=columns)
    return Structure(path=rel, format=DataFormat.JSON, rows=len(data) if isinstance(data, list) else None)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    return "list" if isinstance(value, list) else "object"


def _unit_attr(attrs: Any) -> str | None:
    for key in ("units", "unit", "Units"):
        if key in attrs:
            value = attrs[key]
            if isinstance(value, bytes):
                value = value.decode("utf-8", "replace")
            return str(value)
    return None


def _hdf5(path: Path) -> list[ArrayInfo]:
    import h5py

    found: list[ArrayInfo] = []
    with h5py.File(path, "r") as handle:

        def visit(name: str, obj: Any) -> None:
            if isinstance(obj, h5py.Dataset):
                found.append(
                    ArrayInfo(name=name, shape=tuple(obj.shape), dtype=str(obj.dtype), unit=_unit_attr(obj.attrs))
                )

        handle.visititems(visit)
    return found


def _netcdf(path: Path) -> list[ArrayInfo]:
    import netCDF4

    with netCDF4.Dataset(path, "r") as handle:
        return [
            ArrayInfo(name=name, shape=tuple(var.shape), dtype=str(var.dtype), unit=_unit_attr(var.__dict__))
            for name, var in handle.variables.items()
        ]


def _zarr(path: Path) -> list[ArrayInfo]:
    import zarr

    root = zarr.open(str(path), mode="r")
    if isinstance(root, zarr.Array):
        return [ArrayInfo(name="/", shape=tuple(root.shape), dtype=str(root.dtype), unit=_unit_attr(root.attrs))]
    found: list[ArrayInfo] = []

    def walk(group: Any, prefix: str) -> None:
        for name, member in sorted(group.members()):
            full = f"{prefix}{name}"
            if isinstance(member, zarr.Array):
                found.append(
                    ArrayInfo(
                        name=full, shape=tuple(member.shape), dtype=str(member.dtype), unit=_unit_attr(member.attrs)
                    )
                )
            else:
                walk(member, f"{full}/")

    walk(root, "")
    return found
