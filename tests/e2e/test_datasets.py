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
    originals = [p for p in SHARED.rglob("*") if p.is_file()]
    assert len(originals) == 11  # five CSVs, their five cards, the README
    for original in originals:
        copy = tmp_path / "dl" / original.relative_to(SHARED)
        assert hashlib.sha256(copy.read_bytes()).digest() == hashlib.sha256(original.read_bytes()).digest()
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


def test_cli_card_draft_check_attach_show(cli, home, platform, cast, tmp_path):
    from genesis_platform.catalog.samples import liang_2021

    sample = liang_2021()[1]
    me = ["--home", str(home), "--token", cast.tokens["rivera"]]
    reg = cli("dataset", "register", str(sample.data), "--card", str(sample.card), "--project", "p1", *me)
    assert reg.code == 0, reg
    dataset_id = re.search(r"(dat-[0-9a-f]{12})@v1", reg.out).group(1)
    shown = cli("dataset", "card", "show", dataset_id, *me)
    assert shown.code == 0 and "Perovskite film stability" in shown.out and "supports_ai_usability: 'Yes'" in shown.out
    drafted = cli("dataset", "card", "draft", dataset_id, "--out", str(tmp_path / "draft.md"), *me)
    assert drafted.code == 0 and (tmp_path / "draft.md").exists()
    checked = cli("dataset", "card", "check", str(tmp_path / "draft.md"))
    assert checked.code == 0 and "completeness of required fields" in checked.out and "E2 incomplete" in checked.out
    (tmp_path / "bad.md").write_text(
        "---\nsupports_discoverability: Yes\ndiscoverability:\n  workflow: {state: Embargo}\n---\n"
    )
    failed = cli("dataset", "card", "check", str(tmp_path / "bad.md"))
    assert failed.code == 2 and "E16" in failed.out and failed.err.startswith("error: 6 error(s)")
    attached = cli("dataset", "card", "attach", dataset_id, str(sample.card), *me)
    assert attached.code == 0 and "markings now PUBLIC" in attached.out
    refused = cli("dataset", "card", "attach", dataset_id, str(tmp_path / "bad.md"), *me)
    assert refused.code == 2 and "E16" in refused.err
    missing = cli("dataset", "card", "attach", dataset_id, str(tmp_path / "nope.md"), *me)
    assert missing.code == 2 and "is not a file" in missing.err


def test_api_card_put_get_draft(api, cast, platform):
    from genesis_platform.catalog.samples import liang_2021

    sample = liang_2021()[2]
    v = platform.datasets.register(cast["rivera"], sample.data, name="agnp", project="p1")
    headers = auth(cast.tokens["rivera"]) | {"content-type": "text/markdown"}
    assert api.get(f"/datasets/{v.dataset_id}/card", headers=auth(cast.tokens["rivera"])).status_code == 404
    draft = api.get(f"/datasets/{v.dataset_id}/card/draft", headers=auth(cast.tokens["rivera"]))
    assert draft.status_code == 200 and draft.text.startswith("---\nsupports_discoverability: 'Yes'")
    denied = api.put(f"/datasets/{v.dataset_id}/card", content=sample.card.read_text(), headers=headers)
    assert denied.status_code == 403 and "owner-does-not-re-mark" in denied.json()["detail"]  # UNCLASSIFIED -> PUBLIC
    steward = auth(cast.tokens["steward"]) | {"content-type": "text/markdown"}
    put = api.put(f"/datasets/{v.dataset_id}/card", content=sample.card.read_text(), headers=steward)
    assert put.status_code == 200 and put.json()["completeness"]["score"] == 1.0
    got = api.get(f"/datasets/{v.dataset_id}/card", headers=auth(cast.tokens["brit"]))
    assert (
        got.status_code == 200
        and got.json()["card"]["discoverability"]["sensitivity"]["overall_sensitivity"] == "Public"
    )
    bad = api.put(
        f"/datasets/{v.dataset_id}/card",
        content='{"supports_discoverability": "No"}',
        headers=auth(cast.tokens["steward"]) | {"content-type": "application/json"},
    )
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"


def test_cli_export_import_and_convert(cli, home, platform, cast, tmp_path):
    from genesis_platform.catalog.samples import liang_2021

    sample = liang_2021()[4]
    me = ["--home", str(home), "--token", cast.tokens["rivera"]]
    reg = cli("dataset", "register", str(sample.data), "--card", str(sample.card), *me)
    dataset_id = re.search(r"(dat-[0-9a-f]{12})@v1", reg.out).group(1)
    assert "Autonomous additive manufacturing" in json.loads(cli("dataset", "list", "--json", *me).out)[0]["name"]
    for fmt in ("datacite", "dcat", "croissant", "prov", "genesis"):
        result = cli("dataset", "export", dataset_id, "--format", fmt, "--out", str(tmp_path / f"m.{fmt}"), *me)
        assert result.code == 0, result
    converted = cli("dataset", "card", "convert", str(tmp_path / "m.datacite"), "--from", "datacite")
    assert converted.code == 0 and "Autonomous additive manufacturing" in converted.out
    assert cli("dataset", "export", dataset_id, "--format", "ro-crate", *me).code == 2
    assert cli("dataset", "export", dataset_id, "--format", "ro-crate", "--out", str(tmp_path / "c.zip"), *me).code == 0
    imported = cli("dataset", "import", str(tmp_path / "c.zip"), *me)
    assert imported.code == 0 and "every digest verified" in imported.out
    bad = cli("dataset", "import", str(tmp_path / "m.datacite"), *me)
    assert bad.code == 2 and "not a zip" in bad.err
    wrong = cli("dataset", "card", "convert", str(tmp_path / "m.datacite"), "--from", "croissant")
    assert wrong.code == 2 and "Croissant" in wrong.err


