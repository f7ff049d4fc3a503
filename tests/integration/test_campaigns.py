import pytest

from genesis_platform.discovery import CampaignSpec, CampaignStatus, TrialStatus, load_space
from genesis_platform.discovery.instruments import Hartmann6
from genesis_platform.kernel import AccessDenied, InvalidInput, NotFound
from genesis_platform.kernel.assets.markings import parse_markings
from genesis_platform.kernel.audit.log import AuditQuery

FAST = {"restarts": 2, "raw_samples": 64, "mc_samples": 32}


def _spec(instrument: str, **extra) -> CampaignSpec:
    fields = {
        "name": "hartmann",
        "space": Hartmann6().space(),
        "instrument": instrument,
        "planner_settings": FAST,
        "stopping": {"max_trials": 8},
        "seed": 3,
    }
    fields.update(extra)
    return CampaignSpec.model_validate(fields)


@pytest.fixture
def hartmann(platform, cast):
    asset, _ = platform.instruments.register(
        cast["rivera"], "hartmann6", {"type": "simulator", "simulator": "hartmann6"}, project="p1"
    )
    return asset.id


def test_a_campaign_runs_to_its_budget_and_records_every_trial(platform, cast, hartmann):
    rivera = cast["rivera"]
    campaign = platform.campaigns.create(rivera, _spec(hartmann, workers=2))
    done = platform.campaigns.run(rivera, campaign.id)
    assert done.status is CampaignStatus.FINISHED and "budget of 8" in done.stop_reason
    trials = platform.campaigns.trials(rivera, campaign.id)
    assert [t.number for t in trials] == list(range(1, 9))
    assert all(t.status is TrialStatus.COMPLETED and "f" in t.values for t in trials)
    assert {t.planner for t in trials} == {"botorch@4"} and {t.instrument for t in trials} == {f"{hartmann}@1"}
    truth = Hartmann6()
    assert all(t.values["f"] == pytest.approx(truth.execute(t.point).values["f"]) for t in trials)
    report = platform.campaigns.status(rivera, campaign.id)
    assert report.best == min(t.values["f"] for t in trials)
    # every trial is a governed compute job: decided, audited and in provenance
    submits = platform.audit.records(
        cast.admin, AuditQuery(action="compute.submit", resource=f'Asset::"{campaign.id}"')
    )
    assert len(submits) == 8
    assert all(t.activity for t in trials)


def test_a_stopped_campaign_resumes_and_ends_with_the_same_trials_as_an_uninterrupted_one(platform, cast, hartmann):
    rivera = cast["rivera"]
    spec = _spec(hartmann, mode="batch", workers=2)
    whole = platform.campaigns.create(rivera, spec)
    platform.campaigns.run(rivera, whole.id)
    parts = platform.campaigns.create(rivera, spec)
    left = platform.campaigns.run(rivera, parts.id, max_new_trials=4)
    assert left.status is CampaignStatus.RUNNING  # as a crashed campaign would be
    platform.campaigns.run(rivera, parts.id)
    a = platform.campaigns.trials(rivera, whole.id)
    b = platform.campaigns.trials(rivera, parts.id)
    assert [t.point for t in a] == [t.point for t in b]


def test_a_trial_keeps_the_noise_its_instrument_reports_and_the_planner_learns_it(platform, cast):
    rivera = cast["rivera"]
    noisy, _ = platform.instruments.register(
        rivera, "noisy h6", {"type": "simulator", "simulator": "hartmann6", "noise": 0.05}
    )
    campaign = platform.campaigns.create(rivera, _spec(noisy.id, planner="sobol", planner_settings={}))
    platform.campaigns.run(rivera, campaign.id)
    trials = platform.campaigns.trials(rivera, campaign.id)
    assert len(trials) == 8 and all(t.noise == {"f": 0.05} for t in trials)  # stored and read back
    state = platform.campaigns.status(rivera, campaign.id).campaign.planner_state
    assert [o["noise"] for o in state["observations"]] == [{"f": 0.05}] * 8


