"""Every planner through the same checks (the planner port's contract, in the spirit of check_estimator)."""

import json

import numpy as np
import pytest

from genesis_platform.discovery import Observation, load_space, make_planner, planner_names, restore
from genesis_platform.kernel.errors import InvalidInput

PLANNERS = ["random", "sobol", "forest", "botorch"]
FAST = {"botorch": {"restarts": 2, "raw_samples": 32, "mc_samples": 32}}


def _pool_space():
    rows = [{"x": float(x), "y": float(y)} for x in np.linspace(0, 1, 8) for y in np.linspace(0, 1, 6)]
    return load_space(
        {
            "parameters": [
                {"kind": "continuous", "name": "x", "low": 0, "high": 1},
                {"kind": "continuous", "name": "y", "low": 0, "high": 1},
            ],
            "objectives": [{"name": "f", "direction": "minimize"}],
            "pool": {"rows": rows},
        }
    )


def _mixed_space():
    return load_space(
        {
            "parameters": [
                {"kind": "continuous", "name": "a", "low": 0, "high": 1},
                {"kind": "continuous", "name": "b", "low": 0, "high": 1},
                {"kind": "integer", "name": "n", "low": 1, "high": 4},
                {"kind": "categorical", "name": "c", "options": ["p", "q"]},
            ],
            "mixtures": [{"parameters": ["a", "b"]}],
            "objectives": [{"name": "f"}],
        }
    )


def _f(point):
    return (float(point.get("x", point.get("a", 0))) - 0.3) ** 2 + 0.1 * float(point.get("y", point.get("n", 0)))


def _observe(planner, points, objective="f"):
    planner.observe([Observation(point=p, values={objective: _f(p)}) for p in points])


def _warm(planner, n=4):
    rng = np.random.default_rng(7)
    if planner.space.is_pool:
        pool = planner.space.pool_points()
        points = [pool[int(i)] for i in rng.choice(len(pool), n, replace=False)]
    else:
        points = [
            {"a": a, "b": 1 - a, "n": int(rng.integers(1, 5)), "c": str(rng.choice(["p", "q"]))} for a in rng.random(n)
        ]
    _observe(planner, points)
    return points


def test_the_registry_knows_every_builtin_planner():
    assert set(PLANNERS) <= set(planner_names())
    with pytest.raises(InvalidInput, match="unknown planner 'magic'"):
        make_planner("magic", _pool_space())
    with pytest.raises(InvalidInput, match="planner 'botorch'"):
        make_planner("botorch", _pool_space(), bogus=1)


@pytest.mark.parametrize("name", PLANNERS)
@pytest.mark.parametrize("space_maker", [_pool_space, _mixed_space], ids=["pool", "mixed-mixture"])
def test_suggestions_are_valid_distinct_and_avoid_pending(name, space_maker):
    space = space_maker()
    planner = make_planner(name, space, seed=3, **FAST.get(name, {}))
    tried = _warm(planner)
    pending = planner.suggest(2)
    batch = planner.suggest(3, pending=pending)
    assert len(batch) == 3
    keys = [space.key(p) for p in batch]
    assert len(set(keys)) == 3
    assert not set(keys) & {space.key(p) for p in pending}
    for point in batch:
        space.validate_point(point)  # in bounds, options known, mixture sums to 1
    if space.is_pool:
        pool = {space.key(p) for p in space.pool_points()}
        assert set(keys) <= pool
        assert not set(keys) & {space.key(p) for p in tried}


@pytest.mark.parametrize("name", PLANNERS)
@pytest.mark.parametrize("space_maker", [_pool_space, _mixed_space], ids=["pool", "mixed-mixture"])
def test_a_restored_planner_continues_exactly(name, space_maker):
    planner = make_planner(name, space_maker(), seed=11, **FAST.get(name, {}))
    _warm(planner, 5)
    _observe(planner, planner.suggest(1))
    state = json.loads(json.dumps(planner.state()))  # survives JSON, as a campaign stores it
    twin = restore(space_maker(), state)
    assert twin.suggest(2) == planner.suggest(2)


