"""Every marking by every path: what the policy hides stays hidden through the service, the CLI and the API,
in show, list and provenance; the user it allows sees it on every path; every denial is in the audit log."""

from __future__ import annotations

import json

import pytest

from genesis_platform.kernel import NotFound
from genesis_platform.kernel.assets.markings import parse_markings
from genesis_platform.kernel.audit.log import AuditQuery
from tests.e2e.conftest import auth

# marking, markings arguments, a user it hides the asset from, a user it shows it to
MARKINGS = [
    ("NOFORN", ("CUI//SP-PRVCY//NOFORN", {}), "brit", "rivera"),
    ("REL TO", ("CUI//SP-PRVCY//REL TO USA, GBR", {}), "german", "brit"),
    ("DISPLAY ONLY", ("CUI//SP-PRVCY//DISPLAY ONLY GBR", {}), "german", "brit"),
    ("CUI", ("CUI//SP-PRVCY", {}), "untrained", "student"),
    ("Classified", ("SECRET", {}), "rivera", "cleared"),
    ("RD", ("TOP SECRET//RD", {}), "secret", "cleared"),
    ("FEDCON", ("CUI//SP-PRVCY//FEDCON", {}), "partner", "fed"),
    ("NOCON", ("CUI//SP-PRVCY//NOCON", {}), "rivera", "fed"),
    ("DL ONLY", ("CUI//SP-PRVCY//DL ONLY", {"dissemination_list": ["@rivera"]}), "colleague", "student"),
    ("UCNI", ("UCNI", {}), "brit", "rivera"),
    ("export control", ("UNCLASSIFIED", {"export_control": "ITAR"}), "german", "rivera"),
]


def _register(platform, cast, owner, banner, extra):
    if "dissemination_list" in extra:
        extra = {"dissemination_list": [cast[u[1:]].user.id for u in extra["dissemination_list"]]}
    markings = parse_markings(banner, **extra)
    return platform.assets.register(cast[owner], kind="dataset", name="matrix", project="p1", markings=markings)


@pytest.mark.parametrize(("marking", "spec", "hidden_from", "shown_to"), MARKINGS, ids=[m[0] for m in MARKINGS])
def test_marking_hides_the_asset_on_every_path(platform, cast, api, cli, home, marking, spec, hidden_from, shown_to):
    asset = _register(platform, cast, shown_to, *spec)
    denied, allowed = cast[hidden_from], cast[shown_to]

    # service
    with pytest.raises(NotFound):
        platform.assets.get(denied, asset.id)
    assert asset.id not in {a.id for a in platform.assets.list(denied)}
    assert platform.assets.get(allowed, asset.id).id == asset.id
    assert asset.id in {a.id for a in platform.assets.list(allowed)}

    # REST API: show, list, provenance
    d, a = auth(cast.tokens[hidden_from]), auth(cast.tokens[shown_to])
    assert api.get(f"/assets/{asset.id}", headers=d).status_code == 404
    assert asset.id not in {x["id"] for x in api.get("/assets", headers=d).json()}
    assert api.get(f"/assets/{asset.id}/provenance", headers=d).status_code == 404
    assert api.get(f"/assets/{asset.id}", headers=a).status_code == 200
    assert asset.id in {x["id"] for x in api.get("/assets", headers=a).json()}

    # CLI: show, list, provenance
    h = ["--home", str(home)]
    assert cli("asset", "show", asset.id, "--token", cast.tokens[hidden_from], *h).code == 4
    listed = cli("asset", "list", "--json", "--token", cast.tokens[hidden_from], *h)
    assert asset.id not in {x["id"] for x in json.loads(listed.out)}
    assert cli("asset", "provenance", asset.id, "--token", cast.tokens[hidden_from], *h).code == 4
    assert cli("asset", "show", asset.id, "--token", cast.tokens[shown_to], *h).code == 0

    # every denial on every path is in the audit log, by channel
    denials = platform.audit.records(
        cast.admin, AuditQuery(actor=hidden_from, resource=f'Asset::"{asset.id}"', outcome="deny", limit=1000)
    )
    assert {r.event.channel for r in denials} == {"internal", "api", "cli"}
    assert all(r.event.details["policies"] for r in denials)  # denied by a marking, not by default
