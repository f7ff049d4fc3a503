"""Search decides `discover` once per discovery profile. This holds only if the decision never depends on the
attributes the profile leaves out (owner, organisation, project, kind); these tests check that claim against
the shipped policies for every marking and every kind of person. If a policy change makes discovery depend on
them, these fail, and the profile must grow."""

from __future__ import annotations

import itertools

import pytest

from genesis_platform.kernel.assets.model import GovernedAsset
from genesis_platform.kernel.identity.model import Clearance, Role, Training, VettingStatus
from genesis_platform.kernel.policy.entities import discovery_key
from genesis_platform.kernel.policy.model import Action
from tests.unit.kernel.test_policy_markings import CASES, ENGINE, NOW, ORGS, person

PEOPLE = [
    person("us-lab"),
    person("us-agency", "agency"),
    person("us-company", "company", projects=()),
    person("us-untrained", trainings=frozenset()),
    person("brit", "uk", us=False, cits=("GBR",)),
    person("german", "de", us=False, cits=("DEU",)),
    person("cleared", clearance=Clearance.TOP_SECRET, compartments=("RD", "FRD")),
    person("officer", roles=(Role.SECURITY_OFFICER,)),
    person("steward", "company", roles=(Role.DATA_STEWARD,), trainings=frozenset({Training.CUI})),
    person("pending", vetting=VettingStatus.PENDING),
    person("listed"),
]
VARIANTS = [
    {"owner_id": "u-owner", "organisation_id": ORGS["lab"].id, "project": "p1", "kind": "dataset"},
    {"owner_id": "u-someone", "organisation_id": ORGS["company"].id, "project": None, "kind": "model"},
    {"owner_id": "u-listed", "organisation_id": ORGS["uk"].id, "project": "p9", "kind": "campaign"},
]


@pytest.mark.parametrize("case", CASES, ids=[c.marking for c in CASES])
def test_discover_depends_only_on_the_discovery_profile(case):
    assets = [
        GovernedAsset(id=f"a-{i}", name="n", markings=case.markings, created_at=NOW, updated_at=NOW, **variant)
        for i, variant in enumerate(VARIANTS)
    ]
    keys = {discovery_key(a) for a in assets}
    # Only DL ONLY puts the owner (the originator) in the profile; everything else shares one key.
    assert len(keys) == (len(VARIANTS) if case.markings.controls.dl_only else 1)
    for who in PEOPLE:
        by_key: dict[str, set[bool]] = {}
        for a in assets:
            by_key.setdefault(discovery_key(a), set()).add(ENGINE.decide(who, Action.DISCOVER, a, NOW).allowed)
        assert all(len(outcomes) == 1 for outcomes in by_key.values()), (case.marking, who.user.username)


def test_different_markings_give_different_keys():
    keys = {
        discovery_key(
            GovernedAsset(id="a", name="n", markings=c.markings, created_at=NOW, updated_at=NOW, **VARIANTS[0])
        )
        for c in CASES
    }
    distinct_markings = {c.markings.model_dump_json() for c in CASES}
    assert len(keys) == len(distinct_markings)


def test_a_grant_to_discover_cannot_widen_discovery():
    """Grants are asset-specific; they must not change discover either, or search could not group by profile."""
    from datetime import timedelta

    from genesis_platform.kernel.identity.model import Grant

    for case, who in itertools.product(CASES, PEOPLE):
        target = GovernedAsset(
            id="a-g", name="n", markings=case.markings, created_at=NOW, updated_at=NOW, **VARIANTS[0]
        )
        granted = who.model_copy(
            update={"grants": frozenset({Grant(asset_id="a-g", action="discover", expires_at=NOW + timedelta(days=1))})}
        )
        assert (
            ENGINE.decide(who, Action.DISCOVER, target, NOW).allowed
            == ENGINE.decide(granted, Action.DISCOVER, target, NOW).allowed
        )
