import itertools
import os
import time

import pytest

from genesis_platform.bootstrap import Platform
from genesis_platform.kernel import AccessDenied, NotFound
from genesis_platform.kernel.assets.markings import parse_markings
from genesis_platform.kernel.audit.log import AuditQuery
from genesis_platform.kernel.compute import ComputeService, LocalPoolExecutor, RayExecutor, ThreadExecutor
from genesis_platform.kernel.policy.model import Action
from genesis_platform.kernel.provenance.model import Relation
from genesis_platform.kernel.provenance.store import ProvenanceStore
from genesis_platform.testing import jobs


def _wait_recorded(platform: Platform, admin, action: str, count: int) -> list:
    for _ in range(200):
        records = platform.audit.records(admin, AuditQuery(action=action))
        if len(records) >= count:
            return records
        time.sleep(0.05)
    raise AssertionError(f"{action} was not recorded")


def _wait_file(path, limit: float = 120.0) -> None:
    deadline = time.monotonic() + limit
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.02)


def _wait_started(executor, future, limit: float = 60.0) -> None:
    # A worker's word that it began a call reaches the executor a moment after the call's own first effects.
    deadline = time.monotonic() + limit
    while not executor.started(future):
        assert time.monotonic() < deadline, "the call never counted as started"
        time.sleep(0.01)


def test_job_runs_in_a_worker_process_and_is_audited_and_in_provenance(sqlite_platform, sqlite_cast):
    platform = sqlite_platform
    compute = ComputeService(platform.uow, platform.guard, platform.assets, platform.recorder, LocalPoolExecutor(2))
    try:
        rivera = sqlite_cast["rivera"]
        workflow = platform.assets.register(rivera, kind="workflow", name="wf", project="p1")
        data = platform.assets.register(
            rivera, kind="dataset", name="d", project="p1", markings=parse_markings("UNCLASSIFIED", training_use="Yes")
        )
        job = compute.submit(rivera, workflow.id, jobs.square, 12, uses={data.id: Action.TRAIN})
        assert job.future.result(timeout=60) == 144
        pid_job = compute.submit(rivera, workflow.id, jobs.worker_pid)
        assert pid_job.future.result(timeout=60) != os.getpid()
        finished = _wait_recorded(platform, sqlite_cast.admin, "compute.finish", 2)
        assert {r.event.details["status"] for r in finished} == {"succeeded"}
        with platform.uow() as uow:
            store = ProvenanceStore(uow.connection)
            activity = store.node(job.activity)
            assert activity is not None and activity.ended_at and activity.attributes["status"] == "succeeded"
            relations = store.relations_touching({job.activity})
        assert {(r.relation, r.object) for r in relations} >= {(Relation.USED, f"genesis:asset/{data.id}")}
        assert any(
            r.relation is Relation.WAS_ASSOCIATED_WITH and r.object.startswith("genesis:user/") for r in relations
        )
    finally:
        compute.executor.shutdown()


def test_failed_job_is_recorded_as_failed(platform, cast):
    workflow = platform.assets.register(cast["rivera"], kind="workflow", name="wf")
    job = platform.compute.submit(cast["rivera"], workflow.id, jobs.fail, "boom")
    with pytest.raises(RuntimeError, match="boom"):
        job.future.result()
    record = platform.audit.records(cast.admin, AuditQuery(action="compute.finish"))[-1]
    assert record.event.details["status"] == "failed" and "boom" in record.event.details["error"]


def test_denied_run_or_use_schedules_nothing(platform, cast):
    workflow = platform.assets.register(cast["rivera"], kind="workflow", name="wf", project="p1")
    no_training = platform.assets.register(
        cast["rivera"],
        kind="dataset",
        name="d",
        project="p1",
        markings=parse_markings("UNCLASSIFIED", training_use="No"),
    )
    with pytest.raises(AccessDenied, match="no policy permits it"):
        platform.compute.submit(cast["partner"], workflow.id, jobs.square, 2)
    hidden = platform.assets.register(
        cast["rivera"], kind="workflow", name="h", markings=parse_markings("CUI//SP-PRVCY//NOFORN")
    )
    with pytest.raises(NotFound):
        platform.compute.submit(cast["german"], hidden.id, jobs.square, 2)
    with pytest.raises(AccessDenied, match="training-use-prohibited"):
        platform.compute.submit(cast["rivera"], workflow.id, jobs.square, 2, uses={no_training.id: Action.TRAIN})
    assert platform.audit.records(cast.admin, AuditQuery(action="compute.submit")) == []


