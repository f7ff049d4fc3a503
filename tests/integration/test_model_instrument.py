"""A campaign that searches materials space with CHGNet through the platform's own model service."""

import pytest

from genesis_platform.discovery import CampaignSpec, CampaignStatus, TrialStatus, load_space
from genesis_platform.kernel import AccessDenied, InvalidInput, NotFound
from genesis_platform.kernel.audit.log import AuditQuery


@pytest.mark.slow
def test_chgnet_finds_the_equilibrium_lattice_of_rock_salt(sqlite_platform, sqlite_cast):
    p, rivera = sqlite_platform, sqlite_cast["rivera"]
    model = p.models.register_bundled(rivera)
    instrument, _ = p.instruments.register(
        rivera,
        "CHGNet on NaCl variants",
        {"type": "model", "model": model.model_id, "prototype": "NaCl_rocksalt.cif", "substitute": "Na"},
    )
    space = load_space(
        {
            "parameters": [
                {"kind": "continuous", "name": "scale", "low": 0.9, "high": 1.1},
                {"kind": "categorical", "name": "element", "options": ["Li", "Na", "K"]},
            ],
            "objectives": [{"name": "energy_per_atom", "direction": "minimize"}],
        }
    )
    spec = CampaignSpec(
        name="rock salts",
        space=space,
        instrument=instrument.id,
        workers=2,
        planner_settings={"restarts": 2, "raw_samples": 64, "mc_samples": 32},
        stopping={"max_trials": 10},
    )
    typo = load_space(  # a misspelt parameter would run every trial at the default scale: refused at create
        {
            "parameters": [{"kind": "continuous", "name": "scael", "low": 0.9, "high": 1.1}],
            "objectives": [{"name": "energy_per_atom", "direction": "minimize"}],
        }
    )
    with pytest.raises(InvalidInput, match="takes element, scale; it does not know scael"):
        p.campaigns.create(rivera, CampaignSpec(name="typo", space=typo, instrument=instrument.id))
    campaign = p.campaigns.create(rivera, spec)
    done = p.campaigns.run(rivera, campaign.id)
    assert done.status is CampaignStatus.FINISHED
    trials = p.campaigns.trials(rivera, campaign.id)
    assert all(t.status is TrialStatus.COMPLETED for t in trials)
    assert all(set(t.values) == {"energy_per_atom", "max_force", "pressure"} for t in trials)
    # every trial's inference went through the model service: decided, audited, in provenance
    infers = p.audit.records(sqlite_cast.admin, AuditQuery(action="model.infer", limit=1000))
    assert len(infers) == 10
    # the best of the campaign is no worse than every measured point (a sanity check on the loop)
    report = p.campaigns.status(rivera, campaign.id)
    assert report.best == min(t.values["energy_per_atom"] for t in trials)


def test_a_model_instrument_needs_a_model_the_caller_may_use_and_a_known_prototype(sqlite_platform, sqlite_cast):
    p, rivera = sqlite_platform, sqlite_cast["rivera"]
    with pytest.raises(InvalidInput, match="no prototype structure"):
        p.instruments.register(rivera, "x", {"type": "model", "model": "mdl-x", "prototype": "nope.cif"})
    with pytest.raises(InvalidInput, match="has no Xe to substitute"):
        p.instruments.register(
            rivera, "x", {"type": "model", "model": "mdl-x", "prototype": "NaCl_rocksalt.cif", "substitute": "Xe"}
        )
    with pytest.raises((NotFound, AccessDenied)):
        p.instruments.register(rivera, "x", {"type": "model", "model": "mdl-missing", "prototype": "NaCl_rocksalt.cif"})
