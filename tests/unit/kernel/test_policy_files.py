import cedarpy
import pytest

from genesis_platform.kernel.policy.engine import PolicyEngine, default_policy_texts
from genesis_platform.kernel.policy.model import Action


def test_policies_validate_against_the_schema():
    policies, schema = default_policy_texts()
    result = cedarpy.validate_policies(policies, cedarpy.Schema.from_str(schema))
    assert result.validation_passed, result.errors


def test_every_policy_has_an_id_and_a_reason():
    engine = PolicyEngine.default()
    assert len(engine.policies) >= 40
    assert all(p.reason.endswith((".", ")")) for p in engine.policies.values())


def test_python_action_groups_match_the_schema():
    _, schema = default_policy_texts()
    entities = cedarpy.Entities.from_json_str("[]", cedarpy.Schema.from_str(schema))
    import json

    groups = {e["uid"]["id"]: {p["id"] for p in e["parents"]} for e in json.loads(str(entities))}
    for action in Action:
        assert groups[action.value] == set(action.groups), action


def test_a_policy_without_a_reason_is_refused():
    policies, schema = default_policy_texts()
    with pytest.raises(ValueError, match="@id and @reason"):
        PolicyEngine(policies + '\n@id("x")\npermit (principal, action, resource is Asset);', schema)


def test_a_policy_that_does_not_validate_is_refused():
    policies, schema = default_policy_texts()
    bad = '\n@id("x")\n@reason("r.")\npermit (principal, action, resource is Asset) when { resource.colour == "red" };'
    with pytest.raises(ValueError, match="do not validate"):
        PolicyEngine(policies + bad, schema)
