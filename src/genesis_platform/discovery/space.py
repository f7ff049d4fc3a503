"""Design spaces: what a campaign may try, what it measures, and what counts as better.

A `DesignSpace` holds parameters (continuous with optional log scale, integer, categorical with optional
descriptors), linear constraints and mixture constraints on them, or instead a finite candidate pool (a table
of the only points that may be tried, e.g. the rows of a registered dataset), and one or several objectives
with directions plus optional outcome constraints. It is written in YAML or JSON and checked on load: unknown
parameters, empty bounds and infeasible constraints are refused with a message that names the culprit.

Planners never see raw values. `DesignSpace.encode` maps points onto model features in the unit cube
(log-scaled where asked, categorical options one-hot or as min-max scaled descriptors); `decode` maps
features back onto the nearest valid point. Pools are encoded once (`pool_features`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from genesis_platform.kernel.errors import InvalidInput
from genesis_platform.kernel.validation import validation_message

__all__ = [
    "Categorical",
    "Continuous",
    "DesignSpace",
    "Direction",
    "Integer",
    "LinearConstraint",
    "MixtureConstraint",
    "Objective",
    "OutcomeConstraint",
    "Parameter",
    "Point",
    "Pool",
    "load_space",
]

Value = float | int | str
Point = dict[str, Value]
"""A design point: parameter name → value."""

_FEASIBILITY_TOL = 1e-9


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Continuous(_Frozen):
    """A real parameter in `[low, high]`, modelled on a log scale when `log` is true."""

    kind: Literal["continuous"] = "continuous"
    name: str
    low: float
    high: float
    log: bool = False

    @model_validator(mode="after")
    def _check(self) -> Continuous:
        if not (math.isfinite(self.low) and math.isfinite(self.high)) or self.low >= self.high:
            raise ValueError(f"parameter {self.name!r}: bounds [{self.low}, {self.high}] are empty; need low < high")
        if self.log and self.low <= 0:
            raise ValueError(f"parameter {self.name!r}: a log-scale parameter needs low > 0, got {self.low}")
        return self


class Integer(_Frozen):
    """An integer parameter in `[low, high]`, both included."""

    kind: Literal["integer"] = "integer"
    name: str
    low: int
    high: int
    log: bool = False

    @model_validator(mode="after")
    def _check(self) -> Integer:
        if self.low >= self.high:
            raise ValueError(f"parameter {self.name!r}: bounds [{self.low}, {self.high}] are empty; need low < high")
        if self.log and self.low <= 0:
            raise ValueError(f"parameter {self.name!r}: a log-scale parameter needs low > 0, got {self.low}")
        return self


class Categorical(_Frozen):
    """A choice among named options, optionally described by numeric descriptors (one list per option).

    With descriptors the model sees the min-max scaled descriptor vector of an option, so similar options
    inform each other (the EDBO and BayBE practice); without them it sees a one-hot code.
    """

    kind: Literal["categorical"] = "categorical"
    name: str
    options: tuple[str, ...]
    descriptors: dict[str, tuple[float, ...]] | None = None

    @model_validator(mode="after")
    def _check(self) -> Categorical:
        if len(self.options) < 2 or len(set(self.options)) != len(self.options):
            raise ValueError(f"parameter {self.name!r}: needs at least two distinct options")
        if self.descriptors is not None:
            missing = [o for o in self.options if o not in self.descriptors]
            if missing:
                raise ValueError(f"parameter {self.name!r}: no descriptors for {', '.join(missing)}")
            if len({len(v) for v in self.descriptors.values()}) != 1:
                raise ValueError(f"parameter {self.name!r}: every option needs the same number of descriptors")
        return self


Parameter = Annotated[Continuous | Integer | Categorical, Field(discriminator="kind")]


class LinearConstraint(_Frozen):
    """`sum(coefficients[p] * p) <op> rhs` over numeric parameters; `op` is `<=`, `>=` or `==`."""

    coefficients: dict[str, float]
    op: Literal["<=", ">=", "=="] = "<="
    rhs: float


class MixtureConstraint(_Frozen):
    """The named parameters are fractions of a whole: they sum to `total` (1 unless stated)."""

    parameters: tuple[str, ...]
    total: float = 1.0

    def as_linear(self) -> LinearConstraint:
        """The constraint as an equality over its parameters."""
        return LinearConstraint(coefficients=dict.fromkeys(self.parameters, 1.0), op="==", rhs=self.total)


class Direction(StrEnum):
    """Whether bigger or smaller is better."""

    MAXIMIZE = "maximize"
    MINIMIZE = "minimize"


class Objective(_Frozen):
    """A measured quantity to improve."""

    name: str
    direction: Direction = Direction.MAXIMIZE


class OutcomeConstraint(_Frozen):
    """A measured quantity that must stay on one side of a bound (`op` is `<=` or `>=`)."""

    name: str
    op: Literal["<=", ">="]
    bound: float


class Pool(_Frozen):
    """A finite candidate set: the only points that may be tried, one row per point.

    Attributes:
        rows: the candidates as points; every row names every parameter.
        source: where the rows came from (e.g. `dataset:<id>@<version>`), for provenance.
    """

    rows: tuple[dict[str, Value], ...]
    source: str | None = None


class DesignSpace(_Frozen):
    """Everything a planner needs to know about a campaign's search.

    Attributes:
        parameters: the inputs, in model order.
        constraints: linear constraints on numeric parameters.
        mixtures: groups of parameters that are fractions summing to a total.
        objectives: one (single-objective) or several (Pareto) quantities to improve.
        outcome_constraints: measured quantities that must stay within bounds.
        pool: when set, only these points may be tried.
    """

    parameters: tuple[Parameter, ...]
    constraints: tuple[LinearConstraint, ...] = ()
    mixtures: tuple[MixtureConstraint, ...] = ()
    objectives: tuple[Objective, ...] = (Objective(name="y"),)
    outcome_constraints: tuple[OutcomeConstraint, ...] = ()
    pool: Pool | None = None

    @field_validator("parameters")
    @classmethod
    def _unique_parameters(cls, value: tuple[Parameter, ...]) -> tuple[Parameter, ...]:
        if not value:
            raise ValueError("a design space needs at least one parameter")
        names = [p.name for p in value]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"parameters named twice: {', '.join(dupes)}")
        return value

    @model_validator(mode="after")
    def _check(self) -> DesignSpace:
        by_name = {p.name: p for p in self.parameters}
        for constraint in self.linear_constraints():
            for name in constraint.coefficients:
                param = by_name.get(name)
                if param is None:
                    raise ValueError(f"a constraint names unknown parameter {name!r}; known: {', '.join(by_name)}")
                if isinstance(param, Categorical):
                    raise ValueError(f"a constraint names categorical parameter {name!r}; only numbers add up")
                if param.log:
                    raise ValueError(f"a constraint names log-scale parameter {name!r}; constraints are linear")
        if not self.objectives:
            raise ValueError("a design space needs at least one objective")
        outcomes = [o.name for o in self.objectives] + [c.name for c in self.outcome_constraints]
        if len(set(outcomes)) != len(outcomes):
            raise ValueError("an outcome is named twice among objectives and outcome constraints")
        if self.pool is not None:
            self._check_pool(self.pool)
        elif self.linear_constraints():
            _require_feasible(self)
        return self

    def _check_pool(self, pool: Pool) -> None:
        if not pool.rows:
            raise ValueError("the candidate pool is empty")
        names = set(self.parameter_names)
        for i, row in enumerate(pool.rows):
            if set(row) != names:
                extra, missing = sorted(set(row) - names), sorted(names - set(row))
                raise ValueError(
                    f"pool row {i}: "
                    + "; ".join(
                        part
                        for part in (
                            f"unknown parameter(s) {', '.join(extra)}" if extra else "",
                            f"missing {', '.join(missing)}" if missing else "",
                        )
                        if part
                    )
                )
            try:
                self.validate_point(row)
            except InvalidInput as error:
                raise ValueError(f"pool row {i}: {error.message}") from None

    # --- names and shapes ---------------------------------------------------------------------------------

    @property
    def parameter_names(self) -> list[str]:
        """The parameter names in model order."""
        return [p.name for p in self.parameters]

    @property
    def outcome_names(self) -> list[str]:
        """The objectives, then the outcome-constrained quantities: what an instrument must measure."""
        return [o.name for o in self.objectives] + [c.name for c in self.outcome_constraints]

    @property
    def is_pool(self) -> bool:
        """Whether only pool points may be tried."""
        return self.pool is not None

    def linear_constraints(self) -> list[LinearConstraint]:
        """Every linear constraint, mixtures included as equalities."""
        return [*self.constraints, *(m.as_linear() for m in self.mixtures)]

    def feature_columns(self) -> dict[str, tuple[int, int]]:
        """Where each parameter sits among the model features: name → (first column, width)."""
        out, col = {}, 0
        for p in self.parameters:
            out[p.name] = (col, _width(p))
            col += _width(p)
        return out

    @property
    def dimension(self) -> int:
        """The number of model features."""
        return sum(_width(p) for p in self.parameters)

    # --- points -------------------------------------------------------------------------------------------

    def validate_point(self, point: Mapping[str, Any]) -> Point:
        """Check a point against the parameters and constraints and return it with normalised types.

        Raises:
            InvalidInput: a parameter is unknown, missing, out of bounds, or a constraint is broken.
        """
        unknown = sorted(set(point) - set(self.parameter_names))
        if unknown:
            raise InvalidInput(f"unknown parameter(s) {', '.join(unknown)}; known: {', '.join(self.parameter_names)}")
        clean: Point = {}
        for p in self.parameters:
            if p.name not in point:
                raise InvalidInput(f"the point has no value for {p.name!r}")
            clean[p.name] = _check_value(p, point[p.name])
        for c in self.linear_constraints():
            lhs = sum(coef * float(clean[name]) for name, coef in c.coefficients.items())
            if not _holds(lhs, c.op, c.rhs, tol=1e-6 * max(1.0, abs(c.rhs))):
                raise InvalidInput(f"the point breaks the constraint {_describe(c)} (left side {lhs:.6g})")
        return clean

    def option_codes(self, name: str) -> list[np.ndarray]:
        """The feature code of each option of a categorical parameter, in option order."""
        p = next(q for q in self.parameters if q.name == name)
        assert isinstance(p, Categorical)
        return [_encode_value(p, o) for o in p.options]

    def encode(self, points: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """Model features of points, one row each, every column in [0, 1]."""
        out = np.empty((len(points), self.dimension))
        for i, point in enumerate(points):
            col = 0
            for p in self.parameters:
                w = _width(p)
                out[i, col : col + w] = _encode_value(p, point[p.name])
                col += w
        return out

    def decode(self, features: np.ndarray) -> list[Point]:
        """The valid points nearest to feature rows: numbers unscaled and rounded, categories by nearest code."""
        points: list[Point] = []
        for row in np.atleast_2d(features):
            col, point = 0, {}
            for p in self.parameters:
                w = _width(p)
                point[p.name] = _decode_value(p, row[col : col + w])
                col += w
            points.append(point)
        return points

    def from_unit(self, unit: Sequence[float] | np.ndarray) -> Point:
        """The point at one unit coordinate per parameter: numbers scaled (log-aware), options by equal bins."""
        point: Point = {}
        for p, u in zip(self.parameters, unit, strict=True):
            if isinstance(p, Categorical):
                point[p.name] = p.options[min(int(float(u) * len(p.options)), len(p.options) - 1)]
            else:
                point[p.name] = _decode_value(p, np.array([float(u)]))
        return point

    def pool_points(self) -> list[Point]:
        """The pool's rows as validated points (empty without a pool)."""
        # Validated, so a pool row and an observation of it have the same key (e.g. `1` and `"1"` for an option).
        return [self.validate_point(r) for r in self.pool.rows] if self.pool else []

    def key(self, point: Mapping[str, Any]) -> tuple[Value, ...]:
        """A hashable identity for a point (values in parameter order, floats rounded to 12 digits)."""
        return tuple(_canonical(point[name]) for name in self.parameter_names)

    def outcome_signs(self) -> np.ndarray:
        """+1 for quantities to maximise, -1 to minimise, per objective; planners maximise `sign * y`."""
        return np.array([1.0 if o.direction is Direction.MAXIMIZE else -1.0 for o in self.objectives])

    def feature_constraints(self) -> list[tuple[list[int], list[float], float, str]]:
        """The linear constraints restated on model features: `(columns, coefficients, rhs, op)` each.

        A raw value is `low + u * (high - low)` of its feature `u`, so each constraint stays linear.
        """
        column = {name: start for name, (start, _) in self.feature_columns().items()}
        by_name = {p.name: p for p in self.parameters}
        out: list[tuple[list[int], list[float], float, str]] = []
        for c in self.linear_constraints():
            cols, coefs, rhs = [], [], c.rhs
            for name, coef in c.coefficients.items():
                p = by_name[name]
                assert not isinstance(p, Categorical)
                cols.append(column[name])
                coefs.append(coef * float(p.high - p.low))
                rhs -= coef * float(p.low)
            out.append((cols, coefs, rhs, c.op))
        return out

    def to_yaml(self) -> str:
        """The space as YAML, the form `load_space` reads."""
        return yaml.safe_dump(self.model_dump(mode="json", exclude_defaults=False), sort_keys=False)


