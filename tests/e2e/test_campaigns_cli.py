import json
import os
import signal
import subprocess
import sys
import time

import pytest
import yaml

from genesis_platform.bootstrap import Platform
from genesis_platform.discovery import TrialStatus
from genesis_platform.discovery.instruments import Hartmann6
from genesis_platform.kernel import Settings


def _init(cli, tmp_path, database_url):
    home = tmp_path / "home"
    args = ["init", "--home", str(home)] + (["--database-url", database_url] if database_url else [])
    assert cli(*args).code == 0
    return home


def _instrument(cli, home, *extra):
    out = cli("instrument", "register", "h6", "--simulator", "hartmann6", *extra, "--home", str(home))
    assert out.code == 0, out
    return out.out.split("registered instrument ")[1].split()[0]


def _spec(tmp_path, instrument_id, **extra):
    spec = {
        "name": "h6",
        "instrument": instrument_id,
        "planner_settings": {"restarts": 2, "raw_samples": 64, "mc_samples": 32},
        "space": json.loads(Hartmann6().space().model_dump_json()),
        "stopping": {"max_trials": 6},
    }
    spec.update(extra)
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def _create(cli, home, spec):
    out = cli("campaign", "create", "--spec", str(spec), "--home", str(home))
    assert out.code == 0, out
    return out.out.split("created campaign ")[1].split(":")[0]


