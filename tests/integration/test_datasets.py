import hashlib
from pathlib import Path

import pytest

from genesis_platform.catalog import VersionState
from genesis_platform.catalog.datacard import markings_from_card
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


def test_draft_card_is_built_from_what_the_platform_knows(platform, cast):
    v = platform.datasets.register(
        cast["rivera"],
        SHARED / "AgNP_dataset.csv",
        name="AgNP synthesis",
        project="p1",
        markings=parse_markings("CUI//SP-EXPT//NOFORN", pii=True, training_use="Conditional"),
    )
    card = platform.datasets.draft_card(cast["rivera"], v.dataset_id)
    d = card.discoverability
    assert d.identification.primary_id.value == v.id and d.sensitivity.cui_specified_categories == ["SP-EXPT"]
    features = card.interoperability.data_structure.features
    assert [(f.name, f.unit) for f in features][-2:] == [("Qtot(uL/min)", "uL/min"), ("loss", None)]
    assert card.accessibility.dataset_scale.record_count == 3295
    assert card.reusability.integrity.checksum_value.endswith(v.manifest_sha256)
    ngm = card.governed_use.non_sensitivity_governance_metadata
    assert ngm.export_control.export_control_status == "Yes" and ngm.privacy.pii_status == "Yes"
    assert markings_from_card(card).same_policy_as(platform.datasets.get(cast["rivera"], v.dataset_id)[0].markings)


def test_attaching_a_card_sets_markings_and_re_marking_needs_a_steward(platform, cast):
    from genesis_platform.catalog.datacard import DataCard, load_card
    from genesis_platform.catalog.samples import liang_2021

    sample = liang_2021()[0]
    card, body = load_card(sample.card.read_text())
    v = platform.datasets.register(
        cast["rivera"],
        sample.data,
        name="crossed barrel",
        project="p1",
        markings=parse_markings("PUBLIC", training_use="Yes", inference_use="Yes", evaluation_use="Yes"),
    )
    attached = platform.datasets.attach_card(cast["rivera"], v.dataset_id, card, body)  # same markings: owner may
    assert attached.completeness["score"] == 1.0
    assert platform.datasets.card(cast["german"], v.dataset_id).card == card
    data = card.model_dump(mode="json", exclude_none=True)
    data["discoverability"]["sensitivity"].update(
        overall_sensitivity="CUI",
        cui_status="Yes",
        cui_specified_categories=["EXPT"],
        cui_limited_dissemination_controls=["NOFORN"],
    )
    stricter = DataCard.model_validate(data)
    with pytest.raises(AccessDenied, match="owner-does-not-re-mark"):
        platform.datasets.attach_card(cast["rivera"], v.dataset_id, stricter)
    with pytest.raises(AccessDenied, match="export-control-training"):
        platform.datasets.attach_card(cast["steward"], v.dataset_id, stricter)  # must be cleared for the new marking
    platform.datasets.attach_card(cast["officer"], v.dataset_id, stricter)
    asset, _ = platform.datasets.get(cast["rivera"], v.dataset_id)
    assert asset.markings.banner == "CUI//SP-EXPT//NOFORN"
    with pytest.raises(NotFound):
        platform.datasets.card(cast["german"], v.dataset_id)
    marks = platform.audit.records(cast.admin, AuditQuery(action="asset.mark"))
    assert marks[-1].event.details["reason"] == "markings from the attached data card"


def test_a_card_with_errors_is_refused_and_changes_nothing(platform, cast):
    from genesis_platform.catalog.datacard import DataCard

    v = platform.datasets.register(cast["rivera"], SHARED / "AutoAM_dataset.csv", name="autoam")
    bad = DataCard.model_validate(
        {"supports_discoverability": "Yes", "discoverability": {"workflow": {"state": "Embargo"}}}
    )
    with pytest.raises(InvalidInput, match="E16"):
        platform.datasets.attach_card(cast["rivera"], v.dataset_id, bad)
    with pytest.raises(NotFound, match="no data card"):
        platform.datasets.card(cast["rivera"], v.dataset_id)


def test_export_every_format_and_import_a_crate(platform, cast, tmp_path):
    import json as _json

    from genesis_platform.catalog.datacard import load_card
    from genesis_platform.catalog.formats import validate_croissant, validate_datacite
    from genesis_platform.catalog.samples import liang_2021

    sample = liang_2021()[0]
    card, body = load_card(sample.card.read_text())
    v = platform.datasets.register(
        cast["rivera"], sample.data, name="crossed barrel", project="p1", markings=markings_from_card(card)
    )
    platform.datasets.attach_card(cast["rivera"], v.dataset_id, card, body)
    validate_datacite(_json.loads(platform.datasets.export(cast["german"], v.dataset_id, "datacite")))
    validate_croissant(_json.loads(platform.datasets.export(cast["german"], v.dataset_id, "croissant")))
    assert _json.loads(platform.datasets.export(cast["german"], v.dataset_id, "dcat"))["dct:identifier"] == v.id
    assert "Crossed barrel toughness" in platform.datasets.export(cast["german"], v.dataset_id, "genesis")
    prov = _json.loads(platform.datasets.export(cast["rivera"], v.dataset_id, "prov"))
    assert f"genesis:dataset-version/{v.id}" in prov["entity"]
    with pytest.raises(InvalidInput, match="unknown format"):
        platform.datasets.export(cast["rivera"], v.dataset_id, "xml")
    out = tmp_path / "crate.zip"
    platform.datasets.export_crate(cast["german"], v.dataset_id, out)
    imported = platform.datasets.import_crate(cast["student"], out)
    assert [f.sha256 for f in imported.files] == [f.sha256 for f in v.files]
    asset, _ = platform.datasets.get(cast["student"], imported.dataset_id)
    assert asset.name == card.discoverability.identification.name and asset.markings.banner == "PUBLIC"
    assert platform.datasets.card(cast["student"], imported.dataset_id).card == card


def test_exports_follow_the_policy(platform, cast, tmp_path):
    nf = platform.datasets.register(
        cast["rivera"],
        SHARED / "AutoAM_dataset.csv",
        name="nf",
        project="p1",
        markings=parse_markings("CUI//SP-PRVCY//NOFORN"),
    )
    for fmt in ("datacite", "dcat", "croissant", "genesis", "prov"):
        with pytest.raises(NotFound):
            platform.datasets.export(cast["brit"], nf.dataset_id, fmt)
    with pytest.raises(NotFound):
        platform.datasets.export_crate(cast["brit"], nf.dataset_id, tmp_path / "x.zip")
    pii = platform.datasets.register(
        cast["rivera"],
        SHARED / "AutoAM_dataset.csv",
        name="pii",
        project="p1",
        markings=parse_markings("UNCLASSIFIED", pii=True),
    )
    assert platform.datasets.export(cast["untrained"], pii.dataset_id, "datacite")  # metadata: allowed
    with pytest.raises(AccessDenied, match="pii-training"):
        platform.datasets.export_crate(cast["untrained"], pii.dataset_id, tmp_path / "y.zip")  # data: denied
    assert not (tmp_path / "y.zip").exists()
