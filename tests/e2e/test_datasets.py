"""Datasets through the CLI and the REST API."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest

from tests.e2e.conftest import auth, state
from tests.unit.catalog.test_structure import SHARED


def test_cli_register_show_versions_download_verify_withdraw(cli, home, platform, cast, tmp_path):
    me = ["--home", str(home), "--token", cast.tokens["rivera"]]
    reg = cli("dataset", "register", str(SHARED), "--name", "Liang et al. 2021", "--marking", "PUBLIC", *me)
    assert reg.code == 0, reg
    dataset_id = re.search(r"(dat-[0-9a-f]{12})@v1", reg.out).group(1)
    shown = cli("dataset", "show", dataset_id, *me)
    assert "Qtot(uL/min):double [uL/min]" in shown.out and "3295 rows" in shown.out
    assert cli("dataset", "register", str(SHARED / "AutoAM_dataset.csv"), "--version-of", dataset_id, *me).code == 0
    versions = json.loads(cli("dataset", "versions", dataset_id, "--json", *me).out)
    assert [v["number"] for v in versions] == [1, 2] and versions[1]["previous_id"] == f"{dataset_id}@v1"
    got = cli("dataset", "download", dataset_id, "--version", "1", "--to", str(tmp_path / "dl"), *me)
    assert got.code == 0 and "all hashes verified" in got.out
    for original in SHARED.iterdir():
        assert (
            hashlib.sha256((tmp_path / "dl" / original.name).read_bytes()).digest()
            == hashlib.sha256(original.read_bytes()).digest()
        )
    assert cli("dataset", "verify", dataset_id, *me).code == 0
    officer = ["--home", str(home), "--token", cast.tokens["officer"]]
    assert cli("dataset", "withdraw", dataset_id, "--version", "2", "--reason", "duplicate", *officer).code == 0
    refused = cli("dataset", "download", dataset_id, "--version", "2", "--to", str(tmp_path / "x"), *me)
    assert refused.code == 5 and "withdrawn" in refused.err


def test_cli_reports_a_corrupted_blob_and_refuses_to_download_it(cli, home, platform, cast, tmp_path):
    v = platform.datasets.register(cast["rivera"], SHARED / "AutoAM_dataset.csv", name="autoam", project="p1")
    blob = Path(platform.blobs.path(v.files[0].sha256))  # type: ignore[attr-defined]
    blob.write_bytes(b"tampered" + blob.read_bytes()[8:])
    me = ["--home", str(home), "--token", cast.tokens["rivera"]]
    checked = cli("dataset", "verify", v.dataset_id, *me)
    assert checked.code == 7 and "CORRUPTED" in checked.out and "1 of 1 file(s)" in checked.err
    got = cli("dataset", "download", v.dataset_id, "--to", str(tmp_path / "dl"), *me)
    assert (
        got.code == 7
        and "failed its integrity check" in got.err
        and not (tmp_path / "dl" / "AutoAM_dataset.csv").exists()
    )


BAD = [
    (["dataset", "register", "/no/such/path"], "rivera", 2, "does not exist"),
    (["dataset", "register", str(SHARED), "--marking", "CUI"], "rivera", 2, "CUI category"),
    (["dataset", "register", str(SHARED), "--marking", "SECRET"], "rivera", 3, "clearance-level"),
    (["dataset", "register", str(SHARED), "--training-use", "Maybe"], "rivera", 2, "UseStatus|Maybe"),
    (["dataset", "register", str(SHARED), "--version-of", "dat-missing"], "rivera", 4, "no asset"),
    (["dataset", "show", "dat-missing"], "rivera", 4, "no asset"),
    (["dataset", "versions", "dat-missing"], "rivera", 4, "no asset"),
    (["dataset", "download", "dat-missing"], "rivera", 4, "no asset"),
    (["dataset", "verify", "dat-missing"], "rivera", 4, "no asset"),
    (["dataset", "withdraw", "dat-missing", "--version", "1", "--reason", "x"], "officer", 4, "no asset"),
    (["dataset", "withdraw", "dat-missing", "--version", "1"], "officer", 2, "--reason"),
    (["dataset", "list"], "nobody", 3, "token"),
]


@pytest.mark.parametrize(("argv", "who", "code", "words"), BAD, ids=[" ".join(b[0][:2]) + f" {b[2]}" for b in BAD])
def test_cli_bad_dataset_input(cli, home, platform, cast, argv, who, code, words):
    before = state(platform)
    token = cast.tokens.get(who, "gns_0000000000000000_" + "x" * 43)
    result = cli(*argv, "--home", str(home), "--token", token)
    assert result.code == code, result
    assert result.err.startswith("error: ") and result.err.count("\n") == 1 and "Traceback" not in result.err
    assert re.search(words, result.err), result.err
    assert state(platform) == before


def _upload(api, token, metadata, files):
    return api.post(
        "/datasets",
        data={"metadata": json.dumps(metadata)},
        files=[("files", (name, body, "application/octet-stream")) for name, body in files],
        headers=auth(token),
    )


def test_api_upload_browse_stream_verify_withdraw(api, cast):
    csv = (SHARED / "AutoAM_dataset.csv").read_bytes()
    created = _upload(
        api,
        cast.tokens["rivera"],
        {"name": "autoam", "project": "p1", "markings": {"banner": "CUI//SP-PRVCY//NOFORN"}},
        [("data/autoam.csv", csv), ("README.txt", b"notes")],
    )
    assert created.status_code == 201, created.text
    v = created.json()
    assert {f["path"] for f in v["files"]} == {"data/autoam.csv", "README.txt"}
    dataset_id = v["dataset_id"]
    listed = api.get("/datasets", headers=auth(cast.tokens["rivera"])).json()
    assert [d["latest"]["number"] for d in listed if d["asset"]["id"] == dataset_id] == [1]
    assert dataset_id not in {d["asset"]["id"] for d in api.get("/datasets", headers=auth(cast.tokens["brit"])).json()}
    streamed = api.get(f"/datasets/{dataset_id}/versions/1/files/data/autoam.csv", headers=auth(cast.tokens["rivera"]))
    assert streamed.status_code == 200 and streamed.content == csv
    assert (
        streamed.headers["repr-digest"] == "sha-256=:" + base64.b64encode(hashlib.sha256(csv).digest()).decode() + ":"
    )
    assert (
        api.get(
            f"/datasets/{dataset_id}/versions/1/files/data/autoam.csv", headers=auth(cast.tokens["brit"])
        ).status_code
        == 404
    )
    manifest = api.get(f"/datasets/{dataset_id}/versions/1/manifest", headers=auth(cast.tokens["rivera"])).text
    assert f"{hashlib.sha256(csv).hexdigest()}  data/data/autoam.csv" in manifest
    second = api.post(
        f"/datasets/{dataset_id}/versions",
        files=[("files", ("b.csv", b"a,b\n1,2\n", "text/csv"))],
        headers=auth(cast.tokens["rivera"]),
    )
    assert second.status_code == 201 and second.json()["previous_id"] == f"{dataset_id}@v1"
    assert api.post(f"/datasets/{dataset_id}/verify", headers=auth(cast.tokens["rivera"])).json() == {
        "ok": True,
        "files": 3,
        "bad": [],
    }
    gone = api.post(
        f"/datasets/{dataset_id}/versions/1/withdraw", json={"reason": "test"}, headers=auth(cast.tokens["officer"])
    )
    assert gone.status_code == 200 and gone.json()["state"] == "withdrawn"
    assert (
        api.get(f"/datasets/{dataset_id}/versions/1/files/README.txt", headers=auth(cast.tokens["rivera"])).status_code
        == 409
    )


@pytest.mark.parametrize(
    ("metadata", "files", "status", "words"),
    [
        ({"name": "x"}, [("../escape.csv", b"a")], 422, "relative path"),
        ({"name": "x"}, [("/abs.csv", b"a")], 422, "relative path"),
        ({"name": "x"}, [("a.csv", b"a"), ("a.csv", b"b")], 422, "sent twice"),
        ({"nom": "x"}, [("a.csv", b"a")], 422, "metadata"),
        ({"name": "x", "markings": {"banner": "SECRET"}}, [("a.csv", b"a")], 403, "clearance-level"),
        ({"name": "x", "markings": {"banner": "NOPE"}}, [("a.csv", b"a")], 422, "banner"),
    ],
)
def test_api_bad_uploads_are_problems_and_store_nothing(api, cast, platform, metadata, files, status, words):
    before = state(platform)
    response = _upload(api, cast.tokens["rivera"], metadata, files)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json" and words in response.json()["detail"]
    assert state(platform) == before
