"""`CampaignService.benchmark`: the Liang et al. protocol replayed on a campaign's own dataset pool, governed."""

from __future__ import annotations

import math
import time

import pytest

from genesis_platform.discovery import CampaignSpec, load_space
from genesis_platform.discovery.pool_bench import bench_problem, data_digest
from genesis_platform.kernel import AccessDenied, Conflict, InvalidInput, NotFound
from genesis_platform.kernel.assets.markings import parse_markings
from genesis_platform.kernel.audit.log import AuditQuery


def _rows() -> list[tuple[float, float]]:
    # 40 distinct x on a grid, each measured twice (a replicate 0.2 apart): one peak at x = 0.7.
    out = []
    for i in range(40):
        x = round(i / 39, 4)
        y = -((x - 0.7) ** 2) + 0.05 * math.sin(17 * x)
        out += [(x, round(y, 6)), (x, round(y + 0.2, 6))]
    return out


def _campaign(platform, who, tmp_path, planner="forest", objectives=None, markings=None, **extra):
    table = tmp_path / "peak.csv"
    table.write_text("x,y,z\n" + "".join(f"{x},{y},{-y}\n" for x, y in _rows()))
    version = platform.datasets.register(who, table, name="peak", project="p1", markings=markings)
    config = {"type": "dataset", "dataset": version.dataset_id, "file": "peak.csv", "outcomes": ["y", "z"]}
    instrument, _ = platform.instruments.register(who, "peak", config, project="p1")
    space = load_space(
        {
            "parameters": [{"kind": "continuous", "name": "x", "low": 0, "high": 1}],
            "objectives": objectives or [{"name": "y", "direction": "maximize"}],
            **extra,
        }
    )
    spec = CampaignSpec.model_validate(
        {
            "name": "peak",
            "project": "p1",
            "space": space,
            "instrument": instrument.id,
            "planner": planner,
            "planner_settings": {"trees": 20} if planner == "forest" else {},
            "stopping": {"max_trials": 10},
        }
    )
    return platform.campaigns.create(who, spec), version


def test_a_campaign_benchmark_keeps_each_run_and_resumes_where_it_stopped(platform, cast, tmp_path):
    rivera = cast["rivera"]
    campaign, version = _campaign(platform, rivera, tmp_path)
    data, page = platform.campaigns.report(rivera, campaign.id)
    assert "benchmark" not in data and "Benchmark on this pool" not in page
    seen: list[tuple[int, int, str]] = []
    data = platform.campaigns.benchmark(
        rivera, campaign.id, {"campaign": 2, "random": 2}, progress=lambda *a: seen.append(a)
    )
    assert [(d, t) for d, t, _ in seen] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert data["pool_size"] == 40 and data["top_set"] == 2
    assert {m: v["runs"] for m, v in data["methods"].items()} == {"campaign": 2, "random": 2}
    ours = data["methods"]["campaign"]
    assert set(ours["af"]) == {"0.5", "0.8"} and set(ours["ef"]) == {"10", "25"}  # a 40-point pool: no EF @ 50
    assert ours["af"]["0.8"]["p5"] <= ours["af"]["0.8"]["median"] <= ours["af"]["0.8"]["p95"]
    assert data["versus"]["random"]["seeds"] == 2
    assert data["versus"]["random"]["campaign_af_0.8"] == ours["af"]["0.8"]["median"]

    seen.clear()  # asked again with one more seed: only that run is made
    again = platform.campaigns.benchmark(rivera, campaign.id, {"campaign": 3}, progress=lambda *a: seen.append(a))
    assert [(d, t) for d, t, _ in seen] == [(1, 1)] and seen[0][2].startswith("campaign seed 2:")
    assert again["methods"]["campaign"]["runs"] == 3 and again["methods"]["random"]["runs"] == 2
    progress = {"state": "finished", "runs": {"campaign": 3}, "done": 1, "total": 1, "error": None}
    assert platform.campaigns.benchmark_results(rivera, campaign.id) == {**again, "progress": progress}
    data, page = platform.campaigns.report(rivera, campaign.id)  # the report plots the kept runs
    assert data["benchmark"] == again and "Benchmark on this pool of 40: the best 5 % found" in page

    # every call decided `run` (or `download` to read) on the campaign and `download` on the data, and was recorded
    started = platform.audit.records(
        cast.admin, AuditQuery(action="campaign.benchmark", resource=f'Asset::"{campaign.id}"')
    )
    assert [r.event.details for r in started] == [
        {"runs": {"campaign": 2, "random": 2}, "to_make": 4},
        {"runs": {"campaign": 3}, "to_make": 1},
    ]
    ends = platform.audit.records(
        cast.admin, AuditQuery(action="campaign.benchmark.finish", resource=f'Asset::"{campaign.id}"')
    )
    assert [r.event.details for r in ends] == [{"made": 4}, {"made": 1}]
    downloads = platform.audit.records(
        cast.admin, AuditQuery(action="download", resource=f'Asset::"{version.dataset_id}"', outcome="allow")
    )
    assert len(downloads) >= 4  # create, two benchmarks, one read


