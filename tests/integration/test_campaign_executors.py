"""The 200-trial Hartmann-6 campaign with 4 parallel workers, on the local process pool and on a real local Ray
cluster; batch-synchronous, so both must choose and measure exactly the same trials."""

import pytest

from genesis_platform.bootstrap import Platform
from genesis_platform.discovery import CampaignSpec, CampaignStatus, TrialStatus
from genesis_platform.discovery.instruments import Hartmann6
from genesis_platform.kernel import Settings
from genesis_platform.kernel.audit.log import AuditQuery
from genesis_platform.kernel.compute import LocalPoolExecutor, RayExecutor, ThreadExecutor
from genesis_platform.kernel.identity.tokens import TokenHasher

TRIALS = 200


def _campaign(tmp_path, name, executor):
    hasher = TokenHasher(time_cost=1, memory_cost=8)
    platform, _ = Platform.initialise(Settings(home=tmp_path / name), executor=executor, hasher=hasher)
    try:
        me = platform.authenticate(platform.saved_token(), "internal")
        instrument, _ = platform.instruments.register(me, "h6", {"type": "simulator", "simulator": "hartmann6"})
        spec = CampaignSpec(
            name="h6 x4",
            space=Hartmann6().space(),
            instrument=instrument.id,
            workers=4,
            mode="batch",
            seed=11,
            planner_settings={"restarts": 2, "raw_samples": 128, "mc_samples": 64},
            stopping={"max_trials": TRIALS},
        )
        campaign = platform.campaigns.create(me, spec)
        done = platform.campaigns.run(me, campaign.id)
        return done, platform.campaigns.trials(me, campaign.id)
    finally:
        platform.close()


