"""The campaign benchmark suite: many seeded protocol runs per method and pool, kept in a resumable results file.

`run_suite` runs every (pool, method, seed) that the results file lacks, seeds in the outer loop so an
interrupted suite still has balanced results, and adds each run to the file atomically under a lock, merged with
what other suites wrote meanwhile: suites may run side by side, and stopping and starting again loses at most
the runs in progress. Results carry the planner version and settings; runs of
another version are not mixed into a table. `latency_suite` times suggestions mid-campaign, and
`render_markdown` turns both into the tables of `docs/benchmarks.md`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import math
import os
import tempfile
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from genesis_platform.discovery.benchmark import (
    PlannerMethod,
    PoolMethod,
    PoolProblem,
    RunResult,
    builtin_pool,
    load_pool,
    run_method,
    suggestion_latency,
    summarise,
)

__all__ = [
    "DEFAULT_POOLS",
    "METHODS",
    "latency_suite",
    "method_by_name",
    "method_version",
    "parse_runs",
    "quiet_libraries",
    "render_markdown",
    "run_suite",
    "worker_pool",
]

DEFAULT_POOLS = ("crossed_barrel", "perovskite", "agnp", "p3ht", "autoam", "perovskites", "colors_bob", "suzuki_i")
"""The five Liang et al. datasets, then Olympus pools with categorical inputs (with and without continuous ones)
and with a mixture (simplex) constraint."""


METHODS = ("genesis", "ax", "baybe", "forest", "random", "sobol")
"""Every method the suite can run, in table order: the default planner, the competitors, the other planners."""


def parse_runs(items: Sequence[str], methods: Sequence[str] = METHODS) -> dict[str, int]:
    """`METHOD=N` items (the `--runs` options) as method → runs.

    Raises:
        ValueError: an item that is not `METHOD=N`, or a method not in `methods`; the message says so.
    """
    counts: dict[str, int] = {}
    for item in items:
        method, sep, n = item.partition("=")
        if not sep or not n.isdigit():
            raise ValueError(f"--runs takes METHOD=N, e.g. {methods[0]}=10, not {item!r}")
        counts[method] = int(n)
    unknown = sorted(set(counts) - set(methods))
    if unknown:
        raise ValueError(f"unknown method(s) {', '.join(unknown)}; choose {', '.join(methods)}")
    return counts


def method_by_name(name: str) -> PoolMethod:
    """`genesis` (the default planner), `forest`, `random`, `ax` or `baybe`."""
    if name == "genesis":
        return PlannerMethod("botorch", label="genesis")
    if name in ("forest", "random", "sobol"):
        return PlannerMethod(name, label=f"genesis-{name}")
    from genesis_platform.discovery.competitors import AxMethod, BaybeMethod

    if name == "ax":
        return AxMethod()
    if name == "baybe":
        return BaybeMethod()
    raise ValueError(f"unknown method {name!r}; choose {', '.join(METHODS)}")


@functools.lru_cache(maxsize=32)
def _problem(name: str) -> PoolProblem:
    # Cached: the tables and the latency suite ask for the same pool many times.
    return builtin_pool(name) if "/" not in name and not name.endswith((".csv", ".yaml", ".yml")) else load_pool(name)


def method_version(method: str) -> str:
    """The version of the code behind a method's runs; any change to it starts a fresh set of runs.

    The protocol (benchmark.py) counts for every method, plus the planners for the platform's and the adapters
    and the installed package for the competitors.
    """
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256((root / "benchmark.py").read_bytes())
    if method not in ("genesis", "forest", "random", "sobol"):
        digest.update((root / "competitors.py").read_bytes())
        return f"{_competitor(method)}-{digest.hexdigest()[:8]}"
    for path in sorted([root / "planner.py", root / "space.py", *(root / "planners").glob("*.py")]):
        digest.update(path.read_bytes())
    return f"genesis-{digest.hexdigest()[:10]}"


def _shown_version(method: str) -> str | None:
    # The version whose results the tables show; None for a competitor that is not installed here.
    from importlib.metadata import PackageNotFoundError

    try:
        return method_version(method)
    except PackageNotFoundError:
        return None


def _competitor(method: str) -> str:
    from importlib.metadata import version

    return f"{'ax-platform' if method == 'ax' else 'baybe'}-{version('ax-platform' if method == 'ax' else 'baybe')}"


def _load(path: Path) -> dict[str, Any]:
    if path.is_file():
        data: dict[str, Any] = json.loads(path.read_text())
        return data
    return {"runs": [], "latency": []}


def _append(path: Path, key: str, row: dict[str, Any]) -> dict[str, Any]:
    """Add one result under a file lock, merging with what other suites wrote meanwhile; the file's content."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with (path.parent / f".{path.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = _load(path)
        data.setdefault(key, []).append(row)
        _save(path, data)
        return data


