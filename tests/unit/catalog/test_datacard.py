"""Genesis Mission Data Card v1.2: model, rules, completeness, markings and the file form."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from genesis_platform.catalog.datacard import DataCard, check, completeness, dump_card, load_card, markings_from_card
from genesis_platform.catalog.samples import liang_2021
from genesis_platform.kernel import InvalidInput

SHIPPED = liang_2021()


def full() -> dict[str, Any]:
    card, _ = load_card(SHIPPED[0].card.read_text())
    return card.model_dump(mode="json", exclude_none=True)


def issues(data: dict[str, Any]) -> set[str]:
    return {f"{i.code}:{i.severity}" for i in check(DataCard.model_validate(data))}


@pytest.mark.parametrize("sample", SHIPPED, ids=[s.data.name for s in SHIPPED])
def test_shipped_cards_are_valid_complete_and_public(sample):
    card, body = load_card(sample.card.read_text())
    assert [i for i in check(card) if i.severity != "warning"] == []
    assert completeness(card).score == 1.0
    markings = markings_from_card(card)
    assert markings.banner == "PUBLIC" and markings.training_use.value == "Yes"
    assert "doi:10.1038/s41524-021-00656-9" in body


def test_file_form_round_trips_and_keeps_yes_no_as_strings():
    card, body = load_card(SHIPPED[1].card.read_text())
    text = dump_card(card, body)
    assert "supports_governed_use: 'No'" in text
    again, again_body = load_card(text)
    assert again == card and again_body == body


def test_unquoted_yes_is_a_string_but_a_real_boolean_is_refused():
    card, _ = load_card("supports_discoverability: Yes\nsupports_accessibility: No\n")
    assert card.supports_accessibility == "No"
    with pytest.raises(InvalidInput, match="supports_accessibility"):
        load_card("supports_discoverability: Yes\nsupports_accessibility: true\n")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("- a list\n", "mapping"),
        ("key: [unclosed\n", "not valid YAML"),
        ("supports_discoverability: No\n", "supports_discoverability"),
        ("_repository: {populated_by_repository: true}\n", "_repository"),
        ("discoverability:\n  authors:\n    - type: person\n", "authors"),
    ],
)
def test_malformed_cards_are_refused_with_the_field_named(text, words):
    with pytest.raises(InvalidInput, match=words):
        load_card(text)


def test_an_agent_with_two_sub_blocks_is_refused():
    data = full()
    data["discoverability"]["authors"][0]["organization"] = {"name": "MIT"}
    with pytest.raises(ValueError, match="exactly one"):
        DataCard.model_validate(data)


def _set(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    *parents, leaf = path.split(".")
    node = data
    for key in parents:
        node = node.setdefault(key, {}) if not key.isdigit() else node[int(key)]
    if value is None:
        node.pop(leaf, None)
    else:
        node[leaf] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("discoverability.sensitivity.classified_status", "Yes", "E14:error"),
        ("discoverability.sensitivity.cui_status", "Yes", "E15:error"),
        ("discoverability.sensitivity.cui_basic_categories", ["UCNI"], "A2:error"),
        ("discoverability.workflow.state", "Embargo", "E16:error"),
        ("discoverability.dataset_publisher", None, "E17:error"),
        ("reusability.license", None, "E17:error"),
        ("accessibility.access_policy.access_level", "Controlled", "E18:error"),
        ("reusability.license.spdx_id", "Other", "E20:error"),
        ("reusability.citation.preferred_citation.doi", None, "E21:error"),
        ("reusability.integrity.checksum_value", None, "E22:error"),
        ("ai_usability.ai_usage.training_use_status", "Conditional", "E26:error"),
        ("discoverability.dataset_description.task_category", None, "W1:warning"),
        ("discoverability.datacard.filename", "card.md", "W1:warning"),
        ("discoverability.release_status", "Draft", "W2:warning"),
        ("discoverability.dataset_description.tags.project", "other-project", "W5:warning"),
        ("discoverability.contact.valid_until", "2027-01-01", "W9:warning"),
        ("discoverability.datacard.updated_date", "2020-01-01", "A7:error"),
        ("discoverability.dataset_description.keywords", None, "E2:incomplete"),
        ("reusability.data_quality.known_issues", "  ", "E2:incomplete"),
        ("ai_usability.ai_usage.bias_risks", "${to be written}", "E2:incomplete"),
    ],
)
def test_each_rule_fires_on_the_condition_it_names(path, value, expected):
    data = _set(full(), path, value)
    if expected == "W1:warning" and path.endswith("task_category"):
        data = _set(data, "discoverability.dataset_description.task_subcategory", ["other"])
        expected = "E27:error"
    assert expected in issues(data)
    assert expected not in issues(full())


def test_e19_features_use_one_form():
    data = full()
    data["interoperability"]["data_structure"]["features"].append({"name": "bare"})
    assert "E19:error" in issues(data)


def test_e23_and_e24_and_e25_and_w3_on_governed_use():
    data = _set(full(), "supports_governed_use", "Yes")
    data = _set(data, "reusability.integrity.checksum_available", "No")
    data["governed_use"] = {
        "non_sensitivity_governance_metadata": {
            "export_control": {"export_control_status": "Yes", "foreign_national_access_status": "Allowed"},
            "privacy": {"privacy_status": "No", "pii_status": "No", "phi_status": "No"},
            "rights_release_records": {
                "agreement_required": "Yes",
                "public_release_status": "Pending",
                "record_status": "Unknown",
            },
        }
    }
    data = _set(data, "discoverability.sensitivity.overall_sensitivity", "CUI")
    data = _set(data, "discoverability.sensitivity.cui_status", "Yes")
    data = _set(data, "discoverability.sensitivity.cui_specified_categories", ["EXPT"])
    data = _set(data, "discoverability.sensitivity.cui_limited_dissemination_controls", ["NOFORN"])
    found = issues(data)
    assert {"E23:error", "E24:error", "E25:error", "W3:warning"} <= found


def test_not_applicable_counts_as_complete_and_blank_does_not():
    data = full()
    assert completeness(DataCard.model_validate(data)).score == 1.0
    blank = _set(data, "ai_usability.ai_usage.safety_considerations", None)
    score = completeness(DataCard.model_validate(blank))
    assert score.score < 1.0 and "ai_usability.ai_usage.safety_considerations" in score.required["AIU"].missing
    assert score.required["AIU"].done == score.required["AIU"].total - 1


def test_inactive_capabilities_are_not_scored():
    data = _set(full(), "supports_ai_usability", "No")
    data.pop("ai_usability")
    score = completeness(DataCard.model_validate(data))
    assert "AIU" not in score.active and score.score == 1.0


def test_an_empty_partner_list_is_a_definite_answer():
    data = _set(full(), "accessibility.access_policy.intended_partner_classes", [])
    assert (
        "accessibility.access_policy.intended_partner_classes"
        not in completeness(DataCard.model_validate(data)).optional["ACC"].missing
    )


def _governed(**ngm: Any) -> DataCard:
    data = _set(full(), "supports_governed_use", "Yes")
    base = {
        "export_control": {"export_control_status": "No"},
        "privacy": {"privacy_status": "No", "pii_status": "No", "phi_status": "No"},
        "rights_release_records": {
            "agreement_required": "No",
            "public_release_status": "Approved",
            "record_status": "Unknown",
        },
    }
    base.update(ngm)
    data["governed_use"] = {"non_sensitivity_governance_metadata": base}
    data = _set(data, "discoverability.sensitivity.overall_sensitivity", "CUI")
    data = _set(data, "discoverability.sensitivity.cui_status", "Yes")
    data = _set(data, "discoverability.sensitivity.cui_specified_categories", ["EXPT"])
    data = _set(data, "discoverability.sensitivity.cui_limited_dissemination_controls", ["NOFORN", "FEDCON"])
    return DataCard.model_validate(data)


def test_card_markings_become_policy_markings():
    m = markings_from_card(
        _governed(
            export_control={
                "export_control_status": "Yes",
                "export_control_basis": "EAR",
                "foreign_national_access_status": "Prohibited",
            },
            privacy={"privacy_status": "Pending_Review", "pii_status": "Pending_Review", "phi_status": "No"},
            rights_release_records={
                "agreement_required": "Yes",
                "agreement_type": "CRADA",
                "ip_restriction_type": "Proprietary",
                "public_release_status": "Not_Approved",
                "record_status": "Federal_Record",
            },
        )
    )
    assert m.banner == "CUI//SP-EXPT//NOFORN/FEDCON"
    assert m.export_control.value == "EAR" and m.pii and not m.phi  # unsettled PII is treated as present
    assert {str(a) for a in m.required_agreements} == {"CRADA"} and m.ip_restriction.value == "Proprietary"


def test_unsettled_export_control_is_treated_as_controlled():
    m = markings_from_card(_governed(export_control={"export_control_status": "Unknown"}))
    assert m.export_controlled and m.export_control.value == "Other"


def test_a_control_the_platform_cannot_enforce_is_refused():
    data = _governed().model_dump(mode="json", exclude_none=True)
    data["discoverability"]["sensitivity"]["cui_limited_dissemination_controls"] = ["ORCON"]
    with pytest.raises(InvalidInput, match="not one the platform enforces"):
        markings_from_card(DataCard.model_validate(data))


def test_a_card_without_dataset_sensitivity_cannot_govern():
    with pytest.raises(InvalidInput, match="overall_sensitivity"):
        markings_from_card(DataCard.model_validate({"supports_discoverability": "Yes"}))
