"""Foundation models through the platform: CHGNet registered from its wheel, inference that matches CHGNet
called directly, denials that are recorded, provenance from input hash to output hash, and bad input refused
without a trace in the catalogue."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from genesis_platform.bootstrap import Platform
from genesis_platform.catalog import ModelCard
from genesis_platform.catalog.foundation import bundled_chgnet
from genesis_platform.kernel import AccessDenied, Conflict, CorruptedData, InvalidInput, NotFound, Settings
from genesis_platform.kernel.assets.markings import parse_markings
from genesis_platform.kernel.audit.log import AuditQuery

STRUCTURES = ("NaCl_rocksalt.cif", "Si_diamond.cif", "BaTiO3_cubic.cif", "Fe_bcc.cif")


def structure_file(name: str) -> Path:
    """A sample structure shipped in the package."""
    return Path(str(resources.files("genesis_platform.catalog").joinpath(f"data/structures/{name}")))


@pytest.fixture(scope="module")
def direct_chgnet():
    """CHGNet exactly as its README says to call it."""
    from chgnet.model import CHGNet

    return CHGNet.load(verbose=False)


def catalogue_state(platform, home: Path | None = None):
    """Rows of everything a model registration or inference writes, and the blobs stored in the home."""
    from sqlalchemy import func, select

    from genesis_platform.catalog.tables import model_files, model_versions
    from genesis_platform.kernel.db import assets, prov_nodes, prov_relations

    tables = (assets, model_versions, model_files, prov_nodes, prov_relations)
    with platform.engine.connect() as conn:
        rows = tuple(conn.execute(select(func.count()).select_from(t)).scalar_one() for t in tables)
    blobs = sorted(p.name for p in (home / "blobs").rglob("*") if p.is_file()) if home else []
    return rows, blobs


@pytest.mark.slow
def test_chgnet_through_the_platform_matches_chgnet_called_directly(platform, cast, direct_chgnet):
    from pymatgen.core import Structure

    version = platform.models.register_bundled(cast["rivera"])
    assert version.card.name == "CHGNet" and version.card.version == "0.3.0"
    for name in STRUCTURES:
        path = structure_file(name)
        ours = platform.models.predict(cast["student"], "chgnet", path.read_bytes(), name)
        theirs = direct_chgnet.predict_structure(Structure.from_file(str(path)))
        assert abs(ours.outputs["energy_per_atom"] - float(theirs["e"])) <= 1e-6, name
        for key, raw in (("forces", "f"), ("stress", "s"), ("magmoms", "m")):
            np.testing.assert_allclose(np.array(ours.outputs[key]), theirs[raw], rtol=0, atol=1e-6, err_msg=name)
        assert ours.sites == len(Structure.from_file(str(path)))
        assert ours.units["energy_per_atom"] == "eV/atom"


@pytest.mark.slow
def test_inference_is_audited_and_recorded_from_input_hash_to_output_hash(platform, cast):
    version = platform.models.register_bundled(cast["rivera"])
    path = structure_file("Si_diamond.cif")
    result = platform.models.predict(cast["student"], version.model_id, path.read_bytes(), path.name)
    assert result.formula == "Si" and result.sites == 8
    records = platform.audit.records(cast.admin, AuditQuery(actor="student", action="model.infer"))
    assert [r.event.details["output_sha256"] for r in records] == [result.output_sha256]
    assert records[0].event.details["input_sha256"] == result.input_sha256
    allow = platform.audit.records(cast.admin, AuditQuery(actor="student", action="infer", outcome="allow"))
    assert allow and allow[-1].event.details["input_sha256"] == result.input_sha256

    doc = json.loads(platform.provenance.export(cast["rivera"], version.model_id))
    activity = doc["activity"][result.activity]
    assert activity["prov:type"] == "genesis:Inference"
    used = {u["prov:entity"] for u in doc["used"].values() if u["prov:activity"] == result.activity}
    assert used == {f"genesis:model-version/{version.id}", f"genesis:input/sha256:{result.input_sha256}"}
    generated = [g["prov:entity"] for g in doc["wasGeneratedBy"].values() if g["prov:activity"] == result.activity]
    assert generated == [f"genesis:prediction/sha256:{result.output_sha256}"]
    agents = {a["prov:agent"] for a in doc["wasAssociatedWith"].values() if a["prov:activity"] == result.activity}
    assert agents == {f"genesis:user/{cast['student'].user.id}", "genesis:software/CHGNet/0.3.0"}


@pytest.mark.slow
def test_the_model_lineage_never_shows_another_users_file_names_or_compositions(platform, cast):
    version = platform.models.register_bundled(cast["rivera"])
    data = structure_file("BaTiO3_cubic.cif").read_bytes()
    platform.models.predict(cast["rivera"], version.model_id, data, "secret-alloy-CUI-7.cif")
    seen = platform.provenance.export(cast["brit"], version.model_id)  # brit may see the public model's lineage
    assert "secret-alloy" not in seen and "BaTiO3" not in seen and "genesis:Inference" in seen


@pytest.mark.slow
def test_a_user_the_marking_excludes_gets_no_prediction_and_a_recorded_denial(platform, cast):
    noforn = parse_markings("CUI//SP-EXPT//NOFORN", inference_use="Yes")
    version = platform.models.register_bundled(cast["rivera"], project="p1", markings=noforn)
    path = structure_file("NaCl_rocksalt.cif")
    with pytest.raises(NotFound):  # the foreign national may not learn the model exists
        platform.models.predict(cast["brit"], version.model_id, path.read_bytes(), path.name)
    with pytest.raises(NotFound):  # nor find it by name
        platform.models.predict(cast["brit"], "CHGNet", path.read_bytes(), path.name)
    denials = platform.audit.records(
        cast.admin, AuditQuery(actor="brit", resource=f'Asset::"{version.model_id}"', outcome="deny")
    )
    infer = [r for r in denials if r.event.action == "infer"]
    assert len(infer) == 1  # by id; by name the model is never found among those brit may discover
    assert any(r.event.action == "discover" for r in denials)
    assert all("noforn" in r.event.details["policies"] for r in infer), [r.event.details for r in infer]
    assert not platform.audit.records(cast.admin, AuditQuery(actor="brit", action="model.infer"))


@pytest.mark.slow
def test_inference_use_no_denies_a_user_who_may_see_the_model(platform, cast):
    markings = parse_markings("PUBLIC", inference_use="No")
    version = platform.models.register_bundled(cast["rivera"], markings=markings)
    path = structure_file("Fe_bcc.cif")
    assert platform.models.get(cast["student"], version.model_id)[0].id == version.model_id
    with pytest.raises(AccessDenied, match="inference"):
        platform.models.predict(cast["student"], version.model_id, path.read_bytes(), path.name)


@pytest.mark.slow
def test_suspended_user_gets_nothing(platform, cast):
    version = platform.models.register_bundled(cast["rivera"])
    platform.identity.suspend(cast.admin, "student", "badge lost")
    path = structure_file("Fe_bcc.cif")
    with pytest.raises(NotFound):
        platform.models.predict(cast["student"], version.model_id, path.read_bytes(), path.name)


@pytest.mark.slow
def test_bad_input_is_refused_and_changes_nothing(platform, cast, tmp_path, home):
    version = platform.models.register_bundled(cast["rivera"])
    before = catalogue_state(platform, home)
    bad = [
        (b"not a crystal", "x.cif", "not a readable CIF"),
        (b"data_x\n", "empty.cif", "CIF"),
        (b"\xff\xfe\x00", "bin.cif", "not text"),
        (b"{}", "s.json", "JSON"),
        (b"whatever", "notes.txt", "give a structure as"),
    ]
    for data, name, words in bad:
        with pytest.raises(InvalidInput, match=words):
            platform.models.predict(cast["student"], version.model_id, data, name)
    assert not platform.audit.records(cast.admin, AuditQuery(action="model.infer"))

    junk = tmp_path / "junk.pth.tar"
    junk.write_bytes(b"\x80\x04 not a checkpoint")
    _, card = bundled_chgnet()
    with pytest.raises(InvalidInput, match="not a loadable CHGNet checkpoint"):
        platform.models.register(cast["rivera"], junk, card)
    with pytest.raises(InvalidInput, match="no runtime for framework"):
        platform.models.register(cast["rivera"], junk, card.model_copy(update={"framework": "alphafold"}))
    with pytest.raises(InvalidInput, match="does not exist"):
        platform.models.register(cast["rivera"], tmp_path / "missing.pth.tar", card)
    checkpoint, _ = bundled_chgnet()
    with pytest.raises(NotFound):
        platform.models.register(
            cast["rivera"], checkpoint, card.model_copy(update={"training_data": ("dat-000000000000@v1",)})
        )
    with pytest.raises(Conflict, match="already registered"):
        platform.models.register_bundled(cast["rivera"])
    assert catalogue_state(platform, home) == before


@pytest.mark.slow
def test_training_data_must_be_trainable_by_the_registrant_and_is_in_the_lineage(platform, cast, tmp_path):
    src = tmp_path / "mptrj-subset.csv"
    src.write_text("structure,energy\nNaCl,-3.6\n", encoding="utf-8")
    open_data = platform.datasets.register(
        cast["rivera"], src, name="open", markings=parse_markings("PUBLIC", training_use="Yes")
    )
    closed = platform.datasets.register(
        cast["rivera"], src, name="closed", markings=parse_markings("PUBLIC", training_use="No")
    )
    checkpoint, card = bundled_chgnet()
    with pytest.raises(AccessDenied, match="train"):
        platform.models.register(cast["rivera"], checkpoint, card.model_copy(update={"training_data": (closed.id,)}))
    trained = platform.models.register(
        cast["rivera"],
        checkpoint,
        ModelCard(**{**card.model_dump(), "name": "CHGNet-ft", "training_data": [open_data.id]}),
    )
    doc = json.loads(platform.provenance.export(cast["rivera"], trained.model_id))
    derived = {(d["prov:generatedEntity"], d["prov:usedEntity"]) for d in doc["wasDerivedFrom"].values()}
    assert (f"genesis:model-version/{trained.id}", f"genesis:dataset-version/{open_data.id}") in derived


@pytest.mark.slow
def test_corrupted_weights_are_refused_at_inference(sqlite_platform, tmp_path, home):
    from genesis_platform.testing import build_cast

    token = sqlite_platform.saved_token()
    cast = build_cast(sqlite_platform, sqlite_platform.authenticate(token, "internal"), token)
    version = sqlite_platform.models.register_bundled(cast["rivera"])
    blob = next(p for p in (home / "blobs").rglob(version.files[0].sha256))
    blob.chmod(0o644)
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0xFF
    blob.write_bytes(bytes(data))
    path = structure_file("Fe_bcc.cif")
    fresh = Platform.open(Settings(home=home))  # a new process has no loaded copy to fall back on
    try:
        with pytest.raises(CorruptedData, match="integrity check"):
            fresh.models.predict(
                fresh.authenticate(cast.tokens["rivera"], "internal"), version.model_id, path.read_bytes(), path.name
            )
    finally:
        fresh.close()
