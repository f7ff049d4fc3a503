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

import functools
import logging
import multiprocessing
import os
import threading
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import CancelledError, Future, InvalidStateError, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from queue import Empty
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

    def started(self, future: Future[Any]) -> bool:
        """Whether a worker has taken the call behind `future` (one that ran has; a withdrawn one has not)."""
        ...

    def withdraw(self, future: Future[Any]) -> bool:
        """Take back a call no worker has taken: it will not run and `future` is cancelled.

        Returns True also for a call withdrawn before; False when a worker has it or it is done.
        """
        ...

    def abandon(self, future: Future[Any]) -> bool:
        """Give up on a call whose answer is no longer wanted (timed out): stop it where the executor can.

        Returns whether it was stopped; where it was not, it runs on and its answer is ignored.
        """
        ...

    def shutdown(self, wait: bool = True) -> None:
        """Stop accepting work and release resources."""
        ...


class _FuturesExecutor:
    """Shared body of the executors built on a `concurrent.futures` pool made on first use.

    The pool is handed at most `workers` calls at a time, so each call it holds has a worker at once; the others
    wait here, in submission order, where `withdraw` can take them back. A call therefore counts as started only
    when a worker has it (a process pool would otherwise mark `workers + 1` queued calls as running). A running
    call cannot be stopped (its worker is shared), so `abandon` cancels only a call still waiting. A small
    dispatcher thread hands the calls over (the process pool runs its callbacks on its own manager thread,
    which should not submit to it).
    """

    name = "futures"

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._changed = threading.Condition()
        self._round: _Round | None = None  # the pool in use and the calls waiting for it

    def _make_pool(self) -> Any:
        raise NotImplementedError

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        """Schedule `fn(*args, **kwargs)` on a worker."""
        future: Future[T] = Future()
        with self._changed:
            if self._round is None:
                self._round = _Round(self._make_pool())
                self._round.dispatcher = threading.Thread(
                    target=self._dispatch, args=(self._round,), name=f"genesis-{self.name}", daemon=True
                )
                self._round.dispatcher.start()
            self._round.waiting.append((future, fn, args, kwargs))
            self._changed.notify_all()
        return future

    def _dispatch(self, now: _Round) -> None:
        while True:
            with self._changed:
                while not now.stopping and not (now.waiting and now.handed < self.workers):
                    self._changed.wait()
                if now.stopping:
                    return
                future, fn, args, kwargs = now.waiting.popleft()
                self._changed.notify_all()
                if not future.set_running_or_notify_cancel():
                    continue  # withdrawn while it waited
                now.handed += 1
            try:
                inner = self._hand(now.pool, future, fn, args, kwargs)
            except BaseException as error:  # a broken pool: the call fails, the others go on
                future.set_exception(error)
                self._release(now)
            else:
                inner.add_done_callback(functools.partial(self._settle, now, future))

    def _hand(
        self, pool: Any, future: Future[Any], fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Future[Any]:
        # Give the pool the call behind `future`; the pool's own future comes back.
        return pool.submit(fn, *args, **kwargs)  # type: ignore[no-any-return]

    def _closed(self, pool: Any) -> None:
        # Called once a pool is shut down.
        return None

    def _settle(self, now: _Round, future: Future[Any], inner: Future[Any]) -> None:
        if inner.cancelled():
            future.set_exception(CancelledError())
        elif (error := inner.exception()) is not None:
            future.set_exception(error)
        else:
            future.set_result(inner.result())
        self._release(now)

    def _release(self, now: _Round) -> None:
        with self._changed:
            now.handed -= 1
            self._changed.notify_all()

    def started(self, future: Future[Any]) -> bool:
        """Whether a worker has the call, or it ran."""
        return future.running() or (future.done() and not future.cancelled())

    def withdraw(self, future: Future[Any]) -> bool:
        """Take back a call still waiting for a worker."""
        return future.cancel()

    def abandon(self, future: Future[Any]) -> bool:
        """Cancel the call if it still waits for a worker; a running one cannot be stopped."""
        return future.cancel()

    def shutdown(self, wait: bool = True) -> None:
        """Stop the pool; a later `submit` starts a new one.

        With `wait`, after every call submitted has run; without, calls still waiting are cancelled and running
        ones left to finish on their own.
        """
        with self._changed:
            now, self._round = self._round, None  # calls submitted from here on go to a new pool
            if now is None:
                return
            if wait:
                while now.waiting or now.handed:
                    self._changed.wait()
            else:
                for future, *_ in now.waiting:
                    future.cancel()
                now.waiting.clear()
            now.stopping = True
            self._changed.notify_all()
        if now.dispatcher is not None and now.dispatcher is not threading.current_thread():
            now.dispatcher.join()
        now.pool.shutdown(wait=wait)
        self._closed(now.pool)


class _Round:
    """One pool of a futures executor, the calls waiting for it and how many it holds."""

    def __init__(self, pool: Any) -> None:
        self.pool = pool
        self.waiting: deque[tuple[Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = deque()
        self.handed = 0
        self.stopping = False
        self.dispatcher: threading.Thread | None = None


class LocalPoolExecutor(_FuturesExecutor):
    """A local process pool (spawned workers, so no lock or connection is inherited from the parent).

    Workers start on demand, and a worker just spawned takes a moment (an interpreter, the imports the call
    needs) before it begins its first call; so a call counts as started only when its worker says it has begun
    it (on a queue shared with the workers), and a trial's timeout does not count a worker's start-up.

    Args:
        workers: processes; 0 means one per CPU core.
    """

    name = "local-pool"

    def __init__(self, workers: int = 0) -> None:
        super().__init__(workers or os.cpu_count() or 1)
        self._lock = threading.Lock()
        self._news: dict[int, _News] = {}  # id(pool) → what its workers announce
        self._begun: set[Future[Any]] = set()  # calls a worker has begun and that have not ended
        self._deaf = False  # a listener failed: count a call as started once it is handed over, as a pool does

    def _make_pool(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("spawn")
        news = _News(context.Queue())
        pool = ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=_announce_calls_on, initargs=(news.queue,)
        )
        with self._lock:
            self._news[id(pool)] = news
        threading.Thread(target=self._listen, args=(news,), name="genesis-local-pool-news", daemon=True).start()
        return pool

    def _listen(self, news: _News) -> None:
        try:
            while not news.stop.is_set():
                try:
                    key = news.queue.get(timeout=0.25)
                except Empty:
                    continue
                with self._lock:
                    future = news.waiting.pop(key, None)
                    if future is not None and not future.done():
                        self._begun.add(future)
        except Exception:  # never leave trial clocks stopped: fall back to counting from the hand-over
            log.exception("the local pool stopped hearing which calls its workers begin")
            self._deaf = True

    def _hand(
        self, pool: Any, future: Future[Any], fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Future[Any]:
        key = uuid.uuid4().hex
        with self._lock:
            news = self._news[id(pool)]
            news.waiting[key] = future  # before the worker can announce it
        future.add_done_callback(functools.partial(self._forget, news, key))
        return pool.submit(_announced, key, fn, *args, **kwargs)  # type: ignore[no-any-return]

    def _forget(self, news: _News, key: str, future: Future[Any]) -> None:
        with self._lock:
            news.waiting.pop(key, None)
            self._begun.discard(future)

    def _closed(self, pool: Any) -> None:
        with self._lock:
            news = self._news.pop(id(pool), None)
            if news is None:
                return
            # Calls still running on after a shutdown(wait=False) may begin unheard: count them as begun, so a
            # trial's timeout still applies to them.
            self._begun.update(f for f in news.waiting.values() if not f.done())
            news.waiting.clear()
        news.stop.set()  # the listener ends within a quarter of a second; nothing is written to the queue here

    def started(self, future: Future[Any]) -> bool:
        """Whether a worker has begun the call, or it ran."""
        with self._lock:
            if future in self._begun:
                return True
        if self._deaf and future.running():
            return True
        return future.done() and not future.cancelled()


class _News:
    """One pool's announcements: the queue its workers write to and the calls handed over but not yet begun."""

    def __init__(self, queue: Any) -> None:
        self.queue = queue
        self.waiting: dict[str, Future[Any]] = {}
        self.stop = threading.Event()


_announcements: Any = None  # in a local-pool worker: the queue on which it says it begins a call


def _announce_calls_on(news: Any) -> None:
    global _announcements
    _announcements = news
    news.cancel_join_thread()  # a worker never waits at exit for a word nobody reads any more


def _announced(key: str, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    # Runs in the worker once the call and what it needs are imported: say so, then make the call.
    if _announcements is not None:
        _announcements.put(key)
    return fn(*args, **kwargs)


class ThreadExecutor(_FuturesExecutor):
    """Threads in this process, for jobs that call back into the platform (e.g. a model's inference).

    Args:
        workers: threads.
    """

    name = "threads"

    def __init__(self, workers: int = 4) -> None:
        super().__init__(workers)

    def _make_pool(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(self.workers, thread_name_prefix="genesis-job")


class RayExecutor:
    """Ray tasks, on a cluster at `address` or on a local one started on first use (and stopped on shutdown).

    Ray's token authentication is on by default for clusters it starts; joining a remote cluster uses that
    cluster's settings (`RAY_AUTH_TOKEN`). Callables must be importable by the workers (module-level), and the
    workers of a remote cluster need `genesis_platform` installed (every task runs through this module).

    Ray's futures cannot tell a queued task from a running one, and cancelling a running task interrupts it, so
    every task passes a gate first: a small actor (no CPU) where the task checks in when a worker takes it. The
    gate answers `started`, and `withdraw` closes it for a task that has not checked in, which then returns at
    once without calling anything. Should the gate stop answering, `started` says yes and `withdraw` no: clocks
    run from then on and nothing is taken back, as if the executor could not tell.

    Args:
        address: the cluster to join; None starts a local cluster.
        workers: CPUs of a local cluster; 0 means every core.
    """

    name = "ray"
    GATE_SECONDS = 10.0
    """How long a question to the gate may take before the answer is taken as unknown."""

    def __init__(self, address: str | None = None, workers: int = 0) -> None:
        self.address = address
        self.workers = workers or os.cpu_count() or 1
        self._started = False
        self._session: tuple[Any, Any] | None = None  # (the gate actor, the gated remote function)
        self._keys: dict[Future[Any], tuple[Any, str]] = {}  # each call in flight: its gate and its key there
        self._refs: dict[Future[Any], Any] = {}  # each call in flight: its Ray object reference
        self._entered: set[Future[Any]] = set()  # calls known to have checked in
        self._done: list[tuple[Any, str]] = []  # calls that ended since the last submission
        self._lock = threading.Lock()
        self._release = threading.Event()  # lets the thread that started Ray end

    def _connect(self) -> tuple[Any, Any]:
        # The gate and the gated function of the Ray session this process is connected to, made on first use.
        import ray

        with self._lock:
            if not ray.is_initialized():
                self._init(ray)
                self._session = None  # a gate from an earlier session is gone with it
            if self._session is None:
                self._session = (ray.remote(num_cpus=0)(_Gate).remote(), ray.remote(_through_gate))
            return self._session

    def _init(self, ray: Any) -> None:
        def init() -> None:
            ray.init(
                address=self.address,
                num_cpus=None if self.address else self.workers,
                include_dashboard=False,
                log_to_driver=False,
                configure_logging=False,
            )

        self._release.set()  # a thread kept for an earlier cluster may end
        self._release = threading.Event()
        if threading.current_thread() is threading.main_thread():
            init()
            self._started = True
            return
        # Ray asks the kernel to kill the processes of a cluster it starts when their parent *thread* ends, so a
        # cluster started from a short-lived thread (a web request's, a campaign loop's) would die with it.
        # Start it from a thread of its own that lives until `shutdown`.
        ready, failed = threading.Event(), []

        def keep(release: threading.Event) -> None:
            try:
                init()
            except BaseException as error:  # handed to the caller below
                failed.append(error)
            finally:
                ready.set()
            release.wait()

        threading.Thread(target=keep, args=(self._release,), name="genesis-ray", daemon=True).start()
        ready.wait()
        if failed:
            self._release.set()
            raise failed[0]
        self._started = True

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        """Schedule `fn(*args, **kwargs)` as a Ray task."""
        gate, remote = self._connect()
        key = uuid.uuid4().hex
        reference = remote.remote(gate, key, fn, args, kwargs)
        answer = reference.future()
        future: Future[T] = Future()  # ours, so that a withdrawn task's future ends cancelled whatever the order

        def settle(done: Future[Any]) -> None:
            try:
                error = done.exception()
                if error is not None:
                    future.set_exception(error)
                elif isinstance(value := done.result(), _Withdrawn):
                    future.cancel()
                else:
                    future.set_result(value)
            except InvalidStateError:  # cancelled by `withdraw` meanwhile
                pass

        with self._lock:
            self._keys[future] = (gate, key)
            self._refs[future] = reference
            done, self._done = self._done, []
        for old_gate in {g for g, _ in done}:  # the gate forgets ended calls: it stays as small as the work
            ended = [k for g, k in done if g is old_gate]
            self._ask(functools.partial(old_gate.forget.remote, ended), default=False, wait=False)
        future.add_done_callback(self._forget)
        answer.add_done_callback(settle)
        return future

    def _forget(self, future: Future[Any]) -> None:
        with self._lock:
            entry = self._keys.pop(future, None)
            self._refs.pop(future, None)
            self._entered.discard(future)
            if entry is not None:
                self._done.append(entry)

    def started(self, future: Future[Any]) -> bool:
        """Ask the gate whether the task has checked in (once it has, without asking again)."""
        with self._lock:
            entry = self._keys.get(future)
            if entry is None or future in self._entered:  # ended (withdrawn, or ran), or seen checked in
                return entry is not None or (future.done() and not future.cancelled())
        gate, key = entry
        answer = self._ask(lambda: gate.started.remote(key), default=True)
        if answer:
            with self._lock:
                if future in self._keys:
                    self._entered.add(future)
        return answer

    def withdraw(self, future: Future[Any]) -> bool:
        """Close the gate to a task that has not checked in, and cancel its future."""
        with self._lock:
            entry = self._keys.get(future)
        if entry is None:  # ended: withdrawn already, or ran
            return future.cancelled()
        gate, key = entry
        if not self._ask(lambda: gate.withdraw.remote(key), default=False):
            return False
        future.cancel()  # or the task, finding the gate closed, has answered `_Withdrawn`: cancelled either way
        return True

    def abandon(self, future: Future[Any]) -> bool:
        """Stop the task by ending the worker process that runs it (Ray starts another); the future then fails."""
        with self._lock:
            reference = self._refs.get(future)
        if reference is None:  # it has ended
            return False
        import ray

        try:
            ray.cancel(reference, force=True)
        except Exception:  # already finished, or the cluster is gone
            log.warning("could not stop an abandoned Ray task", exc_info=True)
            return False
        return True

    def _ask(self, call: Callable[[], Any], default: bool, wait: bool = True) -> bool:
        # Put a question to the gate; `default` when it is gone or too slow (the caller goes on as if Ray could
        # not tell). Without `wait`, only send it.
        import ray

        try:
            reference = call()
            return bool(ray.get(reference, timeout=self.GATE_SECONDS)) if wait else default
        except Exception:
            log.warning("the Ray gate did not answer; assuming %s", default, exc_info=True)
            return default

    def shutdown(self, wait: bool = True) -> None:
        """Disconnect; stop the local cluster if this executor started it."""
        if self._started:
            import ray

            ray.shutdown()
            self._started = False
            self._release.set()
        with self._lock:
            self._session = None
            self._keys.clear()
            self._refs.clear()
            self._entered.clear()
            self._done.clear()


class _Gate:
    # The Ray actor every task of a `RayExecutor` checks in with; a task that finds the gate closed does not run.
    def __init__(self) -> None:
        self.entered: set[str] = set()
        self.closed: set[str] = set()

    def enter(self, key: str) -> bool:
        if key in self.closed:
            self.closed.discard(key)
            return False
        self.entered.add(key)
        return True

    def started(self, key: str) -> bool:
        return key in self.entered

    def withdraw(self, key: str) -> bool:
        if key in self.entered:
            return False
        self.closed.add(key)
        return True

    def forget(self, keys: list[str]) -> None:
        self.entered.difference_update(keys)


class _Withdrawn:
    # What a withdrawn task answers (its future ends cancelled); a class, so no real result can be mistaken for it.
    pass


def _through_gate(
    gate: Any, key: str, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> T | _Withdrawn:
    # A `RayExecutor` task: check in, then call `fn` unless the call was withdrawn while it waited. The check-in
    # waits on a helper thread: Ray lends a task's CPU to another task while the task's own thread blocks in
    # `ray.get`, which would let a one-CPU cluster run two trials at once.
    import ray

    try:
        with ThreadPoolExecutor(1, thread_name_prefix="genesis-gate") as helper:
            entered = bool(helper.submit(ray.get, gate.enter.remote(key)).result())
    except Exception:  # the gate is gone: run, as without one (the driver then never withdraws)
        entered = True
    if not entered:
        return _Withdrawn()
    return fn(*args, **kwargs)


@dataclass(frozen=True)
class Job:
    """A submitted job.

    Attributes:
        activity: its provenance activity id.
        target: the asset it runs for.
        future: completes with the callable's result.
        executor: where it runs.
    """

    activity: str
    target: str
    future: Future[Any]
    executor: Executor


def _abandoned_end(future: Future[Any], stopped: bool) -> dict[str, Any]:
    # How an abandoned job ended: stopped by its executor, or run on (with the error it raised later, if any).
    end: dict[str, Any] = {"status": "abandoned", "stopped": stopped}
    if not stopped and not future.cancelled() and (error := future.exception()) is not None:
        end["late_error"] = f"{type(error).__name__}: {error}"
    return end


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
        self._abandoned: dict[str, bool | None] = {}  # activity → whether its executor stopped it (None: asking)
        self._ended: dict[str, tuple[Principal, GovernedAsset, str]] = {}  # ends that came while asking
        self._lock = threading.Lock()

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
        return Job(activity, asset.id, future, runner)

    def abandon(self, job: Job) -> bool:
        """Give up on a job whose answer is no longer wanted (a timed-out trial): stop it where its executor can.

        Its end is recorded as `abandoned` (with `stopped`: whether the executor stopped it), whatever the call
        did afterwards, so the audit log agrees with the caller's record rather than saying failed or succeeded.

        Returns:
            Whether the executor stopped it; where not, it runs on and its answer is ignored.
        """
        with self._lock:
            if job.future.done():
                return False  # its end is recorded already
            self._abandoned[job.activity] = None  # deciding: an end that comes meanwhile waits for the answer
        stopped = False
        try:
            stopped = job.executor.abandon(job.future)
        finally:
            with self._lock:
                ended = self._ended.pop(job.activity, None)
                if ended is None:
                    self._abandoned[job.activity] = stopped
            if ended is not None:  # it ended while the executor was stopping it (a cancelled queued call, say)
                self._record_end(*ended, _abandoned_end(job.future, stopped))
        return stopped

    def _finished(self, principal: Principal, asset: GovernedAsset, activity: str, future: Future[Any]) -> None:
        with self._lock:
            abandoned = activity in self._abandoned
            stopped = self._abandoned.pop(activity, None)
            if abandoned and stopped is None:  # `abandon` is still asking the executor: it records the end
                self._ended[activity] = (principal, asset, activity)
                return
        if abandoned:
            self._record_end(principal, asset, activity, _abandoned_end(future, bool(stopped)))
            return
        if future.cancelled():  # withdrawn before a worker took it
            outcome: dict[str, Any] = {"status": "withdrawn"}
        else:
            error = future.exception()
            outcome = (
                {"status": "failed", "error": f"{type(error).__name__}: {error}"} if error else {"status": "succeeded"}
            )
        self._record_end(principal, asset, activity, outcome)

    def _record_end(self, principal: Principal, asset: GovernedAsset, activity: str, outcome: dict[str, Any]) -> None:
        try:
            with self._uow() as uow:
                self._prov.end_activity(uow, activity, attributes=outcome)
                self._guard.changed(uow, principal, "compute.finish", asset, {"activity": activity, **outcome})
        except Exception:  # a callback has no caller to raise to; keep the job's own result intact
            log.exception("could not record the end of job %s", activity)
