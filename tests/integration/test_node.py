"""The robotic-node protocol against a real HTTP server on loopback: success, failure, garbage and timeout."""

import pytest

from genesis_platform.discovery import CampaignSpec, CampaignStatus, RunStatus, TrialStatus, load_space
from genesis_platform.discovery.instruments import Branin, NodeInstrument, NodeServer
from genesis_platform.kernel import InvalidInput


def test_a_node_advertises_its_actions_and_runs_points():
    with NodeServer(Branin(), name="branin-node") as node:
        client = NodeInstrument(node.url)
        info = client.ping()
        assert info.name == "branin-node" and info.kind == "node" and info.outcomes == ("f",)
        assert info.actions[0].parameters == {"x1": "number", "x2": "number"}
        result = client.execute({"x1": 1.0, "x2": 2.0})
        assert result.status is RunStatus.SUCCEEDED
        assert result.values["f"] == pytest.approx(Branin().execute({"x1": 1.0, "x2": 2.0}).values["f"])
    with NodeServer(Branin(noise=0.2)) as node:  # the node passes on its measurement noise
        noisy = NodeInstrument(node.url).execute({"x1": 1.0, "x2": 2.0})
        assert noisy.status is RunStatus.SUCCEEDED and noisy.noise == {"f": 0.2}


def test_failure_garbage_and_timeout_are_reported_not_raised():
    with NodeServer(Branin(), fail_every=2, garbage_every=3, hang_every=4) as node:
        client = NodeInstrument(node.url, poll=0.01)
        point = {"x1": 0.0, "x2": 0.0}
        results = [client.execute(point, timeout=0.5) for _ in range(4)]
    assert results[0].status is RunStatus.SUCCEEDED
    assert results[1].status is RunStatus.FAILED and "gripper jam" in results[1].message
    assert results[2].status is RunStatus.FAILED and "garbage" in results[2].message
    assert results[3].status is RunStatus.TIMED_OUT and "within 0.5 s" in results[3].message


def test_an_unreachable_node_fails_cleanly():
    dead = NodeInstrument("http://127.0.0.1:9", request_timeout=1.0)  # the discard port: nothing listens
    result = dead.execute({"x1": 0.0, "x2": 0.0})
    assert result.status is RunStatus.FAILED and "cannot be reached" in result.message


def test_a_campaign_drives_a_node_through_success_failure_garbage_and_timeout(platform, cast):
    rivera = cast["rivera"]
    with NodeServer(Branin(), fail_every=3, garbage_every=4, hang_every=5) as node:
        asset, record = platform.instruments.register(rivera, "branin node", {"type": "node", "url": node.url})
        assert record["config"]["outcomes"] == ["f"]
        assert record["config"]["parameters"] == {"x1": "number", "x2": "number"}
        unknown = load_space(
            {
                "parameters": [{"kind": "continuous", "name": n, "low": 0, "high": 1} for n in ("x1", "x2", "x3")],
                "objectives": [{"name": "f"}],
            }
        )
        with pytest.raises(InvalidInput, match="takes x1, x2; it does not know x3"):
            platform.campaigns.create(rivera, CampaignSpec(name="x3", space=unknown, instrument=asset.id))
        spec = CampaignSpec(
            name="node",
            space=Branin().space(),
            instrument=asset.id,
            planner="sobol",
            trial_timeout=1.0,
            stopping={"max_trials": 6},
        )
        campaign = platform.campaigns.create(rivera, spec)
        done = platform.campaigns.run(rivera, campaign.id)
    assert done.status is CampaignStatus.FINISHED
    trials = platform.campaigns.trials(rivera, campaign.id)
    assert [t.status for t in trials] == [
        TrialStatus.COMPLETED,
        TrialStatus.COMPLETED,
        TrialStatus.FAILED,
        TrialStatus.FAILED,  # garbage: recorded with the reason, and the campaign carries on
        TrialStatus.TIMED_OUT,
        TrialStatus.FAILED,
    ]
    assert "gripper jam" in trials[2].message and "garbage" in trials[3].message


def test_a_node_that_does_not_answer_cannot_be_registered(platform, cast):
    with pytest.raises(InvalidInput, match="cannot be reached"):
        platform.instruments.register(cast["rivera"], "ghost", {"type": "node", "url": "http://127.0.0.1:9"})
