"""The `genesis` command line, in process, against a platform home on each engine."""

from __future__ import annotations

import json
import os
import stat

import pytest

from genesis_platform.bootstrap import Platform
from genesis_platform.kernel.settings import Settings
from genesis_platform.testing import Cast
from tests.e2e.conftest import state


def test_init_creates_a_private_home_and_refuses_to_run_twice(cli, tmp_path, database_url):
    home = tmp_path / "fresh"
    args = ["init", "--home", str(home)] + (["--database-url", database_url] if database_url else [])
    first = cli(*args)
    assert first.code == 0, first
    token = first.out.strip().splitlines()[-1]
    assert token.startswith("gns_")
    assert stat.S_IMODE(os.stat(home / "credentials").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(home / "keys" / "audit-ed25519.pem").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(home).st_mode) == 0o700
    again = cli(*args)
    assert again.code == 5 and again.err.startswith("error: ") and "already holds a platform" in again.err


def test_walkthrough_from_organisation_to_verified_audit(cli, home, platform, cast: Cast):
    h = ["--home", str(home)]
    assert cli("org", "add", "Argonne National Laboratory", "--kind", "national_laboratory", *h).code == 0
    assert "Argonne" in cli("org", "list", *h).out
    added = cli(
        "user",
        "add",
        "okafor",
        "--name",
        "Dr. Ngozi Okafor",
        "--email",
        "okafor@anl.gov",
        "--org",
        "Argonne National Laboratory",
        "--role",
        "researcher",
        *h,
    )
    assert added.code == 0 and "pending" in added.out
    assert cli("user", "vet", "okafor", "--reason", "badge issued", *h).code == 0
    assert cli("user", "grant", "okafor", "--training", "cui", "--project", "p1", *h).code == 0
    issued = cli("user", "token", "issue", "okafor", "--days", "7", *h)
    token = issued.out.strip().splitlines()[-1]
    me = ["--home", str(home), "--token", token]
    shown = json.loads(cli("user", "show", "--json", *me).out)
    assert shown["username"] == "okafor" and shown["trainings"] == ["cui"] and shown["vetting"] == "vetted"

    reg = cli("asset", "register", "Beamline scans", "--project", "p1", "--marking", "CUI//SP-PRVCY//NOFORN", *me)
    assert reg.code == 0, reg
    asset_id = reg.out.split()[2]
    listed = json.loads(cli("asset", "list", "--json", *me).out)
    assert [a["id"] for a in listed] == [asset_id]
    allowed = cli("policy", "explain", "--action", "download", "--asset", asset_id, *me)
    assert allowed.code == 0 and "ALLOW" in allowed.out and "owner" in allowed.out
    denied = cli("policy", "explain", "--user", "brit", "--action", "download", "--asset", asset_id, *h)
    assert denied.code == 1 and "DENY" in denied.out and "noforn" in denied.out and "US person: no" in denied.out

    log = json.loads(cli("audit", "log", "--user", "okafor", "--since", "1d", "--json", *h).out)
    assert {r["action"] for r in log} >= {"register", "asset.register", "discover"}
    checkpoint = json.loads(cli("audit", "checkpoint", "--json", *h).out)
    proof = json.loads(cli("audit", "prove", "3", "--json", *h).out)
    assert proof["valid"] is True and proof["root"] == checkpoint["root"]
    verified = cli("audit", "verify", *h)
    assert verified.code == 0 and "audit chain verified" in verified.out

    assert cli("user", "suspend", "okafor", "--reason", "test", *h).code == 0
    suspended = cli("asset", "list", *me)
    assert suspended.code == 0 and asset_id not in suspended.out  # every decision now denies
    gone = cli("asset", "show", asset_id, *me)
    assert gone.code == 4
    token_id = token.split("_")[1]
    assert cli("user", "token", "revoke", token_id, *h).code == 0
    refused = cli("org", "list", *me)
    assert refused.code == 3 and "token" in refused.err


def test_key_rotation_keeps_old_checkpoints_verifiable(cli, home, platform, cast):
    h = ["--home", str(home)]
    assert cli("audit", "checkpoint", *h).code == 0
    rotated = cli("audit", "rotate-key", *h)
    assert rotated.code == 0 and "->" in rotated.out
    assert len(list((home / "keys" / "keyring").glob("*.pub"))) == 2
    assert cli("audit", "checkpoint", *h).code == 0
    assert cli("audit", "verify", *h).code == 0


