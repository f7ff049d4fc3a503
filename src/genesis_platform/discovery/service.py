"""Use cases of discovery: register instruments, create, run, resume, stop and inspect campaigns.

Every step goes through the kernel. Registering an instrument or a campaign registers a governed asset;
creating a campaign requires `run` on its instrument and each declared use; every trial is a compute job
(`ComputeService.submit`), so `run` on the campaign, the instrument and each use is decided and audited
for every single trial, and the trial is a PROV activity linked to the user, the instrument and the data.

Crash safety: a trial row and the planner state that chose it are committed in one transaction before the
job is submitted; a result and the planner state that learned it are committed in one transaction after.
A campaign killed at any instant therefore loses no completed trial, and `resume` re-issues the trials that
were in flight (same point, attempt + 1) before asking the planner for anything new.
"""

from __future__ import annotations

import builtins
import csv
import io
import logging
import os
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, as_completed, wait
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy.exc import IntegrityError

from genesis_platform.discovery.benchmark import PoolProblem, RunResult, run_method
from genesis_platform.discovery.harness import quiet_libraries
from genesis_platform.discovery.instrument import Action as InstrumentAction
from genesis_platform.discovery.instrument import Instrument, InstrumentInfo, Measurement, RunStatus
from genesis_platform.discovery.instruments import Branin, Hartmann6, NodeInstrument, PoolInstrument, SnarReactor
from genesis_platform.discovery.instruments.model import ModelInstrument
from genesis_platform.discovery.model import (
    Campaign,
    CampaignSpec,
    CampaignStatus,
    Trial,
    TrialStatus,
    best_value,
    feasible,
    stop_reason,
)
from genesis_platform.discovery.planner import Observation, Planner, make_planner, restore
from genesis_platform.discovery.planners.basic import sample_points
from genesis_platform.discovery.pool_bench import (
    BENCH_METHODS,
    bench_method,
    bench_problem,
    bench_summary,
    bench_version,
    data_digest,
    parse_bench_runs,
)
from genesis_platform.discovery.report import random_expectation, render_html, summary
from genesis_platform.discovery.space import DesignSpace, Pool
from genesis_platform.discovery.store import CampaignStore, InstrumentRecord
from genesis_platform.kernel.assets.markings import Markings
from genesis_platform.kernel.assets.model import GovernedAsset
from genesis_platform.kernel.assets.service import AssetService
from genesis_platform.kernel.compute import ComputeService, Executor, Job, ThreadExecutor
from genesis_platform.kernel.errors import AccessDenied, Conflict, InvalidInput, NotFound
from genesis_platform.kernel.guard import Guard
from genesis_platform.kernel.identity.model import Principal
from genesis_platform.kernel.policy.model import Action
from genesis_platform.kernel.provenance.recorder import ProvenanceRecorder, asset_node_id
from genesis_platform.kernel.unit_of_work import UnitOfWork
from genesis_platform.kernel.validation import build, parse_enum

__all__ = [
    "CampaignService",
    "CampaignStatusReport",
    "DatasetRows",
    "InstrumentService",
    "RegisteredBest",
    "bench_run",
    "run_trial",
]

SIMULATORS: dict[str, type[Branin | Hartmann6 | SnarReactor]] = {
    "branin": Branin,
    "hartmann6": Hartmann6,
    "snar": SnarReactor,
}
MODEL_OUTCOMES = ("energy_per_atom", "max_force", "pressure")
log = logging.getLogger(__name__)
LEASE = timedelta(seconds=30)
"""How long a runner's claim on a campaign lasts without renewal. A heartbeat thread renews it every third of
that, so a long suggestion or a long batch wait keeps it; every write of the loop checks it is still held."""


def _runner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _dead(runner: str | None) -> bool:
    """Whether a runner on this host has died (its process is gone), so its lease may be taken at once."""
    if runner is None:
        return False
    host, _, rest = runner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, under another user
        return False
    return False


_POLL_SECONDS = 1.0  # how often a waiting loop looks for a stop request


def run_trial(instrument: Instrument, point: dict[str, Any], timeout: float | None) -> Measurement:
    """What a compute worker runs for one trial (module-level, so process pools and Ray can import it)."""
    return instrument.execute(point, timeout)


def bench_run(method: str, spec: CampaignSpec, problem: PoolProblem, seed: int) -> RunResult:
    """What a compute worker runs for one campaign benchmark run (module-level, so process pools can import it).

    On the main thread of a worker process (a process pool's) the run takes one thread, as the suite's runs do,
    and keeps library chatter (Ax's line per trial, numerical warnings) out of the log the worker shares with its
    parent while it runs; elsewhere (threads of a server) it changes nothing process-wide.
    """
    import multiprocessing
    import threading

    if multiprocessing.parent_process() is None or threading.current_thread() is not threading.main_thread():
        return run_method(bench_method(method, spec), problem, seed)
    import torch

    torch.set_num_threads(1)
    with quiet_libraries():
        return run_method(bench_method(method, spec), problem, seed)


class DatasetRows:
    """Reads the rows of a registered dataset's CSV file through the catalogue (action `download`).

    The catalogue lives beside discovery; bootstrap hands this reader in so discovery imports no catalogue code.
    """

    def __init__(
        self,
        read: Callable[[Principal, str, int | None, str], bytes],
        latest: Callable[[Principal, str], int] | None = None,
    ) -> None:
        self._read = read
        self._latest = latest

    def latest(self, principal: Principal, dataset: str) -> int | None:
        """The dataset's newest version number (None where this reader cannot tell)."""
        return None if self._latest is None else self._latest(principal, dataset)

    def rows(self, principal: Principal, dataset: str, version: int | None, path: str) -> list[dict[str, str]]:
        """The file's rows as dicts of strings."""
        try:
            text = self._read(principal, dataset, version, path).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput(f"{path} of {dataset} is not UTF-8 text; a dataset instrument reads a CSV") from None
        return [{k.strip(): (v or "").strip() for k, v in r.items() if k} for r in csv.DictReader(io.StringIO(text))]


