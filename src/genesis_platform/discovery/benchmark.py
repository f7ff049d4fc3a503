"""The pool-based benchmark protocol of Liang et al. 2021 (npj Comput. Mater. 7, 188), sans I/O where it can be.

A benchmark pool is a finite table of measured points (`PoolProblem`), read from a CSV with a small spec or
from the Olympus layout (`data.csv` without header + `config.json`). Replicates are pooled: rows with equal
inputs become one point whose value is the mean of its distinct measurements, as the paper's notebooks do.

One run: two random initial points, then one pick per cycle from the untried pool. A run stops once it has
made at least `min_picks` picks and found `stop_at` of the top set (the best `ceil(5 %)` of the pool), or the
pool is exhausted; a stopped run keeps its last Top% afterwards, which can only delay its curve, the same way
for every method.

Metrics (`summarise`): Top%(i), the fraction of the top set found after i picks; the random baseline is its
exact expectation i/N; the enhancement factor EF(i) = Top%(i) / (i/N); the acceleration factor
AF(a) = (a N) / (first i where Top%(i) >= a). As in the paper, runs are split at random into 5 folds
(100 times), Top% is averaged within a fold and rounded to a 0.005 grid, and the 500 fold values give the
median and the 5-95 % band.
"""

from __future__ import annotations

import csv
import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import yaml

from genesis_platform.discovery.planner import Observation, make_planner
from genesis_platform.discovery.space import Categorical, Continuous, DesignSpace, Direction, Objective, Pool
from genesis_platform.kernel.errors import InvalidInput

__all__ = [
    "BUILTIN_POOLS",
    "MethodRun",
    "PlannerMethod",
    "PoolMethod",
    "PoolProblem",
    "RunResult",
    "Summary",
    "builtin_pool",
    "load_pool",
    "run_method",
    "suggestion_latency",
    "summarise",
]


@dataclass(frozen=True)
class PoolProblem:
    """A finite benchmark pool.

    Attributes:
        name: a short label.
        space: the design space, with the pool as its candidates.
        values: the objective of each pool point, in pool order.
        direction: whether bigger is better.
        source: where the data came from.
    """

    name: str
    space: DesignSpace
    values: np.ndarray
    direction: Direction
    source: str = ""

    @property
    def size(self) -> int:
        """The number of pool points, N."""
        return len(self.values)

    @property
    def n_top(self) -> int:
        """The size of the top set, ceil(5 % of N)."""
        return math.ceil(0.05 * self.size)

    def top_set(self) -> set[int]:
        """Indices of the best `n_top` points."""
        order = np.argsort(-self.values if self.direction is Direction.MAXIMIZE else self.values, kind="stable")
        return {int(i) for i in order[: self.n_top]}

    def features(self) -> np.ndarray:
        """The pool's model features."""
        return self.space.encode(self.space.pool_points())


_DATA = Path(__file__).resolve().parent.parent
BUILTIN_POOLS: dict[str, tuple[Path, str | None]] = {
    # Liang et al. 2021's five datasets with the paper's goals (AgNP's loss is minimised there).
    "crossed_barrel": (_DATA / "catalog/data/pv_lab_benchmarking/Crossed_barrel_dataset.csv", "maximize"),
    "perovskite": (_DATA / "catalog/data/pv_lab_benchmarking/Perovskite_dataset.csv", "minimize"),
    "agnp": (_DATA / "catalog/data/pv_lab_benchmarking/AgNP_dataset.csv", "minimize"),
    "p3ht": (_DATA / "catalog/data/pv_lab_benchmarking/P3HT_dataset.csv", "maximize"),
    "autoam": (_DATA / "catalog/data/pv_lab_benchmarking/AutoAM_dataset.csv", "maximize"),
    # Olympus datasets, with their `default_goal`.
    **{
        name: (_DATA / "discovery/data/olympus" / name, None)
        for name in ("perovskites", "colors_bob", "suzuki_i", "fullerenes", "alkox", "suzuki", "snar", "benzylation")
    },
}
"""Benchmark pools that ship with the package: name → (path, goal override)."""