def _save(path: Path, data: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, separators=(",", ":"))
    os.replace(tmp, path)


def _one_run(pool: str, method: str, seed: int) -> dict[str, Any]:
    # A worker's job (module-level so process pools can import it); threads pinned to one per run.
    import torch

    torch.set_num_threads(1)
    result = run_method(method_by_name(method), _problem(pool), seed)
    return {"pool": pool, "method": method, "version": method_version(method), **asdict(result)}


@contextmanager
def quiet_libraries() -> Iterator[None]:
    """Keep library chatter (INFO logs such as Ax's line per trial, Python warnings) out of the output meanwhile.

    For long benchmark work whose progress and result say what happened; WARNING and ERROR log records still
    show. Ax gives each of its loggers its own level, so INFO is switched off for the whole process meanwhile
    (a caller that switched off more keeps it).
    """
    previous = logging.root.manager.disable
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.disable(max(previous, logging.INFO))
        try:
            yield
        finally:
            logging.disable(previous)


def worker_pool(jobs: int, quiet: bool = False) -> ProcessPoolExecutor:
    """Spawned worker processes for benchmark runs; with `quiet`, each starts with INFO logs and warnings off."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(jobs, mp_context=context, initializer=_quiet_worker if quiet else None)


def _quiet_worker() -> None:
    # A spawned worker starts with Python's default logging and warnings, not the parent's: quieten it here.
    logging.disable(logging.INFO)
    warnings.simplefilter("ignore")


def run_suite(
    results: Path,
    pools: Sequence[str],
    runs: Mapping[str, int],
    progress: Callable[[str], None] = lambda _: None,
    jobs: int = 1,
    first_seed: int = 0,
    quiet: bool = False,
) -> dict[str, Any]:
    """Run what `results` lacks: `runs[method]` seeded runs of each method on each pool.

    Args:
        results: the JSON results file (created if absent, extended otherwise).
        pools: built-in pool names or paths.
        runs: method name → number of runs (seeds 0..n-1).
        progress: called with a line after each run.
        jobs: runs at once, in worker processes (1: in this process). Per-pick timings are only comparable
            between methods measured with the same `jobs` on the same machine.
        first_seed: skip the seeds below it, so that suites in several processes can share a pool's runs
            (one with `{"ax": 12}`, another with `{"ax": 20}` from seed 12), each adding to the same file.
        quiet: keep the worker processes' library chatter (Ax's INFO lines, numerical warnings) off the
            terminal, as `quiet_libraries` does for the caller's own process; their errors still show.

    Returns:
        The whole results file's content.
    """
    data = _load(results)
    done = {(r["pool"], r["method"], r["version"], r["seed"]) for r in data["runs"]}
    for name in pools:
        _problem(name)  # a bad pool fails before any run starts
    todo = [
        (pool, method, seed)
        for seed in range(max(first_seed, 0), max(runs.values(), default=0))
        for pool in pools
        for method, count in runs.items()
        if seed < count and (pool, method, method_version(method), seed) not in done
    ]

    def keep(row: dict[str, Any]) -> None:
        nonlocal data
        data = _append(results, "runs", row)
        progress(f"{row['pool']} {row['method']} seed {row['seed']}: {len(row['picks'])} picks")

    if jobs <= 1:
        for job in todo:
            keep(_one_run(*job))
        return data
    import multiprocessing
    import signal
    import threading
    from concurrent.futures import as_completed

    # On SIGTERM or Ctrl-C the suite stops its workers (the runs in progress are lost, the finished ones are in the
    # file) instead of leaving them to run on, unseen, without a parent. A worker that dies (killed, out of memory)
    # breaks the pool: the runs left are reported as failed (retried next time) rather than waited for forever.
    def stop(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    main = threading.current_thread() is threading.main_thread()  # only the main thread may set a handler
    previous = signal.signal(signal.SIGTERM, stop) if main else None
    others = set(multiprocessing.active_children())
    try:
        with worker_pool(jobs, quiet) as pool_executor:
            futures = {pool_executor.submit(_one_run, *job): job for job in todo}
            try:
                for future in as_completed(futures):
                    try:
                        row = future.result()
                    except Exception as error:  # keep the other runs; the failed one is retried on the next call
                        progress(f"{' '.join(map(str, futures[future]))}: failed ({type(error).__name__}: {error})")
                    else:
                        keep(row)
            except BaseException:
                for future in futures:
                    future.cancel()
                for worker in set(multiprocessing.active_children()) - others:
                    worker.terminate()  # else leaving the block would wait for the runs in progress
                raise
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)
    return data


def latency_suite(
    results: Path,
    pool: str,
    methods: Sequence[str],
    observations: Sequence[int] = (10, 50, 200),
    batches: Sequence[int] = (1, 4),
    repeats: int = 3,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Time suggestions mid-campaign (`suggestion_latency`) for each method, size and batch; resumable too.

    Every method is timed on one thread (torch's intra-op pool, which BoTorch, Ax and BayBE all use), as the
    runs of `run_suite` are, so the ratios do not depend on how many cores happen to be idle.
    """
    import torch

    torch.set_num_threads(1)
    data = _load(results)
    problem = _problem(pool)
    done = {
        (r["pool"], r["method"], r["version"], r["observations"], r["batch"], r["seed"])
        for r in data.get("latency", [])
    }
    for seed in range(repeats):
        for n in observations:
            for q in batches:
                for method in methods:
                    version = method_version(method)
                    if (pool, method, version, n, q, seed) in done:
                        continue
                    seconds = suggestion_latency(method_by_name(method), problem, n, q, seed=seed)
                    row = {
                        "pool": pool,
                        "method": method,
                        "version": version,
                        "observations": n,
                        "batch": q,
                        "seed": seed,
                        "seconds": seconds,
                    }
                    data = _append(results, "latency", row)
                    progress(f"latency {method} n={n} q={q}: {seconds:.3f} s")
    return data


