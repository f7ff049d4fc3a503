import json

import pytest

from genesis_platform.discovery.harness import render_markdown, run_suite


def test_the_suite_resumes_without_redoing_runs_and_renders_a_table(tmp_path):
    results = tmp_path / "bench.json"
    lines = []
    run_suite(results, ["autoam"], {"random": 2}, progress=lines.append)
    assert len(lines) == 2 and len(json.loads(results.read_text())["runs"]) == 2
    run_suite(results, ["autoam"], {"random": 3}, progress=lines.append)
    data = json.loads(results.read_text())
    assert len(lines) == 3 and sorted(r["seed"] for r in data["runs"]) == [0, 1, 2]
    table = render_markdown(data, ["autoam"], ["random"])
    assert any(row.startswith("| autoam | 100 | random | 3 |") for row in table)
    assert any("random (exact)" in row for row in table)


def test_suites_share_a_pool_by_first_seed(tmp_path):
    # Two suites on one file: the second starts where the first stops, so no seed is run twice.
    results = tmp_path / "bench.json"
    run_suite(results, ["autoam"], {"random": 2})
    run_suite(results, ["autoam"], {"random": 4}, first_seed=3)
    assert sorted(r["seed"] for r in json.loads(results.read_text())["runs"]) == [0, 1, 3]


def test_bench_campaigns_from_the_cli(cli, tmp_path):
    out = cli(
        "bench",
        "campaigns",
        "--pool",
        "autoam",
        "--runs",
        "genesis=0",
        "--runs",
        "random=2",
        "--results",
        str(tmp_path / "b.json"),
    )
    assert out.code == 0, out
    assert "| autoam | 100 | random | 2 |" in out.out
    more = cli("bench", "campaigns", "--pool", "autoam", "--runs", "genesis=0", "--runs", "random=4",
               "--from-seed", "3", "--results", str(tmp_path / "b.json"))  # fmt: skip
    assert more.code == 0 and "| autoam | 100 | random | 3 |" in more.out, more
    bad = cli("bench", "campaigns", "--runs", "oracle=2", "--results", str(tmp_path / "b.json"))
    assert bad.code != 0 and "unknown method(s) oracle" in bad.err


def test_the_latency_table_shows_the_methods_timed_and_the_ratio_only_beside_ax(tmp_path):
    from genesis_platform.discovery.harness import method_version

    def row(method, seconds):
        return {"pool": "autoam", "method": method, "version": method_version(method), "observations": 10, "batch": 1,
                "seed": 0, "seconds": seconds}  # fmt: skip

    alone = render_markdown({"runs": [], "latency": [row("genesis", 0.2)]}, [], ["genesis", "ax", "baybe"])
    assert "| pool | observations | batch | genesis s |" in alone and "| autoam | 10 | 1 | 0.200 |" in alone
    both = render_markdown({"runs": [], "latency": [row("genesis", 0.2), row("ax", 0.8)]}, [], ["genesis", "ax"])
    assert "| autoam | 10 | 1 | 0.200 | 0.800 | 0.25 |" in both


def test_runs_options_are_parsed_or_refused_with_what_to_write():
    import pytest

    from genesis_platform.discovery.harness import parse_runs

    assert parse_runs(["genesis=5", "baybe=0"]) == {"genesis": 5, "baybe": 0}
    with pytest.raises(ValueError, match="METHOD=N"):
        parse_runs(["genesis"])
    with pytest.raises(ValueError, match="unknown method"):
        parse_runs(["oracle=3"])


def test_the_latency_suite_times_one_suggestion_per_seed_and_resumes(tmp_path):
    from genesis_platform.discovery.harness import latency_suite

    results = tmp_path / "latency.json"
    data = latency_suite(results, "autoam", ["random"], observations=(10,), batches=(1, 4), repeats=2)
    rows = data["latency"]
    assert sorted((r["batch"], r["seed"]) for r in rows) == [(1, 0), (1, 1), (4, 0), (4, 1)]
    assert all(r["observations"] == 10 and r["seconds"] >= 0 for r in rows)
    again = latency_suite(results, "autoam", ["random"], observations=(10,), batches=(1, 4), repeats=3)
    assert len(again["latency"]) == 6  # the first four kept, seed 2 added


def test_the_verdict_compares_on_the_seeds_both_methods_ran():
    from genesis_platform.discovery.harness import _problem, method_version

    problem = _problem("autoam")  # 100 points, top set of 5, a run stops at 4 of them after 50 picks
    top = sorted(problem.top_set())
    rest = [i for i in range(problem.size) if i not in problem.top_set()]

    def run(method, seed, found_at):
        # Picks in which the top designs turn up at the given positions (1-based), the rest filled in order.
        picks, others = [0] * 60, iter(rest)
        for position, index in zip(found_at, top, strict=False):
            picks[position - 1] = index
        picks = [p if k + 1 in found_at else next(others) for k, p in enumerate(picks)]
        return {"pool": "autoam", "method": method, "version": method_version(method), "seed": seed, "picks": picks,
                "seconds": []}  # fmt: skip

    fast, slow = (5, 10, 15, 20), (30, 40, 50, 60)
    # The platform's planner has two more seeds than BayBE, and they are slow ones: on its own 4 runs it would
    # look slower, but on the 2 shared seeds it is ahead.
    runs = [run("genesis", s, fast) for s in (0, 1)] + [run("genesis", s, slow) for s in (2, 3)]
    runs += [run("baybe", s, (25, 30, 35, 40)) for s in (0, 1)]
    lines = render_markdown({"runs": runs}, ["autoam"], ["genesis", "baybe"])
    [verdict] = [line for line in lines if line.startswith("| autoam | - | - | - | 2 |")]
    assert verdict.endswith("| at least baybe |")
    runs += [run("baybe", s, fast) for s in (2, 3)]
    lines = render_markdown({"runs": runs}, ["autoam"], ["genesis", "baybe"])
    [verdict] = [line for line in lines if line.startswith("| autoam | - | - | - | 4 |")]
    assert verdict.endswith("| behind baybe |")