class InstrumentService:
    """Registers instruments and builds them for runs.

    Args:
        uow: makes units of work.
        guard: authorises and audits.
        assets: the governed-asset registry.
        provenance: records who registered what.
        datasets: reads dataset rows for dataset instruments.
        predict: runs a registered model on one input file for a caller (`(principal, model, data, filename)
            -> outputs`), for model instruments; the model service decides and records each inference.
    """

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        guard: Guard,
        assets: AssetService,
        provenance: ProvenanceRecorder,
        datasets: DatasetRows | None = None,
        predict: Callable[[Principal, str, bytes, str], Mapping[str, Any]] | None = None,
    ) -> None:
        self._uow = uow
        self._predict = predict
        self._guard = guard
        self._assets = assets
        self._prov = provenance
        self._datasets = datasets

    def register(
        self,
        principal: Principal,
        name: str,
        config: Mapping[str, Any],
        *,
        description: str = "",
        project: str | None = None,
        markings: Markings | None = None,
    ) -> tuple[GovernedAsset, InstrumentRecord]:
        """Register an instrument: a simulator, or a registered dataset replayed as a pool.

        Configurations: `{"type": "simulator", "simulator": "hartmann6", "noise": 0.1}` or
        `{"type": "dataset", "dataset": ID, "file": "data.csv", "outcomes": [...]}`.

        Raises:
            InvalidInput: the configuration is incomplete or names an unknown simulator.
        """
        asset_id = f"ins-{uuid.uuid4().hex[:12]}"
        with self._uow() as uow:  # decided before any file is read or any URL is contacted on the caller's behalf
            self._assets.preflight(
                uow, principal, kind="instrument", name=name, asset_id=asset_id, project=project, markings=markings
            )
        clean = _check_config(config)
        version = "1"
        if clean["type"] == "simulator":
            version = _simulator(clean).info().version
        elif clean["type"] == "node":
            try:  # a node must answer before it is registered; what it measures is kept with it
                info = NodeInstrument(clean["url"]).ping()
            except RuntimeError as error:
                raise InvalidInput(f"{error}; start the node or fix its URL") from None
            clean["outcomes"], clean["parameters"], version = list(info.outcomes), info.parameters, info.version
        elif clean["type"] == "dataset" and clean["version"] is None and self._datasets is not None:
            # pinned: a version registered later must not change what the instrument replays mid-campaign
            clean["version"] = self._datasets.latest(principal, clean["dataset"])
        with self._uow() as uow:
            if clean["type"] == "dataset":
                self._assets.require(uow, principal, Action.DOWNLOAD, clean["dataset"], {"instrument": name})
            if clean["type"] == "model":
                self._assets.require(uow, principal, Action.INFER, clean["model"], {"instrument": name})
            asset = self._assets.register_in(
                uow,
                principal,
                kind="instrument",
                name=name,
                description=description,
                project=project,
                markings=markings,
                asset_id=asset_id,
            )
            record = InstrumentRecord(
                id=asset.id,
                kind=clean["type"],
                config=clean,
                version=version,
                created_by=principal.user.id,
                created_at=self._guard.clock.now().isoformat(),
            )
            CampaignStore(uow.connection).add_instrument(record)
            self._guard.changed(uow, principal, "instrument.register", asset, {"kind": clean["type"]})
        return asset, record

    def list(self, principal: Principal) -> list[tuple[GovernedAsset, InstrumentRecord]]:
        """The instruments the caller may discover."""
        with self._uow() as uow:
            store = CampaignStore(uow.connection)
            out = []
            visible = self._assets.visible(uow, principal, "instrument")
            for asset in self._guard.filter(uow, principal, Action.READ_METADATA, visible):
                record = store.instrument(asset.id)
                if record is not None:
                    out.append((asset, record))
            return out

    def ping(self, principal: Principal, instrument_id: str) -> InstrumentInfo:
        """Ask an instrument to describe itself (action `run`: it may contact the instrument)."""
        with self._uow() as uow:
            asset, record = self._require(uow, principal, Action.RUN, instrument_id)
            self._guard.changed(uow, principal, "instrument.ping", asset, {})
        if record["kind"] == "simulator":
            return _simulator(record["config"]).ping()
        if record["kind"] == "model":
            return self._model_instrument(principal, record).info()
        if record["kind"] == "node":
            try:
                return NodeInstrument(record["config"]["url"]).ping()
            except RuntimeError as error:
                raise Conflict(f"instrument {instrument_id} does not answer: {error}") from None
        # A dataset instrument is described from its record: answering a ping must not read (download) the data.
        config = record["config"]
        text = f"replays {config['file']} of dataset {config['dataset']}" + (
            f" version {config['version']}" if config.get("version") else ""
        )
        run = InstrumentAction(name="run", outcomes=tuple(config["outcomes"]), description=text)
        return InstrumentInfo(
            name=asset.name, kind="dataset", version=record["version"], actions=(run,), description=text
        )

    def _require(
        self, uow: UnitOfWork, principal: Principal, action: Action, instrument_id: str
    ) -> tuple[GovernedAsset, InstrumentRecord]:
        asset = self._assets.require(uow, principal, action, instrument_id)
        record = CampaignStore(uow.connection).instrument(instrument_id)
        if asset.kind != "instrument" or record is None:
            raise NotFound(f"no instrument {instrument_id!r}")
        return asset, record

    def record(
        self, uow: UnitOfWork, principal: Principal, action: Action, instrument_id: str
    ) -> tuple[GovernedAsset, InstrumentRecord]:
        """The instrument's asset and record, after deciding `action` on it."""
        return self._require(uow, principal, action, instrument_id)

    def outcomes(
        self, uow: UnitOfWork, principal: Principal, instrument_id: str
    ) -> tuple[GovernedAsset, InstrumentRecord, tuple[str, ...]]:
        """The instrument's asset, its record and the outcomes it measures (action `run`)."""
        asset, record = self._require(uow, principal, Action.RUN, instrument_id)
        if record["kind"] == "simulator":
            return asset, record, _simulator(record["config"]).info().outcomes
        if record["kind"] == "model":
            return asset, record, MODEL_OUTCOMES
        return asset, record, tuple(record["config"]["outcomes"])

    def build(self, principal: Principal, instrument_id: str, space: DesignSpace) -> Instrument:
        """The instrument object a worker runs, for a campaign on `space` (action `run`)."""
        with self._uow() as uow:
            _, record = self._require(uow, principal, Action.RUN, instrument_id)
        if record["kind"] == "simulator":
            return _simulator(record["config"])
        if record["kind"] == "node":
            return NodeInstrument(record["config"]["url"], poll=float(record["config"].get("poll", 0.05)))
        if record["kind"] == "model":
            return self._model_instrument(principal, record)
        rows = self.dataset_rows(principal, record)
        return PoolInstrument(
            space,
            rows,
            name=instrument_id,
            source=_dataset_source(record),
            dataset=record["config"]["dataset"],
            replicate_noise=bool(record["config"].get("replicate_noise", False)),
            seed=int(record["config"].get("seed", 0)),
        )

    def _model_instrument(self, principal: Principal, record: InstrumentRecord) -> ModelInstrument:
        predict = self._predict
        if predict is None:
            raise InvalidInput("this platform has no model service; model instruments are unavailable")
        config = record["config"]
        model = config["model"]
        return ModelInstrument(
            lambda data, filename: predict(principal, model, data, filename),
            config["prototype"],
            config.get("substitute"),
            name=record["id"],
            model=model,
        )

    def dataset_rows(self, principal: Principal, record: InstrumentRecord) -> builtins.list[dict[str, str]]:
        """The rows behind a dataset instrument (action `download` on the dataset)."""
        if self._datasets is None:
            raise InvalidInput("this platform has no dataset reader; dataset instruments are unavailable")
        config = record["config"]
        return self._datasets.rows(principal, config["dataset"], config.get("version"), config["file"])


