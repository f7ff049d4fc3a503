"""The pool benchmark protocol on a campaign's own pool: what `genesis campaign benchmark` runs and reports.

A campaign on a dataset instrument searches a finite pool whose every value is already measured, so the
protocol of `benchmark.py` (Liang et al. 2021) can replay it before (or after) instrument time is spent: how
many experiments the campaign's planner needs to find the best 5 % against random, Ax and BayBE. This module
turns the campaign's space and its dataset's rows into a `PoolProblem`, names the methods, and summarises the
runs; `CampaignService.benchmark` governs, runs and keeps them.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from genesis_platform.discovery.benchmark import PlannerMethod, PoolMethod, PoolProblem, RunResult, summarise
from genesis_platform.discovery.harness import method_by_name, method_version
from genesis_platform.discovery.model import CampaignSpec
from genesis_platform.discovery.space import Objective
from genesis_platform.kernel.errors import InvalidInput

__all__ = [
    "BENCH_METHODS",
    "MAX_BENCH_RUNS",
    "bench_method",
    "bench_problem",
    "bench_summary",
    "bench_version",
    "data_digest",
    "parse_bench_runs",
]

BENCH_METHODS = ("campaign", "genesis", "ax", "baybe", "forest", "random", "sobol")
"""`campaign` is the campaign's own planner with its settings; the rest are those of `genesis bench campaigns`."""
MAX_BENCH_RUNS = 500
"""The most runs one request may ask for, all methods together (ask again to add more; kept runs are skipped)."""


def parse_bench_runs(runs: Mapping[str, int]) -> dict[str, int]:
    """Method → runs, checked: known methods, 0 to 500 runs each, at least one run in all.

    Raises:
        InvalidInput: the message says what to change.
    """
    unknown = sorted(set(runs) - set(BENCH_METHODS))
    if unknown:
        raise InvalidInput(f"unknown benchmark method(s) {', '.join(unknown)}; choose {', '.join(BENCH_METHODS)}")
    bad = [m for m, n in runs.items() if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= 500]
    if bad:
        raise InvalidInput(f"runs of {', '.join(sorted(bad))} must be whole numbers from 0 to 500")
    counts = {m: n for m, n in runs.items() if n > 0}
    if not counts:
        raise InvalidInput("ask for at least one run, e.g. campaign=10")
    if sum(counts.values()) > MAX_BENCH_RUNS:
        raise InvalidInput(
            f"at most {MAX_BENCH_RUNS} runs in one request, not {sum(counts.values())}; "
            "ask again to add more (kept runs are skipped)"
        )
    for method in counts:
        if method in ("ax", "baybe"):
            bench_version(method)  # not installed: say so before anything runs
    return counts


def bench_version(method: str) -> str:
    """The code version of a method's runs (`campaign` runs the platform's planners).

    Raises:
        InvalidInput: a competitor that is not installed here.
    """
    from importlib.metadata import PackageNotFoundError

    try:
        return method_version("genesis" if method == "campaign" else method)
    except PackageNotFoundError:
        raise InvalidInput(f"{method} is not installed here; pip install 'genesis-platform[bench]'") from None


def data_digest(problem: PoolProblem) -> str:
    """A short digest of the pool's points and values: runs kept on other data are not mixed with these."""
    points = [problem.space.key(p) for p in problem.space.pool_points()]
    return hashlib.sha256(repr((points, problem.values.tolist())).encode()).hexdigest()[:10]


def bench_method(method: str, spec: CampaignSpec) -> PoolMethod:
    """The method object for a name (see `BENCH_METHODS`)."""
    if method == "campaign":
        return PlannerMethod(spec.planner, dict(spec.planner_settings), label="campaign")
    return method_by_name(method)


