"""The benchmark scripts still run against the current code (on tiny sizes: this measures nothing)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))


@pytest.mark.slow
def test_policy_benchmark_runs():
    import run

    figures = run.bench_policy()
    assert figures["policies"] > 0 and figures["policy_warm_median_us"] > 0


def test_search_benchmark_runs(sqlite_platform):
    import search

    admin = sqlite_platform.authenticate(sqlite_platform.saved_token(), "internal")
    figures = search.run(sqlite_platform, admin, n=300, repeats=1)
    assert figures["records"] == 300 and figures["searches"] == search.ROUNDS * 2 * len(search.QUERIES)
    assert 0 < figures["median_results"] <= 300


def test_the_campaign_suite_plans_every_table_pool_and_runs_from_its_script(tmp_path, monkeypatch, capsys):
    import campaigns
    from genesis_platform.discovery.harness import _problem

    assert set(campaigns.PLAN) == set(campaigns.TABLE_POOLS) and len(campaigns.TABLE_POOLS) == 20
    for pool, counts in campaigns.PLAN.items():
        assert _problem(pool).size > 50, pool  # every pool the doc's table names loads from the checkout
        assert set(counts) == {"genesis", "ax", "baybe"} and min(counts.values()) >= 20  # the protocol's floor
        assert counts["genesis"] == 50  # the protocol's 50 for the platform's own planner; 20 only for a slow rival
    results = tmp_path / "runs.json"
    argv = ["campaigns.py", "--pool", "autoam", "--runs", "random=2", "--results", str(results), "--no-doc"]
    monkeypatch.setattr(sys, "argv", [*argv, "--latency-results", str(tmp_path / "latency.json")])
    campaigns.main()
    assert len(json.loads(results.read_text())["runs"]) == 2
    assert "| autoam | 100 | random | 2 |" in capsys.readouterr().out
    # --method keeps only the methods named: a third random run, no sobol
    monkeypatch.setattr(sys, "argv", [*argv[:4], "random=3", "--runs", "sobol=1", "--method", "random", *argv[5:]])
    campaigns.main()
    assert sorted(r["method"] for r in json.loads(results.read_text())["runs"]) == ["random"] * 3