def test_a_campaign_runs_from_the_cli_with_a_progress_bar_and_a_report(cli, tmp_path, database_url):
    home = _init(cli, tmp_path, database_url)
    instrument = _instrument(cli, home)
    campaign = _create(cli, home, _spec(tmp_path, instrument))
    out = cli("campaign", "run", campaign, "--home", str(home))
    assert out.code == 0, out
    assert "6/6" in out.out and "finished: budget of 6 trials spent" in out.out
    status = json.loads(cli("campaign", "status", campaign, "--home", str(home), "--json").out)
    assert status["status"] == "finished" and status["counts"] == {"completed": 6}
    trials = json.loads(cli("campaign", "trials", campaign, "--home", str(home), "--json").out)
    assert [t["number"] for t in trials] == [1, 2, 3, 4, 5, 6]
    assert cli("campaign", "list", "--home", str(home)).out.count(campaign) == 1
    again = cli("campaign", "run", campaign, "--home", str(home))
    assert again.code != 0 and "has finished" in again.err and "Traceback" not in again.err

    listed = json.loads(cli("instrument", "list", "--home", str(home), "--json").out)
    assert [(i["id"], i["kind"]) for i in listed] == [(instrument, "simulator")]
    seeded = cli(
        "instrument", "register", "b", "--simulator", "branin", "--noise", "0.1", "--seed", "3", "--home", str(home)
    )
    assert seeded.code == 0, seeded
    configs = [i["config"] for i in json.loads(cli("instrument", "list", "--home", str(home), "--json").out)]
    assert {"simulator": "branin", "noise": 0.1, "seed": 3}.items() <= configs[-1].items()
    bad = cli("instrument", "register", "r", "--node", "http://127.0.0.1:9", "--poll", "0", "--home", str(home))
    assert bad.code != 0 and "poll" in bad.err and len(bad.err.strip().splitlines()) == 1, bad
    ping = cli("instrument", "ping", instrument, "--home", str(home))
    assert ping.code == 0 and "run(x1: number" in ping.out and "-> f" in ping.out, ping
    wrote = cli("campaign", "report", campaign, "--out", str(tmp_path / "report"), "--home", str(home))
    assert wrote.code == 0 and "6 trials" in wrote.out, wrote
    summary = json.loads((tmp_path / "report" / "summary.json").read_text())
    assert summary["best"] == status["best"] and len(summary["best_so_far"]) == 6
    assert 'src="data:image/png;base64,' in (tmp_path / "report" / "report.html").read_text()
    best = cli("campaign", "register-best", campaign, "--count", "2", "--home", str(home))
    assert best.code == 0 and "registered dataset" in best.out and "version 1" in best.out, best
    dataset = best.out.split("registered dataset ")[1].split()[0]
    more = cli("campaign", "register-best", campaign, "--count", "3", "--into", dataset, "--home", str(home))
    assert more.code == 0 and f"registered dataset {dataset} version 2" in more.out, more
    wrong = cli("campaign", "register-best", campaign, "--into", campaign, "--home", str(home))
    assert wrong.code != 0 and "not a dataset" in wrong.err and "Traceback" not in wrong.err, wrong
    assert cli("campaign", "register-best", campaign, "--count", "0", "--home", str(home)).code != 0
    waiting = _create(cli, home, _spec(tmp_path, instrument))
    stopped = cli("campaign", "stop", waiting, "--reason", "bench time", "--home", str(home))
    assert stopped.code == 0 and "stopped: bench time" in stopped.out, stopped
    assert json.loads(cli("campaign", "status", waiting, "--home", str(home), "--json").out)["status"] == "stopped"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"space": {"parameters": [{"kind": "continuous", "name": "x", "low": 2, "high": 1}]}}, "bounds"),
        (
            {
                "space": {
                    "parameters": [{"kind": "continuous", "name": "x1", "low": 0, "high": 1}],
                    "constraints": [{"coefficients": {"q": 1}, "rhs": 1}],
                }
            },
            "unknown parameter 'q'",
        ),
        (
            {
                "space": {
                    "parameters": [
                        {"kind": "continuous", "name": "x1", "low": 0, "high": 0.2},
                        {"kind": "continuous", "name": "x2", "low": 0, "high": 0.2},
                    ],
                    "mixtures": [{"parameters": ["x1", "x2"]}],
                }
            },
            "no point within the bounds meets the constraints",
        ),
        ({"planner": "oracle"}, "unknown planner 'oracle'"),
        ({"instrument": "ins-nope"}, "no asset 'ins-nope'"),
        ({"workers": 0}, "workers"),
    ],
)
def test_bad_campaign_specs_fail_with_one_clear_line_and_create_nothing(cli, tmp_path, change, message):
    home = _init(cli, tmp_path, None)
    instrument = _instrument(cli, home)
    out = cli("campaign", "create", "--spec", str(_spec(tmp_path, instrument, **change)), "--home", str(home))
    assert out.code != 0 and message in out.err, out
    assert len(out.err.strip().splitlines()) == 1 and "Traceback" not in out.err
    assert json.loads(cli("campaign", "list", "--home", str(home), "--json").out) == []


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_kill_9_mid_campaign_then_resume_loses_no_completed_trial(cli, tmp_path, database_url):
    home = _init(cli, tmp_path, database_url)
    instrument = _instrument(cli, home, "--delay", "0.7")
    campaign = _create(cli, home, _spec(tmp_path, instrument, workers=2, stopping={"max_trials": 12}))
    env = {**os.environ, "GENESIS_HOME": str(home)}
    runner = subprocess.Popen(
        [sys.executable, "-c", "from genesis_platform.cli import main; main()", "campaign", "run", campaign],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    platform = Platform.open(Settings(home=home))
    try:
        me = platform.authenticate(platform.saved_token(), "internal")
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            trials = platform.campaigns.trials(me, campaign)
            if sum(t.status is TrialStatus.COMPLETED for t in trials) >= 4 and any(
                t.status is TrialStatus.RUNNING for t in trials
            ):
                break
            time.sleep(0.05)
        os.killpg(runner.pid, signal.SIGKILL)  # the runner and its workers, mid-trial
        runner.wait(timeout=30)
        before = {t.number: t for t in platform.campaigns.trials(me, campaign)}
    finally:
        platform.close()
    completed = {n: t.values for n, t in before.items() if t.status is TrialStatus.COMPLETED}
    in_flight = [n for n, t in before.items() if t.status is TrialStatus.RUNNING]
    assert len(completed) >= 4 and in_flight
    out = cli("campaign", "resume", campaign, "--home", str(home))
    assert out.code == 0, out
    after = json.loads(cli("campaign", "trials", campaign, "--home", str(home), "--json").out)
    assert [t["number"] for t in after] == list(range(1, 13))
    assert all(t["status"] == "completed" for t in after)
    by_number = {t["number"]: t for t in after}
    for number, values in completed.items():  # nothing completed was lost or redone
        assert by_number[number]["values"] == values and by_number[number]["attempt"] == 1
    for number in in_flight:  # what was in flight was re-issued at the same point
        assert by_number[number]["attempt"] == 2 and by_number[number]["point"] == before[number].point


def test_a_campaign_benchmark_from_the_cli_prints_af_and_ef_and_refuses_bad_runs(cli, tmp_path, database_url):
    home = _init(cli, tmp_path, database_url)
    table = tmp_path / "peak.csv"
    table.write_text("x,y\n" + "".join(f"{i / 29:.4f},{-((i / 29 - 0.7) ** 2):.6f}\n" for i in range(30)))
    reg = cli("dataset", "register", str(table), "--name", "peak", "--home", str(home))
    assert reg.code == 0, reg
    dataset = reg.out.split("registered ")[1].split("@")[0]
    out = cli(
        "instrument", "register", "peak", "--dataset", dataset, "--file", "peak.csv", "--outcome", "y",
        "--home", str(home),
    )  # fmt: skip
    assert out.code == 0, out
    instrument = out.out.split("registered instrument ")[1].split()[0]
    space = {
        "parameters": [{"kind": "continuous", "name": "x", "low": 0, "high": 1}],
        "objectives": [{"name": "y", "direction": "maximize"}],
    }
    campaign = _create(cli, home, _spec(tmp_path, instrument, space=space, planner="random", planner_settings={}))
    ran = cli("campaign", "benchmark", campaign, "--runs", "campaign=2", "--runs", "sobol=1", "--home", str(home))
    assert ran.code == 0, ran
    assert "pool of 30, top set 2" in ran.out and "AF @ 0.8" in ran.out and "3/3" in ran.out
    assert "on the 1 seed(s) shared with sobol: campaign AF @ 0.8" in ran.out
    shown = json.loads(cli("campaign", "benchmark", campaign, "--show", "--json", "--home", str(home)).out)
    assert {m: v["runs"] for m, v in shown["methods"].items()} == {"campaign": 2, "sobol": 1}
    for runs, message in (("oracle=2", "unknown method(s) oracle"), ("campaign", "METHOD=N")):
        bad = cli("campaign", "benchmark", campaign, "--runs", runs, "--home", str(home))
        assert bad.code != 0 and message in bad.err, bad
        assert len(bad.err.strip().splitlines()) == 1 and "Traceback" not in bad.err
