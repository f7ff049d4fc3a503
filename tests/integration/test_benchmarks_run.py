"""The benchmark scripts still run against the current code (on tiny sizes: this measures nothing)."""

from __future__ import annotations

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
