"""A random-forest surrogate planner (scikit-learn), the strong model-agnostic baseline of Liang et al. 2021.

The forest's mean and the spread of its trees' predictions stand in for a posterior; expected improvement
(default) or an upper confidence bound ranks the candidates: every untried pool point, or a few thousand
feasible random points in continuous spaces. A batch takes the best-ranked points, each new pick counted as
pending with the forest's mean as its value (a "kriging believer" without refitting per pick would repeat
picks, so the forest is refitted with believed values). One objective, no outcome constraints.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from genesis_platform.discovery.planner import Planner, register
from genesis_platform.discovery.planners.basic import sample_points
from genesis_platform.discovery.space import DesignSpace, Point
from genesis_platform.kernel.errors import InvalidInput

__all__ = ["ForestPlanner"]


@register
class ForestPlanner(Planner):
    """Random-forest surrogate with EI or UCB (see the module docstring).

    Args:
        space: the design space (one objective, no outcome constraints).
        seed: the root of every random draw.
        acquisition: `ei` (default) or `ucb`.
        beta: the exploration weight of `ucb` (in standard deviations).
        trees: forest size.
        initial: random points before the first forest.
        candidates: random candidates per suggestion in continuous spaces.
    """

    name = "forest"

    def __init__(
        self,
        space: DesignSpace,
        seed: int = 0,
        acquisition: str = "ei",
        beta: float = 2.0,
        trees: int = 100,
        initial: int = 2,
        candidates: int = 2048,
    ) -> None:
        super().__init__(space, seed)
        if len(space.objectives) > 1 or space.outcome_constraints:
            raise InvalidInput("the forest planner handles one objective without outcome constraints")
        if acquisition not in ("ei", "ucb"):
            raise InvalidInput(f"unknown acquisition {acquisition!r}; choose ei or ucb")
        self.acquisition = acquisition
        self.beta = beta
        self.trees = trees
        self.initial = initial
        self.candidates = candidates

    def settings(self) -> dict[str, Any]:
        """The constructor settings."""
        return {
            "acquisition": self.acquisition,
            "beta": self.beta,
            "trees": self.trees,
            "initial": self.initial,
            "candidates": self.candidates,
        }

    def _propose(self, n: int, pending: list[Point], rng: np.random.Generator, torch_seed: int) -> list[Point]:
        from sklearn.ensemble import RandomForestRegressor

        x, y = self.training_data()
        pool = self.untried(pending) if self.space.is_pool else sample_points(self.space, self.candidates, rng)
        if len(x) < self.initial:
            return [pool[int(i)] for i in rng.choice(len(pool), size=n, replace=False)]
        feats = self.space.encode(pool)
        xs, ys = x, y[:, 0]
        chosen: list[int] = []
        for _ in range(n):
            forest = RandomForestRegressor(n_estimators=self.trees, random_state=int(rng.integers(2**31 - 1)), n_jobs=1)
            forest.fit(xs, ys)
            per_tree = np.stack([t.predict(feats) for t in forest.estimators_])
            mean, sd = per_tree.mean(axis=0), per_tree.std(axis=0) + 1e-9
            score = _ei(mean, sd, float(ys.max())) if self.acquisition == "ei" else mean + self.beta * sd
            score[chosen] = -np.inf
            best = int(np.argmax(score))
            chosen.append(best)
            xs = np.vstack([xs, feats[best]])
            ys = np.append(ys, mean[best])
        return [pool[i] for i in chosen]


def _ei(mean: np.ndarray, sd: np.ndarray, best: float) -> np.ndarray:
    from scipy.stats import norm

    z = (mean - best) / sd
    return np.asarray((mean - best) * norm.cdf(z) + sd * norm.pdf(z))
