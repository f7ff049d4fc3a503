"""Campaigns and trials: the domain types of closed-loop discovery (pure, no I/O).

A campaign is a governed asset (kind `campaign`): its spec says what to search (a design space), how to
choose (a planner and its settings), what runs each point (a registered instrument), how many points run at
once, and when to stop. Its trials are the record of every point tried.

Lifecycle of a trial (`TrialStatus`)::

    RUNNING ──► COMPLETED    the instrument measured every outcome
            ├─► FAILED       the instrument reported a failure or returned garbage
            └─► TIMED_OUT    no answer within the trial timeout
    RUNNING ──► RUNNING      after a crash, `resume` re-issues the same point (attempt + 1)

Lifecycle of a campaign (`CampaignStatus`)::

    CREATED ──► RUNNING ──► FINISHED   a stopping rule fired (budget, target, no improvement)
                        ├─► STOPPED    someone asked it to stop; `resume` continues it
                        └─► (crash)    still RUNNING in the store; `resume` continues it
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from genesis_platform.discovery.space import DesignSpace

__all__ = ["Campaign", "CampaignSpec", "CampaignStatus", "Stopping", "Trial", "TrialStatus"]


class TrialStatus(StrEnum):
    """Where a trial is in its life (see the module docstring)."""

    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    TIMED_OUT = "timed_out"

    @property
    def done(self) -> bool:
        """Whether the trial has ended."""
        return self is not TrialStatus.RUNNING


class CampaignStatus(StrEnum):
    """Where a campaign is in its life (see the module docstring)."""

    CREATED = "created"
    RUNNING = "running"
    STOPPED = "stopped"
    FINISHED = "finished"


class Stopping(BaseModel):
    """When a campaign ends on its own; the first rule to fire wins.

    Attributes:
        max_trials: the budget, counting every trial whatever its outcome.
        target: stop once the (first) objective reaches this value, in its own direction.
        patience: stop after this many completed trials without improving the best value.
        min_improvement: what counts as an improvement for `patience`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_trials: int = Field(default=50, ge=1, le=100_000)
    target: float | None = None
    patience: int | None = Field(default=None, ge=1)
    min_improvement: float = Field(default=0.0, ge=0)


