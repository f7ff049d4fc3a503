"""The instrument port: run a design point, get measurements back (or a failure, or a timeout).

An instrument is whatever turns a point into numbers: a robotic-lab node over HTTP, a simulator, a
foundation model, or a dataset standing in for the lab. Campaigns see them all through one method,
`execute(point, timeout)`, which never raises for a bad run: it answers a `Measurement` whose `status` says
what happened. Instruments run inside compute workers, so they are plain picklable objects.

Lifecycle of a run, as `Measurement.status` reports it::

    execute ──► SUCCEEDED   values for every outcome the instrument advertises
            ├─► FAILED      the instrument ran and reported no usable result (message says why)
            └─► TIMED_OUT   no answer within the timeout
"""

from __future__ import annotations

import abc
import math
import time
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from genesis_platform.discovery.space import Point

__all__ = ["Action", "Instrument", "InstrumentInfo", "Measurement", "RunStatus", "check_measurement"]


class RunStatus(StrEnum):
    """How one instrument run ended (see the module docstring)."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    TIMED_OUT = "timed_out"


class Measurement(BaseModel):
    """The outcome of one run.

    Attributes:
        status: how the run ended.
        values: measured outcomes by name (empty unless succeeded).
        noise: standard deviations by outcome, where the instrument knows them.
        message: what went wrong, for failures and timeouts.
        seconds: wall time the instrument spent.
        details: anything else worth keeping (replicate count, raw file names, model version).
    """

    model_config = ConfigDict(extra="forbid")

    status: RunStatus
    values: dict[str, float] = Field(default_factory=dict)
    noise: dict[str, float] | None = None
    message: str = ""
    seconds: float = 0.0
    details: dict[str, Any] = Field(default_factory=dict)


class Action(BaseModel):
    """One typed action an instrument advertises (SiLA 2 commands, MADSci and INTERSECT actions).

    Attributes:
        name: the action's name (`run` for the measuring action).
        parameters: argument name → type (`number`, `integer`, `string`).
        outcomes: what a run returns, by name.
        description: what it does.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    parameters: dict[str, str] = Field(default_factory=dict)
    outcomes: tuple[str, ...] = ()
    description: str = ""


class InstrumentInfo(BaseModel):
    """What an instrument says about itself.

    Attributes:
        name: a short identifier.
        kind: `dataset`, `simulator`, `model` or `node`.
        version: its version, recorded with every trial.
        actions: the actions it advertises.
        description: a sentence for people.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    kind: str
    version: str = "1"
    actions: tuple[Action, ...] = ()
    description: str = ""

    @property
    def outcomes(self) -> tuple[str, ...]:
        """The outcomes of the `run` action."""
        return next((a.outcomes for a in self.actions if a.name == "run"), ())

    @property
    def parameters(self) -> dict[str, str]:
        """The arguments of the `run` action, name → type."""
        return next((dict(a.parameters) for a in self.actions if a.name == "run"), {})


class Instrument(abc.ABC):
    """Base of every instrument.

    Contract for implementers of `_run`: return measured values for every advertised outcome, or raise
    `RuntimeError` with a message for a failed run; honour `timeout` where the work can be interrupted.
    `execute` turns exceptions into `FAILED`, checks the values and times the run.
    """

    @abc.abstractmethod
    def info(self) -> InstrumentInfo:
        """Describe the instrument."""

    @abc.abstractmethod
    def _run(self, point: Point, timeout: float | None) -> Mapping[str, float] | Measurement:
        """Measure one point (see the class contract)."""

    def execute(self, point: Point, timeout: float | None = None) -> Measurement:
        """Run one point; never raises for a bad run."""
        start = time.perf_counter()
        try:
            result = self._run(point, timeout)
        except TimeoutError as error:
            return Measurement(status=RunStatus.TIMED_OUT, message=str(error), seconds=time.perf_counter() - start)
        except Exception as error:  # a failed run is data, not a crash of the campaign
            return Measurement(
                status=RunStatus.FAILED, message=f"{type(error).__name__}: {error}", seconds=time.perf_counter() - start
            )
        measurement = (
            result if isinstance(result, Measurement) else Measurement(status=RunStatus.SUCCEEDED, values=dict(result))
        )
        measurement.seconds = measurement.seconds or time.perf_counter() - start
        return check_measurement(measurement, self.info().outcomes)

    def ping(self) -> InstrumentInfo:
        """Check the instrument answers; returns its description."""
        return self.info()


def check_measurement(measurement: Measurement, outcomes: tuple[str, ...]) -> Measurement:
    """Turn a success with missing, extra-only or non-finite values (or noise) into a failure that says so.

    Noise, where given, must be a finite standard deviation >= 0 of a measured outcome.
    """
    if measurement.status is not RunStatus.SUCCEEDED:
        return measurement
    missing = [o for o in outcomes if o not in measurement.values]
    bad = [k for k, v in measurement.values.items() if not isinstance(v, int | float) or not math.isfinite(v)]
    noisy = [
        k
        for k, v in (measurement.noise or {}).items()
        if k not in measurement.values or not isinstance(v, int | float) or not math.isfinite(v) or v < 0
    ]
    if missing or bad or noisy:
        problems = []
        if missing:
            problems.append(f"no value for {', '.join(missing)}")
        if bad:
            problems.append(f"non-finite {', '.join(bad)}")
        if noisy:
            problems.append(f"noise of {', '.join(noisy)} is not a standard deviation of a measured outcome")
        return measurement.model_copy(
            update={
                "status": RunStatus.FAILED,
                "values": {},
                "message": "instrument returned garbage: " + "; ".join(problems),
            }
        )
    return measurement
