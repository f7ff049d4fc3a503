import math

import numpy as np
import pytest

from genesis_platform.discovery.benchmark import (
    BUILTIN_POOLS,
    PlannerMethod,
    RunResult,
    builtin_pool,
    load_pool,
    run_method,
    suggestion_latency,
    summarise,
)
from genesis_platform.kernel.errors import InvalidInput


def _csv(tmp_path, text, name="pool.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_replicates_become_one_point_valued_at_the_mean_of_distinct_measurements(tmp_path):
    path = _csv(tmp_path, "a,b,y\n1,2,10\n1,2,10\n1,2,16\n3,4,5\n")
    problem = load_pool(path)
    assert problem.size == 2
    assert sorted(problem.values.tolist()) == [5.0, 13.0]  # (10 + 16) / 2: the repeated 10 counts once


def test_a_spec_names_columns_direction_and_categories(tmp_path):
    _csv(tmp_path, "solvent,t,junk,yield\nwater,1,x,3\nthf,2,y,4\n", "data.csv")
    spec = _csv(tmp_path, "csv: data.csv\ninputs: [solvent, t]\nobjective: yield\ndirection: minimize\n", "s.yaml")
    problem = load_pool(spec)
    assert [p.kind for p in problem.space.parameters] == ["categorical", "continuous"]
    assert problem.direction.value == "minimize"
    assert problem.top_set() == {int(np.argmin(problem.values))}


@pytest.mark.parametrize(
    ("text", "message"),
    [("a\n1\n", "needs a header, input columns"), ("a,y\n1,high\n", "non-numeric")],
)
def test_bad_benchmark_files_are_clear_errors(tmp_path, text, message):
    with pytest.raises(InvalidInput, match=message):
        load_pool(_csv(tmp_path, text))


def test_a_missing_pool_is_a_clear_error(tmp_path):
    with pytest.raises(InvalidInput, match="no such benchmark dataset"):
        load_pool(tmp_path / "nope.csv")
    with pytest.raises(InvalidInput, match="no built-in pool"):
        builtin_pool("nope")


@pytest.mark.parametrize(
    ("name", "size", "top"),
    [("crossed_barrel", 600, 30), ("perovskite", 94, 5), ("agnp", 164, 9), ("p3ht", 178, 9), ("autoam", 100, 5)],
)
def test_liang_pools_have_the_papers_sizes(name, size, top):
    problem = builtin_pool(name)
    assert (problem.size, problem.n_top) == (size, top)


def test_every_builtin_pool_loads():
    for name in BUILTIN_POOLS:
        assert builtin_pool(name).size > 10


def test_olympus_descriptors_reach_the_categorical_parameters_when_asked():
    from genesis_platform.discovery.benchmark import BUILTIN_POOLS

    path, _ = BUILTIN_POOLS["perovskites"]
    assert load_pool(path, descriptors=True).space.dimension == 14  # 6 organic + 4 cation + 4 anion descriptors
    problem = builtin_pool("perovskites")
    assert problem.space.dimension == 16 + 3 + 4  # one-hot by default
    assert problem.direction.value == "minimize"


def test_a_method_that_picks_the_top_first_has_the_largest_factors():
    problem = builtin_pool("autoam")
    top = sorted(problem.top_set())
    rest = [i for i in range(problem.size) if i not in problem.top_set()]
    perfect = [RunResult(s, tuple(top + rest[:60]), ()) for s in range(10)]
    summary = summarise(problem, perfect)
    # All 5 top points in the first 5 picks: Top% 0.8 after 4 picks, random needs 0.8 * 100.
    assert summary.af[0.8] == (pytest.approx(20.0), pytest.approx(20.0), pytest.approx(20.0))
    assert summary.ef[10][0] == pytest.approx(1.0 / 0.1)
    assert summary.top_curve[4] == 1.0


def test_a_method_that_finds_the_top_last_is_slower_than_random():
    problem = builtin_pool("autoam")
    top = sorted(problem.top_set())
    rest = [i for i in range(problem.size) if i not in problem.top_set()]
    worst = [RunResult(s, tuple(rest + top), ()) for s in range(5)]
    summary = summarise(problem, worst)
    assert summary.af[0.8][0] == pytest.approx(80 / 99)
    assert summary.ef[50][0] == 0.0


def test_runs_stop_after_fifty_picks_once_most_of_the_top_is_found():
    problem = builtin_pool("autoam")
    result = run_method(PlannerMethod("random"), problem, seed=4)
    found = len(problem.top_set().intersection(result.picks))
    assert len(result.picks) >= 50 and found >= math.ceil(0.8 * problem.n_top)
    assert len(set(result.picks)) == len(result.picks)
    again = run_method(PlannerMethod("random"), problem, seed=4)
    assert again.picks == result.picks


def test_latency_is_timed_with_the_given_clock():
    ticks = iter([1.0, 3.5])
    seconds = suggestion_latency(PlannerMethod("random"), builtin_pool("autoam"), 10, 4, clock=lambda: next(ticks))
    assert seconds == 2.5


def test_the_random_expectation_of_the_best_is_exact():
    from itertools import combinations

    from genesis_platform.discovery.report import random_expectation

    values = [3.0, 1.0, 4.0, 1.5, 9.0]
    exact = [np.mean([max(c) for c in combinations(values, i)]) for i in range(1, 6)]
    assert random_expectation(values, 5, maximise=True) == pytest.approx(exact)
    lowest = [np.mean([min(c) for c in combinations(values, i)]) for i in range(1, 6)]
    assert random_expectation(values, 5, maximise=False) == pytest.approx(lowest)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore")  # Ax's and BayBE's own deprecation and numerical warnings are not ours
@pytest.mark.parametrize("competitor", ["AxMethod", "BaybeMethod"])
def test_the_competitor_adapters_pick_untried_pool_points_on_numeric_and_categorical_pools(competitor, tmp_path):
    pytest.importorskip("ax" if competitor == "AxMethod" else "baybe")
    from genesis_platform.discovery import competitors

    method = getattr(competitors, competitor)()
    numeric = builtin_pool("autoam")
    result = run_method(method, numeric, seed=0, min_picks=9, max_picks=9)  # past Ax's 5 quasi-random trials
    assert len(set(result.picks)) == 9 and len(result.seconds) == 7  # run_method refuses repeats and strays
    rows = "".join(f"{s},{t},{(t - 2) ** 2 + (s == 'thf')}\n" for s in ("water", "thf", "dmf") for t in range(5))
    _csv(tmp_path, "solvent,t,loss\n" + rows, "data.csv")
    spec = _csv(tmp_path, "csv: data.csv\ninputs: [solvent, t]\nobjective: loss\ndirection: minimize\n", "s.yaml")
    mixed = load_pool(spec)
    run = method.start(mixed, 1)
    run.tell([0, 14], [float(mixed.values[0]), float(mixed.values[14])])
    tried = {0, 14}
    for _ in range(4):
        batch = run.ask(2)  # a batch of distinct untried points, as a batch campaign would ask
        # Ax may hand out fewer than asked while its quasi-random start lasts (a generation step per call);
        # the protocol asks one at a time and the latency's batches come well after it
        assert len(batch) == 2 or (competitor == "AxMethod" and len(batch) == 1)
        assert len(set(batch)) == len(batch) and not set(batch) & tried and all(0 <= i < mixed.size for i in batch)
        run.tell(batch, [float(mixed.values[i]) for i in batch])
        tried |= set(batch)
