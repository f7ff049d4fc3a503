import hashlib
from pathlib import Path

import pytest

from genesis_platform.catalog import VersionState
from genesis_platform.kernel import AccessDenied, Conflict, CorruptedData, InvalidInput, NotFound
from genesis_platform.kernel.assets.markings import parse_markings
from genesis_platform.kernel.audit.log import AuditQuery
from tests.unit.catalog.test_structure import SHARED, make_every_format


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_register_stores_every_file_by_sha256_with_a_bagit_manifest(platform, cast, tmp_path):
    make_every_format(tmp_path / "src")
    progress: list[tuple[int, int]] = []
    v = platform.datasets.register(
        cast["rivera"],
        tmp_path / "src",
        name="all formats",
        project="p1",
        progress=lambda d, t: progress.append((d, t)),
    )
    files = {p.relative_to(tmp_path / "src").as_posix(): p for p in (tmp_path / "src").rglob("*") if p.is_file()}
    assert {f.path for f in v.files} == set(files)
    assert all(f.sha256 == _digest(files[f.path]) and f.size == files[f.path].stat().st_size for f in v.files)
    assert v.total_size == sum(p.stat().st_size for p in files.values()) and progress[-1] == (
        v.total_size,
        v.total_size,
    )
    manifest = b"".join(platform.blobs.read(v.manifest_sha256)).decode()
    lines = dict(line.split("  data/")[::-1] for line in manifest.splitlines())
    assert lines == {path: _digest(p) for path, p in files.items()}
    assert v.formats == ["csv", "hdf5", "json", "jsonl", "netcdf", "other", "parquet", "tsv", "zarr"]
    assert platform.audit.records(cast.admin, AuditQuery(action="dataset.version"))[-1].event.details["files"] == len(
        files
    )


def test_a_new_version_links_to_the_previous_and_old_versions_stay_readable(platform, cast, tmp_path):
    v1 = platform.datasets.register(cast["rivera"], SHARED / "AutoAM_dataset.csv", name="autoam")
    v2 = platform.datasets.add_version(cast["rivera"], v1.dataset_id, SHARED / "P3HT_dataset.csv")
    assert (v2.number, v2.previous_id) == (2, v1.id)
    out = platform.datasets.download(cast["rivera"], v1.dataset_id, tmp_path / "old", number=1)
    assert out.id == v1.id and _digest(tmp_path / "old" / "AutoAM_dataset.csv") == _digest(
        SHARED / "AutoAM_dataset.csv"
    )
    latest = platform.datasets.download(cast["rivera"], v1.dataset_id, tmp_path / "new")
    assert latest.id == v2.id and (tmp_path / "new" / "P3HT_dataset.csv").exists()
    with pytest.raises(Conflict, match="already exists"):
        platform.datasets.download(cast["rivera"], v1.dataset_id, tmp_path / "new")
    with pytest.raises(AccessDenied):
        platform.datasets.add_version(cast["colleague"], v1.dataset_id, SHARED / "P3HT_dataset.csv")


def test_a_corrupted_blob_is_reported_and_its_download_fails_without_leaving_a_file(platform, cast, tmp_path):
    v = platform.datasets.register(cast["rivera"], SHARED / "AutoAM_dataset.csv", name="autoam", project="p1")
    blob = Path(platform.blobs.path(v.files[0].sha256))  # type: ignore[attr-defined]
    blob.write_bytes(blob.read_bytes().replace(b"1", b"7", 1))
    report = platform.datasets.verify(cast["rivera"], v.dataset_id)
    assert not report.ok and [c.status for _, c in report.bad] == ["corrupted"]
    with pytest.raises(CorruptedData, match="failed its integrity check"):
        platform.datasets.download(cast["rivera"], v.dataset_id, tmp_path / "dl")
    assert list((tmp_path / "dl").iterdir()) == []
    blob.unlink()
    assert [c.status for _, c in platform.datasets.verify(cast["rivera"], v.dataset_id).bad] == ["missing"]