def test_trials_that_break_an_outcome_constraint_are_not_results(platform, cast):
    rivera = cast["rivera"]
    snar, _ = platform.instruments.register(rivera, "snar", {"type": "simulator", "simulator": "snar"})
    space = load_space(
        {
            "parameters": [
                {"kind": "continuous", "name": "residence_time", "low": 0.5, "high": 2},
                {"kind": "continuous", "name": "equivalents", "low": 1, "high": 5},
                {"kind": "continuous", "name": "concentration", "low": 0.1, "high": 0.5},
                {"kind": "continuous", "name": "temperature", "low": 30, "high": 120},
            ],
            "objectives": [{"name": "sty"}],
            "outcome_constraints": [{"name": "e_factor", "op": "<=", "bound": 0.0}],  # no real reactor makes no waste
        }
    )
    spec = _spec(snar.id, space=space, planner="random", planner_settings={}, stopping={"max_trials": 3})
    campaign = platform.campaigns.create(rivera, spec)
    platform.campaigns.run(rivera, campaign.id)
    assert all(t.status is TrialStatus.COMPLETED for t in platform.campaigns.trials(rivera, campaign.id))
    assert platform.campaigns.status(rivera, campaign.id).best is None
    data, page = platform.campaigns.report(rivera, campaign.id)
    assert data["best"] is None and data["infeasible"] == 3 and "3 completed trials broke" in page
    with pytest.raises(InvalidInput, match="no completed trial that meets its outcome constraints"):
        platform.campaigns.register_best(rivera, campaign.id)


def test_the_target_rule_stops_a_campaign_early(platform, cast, hartmann):
    rivera = cast["rivera"]
    campaign = platform.campaigns.create(rivera, _spec(hartmann, stopping={"max_trials": 20, "target": 0.0}))
    done = platform.campaigns.run(rivera, campaign.id)
    assert done.status is CampaignStatus.FINISHED and "target f <= 0" in done.stop_reason
    assert len(platform.campaigns.trials(rivera, campaign.id)) < 20


def test_a_campaign_needs_an_instrument_that_measures_its_objectives(platform, cast, hartmann):
    space = load_space(
        {"parameters": [{"kind": "continuous", "name": "x1", "low": 0, "high": 1}], "objectives": [{"name": "yield"}]}
    )
    with pytest.raises(InvalidInput, match="does not measure yield"):
        platform.campaigns.create(cast["rivera"], _spec(hartmann, space=space))
    with pytest.raises(InvalidInput, match="unknown planner"):
        platform.campaigns.create(cast["rivera"], _spec(hartmann, planner="magic"))


def test_a_user_who_may_not_run_the_instrument_cannot_create_or_run_campaigns_on_it(platform, cast, hartmann):
    secret, _ = platform.instruments.register(
        cast["rivera"],
        "noforn sim",
        {"type": "simulator", "simulator": "hartmann6"},
        markings=parse_markings("CUI//NOFORN"),
    )
    with pytest.raises((NotFound, AccessDenied)):
        platform.campaigns.create(cast["brit"], _spec(secret.id))
    campaign = platform.campaigns.create(cast["rivera"], _spec(hartmann))
    with pytest.raises((NotFound, AccessDenied)):
        platform.campaigns.run(cast["brit"], campaign.id)
    assert platform.campaigns.trials(cast["rivera"], campaign.id) == []


def test_a_user_who_may_read_a_campaigns_description_but_not_its_content_sees_no_results(platform, cast, hartmann):
    """Measurements are a campaign's content: outside its organisation and project, counts only (per path)."""
    rivera, partner = cast["rivera"], cast["partner"]  # partner: vetted, another organisation, not on p1
    campaign = platform.campaigns.create(
        rivera, _spec(hartmann, planner="random", planner_settings={}, stopping={"max_trials": 3})
    )
    platform.campaigns.run(rivera, campaign.id)
    own = platform.campaigns.status(rivera, campaign.id)
    assert own.results_visible and own.best is not None and own.best_point is not None

    seen = platform.campaigns.status(partner, campaign.id)
    assert seen.counts == own.counts  # the description and progress stay discoverable
    assert not seen.results_visible and seen.best is None and seen.best_point is None
    assert own.campaign.planner_state and seen.campaign.planner_state is None  # it holds every observation
    listed = {r.campaign.id: r for r in platform.campaigns.list(partner)}
    assert not listed[campaign.id].results_visible and listed[campaign.id].best is None
    for read in (
        lambda: platform.campaigns.trials(partner, campaign.id),
        lambda: platform.campaigns.report(partner, campaign.id),
        lambda: platform.campaigns.register_best(partner, campaign.id),
    ):
        with pytest.raises(AccessDenied):
            read()
    denials = platform.audit.records(
        cast.admin, AuditQuery(actor="partner", action="download", outcome="deny", resource=f'Asset::"{campaign.id}"')
    )
    assert len(denials) == 5  # status, list, trials, report, register-best: each decided and recorded