BAD = [
    # (argv after the command, who acts, exit code, words in the error)
    (["org", "add", "X Corp", "--kind", "pirate_ship"], "admin", 2, "unknown organisation kind"),
    (["org", "add", "X Corp", "--kind", "company", "--country", "U"], "admin", 2, "alpha-3"),
    (["org", "add", "Oak Ridge National Laboratory", "--kind", "national_laboratory"], "admin", 5, "already exists"),
    (["org", "add", "X Corp", "--kind", "company"], "rivera", 3, "may not manage_identity"),
    (["org", "list"], "nobody", 3, "token is missing, unknown, expired or revoked"),
    (
        ["user", "add", "Bad Name", "--name", "B", "--email", "b@x.org", "--org", "Acme Materials Inc."],
        "admin",
        2,
        "not a valid username",
    ),
    (["user", "add", "ok", "--name", "B", "--org", "Acme Materials Inc."], "admin", 2, "Missing option '--email'"),
    (
        ["user", "add", "okk", "--name", "B", "--email", "b@x.org", "--org", "Nowhere Inc."],
        "admin",
        4,
        "no organisation",
    ),
    (
        [
            "user",
            "add",
            "okk",
            "--name",
            "B",
            "--email",
            "b@x.org",
            "--org",
            "Acme Materials Inc.",
            "--foreign-national",
        ],
        "admin",
        2,
        "citizenship",
    ),
    (["user", "list"], "rivera", 3, "read_directory"),
    (["user", "show", "ghost"], "admin", 4, "no user 'ghost'"),
    (["user", "vet", "ghost"], "admin", 4, "no user"),
    (["user", "vet", "rivera"], "admin", 5, "cannot vet a user who is vetted"),
    (["user", "vet", "brit"], "rivera", 3, "officers-vet|no policy permits"),
    (["user", "suspend", "admin"], "admin", 3, "no-self-privilege"),
    (["user", "revoke", "ghost"], "admin", 4, "no user"),
    (["user", "grant", "rivera", "--role", "wizard"], "admin", 2, "choose from"),
    (["user", "grant", "rivera"], "admin", 2, "nothing to grant"),
    (["user", "grant", "rivera", "--clearance", "ultra"], "admin", 2, "choose from"),
    (["user", "ungrant", "rivera", "--agreement", "HANDSHAKE"], "admin", 2, "unknown agreement kind"),
    (["user", "token", "issue", "rivera", "--days", "0"], "admin", 2, "--days"),
    (["user", "token", "issue", "rivera", "--days", "9999"], "admin", 2, "between 1 second and 365 days"),
    (["user", "token", "list", "brit"], "rivera", 3, "read_directory"),
    (["user", "show", "ghost"], "rivera", 3, "read_directory"),
    (["user", "token", "revoke", "0123456789abcdef"], "admin", 4, "no token"),
    (["asset", "register", "x", "--marking", "CUI"], "rivera", 2, "CUI category"),
    (["asset", "register", "x", "--ip", "Proprietery"], "rivera", 2, "IPRestriction|Proprietery"),
    (["asset", "register", "x", "--marking", "SECRET"], "rivera", 3, "clearance-level"),
    (["asset", "register", "x", "--embargo-until", "next tuesday"], "rivera", 2, "isoformat|Invalid isoformat"),
    (["asset", "show", "dat-missing"], "rivera", 4, "no asset"),
    (["asset", "provenance", "dat-missing"], "rivera", 4, "no asset"),
    (["policy", "explain", "--action", "teleport", "--asset", "x"], "admin", 2, "unknown action"),
    (["policy", "explain", "--action", "download", "--asset", "dat-missing"], "admin", 4, "no asset"),
    (["policy", "explain", "--user", "brit", "--action", "download", "--asset", "x"], "rivera", 3, "read_audit"),
    (["audit", "log", "--since", "last week"], "admin", 2, "--since"),
    (["audit", "log", "--limit", "0"], "admin", 2, "--limit"),
    (["audit", "log"], "rivera", 3, "read_audit"),
    (["audit", "verify"], "rivera", 3, "read_audit"),
    (["audit", "checkpoint"], "rivera", 3, "write_audit"),
    (["audit", "prove", "0"], "admin", 2, "greater than or equal to 1"),
    (["audit", "prove", "999999"], "admin", 4, "no checkpoint covers"),
    (["audit", "rotate-key"], "rivera", 3, "write_audit"),
    (["audit", "frobnicate"], "admin", 2, "No such command"),
]


@pytest.mark.parametrize(("argv", "who", "code", "words"), BAD, ids=[" ".join(b[0][:3]) + f" as {b[1]}" for b in BAD])
def test_bad_input_gets_one_line_a_nonzero_exit_and_changes_nothing(cli, home, platform, cast, argv, who, code, words):
    import re

    before = state(platform)
    token = cast.tokens.get(who, "gns_0000000000000000_" + "x" * 43)
    result = cli(*argv, "--home", str(home), "--token", token)
    assert result.code == code, result
    assert result.err.startswith("error: ") and result.err.count("\n") == 1, result.err
    assert "Traceback" not in result.err + result.out
    assert re.search(words, result.err), result.err
    assert state(platform) == before


def test_commands_on_a_missing_platform_say_how_to_create_one(cli, tmp_path):
    result = cli("org", "list", "--home", str(tmp_path / "nowhere"))
    assert result.code == 2 and "genesis init" in result.err


def test_demo_refuses_a_non_empty_home(cli, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    result = cli("demo", "--home", str(tmp_path / "full"))
    assert result.code == 2 and "not empty" in result.err


def test_demo_prints_the_decision_table_and_a_verified_chain(cli, tmp_path):
    result = cli("demo", "--home", str(tmp_path / "demo"))
    assert result.code == 0, result
    assert "Policy decisions" in result.out and "DENY" in result.out and "ALLOW" in result.out
    assert "noforn" in result.out or "export-control-foreign-nationals" in result.out
    assert "audit chain verified:" in result.out
    with Platform.open(Settings(home=tmp_path / "demo")) as p:
        admin = p.authenticate(p.saved_token(), "cli")
        assert p.audit.verify(admin).ok


def test_help_teaches(cli):
    result = cli("user", "grant", "--help")
    assert result.code == 0 and "--training" in result.out and "Example" in result.out
    assert cli().code == 0
    assert cli("--version").out.startswith("genesis-platform ")


def test_serve_on_a_missing_platform_fails_in_one_line(cli, tmp_path):
    result = cli("serve", "--home", str(tmp_path / "nowhere"), "--port", "8499")
    assert result.code == 2 and result.err.count("\n") == 1 and "genesis init" in result.err
