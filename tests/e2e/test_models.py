"""`genesis model` and `/models` end to end: register, list, show, predict; bad input gets one clear error."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import auth, state
from tests.integration.test_models import catalogue_state, structure_file


@pytest.mark.slow
def test_cli_register_list_show_predict(platform, cast, cli, home):
    h = ["--home", str(home)]
    me = ["--token", cast.tokens["rivera"]]
    registered = cli("model", "register", "--builtin", "chgnet", *me, *h)
    assert registered.code == 0, registered
    assert "CHGNet 0.3.0 (chgnet)" in registered.out
    listed = json.loads(cli("model", "list", "--json", *me, *h).out)
    assert [(m["name"], m["framework"], m["marking"]) for m in listed] == [("CHGNet", "chgnet", "PUBLIC")]
    shown = cli("model", "show", "chgnet", *me, *h)
    assert shown.code == 0 and "MPtrj" in shown.out and "BSD-3-Clause" in shown.out
    cif = structure_file("BaTiO3_cubic.cif")
    predicted = json.loads(cli("model", "predict", "chgnet", "--structure", str(cif), "--json", *me, *h).out)
    assert predicted["formula"] == "BaTiO3" and predicted["sites"] == 5
    assert len(predicted["outputs"]["forces"]) == 5 and len(predicted["outputs"]["stress"]) == 3
    table = cli("model", "predict", "chgnet", "-s", str(cif), *me, *h)
    assert table.code == 0 and "energy per atom" in table.out and "eV/atom" in table.out


@pytest.mark.slow
def test_api_register_list_show_predict(platform, cast, api):
    a = auth(cast.tokens["rivera"])
    created = api.post("/models/bundled", json={"name": "chgnet"}, headers=a)
    assert created.status_code == 201, created.text
    mid = created.json()["model_id"]
    assert [m["asset"]["id"] for m in api.get("/models", headers=a).json()] == [mid]
    assert api.get("/models/CHGNet", headers=a).json()["versions"][0]["card"]["licence"] == "BSD-3-Clause"
    cif = structure_file("Si_diamond.cif")
    out = api.post(f"/models/{mid}/predict", headers=a, files={"structure": (cif.name, cif.read_bytes())})
    assert out.status_code == 200 and out.json()["formula"] == "Si"
    assert out.json()["units"]["stress"] == "GPa"


BAD_CLI = [
    (("model", "register"), 2, "give a weights file or folder, or --builtin"),
    (("model", "register", "--builtin", "alphafold"), 2, "no bundled model"),
    (("model", "register", "/nonexistent.pth.tar", "--card", "/nonexistent.yaml"), 2, "cannot read the model card"),
    (("model", "register", "/etc/hostname"), 2, "needs its card"),
    (("model", "show", "nosuch"), 4, "no model 'nosuch'"),
    (("model", "predict", "nosuch", "--structure", "/etc/hostname"), 4, "no model"),
    (("model", "predict", "chgnet", "--structure", "/nonexistent.cif"), 2, "cannot read"),
    (("model", "predict", "chgnet", "--structure", "/etc/hostname"), 2, "give a structure as"),
    (("model", "predict", "chgnet"), 2, "--structure"),
    (("model", "predict", "chgnet", "-s", "/etc/hostname", "--version", "0"), 2, "--version"),
    (("model", "register", "--builtin", "chgnet", "--card", "/etc/hostname"), 2, "drop --card"),
    (("model", "register", "/etc/hostname", "--version-of", "chgnet", "--marking", "CUI"), 2, "keeps its model"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("argv", "code", "words"), BAD_CLI, ids=[" ".join(b[0][1:3]) for b in BAD_CLI])
def test_cli_bad_model_input(platform, cast, cli, home, argv, code, words):
    platform.models.register_bundled(cast["rivera"])
    before = state(platform), catalogue_state(platform, home)
    result = cli(*argv, "--token", cast.tokens["rivera"], "--home", str(home))
    assert result.code == code, result
    assert words in result.err and result.err.count("\n") == 1 and "Traceback" not in result.err
    assert (state(platform), catalogue_state(platform, home)) == before


@pytest.mark.slow
def test_api_bad_model_input(platform, cast, api, home):
    a = auth(cast.tokens["rivera"])
    mid = platform.models.register_bundled(cast["rivera"]).model_id
    before = state(platform), catalogue_state(platform, home)
    cases = [
        api.post("/models/bundled", json={"name": "alphafold"}, headers=a),
        api.post("/models", data={"metadata": "{not json"}, files={"files": ("w.pth.tar", b"x")}, headers=a),
        api.post(
            "/models",
            data={"metadata": json.dumps({"card": {"name": "X", "framework": "chgnet"}})},
            files={"files": ("w.pth.tar", b"junk")},
            headers=a,
        ),
        api.post(f"/models/{mid}/predict", files={"structure": ("x.cif", b"garbage")}, headers=a),
        api.post(f"/models/{mid}/predict", files={"structure": ("x.txt", b"garbage")}, headers=a),
        api.post(f"/models/{mid}/predict", headers=a),
    ]
    for response in cases:
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    assert api.post(f"/models/{mid}/predict", files={"structure": ("x.cif", b"")}).status_code == 401
    assert api.get("/models/nosuch", headers=a).status_code == 404
    assert api.post("/models/bundled", json={}, headers=a).status_code == 409
    assert (state(platform), catalogue_state(platform, home)) == before