def _check_config(config: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return _clean_config(config)
    except (TypeError, ValueError) as error:
        raise InvalidInput(f"bad instrument configuration: {error}") from None


def _dataset_source(record: InstrumentRecord) -> str:
    config = record["config"]
    return f"dataset:{config['dataset']}" + (f"@{config['version']}" if config.get("version") else "")


def _check_parameters(record: InstrumentRecord, space: DesignSpace) -> None:
    # A design parameter the instrument does not take would be ignored (a model instrument runs every trial at
    # its default) or fail every trial (a node): refuse it before the first trial. A simulator takes exactly its
    # own; a dataset's columns are checked when its pool is read.
    config, names = record["config"], set(space.parameter_names)
    if record["kind"] == "simulator":
        takes = set(_simulator(config).info().parameters)
        what = f"simulator {config['simulator']}"
        if names != takes:
            raise InvalidInput(f"{what} takes {', '.join(sorted(takes))}; the space has {', '.join(sorted(names))}")
        return
    if record["kind"] == "model":  # what it advertises; no model is loaded to say so
        takes = set(
            ModelInstrument(lambda data, filename: {}, config["prototype"], config.get("substitute")).info().parameters
        )
        what = f"model instrument {record['id']}"
    elif record["kind"] == "node" and "parameters" in config:  # nodes registered before 2026-12-03 did not keep them
        takes = set(config["parameters"])
        what = f"node {config['url']}"
    else:
        return
    unknown = sorted(names - takes)
    if unknown:
        raise InvalidInput(
            f"{what} takes {', '.join(sorted(takes)) or 'no parameters'}; "
            f"it does not know {', '.join(unknown)} (rename or remove them from the space)"
        )


def _clean_config(config: Mapping[str, Any]) -> dict[str, Any]:
    kind = config.get("type")
    if kind == "simulator":
        name = config.get("simulator")
        if name not in SIMULATORS:
            raise InvalidInput(f"unknown simulator {name!r}; choose one of {', '.join(SIMULATORS)}")
        noise, delay = float(config.get("noise", 0.0)), float(config.get("delay", 0.0))
        if noise < 0 or delay < 0:
            raise InvalidInput("noise (a standard deviation) and delay (seconds) cannot be negative")
        return {
            "type": "simulator",
            "simulator": name,
            "noise": noise,
            "delay": delay,
            "seed": int(config.get("seed", 0)),
        }
    if kind == "dataset":
        missing = [k for k in ("dataset", "file", "outcomes") if not config.get(k)]
        if missing:
            raise InvalidInput(f"a dataset instrument needs {', '.join(missing)}")
        return {
            "type": "dataset",
            "dataset": str(config["dataset"]),
            "version": _version_number(config.get("version")),
            "file": str(config["file"]),
            "outcomes": [str(o) for o in config["outcomes"]],
            "replicate_noise": bool(config.get("replicate_noise", False)),
            "seed": int(config.get("seed", 0)),
        }
    if kind == "model":
        if not config.get("model") or not config.get("prototype"):
            raise InvalidInput("a model instrument needs model (an id) and prototype (e.g. NaCl_rocksalt.cif)")
        prototype = str(config["prototype"])
        substitute = None if config.get("substitute") is None else str(config["substitute"])
        clean = {"type": "model", "model": str(config["model"]), "prototype": prototype, "substitute": substitute}
        try:
            ModelInstrument(lambda data, filename: {}, prototype, substitute)
        except ValueError as error:
            raise InvalidInput(str(error)) from None
        return clean
    if kind == "node":
        url = str(config.get("url", ""))
        if not url.startswith(("http://", "https://")):
            raise InvalidInput("a node instrument needs its url (http://host:port)")
        poll = float(config.get("poll", 0.05))
        if poll <= 0:
            raise InvalidInput("poll is the seconds between status requests and must be positive")
        return {"type": "node", "url": url.rstrip("/"), "poll": poll}
    raise InvalidInput(f"unknown instrument type {kind!r}; choose simulator, dataset, model or node")


def _version_number(value: Any) -> int | None:
    if value is None:
        return None
    try:
        number = int(value)
        whole = not isinstance(value, bool) and number >= 1 and number == float(value)
    except (TypeError, ValueError, OverflowError):
        whole = False
    if not whole:
        raise InvalidInput(f"a dataset version is a whole number from 1; got {value!r}")
    return number


class _BenchBusy(Conflict):
    """Another benchmark of the campaign holds its slot."""


def _bench_state(state: str, runs: Mapping[str, int], total: int | None = None) -> dict[str, Any]:
    return {"state": state, "runs": dict(runs), "done": 0, "total": total, "error": None}


def _bench_busy(campaign_id: str, current: Mapping[str, Any]) -> str:
    if current["state"] == "queued":
        return f"a benchmark of {campaign_id} is queued; wait for it, then ask again to add runs"
    return (
        f"a benchmark of {campaign_id} is running ({current['done']} of {current['total']} runs made); "
        "wait for it, then ask again to add runs"
    )


def _installed_version(method: str) -> str | None:
    try:
        return bench_version(method)
    except InvalidInput:  # a competitor not installed here: its kept runs are not shown
        return None


def _simulator(config: Mapping[str, Any]) -> Branin | Hartmann6 | SnarReactor:
    return SIMULATORS[config["simulator"]](
        noise=float(config.get("noise", 0.0)), seed=int(config.get("seed", 0)), delay=float(config.get("delay", 0.0))
    )


@dataclass(frozen=True)
class CampaignStatusReport:
    """Where a campaign stands.

    Attributes:
        campaign: its record.
        asset: its governed asset.
        counts: trials per status.
        best: the best value of the first objective so far (None when withheld).
        best_point: where it was measured (None when withheld).
        results_visible: whether the caller may see measured results (action `download` on the campaign);
            without it `best` and `best_point` are withheld, as a dataset's rows are behind its data card.
    """

    campaign: Campaign
    asset: GovernedAsset
    counts: dict[TrialStatus, int]
    best: float | None
    best_point: dict[str, Any] | None
    results_visible: bool = True


Progress = Callable[[Campaign, list[Trial]], None]
RegisterDataset = Callable[
    [
        Principal,
        Path,
        str,
        str,
        str | None,
        Markings,
        tuple[str, ...],
        str | None,
        Callable[[GovernedAsset], None] | None,
    ],
    tuple[str, int],
]


class RegisteredBest(NamedTuple):
    """Where `register_best` put the best trials: a dataset and its version."""

    dataset_id: str
    version: int


class CampaignService:
    """Creates and runs campaigns.

    Args:
        uow: makes units of work.
        guard: authorises and audits.
        assets: the governed-asset registry.
        compute: runs trials as governed jobs.
        instruments: builds instruments.
        register_dataset: registers a file for a caller as a new dataset, or as the next version of the dataset
            `into` after `check` accepts it (`(principal, path, name, description, project, markings, sources,
            into, check) -> (dataset id, version number)`).
    """

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        guard: Guard,
        assets: AssetService,
        compute: ComputeService,
        instruments: InstrumentService,
        register_dataset: RegisterDataset | None = None,
    ) -> None:
        self._register_dataset = register_dataset
        self._uow = uow
        self._guard = guard
        self._assets = assets
        self._compute = compute
        self._instruments = instruments
        self._bench_lock = threading.Lock()
        self._bench_progress: dict[str, dict[str, Any]] = {}  # campaign → its latest benchmark in this process

    # --- create and inspect ---

    def create(self, principal: Principal, spec: CampaignSpec, *, markings: Markings | None = None) -> Campaign:
        """Register a campaign after checking that it can run.

        The instrument must measure what the space needs, the planner must accept its settings, and the caller
        must be allowed to run the instrument and use what the spec names.

        A campaign on a dataset instrument whose space has no pool gets the dataset's distinct points as its
        pool. Without `markings` the campaign takes those of its instrument, or of the dataset a dataset
        instrument replays; where the two differ it must be marked explicitly.

        Raises:
            InvalidInput: the spec cannot run as written; the message says what to change.
            NotFound / AccessDenied: the instrument or a use is hidden or denied.
        """
        with self._uow() as uow:
            instrument, record, outcomes = self._instruments.outcomes(uow, principal, spec.instrument)
            if markings is None:
                markings = self._inherited_markings(uow, principal, spec, instrument, record)
            missing = [o for o in spec.space.outcome_names if o not in outcomes]
            if missing:
                raise InvalidInput(
                    f"instrument {spec.instrument} does not measure {', '.join(missing)}; "
                    f"it measures {', '.join(outcomes)}"
                )
            for asset_id, action in spec.uses.items():
                self._assets.require(
                    uow, principal, parse_enum(Action, action, "action"), asset_id, {"campaign": spec.name}
                )
        _check_parameters(record, spec.space)
        if record["kind"] == "dataset" and spec.space.pool is None:
            space = self._pool_from_dataset(principal, spec.space, record)
            spec = build(CampaignSpec, **{**spec.model_dump(), "space": space.model_dump()})
        make_planner(spec.planner, spec.space, spec.seed, **spec.planner_settings)  # refuses bad settings now
        with self._uow() as uow:
            asset = self._assets.register_in(
                uow, principal, kind="campaign", name=spec.name, project=spec.project, markings=markings
            )
            now = self._guard.clock.now()
            campaign = Campaign(id=asset.id, spec=spec, created_by=principal.user.id, created_at=now, updated_at=now)
            CampaignStore(uow.connection).add(campaign)
            self._guard.changed(
                uow, principal, "campaign.create", asset, {"instrument": spec.instrument, "planner": spec.planner}
            )
        return campaign

    def _inherited_markings(
        self,
        uow: UnitOfWork,
        principal: Principal,
        spec: CampaignSpec,
        instrument: GovernedAsset,
        record: InstrumentRecord,
    ) -> Markings | None:
        # An unmarked campaign takes the markings of what it measures: the instrument's, or those of the dataset
        # a dataset instrument replays (action `read_metadata` on it). Its trials and the datasets it registers
        # carry the campaign's markings, so an unmarked campaign on CUI data must not come out unmarked.
        found = [instrument.markings] if instrument.markings != Markings() else []
        if record["kind"] == "dataset":
            data = self._assets.require(
                uow, principal, Action.READ_METADATA, record["config"]["dataset"], {"campaign": spec.name}
            )
            if data.markings != Markings():
                found.append(data.markings)
        if not found:
            return None
        if any(not m.same_policy_as(found[0]) for m in found[1:]):
            raise InvalidInput(
                f"instrument {instrument.id} is marked {found[0].banner} and the dataset it replays "
                f"{found[1].banner}; give the campaign its markings explicitly (CLI --marking), "
                "at least as strict as both"
            )
        return found[-1]

    def _pool_from_dataset(self, principal: Principal, space: DesignSpace, record: InstrumentRecord) -> DesignSpace:
        rows: list[dict[str, str]] = self._instruments.dataset_rows(principal, record)
        seen: dict[tuple[Any, ...], dict[str, Any]] = {}
        for i, row in enumerate(rows):
            unknown = [p for p in [*space.parameter_names, *space.outcome_names] if p not in row]
            if unknown:
                raise InvalidInput(f"the dataset has no column {', '.join(unknown)} (row {i + 1})")
            for outcome in space.outcome_names:
                try:
                    float(row[outcome])
                except ValueError:
                    raise InvalidInput(f"row {i + 1}: {outcome}={row[outcome]!r} is not a number") from None
            point = space.validate_point({p: row[p] for p in space.parameter_names})
            seen.setdefault(space.key(point), point)
        source = _dataset_source(record)
        return space.model_copy(update={"pool": Pool(rows=tuple(seen.values()), source=source)})

    def status(self, principal: Principal, campaign_id: str) -> CampaignStatusReport:
        """A campaign's state and counts (action `read_metadata`); its best so far only with `download`.

        Measured results are the campaign's content: a caller who may read its description but not its
        content (another organisation's proprietary campaign, say) sees the counts with the best withheld.
        """
        with self._uow() as uow:
            asset, campaign = self._require(uow, principal, Action.READ_METADATA, campaign_id)
            visible = self._guard.check(uow, principal, Action.DOWNLOAD, asset, {"view": "status"}).allowed
            return _report(CampaignStore(uow.connection), asset, campaign, visible)

    def trials(self, principal: Principal, campaign_id: str) -> list[Trial]:
        """Every trial, in order, with its measurements (action `download`: trials are the campaign's content)."""
        with self._uow() as uow:
            self._require(uow, principal, Action.DOWNLOAD, campaign_id, {"view": "trials"})
            return CampaignStore(uow.connection).trials(campaign_id)

    def list(self, principal: Principal) -> list[CampaignStatusReport]:
        """The campaigns the caller may discover."""
        with self._uow() as uow:
            store = CampaignStore(uow.connection)
            out = []
            visible = self._assets.visible(uow, principal, "campaign")
            described = self._guard.filter(uow, principal, Action.READ_METADATA, visible)
            readable = {a.id for a in self._guard.filter(uow, principal, Action.DOWNLOAD, described, {"view": "list"})}
            for asset in described:
                campaign = store.get(asset.id)
                if campaign is not None:
                    out.append(_report(store, asset, campaign, asset.id in readable))
            return out

    def report(self, principal: Principal, campaign_id: str) -> tuple[dict[str, Any], str]:
        """The campaign's JSON summary and HTML report (action `download`: they show every measurement).

        The random baseline needs the instrument: for a dataset pool it is exact and needs `download` on the
        dataset; for a simulator it comes from 512 random points. Without those rights it is left out.
        """
        with self._uow() as uow:
            asset, campaign = self._require(uow, principal, Action.DOWNLOAD, campaign_id, {"view": "report"})
            trials = CampaignStore(uow.connection).trials(campaign_id)
            self._guard.changed(uow, principal, "campaign.report", asset, {"trials": len(trials)})
        data = summary(campaign, trials, self._random_curve(principal, campaign, max(len(trials), 1)))
        benchmark = self._kept_benchmark(principal, campaign)
        if benchmark is not None:
            data["benchmark"] = benchmark
        return data, render_html(campaign, trials, data)

    def _kept_benchmark(self, principal: Principal, campaign: Campaign) -> dict[str, Any] | None:
        # The benchmark runs kept for the campaign, summarised for its report; None where there are none or the
        # caller may not read the data they are scored on (as for the random baseline).
        with self._uow() as uow:
            if not CampaignStore(uow.connection).benchmark_keys(campaign.id):
                return None
        try:
            problem, _, _ = self._bench_problem(principal, campaign.id, Action.DOWNLOAD)
        except (InvalidInput, NotFound, AccessDenied):
            return None
        return self._bench_summary(campaign.id, problem)

    def _random_curve(self, principal: Principal, campaign: Campaign, picks: int) -> builtins.list[float] | None:
        space = campaign.spec.space
        if space.outcome_constraints:  # the campaign's curve counts feasible trials only; no like-for-like baseline
            return None
        objective = space.objectives[0]
        maximise = objective.direction.value == "maximize"
        try:
            instrument = self._instruments.build(principal, campaign.spec.instrument, space)
        except Exception:  # no right to the data, or an instrument that cannot be built: no baseline, no failure
            return None
        if space.is_pool:
            points = space.pool_points()
        elif isinstance(instrument, Branin | Hartmann6 | SnarReactor) and not instrument.delay:
            points = sample_points(space, 512, np.random.default_rng(0))
        else:
            return None
        measured = [instrument.execute(p) for p in points]
        values = [m.values[objective.name] for m in measured if m.status is RunStatus.SUCCEEDED]
        return random_expectation(values, picks, maximise) if values else None

    def register_best(
        self,
        principal: Principal,
        campaign_id: str,
        count: int = 10,
        name: str | None = None,
        into: str | None = None,
    ) -> RegisteredBest:
        """Register the campaign's best feasible trials (completed, outcome constraints met) as a dataset version.

        The CSV holds each trial's number, parameters and measurements, best first. Without `into` it is
        version 1 of a new dataset that takes the campaign's markings and project; with `into` it is the next
        version of that dataset (action `administer` on it), which must be in the campaign's project, carry
        markings the policy reads as the campaign's, and hold a table with the same columns, so that the
        measurements are not carried out of their project or under weaker markings (the dataset's own owner
        and grants apply to the new version, as to any other). The dataset is checked again in the
        transaction that adds the version. Either way its PROV lineage leads to the campaign (action
        `download` on the campaign, whose measurements it copies).

        Returns:
            The dataset and the version number the trials became.

        Raises:
            InvalidInput: no feasible trial yet, `count` is not positive, `into` is not a dataset, is in another
                project, is marked differently or holds other columns, or `name` is given with `into`.
            AccessDenied: the caller may not add versions to `into`.
        """
        if count < 1:
            raise InvalidInput("register at least one trial")
        if into is not None and name is not None:
            raise InvalidInput("a name is for a new dataset; leave it out when adding a version to one")
        if self._register_dataset is None:
            raise InvalidInput("this platform has no catalogue to register datasets in")
        with self._uow() as uow:
            asset, campaign = self._require(uow, principal, Action.DOWNLOAD, campaign_id, {"view": "register-best"})
            trials = CampaignStore(uow.connection).trials(campaign_id)

        def fits(target: GovernedAsset) -> None:
            # The dataset that is to receive the campaign's measurements: a dataset of the campaign's project,
            # marked as the campaign is.
            if target.kind != "dataset":
                raise InvalidInput(f"{target.id} is a {target.kind}, not a dataset; give a dataset id")
            if target.project != asset.project:
                raise InvalidInput(
                    f"dataset {target.id} is in project {target.project or '(none)'} and campaign {campaign_id} "
                    f"in {asset.project or '(none)'}; add the best trials to a dataset of the campaign's project"
                )
            if not target.markings.same_policy_as(asset.markings):
                raise InvalidInput(
                    f"dataset {target.id} is marked {target.markings.summary or 'UNMARKED'} and campaign "
                    f"{campaign_id} {asset.markings.summary or 'UNMARKED'}; add the best trials to a dataset "
                    "marked like the campaign, or leave out the dataset to register a new one"
                )

        if into is not None:
            with self._uow() as uow:
                seen = self._assets.require(uow, principal, Action.READ_METADATA, into, {"view": "register-best"})
                if seen.kind != "dataset":  # said before `administer` is decided, which a non-dataset may deny
                    fits(seen)
        space = campaign.spec.space
        objective = space.objectives[0]
        done = [t for t in trials if feasible(t, space)]
        if not done:
            meets = " that meets its outcome constraints" if space.outcome_constraints else ""
            raise InvalidInput(f"campaign {campaign_id} has no completed trial{meets} yet")
        maximise = objective.direction.value == "maximize"
        done.sort(key=lambda t: t.values[objective.name], reverse=maximise)
        columns = ["trial", *space.parameter_names, *space.outcome_names]
        with tempfile.TemporaryDirectory(prefix="genesis-best-") as tmp:
            path = Path(tmp) / "best-trials.csv"  # one name in every version of a dataset that collects them
            with path.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(columns)
                for t in done[:count]:
                    writer.writerow(
                        [
                            t.number,
                            *(t.point[p] for p in space.parameter_names),
                            *(t.values[o] for o in space.outcome_names),
                        ]
                    )
            dataset_id, version = self._register_dataset(
                principal,
                path,
                name or f"Best {min(count, len(done))} of {campaign.spec.name}",
                f"The best trials of campaign {campaign_id} by {objective.name} ({objective.direction.value}); "
                f"planner {campaign.spec.planner}, instrument {campaign.spec.instrument}.",
                asset.project,
                asset.markings,
                (asset_node_id(campaign_id),),
                into,
                fits,
            )
        return RegisteredBest(dataset_id, version)

    # --- benchmark ---

    def check_benchmark(
        self, principal: Principal, campaign_id: str, runs: Mapping[str, int], *, reserve: bool = False
    ) -> dict[str, int]:
        """Decide, without running, whether `benchmark` can run now: the runs asked for, checked.

        With `reserve` the campaign's benchmark slot in this process is taken (state `queued`) for a
        `benchmark(..., reserved=True)` to come, as the REST API does before it answers 202.

        Raises:
            InvalidInput: an unknown method, a competitor not installed, too many runs, or a campaign the protocol
                cannot score (no dataset pool, several objectives, outcome constraints).
            NotFound / AccessDenied: the campaign, its instrument or its dataset is hidden or denied.
            Conflict: a benchmark of the campaign is queued or running in this process.
        """
        counts = parse_bench_runs(runs)
        self._bench_problem(principal, campaign_id, Action.RUN)
        with self._bench_lock:
            current = self._bench_progress.get(campaign_id, {})
            if current.get("state") in ("queued", "running"):
                raise Conflict(_bench_busy(campaign_id, current))
            if reserve:
                self._bench_progress[campaign_id] = _bench_state("queued", counts)
        return counts

    def benchmark(
        self,
        principal: Principal,
        campaign_id: str,
        runs: Mapping[str, int],
        *,
        progress: Callable[[int, int, str], None] | None = None,
        reserved: bool = False,
    ) -> dict[str, Any]:
        """Replay the campaign's pool with the benchmark protocol: `runs[method]` seeded runs of each method.

        Needs `run` on the campaign and its instrument and `download` on the dataset the instrument replays;
        the instrument itself is not run. `progress(done, total, line)` follows the runs. Each finished run is
        kept at once, so a stopped benchmark resumes where it was (runs already kept for the same method, code,
        pool values and seed are skipped). One benchmark of a campaign runs at a time in a process; its progress
        (and, should it fail, the error) is part of `benchmark_results`. `reserved`: the slot was taken by
        `check_benchmark(..., reserve=True)`.

        Returns:
            The summary of every kept run (`benchmark_results`).

        Raises:
            Conflict: another benchmark of the campaign is queued or running in this process.
        """
        state: dict[str, Any] | None = None
        try:
            counts = parse_bench_runs(runs)
            problem, campaign, asset = self._bench_problem(principal, campaign_id, Action.RUN)
            digest = data_digest(problem)
            versions = {m: f"{bench_version(m)}+{digest}" for m in counts}
            with self._bench_lock:
                current = self._bench_progress.get(campaign_id, {})
                if current.get("state") == "running" or (current.get("state") == "queued" and not reserved):
                    raise _BenchBusy(_bench_busy(campaign_id, current))
                with self._uow() as uow:  # under the lock: what is kept now is what no other benchmark adds
                    done = CampaignStore(uow.connection).benchmark_keys(campaign_id)
                todo = [
                    (method, seed)
                    for seed in range(max(counts.values()))
                    for method, n in counts.items()
                    if seed < n and (method, versions[method], seed) not in done
                ]
                state = _bench_state("running", counts, len(todo))
                self._bench_progress[campaign_id] = state
            with self._uow() as uow:
                self._guard.changed(uow, principal, "campaign.benchmark", asset, {"runs": counts, "to_make": len(todo)})
            if not todo and progress is not None:
                progress(0, 0, "every run asked for is kept already")
            # Each run is a compute job for the campaign (`run` decided and audited per run, a PROV activity),
            # so runs go in parallel on the platform's executor and stop with it.
            jobs = {
                self._compute.submit(
                    principal,
                    campaign_id,
                    bench_run,
                    method,
                    campaign.spec,
                    problem,
                    seed,
                    label=f"{campaign_id} benchmark {method} seed {seed}",
                ).future: (method, seed)
                for method, seed in todo
            }
            failure: BaseException | None = None
            try:
                for k, future in enumerate(as_completed(jobs), start=1):
                    method, seed = jobs[future]
                    try:
                        result = future.result()
                    except Exception as error:  # keep the other runs; the first failure is raised at the end
                        failure = failure or error
                        line = f"{method} seed {seed}: failed ({type(error).__name__}: {error})"
                    else:
                        self._keep_benchmark_run(principal, campaign_id, method, versions[method], result)
                        with self._bench_lock:
                            state["done"] += 1
                        line = f"{method} seed {seed}: {len(result.picks)} picks"
                    if progress is not None:
                        progress(k, len(todo), line)
            finally:
                for future in jobs:  # an interrupted benchmark takes back the runs not yet started
                    self._compute.executor.withdraw(future)
            if failure is not None:
                raise failure
        except _BenchBusy:
            raise
        except BaseException as error:
            message = f"{type(error).__name__}: {error}"
            with self._bench_lock:
                if state is not None:
                    state.update(state="failed", error=message)
                elif reserved:  # failed before it started: the reservation says why
                    self._bench_progress[campaign_id] = {**_bench_state("failed", dict(runs)), "error": message}
            if state is not None:
                self._bench_finished(principal, asset, {"made": state["done"], "error": message})
            raise
        with self._bench_lock:
            state["state"] = "finished"
        self._bench_finished(principal, asset, {"made": len(todo)})
        return self._bench_summary(campaign_id, problem)

    def _bench_finished(self, principal: Principal, asset: GovernedAsset, details: dict[str, Any]) -> None:
        try:
            with self._uow() as uow:
                self._guard.changed(uow, principal, "campaign.benchmark.finish", asset, details)
        except Exception:  # the runs are kept either way; do not hide the benchmark's own outcome
            log.exception("could not record the end of the benchmark of %s", asset.id)

    def _keep_benchmark_run(
        self, principal: Principal, campaign_id: str, method: str, version: str, result: RunResult
    ) -> None:
        try:
            with self._uow() as uow:
                CampaignStore(uow.connection).add_benchmark_run(
                    campaign_id, method, version, result, principal.user.id, self._guard.clock.now()
                )
        except IntegrityError:
            # Another process kept the same seeded run first (it is the same run); any other failure stands.
            with self._uow() as uow:
                if (method, version, result.seed) not in CampaignStore(uow.connection).benchmark_keys(campaign_id):
                    raise

    def benchmark_results(self, principal: Principal, campaign_id: str) -> dict[str, Any]:
        """The kept benchmark runs summarised, with the progress of the latest benchmark run in this process.

        Needs `download` on the campaign and the dataset and `read_metadata` on the instrument: the runs are
        derived from measured values.
        """
        problem, _, _ = self._bench_problem(principal, campaign_id, Action.DOWNLOAD)
        data = self._bench_summary(campaign_id, problem)
        with self._bench_lock:
            state = self._bench_progress.get(campaign_id)
            data["progress"] = dict(state) if state is not None else None
        return data

    def _bench_summary(self, campaign_id: str, problem: PoolProblem) -> dict[str, Any]:
        digest = data_digest(problem)
        with self._uow() as uow:
            store = CampaignStore(uow.connection)
            versions = {m: f"{v}+{digest}" for m in BENCH_METHODS if (v := _installed_version(m)) is not None}
            return bench_summary(problem, store.benchmark_runs(campaign_id, versions))

    def _bench_problem(
        self, principal: Principal, campaign_id: str, action: Action
    ) -> tuple[PoolProblem, Campaign, GovernedAsset]:
        # `run` (to add runs) or `download` (to read them) on the campaign; `run` or `read_metadata` on its
        # instrument; `download` on the dataset, whose rows value the pool.
        on_instrument = Action.RUN if action is Action.RUN else Action.READ_METADATA
        with self._uow() as uow:
            asset, campaign = self._require(uow, principal, action, campaign_id, {"view": "benchmark"})
            _, record = self._instruments.record(uow, principal, on_instrument, campaign.spec.instrument)
        if record["kind"] != "dataset":
            raise InvalidInput(
                f"a benchmark replays a dataset's measured pool; campaign {campaign_id} runs on a "
                f"{record['kind']} instrument"
            )
        rows = self._instruments.dataset_rows(principal, record)
        return bench_problem(campaign.spec, rows, campaign_id), campaign, asset

    def stop(self, principal: Principal, campaign_id: str, reason: str = "") -> Campaign:
        """Ask a campaign to stop (action `run`).

        A running loop records the trials its workers are running (or times them out) and stops; trials still
        waiting for a worker are withdrawn (on every executor, Ray included) and issued again by `resume`
        (their `attempt` counts issues).
        """
        with self._uow() as uow:
            asset, campaign = self._require(uow, principal, Action.RUN, campaign_id)
            if campaign.status is CampaignStatus.FINISHED:
                raise Conflict(f"campaign {campaign_id} has already finished ({campaign.stop_reason})")
            campaign.status = CampaignStatus.STOPPED
            campaign.stop_reason = reason or f"stopped by {principal.user.id}"
            campaign.updated_at = self._guard.clock.now()
            CampaignStore(uow.connection).set_status(
                campaign_id, campaign.status, campaign.stop_reason, campaign.updated_at
            )
            self._guard.changed(uow, principal, "campaign.stop", asset, {"reason": campaign.stop_reason})
            return campaign

    def _require(
        self,
        uow: UnitOfWork,
        principal: Principal,
        action: Action,
        campaign_id: str,
        details: dict[str, Any] | None = None,
    ) -> tuple[GovernedAsset, Campaign]:
        asset = self._assets.require(uow, principal, action, campaign_id, details)
        campaign = CampaignStore(uow.connection).get(campaign_id)
        if asset.kind != "campaign" or campaign is None:
            raise NotFound(f"no campaign {campaign_id!r}")
        return asset, campaign

    # --- run ---

    def check_runnable(self, principal: Principal, campaign_id: str) -> None:
        """Decide, without running, whether the caller may run the campaign now.

        Raises:
            NotFound / AccessDenied: the campaign or its instrument is hidden or denied.
            Conflict: the campaign has finished.
        """
        with self._uow() as uow:
            _, campaign = self._require(uow, principal, Action.RUN, campaign_id)
            self._instruments.outcomes(uow, principal, campaign.spec.instrument)  # decides `run` on it
        if campaign.status is CampaignStatus.FINISHED:
            raise Conflict(f"campaign {campaign_id} has finished ({campaign.stop_reason}); create a new one")

    def run(
        self,
        principal: Principal,
        campaign_id: str,
        *,
        progress: Progress | None = None,
        max_new_trials: int | None = None,
    ) -> Campaign:
        """Run (or resume) a campaign until a stopping rule fires or someone stops it.

        With `max_new_trials` it returns once that many new trials were chosen and recorded, leaving the
        campaign RUNNING as a crash would: `resume` continues it.

        Raises:
            Conflict: the campaign has finished.
        """
        self.check_runnable(principal, campaign_id)
        with self._uow() as uow:
            campaign = self._require(uow, principal, Action.RUN, campaign_id)[1]
        try:
            instrument = self._instruments.build(principal, campaign.spec.instrument, campaign.spec.space)
            instrument_version = instrument.info().version
        except RuntimeError as error:  # a node that does not answer
            raise Conflict(f"instrument {campaign.spec.instrument} does not answer: {error}") from None
        runner = _runner_id()
        with self._uow() as uow:
            asset, campaign = self._require(uow, principal, Action.RUN, campaign_id)
            if campaign.status is CampaignStatus.FINISHED:
                raise Conflict(f"campaign {campaign_id} has finished ({campaign.stop_reason}); create a new one")
            store = CampaignStore(uow.connection)
            holder, until = store.lease(campaign_id)
            now = datetime.now(UTC)
            if not store.take_lease(campaign_id, runner, now + LEASE, now, holder if _dead(holder) else None):
                raise Conflict(
                    f"campaign {campaign_id} is being run by {holder} (lease until {until}); wait for it, "
                    f"or `genesis campaign stop {campaign_id}`"
                )
            trials = store.trials(campaign_id)
            campaign.status, campaign.stop_reason = CampaignStatus.RUNNING, ""
            campaign.updated_at = self._guard.clock.now()
            store.set_status(campaign_id, campaign.status, "", campaign.updated_at)
            self._guard.changed(uow, principal, "campaign.run", asset, {"trials": len(trials), "runner": runner})
        spec = campaign.spec
        loop: _Loop | None = None
        try:
            planner = (
                restore(spec.space, campaign.planner_state)
                if campaign.planner_state
                else make_planner(spec.planner, spec.space, spec.seed, **spec.planner_settings)
            )
            loop = _Loop(self, principal, campaign, trials, planner, instrument, progress, runner, instrument_version)
            return loop.run(max_new_trials)
        except _LeaseLost:
            raise  # the campaign belongs to another runner now: its status is not this one's to write
        except Exception as error:
            # Whatever broke the loop, record it where people look, and leave the campaign resumable.
            with self._uow() as uow:
                CampaignStore(uow.connection).set_status(
                    campaign_id,
                    CampaignStatus.STOPPED,
                    f"the run failed: {type(error).__name__}: {error}",
                    self._guard.clock.now(),
                    only_from=(CampaignStatus.RUNNING,),
                )
            raise
        finally:
            if loop is not None:
                loop.close()
            with self._uow() as uow:
                CampaignStore(uow.connection).release_lease(campaign_id, runner)