class CampaignSpec(BaseModel):
    """What a campaign does (YAML or JSON; `genesis campaign create --spec`).

    Attributes:
        name: a title for people.
        space: the design space.
        instrument: the id of the registered instrument that runs each point.
        planner: a registered planner name (`botorch` by default).
        planner_settings: its constructor settings.
        seed: the root of the planner's randomness.
        workers: how many trials run at once.
        mode: `async` (a new point as soon as a worker is free) or `batch` (a batch of `workers` points, all
            finished before the next batch is chosen: reproducible on any executor).
        stopping: when to stop.
        trial_timeout: seconds an instrument may take for one point.
        uses: datasets or models the campaign uses, with the action each use needs (`read_metadata`,
            `download`, `train`, `infer`); decided before every trial.
        project: the project the campaign belongs to.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=200)
    space: DesignSpace
    instrument: str
    planner: str = "botorch"
    planner_settings: dict[str, Any] = Field(default_factory=dict)
    seed: int = 0
    workers: int = Field(default=1, ge=1, le=256)
    mode: Literal["async", "batch"] = "async"
    stopping: Stopping = Stopping()
    trial_timeout: float | None = Field(default=None, gt=0)
    uses: dict[str, str] = Field(default_factory=dict)
    project: str | None = None

    @model_validator(mode="after")
    def _check(self) -> CampaignSpec:
        if self.stopping.max_trials < self.workers and self.mode == "batch":
            raise ValueError(f"a batch of {self.workers} trials does not fit a budget of {self.stopping.max_trials}")
        if self.space.pool is not None and len(self.space.pool.rows) < self.stopping.max_trials:
            raise ValueError(
                f"the pool has {len(self.space.pool.rows)} points but the budget is {self.stopping.max_trials} "
                "trials; lower stopping.max_trials"
            )
        return self


class Trial(BaseModel):
    """One point tried.

    Attributes:
        campaign_id: the campaign.
        number: 1, 2, ... in the order the points were chosen.
        batch: which suggestion call chose it.
        point: the design point.
        status: where it is in its life.
        values: measured outcomes (completed trials).
        noise: the measurement standard deviations by outcome, where the instrument reported them.
        message: why it failed or timed out.
        attempt: 1, or more when re-issued after a crash.
        planner: the planner name and version that chose it (`botorch@4`).
        seed: the planner's seed.
        instrument: the instrument id and version that ran it (`ins-...@1`).
        activity: the compute job's provenance activity.
        created_at: when it was chosen.
        finished_at: when its result was recorded.
        seconds: instrument wall time.
    """

    model_config = ConfigDict(extra="forbid")

    campaign_id: str
    number: int
    batch: int
    point: dict[str, float | int | str]
    status: TrialStatus = TrialStatus.RUNNING
    values: dict[str, float] = Field(default_factory=dict)
    noise: dict[str, float] | None = None
    message: str = ""
    attempt: int = 1
    planner: str
    seed: int
    instrument: str
    activity: str | None = None
    created_at: datetime
    finished_at: datetime | None = None
    seconds: float | None = None


class Campaign(BaseModel):
    """A campaign's record beside its governed asset.

    Attributes:
        id: the asset id.
        spec: what it does.
        status: where it is in its life.
        planner_state: the planner's `state()`, saved with every recorded result.
        stop_reason: which rule ended it, or who stopped it.
        created_by: the user who created it.
        created_at: when.
        updated_at: the last change.
    """

    model_config = ConfigDict(extra="forbid")

    id: str
    spec: CampaignSpec
    status: CampaignStatus = CampaignStatus.CREATED
    planner_state: dict[str, Any] | None = None
    stop_reason: str = ""
    created_by: str
    created_at: datetime
    updated_at: datetime


def feasible(trial: Trial, space: DesignSpace) -> bool:
    """Whether a trial completed and its measurements meet every outcome constraint of the space."""
    if trial.status is not TrialStatus.COMPLETED:
        return False
    for c in space.outcome_constraints:
        value = trial.values.get(c.name)
        if value is None or not (value <= c.bound if c.op == "<=" else value >= c.bound):
            return False
    return True


def best_value(trials: list[Trial], space: DesignSpace) -> float | None:
    """The best value of the first objective among feasible trials (see `feasible`), or None before any."""
    objective = space.objectives[0]
    values = [t.values[objective.name] for t in trials if feasible(t, space) and objective.name in t.values]
    if not values:
        return None
    return max(values) if objective.direction.value == "maximize" else min(values)


def stop_reason(spec: CampaignSpec, trials: list[Trial]) -> str | None:
    """Which stopping rule fires for these trials, if any (in trial-number order)."""
    rules = spec.stopping
    if len(trials) >= rules.max_trials and all(t.status.done for t in trials):
        return f"budget of {rules.max_trials} trials spent"
    objective = spec.space.objectives[0]
    maximise = objective.direction.value == "maximize"
    best = best_value(trials, spec.space)
    if rules.target is not None and best is not None and (best >= rules.target if maximise else best <= rules.target):
        # no measured value here: a stop reason is shown to callers who may not see results
        return f"target {objective.name} {'>=' if maximise else '<='} {rules.target:g} reached"
    if rules.patience is not None:
        completed = sorted((t for t in trials if t.status is TrialStatus.COMPLETED), key=lambda t: t.number)
        if len(completed) > rules.patience:
            head = completed[: -rules.patience]
            before = best_value(head, spec.space)
            after = best_value(completed, spec.space)
            if before is not None and after is not None:
                gain = (after - before) if maximise else (before - after)
                if gain <= rules.min_improvement:
                    return f"no improvement of {objective.name} in the last {rules.patience} completed trials"
    return None
