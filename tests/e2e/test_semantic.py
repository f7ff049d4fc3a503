"""Semantic search through the CLI and the REST API, with the same hiding as full text."""

from __future__ import annotations

import json

import pytest

from genesis_platform.kernel.assets.markings import parse_markings
from tests.e2e.conftest import auth


@pytest.mark.slow
def test_semantic_search_on_both_front_doors(platform, cast, cli, api, home, tmp_path):
    if not platform.search.semantic_available:
        pytest.skip("the semantic extra is not installed")
    data = tmp_path / "films.csv"
    data.write_text("sample,hours_to_failure\nA,120\n", encoding="utf-8")
    public = platform.datasets.register(
        cast["rivera"], data, name="Perovskite film stability", markings=parse_markings("PUBLIC")
    )
    hidden = platform.datasets.register(
        cast["rivera"], data, name="Perovskite absorber export study", markings=parse_markings("CUI//SP-EXPT//NOFORN")
    )
    words = "degradation of solar absorber layers"
    h = ["--home", str(home)]
    mine = json.loads(cli("dataset", "search", words, "--semantic", "--json", "--token", cast.tokens["rivera"], *h).out)
    assert {x["id"] for x in mine["hits"]} == {public.dataset_id, hidden.dataset_id}
    theirs = api.get("/datasets/search", params={"q": words, "semantic": True}, headers=auth(cast.tokens["brit"]))
    assert theirs.status_code == 200
    assert [x["asset"]["id"] for x in theirs.json()["hits"]] == [public.dataset_id]
    assert theirs.json()["total"] == 1 and "CUI" not in theirs.json()["facets"]["sensitivity"]
    empty = api.get("/datasets/search", params={"q": "", "semantic": True}, headers=auth(cast.tokens["brit"]))
    assert empty.status_code == 422 and empty.headers["content-type"].startswith("application/problem+json")