def test_botorch_runs_qucb_off_pools_and_its_beta_steers_it():
    space = load_space(
        {"parameters": [{"kind": "continuous", "name": "x", "low": 0, "high": 1}], "objectives": [{"name": "f"}]}
    )
    xs = [0.05, 0.15, 0.3, 0.45]  # f = x rises towards the unexplored right; nothing measured beyond 0.45
    picks = {}
    for beta in (0.0, 25.0):
        planner = make_planner("botorch", space, seed=0, acquisition="qucb", beta=beta, **FAST["botorch"])
        assert planner.resolved_acquisition() == "qucb"
        planner.observe([Observation(point={"x": x}, values={"f": x}) for x in xs])
        batch = planner.suggest(2)
        assert len(batch) == 2 and all(0 <= p["x"] <= 1 for p in batch)
        picks[beta] = max(p["x"] for p in batch)
    assert picks[25.0] > 0.6  # an optimistic bound goes where the model knows least and expects most


@pytest.mark.parametrize("name", PLANNERS)
def test_failed_pool_points_are_not_suggested_again(name):
    space = _pool_space()
    planner = make_planner(name, space, seed=5, **FAST.get(name, {}))
    _warm(planner)
    failed = space.pool_points()[:40]
    planner.observe([Observation(point=p, failed=True) for p in failed])
    left = {space.key(p) for p in planner.untried()}
    assert len(left) == len(space.pool_points()) - len(
        {space.key(p) for p in failed} | {space.key(o.point) for o in planner.observations}
    )
    for point in planner.suggest(2):
        assert space.key(point) in left


@pytest.mark.parametrize("name", PLANNERS)
def test_garbage_results_are_refused_and_lose_nothing(name):
    planner = make_planner(name, _pool_space(), seed=1, **FAST.get(name, {}))
    _warm(planner)
    before = list(planner.observations)
    point = planner.space.pool_points()[0]
    for bad in ({"g": 1.0}, {"f": float("nan")}):
        with pytest.raises(InvalidInput):
            planner.observe([Observation(point=point, values=bad)])
    with pytest.raises(InvalidInput, match="unknown parameter"):
        planner.observe([Observation(point={"x": 0.0, "z": 1.0}, values={"f": 1.0})])
    assert planner.observations == before


@pytest.mark.parametrize("name", PLANNERS)
def test_an_exhausted_pool_says_so(name):
    planner = make_planner(name, _pool_space(), seed=1, **FAST.get(name, {}))
    with pytest.raises(InvalidInput, match="untried point"):
        planner.suggest(49)
    with pytest.raises(InvalidInput, match="at least one"):
        planner.suggest(0)


@pytest.mark.slow
def test_bayesian_optimisation_beats_random_on_a_smooth_pool():
    space = _pool_space()
    best = min(_f(p) for p in space.pool_points())

    def picks_to_best(name, seed):
        planner = make_planner(name, space, seed=seed, **FAST.get(name, {}))
        for i in range(1, 49):
            point = planner.suggest(1)[0]
            _observe(planner, [point])
            if _f(point) == best:
                return i
        return 48

    bo = np.median([picks_to_best("botorch", s) for s in range(4)])
    rand = np.median([picks_to_best("random", s) for s in range(4)])
    assert bo < rand


def test_botorch_handles_several_objectives_and_outcome_constraints():
    space = load_space(
        {
            "parameters": [{"kind": "continuous", "name": "x", "low": 0, "high": 1}],
            "objectives": [{"name": "f1"}, {"name": "f2", "direction": "minimize"}],
            "outcome_constraints": [{"name": "cost", "op": "<=", "bound": 0.8}],
        }
    )
    # f1 = x rises while f2 = (x - 0.5)^2 falls towards 0.5, so the Pareto set is x in [0.5, 1]; cost = x <= 0.8
    # leaves [0.5, 0.8]. Every suggestion must land there: on the feasible front, between the observed points.
    xs = [0.1, 0.4, 0.6, 0.9]
    for seed in range(3):
        planner = make_planner("botorch", space, seed=seed, **FAST["botorch"])
        planner.observe([Observation(point={"x": x}, values={"f1": x, "f2": (x - 0.5) ** 2, "cost": x}) for x in xs])
        batch = planner.suggest(2)
        assert len(batch) == 2 and all(0.48 <= p["x"] <= 0.8 for p in batch), batch
        assert all(min(abs(p["x"] - x) for x in xs) > 0.02 for p in batch)  # new points, not repeats
    with pytest.raises(InvalidInput, match="qucb"):
        make_planner("botorch", space, acquisition="qucb")
    with pytest.raises(InvalidInput, match="hedge"):
        make_planner("botorch", space, acquisition="hedge")
    assert make_planner("botorch", space).resolved_acquisition() == "qlognei"