def test_unknown_simulators_and_bad_configs_are_refused(platform, cast):
    with pytest.raises(InvalidInput, match="unknown simulator"):
        platform.instruments.register(cast["rivera"], "x", {"type": "simulator", "simulator": "nope"})
    with pytest.raises(InvalidInput, match="needs dataset, file"):
        platform.instruments.register(cast["rivera"], "x", {"type": "dataset"})
    assert platform.instruments.list(cast["rivera"]) == []


def test_a_finished_campaign_cannot_be_run_again_but_a_stopped_one_can(platform, cast, hartmann):
    rivera = cast["rivera"]
    campaign = platform.campaigns.create(rivera, _spec(hartmann, stopping={"max_trials": 3}))
    platform.campaigns.stop(rivera, campaign.id, "lunch")
    assert platform.campaigns.run(rivera, campaign.id).status is CampaignStatus.FINISHED
    from genesis_platform.kernel import Conflict

    with pytest.raises(Conflict, match="has finished"):
        platform.campaigns.run(rivera, campaign.id)


def test_the_report_plots_best_so_far_against_random_and_summarises(platform, cast, hartmann):
    rivera = cast["rivera"]
    campaign = platform.campaigns.create(rivera, _spec(hartmann))
    platform.campaigns.run(rivera, campaign.id)
    data, page = platform.campaigns.report(rivera, campaign.id)
    trials = platform.campaigns.trials(rivera, campaign.id)
    assert data["trials"] == 8 and data["best"] == min(t.values["f"] for t in trials)
    assert data["best_so_far"][-1] == data["best"] and len(data["random_expectation"]) == 8
    assert all(a >= b for a, b in zip(data["best_so_far"][:-1], data["best_so_far"][1:], strict=True))  # minimising
    assert page.count("data:image/png;base64,") == 2 and "Best so far" in page


def test_a_pareto_front_is_reported_for_two_objectives(platform, cast):
    from genesis_platform.discovery.instruments import SnarReactor

    rivera = cast["rivera"]
    snar, _ = platform.instruments.register(rivera, "snar", {"type": "simulator", "simulator": "snar"})
    spec = _spec(
        snar.id, space=SnarReactor().space(), planner="sobol", planner_settings={}, stopping={"max_trials": 12}
    )
    campaign = platform.campaigns.create(rivera, spec)
    platform.campaigns.run(rivera, campaign.id)
    data, page = platform.campaigns.report(rivera, campaign.id)
    front = data["pareto"]
    assert front and page.count("data:image/png;base64,") == 3
    for a in front:  # no point on the front is beaten on both objectives by another trial
        for t in platform.campaigns.trials(rivera, campaign.id):
            assert not (t.values["sty"] > a["values"]["sty"] and t.values["e_factor"] < a["values"]["e_factor"])


def test_the_best_trials_become_a_dataset_derived_from_the_campaign(platform, cast, hartmann):
    rivera = cast["rivera"]
    campaign = platform.campaigns.create(rivera, _spec(hartmann), markings=parse_markings("CUI//SP-EXPT"))
    with pytest.raises(InvalidInput, match="no completed trial"):
        platform.campaigns.register_best(rivera, campaign.id)
    platform.campaigns.run(rivera, campaign.id)
    dataset_id, version = platform.campaigns.register_best(rivera, campaign.id, count=3)
    assert version == 1
    asset, versions = platform.datasets.get(rivera, dataset_id)
    assert asset.markings.banner == "CUI//SP-EXPT" and versions[0].structures[0].rows == 3
    best = sorted(t.values["f"] for t in platform.campaigns.trials(rivera, campaign.id))[:3]
    _, chunks = platform.datasets.open_file(rivera, dataset_id, None, versions[0].files[0].path)
    lines = b"".join(chunks).decode().splitlines()
    assert lines[0].split(",")[:2] == ["trial", "x1"] and [float(x.split(",")[-1]) for x in lines[1:]] == best
    lineage = platform.provenance.export(rivera, dataset_id)
    assert f"genesis:asset/{campaign.id}" in lineage


