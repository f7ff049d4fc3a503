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
    """One worker: the first call runs, the last waits behind it (the local pool hands one more to its workers'
    queue early, so a second nap sits between them); the waiting one can be withdrawn and never runs, the running
    one cannot. Ray's futures cannot tell, so its tasks check in with a gate first."""
    first = executor.submit(jobs.nap, 1.5)
    if executor.name == "inline":  # it has run already
        assert executor.started(first) and not executor.withdraw(first)
        return
    deadline = time.monotonic() + 120
    while not executor.started(first):
        assert time.monotonic() < deadline, "the first call never started"
        time.sleep(0.02)
    second = executor.submit(jobs.nap, 0.1)
    last = executor.submit(jobs.touch, str(tmp_path / "ran"))
    after = executor.submit(jobs.nap, 0.0)
    assert not executor.started(last)
    assert executor.withdraw(last) and last.cancelled()
    assert not executor.withdraw(first) and executor.withdraw(last)  # withdrawing again changes nothing
    assert [f.result(timeout=120) for f in (first, second, after)] == [1.5, 0.1, 0.0]
    assert executor.started(first) and not executor.started(last)
    assert not (tmp_path / "ran").exists()