def test_parallel_runs_give_the_same_results_as_serial_ones(tmp_path):
    serial, parallel = tmp_path / "serial.json", tmp_path / "parallel.json"
    run_suite(serial, ["autoam"], {"random": 3})
    lines = []
    run_suite(parallel, ["autoam"], {"random": 3}, progress=lines.append, jobs=2)

    def picks(path):
        return {r["seed"]: r["picks"] for r in json.loads(path.read_text())["runs"]}

    assert len(lines) == 3 and picks(parallel) == picks(serial)


@pytest.mark.parametrize("quiet", [True, False])
def test_quiet_workers_keep_library_chatter_off_the_terminal_but_not_errors(capfd, quiet):
    import functools
    import logging
    import warnings

    from genesis_platform.discovery.harness import worker_pool

    with worker_pool(1, quiet) as pool:  # one worker: every call lands in the same process
        pool.submit(functools.partial(logging.basicConfig, level=logging.INFO)).result()  # as Ax sets itself up
        pool.submit(logging.info, "library chatter").result()
        pool.submit(warnings.warn, "a numerical warning").result()
        pool.submit(logging.error, "a real error").result()
    err = capfd.readouterr().err
    assert "a real error" in err
    assert ("library chatter" in err) is not quiet
    assert ("a numerical warning" in err) is not quiet


def test_quiet_libraries_hides_info_and_warnings_and_restores_what_was_there():
    import logging
    import warnings

    from genesis_platform.discovery.harness import quiet_libraries

    assert logging.root.manager.disable == logging.NOTSET
    with quiet_libraries(), warnings.catch_warnings(record=True) as caught:
        assert not logging.getLogger("ax.api.client").isEnabledFor(logging.INFO)  # Ax sets its own levels
        warnings.warn("numerical noise", RuntimeWarning, stacklevel=1)
    assert caught == [] and logging.root.manager.disable == logging.NOTSET
    logging.disable(logging.ERROR)  # a caller that silenced more keeps it, inside and after
    try:
        with quiet_libraries():
            assert logging.root.manager.disable == logging.ERROR
        assert logging.root.manager.disable == logging.ERROR
    finally:
        logging.disable(logging.NOTSET)


def _suite_in_a_process(results, runs, **popen):
    # A parallel suite (two workers) in its own process, and its worker processes once both have started.
    import subprocess
    import sys
    import time

    import psutil

    code = (
        "import sys; from pathlib import Path; from genesis_platform.discovery.harness import run_suite; "
        f"run_suite(Path(sys.argv[1]), ['autoam'], {runs!r}, progress=print, jobs=2)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(results)], **popen)
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 120
    workers: list[psutil.Process] = []
    while len(workers) < 2 and time.monotonic() < deadline:
        workers = [c for c in parent.children() if "resource_tracker" not in " ".join(c.cmdline())]
        time.sleep(0.2)
    return proc, workers


def test_a_terminated_parallel_suite_takes_its_workers_with_it(tmp_path):
    import signal
    import subprocess

    import psutil

    proc, workers = _suite_in_a_process(tmp_path / "r.json", {"genesis": 40}, stdout=subprocess.DEVNULL)
    try:
        assert len(workers) == 2, "the suite never started its workers"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 128 + signal.SIGTERM
        _, alive = psutil.wait_procs(workers, timeout=10)
        assert not alive, f"workers left running: {[w.pid for w in alive]}"
    finally:
        proc.kill()


def test_a_parallel_suite_whose_worker_dies_reports_the_runs_as_failed_instead_of_hanging(tmp_path):
    import subprocess

    proc, workers = _suite_in_a_process(
        tmp_path / "r.json", {"genesis": 6}, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    try:
        assert workers, "the suite never started its workers"
        workers[0].kill()
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0 and b"failed (BrokenProcessPool" in out
    finally:
        proc.kill()


def test_the_demos_random_baseline_is_the_exact_mean_of_draws_without_replacement():
    from itertools import combinations
    from math import comb

    from genesis_platform.demo import random_draws

    size, top, goal = 9, 3, 2  # every placement of the 3 best among 9 draws is equally likely
    mean = sum(sorted(places)[goal - 1] + 1 for places in combinations(range(size), top)) / comb(size, top)
    assert random_draws(goal, top, size) == pytest.approx(mean)
    assert random_draws(24, 30, 600) == pytest.approx(465.29, abs=0.01)  # the demo's crossed barrel: not 0.8 N