def test_the_best_trials_can_become_the_next_version_of_a_dataset(platform, cast, hartmann, tmp_path):
    rivera = cast["rivera"]
    campaign_marks = parse_markings("CUI//SP-PROPIN")
    campaign = platform.campaigns.create(rivera, _spec(hartmann), markings=campaign_marks)
    platform.campaigns.run(rivera, campaign.id)
    first = platform.campaigns.register_best(rivera, campaign.id, count=2)
    again = platform.campaigns.register_best(rivera, campaign.id, count=4, into=first.dataset_id)
    assert again == (first.dataset_id, 2)
    _, versions = platform.datasets.get(rivera, first.dataset_id)
    assert [v.structures[0].rows for v in versions] == [2, 4]
    lineage = platform.provenance.export(rivera, first.dataset_id)
    assert f"genesis:asset/{campaign.id}" in lineage and f"genesis:dataset-version/{versions[0].id}" in lineage
    table = tmp_path / "results.csv"
    table.write_text("x,y\n1,2\n")
    # weaker markings, another project or another shape would let the measurements out or garble the dataset:
    # each refused before anything is stored
    unmarked = platform.datasets.register(rivera, table, name="open results")
    elsewhere = platform.datasets.register(rivera, table, name="p1 results", project="p1", markings=campaign_marks)
    other_shape = platform.datasets.register(rivera, table, name="xy results", markings=campaign_marks)
    for target, why in (
        (unmarked, "marked like the campaign"),
        (elsewhere, "of the campaign's project"),
        (other_shape, "holds columns x, y, not trial, x1"),
    ):
        with pytest.raises(InvalidInput, match=why):
            platform.campaigns.register_best(rivera, campaign.id, into=target.dataset_id)
        assert len(platform.datasets.get(rivera, target.dataset_id)[1]) == 1
    with pytest.raises(InvalidInput, match="not a dataset"):
        platform.campaigns.register_best(rivera, campaign.id, into=campaign.id)
    with pytest.raises(InvalidInput, match="a name is for a new dataset"):
        platform.campaigns.register_best(rivera, campaign.id, name="renamed", into=first.dataset_id)
    # adding a version needs `administer` on the dataset: someone else's is refused, and the refusal recorded
    theirs = platform.datasets.register(
        cast["cleared"], table, name="cleared's results", markings=parse_markings("CUI//SP-PROPIN")
    )
    with pytest.raises((AccessDenied, NotFound)):
        platform.campaigns.register_best(rivera, campaign.id, into=theirs.dataset_id)
    assert len(platform.datasets.get(cast["cleared"], theirs.dataset_id)[1]) == 1
    denied = platform.audit.records(cast.admin, AuditQuery(outcome="deny", resource=f'Asset::"{theirs.dataset_id}"'))
    assert denied and denied[-1].event.actor == rivera.user.id


def test_a_second_runner_is_refused_while_a_live_one_holds_the_campaign(platform, cast, hartmann):
    import os
    import socket
    from datetime import UTC, datetime, timedelta

    from genesis_platform.discovery.store import CampaignStore
    from genesis_platform.kernel import Conflict

    rivera = cast["rivera"]
    campaign = platform.campaigns.create(rivera, _spec(hartmann))
    live = f"{socket.gethostname()}:{os.getpid()}:other"  # this very process: alive
    now = datetime.now(UTC)
    with platform.uow() as uow:
        assert CampaignStore(uow.connection).take_lease(campaign.id, live, now + timedelta(minutes=5), now, None)
    with pytest.raises(Conflict, match="is being run by"):
        platform.campaigns.run(rivera, campaign.id)
    assert platform.campaigns.trials(rivera, campaign.id) == []
    with platform.uow() as uow:  # an expired lease is free again
        store = CampaignStore(uow.connection)
        store.release_lease(campaign.id, live)
        store.take_lease(campaign.id, live, now - timedelta(seconds=1), now - timedelta(seconds=2), None)
    assert platform.campaigns.run(rivera, campaign.id).status is CampaignStatus.FINISHED