@pytest.fixture(
    params=["inline", "local-pool", "threads", pytest.param("ray", marks=[pytest.mark.slow, pytest.mark.timeout(300)])]
)
def executor(request):
    from genesis_platform.testing import InlineExecutor

    made = {
        "inline": InlineExecutor,
        "local-pool": lambda: LocalPoolExecutor(1),
        "threads": lambda: ThreadExecutor(1),
        "ray": lambda: RayExecutor(workers=1),
    }[request.param]()
    yield made
    made.shutdown()


def test_executor_contract(executor):
    """Every executor: results and exceptions come back through the future; shutdown is idempotent."""
    assert executor.submit(jobs.square, 7).result(timeout=60) == 49
    failed = executor.submit(jobs.fail, "contract")
    with pytest.raises(RuntimeError, match="contract"):
        failed.result(timeout=60)
    assert isinstance(executor.name, str) and executor.name
    executor.shutdown()
    executor.shutdown()


def test_an_executor_withdraws_only_calls_no_worker_has_taken(executor, tmp_path):
    """One worker: the first call runs; the others wait behind it and none counts as started (the local pool is
    handed one call per worker, not its own queue of workers + 1). A waiting one can be withdrawn and never runs;
    the running one cannot. Ray's futures cannot tell, so its tasks check in with a gate first."""
    gate = tmp_path / "gate"  # the first call runs until the test opens the gate
    if executor.name == "inline":  # it runs on this thread, at once: nothing can wait behind it
        gate.touch()
        first = executor.submit(jobs.hold, str(gate))
        assert executor.started(first) and not executor.withdraw(first)
        return
    first = executor.submit(jobs.hold, str(gate), str(tmp_path / "first"))
    _wait_file(tmp_path / "first")
    _wait_started(executor, first)
    queued = [executor.submit(jobs.nap, 0.1) for _ in range(2)]
    last = executor.submit(jobs.touch, str(tmp_path / "ran"))
    after = executor.submit(jobs.nap, 0.0)
    time.sleep(0.3)  # time for a pool's own machinery to move the calls on, where it would
    assert not any(executor.started(f) for f in (*queued, last, after))
    assert executor.withdraw(last) and last.cancelled()
    assert not executor.withdraw(first) and executor.withdraw(last)  # withdrawing again changes nothing
    gate.touch()
    assert [f.result(timeout=120) for f in (first, *queued, after)] == [str(gate), 0.1, 0.1, 0.0]
    assert executor.started(first) and not executor.started(last)
    assert not (tmp_path / "ran").exists()


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_one_cpu_ray_cluster_runs_one_task_at_a_time():
    # Ray lends a task's CPU to another while the task's thread waits in `ray.get`; the gate's check-in waits on a
    # helper thread so that it cannot, which would let two trials run at once on one CPU. (A guard: on this
    # machine a main-thread check-in did not overlap either, the gate answering before a second worker started.)
    executor = RayExecutor(workers=1)
    try:
        spans = sorted(f.result(timeout=120) for f in [executor.submit(jobs.span, 0.5) for _ in range(3)])
    finally:
        executor.shutdown()
    assert all(earlier[1] <= later[0] for earlier, later in itertools.pairwise(spans)), spans


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_ray_executor_outlives_a_restarted_cluster_and_a_dead_gate():
    import ray

    executor = RayExecutor(workers=1)
    try:
        assert executor.submit(jobs.square, 3).result(timeout=120) == 9
        ray.shutdown()  # someone else stops Ray: the next call starts a cluster, and a gate, of its own
        assert executor.submit(jobs.square, 4).result(timeout=120) == 16
        gate, _ = executor._session
        ray.kill(gate)  # without a gate the executor cannot tell, so it answers as if a worker had the call
        call = executor.submit(jobs.nap, 0.2)
        assert executor.started(call) and not executor.withdraw(call)
        assert call.result(timeout=120) == 0.2
    finally:
        executor.shutdown()


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_an_abandoned_ray_task_frees_its_cpu_and_is_audited_as_abandoned(sqlite_platform, sqlite_cast):
    # A call that will not answer in time (a hung instrument): abandoning it ends its worker, so the next call
    # runs at once on the one CPU instead of after the hung one; the abandoned future fails, and the audit log
    # says abandoned (stopped), not failed.
    platform, rivera = sqlite_platform, sqlite_cast["rivera"]
    executor = RayExecutor(workers=1)
    compute = ComputeService(platform.uow, platform.guard, platform.assets, platform.recorder, executor)
    try:
        workflow = platform.assets.register(rivera, kind="workflow", name="wf")
        hung = compute.submit(rivera, workflow.id, jobs.nap, 120.0)
        deadline = time.monotonic() + 120
        while not executor.started(hung.future):
            assert time.monotonic() < deadline, "the call never started"
            time.sleep(0.05)
        assert compute.abandon(hung)
        assert executor.submit(jobs.square, 5).result(timeout=60) == 25
        assert hung.future.exception(timeout=60) is not None
        assert not executor.abandon(hung.future) and not compute.abandon(hung)  # it has ended
        finished = _wait_recorded(platform, sqlite_cast.admin, "compute.finish", 1)
        assert [(r.event.details["status"], r.event.details["stopped"]) for r in finished] == [("abandoned", True)]
    finally:
        executor.shutdown()


