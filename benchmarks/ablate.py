"""Planner ablations: a variant of the default planner against the stored runs, seed by seed, on chosen pools.

A change to the planner only lands once it helps where the default is behind and hurts nowhere (docs/benchmarks.md),
and re-running every stored genesis run costs about two core-hours here. This script answers the cheaper question
first: for each pool and seed it runs a variant until it has found 80 % of the top set (the protocol's stopping
target, without the 50-pick floor), then compares its picks with the stored runs of the default planner (made by
the current code), Ax and BayBE on the same seeds: mean picks, the slowest run, and on how many seeds it is faster
or slower. A variant is either constructor settings of the default planner (`--settings '{"hedge_eta": 0}'`) or a
named model variant defined here (`--variant linear-mean`), which need not be a planner setting yet. The
model before the categories' main effects (planner version 2) is `--settings '{"category_effects": false}'`.

    python benchmarks/ablate.py --pool benchmarks/pools/colors_n9 --variant linear-mean --seeds 0:50
    python benchmarks/ablate.py --pool autoam --settings '{"beta": 1.0}' --out /tmp/autoam.jsonl

One process runs one seed at a time on one thread; start several with disjoint `--seeds` to use more cores.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one thread per process, as the benchmark suite times methods

import numpy as np

from genesis_platform.discovery.benchmark import PlannerMethod, PoolProblem, run_method
from genesis_platform.discovery.harness import _load, _problem, _runs
from genesis_platform.discovery.planner import register
from genesis_platform.discovery.planners import bayes
from genesis_platform.discovery.planners.bayes import BayesianPlanner
from genesis_platform.discovery.space import Categorical

RESULTS = Path(__file__).resolve().parent / "results/campaigns.json"


def _centred_linear_kernel(dims: int) -> Any:
    """A linear kernel about the centre of the unit cube, one variance per input (ARD).

    Added to the Matern kernel, it is a linear mean whose weights are integrated out under a Normal(0, variance)
    prior, with the variances fitted by marginal likelihood: the evidence, not a point estimate, decides how much
    trend the data carry, so a space without one keeps (nearly) the constant-mean model.
    """
    from gpytorch.kernels import LinearKernel

    class _Centred(LinearKernel):  # type: ignore[misc]
        def forward(
            self, x1: Any, x2: Any, diag: bool = False, last_dim_is_batch: bool | None = False, **kw: Any
        ) -> Any:
            a, b = (x1 - 0.5) * self.variance.sqrt(), (x2 - 0.5) * self.variance.sqrt()
            if diag:
                return (a * b).sum(-1)
            return a @ b.transpose(-2, -1)  # dense: the low-rank sum with the Matern part is unstable

    return _Centred(ard_num_dims=dims)


class _MeanVariant(BayesianPlanner):
    """The default planner with another GP (its `_model`); these variants have no category offsets."""

    mean = "constant"
    prior_scale: float | None = None  # a Normal(0, scale) prior on the linear mean's weights; None: none

    def _model(self, x: Any, y: Any) -> Any:
        # Replaces the planner's model (its refit policy, warm starts and saved hyperparameters stay).
        from botorch.models import SingleTaskGP
        from botorch.models.transforms.outcome import Standardize
        from botorch.models.utils.gpytorch_modules import get_covar_module_with_dim_scaled_prior
        from gpytorch.means import LinearMean

        if y.shape[-1] != 1:
            raise SystemExit("the mean variants handle one objective")
        covar = get_covar_module_with_dim_scaled_prior(ard_num_dims=x.shape[-1], use_rbf_kernel=False)
        mean = LinearMean(x.shape[-1]) if self.mean == "linear" else None
        if mean is not None and self.prior_scale is not None:
            from gpytorch.priors import NormalPrior

            # Inputs lie in the unit cube and outcomes are standardised: a weight of 1 is one standard deviation
            # of the outcome across a variable's range.
            mean.register_prior("weights_prior", NormalPrior(0.0, self.prior_scale), "weights")
        if self.mean == "kernel":
            covar = covar + _centred_linear_kernel(x.shape[-1])
        return SingleTaskGP(x, y, covar_module=covar, mean_module=mean, outcome_transform=Standardize(m=1))


@register
class _LinearMean(_MeanVariant):
    """A linear mean: the GP carries the data's trend beyond it instead of reverting to a constant."""

    name = "ablate-linear-mean"
    mean = "linear"


