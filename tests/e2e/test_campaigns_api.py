"""`/instruments` and `/campaigns` end to end: register, create, run, status, trials, stop; bad input is 4xx."""

from __future__ import annotations

import json

from genesis_platform.discovery.instruments import Branin
from tests.e2e.conftest import auth


def _space():
    return json.loads(Branin().space().model_dump_json())


def test_api_registers_an_instrument_creates_and_runs_a_campaign(platform, cast, api):
    a = auth(cast.tokens["rivera"])
    made = api.post(
        "/instruments", json={"name": "branin", "config": {"type": "simulator", "simulator": "branin"}}, headers=a
    )
    assert made.status_code == 201, made.text
    instrument = made.json()["asset"]["id"]
    assert [i["asset"]["id"] for i in api.get("/instruments", headers=a).json()] == [instrument]
    assert api.post(f"/instruments/{instrument}/ping", headers=a).json()["actions"][0]["outcomes"] == ["f"]
    spec = {
        "name": "branin",
        "instrument": instrument,
        "space": _space(),
        "planner": "sobol",
        "stopping": {"max_trials": 5},
    }
    created = api.post("/campaigns", json={"spec": spec}, headers=a)
    assert created.status_code == 201, created.text
    cid = created.json()["asset"]["id"]
    assert created.json()["status"] == "created"
    ran = api.post(f"/campaigns/{cid}/run", json={}, headers=a)
    assert ran.status_code == 202, ran.text
    now = api.get(f"/campaigns/{cid}", headers=a).json()  # the test client runs background work before returning
    assert now["status"] == "finished" and now["counts"] == {"completed": 5}
    trials = api.get(f"/campaigns/{cid}/trials", headers=a).json()
    assert [t["number"] for t in trials] == [1, 2, 3, 4, 5] and now["best"] == min(t["values"]["f"] for t in trials)
    assert [c["asset"]["id"] for c in api.get("/campaigns", headers=a).json()] == [cid]
    report = api.get(f"/campaigns/{cid}/report", headers=a).json()
    assert report["best"] == now["best"] and len(report["best_so_far"]) == 5
    page = api.get(f"/campaigns/{cid}/report.html", headers=a)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    best = api.post(f"/campaigns/{cid}/datasets", json={"count": 2}, headers=a)
    assert best.status_code == 201 and best.json()["dataset_id"] and best.json()["version"] == 1
    into = {"count": 3, "into": best.json()["dataset_id"]}
    more = api.post(f"/campaigns/{cid}/datasets", json=into, headers=a)
    assert more.status_code == 201 and more.json() == {"dataset_id": into["into"], "version": 2}
    wrong = api.post(f"/campaigns/{cid}/datasets", json={"into": cid}, headers=a)
    assert wrong.status_code == 422 and "not a dataset" in wrong.json()["detail"]
    p = auth(cast.tokens["partner"])  # another organisation: the campaign's description, not its results
    seen = api.get(f"/campaigns/{cid}", headers=p).json()
    assert seen["counts"] == {"completed": 5} and seen["best"] is None and seen["results_visible"] is False
    assert now["results_visible"] is True
    for denied in (
        api.get(f"/campaigns/{cid}/trials", headers=p),
        api.get(f"/campaigns/{cid}/report", headers=p),
        api.get(f"/campaigns/{cid}/report.html", headers=p),
        api.post(f"/campaigns/{cid}/datasets", json={"count": 2}, headers=p),
    ):
        assert denied.status_code == 403 and denied.headers["content-type"].startswith("application/problem+json")
    again = api.post(f"/campaigns/{cid}/run", json={}, headers=a)
    assert again.status_code == 409 and again.headers["content-type"].startswith("application/problem+json")
    waiting = api.post("/campaigns", json={"spec": {**spec, "name": "later"}}, headers=a).json()["asset"]["id"]
    stopped = api.post(f"/campaigns/{waiting}/stop", json={"reason": "not today"}, headers=a)
    assert stopped.status_code == 200 and stopped.json()["status"] == "stopped"
    assert stopped.json()["stop_reason"] == "not today"
    assert api.post(f"/campaigns/{waiting}/stop", json={}, headers=p).status_code in (403, 404)