def test_withdrawal_deletes_bytes_keeps_the_tombstone_and_spares_shared_blobs(platform, cast, tmp_path):
    v1 = platform.datasets.register(cast["rivera"], SHARED / "AutoAM_dataset.csv", name="autoam", project="p1")
    v2 = platform.datasets.add_version(cast["rivera"], v1.dataset_id, SHARED / "AutoAM_dataset.csv")
    with pytest.raises(AccessDenied):
        platform.datasets.withdraw(cast["student"], v1.dataset_id, 1, "no")
    with pytest.raises(InvalidInput, match="say why"):
        platform.datasets.withdraw(cast["officer"], v1.dataset_id, 1, "  ")
    gone = platform.datasets.withdraw(cast["officer"], v1.dataset_id, 1, "superseded")
    assert gone.state is VersionState.WITHDRAWN and gone.withdrawn_reason == "superseded" and gone.files == v1.files
    assert platform.blobs.exists(v1.files[0].sha256)  # v2 holds the same bytes
    with pytest.raises(Conflict, match="withdrawn"):
        platform.datasets.download(cast["rivera"], v1.dataset_id, tmp_path / "a", number=1)
    platform.datasets.withdraw(cast["officer"], v1.dataset_id, 2, "retracted")
    assert not platform.blobs.exists(v2.files[0].sha256)
    _, versions = platform.datasets.get(cast["rivera"], v1.dataset_id)
    assert [v.state for v in versions] == [VersionState.WITHDRAWN, VersionState.WITHDRAWN]
    with pytest.raises(Conflict, match="already withdrawn"):
        platform.datasets.withdraw(cast["officer"], v1.dataset_id, 2, "again")
    assert platform.datasets.verify(cast["rivera"], v1.dataset_id).ok  # nothing available left to check


def test_markings_govern_every_dataset_path(platform, cast, tmp_path):
    nf = platform.datasets.register(
        cast["rivera"],
        SHARED / "AgNP_dataset.csv",
        name="agnp",
        project="p1",
        markings=parse_markings("CUI//SP-EXPT//NOFORN"),
    )
    for call in (
        lambda: platform.datasets.get(cast["brit"], nf.dataset_id),
        lambda: platform.datasets.download(cast["brit"], nf.dataset_id, tmp_path / "x"),
        lambda: platform.datasets.verify(cast["brit"], nf.dataset_id),
        lambda: platform.datasets.open_file(cast["brit"], nf.dataset_id, 1, "AgNP_dataset.csv"),
    ):
        with pytest.raises(NotFound):
            call()
    assert nf.dataset_id not in {a.id for a, _ in platform.datasets.list(cast["brit"])}
    pii = platform.datasets.register(
        cast["rivera"],
        SHARED / "AutoAM_dataset.csv",
        name="people",
        project="p1",
        markings=parse_markings("UNCLASSIFIED", pii=True),
    )
    assert platform.datasets.get(cast["untrained"], pii.dataset_id)[0].id == pii.dataset_id
    with pytest.raises(AccessDenied, match="pii-training"):
        platform.datasets.download(cast["untrained"], pii.dataset_id, tmp_path / "y")
    with pytest.raises(AccessDenied, match="clearance-level"):
        platform.datasets.register(
            cast["rivera"], SHARED / "AutoAM_dataset.csv", name="s", markings=parse_markings("SECRET")
        )


def test_bad_sources_are_refused_and_store_nothing(platform, cast, tmp_path):
    before = len(platform.datasets.list(cast["rivera"]))
    with pytest.raises(InvalidInput, match="does not exist"):
        platform.datasets.register(cast["rivera"], tmp_path / "missing", name="x")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InvalidInput, match="no files"):
        platform.datasets.register(cast["rivera"], tmp_path / "empty", name="x")
    (tmp_path / "linked").mkdir()
    (tmp_path / "linked" / "ln").symlink_to(SHARED / "AutoAM_dataset.csv")
    with pytest.raises(InvalidInput, match="symbolic link"):
        platform.datasets.register(cast["rivera"], tmp_path / "linked", name="x")
    with pytest.raises(InvalidInput, match="name"):
        platform.datasets.register(cast["rivera"], SHARED / "AutoAM_dataset.csv", name="  ")
    assert len(platform.datasets.list(cast["rivera"])) == before
