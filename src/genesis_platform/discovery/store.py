"""Persistence of instruments, campaigns and trials."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, insert, or_, select, update

from genesis_platform.discovery.benchmark import RunResult
from genesis_platform.discovery.model import Campaign, CampaignSpec, CampaignStatus, Trial, TrialStatus
from genesis_platform.discovery.tables import campaign_benchmark_runs, campaign_trials, campaigns, instruments
from genesis_platform.kernel.timestamps import from_text, to_text

__all__ = ["CampaignStore", "InstrumentRecord"]


class InstrumentRecord(dict[str, Any]):
    """A registered instrument's row: `id`, `kind`, `config` (dict), `version`, `created_by`, `created_at`."""


class CampaignStore:
    """Reads and writes discovery rows.

    Args:
        conn: the unit of work's connection.
    """

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # --- instruments ---

    def add_instrument(self, record: InstrumentRecord) -> None:
        """Insert an instrument row."""
        self._conn.execute(insert(instruments).values(**{**record, "config": json.dumps(record["config"])}))

    def instrument(self, instrument_id: str) -> InstrumentRecord | None:
        """One instrument row, or None."""
        row = self._conn.execute(select(instruments).where(instruments.c.id == instrument_id)).first()
        if row is None:
            return None
        return InstrumentRecord({**row._mapping, "config": json.loads(row.config)})

    # --- campaigns ---

    def add(self, campaign: Campaign) -> None:
        """Insert a campaign row."""
        self._conn.execute(
            insert(campaigns).values(
                id=campaign.id,
                spec=campaign.spec.model_dump_json(),
                status=campaign.status.value,
                planner_state=None if campaign.planner_state is None else json.dumps(campaign.planner_state),
                stop_reason=campaign.stop_reason,
                created_by=campaign.created_by,
                created_at=to_text(campaign.created_at),
                updated_at=to_text(campaign.updated_at),
            )
        )

    def get(self, campaign_id: str, *, lock: bool = False) -> Campaign | None:
        """One campaign, or None; `lock` takes a row lock on PostgreSQL (one runner at a time)."""
        query = select(campaigns).where(campaigns.c.id == campaign_id)
        if lock and self._conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = self._conn.execute(query).first()
        return None if row is None else _campaign(row)

    def save_state(self, campaign_id: str, state: dict[str, Any], at: datetime) -> None:
        """Write the planner state (status and stop reason are left as they are)."""
        self._conn.execute(
            update(campaigns)
            .where(campaigns.c.id == campaign_id)
            .values(planner_state=json.dumps(state), updated_at=to_text(at))
        )

    def set_status(
        self,
        campaign_id: str,
        status: CampaignStatus,
        reason: str,
        at: datetime,
        only_from: tuple[CampaignStatus, ...] = (),
    ) -> bool:
        """Change the status, optionally only from the given ones; whether it changed."""
        query = update(campaigns).where(campaigns.c.id == campaign_id)
        if only_from:
            query = query.where(campaigns.c.status.in_([s.value for s in only_from]))
        done = self._conn.execute(query.values(status=status.value, stop_reason=reason, updated_at=to_text(at)))
        return bool(done.rowcount)

    def status(self, campaign_id: str) -> tuple[CampaignStatus, str]:
        """The stored status and stop reason (without parsing the spec)."""
        row = self._conn.execute(
            select(campaigns.c.status, campaigns.c.stop_reason).where(campaigns.c.id == campaign_id)
        ).one()
        return CampaignStatus(row.status), row.stop_reason

    def lease(self, campaign_id: str) -> tuple[str | None, str | None]:
        """The current runner and the end of its lease."""
        row = self._conn.execute(
            select(campaigns.c.runner, campaigns.c.lease_until).where(campaigns.c.id == campaign_id)
        ).first()
        return (None, None) if row is None else (row.runner, row.lease_until)

    def take_lease(self, campaign_id: str, runner: str, until: datetime, now: datetime, replacing: str | None) -> bool:
        """Become the runner if nobody holds an unexpired lease (or the holder is `replacing`)."""
        free = or_(campaigns.c.runner.is_(None), campaigns.c.lease_until < to_text(now), campaigns.c.runner == runner)
        if replacing is not None:
            free = or_(free, campaigns.c.runner == replacing)
        done = self._conn.execute(
            update(campaigns)
            .where(campaigns.c.id == campaign_id, free)
            .values(runner=runner, lease_until=to_text(until))
        )
        return bool(done.rowcount)

    def renew_lease(self, campaign_id: str, runner: str, until: datetime) -> bool:
        """Extend the lease; False if someone else holds it now."""
        done = self._conn.execute(
            update(campaigns)
            .where(campaigns.c.id == campaign_id, campaigns.c.runner == runner)
            .values(lease_until=to_text(until))
        )
        return bool(done.rowcount)

    def release_lease(self, campaign_id: str, runner: str) -> None:
        """Give the lease up."""
        self._conn.execute(
            update(campaigns)
            .where(campaigns.c.id == campaign_id, campaigns.c.runner == runner)
            .values(runner=None, lease_until=None)
        )

    def ids(self) -> list[str]:
        """Every campaign id, oldest first."""
        return list(
            self._conn.execute(select(campaigns.c.id).order_by(campaigns.c.created_at, campaigns.c.id)).scalars()
        )

    # --- trials ---

    def add_trial(self, trial: Trial) -> None:
        """Insert a trial."""
        self._conn.execute(insert(campaign_trials).values(**_trial_row(trial)))

    def save_trial(self, trial: Trial) -> None:
        """Rewrite a trial's outcome."""
        row = _trial_row(trial)
        self._conn.execute(
            update(campaign_trials)
            .where(campaign_trials.c.campaign_id == trial.campaign_id, campaign_trials.c.number == trial.number)
            .values(**{k: v for k, v in row.items() if k not in ("campaign_id", "number")})
        )

    def trials(self, campaign_id: str) -> list[Trial]:
        """A campaign's trials in number order."""
        rows = self._conn.execute(
            select(campaign_trials)
            .where(campaign_trials.c.campaign_id == campaign_id)
            .order_by(campaign_trials.c.number)
        ).all()
        return [_trial(r) for r in rows]

    def counts(self, campaign_id: str) -> dict[TrialStatus, int]:
        """Trials per status."""
        rows = self._conn.execute(
            select(campaign_trials.c.status, func.count())
            .where(campaign_trials.c.campaign_id == campaign_id)
            .group_by(campaign_trials.c.status)
        ).all()
        return {TrialStatus(s): int(n) for s, n in rows}

    # --- benchmark runs ---

    def add_benchmark_run(
        self, campaign_id: str, method: str, version: str, result: RunResult, by: str, at: datetime
    ) -> None:
        """Keep one benchmark run (IntegrityError where that method, version and seed is kept already)."""
        self._conn.execute(
            insert(campaign_benchmark_runs).values(
                campaign_id=campaign_id,
                method=method,
                version=version,
                seed=result.seed,
                picks=json.dumps(list(result.picks)),
                seconds=json.dumps(list(result.seconds)),
                created_by=by,
                created_at=to_text(at),
            )
        )

    def benchmark_keys(self, campaign_id: str) -> set[tuple[str, str, int]]:
        """(method, version, seed) of every benchmark run kept for the campaign."""
        t = campaign_benchmark_runs.c
        rows = self._conn.execute(select(t.method, t.version, t.seed).where(t.campaign_id == campaign_id)).all()
        return {(m, v, int(s)) for m, v, s in rows}

    def benchmark_runs(self, campaign_id: str, versions: dict[str, str]) -> dict[str, list[RunResult]]:
        """Method → the runs its current `versions[method]` made, in seed order."""
        t = campaign_benchmark_runs.c
        rows = self._conn.execute(
            select(t.method, t.version, t.seed, t.picks, t.seconds)
            .where(t.campaign_id == campaign_id)
            .order_by(t.method, t.seed)
        ).all()
        out: dict[str, list[RunResult]] = {}
        for method, version, seed, picks, seconds in rows:
            if versions.get(method) == version:
                out.setdefault(method, []).append(
                    RunResult(int(seed), tuple(json.loads(picks)), tuple(json.loads(seconds)))
                )
        return out


