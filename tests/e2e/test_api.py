"""The REST API through its client, and once through a real HTTP server on loopback."""

from __future__ import annotations

import socket
import threading
import time

import httpx2 as httpx
import pytest
import uvicorn

from genesis_platform.api import create_app
from tests.e2e.conftest import auth, state


def test_openapi_and_health_need_no_token(api):
    assert api.get("/health").json()["status"] == "ok"
    spec = api.get("/openapi.json").json()
    assert spec["info"]["title"] == "Genesis" and "/audit/verify" in spec["paths"]


def test_missing_or_bad_token_is_401_problem_with_bearer_challenge(api, cast):
    for headers in ({}, auth("gns_0000000000000000_" + "x" * 43), auth("garbage")):
        response = api.get("/organisations", headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"].startswith("Bearer")
        body = response.json()
        assert body["type"] == "urn:genesis:problem:authentication-failed" and body["instance"] == "/organisations"


def test_walkthrough(api, cast, platform):
    admin, rivera, brit = (auth(cast.tokens[u]) for u in ("admin", "rivera", "brit"))
    assert (
        api.post("/organisations", json={"name": "Argonne", "kind": "national_laboratory"}, headers=admin).status_code
        == 201
    )
    created = api.post(
        "/users",
        json={"username": "okafor", "display_name": "N. Okafor", "email": "o@anl.gov", "organisation": "Argonne"},
        headers=admin,
    )
    assert created.status_code == 201 and created.json()["vetting"] == "pending"
    assert api.post("/users/okafor/vet", json={"reason": "ok"}, headers=admin).json()["vetting"] == "vetted"
    granted = api.post("/users/okafor/grants", json={"trainings": ["cui"], "projects": ["p1"]}, headers=admin)
    assert granted.json()["trainings"] == ["cui"]
    issued = api.post("/users/okafor/tokens", json={"label": "notebook", "days": 3}, headers=admin).json()
    okafor = auth(issued["token"])
    assert api.get("/users/me", headers=okafor).json()["username"] == "okafor"

    asset = api.post(
        "/assets",
        json={"name": "scans", "project": "p1", "markings": {"banner": "CUI//SP-PRVCY//NOFORN"}},
        headers=rivera,
    ).json()
    assert asset["banner"] == "CUI//SP-PRVCY//NOFORN"
    assert api.get(f"/assets/{asset['id']}", headers=okafor).status_code == 200
    hidden = api.get(f"/assets/{asset['id']}", headers=brit)
    assert hidden.status_code == 404 and hidden.json()["type"] == "urn:genesis:problem:not-found"
    assert asset["id"] not in {a["id"] for a in api.get("/assets", headers=brit).json()}
    why = api.get(
        "/policy/explain", params={"user": "brit", "action": "download", "asset": asset["id"]}, headers=admin
    ).json()
    assert why["allowed"] is False and {p["id"] for p in why["policies"]} == {"noforn"}
    prov = api.get(f"/assets/{asset['id']}/provenance", headers=rivera).json()
    assert f"genesis:asset/{asset['id']}" in prov["entity"]

    remarked = api.post(
        f"/assets/{asset['id']}/markings",
        json={"markings": {"banner": "PUBLIC"}, "reason": "released"},
        headers=auth(cast.tokens["officer"]),
    )
    assert remarked.status_code == 200 and api.get(f"/assets/{asset['id']}", headers=brit).status_code == 200

    records = api.get("/audit/records", params={"user": "brit", "outcome": "deny"}, headers=admin).json()
    assert records and all(r["outcome"] == "deny" and r["channel"] == "api" for r in records)
    checkpoint = api.post("/audit/checkpoints", headers=admin).json()
    proof = api.get("/audit/proofs/2", headers=admin).json()
    assert proof["valid"] and proof["checkpoint"]["root"] == checkpoint["root"]
    assert api.post("/audit/verify", headers=admin).json()["ok"] is True

    assert api.post("/users/okafor/suspend", json={}, headers=admin).status_code == 200
    assert api.get(f"/assets/{asset['id']}", headers=okafor).status_code == 404
    assert api.post(f"/tokens/{issued['id']}/revoke", headers=admin).json()["revoked_at"]
    assert api.get("/organisations", headers=okafor).status_code == 401


BAD = [
    # (method, path, body, who, status, words)
    ("post", "/organisations", {"name": "X", "kind": "pirate"}, "admin", 422, "unknown organisation kind"),
    ("post", "/organisations", {"kind": "company"}, "admin", 422, "name"),
    ("post", "/organisations", {"name": "Acme Materials Inc.", "kind": "company"}, "admin", 409, "already exists"),
    ("post", "/organisations", {"name": "X", "kind": "company"}, "rivera", 403, "manage_identity"),
    ("get", "/users", None, "rivera", 403, "read_directory"),
    (
        "post",
        "/users",
        {"username": "Bad Name", "display_name": "B", "email": "b@x.org", "organisation": "Acme Materials Inc."},
        "admin",
        422,
        "username",
    ),
    (
        "post",
        "/users",
        {"username": "okk", "display_name": "B", "email": "b@x.org", "organisation": "Nowhere"},
        "admin",
        404,
        "no organisation",
    ),
    ("post", "/users", "not json", "admin", 422, ""),
    ("get", "/users/ghost", None, "admin", 404, "no user"),
    ("get", "/users/brit", None, "rivera", 403, "read_directory"),
    ("get", "/users/ghost", None, "rivera", 403, "read_directory"),
    ("post", "/users/rivera/vet", {}, "admin", 409, "vetted"),
    ("post", "/users/ghost/suspend", {}, "admin", 404, "no user"),
    ("post", "/users/admin/revoke", {}, "admin", 403, "no-self-privilege"),
    ("post", "/users/rivera/grants", {"roles": ["wizard"]}, "admin", 422, "choose from"),
    ("post", "/users/rivera/grants", {}, "admin", 422, "nothing to grant"),
    ("post", "/users/rivera/ungrant", {"agreements": ["HANDSHAKE"]}, "admin", 422, "agreement kind"),
    ("post", "/users/rivera/tokens", {"days": 0}, "admin", 422, "days"),
    ("post", "/users/rivera/tokens", {"days": 9999}, "admin", 422, "365 days"),
    ("get", "/users/brit/tokens", None, "rivera", 403, "read_directory"),
    ("post", "/tokens/0123456789abcdef/revoke", None, "admin", 404, "no token"),
    ("post", "/assets", {"name": "x", "markings": {"banner": "CUI"}}, "rivera", 422, "CUI category"),
    ("post", "/assets", {"name": "x", "markings": {"banner": "SECRET"}}, "rivera", 403, "clearance-level"),
    ("post", "/assets", {"name": "x", "kind": "Bad Kind"}, "rivera", 422, "kind"),
    ("post", "/assets", {"name": "x", "markings": {"embargo_until": "soon"}}, "rivera", 422, "embargo_until"),
    ("get", "/assets/dat-missing", None, "rivera", 404, "no asset"),
    ("post", "/assets/dat-missing/markings", {"markings": {}, "reason": "x"}, "officer", 404, "no asset"),
    ("post", "/assets/dat-missing/markings", {"markings": {}}, "officer", 422, "reason"),
    ("get", "/assets/dat-missing/provenance", None, "rivera", 404, "no asset"),
    ("get", "/policy/explain", {"action": "teleport", "asset": "x"}, "admin", 422, "unknown action"),
    ("get", "/policy/explain", {"asset": "x"}, "admin", 422, "action"),
    ("get", "/audit/records", None, "rivera", 403, "read_audit"),
    ("get", "/audit/records", {"limit": 0}, "admin", 422, "limit"),
    ("get", "/audit/records", {"since": "last week"}, "admin", 422, "since"),
    ("post", "/audit/verify", None, "rivera", 403, "read_audit"),
    ("post", "/audit/checkpoints", None, "rivera", 403, "write_audit"),
    ("get", "/audit/proofs/999999", None, "admin", 404, "no checkpoint"),
    ("get", "/audit/proofs/abc", None, "admin", 422, "seq"),
    ("get", "/nowhere", None, "admin", 404, "Not Found"),
    ("delete", "/organisations", None, "admin", 405, "Method Not Allowed"),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "who", "status", "words"), BAD, ids=[f"{b[0]} {b[1]} as {b[3]}" for b in BAD]
)
def test_bad_input_is_a_4xx_problem_and_changes_nothing(api, cast, platform, method, path, body, who, status, words):
    before = state(platform)
    kwargs: dict = {"headers": auth(cast.tokens[who])}
    if method == "get" and isinstance(body, dict):
        kwargs["params"] = body
    elif isinstance(body, str):
        kwargs["content"] = body
        kwargs["headers"]["content-type"] = "application/json"
    elif body is not None:
        kwargs["json"] = body
    response = api.request(method.upper(), path, **kwargs)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert (
        problem["status"] == status and problem["title"] and words in problem["detail"] + str(problem.get("errors", ""))
    )
    assert state(platform) == before


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_real_http_server_on_loopback(platform, cast):
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(platform), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(100):
            if server.started:
                break
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/health").status_code == 200
        orgs = httpx.get(f"{base}/organisations", headers=auth(cast.tokens["brit"]))
        assert orgs.status_code == 200 and "UK Atomic Energy Authority" in {o["name"] for o in orgs.json()}
        denied = httpx.get(f"{base}/audit/records", headers=auth(cast.tokens["brit"]))
        assert denied.status_code == 403 and denied.headers["content-type"] == "application/problem+json"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_serve_factory_opens_the_platform_named_by_the_environment(platform, home, monkeypatch):
    from fastapi.testclient import TestClient

    from genesis_platform.api.app import app_from_environment

    monkeypatch.setenv("GENESIS_HOME", str(home))
    with TestClient(app_from_environment()) as client:
        response = client.get("/organisations", headers=auth(platform.saved_token() or ""))
        assert response.status_code == 200 and response.json()[0]["name"] == "Genesis Platform Operations"


def test_every_route_but_health_and_docs_refuses_a_missing_token(api, platform):
    open_paths = {"/health", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
    before = state(platform)
    checked = 0
    for path, methods in api.get("/openapi.json").json()["paths"].items():
        if path in open_paths:
            continue
        concrete = path.replace("{username}", "rivera").replace("{asset_id}", "dat-x").replace("{seq}", "1")
        concrete = concrete.replace("{token_id}", "0123456789abcdef")
        for method in methods:
            response = api.request(method.upper(), concrete, json={})
            assert response.status_code == 401, (method, path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            checked += 1
    assert checked >= 20 and state(platform) == before