def test_api_bad_campaign_input_is_a_problem_and_creates_nothing(platform, cast, api):
    a = auth(cast.tokens["rivera"])
    made = api.post(
        "/instruments", json={"name": "b", "config": {"type": "simulator", "simulator": "branin"}}, headers=a
    )
    instrument = made.json()["asset"]["id"]
    bad_space = {"parameters": [{"kind": "continuous", "name": "x1", "low": 3, "high": 3}]}
    for spec, code in [
        ({"name": "x", "instrument": instrument, "space": bad_space}, 422),
        ({"name": "x", "instrument": instrument, "space": _space(), "planner": "oracle"}, 422),
        ({"name": "x", "instrument": "ins-nope", "space": _space()}, 404),
    ]:
        answer = api.post("/campaigns", json={"spec": spec}, headers=a)
        assert answer.status_code == code, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
    bad = api.post(
        "/instruments", json={"name": "b", "config": {"type": "simulator", "simulator": "oracle"}}, headers=a
    )
    assert bad.status_code == 422
    assert api.get("/campaigns", headers=a).json() == []
    # another organisation's researcher cannot see or run the campaign's instrument
    spec = {"name": "x", "instrument": instrument, "space": _space()}
    assert api.post("/campaigns", json={"spec": spec}, headers=auth(cast.tokens["brit"])).status_code in (403, 404)


def test_api_benchmarks_a_campaigns_dataset_pool_in_the_background(platform, cast, api, tmp_path):
    a = auth(cast.tokens["rivera"])
    table = tmp_path / "peak.csv"
    table.write_text("x,y\n" + "".join(f"{i / 29:.4f},{-((i / 29 - 0.7) ** 2):.6f}\n" for i in range(30)))
    version = platform.datasets.register(cast["rivera"], table, name="peak")
    config = {"type": "dataset", "dataset": version.dataset_id, "file": "peak.csv", "outcomes": ["y"]}
    instrument = api.post("/instruments", json={"name": "peak", "config": config}, headers=a).json()["asset"]["id"]
    space = {"parameters": [{"kind": "continuous", "name": "x", "low": 0, "high": 1}], "objectives": [{"name": "y"}]}
    spec = {
        "name": "peak",
        "instrument": instrument,
        "space": space,
        "planner": "random",
        "stopping": {"max_trials": 5},
    }
    cid = api.post("/campaigns", json={"spec": spec}, headers=a).json()["asset"]["id"]
    accepted = api.post(f"/campaigns/{cid}/benchmark", json={"runs": {"campaign": 2, "sobol": 2}}, headers=a)
    assert accepted.status_code == 202, accepted.text
    assert accepted.json() == {"campaign": cid, "runs": {"campaign": 2, "sobol": 2}, "status": "accepted"}
    got = api.get(f"/campaigns/{cid}/benchmark", headers=a).json()  # the test client ran the background task
    assert got["pool_size"] == 30 and {m: v["runs"] for m, v in got["methods"].items()} == {"campaign": 2, "sobol": 2}
    assert got["versus"]["sobol"]["seeds"] == 2
    for body, code in (({"runs": {"oracle": 1}}, 422), ({"runs": {"campaign": 0}}, 422), ({"runs": 3}, 422)):
        bad = api.post(f"/campaigns/{cid}/benchmark", json=body, headers=a)
        assert bad.status_code == code and bad.headers["content-type"].startswith("application/problem+json")
    p = auth(cast.tokens["partner"])  # another organisation: may neither run the benchmark nor read its results
    for denied in (
        api.post(f"/campaigns/{cid}/benchmark", json={}, headers=p),
        api.get(f"/campaigns/{cid}/benchmark", headers=p),
    ):
        assert denied.status_code in (403, 404) and denied.headers["content-type"].startswith(
            "application/problem+json"
        )
    assert api.get(f"/campaigns/{cid}/benchmark", headers=a).json() == got  # nothing was added by the refusals
    assert got["progress"] == {"state": "finished", "runs": {"campaign": 2, "sobol": 2}, "done": 4, "total": 4,
                               "error": None}  # fmt: skip
    # one benchmark of a campaign at a time: while one is queued (its slot taken as a POST takes it), a POST is 409
    platform.campaigns.check_benchmark(cast["rivera"], cid, {"campaign": 3}, reserve=True)
    busy = api.post(f"/campaigns/{cid}/benchmark", json={}, headers=a)
    assert busy.status_code == 409 and "is queued" in busy.json()["detail"]
    assert busy.headers["content-type"].startswith("application/problem+json")