@register
class _MeanSelect(_MeanVariant):
    """At each refit, the constant or the linear mean, whichever has the higher BIC-penalised marginal likelihood."""

    name = "ablate-mean-select"

    def _fit(self, x: Any, y: Any) -> Any:
        import torch
        from gpytorch.mlls import ExactMarginalLogLikelihood

        n = int(x.shape[0])
        if self._hyper is not None and not self._due(n):
            return super()._fit(x, y)
        best: tuple[float, str, Any, dict[str, Any] | None, int | None] | None = None
        for mean in ("constant", "linear"):
            self.mean, self._hyper = mean, None
            with contextlib.suppress(Exception):
                model = super()._fit(x, y)
                mll = ExactMarginalLogLikelihood(model.likelihood, model)
                model.train()
                with torch.no_grad():
                    loglik = float(mll(model(*model.train_inputs), model.train_targets)) * n
                model.eval()
                extra = x.shape[-1] if mean == "linear" else 0  # BIC: the linear mean's extra weights
                score = loglik - 0.5 * extra * math.log(n)
                if best is None or score > best[0]:
                    best = (score, mean, model, self._hyper, self._fitted_n)
        if best is None:
            raise RuntimeError("neither mean could be fitted")
        _, self.mean, model, self._hyper, self._fitted_n = best
        return model


@register
class _HedgeLinear(BayesianPlanner):
    """The default portfolio plus a fourth arm: LogEI under a second GP with a linear mean (one pick, no pending).

    The portfolio credits every arm, the fourth too, with the default model's posterior mean at its nominee, so
    a trend that misleads (the optimum inside the space) loses the arm its weight after a few picks.
    """

    name = "ablate-hedge-linear"

    def _hedge(
        self, model: Any, x: Any, y: np.ndarray, n: int, pending: list[Any], rng: np.random.Generator, seed: int
    ) -> list[Any]:
        import torch
        from botorch.acquisition.analytic import LogExpectedImprovement

        if not (self.space.is_pool and n == 1 and not pending):
            return super()._hedge(model, x, y, n, pending, rng, seed)
        helper = getattr(self, "_linear", None)
        if helper is None:
            helper = self._linear = _LinearMean(self.space, self.seed)
        linear = helper._fit(x, torch.as_tensor(y, dtype=torch.double).view(-1, 1))
        arms = ("qlognei", "logei", "ucb", "linear")
        gains = np.zeros(len(arms)) if self._gains is None else np.asarray(self._gains, dtype=float)
        if self._nominees is not None and len(self._nominees) == len(arms):
            with torch.no_grad():
                mean = model.posterior(torch.as_tensor(self._nominees, dtype=torch.double)).mean[..., 0].numpy()
            gains = gains + (mean - float(np.mean(y))) / (float(np.std(y)) or 1.0)
        picks = self._analytic_picks(model, x, n, pending)
        picks["qlognei"] = self._argmax_pool(self._acquisition(model, x, pending, seed), n, pending)
        with torch.no_grad():
            best = linear.posterior(x).mean[..., 0].max()
        picks["linear"] = self._argmax_pool(LogExpectedImprovement(linear, best_f=best), n, pending)
        weights = np.exp(self.hedge_eta * (gains - gains.max()))
        arm = int(rng.choice(len(arms), p=weights / weights.sum()))
        self._gains = [float(g) for g in gains]
        self._nominees = self.space.encode([picks[a][0] for a in arms]).tolist()
        return picks[arms[arm]]


@register
class _LinearShrunk(_LinearMean):
    """A linear mean whose weights have a Normal(0, `--prior-scale`) prior: a trend only where the data insist."""

    name = "ablate-linear-shrunk"
    prior_scale = 0.5


@register
class _LinearKernel(_MeanVariant):
    """A constant mean and a Matern plus centred linear (ARD) kernel: the linear trend integrated out."""

    name = "ablate-linear-kernel"
    mean = "kernel"


@register
class _CategoryPrior(BayesianPlanner):
    """The default's category offsets under a Normal(0, `--prior-scale`) prior (outcomes standardised)."""

    name = "ablate-category-prior"

    def _model(self, x: Any, y: Any) -> Any:
        from gpytorch.priors import NormalPrior

        model = super()._model(x, y)
        if self.category_effects and bayes._category_columns(self.space):
            model.mean_module.register_prior("weights_prior", NormalPrior(0.0, _LinearShrunk.prior_scale), "weights")
        return model


@register
class _CategoryKernel(BayesianPlanner):
    """A constant mean and Matern + a kernel that correlates points of the same option (random category effects).

    The offsets integrated out under a Normal(0, variance) prior whose variance the marginal likelihood fits.
    """

    name = "ablate-category-kernel"

    def _model(self, x: Any, y: Any) -> Any:
        from botorch.models import SingleTaskGP
        from botorch.models.transforms.outcome import Standardize
        from botorch.models.utils.gpytorch_modules import get_covar_module_with_dim_scaled_prior
        from gpytorch.kernels import LinearKernel

        where = self.space.feature_columns()
        columns = [
            c
            for p in self.space.parameters
            if isinstance(p, Categorical) and not p.descriptors
            for c in range(where[p.name][0], sum(where[p.name]))
        ]

        class _Same(LinearKernel):  # type: ignore[misc]
            def forward(self, x1: Any, x2: Any, diag: bool = False, **kw: Any) -> Any:
                a, b = x1[..., columns] * self.variance.sqrt(), x2[..., columns] * self.variance.sqrt()
                return (a * b).sum(-1) if diag else a @ b.transpose(-2, -1)

        covar = get_covar_module_with_dim_scaled_prior(ard_num_dims=x.shape[-1], use_rbf_kernel=False)
        if columns:
            covar = covar + _Same()
        return SingleTaskGP(x, y, covar_module=covar, outcome_transform=Standardize(m=y.shape[-1]))