def test_an_abandoned_job_is_audited_as_abandoned_whether_or_not_it_could_be_stopped(
    sqlite_platform, sqlite_cast, tmp_path
):
    platform, rivera = sqlite_platform, sqlite_cast["rivera"]
    compute = ComputeService(platform.uow, platform.guard, platform.assets, platform.recorder, ThreadExecutor(1))
    try:
        workflow = platform.assets.register(rivera, kind="workflow", name="wf")
        gate = tmp_path / "gate"
        running = compute.submit(rivera, workflow.id, jobs.hold, str(gate), str(tmp_path / "running"))
        queued = compute.submit(rivera, workflow.id, jobs.nap, 0.0)
        _wait_file(tmp_path / "running")
        assert not compute.abandon(running)  # a thread cannot be stopped: it runs on, its answer ignored
        assert compute.abandon(queued) and queued.future.cancelled()
        gate.touch()
        assert running.future.result(timeout=30) == str(gate)
        done = compute.submit(rivera, workflow.id, jobs.square, 3)
        assert done.future.result(timeout=30) == 9
        finished = _wait_recorded(platform, sqlite_cast.admin, "compute.finish", 3)
        assert not compute.abandon(done)  # it had ended: recorded as it ended
        ends = {r.event.details["activity"]: r.event.details for r in finished}
        assert ends[running.activity] == {"activity": running.activity, "status": "abandoned", "stopped": False}
        assert ends[queued.activity]["status"] == "abandoned" and ends[queued.activity]["stopped"] is True
        assert ends[done.activity]["status"] == "succeeded"
        with platform.uow() as uow:
            assert ProvenanceStore(uow.connection).node(running.activity).attributes["status"] == "abandoned"
        # one that runs on and fails later keeps its error beside the abandonment
        failing = compute.submit(rivera, workflow.id, jobs.hold, str(tmp_path / "never"), str(tmp_path / "f"), 0.5)
        _wait_file(tmp_path / "f")
        assert not compute.abandon(failing)
        with pytest.raises(TimeoutError):
            failing.future.result(timeout=30)
        finished = _wait_recorded(platform, sqlite_cast.admin, "compute.finish", 4)
        late = next(r.event.details for r in finished if r.event.details["activity"] == failing.activity)
        assert late["status"] == "abandoned" and late["late_error"].startswith("TimeoutError:")
    finally:
        compute.executor.shutdown()