def test_botorch_fits_category_offsets_per_outcome_with_several_objectives():
    # y and z both rise with the option's worth (a 0, b 1, c 0.5) and with t; y is maximised, z minimised, so the
    # batched GP must learn b's offset with opposite signs for the two outcomes (the planner maximises -z).
    space = load_space(
        {
            "parameters": [
                {"kind": "categorical", "name": "c", "options": ["a", "b", "c"]},
                {"kind": "continuous", "name": "t", "low": 0, "high": 1},
            ],
            "objectives": [{"name": "y"}, {"name": "z", "direction": "minimize"}],
        }
    )
    worth = {"a": 0.0, "b": 1.0, "c": 0.5}
    rng = np.random.default_rng(3)
    points = [{"c": c, "t": float(t)} for c in worth for t in rng.random(3)]
    planner = make_planner("botorch", space, seed=1, **FAST["botorch"])
    planner.observe(
        [Observation(point=p, values={"y": worth[p["c"]] + p["t"], "z": worth[p["c"]] + p["t"]}) for p in points]
    )
    batch = planner.suggest(2)
    assert len(batch) == 2 and all(p["c"] in worth and 0 <= p["t"] <= 1 for p in batch)
    weights = np.array(planner.learned()["hyperparameters"]["mean_module.weights"])
    assert weights.shape == (2, 2, 1)  # one row per outcome, offsets of b and c against a
    assert weights[0, 0, 0] > weights[0, 1, 0] > 0 > weights[1, 1, 0] > weights[1, 0, 0]


def test_the_portfolio_is_the_default_on_pools_and_credits_its_arms():
    assert make_planner("botorch", _pool_space()).resolved_acquisition() == "hedge"
    assert make_planner("botorch", _mixed_space()).resolved_acquisition() == "qlognei"
    with pytest.raises(InvalidInput, match="hedge_eta"):
        make_planner("botorch", _pool_space(), hedge_eta=-1)
    # Without the early trend: on this smooth function the trend sends all three arms to the same points.
    planner = make_planner("botorch", _pool_space(), seed=2, early_trend=0, **FAST["botorch"])
    _warm(planner, 4)
    features = {tuple(row) for row in planner.space.encode(planner.space.pool_points())}
    for _ in range(6):
        _observe(planner, planner.suggest(1))
    hedge = planner.learned()["hedge"]
    # Three arms (qLogNEI, LogEI on the posterior mean, UCB), each credited after every result, and their last
    # nominees are pool points.
    assert len(hedge["gains"]) == 3 and all(np.isfinite(hedge["gains"]))
    assert len(set(hedge["gains"])) > 1
    assert {tuple(row) for row in hedge["nominees"]} <= features
    # The draw follows the gains: with all the credit on the qLogNEI arm the portfolio picks what qLogNEI alone
    # picks from the same data and seed.
    pool = _pool_space().pool_points()
    points = [pool[i] for i in (0, 9, 20, 33, 47)]
    alone = make_planner("botorch", _pool_space(), seed=4, acquisition="qlognei", **FAST["botorch"])
    led = make_planner("botorch", _pool_space(), seed=4, **FAST["botorch"])
    for p in (alone, led):
        _observe(p, points)
    led._load_learned({"hedge": {"gains": [50.0, 0.0, 0.0], "nominees": None}})
    assert led.suggest(1) == alone.suggest(1)