def test_the_benchmark_pool_averages_replicates_like_the_protocol(platform, cast, tmp_path):
    campaign, _ = _campaign(platform, cast["rivera"], tmp_path)
    rows = [{"x": str(x), "y": str(y), "z": "0"} for x, y in _rows()]
    problem = bench_problem(campaign.spec, rows, campaign.id)
    assert problem.size == 40 and problem.space.objectives[0].name == "objective"
    by_x = {p["x"]: v for p, v in zip(problem.space.pool_points(), problem.values, strict=True)}
    expected = -((1.0 - 0.7) ** 2) + 0.05 * math.sin(17.0) + 0.1  # the mean of the two replicates
    assert by_x[1.0] == pytest.approx(expected, abs=1e-6)
    top = max(by_x, key=lambda x: by_x[x])
    assert {problem.space.pool_points()[i]["x"] for i in problem.top_set()} >= {top}
    with pytest.raises(InvalidInput, match="no measured y"):
        bench_problem(campaign.spec, rows[2:], campaign.id)  # x = 0 is in the pool but no longer measured
    changed = [{**r, "y": str(float(r["y"]) + 1)} if r["x"] == "1.0" else r for r in rows]
    assert data_digest(bench_problem(campaign.spec, changed, campaign.id)) != data_digest(problem)
    assert data_digest(bench_problem(campaign.spec, list(rows), campaign.id)) == data_digest(problem)


