"""The demo builds the catalogue it promises: real datasets with complete cards, a NOFORN dataset, CHGNet, a
synthetic dataset whose lineage leads to CHGNet, and searches that differ by who asks."""

from __future__ import annotations

import json

import pytest

from genesis_platform.catalog import SearchQuery
from genesis_platform.demo import run_demo


@pytest.mark.slow
def test_demo_registers_the_catalogue_and_shows_two_users_different_results(sqlite_platform):
    p = sqlite_platform
    admin = p.authenticate(p.saved_token(), "internal")
    result = run_demo(p, admin)
    assert result.verification.ok
    by_name = {d.name: d for d in result.datasets}
    liang = [d for d in result.datasets if "Liang et al. 2021" in d.name]
    assert len(liang) == 5 and all(d.completeness == 1.0 and d.rows > 0 for d in liang)
    assert by_name["Breeding-blanket neutronics benchmarks"].marking == "CUI//SP-EXPT//NOFORN"
    synthetic = next(d for d in result.datasets if d.name.startswith("Synthetic"))
    assert synthetic.rows == 9 and synthetic.completeness is not None
    card = p.datasets.card(admin, synthetic.id).card
    assert "synthetic" in card.discoverability.dataset_description.keywords
    assert "CHGNet" in card.interoperability.provenance.was_generated_by
    assert [h.asset.id for h in p.search.search(admin, SearchQuery("synthetic chgnet")).hits] == [synthetic.id]

    searches = {(s.user, s.query): s for s in result.searches}
    assert searches[("rivera", "")].total == searches[("patel", "")].total + 1
    assert searches[("rivera", "neutronics tritium")].names == ["Breeding-blanket neutronics benchmarks"]
    assert searches[("patel", "neutronics tritium")].total == 0

    assert result.prediction is not None and result.prediction.formula == "NaCl"
    doc = json.loads(p.provenance.export(admin, synthetic.id))
    derived = {d["prov:usedEntity"] for d in doc["wasDerivedFrom"].values()}
    assert f"genesis:model-version/{result.model_id}@v1" in derived
    inferences = [a for a in doc["activity"].values() if a["prov:type"] == "genesis:Inference"]
    assert len(inferences) >= 9  # every point of the synthetic set is a recorded inference

    campaign = result.campaign
    assert campaign is not None and campaign.trials == 200 and campaign.pool == 600 and campaign.top == 30
    # Bayesian optimisation finds the toughest designs far faster than random sampling (which finds 10 in 200).
    assert campaign.found >= 20
    assert campaign.needed is None or campaign.needed * 2 < campaign.random
    trials = p.campaigns.trials(admin, campaign.id)
    assert campaign.best == max(t.values["toughness"] for t in trials)