def bench_problem(spec: CampaignSpec, rows: Sequence[Mapping[str, str]], name: str) -> PoolProblem:
    """The campaign's pool as a benchmark problem, valued from the dataset's rows.

    Each pool point is worth the mean of its distinct measured values (replicates pooled, as the protocol
    does); the objective is renamed `objective`, which is what the protocol's methods are told.

    Raises:
        InvalidInput: the campaign has no pool, several objectives or outcome constraints, or a pool point the
            rows do not measure.
    """
    space = spec.space
    if space.pool is None:
        raise InvalidInput("a benchmark replays a finite pool; this campaign's space has none")
    if len(space.objectives) != 1 or space.outcome_constraints:
        raise InvalidInput(
            "the benchmark protocol scores one objective without outcome constraints; this campaign has "
            f"{len(space.objectives)} objective(s) and {len(space.outcome_constraints)} outcome constraint(s)"
        )
    objective = space.objectives[0]
    measured: dict[tuple[Any, ...], set[float]] = {}
    for i, row in enumerate(rows):
        if any(p not in row for p in space.parameter_names) or objective.name not in row:
            raise InvalidInput(f"row {i + 1} of the dataset lacks a parameter or {objective.name!r}")
        try:
            value = float(row[objective.name])
            point = space.validate_point({p: row[p] for p in space.parameter_names})
        except ValueError as error:
            raise InvalidInput(f"row {i + 1} of the dataset: {error}") from None
        if math.isfinite(value):
            measured.setdefault(space.key(point), set()).add(value)
    points = space.pool_points()
    missing = sum(1 for p in points if space.key(p) not in measured)
    if missing:
        raise InvalidInput(f"{missing} pool point(s) have no measured {objective.name} in the dataset")
    if len(points) < 3:
        raise InvalidInput("the benchmark needs a pool of at least 3 points")
    values = np.array([float(np.mean(sorted(measured[space.key(p)]))) for p in points])
    renamed = space.model_copy(update={"objectives": (Objective(name="objective", direction=objective.direction),)})
    return PoolProblem(name, renamed, values, objective.direction, space.pool.source or "")


def bench_summary(problem: PoolProblem, runs: Mapping[str, Sequence[RunResult]]) -> dict[str, Any]:
    """AF, EF and pick latency per method (medians with 5-95 % bands), and the campaign against the others.

    The campaign's planner is compared with each other method on the seeds both ran (equal fold sizes and the
    same initial points), as docs/benchmarks.md compares the default planner with Ax and BayBE.
    """
    methods: dict[str, Any] = {}
    for method, results in runs.items():
        if not results:
            continue
        s = summarise(problem, results)
        seconds = [x for r in results for x in r.seconds]
        methods[method] = {
            "runs": len(results),
            "af": {str(a): _band(b) for a, b in s.af.items()},
            "ef": {str(i): _band(b) for i, b in s.ef.items()},
            "median_seconds_per_pick": float(np.median(seconds)) if seconds else None,
            "top_curve": s.top_curve,
        }
    versus: dict[str, Any] = {}
    ours = {r.seed: r for r in runs.get("campaign", ())}
    for rival, results in runs.items():
        shared = sorted(set(ours) & {r.seed for r in results}) if rival != "campaign" else []
        if not shared:
            continue
        theirs = {r.seed: r for r in results}
        af = [summarise(problem, [m[seed] for seed in shared]).af.get(0.8) for m in (ours, theirs)]
        versus[rival] = {
            "seeds": len(shared),
            "campaign_af_0.8": af[0][0] if af[0] else None,
            f"{rival}_af_0.8": af[1][0] if af[1] else None,
            # None where neither reached Top% 0.8 in the fold medians: nothing to compare
            "at_least": None
            if af[0] is None and af[1] is None
            else af[1] is None or (af[0] is not None and af[0][0] >= af[1][0]),
        }
    return {
        "pool_size": problem.size,
        "top_set": problem.n_top,
        "random": {"af": 1.0, "ef": 1.0, "note": "the exact expectation of random picks, no runs needed"},
        "methods": methods,
        "versus": versus,
    }


def _band(band: tuple[float, float, float] | None) -> dict[str, float] | None:
    return None if band is None else {"median": band[0], "p5": band[1], "p95": band[2]}
