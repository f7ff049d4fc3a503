import json

import pytest

from genesis_platform.kernel import AccessDenied, InvalidInput, NotFound
from genesis_platform.kernel.assets.markings import parse_markings
from genesis_platform.kernel.audit.log import AuditQuery
from genesis_platform.kernel.policy.model import Action
from genesis_platform.kernel.provenance.model import Relation


def test_hidden_asset_is_not_found_and_the_denial_is_recorded(platform, cast):
    secret = platform.assets.register(
        cast["rivera"], kind="dataset", name="n", markings=parse_markings("CUI//SP-EXPT//NOFORN")
    )
    with pytest.raises(NotFound):
        platform.assets.get(cast["brit"], secret.id)
    denials = platform.audit.records(
        cast.admin, AuditQuery(actor="brit", outcome="deny", resource=f'Asset::"{secret.id}"')
    )
    assert {r.event.action for r in denials} == {"read_metadata", "discover"}
    assert "noforn" in denials[0].event.details["policies"]


def test_visible_but_forbidden_content_is_access_denied(platform, cast):
    pii = platform.assets.register(
        cast["rivera"], kind="dataset", name="people", project="p1", markings=parse_markings("UNCLASSIFIED", pii=True)
    )
    assert platform.assets.get(cast["untrained"], pii.id).id == pii.id
    with pytest.raises(AccessDenied, match="pii-training"), platform.uow() as uow:
        platform.assets.require(uow, cast["untrained"], Action.DOWNLOAD, pii.id)


def test_list_returns_only_discoverable_assets_and_records_each_decision(platform, cast):
    public = platform.assets.register(cast["rivera"], kind="dataset", name="pub", markings=parse_markings("PUBLIC"))
    noforn = platform.assets.register(
        cast["rivera"], kind="dataset", name="nf", markings=parse_markings("CUI//SP-PRVCY//NOFORN")
    )
    seen = {a.id for a in platform.assets.list(cast["brit"])}
    assert public.id in seen and noforn.id not in seen
    records = platform.audit.records(cast.admin, AuditQuery(actor="brit", action="discover"))
    outcomes = {r.event.resource: r.event.outcome for r in records}
    assert outcomes[f'Asset::"{public.id}"'] == "allow" and outcomes[f'Asset::"{noforn.id}"'] == "deny"


def test_users_register_only_under_markings_they_are_cleared_for(platform, cast):
    with pytest.raises(AccessDenied, match="clearance-level"):
        platform.assets.register(cast["rivera"], kind="dataset", name="s", markings=parse_markings("SECRET"))
    made = platform.assets.register(cast["secret"], kind="dataset", name="s", markings=parse_markings("SECRET"))
    assert made.markings.banner == "SECRET"
    with pytest.raises(InvalidInput):
        platform.assets.register(cast["rivera"], kind="Not A Kind", name="x")
    with pytest.raises(InvalidInput, match="already exists"):
        platform.assets.register(cast["rivera"], kind="dataset", name="dup", asset_id=made.id)


def test_owner_cannot_re_mark_but_officer_and_steward_can(platform, cast):
    asset = platform.assets.register(
        cast["rivera"], kind="dataset", name="d", project="p1", markings=parse_markings("CUI//SP-PRVCY")
    )
    public = parse_markings("PUBLIC")
    with pytest.raises(AccessDenied, match="owner-does-not-re-mark"):
        platform.assets.mark(cast["rivera"], asset.id, public, "release")
    with pytest.raises(InvalidInput, match="why"):
        platform.assets.mark(cast["officer"], asset.id, public, " ")
    changed = platform.assets.mark(cast["steward"], asset.id, public, "approved for public release")
    assert changed.markings.banner == "PUBLIC" and changed.version == asset.version + 1
    assert platform.assets.get(cast["german"], asset.id).markings.banner == "PUBLIC"
    record = platform.audit.records(cast.admin, AuditQuery(action="asset.mark"))[-1]
    assert record.event.details == {"from": "CUI//SP-PRVCY", "to": "PUBLIC", "reason": "approved for public release"}


def test_explain_names_the_forbidding_policy_and_is_recorded_as_hypothetical(platform, cast):
    asset = platform.assets.register(
        cast["rivera"], kind="dataset", name="nf", project="p1", markings=parse_markings("CUI//SP-EXPT//NOFORN")
    )
    explanation = platform.policy.explain(cast["officer"], "brit", "download", asset.id)
    assert not explanation.decision.allowed
    assert {p.id for p in explanation.deciding} == {"noforn", "export-control-foreign-nationals"}
    assert explanation.user_facts["US person"] == "no" and explanation.asset_facts["marking"] == "CUI//SP-EXPT//NOFORN"
    record = platform.audit.records(cast.admin, AuditQuery(actor="brit", action="download"))[-1]
    assert record.event.details["hypothetical"] is True
    with pytest.raises(AccessDenied):
        platform.policy.explain(cast["rivera"], "brit", "download", asset.id)
    with pytest.raises(NotFound):
        platform.policy.explain(cast["brit"], None, "download", asset.id)
    with pytest.raises(InvalidInput, match="unknown action"):
        platform.policy.explain(cast["officer"], "brit", "teleport", asset.id)


def test_provenance_export_leaves_out_assets_the_caller_may_not_discover(platform, cast):
    source = platform.assets.register(
        cast["rivera"], kind="dataset", name="raw", project="p1", markings=parse_markings("CUI//SP-PRVCY//NOFORN")
    )
    derived = platform.assets.register(
        cast["rivera"], kind="dataset", name="derived", markings=parse_markings("PUBLIC")
    )
    with platform.uow() as uow:
        platform.recorder.relate(
            uow, Relation.WAS_DERIVED_FROM, f"genesis:asset/{derived.id}", f"genesis:asset/{source.id}"
        )
    full = json.loads(platform.provenance.export(cast["rivera"], derived.id))
    assert f"genesis:asset/{source.id}" in full["entity"] and "wasDerivedFrom" in full
    hidden = json.loads(platform.provenance.export(cast["brit"], derived.id))
    assert f"genesis:asset/{source.id}" not in hidden["entity"] and "wasDerivedFrom" not in hidden
    assert source.id not in json.dumps(hidden)
    from prov.model import ProvDocument

    assert ProvDocument.deserialize(content=json.dumps(full), format="json").get_records()