@pytest.mark.slow
@pytest.mark.timeout(1500)
def test_a_batch_campaign_gives_identical_trials_on_the_local_pool_and_on_ray(tmp_path):
    local, local_trials = _campaign(tmp_path, "local", LocalPoolExecutor(4))
    ray, ray_trials = _campaign(tmp_path, "ray", RayExecutor(workers=2))
    for done, trials in ((local, local_trials), (ray, ray_trials)):
        assert done.status is CampaignStatus.FINISHED
        assert len(trials) == TRIALS and all(t.status is TrialStatus.COMPLETED for t in trials)
        assert {t.batch for t in trials} == set(range(1, TRIALS // 4 + 1))
    assert [(t.point, t.values) for t in local_trials] == [(t.point, t.values) for t in ray_trials]
    best = min(t.values["f"] for t in local_trials)
    assert best < -3.0  # the global minimum is -3.32237; 200 trials of BO get close


def _slow_campaign(tmp_path, delay, executor=None, **spec):
    # One worker (a thread unless told) and a Hartmann-6 simulator taking `delay` seconds a run.
    hasher = TokenHasher(time_cost=1, memory_cost=8)
    executor = executor or ThreadExecutor(1)
    platform, _ = Platform.initialise(Settings(home=tmp_path / "h"), executor=executor, hasher=hasher)
    me = platform.authenticate(platform.saved_token(), "internal")
    config = {"type": "simulator", "simulator": "hartmann6", "delay": delay}
    instrument, _ = platform.instruments.register(me, "slow h6", config)
    fields = {"name": "slow", "space": Hartmann6().space(), "instrument": instrument.id, "planner": "random", **spec}
    return platform, me, platform.campaigns.create(me, CampaignSpec.model_validate(fields))


def _watched(kind, *args, **kwargs):
    # An executor that keeps the futures it hands out, so a test can see when a worker takes a trial.
    class Watched(kind):
        def __init__(self):
            super().__init__(*args, **kwargs)
            self.futures = []

        def submit(self, fn, /, *a, **k):
            self.futures.append(super().submit(fn, *a, **k))
            return self.futures[-1]

    return Watched()


ONE_WORKER = [
    pytest.param(lambda: _watched(ThreadExecutor, 1), id="threads"),
    pytest.param(lambda: _watched(LocalPoolExecutor, 1), id="local-pool"),  # its worker's start-up not counted
    pytest.param(
        lambda: _watched(RayExecutor, workers=1), id="ray", marks=[pytest.mark.slow, pytest.mark.timeout(300)]
    ),
]


@pytest.mark.parametrize("executor", ONE_WORKER)
def test_a_trial_waiting_for_a_free_worker_is_not_timed_out(tmp_path, executor):
    # One worker, three trials at once, each 0.5 s against a 1.2 s timeout: the third waits 1 s in the queue.
    # Clocks count from when a worker starts a trial (Ray's tasks check in with the executor's gate), so none
    # of them times out.
    trials = _run_and_close(
        *_slow_campaign(tmp_path, 0.5, executor(), workers=3, trial_timeout=1.2, stopping={"max_trials": 6})
    )
    assert [t.status for t in trials] == [TrialStatus.COMPLETED] * 6


def _run_and_close(platform, me, campaign):
    try:
        platform.campaigns.run(me, campaign.id)
        return platform.campaigns.trials(me, campaign.id)
    finally:
        platform.close()


def _leased(tmp_path, monkeypatch):
    # A short lease (1.5 s) and one 4-second trial in batch mode: the loop waits on it without turning.
    from datetime import timedelta

    from genesis_platform.discovery import service

    monkeypatch.setattr(service, "LEASE", timedelta(seconds=1.5))
    return _slow_campaign(tmp_path, 4.0, mode="batch", stopping={"max_trials": 1})


def _in_thread(fn):
    import threading

    outcome = {}

    def target():
        try:
            outcome["value"] = fn()
        except Exception as error:
            outcome["error"] = error

    thread = threading.Thread(target=target)
    thread.start()
    return thread, outcome


def test_the_lease_is_renewed_while_the_loop_waits_so_no_second_runner_takes_over(tmp_path, monkeypatch):
    import time

    from genesis_platform.kernel import Conflict

    platform, me, campaign = _leased(tmp_path, monkeypatch)
    try:
        thread, outcome = _in_thread(lambda: platform.campaigns.run(me, campaign.id))
        time.sleep(2.5)  # past the 1.5 s lease: only the heartbeat keeps it
        with pytest.raises(Conflict, match="is being run by"):
            platform.campaigns.run(me, campaign.id)
        thread.join(timeout=30)
        assert outcome["value"].status is CampaignStatus.FINISHED
        trials = platform.campaigns.trials(me, campaign.id)
        assert [(t.status, t.attempt) for t in trials] == [(TrialStatus.COMPLETED, 1)]
    finally:
        platform.close()


def test_a_runner_that_lost_its_lease_stops_without_writing(tmp_path, monkeypatch):
    import time
    from datetime import UTC, datetime, timedelta

    from genesis_platform.discovery.store import CampaignStore
    from genesis_platform.kernel import Conflict

    platform, me, campaign = _leased(tmp_path, monkeypatch)
    try:
        thread, outcome = _in_thread(lambda: platform.campaigns.run(me, campaign.id))
        time.sleep(1.0)
        with platform.uow() as uow:  # another runner takes the campaign over (as after a network partition)
            store = CampaignStore(uow.connection)
            holder, _ = store.lease(campaign.id)
            store.release_lease(campaign.id, holder)
            now = datetime.now(UTC)
            assert store.take_lease(campaign.id, "elsewhere:1:x", now + timedelta(minutes=5), now, None)
        thread.join(timeout=30)
        assert isinstance(outcome.get("error"), Conflict) and "taken over" in str(outcome["error"])
        status = platform.campaigns.status(me, campaign.id)
        assert status.campaign.status is CampaignStatus.RUNNING  # the new runner's, not overwritten
        trials = platform.campaigns.trials(me, campaign.id)
        assert [t.status for t in trials] == [TrialStatus.RUNNING]  # its result was not written by the loser
    finally:
        platform.close()


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_an_asynchronous_campaign_keeps_every_ray_worker_busy(tmp_path):
    hasher = TokenHasher(time_cost=1, memory_cost=8)
    platform, _ = Platform.initialise(Settings(home=tmp_path / "h"), executor=RayExecutor(workers=2), hasher=hasher)
    try:
        me = platform.authenticate(platform.saved_token(), "internal")
        config = {"type": "simulator", "simulator": "hartmann6", "delay": 0.5}
        instrument, _ = platform.instruments.register(me, "slow h6", config)
        spec = CampaignSpec(
            name="async on ray",
            space=Hartmann6().space(),
            instrument=instrument.id,
            workers=3,
            planner_settings={"restarts": 2, "raw_samples": 64, "mc_samples": 32},
            stopping={"max_trials": 12},
        )
        campaign = platform.campaigns.create(me, spec)
        done = platform.campaigns.run(me, campaign.id)
        trials = platform.campaigns.trials(me, campaign.id)
    finally:
        platform.close()
    assert done.status is CampaignStatus.FINISHED and len(trials) == 12
    assert all(t.status is TrialStatus.COMPLETED for t in trials)
    # asynchronous: after the first batch of 3, each result frees a worker and the planner refills it at once,
    # with the trials still running as pending points, instead of waiting for the whole batch
    # (batch mode would make exactly 4 batches of 3)
    sizes = [sum(t.batch == b for t in trials) for b in sorted({t.batch for t in trials})]
    assert sizes[0] == 3 and len(sizes) > 4


@pytest.mark.parametrize("executor", ONE_WORKER)
def test_a_stop_withdraws_queued_trials_and_resume_reissues_them(tmp_path, executor):
    import time

    # One worker, three trials of 3 s at once: one runs, two wait in the queue. The loop looks for a stop every
    # second, so it sees this one while the first trial still runs and withdraws the two behind it (on Ray too:
    # they have not checked in with the gate, which then keeps them from running).
    watched = executor()
    platform, me, campaign = _slow_campaign(tmp_path, 3.0, watched, workers=3, stopping={"max_trials": 3})
    try:
        thread, outcome = _in_thread(lambda: platform.campaigns.run(me, campaign.id))
        deadline = time.monotonic() + 60  # a cold Ray worker takes a while to start
        while not (watched.futures and watched.started(watched.futures[0])) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(platform.campaigns.trials(me, campaign.id)) == 3
        platform.campaigns.stop(me, campaign.id, "lunch")
        thread.join(timeout=30)
        assert outcome["value"].status is CampaignStatus.STOPPED
        trials = platform.campaigns.trials(me, campaign.id)
        assert [t.status for t in trials] == [TrialStatus.COMPLETED, TrialStatus.RUNNING, TrialStatus.RUNNING]
        # a job's end is written by its future's callback, which may run just after the loop has moved on
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            ends = platform.audit.records(me, AuditQuery(action="compute.finish"))
            if len(ends) == 3:
                break
            time.sleep(0.05)
        assert sorted(r.event.details["status"] for r in ends) == ["succeeded", "withdrawn", "withdrawn"]
        # resume: the withdrawn two are issued again (on Ray, by a cluster that the finished thread started)
        done = platform.campaigns.run(me, campaign.id)
        trials = platform.campaigns.trials(me, campaign.id)
    finally:
        platform.close()
    assert done.status is CampaignStatus.FINISHED
    # `attempt` counts issues: the withdrawn two were issued twice, run once
    assert [(t.status, t.attempt) for t in trials] == [(TrialStatus.COMPLETED, 1)] + [(TrialStatus.COMPLETED, 2)] * 2


def test_a_trial_that_times_out_is_abandoned_to_the_executor(tmp_path):
    from genesis_platform.discovery.service import run_trial

    class Deaf(ThreadExecutor):
        # Runs every trial without its timeout, as an instrument that ignores it would; keeps what is abandoned.
        def __init__(self):
            super().__init__(1)
            self.abandoned = []

        def submit(self, fn, /, *args, **kwargs):
            return super().submit(fn, *args[:-1], None) if fn is run_trial else super().submit(fn, *args, **kwargs)

        def abandon(self, future):
            self.abandoned.append(future)
            return super().abandon(future)

    deaf = Deaf()
    trials = _run_and_close(
        *_slow_campaign(tmp_path, 1.5, deaf, workers=1, trial_timeout=0.3, stopping={"max_trials": 2})
    )
    assert [t.status for t in trials] == [TrialStatus.TIMED_OUT] * 2
    assert len(deaf.abandoned) == 2  # the loop gave each up to the executor (threads cannot stop them: they run on)