@pytest.mark.parametrize("make", [lambda: LocalPoolExecutor(1), lambda: ThreadExecutor(1)], ids=["pool", "threads"])
def test_a_pool_shutdown_runs_what_waits_or_cancels_it(make, tmp_path):
    executor = make()
    calls = [executor.submit(jobs.nap, 0.2)] + [executor.submit(jobs.square, n) for n in range(4)]
    executor.shutdown(wait=True)  # everything submitted runs first
    assert [f.result(timeout=0) for f in calls] == [0.2, 0, 1, 4, 9]
    gate = tmp_path / "gate"
    running = executor.submit(jobs.hold, str(gate), str(tmp_path / "running"))  # usable again after a shutdown
    _wait_file(tmp_path / "running")
    waiting = [executor.submit(jobs.touch, str(tmp_path / f"w{i}")) for i in range(3)]
    executor.shutdown(wait=False)  # the waiting calls are cancelled and never run; the running one finishes
    assert all(f.cancelled() for f in waiting)
    gate.touch()
    assert running.result(timeout=60) == str(gate)
    assert not any((tmp_path / f"w{i}").exists() for i in range(3))


def test_a_local_pool_call_starts_when_its_worker_begins_it_not_while_the_worker_starts_up(tmp_path):
    # A trial's timeout counts from `started`: a worker still spawning (an interpreter, imports) has not begun.
    executor = LocalPoolExecutor(1)
    gate, mark = tmp_path / "gate", tmp_path / "mark"
    try:
        call = executor.submit(jobs.hold, str(gate), str(mark))
        deadline = time.monotonic() + 30
        while executor._round is None or executor._round.handed == 0:  # handed to the pool: its worker spawns
            assert time.monotonic() < deadline
            time.sleep(0.001)
        assert not executor.started(call) and not executor.withdraw(call)  # it is the pool's, not begun
        _wait_file(mark)
        _wait_started(executor, call)
        gate.touch()
        assert call.result(timeout=60) == str(gate) and executor.started(call)
        deadline = time.monotonic() + 30
        while executor._begun or any(news.waiting for news in executor._news.values()):  # callbacks run last
            assert time.monotonic() < deadline, "the executor kept what it knew about a call that ended"
            time.sleep(0.01)
    finally:
        executor.shutdown()


def test_a_local_pool_call_left_to_run_by_a_shutdown_without_wait_counts_as_started(tmp_path):
    # Its worker's word may come after the pool stopped listening: the call counts as begun, so a timeout applies.
    executor = LocalPoolExecutor(1)
    gate = tmp_path / "gate"
    gate.touch()
    call = executor.submit(jobs.hold, str(gate))
    deadline = time.monotonic() + 30
    while executor._round is None or executor._round.handed == 0:
        assert time.monotonic() < deadline
        time.sleep(0.001)
    executor.shutdown(wait=False)
    assert executor.started(call) and not executor._news
    assert call.result(timeout=60) == str(gate)


def test_a_call_submitted_while_a_pool_shuts_down_runs_on_a_new_one(tmp_path):
    import threading

    executor = ThreadExecutor(1)
    gate = tmp_path / "gate"
    running = executor.submit(jobs.hold, str(gate), str(tmp_path / "running"))
    _wait_file(tmp_path / "running")
    closing = threading.Thread(target=executor.shutdown)  # waits for the held call
    closing.start()
    deadline = time.monotonic() + 30
    while executor._round is not None:  # the shutdown has let go of the pool and waits for its call
        assert time.monotonic() < deadline
        time.sleep(0.01)
    later = executor.submit(jobs.square, 6)
    assert later.result(timeout=30) == 36  # not stranded behind the closing pool
    gate.touch()
    closing.join(timeout=30)
    assert running.result(timeout=0) == str(gate) and not closing.is_alive()
    executor.shutdown()


def test_executors_that_cannot_stop_a_running_call_say_so(tmp_path):
    executor = ThreadExecutor(1)
    try:
        gate = tmp_path / "gate"
        running = executor.submit(jobs.hold, str(gate), str(tmp_path / "running"))
        queued = executor.submit(jobs.nap, 0.0)
        _wait_file(tmp_path / "running")
        assert not executor.abandon(running) and executor.abandon(queued) and queued.cancelled()
        gate.touch()
        assert running.result(timeout=30) == str(gate)
    finally:
        executor.shutdown()
