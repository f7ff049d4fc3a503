"""Validation rules of the data card that a schema alone cannot say (field guide §7).

`check` returns issues, never raises: **errors** (E rules) block attaching the card; **warnings** (W rules)
are shown; required fields still blank are **incomplete** (they lower the completeness score and block only
publication, `release_status` Approved or Published).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from genesis_platform.catalog.datacard.completeness import CAPABILITIES, completeness, is_blank
from genesis_platform.catalog.datacard.model import AgentClass, DataCard, SensitivityBlock

__all__ = ["Issue", "check", "slug_filename"]


@dataclass(frozen=True)
class Issue:
    """One finding about a card.

    Attributes:
        code: the rule (`E14`, `W3`, ...; `G*` are Genesis rules: markings the platform must be able to enforce).
        severity: `error`, `warning` or `incomplete`.
        path: where in the card.
        message: what is wrong and how to mend it.
    """

    code: str
    severity: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.code} {self.severity} at {self.path}: {self.message}"


def slug_filename(name: str) -> str:
    """The card filename rule W1 expects for a dataset name."""
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    return f"genesis_datacard_{slug}.md"


def _sensitivity(block: SensitivityBlock | None, path: str, out: list[Issue]) -> None:
    if block is None:
        return
    if block.classified_status == "Yes":
        if block.classification_level is None:
            out.append(
                Issue("E14", "error", f"{path}.classification_level", "classified data needs a classification level")
            )
        if not block.classification_category:
            out.append(
                Issue(
                    "E14", "error", f"{path}.classification_category", "classified data needs a category (NSI, RD, ...)"
                )
            )
    if block.cui_status == "Yes" and not (block.cui_basic_categories or block.cui_specified_categories):
        out.append(Issue("E15", "error", path, "CUI needs at least one basic or specified CUI category"))
    for category in (block.cui_basic_categories or []) + (block.cui_specified_categories or []):
        if category.strip().upper() == "UCNI":
            out.append(Issue("A2", "error", path, "UCNI is recorded with ucni_status, never as a CUI category"))


def _agents(agents: list[AgentClass] | None, allowed: set[str], path: str, out: list[Issue]) -> None:
    for i, agent in enumerate(agents or []):
        if agent.kind not in allowed:
            out.append(
                Issue(
                    "E6",
                    "error",
                    f"{path}[{i}]",
                    f"{agent.kind} is not allowed here; use {' or '.join(sorted(allowed))}",
                )
            )


def check(card: DataCard) -> list[Issue]:
    """Every issue with a card: errors, warnings and incomplete required fields."""
    out: list[Issue] = []
    for flag in (
        "supports_accessibility",
        "supports_interoperability",
        "supports_reusability",
        "supports_governed_use",
        "supports_ai_usability",
    ):
        if getattr(card, flag) is None:
            out.append(Issue("E1", "error", flag, 'each capability flag is "Yes" or "No"'))
    if card.supports_discoverability is None:
        out.append(Issue("E1", "error", "supports_discoverability", 'supports_discoverability must be "Yes"'))
    d = card.discoverability
    if d is not None:
        if d.datacard is not None:
            _sensitivity(d.datacard.sensitivity, "discoverability.datacard.sensitivity", out)
            _agents(
                [c.creator for c in d.datacard.created_by or [] if c.creator],
                {"person", "organization", "ai_model", "software"},
                "discoverability.datacard.created_by",
                out,
            )
            dates = [c.contribution_date for c in d.datacard.created_by or [] if c.contribution_date]
            if dates != sorted(dates):
                out.append(
                    Issue(
                        "W11", "warning", "discoverability.datacard.created_by", "contributions should be in date order"
                    )
                )
            log = d.datacard.change_log or []
            if log and d.datacard.datacard_version and log[-1].data_card_version != d.datacard.datacard_version:
                out.append(
                    Issue(
                        "W4",
                        "warning",
                        "discoverability.datacard.change_log",
                        "the newest change_log entry should carry the current datacard_version",
                    )
                )
            if (
                d.datacard.created_date
                and d.datacard.updated_date
                and d.datacard.updated_date < d.datacard.created_date
            ):
                out.append(
                    Issue("A7", "error", "discoverability.datacard.updated_date", "updated_date is before created_date")
                )
            if d.identification and d.identification.name and d.datacard.filename:
                expected = slug_filename(d.identification.name)
                if d.datacard.filename not in {
                    expected,
                    expected.replace("genesis_datacard_", "genesis_datacard_other_"),
                }:
                    out.append(Issue("W1", "warning", "discoverability.datacard.filename", f"expected {expected}"))
        _sensitivity(d.sensitivity, "discoverability.sensitivity", out)
        _agents(d.authors, {"person", "organization"}, "discoverability.authors", out)
        _agents(d.contributors, {"person", "organization"}, "discoverability.contributors", out)
        if d.workflow and d.workflow.state == "Embargo" and d.workflow.embargo_until is None:
            out.append(
                Issue(
                    "E16", "error", "discoverability.workflow.embargo_until", "an embargoed dataset needs embargo_until"
                )
            )
        if d.release_status in ("Approved", "Published"):
            if d.dataset_publisher is None:
                out.append(
                    Issue(
                        "E17",
                        "error",
                        "discoverability.dataset_publisher",
                        "an approved or published dataset needs a publisher",
                    )
                )
            if card.active("REU") and card.reusability is not None:
                for part in ("license", "citation"):
                    if getattr(card.reusability, part) is None:
                        out.append(
                            Issue(
                                "E17",
                                "error",
                                f"reusability.{part}",
                                f"an approved or published dataset needs reusability.{part}",
                            )
                        )
        if d.release_status == "Deprecated" and (d.identification is None or d.identification.superseded_by is None):
            out.append(
                Issue(
                    "W12",
                    "warning",
                    "discoverability.identification.superseded_by",
                    "a deprecated dataset should name what supersedes it",
                )
            )
        expected_release = {
            "Raw": {"Draft"},
            "Processing": {"Draft"},
            "QA": {"Draft"},
            "Analysis": {"Draft"},
            "Review": {"Under_Review"},
            "Embargo": {"Approved", "Published"},
            "Published": {"Approved", "Published"},
            "Archived": {"Deprecated", "Published"},
        }
        if (
            d.workflow
            and d.workflow.state in expected_release
            and d.release_status
            and d.release_status not in expected_release[d.workflow.state]
        ):
            out.append(
                Issue(
                    "W2",
                    "warning",
                    "discoverability.workflow.state",
                    f"state {d.workflow.state} usually goes with release_status "
                    + " or ".join(sorted(expected_release[d.workflow.state])),
                )
            )
        desc = d.dataset_description
        if desc and desc.task_subcategory and not desc.task_category:
            out.append(
                Issue(
                    "E27",
                    "error",
                    "discoverability.dataset_description.task_category",
                    "a task subcategory needs a task category",
                )
            )
        if (
            desc
            and desc.tags
            and d.identification
            and desc.tags.project
            and d.identification.project
            and desc.tags.project != d.identification.project
        ):
            out.append(
                Issue(
                    "W5",
                    "warning",
                    "discoverability.dataset_description.tags.project",
                    "should match identification.project",
                )
            )
        if d.contact and d.contact.valid_until and not d.contact.succession_note:
            out.append(
                Issue(
                    "W9",
                    "warning",
                    "discoverability.contact.succession_note",
                    "say who takes over when the contact expires",
                )
            )
    a = card.accessibility
    if a is not None:
        policy = a.access_policy
        if policy and policy.access_level and policy.access_level != "Open" and not policy.authorization_required:
            out.append(
                Issue(
                    "E18",
                    "error",
                    "accessibility.access_policy.authorization_required",
                    "restricted or controlled access needs at least one authorization",
                )
            )
        repos = a.access.intended_repositories if a.access else None
        if repos and sum(r.is_primary == "Yes" for r in repos) > 1:
            out.append(
                Issue(
                    "W7", "warning", "accessibility.access.intended_repositories", "at most one repository is primary"
                )
            )
    i = card.interoperability
    if i is not None and i.data_structure and i.data_structure.features:
        forms = {f.structured for f in i.data_structure.features}
        if len(forms) > 1:
            out.append(
                Issue(
                    "E19",
                    "error",
                    "interoperability.data_structure.features",
                    "use one form for every feature: names only, or structured",
                )
            )
    r = card.reusability
    if r is not None:
        for where, lic in [("reusability.license", r.license)] + [
            (f"reusability.additional_licenses[{n}]", x) for n, x in enumerate(r.additional_licenses or [])
        ]:
            if lic is not None and (lic.spdx_id or "").lower() == "other" and is_blank(lic.name):
                out.append(Issue("E20", "error", f"{where}.name", "a non-SPDX licence needs its name"))
        cite = r.citation.preferred_citation if r.citation else None
        if cite is not None:
            if is_blank(cite.publisher) and is_blank(cite.howpublished):
                out.append(
                    Issue("E21", "error", "reusability.citation.preferred_citation", "give a publisher or howpublished")
                )
            if is_blank(cite.doi) and is_blank(cite.url):
                out.append(Issue("E21", "error", "reusability.citation.preferred_citation", "give a doi or a url"))
        integ = r.integrity
        if (
            integ is not None
            and integ.checksum_available == "Yes"
            and (is_blank(integ.checksum_type) or is_blank(integ.checksum_value))
        ):
            out.append(
                Issue("E22", "error", "reusability.integrity", "a checksum needs checksum_type and checksum_value")
            )
        if integ is not None and integ.checksum_available == "No" and (integ.checksum_type or integ.checksum_value):
            out.append(
                Issue("E23", "error", "reusability.integrity", "no checksum means no checksum_type or checksum_value")
            )
    g = card.governed_use
    ngm = g.non_sensitivity_governance_metadata if g else None
    if ngm is not None:
        ec = ngm.export_control
        if ec and ec.export_control_status == "Yes" and ec.export_control_basis is None:
            out.append(
                Issue(
                    "E24",
                    "error",
                    "governed_use...export_control.export_control_basis",
                    "export-controlled data needs its basis",
                )
            )
        rr = ngm.rights_release_records
        if rr and rr.agreement_required == "Yes" and rr.agreement_type is None:
            out.append(
                Issue(
                    "E25",
                    "error",
                    "governed_use...rights_release_records.agreement_type",
                    "say which agreement is required",
                )
            )
        controls = (
            " ".join(
                (d.sensitivity.cui_limited_dissemination_controls or [])
                + (d.sensitivity.classified_control_markings or [])
            )
            if d and d.sensitivity
            else ""
        )
        if ec and ec.foreign_national_access_status == "Allowed" and re.search(r"NOFORN|REL TO|DISPLAY ONLY", controls):
            out.append(
                Issue(
                    "W3",
                    "warning",
                    "governed_use...export_control.foreign_national_access_status",
                    "NOFORN/REL TO/DISPLAY ONLY markings contradict Allowed foreign-national access",
                )
            )
    usage = card.ai_usability.ai_usage if card.ai_usability else None
    if usage is not None:
        for kind in ("training", "inference", "evaluation"):
            if getattr(usage, f"{kind}_use_status") == "Conditional" and is_blank(
                getattr(usage, f"{kind}_use_conditions")
            ):
                out.append(
                    Issue(
                        "E26",
                        "error",
                        f"ai_usability.ai_usage.{kind}_use_conditions",
                        f"conditional {kind} use needs its conditions",
                    )
                )
    score = completeness(card)
    for code in score.active:
        for path in score.required[code].missing:
            out.append(
                Issue(
                    "E2",
                    "incomplete",
                    path,
                    f"required by {CAPABILITIES[code]} and still blank (use not_applicable when it does not apply)",
                )
            )
    return out