def load_space(source: str | Path | Mapping[str, Any]) -> DesignSpace:
    """Read a design space from a YAML/JSON file, a YAML string or a mapping.

    Raises:
        InvalidInput: the spec is unreadable or breaks a rule; the message names the field.
    """
    if isinstance(source, Mapping):
        data: Any = dict(source)
    else:
        text = Path(source).read_text() if isinstance(source, Path) or _looks_like_path(source) else source
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise InvalidInput(f"the design space is not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise InvalidInput("a design space is a mapping with `parameters` and `objectives`")
    try:
        return DesignSpace.model_validate(data)
    except ValidationError as error:
        raise InvalidInput(f"bad design space: {validation_message(error)}") from None


def _looks_like_path(text: str) -> bool:
    return "\n" not in text and text.endswith((".yaml", ".yml", ".json"))


def _width(p: Continuous | Integer | Categorical) -> int:
    if isinstance(p, Categorical):
        return len(next(iter(p.descriptors.values()))) if p.descriptors else len(p.options)
    return 1


def _canonical(value: Any) -> Value:
    if isinstance(value, bool):
        raise InvalidInput("booleans are not design values; use a categorical parameter")
    if isinstance(value, float | int | np.floating | np.integer) and not isinstance(value, str):
        f = float(value)
        return int(f) if f.is_integer() else round(f, 12)
    return str(value)


def _check_value(p: Continuous | Integer | Categorical, value: Any) -> Value:
    if isinstance(p, Categorical):
        if str(value) not in p.options:
            raise InvalidInput(f"{p.name}={value!r} is not one of {', '.join(p.options)}")
        return str(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{p.name}={value!r} is not a number") from None
    if not math.isfinite(number):
        raise InvalidInput(f"{p.name}={value!r} is not a finite number")
    span = p.high - p.low
    if number < p.low - 1e-9 * span or number > p.high + 1e-9 * span:
        raise InvalidInput(f"{p.name}={number:g} is outside [{p.low:g}, {p.high:g}]")
    if isinstance(p, Integer):
        if not float(number).is_integer():
            raise InvalidInput(f"{p.name}={number:g} is not an integer")
        return int(number)
    return min(max(number, p.low), p.high)


def _encode_value(p: Continuous | Integer | Categorical, value: Any) -> np.ndarray:
    if isinstance(p, Categorical):
        if p.descriptors:
            table = np.array([p.descriptors[o] for o in p.options], dtype=float)
            lo, hi = table.min(axis=0), table.max(axis=0)
            scaled: np.ndarray = (np.array(p.descriptors[str(value)], dtype=float) - lo) / np.where(
                hi > lo, hi - lo, 1.0
            )
            return scaled
        code = np.zeros(len(p.options))
        code[p.options.index(str(value))] = 1.0
        return code
    x, lo, hi = float(value), float(p.low), float(p.high)
    if p.log:
        x, lo, hi = math.log(x), math.log(lo), math.log(hi)
    return np.array([(x - lo) / (hi - lo)])


def _decode_value(p: Continuous | Integer | Categorical, features: np.ndarray) -> Value:
    if isinstance(p, Categorical):
        codes = np.array([_encode_value(p, o) for o in p.options])
        return p.options[int(np.argmin(((codes - features) ** 2).sum(axis=1)))]
    u = float(np.clip(features[0], 0.0, 1.0))
    lo, hi = float(p.low), float(p.high)
    x = math.exp(math.log(lo) + u * (math.log(hi) - math.log(lo))) if p.log else lo + u * (hi - lo)
    if isinstance(p, Integer):
        return int(min(max(round(x), p.low), p.high))
    return min(max(x, lo), hi)


def _holds(lhs: float, op: str, rhs: float, tol: float) -> bool:
    if op == "<=":
        return lhs <= rhs + tol
    if op == ">=":
        return lhs >= rhs - tol
    return abs(lhs - rhs) <= tol


def _describe(c: LinearConstraint) -> str:
    terms = " + ".join(f"{coef:g}*{name}" for name, coef in c.coefficients.items())
    return f"{terms} {c.op} {c.rhs:g}"


def _require_feasible(space: DesignSpace) -> None:
    """Refuse constraints no point within the bounds can meet (a linear programme over the box)."""
    from scipy.optimize import linprog

    numeric = [p for p in space.parameters if not isinstance(p, Categorical)]
    index = {p.name: i for i, p in enumerate(numeric)}
    a_ub, b_ub, a_eq, b_eq = [], [], [], []
    for c in space.linear_constraints():
        row = np.zeros(len(numeric))
        for name, coef in c.coefficients.items():
            row[index[name]] = coef
        if c.op == "==":
            a_eq.append(row)
            b_eq.append(c.rhs)
        elif c.op == "<=":
            a_ub.append(row)
            b_ub.append(c.rhs)
        else:
            a_ub.append(-row)
            b_ub.append(-c.rhs)
    result = linprog(
        np.zeros(len(numeric)),
        A_ub=np.array(a_ub) if a_ub else None,
        b_ub=np.array(b_ub) if b_ub else None,
        A_eq=np.array(a_eq) if a_eq else None,
        b_eq=np.array(b_eq) if b_eq else None,
        bounds=[(p.low, p.high) for p in numeric],
        method="highs",
    )
    if result.status != 0:
        described = "; ".join(_describe(c) for c in space.linear_constraints())
        raise ValueError(f"no point within the bounds meets the constraints ({described})")