def _campaign(row: Row[Any]) -> Campaign:
    return Campaign(
        id=row.id,
        spec=CampaignSpec.model_validate_json(row.spec),
        status=CampaignStatus(row.status),
        planner_state=None if row.planner_state is None else json.loads(row.planner_state),
        stop_reason=row.stop_reason,
        created_by=row.created_by,
        created_at=from_text(row.created_at),
        updated_at=from_text(row.updated_at),
    )


def _trial_row(trial: Trial) -> dict[str, Any]:
    return {
        "campaign_id": trial.campaign_id,
        "number": trial.number,
        "batch": trial.batch,
        "point": json.dumps(trial.point, sort_keys=True),
        "status": trial.status.value,
        "measured": json.dumps(trial.values, sort_keys=True),
        "noise": None if trial.noise is None else json.dumps(trial.noise, sort_keys=True),
        "message": trial.message,
        "attempt": trial.attempt,
        "planner": trial.planner,
        "seed": trial.seed,
        "instrument": trial.instrument,
        "activity": trial.activity,
        "created_at": to_text(trial.created_at),
        "finished_at": None if trial.finished_at is None else to_text(trial.finished_at),
        "seconds": trial.seconds,
    }


def _trial(row: Row[Any]) -> Trial:
    return Trial(
        campaign_id=row.campaign_id,
        number=row.number,
        batch=row.batch,
        point=json.loads(row.point),
        status=TrialStatus(row.status),
        values=json.loads(row.measured),
        noise=None if row.noise is None else json.loads(row.noise),
        message=row.message,
        attempt=row.attempt,
        planner=row.planner,
        seed=row.seed,
        instrument=row.instrument,
        activity=row.activity,
        created_at=from_text(row.created_at),
        finished_at=None if row.finished_at is None else from_text(row.finished_at),
        seconds=row.seconds,
    )