class _LeaseLost(Conflict):
    """Another runner holds the campaign now; this one stops without writing."""


class _Heartbeat:
    """Renews a runner's lease every third of `LEASE` on its own thread, whatever the loop is doing.

    `lost` turns true once another runner holds the lease; the loop then stops at its next turn.
    """

    def __init__(self, service: CampaignService, campaign_id: str, runner: str) -> None:
        self._service, self._campaign_id, self._runner = service, campaign_id, runner
        self._stop = threading.Event()
        self.lost = False
        self._thread = threading.Thread(target=self._beat, name=f"lease {campaign_id}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _beat(self) -> None:
        while not self._stop.wait(LEASE.total_seconds() / 3):
            try:
                with self._service._uow() as uow:
                    held = CampaignStore(uow.connection).renew_lease(
                        self._campaign_id, self._runner, datetime.now(UTC) + LEASE
                    )
            except Exception:  # a database hiccup: try again next beat; the lease still has two beats left
                continue
            if not held:
                self.lost = True
                return


class _Loop:
    """One run of the closed loop (see `CampaignService.run`)."""

    def __init__(
        self,
        service: CampaignService,
        principal: Principal,
        campaign: Campaign,
        trials: list[Trial],
        planner: Planner,
        instrument: Instrument,
        progress: Progress | None,
        runner: str,
        instrument_version: str,
    ) -> None:
        self.runner = runner
        self.s = service
        self.heartbeat = _Heartbeat(service, campaign.id, runner)
        self.principal = principal
        self.campaign = campaign
        self.spec = campaign.spec
        self.trials = trials
        self.planner = planner
        self.instrument = instrument
        self.progress = progress
        # each trial in flight, with the moment a worker took it (None while it waits in the executor's queue)
        self.in_flight: dict[Future[Measurement], tuple[Trial, float | None]] = {}
        self.jobs: dict[Future[Measurement], Job] = {}  # the compute job behind each future in flight
        self.instrument_label = f"{self.spec.instrument}@{instrument_version}"
        self.planner_label = f"{planner.name}@{planner.version}"
        self.executor: Executor | None = (
            ThreadExecutor(self.spec.workers) if getattr(instrument, "in_process", False) else None
        )
        model = instrument.model if isinstance(instrument, ModelInstrument) else ""
        dataset = instrument.dataset if isinstance(instrument, PoolInstrument) else ""
        self.uses = {
            **({model: Action.INFER} if model else {}),
            **({dataset: Action.DOWNLOAD} if dataset else {}),
            self.spec.instrument: Action.RUN,
            **{k: parse_enum(Action, v, "action") for k, v in self.spec.uses.items()},
        }

    def run(self, max_new_trials: int | None) -> Campaign:
        self.heartbeat.start()
        for trial in [t for t in self.trials if t.status is TrialStatus.RUNNING]:
            trial.attempt += 1  # in flight when the last run ended: re-issue the same point
            self._submit(trial)
        new = 0
        while not self._stop_requested():
            reason = stop_reason(self.spec, self.trials)
            if reason is None and not self.in_flight and self.spec.space.is_pool and not self.planner.untried():
                reason = "every pool point has been tried"
            if reason is not None and not self.in_flight:
                self._finish(CampaignStatus.FINISHED, reason)
                break
            capped = max_new_trials is not None and new >= max_new_trials
            if reason is None and not capped:
                new += self._suggest(None if max_new_trials is None else max_new_trials - new)
            if self.in_flight:
                self._collect()
            elif capped:
                break
        # Stopped: trials no worker has taken yet are withdrawn (they stay in flight in the store, so `resume`
        # re-issues them, as after a crash); running ones finish or time out and are recorded. A queue stuck
        # behind an instrument that ignores its timeout therefore cannot keep a stop from taking effect.
        for future in [f for f in self.in_flight if self._executor.withdraw(f)]:
            self.in_flight.pop(future)
            self.jobs.pop(future, None)
        while self.in_flight:
            self._collect()
        return self.campaign

    def close(self) -> None:
        """Release the loop's own threads (trials still running on them are abandoned, not awaited)."""
        self.heartbeat.stop()
        if self.executor is not None:
            self.executor.shutdown(wait=False)

    @property
    def _executor(self) -> Executor:
        return self.executor or self.s._compute.executor

    def _hold(self, store: CampaignStore) -> None:
        # Renew the lease inside a transaction that is about to write; refuse to write without it.
        if self.heartbeat.lost or not store.renew_lease(self.campaign.id, self.runner, datetime.now(UTC) + LEASE):
            raise _LeaseLost(f"campaign {self.campaign.id} was taken over by another runner; this one stops")

    def _budget_left(self) -> int:
        return self.spec.stopping.max_trials - len(self.trials)

    def _stop_requested(self) -> bool:
        # Also checks the lease: a loop that lost it (another runner took over) stops at once.
        with self.s._uow() as uow:
            store = CampaignStore(uow.connection)
            self._hold(store)
            status, reason = store.status(self.campaign.id)
        if status is CampaignStatus.STOPPED:
            self.campaign.status, self.campaign.stop_reason = status, reason
            return True
        return False

    def _suggest(self, cap: int | None) -> int:
        free = self.spec.workers - len(self.in_flight)
        if self.spec.mode == "batch" and self.in_flight:
            return 0
        n = min(free, self._budget_left(), cap if cap is not None else free)
        pending = [t.point for t, _ in self.in_flight.values()]
        if self.spec.space.is_pool:
            n = min(n, len(self.planner.untried(pending)))
        if n <= 0:
            return 0
        points = self.planner.suggest(n, pending=pending)
        now = self.s._guard.clock.now()
        batch = self.planner.calls
        created = [
            Trial(
                campaign_id=self.campaign.id,
                number=len(self.trials) + i + 1,
                batch=batch,
                point=point,
                planner=self.planner_label,
                seed=self.spec.seed,
                instrument=self.instrument_label,
                created_at=now,
            )
            for i, point in enumerate(points)
        ]
        with self.s._uow() as uow:  # the trials and the planner that chose them, in one transaction
            store = CampaignStore(uow.connection)
            self._hold(store)
            for trial in created:
                store.add_trial(trial)
            self._save_state(store)
        self.trials.extend(created)
        for trial in created:
            self._submit(trial)
        return len(created)

    def _submit(self, trial: Trial) -> None:
        job = self.s._compute.submit(
            self.principal,
            self.campaign.id,
            run_trial,
            self.instrument,
            trial.point,
            self.spec.trial_timeout,
            uses=self.uses,
            label=f"{self.campaign.id} trial {trial.number}",
            executor=self.executor,
        )
        trial.activity = job.activity
        with self.s._uow() as uow:
            CampaignStore(uow.connection).save_trial(trial)
        # A trial's timeout counts from when a worker starts it, not while it waits behind others.
        self.in_flight[job.future] = (trial, None)
        self.jobs[job.future] = job

    def _collect(self) -> None:
        self._started()
        deadline = self._next_deadline()
        if self.spec.mode == "batch":
            done, _ = wait(list(self.in_flight), timeout=deadline)
            if len(done) < len(self.in_flight) and not self._expired():
                return
        else:
            poll = _POLL_SECONDS if deadline is None else min(_POLL_SECONDS, deadline)
            done, _ = wait(list(self.in_flight), timeout=poll, return_when=FIRST_COMPLETED)
        self._started()
        finished = sorted(done, key=lambda f: self.in_flight[f][0].number)
        for future in finished:
            trial, _ = self.in_flight.pop(future)
            self.jobs.pop(future, None)
            try:
                measurement = future.result()
            except Exception as error:  # the worker itself died or could not unpickle the job
                measurement = Measurement(status=RunStatus.FAILED, message=f"{type(error).__name__}: {error}")
            self._record(trial, measurement)
        for future, (trial, _) in list(self.in_flight.items()):
            if not future.done() and self._late(future):
                self.in_flight.pop(future)
                # where it can, the executor stops the call (Ray ends its worker); audited as abandoned
                self.s._compute.abandon(self.jobs.pop(future))
                message = f"no answer within {self.spec.trial_timeout:g} s"
                self._record(trial, Measurement(status=RunStatus.TIMED_OUT, message=message))

    def _started(self) -> None:
        # Stamp the trials a worker has taken since the last look.
        now = time.monotonic()
        for future, (trial, started) in list(self.in_flight.items()):
            if started is None and self._executor.started(future):
                self.in_flight[future] = (trial, now)

    def _next_deadline(self) -> float | None:
        if self.spec.trial_timeout is None:
            return None
        now = time.monotonic()
        starts = [start for _, start in self.in_flight.values() if start is not None]
        left = [start + self.spec.trial_timeout - now for start in starts]
        if len(starts) < len(self.in_flight):
            left.append(_POLL_SECONDS)  # a queued trial may start meanwhile: look again soon
        return max(0.0, min(left))

    def _late(self, future: Future[Measurement]) -> bool:
        _, start = self.in_flight[future]
        if self.spec.trial_timeout is None or start is None:
            return False
        return time.monotonic() - start > self.spec.trial_timeout

    def _expired(self) -> bool:
        return any(self._late(f) for f in self.in_flight)

    def _record(self, trial: Trial, measurement: Measurement) -> None:
        status = {
            RunStatus.SUCCEEDED: TrialStatus.COMPLETED,
            RunStatus.FAILED: TrialStatus.FAILED,
            RunStatus.TIMED_OUT: TrialStatus.TIMED_OUT,
        }[measurement.status]
        values = dict(measurement.values)
        if status is TrialStatus.COMPLETED and any(o not in values for o in self.spec.space.outcome_names):
            status = TrialStatus.FAILED
            measurement.message = "instrument returned garbage: outcomes missing"
        trial.status = status
        trial.values = values if status is TrialStatus.COMPLETED else {}
        trial.noise = dict(measurement.noise) if status is TrialStatus.COMPLETED and measurement.noise else None
        trial.message = measurement.message
        trial.seconds = measurement.seconds or None
        trial.finished_at = self.s._guard.clock.now()
        self.planner.observe(
            [
                Observation(
                    point=trial.point,
                    values=trial.values or None,
                    failed=status is not TrialStatus.COMPLETED,
                    noise=trial.noise,
                )
            ]
        )
        with self.s._uow() as uow:  # the result and the planner that learned it, in one transaction
            store = CampaignStore(uow.connection)
            self._hold(store)
            store.save_trial(trial)
            self._save_state(store)
        if self.progress:
            self.progress(self.campaign, self.trials)

    def _save_state(self, store: CampaignStore) -> None:
        self.campaign.planner_state = self.planner.state()
        self.campaign.updated_at = self.s._guard.clock.now()
        store.save_state(self.campaign.id, self.campaign.planner_state, self.campaign.updated_at)

    def _finish(self, status: CampaignStatus, reason: str) -> None:
        with self.s._uow() as uow:
            asset = self.s._assets.require(uow, self.principal, Action.RUN, self.campaign.id)
            store = CampaignStore(uow.connection)
            self._save_state(store)
            # A stop that arrived meanwhile wins: only a running campaign becomes finished.
            if store.set_status(self.campaign.id, status, reason, self.campaign.updated_at, (CampaignStatus.RUNNING,)):
                self.campaign.status, self.campaign.stop_reason = status, reason
                self.s._guard.changed(uow, self.principal, "campaign.finish", asset, {"reason": reason})
            else:
                self.campaign.status, self.campaign.stop_reason = store.status(self.campaign.id)


def _report(
    store: CampaignStore, asset: GovernedAsset, campaign: Campaign, results_visible: bool
) -> CampaignStatusReport:
    # Without `results_visible` a caller sees the description and counts only: no trials are read, no best, and
    # no planner state (it holds every observation); stop reasons name no measured value (see `stop_reason`).
    counts = store.counts(campaign.id)
    if not results_visible:
        return CampaignStatusReport(
            campaign.model_copy(update={"planner_state": None}), asset, counts, None, None, False
        )
    trials = store.trials(campaign.id)
    space = campaign.spec.space
    best = best_value(trials, space)
    name = space.objectives[0].name
    point = next((t.point for t in trials if feasible(t, space) and t.values.get(name) == best), None)
    return CampaignStatusReport(campaign, asset, counts, best, point, True)
