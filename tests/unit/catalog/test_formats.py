"""DataCite 4.5, DCAT 3, Croissant 1.1 and RO-Crate: export, validate, import back."""

from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import UTC, datetime

import pytest

from genesis_platform.catalog.datacard import load_card
from genesis_platform.catalog.formats import (
    ExportSubject,
    from_croissant,
    from_datacite,
    from_dcat,
    to_croissant,
    to_datacite,
    to_dcat,
    validate_croissant,
    validate_datacite,
)
from genesis_platform.catalog.formats.crate import read_crate, write_crate
from genesis_platform.catalog.model import DatasetFile, DatasetVersion
from genesis_platform.catalog.samples import liang_2021
from genesis_platform.catalog.structure import read_structure
from genesis_platform.kernel import CorruptedData, InvalidInput
from genesis_platform.kernel.assets.model import GovernedAsset
from genesis_platform.testing import InMemoryBlobStore

SAMPLES = liang_2021()


def subject(index: int = 0, blobs: InMemoryBlobStore | None = None) -> ExportSubject:
    sample = SAMPLES[index]
    card, _ = load_card(sample.card.read_text())
    body = sample.data.read_bytes()
    ref = (blobs or InMemoryBlobStore()).put([body])
    now = datetime(2026, 11, 25, tzinfo=UTC)
    f = DatasetFile(path=sample.data.name, sha256=ref.digest, size=ref.size)
    version = DatasetVersion(
        id="dat-0123456789ab@v1",
        dataset_id="dat-0123456789ab",
        number=1,
        files=(f,),
        structures=(read_structure(sample.data.name, sample.data),),
        manifest_sha256="0" * 64,
        total_size=f.size,
        created_by="u",
        created_at=now,
    )
    asset = GovernedAsset(
        id="dat-0123456789ab",
        kind="dataset",
        name="x",
        owner_id="u",
        organisation_id="o",
        created_at=now,
        updated_at=now,
    )
    return ExportSubject(asset, version, card)


@pytest.mark.parametrize("index", range(5))
def test_datacite_validates_against_its_schema_and_round_trips(index):
    s = subject(index)
    doc = to_datacite(s)
    validate_datacite(doc)
    back = from_datacite(json.loads(json.dumps(doc)))
    d, orig = back.discoverability, s.card.discoverability
    assert d.identification.name == orig.identification.name and d.identification.version == "1.0"
    assert d.dataset_description.keywords == orig.dataset_description.keywords
    assert d.dataset_description.dataset_summary == orig.dataset_description.dataset_summary
    assert [a.person.family_name for a in d.authors] == [a.person.family_name for a in orig.authors]
    assert back.reusability.license.spdx_id == "MIT"
    assert {p.value for p in back.interoperability.related_resources.publications} == {"10.1038/s41524-021-00656-9"}


def test_datacite_schema_violations_are_named():
    doc = to_datacite(subject())
    del doc["titles"]
    doc["publicationYear"] = "21"
    with pytest.raises(InvalidInput, match=r"titles|publicationYear"):
        validate_datacite(doc)


def test_dcat_carries_spdx_checksums_and_round_trips():
    s = subject(1)
    doc = to_dcat(s)
    assert doc["dcat:distribution"][0]["spdx:checksum"]["spdx:algorithm"] == {"@id": "spdx:checksumAlgorithm_sha256"}
    card, checksums = from_dcat(doc)
    assert checksums == {s.version.files[0].path: s.version.files[0].sha256}
    assert card.discoverability.identification.name == s.name and card.discoverability.identification.version == "1.0"
    assert sorted(card.discoverability.dataset_description.keywords) == sorted(s.keywords)
    with pytest.raises(InvalidInput, match="no dcat:Dataset"):
        from_dcat({"@id": "x", "@type": "http://example.org/Thing"})


@pytest.mark.parametrize("index", range(5))
def test_croissant_is_valid_for_mlcroissant_and_round_trips(index):
    s = subject(index)
    doc = to_croissant(s)
    assert doc["conformsTo"] == "http://mlcommons.org/croissant/1.1"
    assert doc["distribution"][0]["sha256"] == s.version.files[0].sha256
    fields = doc["recordSet"][0]["field"]
    assert [f["name"] for f in fields] == [c.name for c in s.version.structures[0].columns]
    back = from_croissant(doc)
    assert back.discoverability.identification.name == s.name
    assert [f.name for f in back.interoperability.data_structure.features] == [
        c.name for c in s.version.structures[0].columns
    ]


def test_croissant_validation_reports_errors():
    doc = to_croissant(subject())
    doc["recordSet"][0]["field"][0]["source"]["fileObject"] = {"@id": "no-such-file"}
    with pytest.raises(InvalidInput, match="not valid Croissant"):
        validate_croissant(doc)


def test_ro_crate_zip_opens_with_rocrate_and_its_manifest_verifies(tmp_path):
    from rocrate.rocrate import ROCrate

    blobs = InMemoryBlobStore()
    s = subject(3, blobs)
    out = tmp_path / "crate.zip"
    write_crate(s, blobs, out, "notes")
    with zipfile.ZipFile(out) as z:
        names = set(z.namelist())
        assert {
            "ro-crate-metadata.json",
            "bagit.txt",
            "manifest-sha256.txt",
            "genesis-datacard.md",
            "datacite.json",
        } <= names
        manifest = z.read("manifest-sha256.txt").decode()
        digest, path = manifest.strip().split("  ")
        assert hashlib.sha256(z.read(path)).hexdigest() == digest == s.version.files[0].sha256
    crate = ROCrate(str(out))
    assert crate.name == s.name and crate.get(f"data/{s.version.files[0].path}") is not None
    read = read_crate(out, tmp_path / "unpacked")
    assert read.name == s.name and read.card is not None and read.card[0] == s.card and read.card[1] == "notes"


def test_a_tampered_crate_is_refused(tmp_path):
    blobs = InMemoryBlobStore()
    s = subject(4, blobs)
    out = tmp_path / "crate.zip"
    write_crate(s, blobs, out)
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(tampered, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, data.replace(b"100", b"999", 1) if item.filename.startswith("data/") else data)
    with pytest.raises(CorruptedData, match="does not match its manifest"):
        read_crate(tampered, tmp_path / "t")
    (tmp_path / "plain.txt").write_text("x")
    with pytest.raises(InvalidInput, match="not a zip"):
        read_crate(tmp_path / "plain.txt", tmp_path / "p")
    escaping = tmp_path / "escape.zip"
    with zipfile.ZipFile(escaping, "w") as z:
        z.writestr("../evil.txt", "x")
    with pytest.raises(InvalidInput, match="unsafe path"):
        read_crate(escaping, tmp_path / "e")