def builtin_pool(name: str) -> PoolProblem:
    """A shipped benchmark pool by name (see `BUILTIN_POOLS`).

    Raises:
        InvalidInput: no such pool.
    """
    if name not in BUILTIN_POOLS:
        raise InvalidInput(f"no built-in pool {name!r}; choose one of {', '.join(BUILTIN_POOLS)} or give a path")
    path, goal = BUILTIN_POOLS[name]
    problem = load_pool(path, goal)
    return PoolProblem(name, problem.space, problem.values, problem.direction, problem.source)


def load_pool(path: str | Path, goal: str | None = None, descriptors: bool = False) -> PoolProblem:
    """Read a benchmark pool.

    `path` is an Olympus dataset folder (`data.csv` + `config.json`, optional `descriptors.csv`), a CSV whose
    last column is the objective (header row required), or a YAML spec naming a CSV::

        csv: P3HT_dataset.csv        # relative to the spec
        inputs: [a, b, c]            # default: every column but the objective
        objective: conductivity      # default: the last column
        direction: maximize          # or minimize (default maximize)
        categorical: [solvent]       # columns to treat as categories (default: non-numeric ones)

    Args:
        path: the folder, CSV or spec.
        goal: overrides the direction (`maximize` or `minimize`).
        descriptors: give categorical parameters the descriptors of an Olympus `descriptors.csv` (off by
            default: on the Olympus perovskites the default planner found the top 5 % about five times faster
            with one-hot categories than with the 14 descriptors, over 3 seeds each).

    Raises:
        InvalidInput: the files are missing or malformed.
    """
    path = Path(path)
    if path.is_dir():
        return _load_olympus(path, goal, descriptors)
    if not path.is_file():
        raise InvalidInput(f"{path}: no such benchmark dataset (give a CSV, a YAML spec or an Olympus folder)")
    if path.suffix in (".yaml", ".yml"):
        spec = yaml.safe_load(path.read_text()) or {}
        if not isinstance(spec, dict) or "csv" not in spec:
            raise InvalidInput(f"{path}: a benchmark spec needs a `csv` entry")
        return _load_csv(
            path.parent / str(spec["csv"]),
            inputs=spec.get("inputs"),
            objective=spec.get("objective"),
            direction=goal or spec.get("direction", "maximize"),
            categorical=spec.get("categorical"),
            name=str(spec.get("name", path.stem)),
        )
    return _load_csv(path, direction=goal or "maximize", name=path.stem)


def _load_csv(
    path: Path,
    inputs: Sequence[str] | None = None,
    objective: str | None = None,
    direction: str = "maximize",
    categorical: Sequence[str] | None = None,
    name: str = "",
) -> PoolProblem:
    if not path.is_file():
        raise InvalidInput(f"{path}: the benchmark CSV does not exist")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = [c.strip() for c in reader.fieldnames or []]
        records = [{k.strip(): (v or "").strip() for k, v in row.items() if k is not None} for row in reader]
    if len(columns) < 2 or not records:
        raise InvalidInput(f"{path}: a benchmark CSV needs a header, input columns, an objective column and rows")
    objective = objective or columns[-1]
    inputs = list(inputs or [c for c in columns if c != objective])
    unknown = [c for c in [*inputs, objective] if c not in columns]
    if unknown:
        raise InvalidInput(f"{path}: no column(s) {', '.join(unknown)}; columns are {', '.join(columns)}")
    table = [[r[c] for c in inputs] for r in records]
    try:
        y = [float(r[objective]) for r in records]
    except ValueError:
        raise InvalidInput(f"{path}: objective column {objective!r} has non-numeric values") from None
    kinds = set(categorical or [c for i, c in enumerate(inputs) if not _numeric(row[i] for row in table)])
    return _problem(name or path.stem, inputs, table, y, kinds, _direction(direction), str(path), {})


