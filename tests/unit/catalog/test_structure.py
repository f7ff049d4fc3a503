import json
from pathlib import Path

import h5py
import netCDF4
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zarr

from genesis_platform.catalog.model import DataFormat
from genesis_platform.catalog.samples import liang_2021
from genesis_platform.catalog.structure import data_objects, read_structure, unit_of

# The Liang et al. 2021 files as the package ships them (tests never read outside the repository).
SHARED = liang_2021()[0].data.parent


@pytest.mark.parametrize(
    ("header", "unit"),
    [
        ("Qtot(uL/min)", "uL/min"),
        ("P3HT content (%)", "%"),
        ("Conductivity (measured) (S/cm)", "S/cm"),
        ("T [K]", "K"),
        ("toughness", None),
        ("value (measured)", None),
        ("weird (a) (b c d e f g h i j k l m n o p q r s t u v w x y z)", None),
    ],
)
def test_units_are_read_from_headers(header, unit):
    assert unit_of(header) == unit


def test_real_liang_csv_with_bom_is_read():
    s = read_structure("Perovskite_dataset.csv", SHARED / "Perovskite_dataset.csv")
    assert s.format is DataFormat.CSV and s.rows == 139 and s.error is None
    assert [c.name for c in s.columns] == ["CsPbI", "FAPbI", "MAPbI", "Instability index"]


def make_every_format(root: Path) -> None:
    (root / "tables").mkdir(parents=True)
    (root / "tables" / "a.csv").write_text("x (K),y\n1,2.5\n3,4.5\n")
    (root / "tables" / "b.tsv").write_text("name\tcount\nfoo\t1\n")
    pq.write_table(pa.table({"t": [1.0, 2.0, 3.0], "label": ["a", "b", "c"]}), root / "tables" / "c.parquet")
    (root / "records.json").write_text(json.dumps([{"id": 1, "v [eV]": 0.5}, {"id": 2, "v [eV]": None}]))
    (root / "lines.jsonl").write_text('{"a": 1}\n{"a": 2}\n{"a": 3}\n')
    with h5py.File(root / "scan.h5", "w") as f:
        f.create_dataset("detector/counts", data=np.zeros((4, 8), dtype="int32")).attrs["units"] = "counts"
    with netCDF4.Dataset(root / "field.nc", "w") as nc:
        nc.createDimension("time", 5)
        var = nc.createVariable("temperature", "f4", ("time",))
        var.units = "K"
    group = zarr.open_group(str(root / "cube.zarr"), mode="w")
    group.create_array("density", shape=(2, 3, 4), dtype="float64").attrs["units"] = "g/cm3"
    (root / "notes.txt").write_text("free text")


def test_every_format_is_described(tmp_path):
    make_every_format(tmp_path)
    found = {rel: read_structure(rel, path) for rel, path in data_objects(tmp_path)}
    assert set(found) == {
        "tables/a.csv",
        "tables/b.tsv",
        "tables/c.parquet",
        "records.json",
        "lines.jsonl",
        "scan.h5",
        "field.nc",
        "cube.zarr",
        "notes.txt",
    }
    assert all(s.error is None for s in found.values()), {k: s.error for k, s in found.items() if s.error}
    csv = found["tables/a.csv"]
    assert csv.rows == 2 and [(c.name, c.type, c.unit) for c in csv.columns] == [
        ("x (K)", "int64", "K"),
        ("y", "double", None),
    ]
    assert found["tables/b.tsv"].columns[1].type == "int64"
    assert found["tables/c.parquet"].rows == 3 and found["tables/c.parquet"].columns[1].type == "string"
    assert found["records.json"].rows == 2 and found["records.json"].columns[1].unit == "eV"
    assert found["lines.jsonl"].rows == 3
    h5 = found["scan.h5"].arrays[0]
    assert (h5.name, h5.shape, h5.dtype, h5.unit) == ("detector/counts", (4, 8), "int32", "counts")
    nc = found["field.nc"].arrays[0]
    assert (nc.name, nc.shape, nc.unit) == ("temperature", (5,), "K")
    z = found["cube.zarr"].arrays[0]
    assert (z.name, z.shape, z.dtype, z.unit) == ("density", (2, 3, 4), "float64", "g/cm3")
    assert found["notes.txt"].format is DataFormat.OTHER


def test_malformed_file_is_described_with_an_error_not_a_crash(tmp_path):
    bad = tmp_path / "broken.parquet"
    bad.write_bytes(b"not parquet at all")
    s = read_structure("broken.parquet", bad)
    assert s.format is DataFormat.PARQUET and s.error