def render_markdown(data: Mapping[str, Any], pools: Sequence[str], methods: Sequence[str]) -> list[str]:
    """The AF/EF table per pool and the latency table, as Markdown lines."""
    lines = [
        "| pool | N | method | runs | AF @ Top% 0.5 | AF @ Top% 0.8 | EF @ 10 | EF @ 25 | EF @ 50 | median s / pick |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for pool in pools:
        problem = _problem(pool)
        for method in methods:
            results = list(_runs(data, pool, method).values())
            if not results:
                continue
            s = summarise(problem, results)
            ask = (
                float(np.median([x for r in results for x in r.seconds]))
                if any(r.seconds for r in results)
                else math.nan
            )
            lines.append(
                f"| {pool} | {problem.size} | {method} | {len(results)} | {_fmt(s.af.get(0.5))} "
                f"| **{_fmt(s.af.get(0.8))}** | {_fmt(s.ef.get(10))} | {_fmt(s.ef.get(25))} "
                f"| {_fmt(s.ef.get(50))} | {ask:.3f} |"
            )
        lines.append(f"| {pool} | {problem.size} | random (exact) | - | 1.00 | 1.00 | 1.00 | 1.00 | 1.00 | - |")
    lines += _paired_verdicts(data, pools)
    latency = [r for r in data.get("latency", []) if r["version"] == _shown_version(r["method"])]
    timed = [m for m in methods if any(r["method"] == m for r in latency)]
    if timed:
        ratio_head = " genesis / ax |" if {"genesis", "ax"} <= set(timed) else ""
        lines += [
            "",
            "| pool | observations | batch | " + " | ".join(f"{m} s" for m in timed) + " |" + ratio_head,
            "|---|---|---|" + "---|" * (len(timed) + bool(ratio_head)),
        ]
        keys = sorted({(r["pool"], r["observations"], r["batch"]) for r in latency})
        for pool, n, q in keys:
            med = {}
            for m in timed:
                v = [
                    r["seconds"]
                    for r in latency
                    if (r["pool"], r["observations"], r["batch"], r["method"]) == (pool, n, q, m)
                ]
                med[m] = float(np.median(v)) if v else math.nan
            ratio = f" {med['genesis'] / med['ax']:.2f} |" if ratio_head else ""
            lines.append(f"| {pool} | {n} | {q} | " + " | ".join(f"{med[m]:.3f}" for m in timed) + " |" + ratio)
    return lines


_RIVALS = ("ax", "baybe")


def _paired_verdicts(data: Mapping[str, Any], pools: Sequence[str]) -> list[str]:
    # AF depends on how many runs a fold averages: a run stops once it has 80 % of the top set, so a fold's
    # Top% reaches 0.8 only about when its slowest run does, and bigger folds wait longer. The platform's planner
    # is therefore compared with each competitor on the seeds both have run (equal fold sizes, the same initial
    # points), not on its own larger set.
    out = [
        "",
        "| pool | "
        + " | ".join(f"seeds shared with {m} | genesis AF @ 0.8 | {m} AF @ 0.8" for m in _RIVALS)
        + " | genesis |",
        "|---|" + "---|" * (3 * len(_RIVALS) + 1),
    ]
    for pool in pools:
        runs = {method: _runs(data, pool, method) for method in ("genesis", *_RIVALS)}
        if not runs["genesis"] or not any(runs[m] for m in _RIVALS):
            continue
        problem = _problem(pool)
        cells, behind, compared = [], [], []
        for rival in _RIVALS:
            shared = sorted(set(runs["genesis"]) & set(runs[rival]))
            if not shared:
                cells.append("- | - | -")
                continue
            ours, theirs = (_af80(problem, [runs[m][seed] for seed in shared]) for m in ("genesis", rival))
            compared.append(rival)
            if _ahead(theirs, ours):
                behind.append(rival)
            cells.append(f"{len(shared)} | {_fmt_af(ours)} | {_fmt_af(theirs)}")
        verdict = (
            "behind " + ", ".join(behind) if behind else "at least " + ("both" if len(compared) == 2 else compared[0])
        )
        out.append(f"| {pool} | " + " | ".join(cells) + f" | {verdict} |")
    return out if len(out) > 3 else []


def _runs(data: Mapping[str, Any], pool: str, method: str) -> dict[int, RunResult]:
    # The runs of `method` on `pool` made by the current code, by seed, in the order they were stored.
    version = _shown_version(method)
    return {
        r["seed"]: RunResult(r["seed"], tuple(r["picks"]), tuple(r["seconds"]))
        for r in data["runs"]
        if r["pool"] == pool and r["method"] == method and r["version"] == version
    }


def _af80(problem: PoolProblem, results: list[RunResult]) -> float | None:
    band = summarise(problem, results).af.get(0.8)
    return band[0] if band else None


def _fmt_af(value: float | None) -> str:
    return "not reached" if value is None else f"{value:.2f}"


def _ahead(theirs: float | None, ours: float | None) -> bool:
    # None: the fold median never reached Top% 0.8.
    if theirs is None:
        return False
    return ours is None or theirs > ours


def _fmt(band: tuple[float, float, float] | None) -> str:
    if band is None:
        return "not reached"
    return f"{band[0]:.2f} [{band[1]:.2f}, {band[2]:.2f}]"
