"""Bayesian optimisation on BoTorch: the platform's default planner.

Model: one exact GP per outcome (`SingleTaskGP`, batched over outcomes) with a Matern-5/2 kernel, one
lengthscale per feature (ARD) under BoTorch's dimension-scaled log-normal prior (Hvarfner et al. 2024), a
learned Gaussian noise, inputs in the unit cube and outcomes standardised. The mean is a constant plus, for
each categorical parameter coded one-hot, one offset per option (its main effect; the first option's is 0),
fitted with the kernel's hyperparameters. A Matern kernel over one-hot codes learns what a category is worth only
near the points measured in it; the offsets let every result in a category raise or lower the prediction at all
of its untried points. In the ablation of docs/benchmarks.md (20 seeds, mean picks to 80 % of the top 5 %) this
took Suzuki-Miyaura II from 60.6 to 52.5 and the perovskites from 29.8 to 21.5, left Suzuki I and III as they
were, and cost Suzuki IV 5.6 picks (39.1 to 44.7, still ahead of Ax's 47.4); spaces without one-hot categories
keep the constant mean and pick exactly as before. With one objective on a pool, a fit on fewer than
`early_trend` (10) observations also tries the same mean plus a linear trend in the numeric features, both fitted
from the prior, and keeps whichever scores higher by BIC (marginal likelihood and hyperparameter priors, less half
a log n per slope): on few points a constant-mean GP reverts to its mean a lengthscale away and keeps improving
around the first good design, where a trend the data support sends the next picks up the slope. In the ablation
that chose it (`benchmarks/ablate.py --variant select-early --full`, version 3 against this rule) it took AF at
Top% 0.8 on colors_n9, whose best designs lie on the high-green edge, from 5.44 to 5.83 (50 seeds; Ax 5.83), alkox
from 1.24 to 1.32 (50) and P3HT from 2.13 to 2.33 (20), and kept AutoAM, whose best designs lie inside, at 2.76; a
trend at every fit took colors_n9 to 5.83 too but AutoAM to 1.78, and one on every fit below 10 observations
without the BIC choice to 2.22. The protocol's runs of version 4 are in docs/benchmarks.md.

Hyperparameters are fitted by L-BFGS on the marginal likelihood, warm-started from the previous fit (when the
previous model had the same hyperparameters), and fall back to a cold fit when the warm one fails. Past
`refit_until` observations they are refitted only once the data has grown by `refit_growth` (10 %) since the
last fit; in between the GP is conditioned on every observation with the last hyperparameters, which keeps a
suggestion at a few hundred observations to a fraction of a second.

With one objective, results far on the bad side are winsorised before the model sees them: clipped at the
Tukey fence q1 - 1.5 IQR of the results so far (Ax's default Y transform does the same). A campaign mostly
measures good designs, so a few failures of chemistry (a yield of 0.4 among values of 0.92-0.95) would
otherwise set the outcome scale and flatten the differences near the top that the search has to resolve. On the
fullerenes pool this took the mean picks to 80 % of the top 5 % from 53.6 to 49.0 (20 seeds); see
docs/benchmarks.md. Several objectives are left as measured: a point that is bad in one objective can be on
the Pareto front of another.

Acquisition (maximised):
- one objective on a finite pool (`auto`, the default, chooses `hedge` there): a GP-Hedge portfolio (Hoffman,
  Brochu and de Freitas, UAI 2011) over three acquisitions: qLogNEI, LogEI against the best posterior mean at the
  observed points, and UCB. Each nominates its argmax; one nominee is drawn with probability proportional to
  exp(eta * gain), and after each result every arm's gain grows by the standardised posterior mean at its last
  nominee. No single acquisition wins on every pool: LogEI on the posterior mean needs about three quarters of
  qLogNEI's picks to find most of AutoAM's top designs but loses on AgNP; the portfolio learns per campaign
  which one the data rewards;
- one objective elsewhere (`auto` chooses `qlognei`): `qLogNoisyExpectedImprovement`; a portfolio would optimise
  three acquisitions over the continuous space, three times the cost of a suggestion; `hedge` asks for it;
- `qucb`: `qUpperConfidenceBound` alone;
- several objectives: `qLogNoisyExpectedHypervolumeImprovement` with a reference point inferred from the data;
- outcome constraints: feasibility-weighted qLogNEI (or qLogNEHVI) through BoTorch's constraint callables.

Where the candidates are a finite pool the acquisition is evaluated on every untried point and the batch is
chosen greedily with earlier picks as pending (exact argmax, no relaxation). On a pool qLogNEI is scored from one
joint posterior over the pruned baseline and every candidate rather than one posterior per candidate, and the
portfolio's two analytic arms share one marginal posterior: the values are BoTorch's own (to about 1e-12; the
unit tests compare them), and a suggestion at 200 observations on the crossed-barrel pool takes half the time.
Continuous spaces are optimised by multi-start L-BFGS under the linear and mixture constraints; categorical
options are enumerated as fixed features (up to `max_combinations`, sampled beyond); integers are relaxed and
rounded. Pending points enter as `X_pending`, so asynchronous trials are not suggested twice (the portfolio's
analytic arms, which cannot take pending points, give way to their Monte-Carlo forms qLogEI and qUCB when anything
is pending or a batch is asked for).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import math
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

from genesis_platform.discovery.planner import Planner, register
from genesis_platform.discovery.planners.basic import random_points, sample_points
from genesis_platform.discovery.space import Categorical, Point
from genesis_platform.kernel.errors import InvalidInput

__all__ = ["BayesianPlanner"]

_ACQUISITIONS = ("auto", "hedge", "qlognei", "qucb")
_ARMS = ("qlognei", "logei", "ucb")


@register
class BayesianPlanner(Planner):
    """GP Bayesian optimisation with BoTorch (see the module docstring).

    Args:
        space: the design space.
        seed: the root of every random draw.
        acquisition: `auto` (default: `hedge` for one objective without outcome constraints on a pool,
            `qlognei` otherwise), `hedge`, `qlognei` or `qucb` (`hedge` and `qucb` for one objective only).
        beta: the exploration weight of `qucb` and of the portfolio's UCB arm.
        hedge_eta: how sharply the portfolio follows its gains (0: a uniform draw among the arms).
        initial: how many space-filling points to take before the first model (on pools the campaign's own
            initial points count).
        mc_samples: quasi-Monte-Carlo samples for the acquisition.
        restarts: L-BFGS starts for continuous spaces.
        raw_samples: random points that seed those starts.
        max_combinations: categorical combinations enumerated per suggestion.
        refit_until: refit the hyperparameters on every result up to this many observations.
        refit_growth: beyond that, refit once the data has grown by this fraction since the last fit (0: refit on
            every result); in between, the GP is conditioned on all the data with the last hyperparameters.
        fast_single: for one pick from a pool with nothing pending, use qLogNEI's noise-free limit (analytic
            LogEI over the best posterior mean at the observed points): about 8x faster, but on the noisy
            crossed-barrel pool its AF at Top% 0.8 fell from 3.6 to 2.5 (6-8 seeds), so it is off by default.
        winsorize: with one objective, clip results below q1 - winsorize * IQR (in the objective's good
            direction) before fitting; 0 fits the results as measured.
        category_effects: give the GP mean one offset per option of each one-hot categorical parameter (the
            categories' main effects); False keeps a constant mean.
        early_trend: with one objective on a pool, each fit on fewer than this many observations also tries a
            linear trend in the numeric features in the mean and keeps it if it scores higher by BIC; 0: never.
    """

    name = "botorch"
    version = "4"

    def __init__(
        self,
        space: Any,
        seed: int = 0,
        acquisition: str = "auto",
        beta: float = 2.0,
        hedge_eta: float = 1.0,
        initial: int = 2,
        mc_samples: int = 128,
        restarts: int = 8,
        raw_samples: int = 256,
        max_combinations: int = 16,
        refit_until: int = 30,
        refit_growth: float = 0.1,
        fast_single: bool = False,
        winsorize: float = 1.5,
        category_effects: bool = True,
        early_trend: int = 10,
    ) -> None:
        super().__init__(space, seed)
        if acquisition not in _ACQUISITIONS:
            raise InvalidInput(f"unknown acquisition {acquisition!r}; choose one of {', '.join(_ACQUISITIONS)}")
        if acquisition in ("qucb", "hedge") and (len(space.objectives) > 1 or space.outcome_constraints):
            raise InvalidInput(f"{acquisition} handles one objective without outcome constraints; use auto or qlognei")
        if not hedge_eta >= 0:
            raise InvalidInput(f"hedge_eta must be a number >= 0, not {hedge_eta}")
        if initial < 1:
            raise InvalidInput("initial must be at least 1")
        if not winsorize >= 0:
            raise InvalidInput(f"winsorize must be a number >= 0 (0: off), not {winsorize}")
        if not isinstance(category_effects, bool):
            raise InvalidInput(f"category_effects must be true or false, not {category_effects!r}")
        if isinstance(early_trend, bool) or not isinstance(early_trend, int) or early_trend < 0:
            raise InvalidInput(f"early_trend must be a whole number >= 0 (0: never), not {early_trend!r}")
        self.acquisition = acquisition
        self.beta = beta
        self.hedge_eta = hedge_eta
        self.initial = initial
        self.mc_samples = mc_samples
        self.restarts = restarts
        self.raw_samples = raw_samples
        self.max_combinations = max_combinations
        self.fast_single = fast_single
        self.refit_until = refit_until
        self.refit_growth = refit_growth
        self.winsorize = winsorize
        self.category_effects = category_effects
        self.early_trend = early_trend
        self._trend = False  # whether the model being built carries the linear trend (`_fit` decides)
        self._hyper: dict[str, list[Any]] | None = None
        self._fitted_n: int | None = None
        self._gains: list[float] | None = None  # the portfolio's gain per arm
        self._nominees: list[list[float]] | None = None  # each arm's last nominee (features)

    def settings(self) -> dict[str, Any]:
        """The constructor settings."""
        return {
            "acquisition": self.acquisition,
            "beta": self.beta,
            "hedge_eta": self.hedge_eta,
            "initial": self.initial,
            "mc_samples": self.mc_samples,
            "restarts": self.restarts,
            "raw_samples": self.raw_samples,
            "max_combinations": self.max_combinations,
            "refit_until": self.refit_until,
            "refit_growth": self.refit_growth,
            "fast_single": self.fast_single,
            "winsorize": self.winsorize,
            "category_effects": self.category_effects,
            "early_trend": self.early_trend,
        }

    @classmethod
    def upgrade_settings(cls, settings: dict[str, Any], version: str) -> dict[str, Any] | None:
        """Older states resume as they started.

        Version 1 fitted results as measured, versions 1 and 2 had a constant mean, 1 to 3 no early trend.
        """
        if version == "1":
            return {"winsorize": 0.0, "category_effects": False, "early_trend": 0, **settings}
        if version == "2":
            return {"category_effects": False, "early_trend": 0, **settings}
        if version == "3":
            return {"early_trend": 0, **settings}
        return None

    def learned(self) -> dict[str, Any]:
        """The last fitted hyperparameters (the warm start of the next fit) and the portfolio's gains."""
        out: dict[str, Any] = {}
        if self._hyper is not None:
            out.update(hyperparameters=self._hyper, fitted_n=self._fitted_n)
        if self._gains is not None:
            out["hedge"] = {"gains": self._gains, "nominees": self._nominees}
        return out

    def _load_learned(self, learned: Mapping[str, Any]) -> None:
        self._hyper = learned.get("hyperparameters")
        self._fitted_n = learned.get("fitted_n")
        hedge = learned.get("hedge") or {}
        self._gains = hedge.get("gains")
        self._nominees = hedge.get("nominees")

    def resolved_acquisition(self) -> str:
        """The acquisition `auto` stands for in this space (see the module docstring)."""
        if self.acquisition != "auto":
            return self.acquisition
        single = len(self.space.objectives) == 1 and not self.space.outcome_constraints
        return "hedge" if single and self.space.is_pool else "qlognei"

    def _propose(self, n: int, pending: list[Point], rng: np.random.Generator, torch_seed: int) -> list[Point]:
        x, y = self.training_data()
        if len(x) < self.initial or len(np.unique(y[:, 0])) < 2:
            return random_points(self, n, pending, rng)
        y = self._winsorized(y)
        import torch

        with torch.random.fork_rng(), warnings.catch_warnings():
            torch.manual_seed(torch_seed)
            warnings.simplefilter("ignore")  # BoTorch's numerical advice (input scaling, jitter) is not an error
            xt = torch.as_tensor(x, dtype=torch.double)
            model = self._fit(xt, torch.as_tensor(y, dtype=torch.double))
            if self._single_pick(n, pending):
                from botorch.acquisition.analytic import LogExpectedImprovement

                # One pick from a pool with nothing pending: qLogNEI's noise-free limit, the analytic LogEI
                # over the best posterior mean at the observed points; about 8x faster, weaker under noise.
                incumbent = model.posterior(xt).mean.max()
                return self._argmax_pool(LogExpectedImprovement(model, best_f=incumbent), n, pending)
            if self.resolved_acquisition() == "hedge":
                return self._hedge(model, xt, y[:, 0], n, pending, rng, torch_seed)
            acq = self._acquisition(model, xt, pending, torch_seed)
            if self.space.is_pool:
                return self._argmax_pool(acq, n, pending)
            return self._optimise(acq, n, rng)

    # --- pieces ----------------------------------------------------------------------------------------

    def _winsorized(self, y: np.ndarray) -> np.ndarray:
        # Tukey's lower fence on the (maximised) objective; the quartiles are observed values, as in a box plot.
        if not self.winsorize or len(self.space.objectives) != 1 or len(y) < 4:
            return y
        q1 = np.percentile(y[:, 0], 25, method="lower")
        q3 = np.percentile(y[:, 0], 75, method="higher")
        if q3 <= q1:  # half the results tie (a saturated outcome): clipping would leave nothing to learn
            return y
        out = y.copy()
        out[:, 0] = np.maximum(y[:, 0], q1 - self.winsorize * (q3 - q1))
        return out

    def _single_pick(self, n: int, pending: list[Point]) -> bool:
        return (
            self.fast_single
            and self.space.is_pool
            and n == 1
            and not pending
            and self.resolved_acquisition() == "qlognei"
            and len(self.space.objectives) == 1
            and not self.space.outcome_constraints
        )

    def _model(self, x: Any, y: Any) -> Any:
        """The GP before fitting: Matern-5/2 ARD, the mean of the module docstring, one batch member per outcome."""
        import torch
        from botorch.models import SingleTaskGP
        from botorch.models.transforms.outcome import Standardize
        from botorch.models.utils.gpytorch_modules import get_covar_module_with_dim_scaled_prior

        m = y.shape[-1]
        batch = torch.Size([m]) if m > 1 else torch.Size([])
        covar = get_covar_module_with_dim_scaled_prior(
            ard_num_dims=x.shape[-1], batch_shape=batch, use_rbf_kernel=False
        )
        columns = _category_columns(self.space) if self.category_effects else []
        if self._trend:
            columns = sorted({*columns, *_numeric_columns(self.space)})
        mean = _offsets_class()(columns, batch) if columns else None
        return SingleTaskGP(x, y, covar_module=covar, mean_module=mean, outcome_transform=Standardize(m=m))

    def _fit(self, x: Any, y: Any) -> Any:
        n = int(x.shape[0])
        if not self._trend_due(n):
            self._trend = False
            return self._fit_one(x, y)
        # Few observations: the constant mean (with any category offsets) or that plus a linear trend in the
        # numeric features, each fitted from the prior, whichever scores higher by BIC (the fitted marginal
        # likelihood and hyperparameter priors, less half a log n per trend weight). A constant-mean GP reverts
        # to its mean a lengthscale from its few points and keeps improving around the first good one; a trend
        # the data support sends the next picks up the slope (colors_n9 in docs/benchmarks.md).
        best: tuple[float, bool, Any, dict[str, list[Any]] | None] | None = None
        for trend in (False, True):
            self._trend, self._hyper = trend, None
            model = self._fit_one(x, y)
            score = _bic(model, len(_numeric_columns(self.space)) if trend else 0)
            if best is None or score > best[0]:
                best = (score, trend, model, self._hyper)
        assert best is not None
        _, self._trend, model, self._hyper = best
        return model

    def _trend_due(self, n: int) -> bool:
        single = len(self.space.objectives) == 1 and not self.space.outcome_constraints
        return single and self.space.is_pool and n < self.early_trend and bool(_numeric_columns(self.space))

    def _fit_one(self, x: Any, y: Any) -> Any:
        import torch
        from botorch.fit import fit_gpytorch_mll
        from gpytorch.mlls import ExactMarginalLogLikelihood

        model = self._model(x, y)
        mll = ExactMarginalLogLikelihood(model.likelihood, model)
        loaded = False
        if self._hyper is not None:
            # Shapes change when an outcome is added or the trend is dropped; then the fit starts from the prior.
            if set(_hyperparameters(model)) == set(self._hyper):
                with contextlib.suppress(RuntimeError):  # a shape that changed
                    model.load_state_dict(
                        {k: torch.tensor(v, dtype=torch.double) for k, v in self._hyper.items()}, strict=False
                    )
                    loaded = True
            if not loaded:  # a partial load would leave some hyperparameters from another model
                model = self._model(x, y)
                mll = ExactMarginalLogLikelihood(model.likelihood, model)
        n = int(x.shape[0])
        if loaded and not self._due(n):
            model.eval()  # conditioned on all the data, hyperparameters from the last fit
            return model
        try:
            fit_gpytorch_mll(mll, optimizer_kwargs={"options": {"maxiter": 200}})
        except Exception:  # a warm start can land in a bad basin; BoTorch's cold fit retries from the prior
            model = self._model(x, y)
            fit_gpytorch_mll(ExactMarginalLogLikelihood(model.likelihood, model))
        self._hyper = {k: v.detach().tolist() for k, v in _hyperparameters(model).items()}
        self._fitted_n = n
        model.eval()
        return model

    def _due(self, n: int) -> bool:
        # Hyperparameters barely move once there is data: refit on every result up to `refit_until`
        # observations, then whenever the data has grown by `refit_growth` since the last fit.
        if self.refit_growth == 0 or n <= self.refit_until or self._fitted_n is None:
            return True
        return n - self._fitted_n >= max(1, math.ceil(self.refit_growth * self._fitted_n))

    def _acquisition(self, model: Any, x: Any, pending: list[Point], seed: int) -> Any:
        import torch
        from botorch.acquisition import qUpperConfidenceBound
        from botorch.acquisition.multi_objective.logei import qLogNoisyExpectedHypervolumeImprovement
        from botorch.acquisition.multi_objective.objective import IdentityMCMultiOutputObjective
        from botorch.acquisition.objective import GenericMCObjective
        from botorch.sampling import SobolQMCNormalSampler
        from botorch.utils.multi_objective.hypervolume import infer_reference_point

        sampler = SobolQMCNormalSampler(sample_shape=torch.Size([self.mc_samples]), seed=seed)
        x_pending = torch.as_tensor(self.space.encode(pending), dtype=torch.double) if pending else None
        k = len(self.space.objectives)
        constraints = [_constraint(k + i, c.op, c.bound) for i, c in enumerate(self.space.outcome_constraints)]
        if k > 1:
            _, y = self.training_data()
            ref = infer_reference_point(torch.as_tensor(y[:, :k], dtype=torch.double))
            return qLogNoisyExpectedHypervolumeImprovement(
                model,
                ref_point=ref.tolist(),
                X_baseline=x,
                sampler=sampler,
                objective=IdentityMCMultiOutputObjective(outcomes=list(range(k))),
                constraints=constraints or None,
                X_pending=x_pending,
                prune_baseline=True,
            )
        if self.resolved_acquisition() == "qucb":
            return qUpperConfidenceBound(model, beta=self.beta, sampler=sampler, X_pending=x_pending)
        # BoTorch calls an MC objective as objective(samples, X=X).
        objective = GenericMCObjective(lambda z, X=None: z[..., 0]) if constraints else None
        return _pool_lognei_class()(
            model,
            X_baseline=x,
            sampler=sampler,
            objective=objective,
            constraints=constraints or None,
            X_pending=x_pending,
            prune_baseline=True,
            # Incremental NEI keeps pending points in its baseline, where BoTorch's sequential optimisers (which
            # read X_pending back as the base of a batch) would drop them after the first pick; on a pool the
            # planner's own greedy loop passes them on, elsewhere pending points join each candidate's q-batch.
            incremental=self.space.is_pool or x_pending is None,
        )

    def _hedge(
        self, model: Any, x: Any, y: np.ndarray, n: int, pending: list[Point], rng: np.random.Generator, seed: int
    ) -> list[Point]:
        # GP-Hedge: credit each arm with the standardised posterior mean, under the model that now knows the
        # last results, at the point it nominated last time; then draw an arm by exp(eta * gain).
        import torch

        gains = np.zeros(len(_ARMS)) if self._gains is None else np.asarray(self._gains, dtype=float)
        if self._nominees is not None and len(self._nominees) == len(_ARMS):
            with torch.no_grad():
                mean = model.posterior(torch.as_tensor(self._nominees, dtype=torch.double)).mean[..., 0].numpy()
            gains = gains + (mean - float(np.mean(y))) / (float(np.std(y)) or 1.0)
        analytic = self._analytic_picks(model, x, n, pending)
        batches = [
            analytic.get(arm) or self._choose(self._arm(arm, model, x, n, pending, seed), n, pending, rng)
            for arm in _ARMS
        ]
        weights = np.exp(self.hedge_eta * (gains - gains.max()))
        arm = int(rng.choice(len(_ARMS), p=weights / weights.sum()))
        self._gains = [float(g) for g in gains]
        self._nominees = self.space.encode([b[0] for b in batches]).tolist()
        return batches[arm]

    def _analytic_picks(self, model: Any, x: Any, n: int, pending: list[Point]) -> dict[str, list[Point]]:
        # One pick from a pool with nothing pending: the LogEI and UCB arms read the same marginal posterior, so it
        # is computed once for both (the values are BoTorch's LogExpectedImprovement and UpperConfidenceBound).
        if not (self.space.is_pool and n == 1 and not pending):
            return {}
        import torch
        from botorch.acquisition.analytic import (
            LogExpectedImprovement,
            UpperConfidenceBound,
            _log_ei_helper,
            _scaled_improvement,
        )

        left, features = self.untried_features(pending)
        choices = torch.as_tensor(features, dtype=torch.double)
        with torch.no_grad():
            logei = LogExpectedImprovement(model, best_f=model.posterior(x).mean[..., 0].max())
            parts = [logei._mean_and_sigma(chunk.unsqueeze(-2)) for chunk in choices.split(1024)]
            mean = torch.cat([m for m, _ in parts])
            sigma = torch.cat([s for _, s in parts])
            values = {
                "logei": _log_ei_helper(_scaled_improvement(mean, sigma, logei.best_f, True)) + sigma.log(),
                "ucb": mean + UpperConfidenceBound(model, beta=self.beta).beta.sqrt() * sigma,
            }
        return {arm: [left[int(torch.argmax(v))]] for arm, v in values.items()}

    def _arm(self, arm: str, model: Any, x: Any, n: int, pending: list[Point], seed: int) -> Any:
        import torch
        from botorch.acquisition import qUpperConfidenceBound
        from botorch.acquisition.analytic import LogExpectedImprovement, UpperConfidenceBound
        from botorch.acquisition.logei import qLogExpectedImprovement
        from botorch.sampling import SobolQMCNormalSampler

        if arm == "qlognei":
            return self._acquisition(model, x, pending, seed)
        analytic = n == 1 and not pending
        sampler = SobolQMCNormalSampler(sample_shape=torch.Size([self.mc_samples]), seed=seed)
        x_pending = torch.as_tensor(self.space.encode(pending), dtype=torch.double) if pending else None
        if arm == "logei":
            with torch.no_grad():
                incumbent = model.posterior(x).mean[..., 0].max()
            if analytic:
                return LogExpectedImprovement(model, best_f=incumbent)
            return qLogExpectedImprovement(model, best_f=incumbent, sampler=sampler, X_pending=x_pending)
        if analytic:
            return UpperConfidenceBound(model, beta=self.beta)
        return qUpperConfidenceBound(model, beta=self.beta, sampler=sampler, X_pending=x_pending)

    def _choose(self, acq: Any, n: int, pending: list[Point], rng: np.random.Generator) -> list[Point]:
        return self._argmax_pool(acq, n, pending) if self.space.is_pool else self._optimise(acq, n, rng)

    def _argmax_pool(self, acq: Any, n: int, pending: list[Point]) -> list[Point]:
        import torch

        left, features = self.untried_features(pending)
        choices = torch.as_tensor(features, dtype=torch.double)
        # The caller's pending points, passed on with each earlier pick of the batch: qLogNEI keeps pending points in
        # its baseline (incremental NEI), not in X_pending, so they cannot be read back from the acquisition.
        base_pending = torch.as_tensor(self.space.encode(pending), dtype=torch.double) if pending else None
        chosen: list[int] = []
        for _ in range(n):
            with torch.no_grad():
                values = torch.cat([acq(chunk.unsqueeze(-2)) for chunk in choices.split(1024)])
            if chosen:
                values[chosen] = -torch.inf
            best = int(torch.argmax(values))
            chosen.append(best)
            if len(chosen) < n:  # later picks of the batch see the earlier ones as pending
                picked = choices[chosen]
                acq.set_X_pending(picked if base_pending is None else torch.cat([base_pending, picked]))
        return [left[i] for i in chosen]

    def _optimise(self, acq: Any, n: int, rng: np.random.Generator) -> list[Point]:
        import torch
        from botorch.optim import optimize_acqf, optimize_acqf_mixed

        d = self.space.dimension
        bounds = torch.stack([torch.zeros(d, dtype=torch.double), torch.ones(d, dtype=torch.double)])
        ineq, eq = [], []
        for cols, coefs, rhs, op in self.space.feature_constraints():
            idx, coef = torch.tensor(cols, dtype=torch.long), torch.tensor(coefs, dtype=torch.double)
            if op == "==":
                eq.append((idx, coef, rhs))
            elif op == ">=":
                ineq.append((idx, coef, rhs))
            else:
                ineq.append((idx, -coef, -rhs))
        common: dict[str, Any] = {
            "q": n,
            "num_restarts": self.restarts,
            "raw_samples": self.raw_samples,
            "inequality_constraints": ineq or None,
            "equality_constraints": eq or None,
        }
        fixed = self._combinations(rng)
        if fixed:
            features, _ = optimize_acqf_mixed(acq, bounds, fixed_features_list=fixed, **common)
        else:
            features, _ = optimize_acqf(acq, bounds, sequential=n > 1, **common)
        points = self.space.decode(features.detach().numpy())
        return _distinct(self, points, n, rng)

    def _combinations(self, rng: np.random.Generator) -> list[dict[int, float]]:
        columns = self.space.feature_columns()
        blocks = [
            [{columns[p.name][0] + j: float(v) for j, v in enumerate(code)} for code in self.space.option_codes(p.name)]
            for p in self.space.parameters
            if isinstance(p, Categorical)
        ]
        if not blocks:
            return []
        total = int(np.prod([len(b) for b in blocks]))
        if total <= self.max_combinations:
            combos = list(itertools.product(*blocks))
        else:
            combos = [tuple(b[int(rng.integers(len(b)))] for b in blocks) for _ in range(self.max_combinations)]
        return [{k: v for part in combo for k, v in part.items()} for combo in combos]


def _category_columns(space: Any) -> list[int]:
    """Feature columns of the one-hot options after each categorical parameter's first (its reference level)."""
    where = space.feature_columns()
    columns: list[int] = []
    for p in space.parameters:
        if isinstance(p, Categorical) and not p.descriptors:
            first, width = where[p.name]
            columns += range(first + 1, first + width)
    return columns


def _hyperparameters(model: Any) -> dict[str, Any]:
    """The fitted hyperparameters in a model's state: raw kernel and noise values and the mean's parameters."""
    return {
        k: v
        for k, v in model.state_dict().items()
        if ("raw_" in k or k.startswith("mean_module.")) and "constraint" not in k
    }


def _numeric_columns(space: Any) -> list[int]:
    """Feature columns that are not one-hot option codes: numeric parameters and category descriptors."""
    where = space.feature_columns()
    coded = {
        c
        for p in space.parameters
        if isinstance(p, Categorical) and not p.descriptors
        for c in range(where[p.name][0], sum(where[p.name]))
    }
    return [c for c in range(sum(w for _, w in where.values())) if c not in coded]


def _bic(model: Any, extra: int) -> float:
    """A fitted model's BIC-style score: higher is better.

    Its log marginal likelihood plus its hyperparameters' log priors (gpytorch's ExactMarginalLogLikelihood returns
    that sum divided by n), less half a log n for each of `extra` more mean weights.
    """
    import torch
    from gpytorch.mlls import ExactMarginalLogLikelihood

    n = int(model.train_targets.shape[-1])
    mll = ExactMarginalLogLikelihood(model.likelihood, model)
    model.train()
    with torch.no_grad():
        value = float(mll(model(*model.train_inputs), model.train_targets).sum()) * n
    model.eval()
    return value - 0.5 * extra * math.log(n)


@functools.cache
def _offsets_class() -> type:
    import torch
    from gpytorch.means import Mean

    class CategoryOffsets(Mean):  # type: ignore[misc]
        """constant + the listed feature columns times their weights; parameters `bias` and `weights`.

        The columns are the one-hot options after each category's first (their offsets) and, with the early
        trend, the numeric features (a slope each).
        """

        def __init__(self, columns: list[int], batch: torch.Size) -> None:
            super().__init__()
            self.columns = list(columns)
            self.register_parameter("bias", torch.nn.Parameter(torch.zeros(*batch, 1, dtype=torch.double)))
            self.register_parameter(
                "weights", torch.nn.Parameter(torch.zeros(*batch, len(columns), 1, dtype=torch.double))
            )

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return (x[..., self.columns] @ self.weights).squeeze(-1) + self.bias

    return CategoryOffsets


def _constraint(column: int, op: str, bound: float) -> Any:
    # BoTorch reads a constraint value <= 0 as feasible.
    if op == "<=":
        return lambda z: z[..., column] - bound
    return lambda z: bound - z[..., column]


def _distinct(planner: Planner, points: list[Point], n: int, rng: np.random.Generator) -> list[Point]:
    # Rounding integers can merge candidates; top up with random feasible points so the batch keeps its size.
    seen, out = set(), []
    for p in points:
        try:
            p = planner.space.validate_point(p)
        except InvalidInput:
            continue
        key = planner.space.key(p)
        if key not in seen:
            seen.add(key)
            out.append(p)
    for _attempt in range(20):
        if len(out) >= n:
            break
        for p in sample_points(planner.space, n - len(out), rng):
            if planner.space.key(p) not in seen:
                seen.add(planner.space.key(p))
                out.append(p)
    return out[:n]


@functools.cache
def _pool_lognei_class() -> type:
    # Built on first use so that importing the planner does not import BoTorch.
    import torch
    from botorch.acquisition.logei import qLogNoisyExpectedImprovement
    from linear_operator.utils.cholesky import psd_safe_cholesky
    from linear_operator.utils.errors import NanError, NotPSDError

    class PoolLogNEI(qLogNoisyExpectedImprovement):  # type: ignore[misc]  # BoTorch is untyped
        """qLogNEI that scores many single candidates (a pool) from one joint posterior.

        BoTorch samples each candidate jointly with the (pruned) baseline: one posterior per candidate over
        baseline + 1 points, so the kernel between the baseline and the data is recomputed for every candidate.
        Here the posterior over baseline + all candidates is formed once and each candidate's row of the
        Cholesky factor is the same low-rank update BoTorch makes (`sample_cached_cholesky`), with the same base
        samples, so the values agree with BoTorch's to rounding (about 1e-12) at a quarter of the cost on a
        400-point pool. Batches, gradients and anything unusual take BoTorch's own path.
        """

        def _get_samples_and_objectives(self, X: torch.Tensor) -> Any:
            if X.dim() != 3 or X.shape[-2] != 1 or X.shape[0] < 2 or torch.is_grad_enabled() or not self._cache_root:
                return super()._get_samples_and_objectives(X)
            super()._get_samples_and_objectives(X[:1])  # BoTorch's own pass fixes the base samples for q = 1
            base = self.sampler.base_samples
            nb = self.X_baseline.shape[-2]
            if self._baseline_L.dim() != 2 or base is None or base[0].numel() != nb + 1:
                return super()._get_samples_and_objectives(X)  # several outputs or batched models
            post = self.model.posterior(
                torch.cat([self.X_baseline, X[:, 0, :]]), posterior_transform=self.posterior_transform
            )
            mvn = post.distribution
            covar = mvn.lazy_covariance_matrix
            try:
                cross = torch.linalg.solve_triangular(self._baseline_L, covar[nb:, :nb].to_dense().T, upper=False).T
                rest = covar.diagonal()[nb:] - (cross**2).sum(-1)
                own = psd_safe_cholesky(rest.view(-1, 1, 1), max_tries=6).view(-1, 1)
            except (NanError, NotPSDError):
                return super()._get_samples_and_objectives(X)
            rows = torch.cat([cross, own], dim=-1)  # each candidate's row of the joint Cholesky factor
            samples = (base.reshape(base.shape[0], nb + 1) @ rows.T + mvn.mean[nb:]).view(-1, X.shape[0], 1, 1)
            return samples, self.objective(samples, X=X)

    return PoolLogNEI
