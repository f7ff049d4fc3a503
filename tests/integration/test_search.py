"""Search on both engines: relevance, filters, facets, and nothing the policy hides, in results or in counts."""

from __future__ import annotations

import pytest

from genesis_platform.catalog import SearchQuery
from genesis_platform.catalog.datacard import load_card, markings_from_card
from genesis_platform.catalog.samples import liang_2021
from genesis_platform.kernel import InvalidInput
from genesis_platform.kernel.assets.markings import parse_markings
from genesis_platform.kernel.audit.log import AuditQuery


@pytest.fixture
def catalogue(platform, cast, tmp_path):
    """The five Liang datasets (public, with cards) and two controlled ones holding a secret word."""
    ids = {}
    for sample in liang_2021():
        card, body = load_card(sample.card.read_text())
        v = platform.datasets.register(
            cast["rivera"],
            sample.data,
            name=card.discoverability.identification.name,
            project="p1",
            markings=markings_from_card(card),
        )
        platform.datasets.attach_card(cast["rivera"], v.dataset_id, card, body)
        ids[sample.data.stem] = v.dataset_id
    hidden = tmp_path / "zirconium_cladding.csv"
    hidden.write_text("zirconium,burnup\n1,2\n")
    ids["noforn"] = platform.datasets.register(
        cast["rivera"],
        hidden,
        name="Zirconium cladding burnup",
        description="quixotic zirconium results",
        project="p1",
        markings=parse_markings("CUI//SP-EXPT//NOFORN"),
    ).dataset_id
    ids["pii"] = platform.datasets.register(
        cast["rivera"],
        hidden,
        name="Zirconium survey respondents",
        description="quixotic survey",
        project="p1",
        markings=parse_markings("UNCLASSIFIED", pii=True),
    ).dataset_id
    return ids


def test_relevance_and_stemming(platform, cast, catalogue):
    found = platform.search.search(cast["rivera"], SearchQuery("toughness"))
    assert found.hits[0].asset.id == catalogue["Crossed_barrel_dataset"]
    stemmed = platform.search.search(cast["rivera"], SearchQuery("printing quality"))
    assert stemmed.hits and stemmed.hits[0].asset.id == catalogue["AutoAM_dataset"]
    assert (
        platform.search.search(cast["rivera"], SearchQuery("nanoparticles microfluidic")).hits[0].asset.id
        == catalogue["AgNP_dataset"]
    )
    columns = platform.search.search(cast["rivera"], SearchQuery("FAPbI"))  # a column name
    assert [h.asset.id for h in columns.hits] == [catalogue["Perovskite_dataset"]]


def test_hidden_datasets_are_absent_from_results_counts_and_facets(platform, cast, catalogue):
    insider = platform.search.search(cast["rivera"], SearchQuery("quixotic"))
    assert {h.asset.id for h in insider.hits} == {catalogue["noforn"], catalogue["pii"]} and insider.total == 2
    assert insider.facets["sensitivity"] == {"CUI": 1, "Unclassified_Uncontrolled": 1}
    outsider = platform.search.search(cast["brit"], SearchQuery("quixotic"))
    assert [h.asset.id for h in outsider.hits] == [catalogue["pii"]] and outsider.total == 1
    assert outsider.facets["sensitivity"] == {"Unclassified_Uncontrolled": 1}
    everything = platform.search.search(cast["brit"], SearchQuery(limit=500))
    assert catalogue["noforn"] not in {h.asset.id for h in everything.hits} and everything.total == 6
    assert sum(everything.facets["sensitivity"].values()) == 6 and "CUI" not in everything.facets["sensitivity"]
    assert sum(everything.facets["organisation"].values()) == 6


