"""The planner port: ask for design points, tell what was measured.

Every planner follows one sans-I/O protocol, so a campaign, a benchmark and a test drive them the same way:

    planner.suggest(n, pending)   -> n new points, none of them pending or (for pools) already tried
    planner.observe(observations) -> results, failures and measurement noise join the planner's data
    planner.state()               -> JSON; `restore(space, state)` rebuilds a planner that answers exactly as
                                     the original would have (a campaign resumes where it stopped)

Settings are constructor arguments stored as given (`settings()`); what the planner has learned (data,
fitted hyperparameters) is separate (`learned()`). Randomness is drawn from `(seed, call number)`, never from
global state, so a restored planner repeats its next suggestion bit for bit.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from genesis_platform.discovery.space import DesignSpace, Point
from genesis_platform.kernel.errors import InvalidInput

__all__ = ["Observation", "Planner", "make_planner", "planner_names", "restore"]


class Observation(BaseModel):
    """What one trial taught: the point tried and either its measured values or that it failed.

    Attributes:
        point: the design point.
        values: measured outcomes by name (objectives and outcome-constrained quantities); None if failed.
        failed: the trial produced no usable measurement.
        noise: optional measurement standard deviations by outcome.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    point: dict[str, float | int | str]
    values: dict[str, float] | None = None
    failed: bool = False
    noise: dict[str, float] | None = Field(default=None)


class Planner(abc.ABC):
    """Base of every planner: bookkeeping shared by all, the choice of points left to subclasses.

    Contract for implementers of `_propose`: return exactly `n` points valid in the space, distinct from each
    other and from `pending`; on a pool, only untried pool points; use only `rng` and `torch_seed` for
    randomness. Planners maximise `space.outcome_signs() * objective`, so directions are handled here.

    Args:
        space: the design space.
        seed: the root of every random draw.
    """

    name: ClassVar[str]
    version: ClassVar[str] = "1"

    def __init__(self, space: DesignSpace, seed: int = 0) -> None:
        self.space = space
        self.seed = seed
        self.observations: list[Observation] = []
        self.calls = 0
        self._pool: list[Point] | None = None  # the validated pool, its keys and features, computed once
        self._pool_keys: list[tuple[Any, ...]] = []
        self._pool_features = np.empty((0, 0))

    # --- the protocol ---------------------------------------------------------------------------------

    def suggest(self, n: int = 1, pending: Sequence[Mapping[str, Any]] = ()) -> list[Point]:
        """Propose `n` points to try next, given points already running.

        Raises:
            InvalidInput: `n` is not positive, or a pool has fewer than `n` untried points left.
        """
        if n < 1:
            raise InvalidInput(f"ask for at least one point, not {n}")
        pending_points = [self.space.validate_point(p) for p in pending]
        if self.space.is_pool:
            left = len(self.untried(pending_points))
            if left < n:
                raise InvalidInput(f"the pool has {left} untried point(s) left; cannot suggest {n}")
        rng = np.random.default_rng([self.seed, self.calls])
        torch_seed = int(rng.integers(2**31 - 1))
        self.calls += 1
        points = [self.space.validate_point(p) for p in self._propose(n, pending_points, rng, torch_seed)]
        return self._distinct(points, n, pending_points, rng)

    def _distinct(self, points: list[Point], n: int, pending: Sequence[Point], rng: np.random.Generator) -> list[Point]:
        # The contract for every planner: no point twice in a batch, none pending, none tried before (relaxed
        # integers and categories can collide). Short batches are topped up with random untried points.
        taken = {self.space.key(o.point) for o in self.observations} | {self.space.key(p) for p in pending}
        out: list[Point] = []
        for p in points:
            if self.space.key(p) not in taken:
                taken.add(self.space.key(p))
                out.append(p)
        if len(out) < n and not self.space.is_pool:
            from genesis_platform.discovery.planners.basic import sample_points

            for _attempt in range(20):
                for p in sample_points(self.space, n - len(out), rng):
                    if self.space.key(p) not in taken and len(out) < n:
                        taken.add(self.space.key(p))
                        out.append(p)
                if len(out) == n:
                    break
        if len(out) < n:
            raise InvalidInput(
                f"only {len(out)} untried point(s) could be found for a batch of {n}; the space is nearly exhausted"
            )
        return out

    def observe(self, observations: Sequence[Observation]) -> None:
        """Add results. A success must measure every objective and outcome-constrained quantity.

        Raises:
            InvalidInput: a point is not in the space, or a success lacks or garbles a measurement.
        """
        clean = []
        for obs in observations:
            point = self.space.validate_point(obs.point)
            if not obs.failed:
                values = obs.values or {}
                missing = [name for name in self.space.outcome_names if name not in values]
                if missing:
                    raise InvalidInput(f"the result for {point} lacks {', '.join(missing)}; mark it failed instead")
                bad = [name for name in self.space.outcome_names if not np.isfinite(values[name])]
                if bad:
                    raise InvalidInput(f"the result for {point} has non-finite {', '.join(bad)}")
            clean.append(obs.model_copy(update={"point": point}))
        self.observations.extend(clean)

    def state(self) -> dict[str, Any]:
        """Everything needed to rebuild this planner exactly, as JSON-ready data."""
        return {
            "planner": self.name,
            "version": self.version,
            "seed": self.seed,
            "calls": self.calls,
            "settings": self.settings(),
            "observations": [o.model_dump(mode="json") for o in self.observations],
            "learned": self.learned(),
        }

    def settings(self) -> dict[str, Any]:
        """The constructor settings, as given (beyond `space` and `seed`)."""
        return {}

    def learned(self) -> dict[str, Any]:
        """What was learned beyond the observations (e.g. fitted hyperparameters)."""
        return {}

    def _load_learned(self, learned: Mapping[str, Any]) -> None:
        """Take back what `learned` returned (nothing to take back by default)."""
        del learned

    @classmethod
    def upgrade_settings(cls, settings: dict[str, Any], version: str) -> dict[str, Any] | None:
        """Settings under which this version answers as `version` did from `settings`; None if it cannot.

        `restore` calls this for a state written by another version, so a campaign started before an upgrade
        resumes with the behaviour it started with. By default no other version is understood.
        """
        del settings, version
        return None

    # --- helpers for subclasses ------------------------------------------------------------------------

    @abc.abstractmethod
    def _propose(self, n: int, pending: list[Point], rng: np.random.Generator, torch_seed: int) -> list[Point]:
        """Choose `n` points (see the class contract)."""

    def successes(self) -> list[Observation]:
        """Observations with measurements."""
        return [o for o in self.observations if not o.failed]

    def untried(self, pending: Sequence[Point] = ()) -> list[Point]:
        """Pool points neither observed (success or failure) nor pending."""
        return self.untried_features(pending)[0]

    def untried_features(self, pending: Sequence[Point] = ()) -> tuple[list[Point], np.ndarray]:
        """The untried pool points and their model features, one row each (the pool is encoded once)."""
        if self._pool is None:
            self._pool = self.space.pool_points()
            self._pool_keys = [self.space.key(p) for p in self._pool]
            self._pool_features = self.space.encode(self._pool)
        taken = {self.space.key(o.point) for o in self.observations} | {self.space.key(p) for p in pending}
        keep = [i for i, k in enumerate(self._pool_keys) if k not in taken]
        return [self._pool[i] for i in keep], self._pool_features[keep]

    def training_data(self) -> tuple[np.ndarray, np.ndarray]:
        """Features and outcomes of the successes: objectives signed to maximise, then constrained quantities."""
        done = self.successes()
        x = self.space.encode([o.point for o in done])
        signs = self.space.outcome_signs()
        names = self.space.outcome_names
        y = np.array([[(o.values or {})[name] for name in names] for o in done], dtype=float).reshape(
            len(done), len(names)
        )
        y[:, : len(signs)] *= signs
        return x, y