VARIANTS = {
    "category-prior": _CategoryPrior.name,
    "category-kernel": _CategoryKernel.name,
    "linear-kernel": _LinearKernel.name,
    "linear-mean": _LinearMean.name,
    "linear-shrunk": _LinearShrunk.name,
    "mean-select": _MeanSelect.name,
    "hedge-linear": _HedgeLinear.name,
}


def picks_to_target(picks: list[int] | tuple[int, ...], problem: PoolProblem, target: float = 0.8) -> int:
    """How many picks (initial points included) a run needed to hold `target` of the top set; all it made if never."""
    top, need, found = problem.top_set(), math.ceil(target * problem.n_top - 1e-9), 0
    for i, pick in enumerate(picks, start=1):
        found += pick in top
        if found >= need:
            return i
    return len(picks)


def stored(data: Mapping[str, Any], pool: str, problem: PoolProblem) -> dict[str, dict[int, int]]:
    """Picks to 80 % per seed of the stored runs made by the current code, per method (the harness's own reading)."""
    return {
        method: {seed: picks_to_target(run.picks, problem) for seed, run in _runs(data, pool, method).items()}
        for method in ("genesis", "ax", "baybe")
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pool", action="append", required=True, help="built-in pool name or path (repeatable)")
    parser.add_argument("--seeds", default="0:20", help="seed range A:B (default 0:20)")
    parser.add_argument("--variant", choices=sorted(VARIANTS), help="a named model variant (see the classes here)")
    parser.add_argument(
        "--prior-scale",
        type=float,
        default=0.5,
        help="linear-shrunk, category-prior: the prior scale of the mean's weights (default 0.5)",
    )
    parser.add_argument("--settings", default="{}", help="constructor settings as JSON, e.g. '{\"hedge_eta\": 0}'")
    parser.add_argument("--results", type=Path, default=RESULTS, help="stored runs to compare with")
    parser.add_argument("--out", type=Path, help="append one JSON line per pool here")
    args = parser.parse_args()
    try:
        lo, hi = (int(v) for v in args.seeds.split(":"))
        settings = json.loads(args.settings)
    except ValueError as error:
        parser.error(f"--seeds A:B and --settings JSON ({error})")
    if not isinstance(settings, dict) or not 0 <= lo < hi:
        parser.error("--settings must be a JSON object and --seeds A:B with 0 <= A < B")
    if not args.prior_scale > 0:
        parser.error("--prior-scale must be > 0")
    _LinearShrunk.prior_scale = args.prior_scale
    method = PlannerMethod(VARIANTS[args.variant] if args.variant else "botorch", settings)
    label = args.variant or "botorch"
    data = _load(args.results)
    for pool in args.pool:
        problem = _problem(pool)
        picks: dict[int, int] = {}
        start = time.perf_counter()
        for seed in range(lo, hi):
            run = run_method(method, problem, seed, min_picks=1)
            picks[seed] = picks_to_target(run.picks, problem)
            print(f"{pool} seed {seed}: {picks[seed]} picks ({time.perf_counter() - start:.0f} s)", file=sys.stderr)
        if args.variant in ("linear-shrunk", "category-prior"):
            label = f"{args.variant}({args.prior_scale:g})"
        line = {"pool": pool, "variant": label, "settings": settings, "picks": picks}
        print(
            f"{pool}, {label}{' ' + json.dumps(settings) if settings else ''}: mean picks to 80 % of the top set "
            f"{np.mean(list(picks.values())):.2f}"
        )
        for other, theirs in stored(data, pool, problem).items():
            shared = sorted(set(picks) & set(theirs))
            if not shared:
                continue
            a, b = np.array([picks[s] for s in shared]), np.array([theirs[s] for s in shared])
            print(
                f"  against stored {other} on {len(shared)} seeds: {a.mean():.2f} against {b.mean():.2f} "
                f"(slowest {a.max()} against {b.max()}); faster on {int((a < b).sum())}, slower on {int((a > b).sum())}"
            )
        if args.out:
            with args.out.open("a") as handle:
                handle.write(json.dumps(line) + "\n")


if __name__ == "__main__":
    main()
