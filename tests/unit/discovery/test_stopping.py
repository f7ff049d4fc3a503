"""The stopping rules a campaign checks after every result: budget, target and no improvement."""

from datetime import UTC, datetime

import pytest

from genesis_platform.discovery import CampaignSpec, Trial, TrialStatus, load_space
from genesis_platform.discovery.model import stop_reason


def _spec(direction: str = "minimize", **stopping: float) -> CampaignSpec:
    space = load_space(
        {
            "parameters": [{"kind": "continuous", "name": "x", "low": 0, "high": 1}],
            "objectives": [{"name": "f", "direction": direction}],
        }
    )
    return CampaignSpec(name="s", space=space, instrument="ins-x", stopping=stopping)


def _trials(values: list[float | None]) -> list[Trial]:
    # None: a failed trial, which never counts as progress
    return [
        Trial(
            campaign_id="cam-x",
            number=i,
            batch=i,
            point={"x": 0.5},
            status=TrialStatus.FAILED if v is None else TrialStatus.COMPLETED,
            values={} if v is None else {"f": v},
            planner="random@1",
            seed=0,
            instrument="ins-x@1",
            created_at=datetime(2026, 12, 3, tzinfo=UTC),
        )
        for i, v in enumerate(values, start=1)
    ]


def test_patience_stops_after_that_many_completed_trials_without_a_gain():
    spec = _spec(patience=3, max_trials=100)
    assert stop_reason(spec, _trials([5, 4, 4.5, 4.2])) is None  # the best (4) came within the last three
    assert stop_reason(spec, _trials([5, 4, 4.5, 4.2, 4.1])) == "no improvement of f in the last 3 completed trials"
    assert stop_reason(spec, _trials([5, 4, 4.5, 4.2, 3.9])) is None  # the last one improved
    # failed trials neither improve nor count towards the patience
    assert stop_reason(spec, _trials([5, 4, None, None, 4.5, 4.2])) is None


def test_patience_counts_only_gains_larger_than_min_improvement_in_the_objectives_direction():
    small = _spec(patience=2, min_improvement=0.5, max_trials=100)
    assert stop_reason(small, _trials([5, 4, 3.8, 3.7])) is not None  # 0.3 better in two trials: not enough
    assert stop_reason(small, _trials([5, 4, 3.8, 3.4])) is None  # 0.6 better
    up = _spec("maximize", patience=2, max_trials=100)
    assert stop_reason(up, _trials([1, 2, 1.5, 1.9])) is not None
    assert stop_reason(up, _trials([1, 2, 1.5, 2.1])) is None


def test_the_budget_waits_for_trials_in_flight_and_the_target_fires_in_the_objectives_direction():
    budget = _spec(max_trials=3)
    running = _trials([5, 4, 3])
    running[-1].status = TrialStatus.RUNNING
    assert stop_reason(budget, running) is None  # spent, but one trial is still out
    assert stop_reason(budget, _trials([5, 4, None])) == "budget of 3 trials spent"
    assert stop_reason(_spec(target=1.0), _trials([5, 0.9])) == "target f <= 1 reached"  # no value: see status
    assert stop_reason(_spec("maximize", target=1.0), _trials([0.5, 0.9])) is None


@pytest.mark.parametrize("bad", [{"patience": 0}, {"min_improvement": -1}, {"max_trials": 0}])
def test_bad_stopping_rules_are_refused(bad):
    with pytest.raises(ValueError):
        _spec(**bad)


def _constrained() -> CampaignSpec:
    space = load_space(
        {
            "parameters": [{"kind": "continuous", "name": "x", "low": 0, "high": 1}],
            "objectives": [{"name": "f", "direction": "maximize"}],
            "outcome_constraints": [{"name": "cost", "op": "<=", "bound": 1.0}],
        }
    )
    return CampaignSpec(name="c", space=space, instrument="ins-x", stopping={"max_trials": 100, "target": 5.0})


def _measured(rows: list[tuple[float, float]]) -> list[Trial]:
    trials = _trials([f for f, _ in rows])
    for t, (_, cost) in zip(trials, rows, strict=True):
        t.values["cost"] = cost
    return trials


def test_only_trials_that_meet_the_outcome_constraints_count_as_results():
    from genesis_platform.discovery import Campaign
    from genesis_platform.discovery.model import best_value, feasible
    from genesis_platform.discovery.report import summary

    spec = _constrained()
    trials = _measured([(3.0, 0.5), (9.0, 2.0), (4.0, 1.0), (6.0, 1.5)])  # 9 and 6 cost too much
    assert [feasible(t, spec.space) for t in trials] == [True, False, True, False]
    assert best_value(trials, spec.space) == 4.0
    assert stop_reason(spec, trials) is None  # 9 >= the target of 5, but it broke the cost constraint
    assert stop_reason(spec, _measured([(3.0, 0.5), (5.5, 0.9)])) == "target f >= 5 reached"
    now = datetime(2026, 12, 3, tzinfo=UTC)
    campaign = Campaign(id="cam-x", spec=spec, created_by="u", created_at=now, updated_at=now)
    data = summary(campaign, trials)
    assert data["best"] == 4.0 and data["best_trial"] == 3 and data["infeasible"] == 2
    assert data["best_so_far"] == [3.0, 3.0, 4.0, 4.0]