def test_bad_outliers_are_winsorised_before_the_fit():
    # A failure of chemistry far on the bad side (the pool minimises f) is clipped at Tukey's fence: the planner
    # told 1e6 suggests what one told the fence value suggests, and without winsorising it suggests otherwise.
    pool = _pool_space().pool_points()
    points = [pool[i] for i in (0, 5, 9, 14, 20, 27, 33, 40, 47)]
    values = [_f(p) for p in points]
    signed = -np.array(values)  # the planner maximises -f
    q1, q3 = np.percentile(signed, 25, method="lower"), np.percentile(signed, 75, method="higher")
    fence = q1 - 1.5 * (q3 - q1)
    assert -1e6 < fence <= q1  # the replaced point stays the minimum, so the quartiles stay put

    def told(outlier, **settings):
        planner = make_planner("botorch", _pool_space(), seed=3, **FAST["botorch"], **settings)
        worst = int(np.argmin(signed))
        planner.observe(
            [
                Observation(point=p, values={"f": outlier if i == worst else v})
                for i, (p, v) in enumerate(zip(points, values, strict=True))
            ]
        )
        return planner.suggest(2)

    assert told(1e6) == told(-fence)
    assert told(1e6, winsorize=0) != told(1e6)
    # Where half the results tie (a saturated outcome) nothing is clipped: the failure still teaches the model.
    planner = make_planner("botorch", _pool_space(), **FAST["botorch"])
    saturated = np.array([[-5.0], [0.0], [0.0], [0.0], [0.0], [0.0]])
    assert np.array_equal(planner._winsorized(saturated), saturated)
    assert planner._winsorized(np.array([[-5.0], [0.0], [-0.2], [-0.1], [-0.3], [-0.15]]))[0, 0] > -5.0
    with pytest.raises(InvalidInput, match="winsorize"):
        make_planner("botorch", _pool_space(), winsorize=-1)


def test_a_state_from_an_older_planner_version_resumes_as_it_was_written():
    planner = make_planner("botorch", _pool_space(), seed=5, winsorize=0, early_trend=0, **FAST["botorch"])
    _warm(planner, 6)
    far = next(p for p in _pool_space().pool_points() if p not in [o.point for o in planner.observations])
    planner.observe([Observation(point=far, values={"f": 1e6})])  # an outlier, so winsorising would matter
    state = json.loads(json.dumps(planner.state()))
    del state["settings"]["winsorize"], state["settings"]["early_trend"]
    state["version"] = "1"  # written before winsorising existed
    twin = restore(_pool_space(), state)
    assert twin.winsorize == 0 and twin.early_trend == 0 and twin.version == "4"
    assert twin.suggest(1) == planner.suggest(1)
    state["settings"]["winsorize"] = 1.5
    assert restore(_pool_space(), {**state, "version": "2"}).suggest(1) != planner.suggest(1)
    # Version 2 had a constant mean: its states resume without the category offsets.
    mixed = make_planner("botorch", _mixed_space(), seed=5, category_effects=False, early_trend=0, **FAST["botorch"])
    _warm(mixed, 6)
    state = json.loads(json.dumps(mixed.state()))
    del state["settings"]["category_effects"], state["settings"]["early_trend"]
    twin = restore(_mixed_space(), {**state, "version": "2"})
    assert not twin.category_effects and twin.suggest(1) == mixed.suggest(1)
    assert not restore(_mixed_space(), {**state, "version": "1"}).category_effects
    assert restore(_mixed_space(), {**state, "version": "3"}).category_effects  # the setting's default
    # Version 3 had no early trend; a version 4 state without the setting takes its default.
    assert restore(_mixed_space(), {**state, "version": "3"}).early_trend == 0
    assert restore(_mixed_space(), {**state, "version": "4"}).early_trend == 10
    state["version"] = "0"
    with pytest.raises(InvalidInput, match="resume with the version that wrote it"):
        restore(_mixed_space(), state)


def test_botorch_fits_a_main_effect_per_category_option():
    # f = (x - 0.4)^2 + 1 where c is "p": the GP mean carries q's advantage (p is the reference level), learned
    # from results at different x, so it holds where neither category was measured; a constant mean has no offsets.
    rows = [{"x": float(x), "c": c} for x in np.linspace(0, 1, 11) for c in ("p", "q")]
    space = load_space(
        {
            "parameters": [
                {"kind": "continuous", "name": "x", "low": 0, "high": 1},
                {"kind": "categorical", "name": "c", "options": ["p", "q"]},
            ],
            "objectives": [{"name": "f", "direction": "minimize"}],
            "pool": {"rows": rows},
        }
    )
    tried = [rows[i] for i in (0, 8, 20, 5, 13, 17)]  # p at x = 0, 0.4, 1.0; q at 0.2, 0.6, 0.8

    def fitted(**settings):
        planner = make_planner("botorch", space, seed=2, **FAST["botorch"], **settings)
        planner.observe([Observation(point=p, values={"f": (p["x"] - 0.4) ** 2 + (p["c"] == "p")}) for p in tried])
        planner.suggest(1)
        return planner.learned()["hyperparameters"]

    signed = np.array([-((p["x"] - 0.4) ** 2) - (p["c"] == "p") for p in tried])  # the planner maximises -f
    offset = np.ravel(fitted()["mean_module.weights"])[0] * signed.std(ddof=1)  # back from standardised units
    assert 0.5 < offset < 1.5
    assert not any(k.endswith("weights") for k in fitted(category_effects=False))


