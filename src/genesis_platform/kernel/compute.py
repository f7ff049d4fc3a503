"""The compute port: submit a callable with inputs, get a future; authorised, audited, recorded in provenance.

Every submission names the governed asset it runs for (a workflow, a campaign) and the assets it uses with
the action each use needs (`train` on a dataset, `infer` on a model). The policy decides `run` on the target
and each use before anything is scheduled; the job is a PROV activity associated with the user and with the
function as a software agent, which ends recording success or failure.

Executors: `LocalPoolExecutor` (a process pool, the default), `RayExecutor` (Ray tasks on a local or remote
cluster), `ThreadExecutor` (threads in this process, for jobs that call back into the platform),
`genesis_platform.testing.InlineExecutor`.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from genesis_platform.kernel.assets.model import GovernedAsset
from genesis_platform.kernel.assets.service import AssetService
from genesis_platform.kernel.guard import Guard
from genesis_platform.kernel.identity.model import Principal
from genesis_platform.kernel.policy.model import Action
from genesis_platform.kernel.provenance.recorder import ProvenanceRecorder, asset_node_id
from genesis_platform.kernel.unit_of_work import UnitOfWork

__all__ = ["ComputeService", "Executor", "Job", "LocalPoolExecutor", "RayExecutor", "ThreadExecutor"]

T = TypeVar("T")
log = logging.getLogger(__name__)


class Executor(Protocol):
    """Runs callables somewhere and hands back futures.

    Contract: `submit` returns at once; the future completes with the callable's return value or exception;
    callables and arguments must be picklable for executors that leave the process; `shutdown` waits for
    running work when `wait` is true.
    """

    name: str

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        """Schedule `fn(*args, **kwargs)`."""
        ...

    def shutdown(self, wait: bool = True) -> None:
        """Stop accepting work and release resources."""
        ...


class LocalPoolExecutor:
    """A local process pool (spawned workers, so no lock or connection is inherited from the parent).

    Args:
        workers: processes; 0 means one per CPU core.
    """

    name = "local-pool"
    reports_start = True  # a future turns `running()` when a worker takes it (at most one queued call early)

    def __init__(self, workers: int = 0) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        """Schedule `fn(*args, **kwargs)` in a worker process."""
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
        return self._pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True) -> None:
        """Stop the pool."""
        if self._pool is not None:
            self._pool.shutdown(wait=wait)
            self._pool = None


class ThreadExecutor:
    """Threads in this process, for jobs that call back into the platform (e.g. a model's inference).

    Args:
        workers: threads.
    """

    name = "threads"
    reports_start = True  # a future turns `running()` when a thread takes it

    def __init__(self, workers: int = 4) -> None:
        self.workers = workers
        self._pool: ThreadPoolExecutor | None = None

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        """Schedule `fn(*args, **kwargs)` on a thread."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="genesis-job")
        return self._pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True) -> None:
        """Stop the threads."""
        if self._pool is not None:
            self._pool.shutdown(wait=wait)
            self._pool = None


class RayExecutor:
    """Ray tasks, on a cluster at `address` or on a local one started on first use (and stopped on shutdown).

    Ray's token authentication is on by default for clusters it starts; joining a remote cluster uses that
    cluster's settings (`RAY_AUTH_TOKEN`). Callables must be importable by the workers (module-level).

    Args:
        address: the cluster to join; None starts a local cluster.
        workers: CPUs of a local cluster; 0 means every core.
    """

    name = "ray"
    reports_start = False  # Ray's futures do not say when a task starts; clocks run from submission

    def __init__(self, address: str | None = None, workers: int = 0) -> None:
        self.address = address
        self.workers = workers or os.cpu_count() or 1
        self._started = False
        self._remote: dict[str, Any] = {}

    def _ray(self) -> Any:
        import ray

        if not ray.is_initialized():
            ray.init(
                address=self.address,
                num_cpus=None if self.address else self.workers,
                include_dashboard=False,
                log_to_driver=False,
                configure_logging=False,
            )
            self._started = True
        return ray

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        """Schedule `fn(*args, **kwargs)` as a Ray task."""
        ray = self._ray()
        key = _qualified_name(fn)
        if key not in self._remote:
            self._remote[key] = ray.remote(fn)
        future: Future[T] = self._remote[key].remote(*args, **kwargs).future()
        return future

    def shutdown(self, wait: bool = True) -> None:
        """Disconnect; stop the local cluster if this executor started it."""
        if self._started:
            import ray

            ray.shutdown()
            self._started = False
            self._remote.clear()