def test_a_space_that_does_not_fit_the_simulator_is_refused(platform, cast, hartmann):
    space = load_space(
        {"parameters": [{"kind": "continuous", "name": "x1", "low": 0, "high": 1}], "objectives": [{"name": "f"}]}
    )
    with pytest.raises(InvalidInput, match="simulator hartmann6 takes x1, x2, x3, x4, x5, x6"):
        platform.campaigns.create(cast["rivera"], _spec(hartmann, space=space))


def test_instrument_configs_with_bad_numbers_or_server_paths_are_refused(platform, cast):
    with pytest.raises(InvalidInput, match="bad instrument configuration"):
        platform.instruments.register(
            cast["rivera"], "x", {"type": "simulator", "simulator": "branin", "noise": "lots"}
        )
    with pytest.raises(InvalidInput, match="no prototype structure"):
        platform.instruments.register(
            cast["rivera"], "x", {"type": "model", "model": "mdl-x", "prototype": "../../../../etc/hostname"}
        )
    with pytest.raises(InvalidInput, match="poll"):
        platform.instruments.register(cast["rivera"], "x", {"type": "node", "url": "http://127.0.0.1:9", "poll": 0})


def _tiny(platform, who, tmp_path, dataset_markings=None, **extra):
    # A three-row dataset and an instrument that replays it.
    table = tmp_path / "tiny.csv"
    table.write_text("x,y\n0.1,1\n0.5,3\n0.9,2\n")
    version = platform.datasets.register(who, table, name="tiny", markings=dataset_markings)
    config = {"type": "dataset", "dataset": version.dataset_id, "file": "tiny.csv", "outcomes": ["y"]}
    instrument, _ = platform.instruments.register(who, "tiny", config, **extra)
    return version, instrument


def test_a_dataset_pool_smaller_than_the_budget_is_refused_at_create(platform, cast, tmp_path):
    rivera = cast["rivera"]
    version, instrument = _tiny(platform, rivera, tmp_path)
    space = load_space(
        {"parameters": [{"kind": "continuous", "name": "x", "low": 0, "high": 1}], "objectives": [{"name": "y"}]}
    )
    with pytest.raises(InvalidInput, match="the pool has 3 points but the budget is 8"):
        platform.campaigns.create(rivera, _spec(instrument.id, space=space, planner="random", planner_settings={}))
    spec = _spec(instrument.id, space=space, planner="random", planner_settings={}, stopping={"max_trials": 3})
    campaign = platform.campaigns.create(rivera, spec)
    assert len(campaign.spec.space.pool.rows) == 3
    platform.campaigns.run(rivera, campaign.id)
    assert sorted(t.values["y"] for t in platform.campaigns.trials(rivera, campaign.id)) == [1.0, 2.0, 3.0]
    # every trial decided download on the dataset it replays
    submits = platform.audit.records(
        cast.admin, AuditQuery(action="compute.submit", resource=f'Asset::"{campaign.id}"')
    )
    assert all(version.dataset_id in r.event.details["uses"] for r in submits) and len(submits) == 3