def test_botorch_tries_a_linear_trend_while_the_data_are_few():
    # f = x + y falls to the pool's corner (0, 0): a plane, so BIC keeps the trend on a few points; a bowl with its
    # bottom inside keeps the constant mean. From `early_trend` observations on, the mean is constant again.
    def fitted(f, n, **settings):
        planner = make_planner("botorch", _pool_space(), seed=3, **FAST["botorch"], **settings)
        pool = planner.space.pool_points()
        chosen = [pool[int(i)] for i in np.random.default_rng(1).choice(len(pool), n, replace=False)]
        planner.observe([Observation(point=p, values={"f": f(p)}) for p in chosen])
        suggestion = planner.suggest(1)[0]
        return planner.learned()["hyperparameters"], suggestion

    def plane(p):
        return p["x"] + p["y"]

    def bowl(p):
        return (p["x"] - 0.45) ** 2 + (p["y"] - 0.55) ** 2

    hyper, suggestion = fitted(plane, 5)
    assert len(np.ravel(hyper["mean_module.weights"])) == 2  # a slope per numeric input
    assert suggestion == {"x": 0.0, "y": 0.0}  # up the slope to the corner nobody measured
    assert "mean_module.weights" not in fitted(bowl, 5)[0]
    assert "mean_module.weights" not in fitted(plane, 10)[0]  # early_trend = 10 observations
    assert "mean_module.weights" not in fitted(plane, 5, early_trend=0)[0]
    for bad in (-1, 2.5, True, "10"):
        with pytest.raises(InvalidInput, match="early_trend"):
            make_planner("botorch", _pool_space(), early_trend=bad)
    with pytest.raises(InvalidInput, match="category_effects"):
        make_planner("botorch", _pool_space(), category_effects="no")


def test_botorch_keeps_one_objective_inside_an_outcome_constraint():
    # f = x rises, cost = x must stay <= 0.6: the best feasible designs sit just below 0.6 (continuous and pool).
    spec = {
        "parameters": [{"kind": "continuous", "name": "x", "low": 0, "high": 1}],
        "objectives": [{"name": "f"}],
        "outcome_constraints": [{"name": "cost", "op": "<=", "bound": 0.6}],
    }
    pool = {"rows": [{"x": float(x)} for x in np.linspace(0, 1, 41)]}
    xs = [0.05, 0.3, 0.5, 0.7, 0.95]
    for space in (load_space(spec), load_space({**spec, "pool": pool})):
        planner = make_planner("botorch", space, seed=0, **FAST["botorch"])
        planner.observe([Observation(point={"x": x}, values={"f": x, "cost": x}) for x in xs])
        batch = planner.suggest(2)
        assert len(batch) == 2 and all(0.45 <= p["x"] <= 0.65 for p in batch), batch
        assert planner.resolved_acquisition() == "qlognei"