def _load_olympus(folder: Path, goal: str | None, with_descriptors: bool) -> PoolProblem:
    config_path, data_path = folder / "config.json", folder / "data.csv"
    if not config_path.is_file() or not data_path.is_file():
        raise InvalidInput(f"{folder}: an Olympus dataset folder holds data.csv and config.json")
    config = json.loads(config_path.read_text())
    params = config["parameters"]
    inputs = [p["name"] for p in params]
    with data_path.open(newline="") as handle:
        rows = [r for r in csv.reader(handle) if r]
    if rows and all(cell.strip().isdigit() for cell in rows[0]):  # a column-index header (liquid_dce)
        rows = rows[1:]
    table = [r[: len(inputs)] for r in rows]
    y = [float(r[len(inputs)]) for r in rows]
    descriptors: dict[str, dict[str, tuple[float, ...]]] = {}
    desc_path = folder / "descriptors.csv"
    if with_descriptors and desc_path.is_file():
        descriptors = _olympus_descriptors(desc_path, params)
    categorical = {p["name"] for p in params if p["type"] == "categorical"}
    default = config.get("default_goal", "maximize")
    # Several measurements give several goals; the first measurement is the objective.
    direction = _direction(goal or (default[0] if isinstance(default, list) else default))
    return _problem(folder.name, inputs, table, y, categorical, direction, str(folder), descriptors)


def _olympus_descriptors(path: Path, params: list[dict[str, Any]]) -> dict[str, dict[str, tuple[float, ...]]]:
    # Rows are `parameter,option,descriptor,value`; descriptors come in the order the config lists them.
    order = {p["name"]: list(p.get("descriptors", [])) for p in params if p["type"] == "categorical"}
    table: dict[str, dict[str, dict[str, float]]] = {}
    with path.open(newline="") as handle:
        for row in csv.reader(handle):
            if len(row) == 4 and row[0] in order:
                try:
                    table.setdefault(row[0], {}).setdefault(row[1], {})[row[2]] = float(row[3])
                except ValueError:
                    continue
    out: dict[str, dict[str, tuple[float, ...]]] = {}
    for name, options in table.items():
        wanted = order[name]
        if wanted and all(all(d in values for d in wanted) for values in options.values()):
            out[name] = {option: tuple(values[d] for d in wanted) for option, values in options.items()}
    return out


def _numeric(values: Any) -> bool:
    try:
        for v in values:
            float(v)
    except ValueError:
        return False
    return True


def _direction(text: str) -> Direction:
    aliases = {"max": "maximize", "maximise": "maximize", "min": "minimize", "minimise": "minimize"}
    try:
        return Direction(aliases.get(str(text).lower(), str(text).lower()))
    except ValueError:
        raise InvalidInput(f"direction must be maximize or minimize, not {text!r}") from None


def _problem(
    name: str,
    inputs: list[str],
    table: list[list[str]],
    y: list[float],
    categorical: set[str],
    direction: Direction,
    source: str,
    descriptors: Mapping[str, Mapping[str, tuple[float, ...]]],
) -> PoolProblem:
    # Liang et al.: one point per distinct input, valued at the mean of its distinct measurements.
    groups: dict[tuple[str | float, ...], list[float]] = {}
    for row, value in zip(table, y, strict=True):
        key = tuple(v if c in categorical else float(v) for c, v in zip(inputs, row, strict=True))
        groups.setdefault(key, []).append(value)
    keys = list(groups)
    values = np.array([float(np.mean(sorted(set(groups[k])))) for k in keys])
    parameters: list[Any] = []
    for j, c in enumerate(inputs):
        column = [k[j] for k in keys]
        if c in categorical:
            options = tuple(sorted({str(v) for v in column}))
            desc = descriptors.get(c) or {}
            usable = {o: desc[o] for o in options} if desc and all(o in desc for o in options) else None
            parameters.append(Categorical(name=c, options=options, descriptors=usable))
        else:
            lo, hi = min(float(v) for v in column), max(float(v) for v in column)
            parameters.append(Continuous(name=c, low=lo, high=hi if hi > lo else lo + 1.0))
    rows = tuple({c: (str(k[j]) if c in categorical else k[j]) for j, c in enumerate(inputs)} for k in keys)
    space = DesignSpace(
        parameters=tuple(parameters),
        objectives=(Objective(name="objective", direction=direction),),
        pool=Pool(rows=rows, source=source),
    )
    return PoolProblem(name, space, values, direction, source)