def test_api_export_and_import(api, cast, platform):
    from genesis_platform.catalog.samples import liang_2021

    sample = liang_2021()[3]
    v = platform.datasets.register(cast["rivera"], sample.data, name="p3ht", project="p1")
    me = auth(cast.tokens["rivera"])
    dc = api.get(f"/datasets/{v.dataset_id}/export/datacite", headers=me)
    assert dc.status_code == 200 and dc.json()["titles"][0]["title"] == "p3ht"
    assert (
        api.get(f"/datasets/{v.dataset_id}/export/croissant", headers=me)
        .headers["content-type"]
        .startswith("application/ld+json")
    )
    assert api.get(f"/datasets/{v.dataset_id}/export/nonsense", headers=me).status_code == 422
    crate = api.get(f"/datasets/{v.dataset_id}/export/ro-crate", headers=me)
    assert crate.status_code == 200 and crate.headers["content-type"] == "application/zip"
    imported = api.post("/datasets/import", files={"crate": ("c.zip", crate.content, "application/zip")}, headers=me)
    assert imported.status_code == 201 and imported.json()["files"][0]["sha256"] == v.files[0].sha256
    junk = api.post("/datasets/import", files={"crate": ("c.zip", b"not a zip", "application/zip")}, headers=me)
    assert junk.status_code == 422 and "not a zip" in junk.json()["detail"]
    assert api.get(f"/datasets/{v.dataset_id}/export/ro-crate", headers=auth(cast.tokens["partner"])).status_code == 403


def test_cli_and_api_access_requests(cli, home, api, platform, cast):
    from genesis_platform.kernel.assets.markings import parse_markings

    v = platform.datasets.register(
        cast["rivera"],
        SHARED / "AutoAM_dataset.csv",
        name="autoam",
        project="p1",
        markings=parse_markings("CUI//SP-PRVCY"),
    )
    partner = ["--home", str(home), "--token", cast.tokens["partner"]]
    steward = ["--home", str(home), "--token", cast.tokens["steward"]]
    asked = cli("dataset", "request-access", v.dataset_id, "--action", "download", "--reason", "validation", *partner)
    assert asked.code == 0 and "pending" in asked.out
    request_id = re.search(r"(acc-[0-9a-f]{12})", asked.out).group(1)
    assert request_id in {
        r["id"] for r in json.loads(cli("access", "list", "--state", "pending", "--json", *steward).out)
    }
    assert cli("access", "approve", request_id, "--days", "7", *partner).code == 3  # not a steward
    approved = cli("access", "approve", request_id, "--days", "7", "--note", "ok", *steward)
    assert approved.code == 0 and "approved" in approved.out
    assert cli("dataset", "download", v.dataset_id, "--to", str(home.parent / "dl"), *partner).code == 0
    assert cli("access", "deny", request_id, *steward).code == 2  # --note missing
    via_api = api.post(
        f"/assets/{v.dataset_id}/access-requests",
        json={"actions": ["train"], "reason": "fit"},
        headers=auth(cast.tokens["partner"]),
    )
    assert via_api.status_code == 201
    rid = via_api.json()["id"]
    bad = api.post(f"/access-requests/{rid}/approve", json={"days": 0}, headers=auth(cast.tokens["steward"]))
    assert bad.status_code == 422
    ok = api.post(
        f"/access-requests/{rid}/deny", json={"note": "not for training"}, headers=auth(cast.tokens["steward"])
    )
    assert ok.status_code == 200 and ok.json()["state"] == "denied"
    mine = api.get("/access-requests", headers=auth(cast.tokens["partner"])).json()
    assert {r["state"] for r in mine} == {"approved", "denied"}


def test_cli_and_api_search(cli, home, api, platform, cast):
    from genesis_platform.kernel.assets.markings import parse_markings

    public = platform.datasets.register(
        cast["rivera"], SHARED / "AutoAM_dataset.csv", name="print quality scores", markings=parse_markings("PUBLIC")
    )
    secret = platform.datasets.register(
        cast["rivera"],
        SHARED / "AgNP_dataset.csv",
        name="print secrets",
        project="p1",
        markings=parse_markings("CUI//SP-EXPT//NOFORN"),
    )
    brit = ["--home", str(home), "--token", cast.tokens["brit"]]
    found = json.loads(cli("dataset", "search", "print", "--json", *brit).out)
    assert [h["id"] for h in found["hits"]] == [public.dataset_id] and found["total"] == 1
    assert found["facets"]["sensitivity"] == {"Public": 1}
    shown = cli("dataset", "search", "print", "--home", str(home), "--token", cast.tokens["rivera"])
    assert "2 dataset(s) found" in shown.out and "sensitivity: CUI (1), Public (1)" in shown.out
    response = api.get("/datasets/search", params={"q": "print"}, headers=auth(cast.tokens["brit"]))
    assert response.status_code == 200 and response.json()["total"] == 1
    assert secret.dataset_id not in response.text
    assert api.get("/datasets/search", params={"limit": 0}, headers=auth(cast.tokens["brit"])).status_code == 422
    assert cli("dataset", "search", "--limit", "0", *brit).code == 2