def test_filters_and_facets(platform, cast, catalogue):
    allof = platform.search.search(cast["rivera"], SearchQuery(limit=500))
    assert allof.total == 7
    assert allof.facets["format"] == {"csv": 7}
    assert allof.facets["domain"] == {
        "Engineering": 2,
        "Energy Storage, Conversion, and Utilization": 1,
        "Chemistry": 1,
        "Materials": 1,
    }
    engineering = platform.search.search(cast["rivera"], SearchQuery(domain="Engineering"))
    assert {h.asset.id for h in engineering.hits} == {catalogue["Crossed_barrel_dataset"], catalogue["AutoAM_dataset"]}
    assert platform.search.search(cast["rivera"], SearchQuery(sensitivity="CUI")).total == 1
    assert platform.search.search(cast["rivera"], SearchQuery(organisation="Oak Ridge National Laboratory")).total == 7
    assert platform.search.search(cast["rivera"], SearchQuery(organisation="Acme Materials Inc.")).total == 0
    assert platform.search.search(cast["rivera"], SearchQuery(format="parquet")).total == 0
    page = platform.search.search(cast["rivera"], SearchQuery(limit=3, offset=3))
    assert len(page.hits) == 3 and page.total == 7


def test_has_access_keeps_only_what_the_caller_may_download(platform, cast, catalogue):
    untrained = platform.search.search(cast["german"], SearchQuery("quixotic", has_access=True))
    assert untrained.total == 0 and untrained.hits == []  # PII without PII training
    plain = platform.search.search(cast["german"], SearchQuery("quixotic"))
    assert plain.total == 1
    public = platform.search.search(cast["partner"], SearchQuery(has_access=True, limit=500))
    assert public.total == 5 and public.facets["sensitivity"] == {"Public": 5}


def test_every_search_is_recorded_with_its_decisions(platform, cast, catalogue):
    platform.search.search(cast["brit"], SearchQuery("quixotic", domain="Chemistry"))
    record = platform.audit.records(cast.admin, AuditQuery(actor="brit", action="search"))[-1]
    details = record.event.details
    assert details["query"] == {"text": "quixotic", "domain": "Chemistry", "limit": 20}
    assert details["results"] == 0 and details["decided"] == "discover"
    assert len(details["denied"]) == 1 and len(details["allowed"]) == 2


def test_bad_queries_are_refused(platform, cast, catalogue):
    with pytest.raises(InvalidInput):
        platform.search.search(cast["rivera"], SearchQuery(limit=0))
    odd = platform.search.search(cast["rivera"], SearchQuery('"unbalanced AND (quotes OR* NEAR/'))
    assert odd.total == 0  # query syntax is never passed through to the engine


def test_remarking_an_asset_changes_what_search_shows_at_once(platform, cast, catalogue):
    """The search tables' copies of discovery key and sensitivity follow the asset (trigger), both ways."""

    def seen(who, words, **filters):
        found = platform.search.search(cast[who], SearchQuery(words, **filters))
        return found.total, found.facets["sensitivity"], {h.asset.id for h in found.hits}

    crossed = catalogue["Crossed_barrel_dataset"]
    assert seen("brit", "toughness")[0] == 1
    platform.assets.mark(cast["officer"], crossed, parse_markings("CUI//SP-EXPT//NOFORN"), "export review")
    for words, filters in (("toughness", {}), ("", {}), ("", {"format": "csv"}), ("", {"sensitivity": "CUI"})):
        _, sensitivity, ids = seen("brit", words, **filters)
        assert crossed not in ids and "CUI" not in sensitivity, (words, filters)
    assert seen("brit", "")[0] == 5
    assert seen("rivera", "toughness")[1] == {"CUI": 1}  # the insider sees it, counted under its new marking
    platform.assets.mark(cast["officer"], catalogue["noforn"], parse_markings("PUBLIC"), "released")
    assert seen("brit", "quixotic")[0] == 2
    assert seen("brit", "", sensitivity="Public")[2] >= {catalogue["noforn"]}