# --- methods ---------------------------------------------------------------------------------------------


class PoolMethod(Protocol):
    """A way of choosing pool points: the platform's planners and the competitors implement it.

    Contract: `start` begins one seeded run; the returned session's `ask(q)` gives `q` distinct untried pool
    indices and `tell(indices, values)` reports their objective values (raw, in the problem's direction).
    """

    label: str

    def start(self, problem: PoolProblem, seed: int) -> MethodRun:
        """Begin a run."""
        ...


class MethodRun(Protocol):
    """One run of a `PoolMethod`."""

    def ask(self, q: int) -> list[int]:
        """Pick `q` untried pool indices."""
        ...

    def tell(self, indices: Sequence[int], values: Sequence[float]) -> None:
        """Report measured values of earlier picks."""
        ...


@dataclass
class PlannerMethod:
    """A Genesis planner used as a `PoolMethod`.

    Attributes:
        planner: the registered planner name.
        settings: its constructor settings.
        label: what the results table calls it.
    """

    planner: str
    settings: dict[str, Any] = field(default_factory=dict)
    label: str = ""

    def __post_init__(self) -> None:
        self.label = self.label or f"genesis {self.planner}"

    def start(self, problem: PoolProblem, seed: int) -> MethodRun:
        """Begin a run with a fresh planner seeded by `seed`."""
        return _PlannerRun(problem, make_planner(self.planner, problem.space, seed=seed, **self.settings))


class _PlannerRun:
    def __init__(self, problem: PoolProblem, planner: Any) -> None:
        self.problem = problem
        self.planner = planner
        self.points = problem.space.pool_points()
        self.index = {problem.space.key(p): i for i, p in enumerate(self.points)}

    def ask(self, q: int) -> list[int]:
        return [self.index[self.problem.space.key(p)] for p in self.planner.suggest(q)]

    def tell(self, indices: Sequence[int], values: Sequence[float]) -> None:
        self.planner.observe(
            [
                Observation(point=self.points[i], values={"objective": float(v)})
                for i, v in zip(indices, values, strict=True)
            ]
        )


@dataclass(frozen=True)
class RunResult:
    """The picks of one run, in order, and the time spent choosing them.

    Attributes:
        seed: the run's seed.
        picks: pool indices in the order tried (the initial points first).
        seconds: wall time of each `ask` after the initial points.
    """

    seed: int
    picks: tuple[int, ...]
    seconds: tuple[float, ...]


def run_method(
    method: PoolMethod,
    problem: PoolProblem,
    seed: int,
    initial: int = 2,
    stop_at: float = 0.8,
    min_picks: int = 50,
    max_picks: int | None = None,
) -> RunResult:
    """One run of the protocol (see the module docstring)."""
    rng = np.random.default_rng(seed)
    top = problem.top_set()
    need = math.ceil(stop_at * len(top) - 1e-9)
    limit = min(max_picks or problem.size, problem.size)
    run = method.start(problem, seed)
    picks = [int(i) for i in rng.choice(problem.size, size=initial, replace=False)]
    run.tell(picks, [float(problem.values[i]) for i in picks])
    seconds: list[float] = []
    while len(picks) < limit and not (len(picks) >= min_picks and len(top.intersection(picks)) >= need):
        start = time.perf_counter()
        chosen = run.ask(1)
        seconds.append(time.perf_counter() - start)
        if len(chosen) != 1 or chosen[0] in picks or not 0 <= chosen[0] < problem.size:
            raise RuntimeError(f"{method.label} picked {chosen}, not one untried pool point")
        picks.extend(chosen)
        run.tell(chosen, [float(problem.values[i]) for i in chosen])
    return RunResult(seed, tuple(picks), tuple(seconds))


