"""Ax and BayBE as `PoolMethod`s, for side-by-side benchmarks (the `bench` extra installs them).

Each is used the way its documentation recommends for a finite candidate set:
- BayBE: `SearchSpace.from_dataframe` over the pool (exactly the allowed rows), its default recommender
  (random for the first point, then `BotorchRecommender`), and `allow_recommending_already_measured=False`
  so it picks untried rows. Categories with descriptors become `CustomDiscreteParameter`s carrying the same
  descriptors the platform's planner sees.
- Ax: the `Client` API with its default generation strategy. Ax has no finite-candidate search space, so each
  input becomes an ordered choice parameter over the pool's distinct values (a range parameter when a column
  has more than `max_choices` of them), and each suggestion is mapped to the nearest untried pool point in
  min-max scaled inputs; the suggested trial is marked abandoned and the pool point actually run is attached
  and completed, so Ax models what was measured. Its default strategy starts with `initialization_budget=5`
  quasi-random trials, counting the two attached initial points, so Ax makes three Sobol picks before its
  first model; that is its default and is kept.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from genesis_platform.discovery.benchmark import MethodRun, PoolProblem
from genesis_platform.discovery.space import Categorical, Direction

__all__ = ["AxMethod", "BaybeMethod"]


def _quiet() -> None:
    for name in ("ax", "baybe", "botorch", "pytorch_lightning"):
        logging.getLogger(name).setLevel(logging.ERROR)


@dataclass
class BaybeMethod:
    """BayBE 0.15 with its defaults on the pool (see the module docstring)."""

    label: str = "BayBE"

    def start(self, problem: PoolProblem, seed: int) -> MethodRun:
        """Begin a seeded BayBE campaign on the pool."""
        return _BaybeRun(problem, seed)


class _BaybeRun:
    def __init__(self, problem: PoolProblem, seed: int) -> None:
        import pandas as pd
        from baybe import Campaign
        from baybe.parameters import CategoricalParameter, CustomDiscreteParameter, NumericalDiscreteParameter
        from baybe.searchspace import SearchSpace
        from baybe.targets import NumericalTarget
        from baybe.utils.random import set_random_seed

        _quiet()
        set_random_seed(seed)
        self.problem = problem
        self.rows = problem.space.pool_points()
        self.frame = pd.DataFrame(self.rows)
        params: list[Any] = []
        for p in problem.space.parameters:
            if isinstance(p, Categorical) and p.descriptors:
                # BayBE's documented way to give categories descriptors (the same ones the platform's planner sees).
                table = pd.DataFrame.from_dict({o: list(v) for o, v in p.descriptors.items()}, orient="index")
                table.columns = [f"{p.name}_d{j}" for j in range(table.shape[1])]
                params.append(CustomDiscreteParameter(name=p.name, data=table))
            elif isinstance(p, Categorical):
                params.append(CategoricalParameter(name=p.name, values=p.options))
            else:
                params.append(NumericalDiscreteParameter(name=p.name, values=sorted(set(self.frame[p.name]))))
        space = SearchSpace.from_dataframe(self.frame, parameters=params)
        target = NumericalTarget(name="objective", minimize=problem.direction is Direction.MINIMIZE)
        self.campaign = Campaign(space, target, allow_recommending_already_measured=False)
        self.index = {problem.space.key(r): i for i, r in enumerate(self.rows)}

    def ask(self, q: int) -> list[int]:
        rec = self.campaign.recommend(batch_size=q)
        return [
            self.index[self.problem.space.key({str(k): v for k, v in row.items()})] for row in rec.to_dict("records")
        ]

    def tell(self, indices: Sequence[int], values: Sequence[float]) -> None:
        import pandas as pd

        frame = pd.DataFrame([self.rows[i] for i in indices])
        frame["objective"] = list(values)
        self.campaign.add_measurements(frame)


@dataclass
class AxMethod:
    """Ax 1.x `Client` with its default generation strategy (see the module docstring).

    Attributes:
        max_choices: a column with more distinct values than this becomes a range parameter.
    """

    label: str = "Ax"
    max_choices: int = 20

    def start(self, problem: PoolProblem, seed: int) -> MethodRun:
        """Begin a seeded Ax experiment over the pool's columns."""
        return _AxRun(problem, seed, self.max_choices)


class _AxRun:
    def __init__(self, problem: PoolProblem, seed: int, max_choices: int) -> None:
        from ax.api.client import Client
        from ax.api.configs import ChoiceParameterConfig, RangeParameterConfig

        _quiet()
        self.problem = problem
        self.rows = problem.space.pool_points()
        self.features = problem.features()
        self.tried: set[int] = set()
        self.client = Client(random_seed=seed)
        params: list[Any] = []
        for p in problem.space.parameters:
            values = sorted({r[p.name] for r in self.rows}, key=lambda v: (isinstance(v, str), v))
            if isinstance(p, Categorical):
                params.append(ChoiceParameterConfig(name=p.name, values=list(p.options), parameter_type="str"))
            elif len(values) <= max_choices:
                params.append(
                    ChoiceParameterConfig(
                        name=p.name, values=[float(v) for v in values], parameter_type="float", is_ordered=True
                    )
                )
            else:
                params.append(
                    RangeParameterConfig(name=p.name, bounds=(float(p.low), float(p.high)), parameter_type="float")
                )
        self.client.configure_experiment(parameters=params)
        sign = "-" if problem.direction is Direction.MINIMIZE else ""
        self.client.configure_optimization(objective=f"{sign}objective")

    def ask(self, q: int) -> list[int]:
        trials = self.client.get_next_trials(max_trials=q)
        chosen: list[int] = []
        for trial, params in trials.items():
            self.client.mark_trial_abandoned(trial_index=trial)
            target = self.problem.space.encode([params])[0]
            dist = ((self.features - target) ** 2).sum(axis=1)
            dist[list(self.tried | set(chosen))] = np.inf
            chosen.append(int(np.argmin(dist)))
        return chosen

    def tell(self, indices: Sequence[int], values: Sequence[float]) -> None:
        for i, v in zip(indices, values, strict=True):
            trial = self.client.attach_trial(parameters=dict(self.rows[i]))
            self.client.complete_trial(trial_index=trial, raw_data={"objective": float(v)})
            self.tried.add(i)
