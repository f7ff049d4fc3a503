"""Every marking by every catalogue path: a dataset and a foundation model under each marking stay hidden from
the user the marking excludes in search results, counts and facets, list, show, download, export and predict,
through the service, the REST API and the CLI; the user it admits gets each of them; every denial is audited."""

from __future__ import annotations

import json

import pytest

from genesis_platform.catalog import SearchQuery
from genesis_platform.kernel import AccessDenied, NotFound
from genesis_platform.kernel.assets.markings import parse_markings
from genesis_platform.kernel.audit.log import AuditQuery
from tests.e2e.conftest import auth
from tests.e2e.test_paths import MARKINGS
from tests.integration.test_models import structure_file

WORD = "zirconium"  # in the dataset's name only, so a search for it finds exactly the matrix dataset


def _markings(cast, banner, extra):
    if "dissemination_list" in extra:
        extra = {"dissemination_list": [cast[u[1:]].user.id for u in extra["dissemination_list"]]}
    return parse_markings(banner, **extra)


def _no_hits(found_total, facets):
    assert found_total == 0
    assert all(not counts for counts in facets.values()), facets


@pytest.mark.slow
@pytest.mark.parametrize(("marking", "spec", "hidden_from", "shown_to"), MARKINGS, ids=[m[0] for m in MARKINGS])
def test_catalogue_hides_dataset_and_model_on_every_path(
    platform, cast, api, cli, home, tmp_path, marking, spec, hidden_from, shown_to
):
    markings = _markings(cast, *spec)
    owner, denied, allowed = cast[shown_to], cast[hidden_from], cast[shown_to]
    src = tmp_path / "matrix.csv"
    src.write_text("alloy,toughness\nA,1.5\nB,2.5\n", encoding="utf-8")
    dataset = platform.datasets.register(owner, src, name=f"{WORD} matrix", project="p1", markings=markings)
    model = platform.models.register_bundled(owner, project="p1", markings=markings)
    did, mid = dataset.dataset_id, model.model_id
    cif = structure_file("NaCl_rocksalt.cif")
    usable = marking != "DISPLAY ONLY"  # DISPLAY ONLY: the admitted user may see the assets, not use them

    # ── service ──
    found = platform.search.search(denied, SearchQuery(WORD))
    _no_hits(found.total, found.facets)
    everything = platform.search.search(denied, SearchQuery(""))
    assert did not in {h.asset.id for h in everything.hits}
    assert sum(everything.facets["sensitivity"].values()) == everything.total  # counts only what is shown
    assert did not in {a.id for a, _ in platform.datasets.list(denied)}
    assert mid not in {a.id for a, _ in platform.models.list(denied)}
    for attempt in (
        lambda: platform.datasets.get(denied, did),
        lambda: platform.datasets.download(denied, did, tmp_path / "denied"),
        lambda: platform.datasets.export(denied, did, "datacite"),
        lambda: platform.models.get(denied, mid),
        lambda: platform.models.predict(denied, mid, cif.read_bytes(), cif.name),
        lambda: platform.models.predict(denied, "CHGNet", cif.read_bytes(), cif.name),  # by name, too
    ):
        with pytest.raises(NotFound):
            attempt()
    # hidden answers in the very words of absent ones: no message tells a hidden model from nothing at all
    absent = "mdl-000000000000"
    for ref in (mid, did):
        with pytest.raises(NotFound) as hidden:
            platform.models.get(denied, ref)
        with pytest.raises(NotFound) as nothing:
            platform.models.get(denied, absent)
        assert hidden.value.message.replace(ref, absent) == nothing.value.message
    assert not (tmp_path / "denied").exists() or not any((tmp_path / "denied").iterdir())

    shown = platform.search.search(allowed, SearchQuery(WORD))
    assert shown.total == 1 and shown.hits[0].asset.id == did
    assert shown.facets["format"] == {"csv": 1}
    assert platform.datasets.get(allowed, did)[0].id == did
    assert platform.models.get(allowed, mid)[0].id == mid
    if usable:
        assert platform.models.predict(allowed, mid, cif.read_bytes(), cif.name).formula == "NaCl"
        platform.datasets.download(allowed, did, tmp_path / "allowed")
        assert (tmp_path / "allowed" / "matrix.csv").read_bytes() == src.read_bytes()
    else:
        with pytest.raises(AccessDenied, match="DISPLAY ONLY"):
            platform.models.predict(allowed, mid, cif.read_bytes(), cif.name)
        with pytest.raises(AccessDenied, match="DISPLAY ONLY"):
            platform.datasets.download(allowed, did, tmp_path / "allowed")

    # ── REST API ──
    d, a = auth(cast.tokens[hidden_from]), auth(cast.tokens[shown_to])
    body = api.get("/datasets/search", params={"q": WORD}, headers=d).json()
    _no_hits(body["total"], body["facets"])
    assert did not in {x["asset"]["id"] for x in api.get("/datasets", headers=d).json()}
    assert mid not in {x["asset"]["id"] for x in api.get("/models", headers=d).json()}
    for path in (
        f"/datasets/{did}",
        f"/datasets/{did}/versions/1/files/matrix.csv",
        f"/datasets/{did}/versions/1/manifest",
        f"/datasets/{did}/export/dcat",
        f"/models/{mid}",
    ):
        assert api.get(path, headers=d).status_code == 404, path
    files = {"structure": (cif.name, cif.read_bytes())}
    denied_predict = api.post(f"/models/{mid}/predict", headers=d, files=files)
    assert denied_predict.status_code == 404
    absent_predict = api.post("/models/mdl-000000000000/predict", headers=d, files=files)
    assert denied_predict.json()["detail"].replace(mid, "mdl-000000000000") == absent_predict.json()["detail"]
    assert denied_predict.headers["content-type"].startswith("application/problem+json")
    assert api.get("/datasets/search", params={"q": WORD}, headers=a).json()["total"] == 1
    assert api.get(f"/models/{mid}", headers=a).status_code == 200
    got = api.get(f"/datasets/{did}/versions/1/files/matrix.csv", headers=a)
    predicted = api.post(f"/models/{mid}/predict", headers=a, files=files)
    if usable:
        assert got.content == src.read_bytes()
        assert predicted.json()["formula"] == "NaCl"
    else:
        assert (got.status_code, predicted.status_code) == (403, 403)

    # ── CLI ──
    h = ["--home", str(home)]
    dt, at = ["--token", cast.tokens[hidden_from]], ["--token", cast.tokens[shown_to]]
    out = json.loads(cli("dataset", "search", WORD, "--json", *dt, *h).out)
    _no_hits(out["total"], out["facets"])
    assert did not in {x["id"] for x in json.loads(cli("dataset", "list", "--json", *dt, *h).out)}
    assert mid not in {x["id"] for x in json.loads(cli("model", "list", "--json", *dt, *h).out)}
    for argv in (
        ("dataset", "show", did),
        ("dataset", "download", did, "--to", str(tmp_path / "cli-denied")),
        ("dataset", "export", did, "--format", "croissant"),
        ("model", "show", mid),
        ("model", "predict", mid, "--structure", str(cif)),
    ):
        result = cli(*argv, *dt, *h)
        assert result.code == 4, (argv, result)
        assert "Traceback" not in result.err
    assert json.loads(cli("dataset", "search", WORD, "--json", *at, *h).out)["total"] == 1
    assert cli("model", "show", mid, *at, *h).code == 0
    assert cli("model", "predict", mid, "--structure", str(cif), *at, *h).code == (0 if usable else 3)

    # every denial, on every path and channel, is in the audit log and names the marking that denied it
    for resource in (f'Asset::"{did}"', f'Asset::"{mid}"'):
        denials = platform.audit.records(
            cast.admin, AuditQuery(actor=hidden_from, resource=resource, outcome="deny", limit=1000)
        )
        assert {r.event.channel for r in denials} == {"internal", "api", "cli"}, resource
        assert all(r.event.details["policies"] for r in denials)
    searches = platform.audit.records(cast.admin, AuditQuery(actor=hidden_from, action="search", limit=1000))
    mine = [r.event.details for r in searches if r.event.details.get("query", {}).get("text") == WORD]
    assert {r.event.channel for r in searches} >= {"internal", "api", "cli"}
    assert mine and all(d["results"] == 0 for d in mine)