@dataclass(frozen=True)
class Summary:
    """Protocol metrics of one method on one problem (medians with 5-95 % bands over fold resamples).

    Attributes:
        runs: how many runs.
        ef: picks → (median, p5, p95) of the enhancement factor.
        af: Top% level → (median, p5, p95) of the acceleration factor (None where a fold never got there).
        top_curve: the median Top% after each pick (1-based).
    """

    runs: int
    ef: dict[int, tuple[float, float, float]]
    af: dict[float, tuple[float, float, float] | None]
    top_curve: list[float]


def summarise(
    problem: PoolProblem,
    results: Sequence[RunResult],
    ef_at: Sequence[int] = (10, 25, 50),
    af_at: Sequence[float] = (0.5, 0.8),
    folds: int = 5,
    resamples: int = 100,
    seed: int = 0,
) -> Summary:
    """Top%, EF and AF of a set of runs by the paper's fold scheme (see the module docstring)."""
    top = problem.top_set()
    length = max(len(r.picks) for r in results)
    curves = np.empty((len(results), length))
    for k, r in enumerate(results):
        found = np.cumsum([1 if i in top else 0 for i in r.picks]) / len(top)
        curves[k, : len(found)] = found
        curves[k, len(found) :] = found[-1]
    folds = max(1, min(folds, len(results)))
    rng = np.random.default_rng(seed)
    ef_values: dict[int, list[float]] = {i: [] for i in ef_at}
    af_values: dict[float, list[float]] = {a: [] for a in af_at}
    picks = np.arange(1, length + 1)
    for _ in range(resamples):
        for part in np.array_split(rng.permutation(len(results)), folds):
            mean = np.round(curves[part].mean(axis=0) / 0.005) * 0.005
            for i in ef_at:
                if i <= length:
                    ef_values[i].append(float(mean[i - 1] / (i / problem.size)))
            for a in af_at:
                reached = np.nonzero(mean >= a - 1e-9)[0]
                af_values[a].append(a * problem.size / float(picks[reached[0]]) if len(reached) else math.nan)
    return Summary(
        runs=len(results),
        ef={i: _band(v) for i, v in ef_values.items() if v},
        af={a: (_band(v) if not any(math.isnan(x) for x in v) else None) for a, v in af_values.items()},
        top_curve=[float(x) for x in np.median(curves, axis=0)],
    )


def _band(values: Sequence[float]) -> tuple[float, float, float]:
    arr = np.asarray(values, dtype=float)
    return float(np.median(arr)), float(np.percentile(arr, 5)), float(np.percentile(arr, 95))


def suggestion_latency(
    method: PoolMethod,
    problem: PoolProblem,
    observations: int,
    batch: int,
    seed: int = 0,
    clock: Callable[[], float] = time.perf_counter,
) -> float:
    """Seconds one `ask(batch)` takes mid-campaign with `observations` results already told.

    The method is told `observations - 1` random points, asked once (untimed, so warm starts are in place as
    they would be in a running campaign), told one more, then timed.
    """
    rng = np.random.default_rng(seed)
    order = [int(i) for i in rng.permutation(problem.size)]
    if observations + batch + 1 > problem.size:
        raise InvalidInput(f"{problem.name} has {problem.size} points; too few for {observations} observations")
    run = method.start(problem, seed)
    told = order[: observations - 1]
    run.tell(told, [float(problem.values[i]) for i in told])
    warm = run.ask(1)
    run.tell(warm, [float(problem.values[i]) for i in warm])
    start = clock()
    run.ask(batch)
    return clock() - start