_REGISTRY: dict[str, type[Planner]] = {}


def register(cls: type[Planner]) -> type[Planner]:
    """Make a planner class known to `make_planner` and `restore` by its `name`."""
    _REGISTRY[cls.name] = cls
    return cls


def planner_names() -> list[str]:
    """The planners this installation knows."""
    _load_builtin()
    return sorted(_REGISTRY)


def make_planner(name: str, space: DesignSpace, seed: int = 0, **settings: Any) -> Planner:
    """Build a planner by name.

    Raises:
        InvalidInput: the name or a setting is unknown.
    """
    _load_builtin()
    cls = _REGISTRY.get(name)
    if cls is None:
        raise InvalidInput(f"unknown planner {name!r}; choose one of {', '.join(sorted(_REGISTRY))}")
    try:
        return cls(space, seed, **settings)
    except TypeError as error:
        raise InvalidInput(f"planner {name!r}: {error}") from None


def restore(space: DesignSpace, state: Mapping[str, Any]) -> Planner:
    """Rebuild a planner from `Planner.state()` output; it continues exactly where the original stopped."""
    _load_builtin()
    name, version = str(state["planner"]), str(state.get("version", "1"))
    settings = dict(state.get("settings", {}))
    cls = _REGISTRY.get(name)
    if cls is not None and version != cls.version:
        upgraded = cls.upgrade_settings(settings, version)
        if upgraded is None:
            raise InvalidInput(
                f"planner {name!r} state is version {version}, this installation has {cls.version}; "
                "resume with the version that wrote it"
            )
        settings = upgraded
    planner = make_planner(name, space, int(state["seed"]), **settings)
    planner.observations = [Observation.model_validate(o) for o in state.get("observations", [])]
    planner.calls = int(state.get("calls", 0))
    planner._load_learned(state.get("learned", {}))
    return planner


def _load_builtin() -> None:
    # The planners register themselves on import; importing here keeps `planner.py` free of cycles.
    import genesis_platform.discovery.planners  # noqa: F401