@dataclass(frozen=True)
class Job:
    """A submitted job.

    Attributes:
        activity: its provenance activity id.
        target: the asset it runs for.
        future: completes with the callable's result.
    """

    activity: str
    target: str
    future: Future[Any]


def _qualified_name(fn: Callable[..., Any]) -> str:
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"


class ComputeService:
    """Submits governed work to an executor.

    Args:
        uow: makes units of work.
        guard: authorises and audits.
        assets: resolves and authorises the target and the inputs.
        provenance: records the job as an activity.
        executor: where the work runs.
    """

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        guard: Guard,
        assets: AssetService,
        provenance: ProvenanceRecorder,
        executor: Executor,
    ) -> None:
        self._uow = uow
        self._guard = guard
        self._assets = assets
        self._prov = provenance
        self.executor = executor

    def submit(
        self,
        principal: Principal,
        target: str,
        fn: Callable[..., T],
        /,
        *args: Any,
        uses: Mapping[str, Action] | None = None,
        label: str | None = None,
        executor: Executor | None = None,
        **kwargs: Any,
    ) -> Job:
        """Authorise, record and schedule `fn(*args, **kwargs)` for the asset `target`.

        Args:
            principal: who submits.
            target: the asset the job runs for; the caller needs `run` on it.
            fn: the callable (picklable for process executors).
            *args: its positional arguments.
            uses: other assets the job uses, with the action each use needs.
            label: a name for the job; the function's name by default.
            executor: where to run it, when not the service's executor (work that must stay in this process).
            **kwargs: its keyword arguments.

        Raises:
            AccessDenied: `run` or one of the uses is denied; nothing is scheduled.
            NotFound: an asset does not exist or may not be seen.
        """
        uses = dict(uses or {})
        name = _qualified_name(fn)
        runner = executor or self.executor
        with self._uow() as uow:
            asset = self._assets.require(uow, principal, Action.RUN, target, {"function": name})
            for asset_id, action in uses.items():
                self._assets.require(uow, principal, action, asset_id, {"job_for": target})
            activity = self._prov.start_activity(
                uow,
                label or name,
                "genesis:ComputeJob",
                agents=[self._prov.person(uow, principal), self._prov.software(uow, name, "callable")],
                used=[asset_node_id(a) for a in uses],
                attributes={"function": name, "executor": runner.name, "target": target},
            )
            self._guard.changed(
                uow,
                principal,
                "compute.submit",
                asset,
                {"activity": activity, "function": name, "uses": {k: v.value for k, v in uses.items()}},
            )
        future = runner.submit(fn, *args, **kwargs)
        future.add_done_callback(lambda f: self._finished(principal, asset, activity, f))
        return Job(activity, asset.id, future)

    def _finished(self, principal: Principal, asset: GovernedAsset, activity: str, future: Future[Any]) -> None:
        if future.cancelled():  # withdrawn before a worker took it
            outcome: dict[str, str] = {"status": "withdrawn"}
        else:
            error = future.exception()
            outcome = (
                {"status": "failed", "error": f"{type(error).__name__}: {error}"} if error else {"status": "succeeded"}
            )
        try:
            with self._uow() as uow:
                self._prov.end_activity(uow, activity, attributes=outcome)
                self._guard.changed(uow, principal, "compute.finish", asset, {"activity": activity, **outcome})
        except Exception:  # a callback has no caller to raise to; keep the job's own result intact
            log.exception("could not record the end of job %s", activity)