def test_a_batch_keeps_the_callers_pending_points_in_qlognei():
    # qLogNEI keeps pending points in its baseline (incremental NEI); the second pick of a batch must still see the
    # caller's pending points beside the first pick, on a pool (the planner's greedy loop) and elsewhere (BoTorch's
    # sequential optimiser, which needs the non-incremental form).
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import torch

        planner = make_planner("botorch", _pool_space(), seed=2, acquisition="qlognei", **FAST["botorch"])
        _warm(planner, 8)
        x, y = planner.training_data()
        xt = torch.as_tensor(x, dtype=torch.double)
        model = planner._fit(xt, torch.as_tensor(y, dtype=torch.double))
        pending = planner.untried([])[:3]
        acq = planner._acquisition(model, xt, pending, seed=0)
        picks = planner._argmax_pool(acq, 3, pending)
        baseline = {tuple(row) for row in acq.X_baseline.tolist()}
        assert {tuple(row) for row in planner.space.encode(pending + picks[:2])} <= baseline
        assert not {planner.space.key(p) for p in picks} & {planner.space.key(p) for p in pending}
        mixed = make_planner("botorch", _mixed_space(), seed=2, **FAST["botorch"])
        _warm(mixed, 6)
        x, y = mixed.training_data()
        xt = torch.as_tensor(x, dtype=torch.double)
        model = mixed._fit(xt, torch.as_tensor(y, dtype=torch.double))
        waiting = [{"a": 0.5, "b": 0.5, "n": 2, "c": "p"}]
        assert mixed._acquisition(model, xt, [], seed=0).incremental
        assert not mixed._acquisition(model, xt, waiting, seed=0).incremental
        batch = mixed.suggest(2, pending=waiting)
        assert len(batch) == 2 and waiting[0] not in batch


def test_pool_scoring_gives_botorchs_values_from_one_joint_posterior():
    # The default planner scores a pool with its own qLogNEI pass (one posterior over the baseline and every
    # candidate) and one shared marginal posterior for the LogEI and UCB arms; each must give what BoTorch's
    # own acquisition functions give, single picks and with points pending.
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # BoTorch's imports and numerical advice, as the planner runs them
        _check_pool_scoring()


def _check_pool_scoring():
    import torch
    from botorch.acquisition import UpperConfidenceBound
    from botorch.acquisition.analytic import LogExpectedImprovement
    from botorch.acquisition.logei import qLogNoisyExpectedImprovement
    from botorch.sampling import SobolQMCNormalSampler

    from genesis_platform.discovery.planners.bayes import _pool_lognei_class

    pool_lognei = _pool_lognei_class()
    planner = make_planner("botorch", _pool_space(), seed=1)
    _warm(planner, 12)
    x, y = planner.training_data()
    xt = torch.as_tensor(x, dtype=torch.double)
    model = planner._fit(xt, torch.as_tensor(planner._winsorized(y), dtype=torch.double))
    left = planner.untried([])
    choices = torch.as_tensor(planner.space.encode(left), dtype=torch.double)
    pending = choices[:2]
    calls = []  # batch sizes that reach BoTorch's own sampling, to prove the fast path ran
    botorch_samples = qLogNoisyExpectedImprovement._get_samples_and_objectives

    def spy(self, X):
        calls.append(X.shape[0])
        return botorch_samples(self, X)

    for x_pending, prune in ((None, True), (None, False), (pending, True)):
        values = []
        for cls in (qLogNoisyExpectedImprovement, pool_lognei):
            torch.manual_seed(0)  # baseline pruning draws from torch's generator
            sampler = SobolQMCNormalSampler(sample_shape=torch.Size([64]), seed=3)
            acq = cls(model, X_baseline=xt, sampler=sampler, X_pending=x_pending, prune_baseline=prune)
            calls.clear()
            qLogNoisyExpectedImprovement._get_samples_and_objectives = spy
            try:
                with torch.no_grad():
                    values.append(acq(choices.unsqueeze(-2)))
            finally:
                qLogNoisyExpectedImprovement._get_samples_and_objectives = botorch_samples
        assert calls == [1]  # the fast path: BoTorch samples only the first candidate, to fix its base samples
        assert values[1].shape == values[0].shape == (len(left),)
        free = slice(0 if x_pending is None else len(pending), None)  # a pending candidate's value is only jitter
        assert torch.allclose(values[0][free], values[1][free], rtol=0, atol=1e-9)
        assert values[0].std() > 0.01  # the values differ across the pool, so agreeing is not trivial
    picks = planner._analytic_picks(model, xt, 1, [])
    with torch.no_grad():
        best = model.posterior(xt).mean[..., 0].max()
        logei = LogExpectedImprovement(model, best_f=best)(choices.unsqueeze(-2))
        ucb = UpperConfidenceBound(model, beta=planner.beta)(choices.unsqueeze(-2))
    assert picks == {"logei": [left[int(logei.argmax())]], "ucb": [left[int(ucb.argmax())]]}
    assert planner._analytic_picks(model, xt, 2, []) == {}  # batches take the Monte-Carlo arms
