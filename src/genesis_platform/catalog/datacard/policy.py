"""From a data card to the markings the policy engine enforces.

The card's dataset sensitivity (not the card document's, rule A1), its governed-use and AI-usability blocks
become the asset's `Markings`. Unsettled answers are read conservatively: export control `Pending_Review` or
`Unknown` counts as export controlled, PII or PHI `Pending_Review` or `Unknown` counts as present, and an AI
use status the card leaves blank stays unknown (the policy treats it as conditional).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from genesis_platform.catalog.datacard.model import DataCard
from genesis_platform.kernel.assets.markings import (
    ClassificationCategory,
    ClassificationLevel,
    ControlMarkings,
    ExportControlBasis,
    ForeignNationalAccess,
    IPRestriction,
    Markings,
    Sensitivity,
    UseStatus,
)
from genesis_platform.kernel.errors import InvalidInput
from genesis_platform.kernel.identity.model import Agreement, AgreementKind
from genesis_platform.kernel.validation import validation_message

__all__ = ["markings_from_card"]

_UNSETTLED = {"Yes", "Pending_Review", "Unknown"}


def _cui_category(text: str, specified: bool) -> str:
    value = text.strip().upper().replace(" ", "-")
    return value if not specified or value.startswith("SP-") else f"SP-{value}"


def markings_from_card(card: DataCard) -> Markings:
    """The markings a card asks the platform to enforce.

    Raises:
        InvalidInput: the card has no dataset sensitivity, or names a control the platform cannot enforce.
    """
    d = card.discoverability
    block = d.sensitivity if d else None
    if block is None or block.overall_sensitivity is None:
        raise InvalidInput("the card needs discoverability.sensitivity.overall_sensitivity before it can govern access")
    fields: dict[str, Any] = {"sensitivity": Sensitivity(block.overall_sensitivity.value)}
    if block.classified_status == "Yes" or block.classification_level is not None:
        fields["classification"] = (
            ClassificationLevel(block.classification_level.value) if block.classification_level else None
        )
        fields["classification_categories"] = frozenset(
            ClassificationCategory(c.value) for c in block.classification_category or []
        )
    controls = [*(block.classified_control_markings or []), *(block.cui_limited_dissemination_controls or [])]
    try:
        fields["controls"] = ControlMarkings.parse(controls)
    except ValueError as e:
        raise InvalidInput(f"discoverability.sensitivity: {e}") from None
    if block.cui_status == "Yes":
        fields["cui_categories"] = frozenset(
            [_cui_category(c, False) for c in block.cui_basic_categories or []]
            + [_cui_category(c, True) for c in block.cui_specified_categories or []]
        )
    fields["ucni"] = block.ucni_status == "Yes"
    if d and d.workflow and d.workflow.embargo_until:
        fields["embargo_until"] = d.workflow.embargo_until
    ngm = card.governed_use.non_sensitivity_governance_metadata if card.governed_use else None
    if ngm is not None:
        ec = ngm.export_control
        if ec and ec.export_control_status in _UNSETTLED:
            basis = ec.export_control_basis.value if ec.export_control_basis else "Other"
            fields["export_control"] = ExportControlBasis(basis if basis != "not_applicable" else "Other")
        if ec and ec.foreign_national_access_status:
            fields["foreign_national_access"] = ForeignNationalAccess(ec.foreign_national_access_status.value)
        privacy = ngm.privacy
        if privacy:
            fields["pii"] = privacy.pii_status in _UNSETTLED
            fields["phi"] = privacy.phi_status in _UNSETTLED
        rr = ngm.rights_release_records
        if rr:
            if rr.ip_restriction_type:
                fields["ip_restriction"] = IPRestriction(rr.ip_restriction_type.value)
            if rr.agreement_required == "Yes" and rr.agreement_type:
                fields["required_agreements"] = frozenset({Agreement(kind=AgreementKind(rr.agreement_type.value))})
    usage = card.ai_usability.ai_usage if card.ai_usability else None
    if usage is not None:
        for kind in ("training", "inference", "evaluation"):
            status = getattr(usage, f"{kind}_use_status")
            if status is not None:
                fields[f"{kind}_use"] = UseStatus(status.value)
    try:
        return Markings(**fields)
    except ValidationError as e:
        raise InvalidInput(f"the card's markings are inconsistent: {validation_message(e)}") from None