def test_one_benchmark_of_a_campaign_runs_at_a_time_and_a_failure_is_reported(platform, cast, tmp_path, monkeypatch):
    import genesis_platform.discovery.service as service

    rivera = cast["rivera"]
    campaign, _ = _campaign(platform, rivera, tmp_path, planner="random")
    refused: list[str] = []

    def second(done, total, line):  # while the first benchmark runs, a second is refused
        for call in (
            lambda: platform.campaigns.check_benchmark(rivera, campaign.id, {"campaign": 1}),
            lambda: platform.campaigns.benchmark(rivera, campaign.id, {"campaign": 5}),
        ):
            with pytest.raises(Conflict, match=r"is running \(\d of 2 runs made\)") as error:
                call()
            refused.append(str(error.value))

    platform.campaigns.benchmark(rivera, campaign.id, {"campaign": 2}, progress=second)
    assert len(refused) == 4
    real = service.run_method

    def breaks_on_seed_3(method, problem, seed, *args, **kwargs):
        if seed == 3:
            raise RuntimeError("the planner broke")
        return real(method, problem, seed, *args, **kwargs)

    monkeypatch.setattr(service, "run_method", breaks_on_seed_3)
    with pytest.raises(RuntimeError, match="the planner broke"):
        platform.campaigns.benchmark(rivera, campaign.id, {"campaign": 5})
    got = platform.campaigns.benchmark_results(rivera, campaign.id)
    assert got["methods"]["campaign"]["runs"] == 4  # seeds 0-2 and 4: the runs that did not fail are kept
    assert got["progress"] == {
        "state": "failed",
        "runs": {"campaign": 5},
        "done": 2,
        "total": 3,
        "error": "RuntimeError: the planner broke",
    }
    submits = platform.audit.records(
        cast.admin, AuditQuery(action="compute.submit", resource=f'Asset::"{campaign.id}"')
    )
    assert len(submits) == 5  # every run is a compute job for the campaign, decided and recorded
    monkeypatch.setattr(service, "run_method", real)  # asked again, it makes what is missing
    # a reserved slot (REST takes it before answering 202) holds off others until its benchmark runs
    platform.campaigns.check_benchmark(rivera, campaign.id, {"campaign": 5}, reserve=True)
    assert platform.campaigns.benchmark_results(rivera, campaign.id)["progress"]["state"] == "queued"
    with pytest.raises(Conflict, match="is queued"):
        platform.campaigns.benchmark(rivera, campaign.id, {"campaign": 5})
    made = platform.campaigns.benchmark(rivera, campaign.id, {"campaign": 5}, reserved=True)
    assert made["methods"]["campaign"]["runs"] == 5
    # a reserved benchmark that fails before its first run leaves the reason where GET shows it
    platform.campaigns.check_benchmark(rivera, campaign.id, {"campaign": 6}, reserve=True)
    monkeypatch.setattr(service, "data_digest", lambda problem: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        platform.campaigns.benchmark(rivera, campaign.id, {"campaign": 6}, reserved=True)
    monkeypatch.undo()
    state = platform.campaigns.benchmark_results(rivera, campaign.id)["progress"]
    assert state["state"] == "failed" and state["error"] == "ZeroDivisionError: division by zero"
    with pytest.raises(InvalidInput, match="at most 500 runs in one request, not 600"):
        platform.campaigns.benchmark(rivera, campaign.id, {"campaign": 300, "random": 300})


def test_the_benchmark_is_denied_and_recorded_per_path_for_a_user_outside_the_project(platform, cast, tmp_path):
    rivera, partner = cast["rivera"], cast["partner"]  # partner: another organisation, not on p1
    campaign, _ = _campaign(platform, rivera, tmp_path, planner="random")
    platform.campaigns.benchmark(rivera, campaign.id, {"campaign": 1})
    for call in (
        lambda: platform.campaigns.check_benchmark(partner, campaign.id, {"campaign": 1}),
        lambda: platform.campaigns.benchmark(partner, campaign.id, {"campaign": 1}),
        lambda: platform.campaigns.benchmark_results(partner, campaign.id),
    ):
        with pytest.raises((AccessDenied, NotFound)):
            call()
    denials = platform.audit.records(
        cast.admin, AuditQuery(actor="partner", outcome="deny", resource=f'Asset::"{campaign.id}"')
    )
    assert [r.event.action for r in denials] == ["run", "run", "download"]
    assert platform.campaigns.benchmark_results(rivera, campaign.id)["methods"]["campaign"]["runs"] == 1


@pytest.mark.parametrize(
    ("banner", "hidden_from"),
    [("CUI//SP-EXPT//NOFORN", "brit"), ("CUI//SP-EXPT", "untrained"), ("SECRET", "student")],
)
def test_a_marked_campaigns_benchmark_is_hidden_on_both_paths(platform, cast, tmp_path, banner, hidden_from):
    """The campaign takes its data's marking; whoever the marking hides it from can neither run nor read it."""
    owner = cast["cleared"] if banner == "SECRET" else cast["rivera"]
    campaign, _ = _campaign(platform, owner, tmp_path, planner="random", markings=parse_markings(banner))
    assert platform.campaigns.benchmark(owner, campaign.id, {"campaign": 1})["methods"]["campaign"]["runs"] == 1
    for call in (
        lambda: platform.campaigns.benchmark(cast[hidden_from], campaign.id, {"campaign": 2}),
        lambda: platform.campaigns.benchmark_results(cast[hidden_from], campaign.id),
    ):
        with pytest.raises((AccessDenied, NotFound)):
            call()
    denials = platform.audit.records(
        cast.admin, AuditQuery(actor=hidden_from, outcome="deny", resource=f'Asset::"{campaign.id}"')
    )
    assert [r.event.action for r in denials if r.event.action != "discover"] == ["run", "download"]
    assert platform.campaigns.benchmark_results(owner, campaign.id)["methods"]["campaign"]["runs"] == 1


@pytest.mark.parametrize(
    ("runs", "message"),
    [
        ({"bogus": 3}, "unknown benchmark method"),
        ({"campaign": 0}, "at least one run"),
        ({"campaign": -1}, "from 0 to 500"),
        ({"campaign": 501}, "from 0 to 500"),
    ],
)
def test_bad_benchmark_requests_are_refused_before_anything_runs(platform, cast, tmp_path, runs, message):
    rivera = cast["rivera"]
    campaign, _ = _campaign(platform, rivera, tmp_path, planner="random")
    with pytest.raises(InvalidInput, match=message):
        platform.campaigns.check_benchmark(rivera, campaign.id, runs)
    with pytest.raises(InvalidInput, match=message):
        platform.campaigns.benchmark(rivera, campaign.id, runs)
    assert platform.campaigns.benchmark_results(rivera, campaign.id)["methods"] == {}


def test_campaigns_the_protocol_cannot_score_are_refused_with_the_reason(platform, cast, tmp_path, hartmann_id):
    rivera = cast["rivera"]
    two, _ = _campaign(
        platform, rivera, tmp_path, planner="random", objectives=[{"name": "y"}, {"name": "z", "direction": "maximize"}]
    )
    with pytest.raises(InvalidInput, match="one objective"):
        platform.campaigns.check_benchmark(rivera, two.id, {"campaign": 1})
    spec = CampaignSpec.model_validate(
        {
            "name": "h",
            "space": load_space(
                {
                    "parameters": [{"kind": "continuous", "name": f"x{i}", "low": 0, "high": 1} for i in range(1, 7)],
                    "objectives": [{"name": "f"}],
                }
            ),
            "instrument": hartmann_id,
            "planner": "random",
            "stopping": {"max_trials": 3},
        }
    )
    simulated = platform.campaigns.create(rivera, spec)
    with pytest.raises(InvalidInput, match="simulator instrument"):
        platform.campaigns.check_benchmark(rivera, simulated.id, {"campaign": 1})


@pytest.fixture
def hartmann_id(platform, cast):
    asset, _ = platform.instruments.register(
        cast["rivera"], "hartmann6", {"type": "simulator", "simulator": "hartmann6"}, project="p1"
    )
    return asset.id


def test_two_benchmarks_that_make_the_same_seeded_run_keep_it_once(platform, cast, tmp_path, monkeypatch):
    from genesis_platform.discovery.store import CampaignStore

    rivera = cast["rivera"]
    campaign, _ = _campaign(platform, rivera, tmp_path, planner="random")
    platform.campaigns.benchmark(rivera, campaign.id, {"campaign": 1})
    # as if a second benchmark had looked before the first one committed: it makes seed 0 again
    real, looks = CampaignStore.benchmark_keys, []

    def first_look_misses(self, campaign_id):
        looks.append(campaign_id)
        return set() if len(looks) == 1 else real(self, campaign_id)

    monkeypatch.setattr(CampaignStore, "benchmark_keys", first_look_misses)
    again = platform.campaigns.benchmark(rivera, campaign.id, {"campaign": 2})
    assert again["methods"]["campaign"]["runs"] == 2


def test_the_verdict_against_a_method_is_open_when_neither_reaches_the_mark(platform, cast, tmp_path):
    from genesis_platform.discovery.benchmark import RunResult
    from genesis_platform.discovery.pool_bench import bench_summary

    campaign, _ = _campaign(platform, cast["rivera"], tmp_path, planner="random")
    rows = [{"x": str(x), "y": str(y), "z": "0"} for x, y in _rows()]
    problem = bench_problem(campaign.spec, rows, campaign.id)
    rest = [i for i in range(problem.size) if i not in problem.top_set()]
    first = sorted(problem.top_set())[0]
    half = RunResult(0, (first, *rest[:10]), ())  # one of the two top points: Top% 0.5, never 0.8
    data = bench_summary(problem, {"campaign": [half], "random": [half]})
    assert data["methods"]["campaign"]["af"]["0.8"] is None
    assert data["versus"]["random"] == {
        "seeds": 1,
        "campaign_af_0.8": None,
        "random_af_0.8": None,
        "at_least": None,
    }


def test_benchmark_runs_go_in_parallel_on_a_process_pool(tmp_path):
    """The runs are compute jobs: on the local process pool the spec and the pool travel to worker processes."""
    from genesis_platform.bootstrap import Platform
    from genesis_platform.kernel import Settings
    from genesis_platform.kernel.compute import LocalPoolExecutor
    from genesis_platform.kernel.identity.tokens import TokenHasher

    platform, _ = Platform.initialise(
        Settings(home=tmp_path / "h"), executor=LocalPoolExecutor(2), hasher=TokenHasher(time_cost=1, memory_cost=8)
    )
    try:
        me = platform.authenticate(platform.saved_token(), "internal")
        campaign, _ = _campaign(platform, me, tmp_path, planner="forest")
        data = platform.campaigns.benchmark(me, campaign.id, {"campaign": 2, "sobol": 2})
        assert {m: v["runs"] for m, v in data["methods"].items()} == {"campaign": 2, "sobol": 2}
        deadline = time.monotonic() + 30  # a job's end is recorded by its future's callback, just after
        while len(ends := platform.audit.records(me, AuditQuery(action="compute.finish"))) < 4:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert sorted(r.event.details["status"] for r in ends) == ["succeeded"] * 4
    finally:
        platform.close()


def test_a_benchmark_run_in_a_worker_process_keeps_ax_chatter_out_of_the_shared_log(capfd):
    pytest.importorskip("ax")
    import functools
    import logging

    from genesis_platform.discovery.harness import worker_pool
    from genesis_platform.discovery.service import bench_run

    space = load_space(
        {
            "parameters": [{"kind": "continuous", "name": "x", "low": 0, "high": 1}],
            "objectives": [{"name": "y", "direction": "maximize"}],
            "pool": {"rows": [{"x": x} for x, _ in _rows()[::8]]},
        }
    )
    spec = CampaignSpec.model_validate(
        {
            "name": "peak",
            "project": "p1",
            "space": space,
            "instrument": "ins-peak",
            "planner": "random",
            "stopping": {"max_trials": 10},
        }
    )
    problem = bench_problem(spec, [{"x": str(x), "y": str(y)} for x, y in _rows()[::8]], "peak")
    capfd.readouterr()  # what importing Ax printed here
    with worker_pool(1) as pool:  # a worker that logs INFO, as a server's does: the run itself must keep quiet
        pool.submit(functools.partial(logging.basicConfig, level=logging.INFO)).result()
        result = pool.submit(bench_run, "ax", spec, problem, 0).result()
        pool.submit(logging.info, "the worker's own line after the run").result()
    err = capfd.readouterr().err
    assert len(result.picks) >= 2
    assert "Generated new trial" not in err and "ax.api" not in err
    assert "the worker's own line after the run" in err  # the quiet ends with the run
