"""Model-free planners (uniform random, scrambled Sobol) and the feasible sampler the model-based ones share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from genesis_platform.discovery.planner import Planner, register
from genesis_platform.discovery.space import Categorical, DesignSpace, Point
from genesis_platform.kernel.errors import InvalidInput

__all__ = ["RandomPlanner", "SobolPlanner", "random_points", "sample_points"]

_MAX_TRIES = 50


def sample_points(space: DesignSpace, n: int, rng: np.random.Generator, unit: np.ndarray | None = None) -> list[Point]:
    """Draw `n` valid points, uniform over the feasible region (not for pools).

    Without constraints a point is drawn parameter by parameter (from `unit`, rows in [0, 1)^parameters, when
    given: that is how Sobol points are mapped). With linear or mixture constraints the numeric parameters are
    drawn by hit-and-run over the constraint polytope, which is uniform on it, and integers are rounded.

    Raises:
        InvalidInput: constraints with integers leave too few valid points to draw from.
    """
    numeric = [p for p in space.parameters if not isinstance(p, Categorical)]
    constrained = bool(space.linear_constraints())
    points: list[Point] = []
    for _attempt in range(_MAX_TRIES):
        need = n - len(points)
        u = unit[len(points) : n] if unit is not None and not constrained else rng.random((need, len(space.parameters)))
        raw = _polytope(space, numeric, need, rng) if constrained else None
        for i in range(need):
            point = space.from_unit(u[i])
            if raw is not None:
                point.update(raw[i])
            try:
                points.append(space.validate_point(point))
            except InvalidInput:
                continue
        if len(points) == n:
            return points
    raise InvalidInput("could not draw valid points: the constraints leave (almost) no integer points")


def _polytope(space: DesignSpace, numeric: list[Any], n: int, rng: np.random.Generator) -> list[dict[str, float | int]]:
    import torch
    from botorch.utils.sampling import get_polytope_samples

    index = {p.name: i for i, p in enumerate(numeric)}
    bounds = torch.tensor([[float(p.low) for p in numeric], [float(p.high) for p in numeric]], dtype=torch.double)
    ineq, eq = [], []
    for c in space.linear_constraints():
        idx = torch.tensor([index[name] for name in c.coefficients], dtype=torch.long)
        coef = torch.tensor(list(c.coefficients.values()), dtype=torch.double)
        if c.op == "==":
            eq.append((idx, coef, float(c.rhs)))
        elif c.op == ">=":
            ineq.append((idx, coef, float(c.rhs)))
        else:
            ineq.append((idx, -coef, -float(c.rhs)))
    samples = get_polytope_samples(
        n,
        bounds,
        inequality_constraints=ineq or None,
        equality_constraints=eq or None,
        seed=int(rng.integers(2**31 - 1)),
        n_burnin=200,
        n_thinning=4,
    )
    out: list[dict[str, float | int]] = []
    for row in samples.tolist():
        out.append(
            {
                p.name: (round(v) if p.kind == "integer" else min(max(v, p.low), p.high))
                for p, v in zip(numeric, row, strict=True)
            }
        )
    return out


def random_points(planner: Planner, n: int, pending: Sequence[Point], rng: np.random.Generator) -> list[Point]:
    """`n` uniform random choices: untried pool points without replacement, or feasible points of the space."""
    if not planner.space.is_pool:
        return sample_points(planner.space, n, rng)
    left = planner.untried(pending)
    chosen = rng.choice(len(left), size=n, replace=False)
    return [left[int(i)] for i in chosen]


@register
class RandomPlanner(Planner):
    """Uniform random points (untried pool points, without replacement, on a pool)."""

    name = "random"

    def _propose(self, n: int, pending: list[Point], rng: np.random.Generator, torch_seed: int) -> list[Point]:
        return random_points(self, n, pending, rng)


@register
class SobolPlanner(Planner):
    """A scrambled Sobol sequence over the parameters, continued across calls (space-filling designs).

    On a pool each Sobol point takes the nearest untried pool point; with constraints the Sobol structure
    cannot be kept and points are drawn uniformly over the feasible region instead.
    """

    name = "sobol"

    def _propose(self, n: int, pending: list[Point], rng: np.random.Generator, torch_seed: int) -> list[Point]:
        import torch

        engine = torch.quasirandom.SobolEngine(len(self.space.parameters), scramble=True, seed=self.seed)
        drawn = sum(1 for _ in self.observations) + len(pending)
        engine.fast_forward(drawn)
        unit = engine.draw(n, dtype=torch.double).numpy()
        if not self.space.is_pool:
            return sample_points(self.space, n, rng, unit=unit)
        left = self.untried(pending)
        feats = self.space.encode(left)
        targets = self.space.encode(sample_points(_unconstrained(self.space), n, rng, unit=unit))
        chosen: list[int] = []
        for t in targets:
            dist = ((feats - t) ** 2).sum(axis=1)
            dist[chosen] = np.inf
            chosen.append(int(np.argmin(dist)))
        return [left[i] for i in chosen]


def _unconstrained(space: DesignSpace) -> DesignSpace:
    return space.model_copy(update={"pool": None, "constraints": (), "mixtures": ()})
