"""Discovery benchmark: the Liang et al. 2021 pool protocol, Genesis's planners beside Ax and BayBE, in one run.

For each pool and method, seeded runs (2 random initial points, one pick per cycle) until the run has made 50
picks and found 80 % of the top 5 %; AF and EF with 5-95 % bands by the paper's fold scheme; then the time of one
suggestion mid-campaign at 10, 50 and 200 observations for batches of 1 and 4 on the largest pool.
Results accumulate in benchmarks/results/campaigns.json (resumable: rerun to continue an interrupted suite);
the tables are written into docs/benchmarks.md between the campaign markers.

    python benchmarks/campaigns.py                       # the documented suite (what `make bench` runs)
    python benchmarks/campaigns.py --method genesis --jobs 2   # after a planner change: its runs, by the plan
    python benchmarks/campaigns.py --pool alkox --runs ax=20     # top up one pool and method
    python benchmarks/campaigns.py --pool alkox --runs ax=20 --from-seed 10   # seeds 10-19 only, beside another

Without --runs each pool gets the counts the suite docs/benchmarks.md reports (`PLAN`: the 20 pools of the table,
genesis 50 runs on each, Ax and BayBE 50 on the four pools where an Ax run takes seconds and 20 on the rest; a pool
outside the table gets the protocol's genesis 50, ax 20, baybe 20); --runs METHOD=N gives N on every pool named, to
the methods named; --method keeps only the methods named. The tables always show every method with results for
the current code on the pools named (the table's 20 by default).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path

from genesis_platform.discovery.harness import (
    METHODS,
    latency_suite,
    parse_runs,
    quiet_libraries,
    render_markdown,
    run_suite,
)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks/results/campaigns.json"
LATENCY = ROOT / "benchmarks/results/latency.json"

FAST = ("fullerenes", "alkox", "suzuki", "benchmarks/pools/colors_n9")
"""Pools where an Ax run takes 15 s or less here: every method gets the protocol's 50 runs."""
TABLE_POOLS = (
    # the five Liang et al. datasets, then the three Olympus pools chosen before any tuning (categorical,
    # categorical with continuous inputs, mixture), then held-out pools in the order they were added
    *("crossed_barrel", "perovskite", "agnp", "p3ht", "autoam", "perovskites", "colors_bob", "suzuki_i"),
    *("fullerenes", "alkox", "suzuki", "snar", "benzylation"),
    *(f"benchmarks/pools/{name}" for name in ("colors_n9", "liquid_water", "liquid_dce", "suzuki_ii")),
    *(f"benchmarks/pools/{name}" for name in ("suzuki_iii", "suzuki_iv", "liquid_toluene")),
)
PLAN = {pool: {"genesis": 50, **dict.fromkeys(("ax", "baybe"), 50 if pool in FAST else 20)} for pool in TABLE_POOLS}
"""Runs per pool and method of the suite docs/benchmarks.md reports: the protocol's 50 for the default planner,
and for the competitors where a run takes seconds; 20 for a slow competitor."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pool", action="append", help="built-in pool name or path (repeatable; default: the table's 20, by PLAN)"
    )
    parser.add_argument(
        "--runs", action="append", default=[], help="METHOD=N seeded runs (repeatable; only the methods named run)"
    )
    parser.add_argument("--method", action="append", help="run only this method (repeatable), with the plan's counts")
    parser.add_argument("--latency", action="store_true", help="also time suggestions at 10/50/200 observations")
    parser.add_argument("--latency-pool", default="crossed_barrel")
    parser.add_argument("--latency-repeats", type=int, default=3, help="seeds timed per size and batch (median)")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--doc", type=Path, default=ROOT / "docs/benchmarks.md", help="Markdown file to update")
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite the doc")
    parser.add_argument("--jobs", type=int, default=1, help="runs at once in worker processes")
    parser.add_argument(
        "--from-seed",
        type=int,
        default=0,
        help="skip the seeds below this one (share a pool's runs between processes: --runs ax=12 in one, "
        "--runs ax=20 --from-seed 12 in another)",
    )
    parser.add_argument(
        "--verbose", action="store_true", help="let the libraries log (Ax writes a line per trial) and warn"
    )
    parser.add_argument("--render-only", action="store_true", help="only rewrite the tables from the results")
    parser.add_argument("--latency-results", type=Path, default=LATENCY, help="latency results file")
    args = parser.parse_args()
    pools = tuple(args.pool or TABLE_POOLS)
    protocol = {"genesis": 50, "ax": 20, "baybe": 20}
    try:
        runs = parse_runs(args.runs) if args.runs else None
        unknown = sorted(set(args.method or ()) - set(METHODS))
        if unknown:
            raise ValueError(f"unknown method(s) {', '.join(unknown)}; choose from {', '.join(METHODS)}")
    except ValueError as error:
        sys.exit(str(error))
    plan = {pool: runs if runs is not None else PLAN.get(pool, protocol) for pool in pools}
    plan = {
        pool: {m: n for m, n in counts.items() if n > 0 and (not args.method or m in args.method)}
        for pool, counts in plan.items()
    }

    def say(line: str) -> None:
        print(line, flush=True)

    quiet = not args.verbose
    with quiet_libraries() if quiet else contextlib.nullcontext():
        if not args.render_only:
            for counts in sorted({tuple(sorted(c.items())) for c in plan.values() if c}):
                group = tuple(pool for pool in pools if tuple(sorted(plan[pool].items())) == counts)
                run_suite(
                    args.results,
                    group,
                    dict(counts),
                    progress=say,
                    jobs=args.jobs,
                    first_seed=args.from_seed,
                    quiet=quiet,
                )
        if args.latency and not args.render_only:
            latency_suite(
                args.latency_results,
                args.latency_pool,
                [m for m in ("genesis", "ax", "baybe") if any(m in counts for counts in plan.values())],
                repeats=args.latency_repeats,
                progress=say,
            )
    data = json.loads(args.results.read_text()) if args.results.is_file() else {"runs": []}
    if args.latency_results.is_file():
        data["latency"] = json.loads(args.latency_results.read_text()).get("latency", [])
    lines = render_markdown(data, pools, METHODS)
    print("\n".join(lines))
    if not args.no_doc:
        _replace_block(args.doc, "campaigns", lines)


def _replace_block(doc: Path, name: str, lines: list[str]) -> None:
    text = doc.read_text()
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    if start not in text:
        sys.exit(f"{doc} has no {start} marker")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    doc.write_text(head + start + "\n" + "\n".join(lines) + "\n" + end + tail)


if __name__ == "__main__":
    main()