def test_a_stale_index_is_rebuilt_from_the_catalogue_on_open(platform, cast, catalogue, home):
    from sqlalchemy import update

    from genesis_platform.bootstrap import Platform
    from genesis_platform.catalog.tables import search_index_state
    from genesis_platform.kernel import Settings

    before = platform.search.search(cast["rivera"], SearchQuery("", limit=500))
    with platform.engine.begin() as conn:  # as after a migration that changed the index's shape
        conn.execute(update(search_index_state).values(version=1))
    reopened = Platform.open(Settings(home=home))  # the home remembers which database it uses
    try:
        after = reopened.search.search(cast["rivera"], SearchQuery("", limit=500))
        assert after.total == before.total == 7 and after.facets == before.facets
        assert {h.asset.id for h in after.hits} == {h.asset.id for h in before.hits}
        assert reopened.search.search(cast["brit"], SearchQuery("quixotic")).total == 1
        records = reopened.audit.records(cast.admin, AuditQuery(action="search.reindex"))
        assert [r.event.details["documents"] for r in records] == [7]
    finally:
        reopened.close()


def test_semantic_search_finds_by_meaning_and_hides_the_same(platform, cast, catalogue):
    if not platform.search.semantic_available:
        pytest.skip("the semantic extra is not installed")
    found = platform.search.search(cast["rivera"], SearchQuery("degradation of solar absorber layers", semantic=True))
    assert found.hits[0].asset.id == catalogue["Perovskite_dataset"]  # no word of the query is in its title
    assert all(a.score >= b.score for a, b in zip(found.hits, found.hits[1:], strict=False))
    insider = platform.search.search(cast["rivera"], SearchQuery("zirconium fuel cladding", semantic=True))
    assert insider.hits[0].asset.id in {catalogue["noforn"], catalogue["pii"]}
    outsider = platform.search.search(cast["brit"], SearchQuery("zirconium fuel cladding", semantic=True))
    assert catalogue["noforn"] not in {h.asset.id for h in outsider.hits}
    assert outsider.total == insider.total - 1 and "CUI" not in outsider.facets["sensitivity"]
    filtered = platform.search.search(
        cast["rivera"], SearchQuery("thin film stability", sensitivity="Public", semantic=True)
    )
    assert filtered.hits and all(h.asset.markings.sensitivity.value == "Public" for h in filtered.hits)


def test_semantic_search_embeds_each_document_once(platform, cast, catalogue):
    from sqlalchemy import func, select

    from genesis_platform.catalog.tables import search_vectors

    if not platform.search.semantic_available:
        pytest.skip("the semantic extra is not installed")

    def count():
        with platform.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(search_vectors)).scalar()

    assert count() == 0  # registering never waits for the model
    platform.search.search(cast["brit"], SearchQuery("printing", semantic=True))
    assert count() == 7  # every document, embedded once, on first use (nothing of them is shown)
    platform.search.search(cast["rivera"], SearchQuery("printing", semantic=True))
    assert count() == 7
    embeds = platform.audit.records(cast.admin, AuditQuery(action="search.embed"))
    assert [r.event.details["documents"] for r in embeds] == [7]


def test_without_the_model_full_text_still_works_and_semantic_says_what_to_install(platform, cast, catalogue):
    from genesis_platform.catalog import SearchService

    plain = SearchService(platform.uow, platform.guard, embedder=None)
    assert plain.search(cast["rivera"], SearchQuery("toughness")).total == 1
    with pytest.raises(InvalidInput, match=r"genesis-platform\[semantic\]"):
        plain.search(cast["rivera"], SearchQuery("toughness", semantic=True))
    with pytest.raises(InvalidInput, match="give some words"):
        platform.search.search(cast["rivera"], SearchQuery("", semantic=True))


def test_both_engines_read_queries_and_filters_the_same_way(platform, cast, catalogue):
    rivera = cast["rivera"]
    assert platform.search.search(rivera, SearchQuery("toughness or quixotic")).total == 0  # every word required
    assert platform.search.search(rivera, SearchQuery("tough")).total == 1  # word prefixes match on both
    assert platform.search.search(rivera, SearchQuery("", format="csv")).total == 7
    for filters in ({"format": "CSV"}, {"domain": "materials"}, {"domain": "%"}, {"format": "c_v"}, {"domain": '"]'}):
        assert platform.search.search(rivera, SearchQuery("", **filters)).total == 0, filters  # exact values
    with pytest.raises(InvalidInput, match="offset"):
        platform.search.search(rivera, SearchQuery("", offset=2**63))