def test_a_dataset_instrument_is_pinned_to_the_version_it_was_registered_on(platform, cast, tmp_path):
    rivera = cast["rivera"]
    version, instrument = _tiny(platform, rivera, tmp_path)
    record = next(r for a, r in platform.instruments.list(rivera) if a.id == instrument.id)
    assert record["config"]["version"] == version.number == 1
    space = load_space(
        {"parameters": [{"kind": "continuous", "name": "x", "low": 0, "high": 1}], "objectives": [{"name": "y"}]}
    )
    spec = _spec(instrument.id, space=space, planner="random", planner_settings={}, stopping={"max_trials": 3})
    campaign = platform.campaigns.create(rivera, spec)
    assert campaign.spec.space.pool.source == f"dataset:{version.dataset_id}@1"
    platform.campaigns.run(rivera, campaign.id, max_new_trials=1)
    changed = tmp_path / "v2" / "tiny.csv"  # a second version with other values, registered mid-campaign
    changed.parent.mkdir()
    changed.write_text("x,y\n0.1,10\n0.5,30\n0.9,20\n")
    platform.datasets.add_version(rivera, version.dataset_id, changed.parent)
    platform.campaigns.run(rivera, campaign.id)
    assert sorted(t.values["y"] for t in platform.campaigns.trials(rivera, campaign.id)) == [1.0, 2.0, 3.0]
    for bad in ("two", 0, 1.5):
        with pytest.raises(InvalidInput, match="version"):
            platform.instruments.register(
                rivera,
                "bad",
                {
                    "type": "dataset",
                    "dataset": version.dataset_id,
                    "file": "tiny.csv",
                    "outcomes": ["y"],
                    "version": bad,
                },
            )


def test_pinging_a_dataset_instrument_describes_it_without_reading_the_data(platform, cast, tmp_path):
    rivera = cast["rivera"]
    version, instrument = _tiny(platform, rivera, tmp_path, markings=parse_markings("CUI//NOFORN"))
    info = platform.instruments.ping(rivera, instrument.id)
    assert info.kind == "dataset" and info.actions[0].outcomes == ("y",)
    assert f"tiny.csv of dataset {version.dataset_id}" in info.description
    downloads = platform.audit.records(
        cast.admin, AuditQuery(action="dataset.download", resource=f'Asset::"{version.dataset_id}"')
    )
    assert downloads == []
    with pytest.raises((NotFound, AccessDenied)):
        platform.instruments.ping(cast["brit"], instrument.id)


def test_an_unmarked_campaign_takes_the_markings_of_the_data_it_replays_and_passes_them_on(platform, cast, tmp_path):
    rivera = cast["rivera"]
    _, instrument = _tiny(platform, rivera, tmp_path, dataset_markings=parse_markings("CUI//SP-EXPT//NOFORN"))
    space = load_space(
        {"parameters": [{"kind": "continuous", "name": "x", "low": 0, "high": 1}], "objectives": [{"name": "y"}]}
    )
    spec = _spec(instrument.id, space=space, planner="random", planner_settings={}, stopping={"max_trials": 3})
    campaign = platform.campaigns.create(rivera, spec)
    asset = platform.campaigns.status(rivera, campaign.id).asset
    assert asset.markings.banner == "CUI//SP-EXPT//NOFORN"
    platform.campaigns.run(rivera, campaign.id)
    derived, _ = platform.datasets.get(rivera, platform.campaigns.register_best(rivera, campaign.id).dataset_id)
    assert derived.markings.banner == "CUI//SP-EXPT//NOFORN"  # the data's values do not come out unmarked
    with pytest.raises((NotFound, AccessDenied)):  # and a foreign national cannot see the campaign
        platform.campaigns.status(cast["brit"], campaign.id)


def test_a_campaign_on_an_instrument_and_data_marked_differently_must_be_marked_explicitly(platform, cast, tmp_path):
    rivera = cast["rivera"]
    _, instrument = _tiny(
        platform,
        rivera,
        tmp_path,
        markings=parse_markings("CUI//SP-PROPIN"),
        dataset_markings=parse_markings("CUI//SP-EXPT"),
    )
    space = load_space(
        {"parameters": [{"kind": "continuous", "name": "x", "low": 0, "high": 1}], "objectives": [{"name": "y"}]}
    )
    spec = _spec(instrument.id, space=space, planner="random", planner_settings={}, stopping={"max_trials": 3})
    with pytest.raises(InvalidInput, match="give the campaign its markings explicitly"):
        platform.campaigns.create(rivera, spec)
    both = parse_markings("CUI//SP-EXPT/SP-PROPIN")
    campaign = platform.campaigns.create(rivera, spec, markings=both)
    assert platform.campaigns.status(rivera, campaign.id).asset.markings.same_policy_as(both)
