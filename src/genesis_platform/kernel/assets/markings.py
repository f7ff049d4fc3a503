"""Markings: the controls on a governed asset, in the vocabulary of the Genesis Mission Data Card v1.2.

Each field maps to a data card field (see `shared/reference/genesis-datacard-v1.2-fields.md`):
overall sensitivity, classification level and category, control markings and CUI limited dissemination
controls, CUI categories, UCNI, export control and foreign-national access, PII and PHI, IP restriction,
required agreements, embargo and AI use (training, inference, evaluation). The policy engine reads these, not
free text: EO 14363 §3(a)(v) asks for secure access "consistent with ... classification, privacy, intellectual
property, and federal data-access and data-management standards".

A banner such as `CUI//SP-EXPT//NOFORN` or `SECRET//RD//NOFORN` parses into markings and renders back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from genesis_platform.kernel.errors import InvalidInput
from genesis_platform.kernel.identity.model import Agreement
from genesis_platform.kernel.validation import validation_message

__all__ = [
    "ClassificationCategory",
    "ClassificationLevel",
    "ControlMarkings",
    "ExportControlBasis",
    "ForeignNationalAccess",
    "IPRestriction",
    "Markings",
    "Sensitivity",
    "UseStatus",
    "parse_markings",
]


class Sensitivity(StrEnum):
    """`OverallSensitivityEnum` of the data card."""

    PUBLIC = "Public"
    UNCLASSIFIED_UNCONTROLLED = "Unclassified_Uncontrolled"
    CUI = "CUI"
    UCNI = "UCNI"
    CLASSIFIED = "Classified"
    LEGACY_CONTROLLED = "Legacy_Controlled"
    MIXED = "Mixed"
    OTHER_CONTROLLED = "Other_Controlled"


class ClassificationLevel(StrEnum):
    """`ClassificationLevelEnum`, ordered by `rank` (compared with a user's clearance rank)."""

    CONFIDENTIAL = "Confidential"
    SECRET = "Secret"
    TOP_SECRET = "Top_Secret"

    @property
    def rank(self) -> int:
        """1 for Confidential up to 3 for Top Secret."""
        return list(ClassificationLevel).index(self) + 1


class ClassificationCategory(StrEnum):
    """`ClassificationCategoryEnum`: national security information or Atomic Energy Act categories."""

    NSI = "NSI"
    RD = "RD"
    FRD = "FRD"
    TFNI = "TFNI"
    OTHER_CLASSIFIED = "Other_Classified"


class ExportControlBasis(StrEnum):
    """`ExportControlBasisEnum` without `not_applicable` (absence says that)."""

    ITAR = "ITAR"
    EAR = "EAR"
    DOE_NUCLEAR = "DOE_Nuclear_Export_Control"
    OTHER = "Other"


class ForeignNationalAccess(StrEnum):
    """`ForeignNationalAccessStatusEnum`: the net outcome of every constraint for non-US persons."""

    ALLOWED = "Allowed"
    RESTRICTED = "Restricted"
    PROHIBITED = "Prohibited"
    CONDITIONAL = "Conditional"
    UNKNOWN = "Unknown"


class IPRestriction(StrEnum):
    """`IPRestrictionTypeEnum`."""

    PROPRIETARY = "Proprietary"
    LIMITED_RIGHTS = "Limited_Rights"
    RESTRICTED_RIGHTS = "Restricted_Rights"
    GOVERNMENT_PURPOSE_RIGHTS = "Government_Purpose_Rights"
    UNLIMITED_RIGHTS = "Unlimited_Rights"
    THIRD_PARTY_LICENSED = "Third_Party_Licensed"
    NONE = "None"

    @property
    def restricts_use(self) -> bool:
        """Whether data under this restriction leaves its organisation only under an agreement."""
        return self in {
            IPRestriction.PROPRIETARY,
            IPRestriction.LIMITED_RIGHTS,
            IPRestriction.RESTRICTED_RIGHTS,
            IPRestriction.THIRD_PARTY_LICENSED,
        }


class UseStatus(StrEnum):
    """`YesNoConditionalEnum` for training, inference and evaluation use."""

    YES = "Yes"
    NO = "No"
    CONDITIONAL = "Conditional"


_REL_TO = re.compile(r"^REL TO\s+(.+)$")
_DISPLAY_ONLY = re.compile(r"^DISPLAY ONLY\s+(.+)$")
_COUNTRY = re.compile(r"^[A-Z]{3}$")
_SIMPLE_CONTROLS = ("NOFORN", "FEDCON", "NOCON", "DL ONLY", "RELIDO")
SUPPORTED_CONTROLS = ", ".join([*_SIMPLE_CONTROLS, "REL TO <countries>", "DISPLAY ONLY <countries>"])


def _countries(text: str, marking: str) -> frozenset[str]:
    codes = [c.strip().upper() for c in text.split(",") if c.strip()]
    bad = [c for c in codes if not _COUNTRY.match(c)]
    if bad or not codes:
        raise ValueError(f"{marking}: expected ISO alpha-3 country codes such as 'USA, GBR', got {text!r}")
    return frozenset(codes)


class ControlMarkings(BaseModel):
    """Dissemination controls parsed from the card's control markings and CUI limited dissemination controls.

    Attributes:
        noforn: not releasable to foreign nationals.
        rel_to: countries whose nationals may receive it (always read together with USA).
        display_only: countries whose nationals may see but not obtain it.
        fedcon: federal employees and contractors only.
        nocon: no dissemination to contractors.
        dl_only: only to the people and organisations on the asset's dissemination list.
        relido: releasable by an information disclosure official; recorded, it does not widen access.
    """

    model_config = ConfigDict(frozen=True)

    noforn: bool = False
    rel_to: frozenset[str] = frozenset()
    display_only: frozenset[str] = frozenset()
    fedcon: bool = False
    nocon: bool = False
    dl_only: bool = False
    relido: bool = False

    @classmethod
    def parse(cls, markings: list[str] | tuple[str, ...]) -> ControlMarkings:
        """Parse marking strings such as `NOFORN`, `REL TO USA, GBR`, `DL ONLY`.

        Raises:
            ValueError: a marking the platform cannot enforce; refusing it is safer than ignoring it.
        """
        fields: dict[str, Any] = {}
        for raw in markings:
            text = " ".join(raw.strip().upper().split())
            if text in _SIMPLE_CONTROLS:
                fields[text.replace(" ", "_").lower()] = True
            elif m := _REL_TO.match(text):
                fields["rel_to"] = fields.get("rel_to", frozenset()) | _countries(m.group(1), "REL TO")
            elif m := _DISPLAY_ONLY.match(text):
                fields["display_only"] = fields.get("display_only", frozenset()) | _countries(
                    m.group(1), "DISPLAY ONLY"
                )
            else:
                raise ValueError(f"control marking {raw!r} is not one the platform enforces; use {SUPPORTED_CONTROLS}")
        if fields.get("noforn") and fields.get("rel_to", frozenset()) - {"USA"}:
            raise ValueError("NOFORN and REL TO other countries contradict each other; choose one")
        return cls(**fields)

    def strings(self) -> list[str]:
        """Render back to marking strings, in banner order."""
        out: list[str] = []
        if self.noforn:
            out.append("NOFORN")
        if self.rel_to:
            out.append("REL TO " + ", ".join(sorted(self.rel_to | {"USA"}, key=lambda c: (c != "USA", c))))
        if self.display_only:
            out.append("DISPLAY ONLY " + ", ".join(sorted(self.display_only)))
        out += [m for m in ("FEDCON", "NOCON", "DL ONLY", "RELIDO") if getattr(self, m.replace(" ", "_").lower())]
        return out


class Markings(BaseModel):
    """Every control on one governed asset.

    Attributes:
        sensitivity: overall sensitivity of the data.
        classification: classification level, if classified.
        classification_categories: NSI, RD, FRD, TFNI.
        controls: dissemination controls (NOFORN, REL TO, FEDCON, ...).
        dissemination_list: user ids and `org:<id>` entries allowed under DL ONLY.
        cui_categories: CUI categories; specified ones carry the `SP-` prefix (e.g. `SP-EXPT`).
        ucni: Unclassified Controlled Nuclear Information (never a CUI category, card rule A2).
        export_control: export-control basis, if export controlled.
        foreign_national_access: net foreign-national access; defaults to Prohibited when export controlled.
        pii: contains personally identifiable information.
        phi: contains protected health information.
        ip_restriction: intellectual-property restriction.
        required_agreements: agreements a user outside the owning organisation must have signed.
        embargo_until: content is released to outsiders only after this date.
        training_use: may the data train models; None means unknown (treated as conditional).
        inference_use: may it be used for inference.
        evaluation_use: may it be used for evaluation.
    """

    model_config = ConfigDict(frozen=True)

    sensitivity: Sensitivity = Sensitivity.UNCLASSIFIED_UNCONTROLLED
    classification: ClassificationLevel | None = None
    classification_categories: frozenset[ClassificationCategory] = frozenset()
    controls: ControlMarkings = ControlMarkings()
    dissemination_list: frozenset[str] = frozenset()
    cui_categories: frozenset[str] = frozenset()
    ucni: bool = False
    export_control: ExportControlBasis | None = None
    foreign_national_access: ForeignNationalAccess | None = None
    pii: bool = False
    phi: bool = False
    ip_restriction: IPRestriction | None = None
    required_agreements: frozenset[Agreement] = frozenset()
    embargo_until: date | None = None
    training_use: UseStatus | None = None
    inference_use: UseStatus | None = None
    evaluation_use: UseStatus | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Markings:
        # Cross-field rules of the data card (E14, E15, A2) and of the controls themselves.
        if self.classification is not None and self.sensitivity not in {
            Sensitivity.CLASSIFIED,
            Sensitivity.MIXED,
        }:
            raise ValueError("a classification level needs sensitivity Classified (or Mixed)")
        if self.sensitivity is Sensitivity.CLASSIFIED and self.classification is None:
            raise ValueError("sensitivity Classified needs a classification level (card rule E14)")
        if self.classification_categories and self.classification is None:
            raise ValueError("classification categories need a classification level")
        if self.sensitivity is Sensitivity.CUI and not self.cui_categories:
            raise ValueError("sensitivity CUI needs at least one CUI category, e.g. SP-EXPT (card rule E15)")
        if any(c.upper() == "UCNI" for c in self.cui_categories):
            raise ValueError("UCNI is marked with ucni=true, never as a CUI category (card rule A2)")
        if self.controls.dl_only and not self.dissemination_list:
            raise ValueError("DL ONLY needs a dissemination list")
        if self.sensitivity is Sensitivity.PUBLIC and self.restricted:
            raise ValueError("a Public asset cannot carry controls; choose the sensitivity that matches them")
        return self

    @property
    def restricted(self) -> bool:
        """Whether any control beyond the sensitivity itself applies."""
        c = self.controls
        return bool(
            self.classification
            or c.noforn
            or c.rel_to
            or c.display_only
            or c.fedcon
            or c.nocon
            or c.dl_only
            or self.cui_categories
            or self.ucni
            or self.export_control
            or self.pii
            or self.phi
            or (self.ip_restriction and self.ip_restriction.restricts_use)
            or self.required_agreements
        )

    @property
    def export_controlled(self) -> bool:
        """Export controlled by an explicit basis or by the CUI specified category SP-EXPT."""
        return self.export_control is not None or "SP-EXPT" in self.cui_categories

    @property
    def effective_foreign_national_access(self) -> ForeignNationalAccess:
        """Foreign-national access as the policy reads it: Prohibited by default when export controlled."""
        if self.foreign_national_access is not None:
            return self.foreign_national_access
        return ForeignNationalAccess.PROHIBITED if self.export_controlled else ForeignNationalAccess.ALLOWED

    @property
    def banner(self) -> str:
        """The marking as a banner line, e.g. `CUI//SP-EXPT//NOFORN` or `SECRET//RD//NOFORN`."""
        parts: list[str] = []
        if self.classification is not None:
            parts.append(self.classification.value.replace("_", " ").upper())
            cats = sorted(c.value for c in self.classification_categories if c is not ClassificationCategory.NSI)
            if cats:
                parts.append("/".join(cats))
        elif self.sensitivity is Sensitivity.CUI:
            parts.append("CUI")
            parts.append("/".join(sorted(self.cui_categories)))
        elif self.sensitivity is Sensitivity.UNCLASSIFIED_UNCONTROLLED:
            parts.append("UNCLASSIFIED")
        else:
            parts.append(self.sensitivity.value.upper())
        if self.ucni and self.sensitivity is not Sensitivity.UCNI:
            parts.append("UCNI")
        controls = self.controls.strings()
        if controls:
            parts.append("/".join(controls))
        return "//".join(parts)

    def policy_view(self) -> tuple[object, ...]:
        """What the policy reads, normalised: two markings with the same view are decided the same way."""
        ip = self.ip_restriction if self.ip_restriction is not IPRestriction.NONE else None
        return (
            self.sensitivity,
            self.classification,
            frozenset(c for c in self.classification_categories if c is not ClassificationCategory.NSI),
            self.controls.model_copy(update={"relido": False}),
            self.dissemination_list,
            self.cui_categories,
            self.ucni,
            self.export_controlled,
            self.effective_foreign_national_access,
            self.pii,
            self.phi,
            ip,
            self.required_agreements,
            self.embargo_until,
            self.training_use,
            self.inference_use,
            self.evaluation_use,
        )

    def same_policy_as(self, other: Markings) -> bool:
        """Whether the policy decides every request the same way under `other`."""
        return self.policy_view() == other.policy_view()

    @property
    def summary(self) -> str:
        """The banner plus the controls a banner does not show (privacy, IP, agreements, embargo, AI use)."""
        extra: list[str] = []
        if self.export_control:
            extra.append(f"export control {self.export_control.value}")
        if self.pii or self.phi:
            extra.append("/".join(n for n, on in (("PII", self.pii), ("PHI", self.phi)) if on))
        if self.ip_restriction and self.ip_restriction is not IPRestriction.NONE:
            extra.append(self.ip_restriction.value)
        if self.required_agreements:
            extra.append("requires " + ", ".join(sorted(str(a) for a in self.required_agreements)))
        if self.embargo_until:
            extra.append(f"embargo until {self.embargo_until.isoformat()}")
        if self.controls.dl_only:
            extra.append(f"{len(self.dissemination_list)} on dissemination list")
        uses = (("training", self.training_use), ("inference", self.inference_use), ("evaluation", self.evaluation_use))
        limited = [f"{name} {use.value}" for name, use in uses if use is not None and use is not UseStatus.YES]
        if limited:
            extra.append("; ".join(limited))
        return self.banner if not extra else f"{self.banner} ({'; '.join(extra)})"

    @classmethod
    def from_banner(cls, banner: str, **extra: Any) -> Markings:
        """Build markings from a banner line plus any other fields.

        `CUI//SP-EXPT/SP-PRVCY//NOFORN/FEDCON`, `SECRET//RD//NOFORN`, `PUBLIC`, `UNCLASSIFIED`.

        Raises:
            ValueError: the banner cannot be read.
        """
        segments = [s.strip() for s in banner.strip().split("//") if s.strip()]
        if not segments:
            raise ValueError("empty marking banner")
        head = " ".join(segments[0].upper().replace("_", " ").split())
        fields: dict[str, Any] = {}
        controls: list[str] = []
        levels = {level.value.replace("_", " ").upper(): level for level in ClassificationLevel}
        if head in levels:
            fields["sensitivity"] = Sensitivity.CLASSIFIED
            fields["classification"] = levels[head]
            fields["classification_categories"] = {ClassificationCategory.NSI}
        elif head == "CUI":
            fields["sensitivity"] = Sensitivity.CUI
        elif head == "PUBLIC":
            fields["sensitivity"] = Sensitivity.PUBLIC
        elif head == "UNCLASSIFIED":
            fields["sensitivity"] = Sensitivity.UNCLASSIFIED_UNCONTROLLED
        elif head == "UCNI":
            fields["sensitivity"] = Sensitivity.UCNI
            fields["ucni"] = True
        else:
            raise ValueError(
                f"banner must start with PUBLIC, UNCLASSIFIED, CUI, UCNI or a classification, not {head!r}"
            )
        categories: set[str] = set()
        for position, segment in enumerate(segments[1:], start=1):
            for token in segment.split("/"):
                word = " ".join(token.strip().upper().split())
                if not word:
                    continue
                if word in {c.value for c in ClassificationCategory} and "classification" in fields:
                    fields["classification_categories"] = {*fields["classification_categories"], word}
                elif word == "UCNI":
                    fields["ucni"] = True
                elif fields["sensitivity"] is Sensitivity.CUI and position == 1:
                    categories.add(word)  # CUI banners: categories come first, then dissemination controls
                else:
                    controls.append(word)  # ControlMarkings.parse refuses what the platform cannot enforce
        if categories:
            fields["cui_categories"] = frozenset(categories)
        fields["controls"] = ControlMarkings.parse(controls)
        fields.update(extra)
        return cls(**fields)


def parse_markings(
    banner: str = "UNCLASSIFIED",
    *,
    pii: bool = False,
    phi: bool = False,
    ip_restriction: str | None = None,
    required_agreements: Iterable[str] = (),
    export_control: str | None = None,
    foreign_national_access: str | None = None,
    embargo_until: str | date | None = None,
    dissemination_list: Iterable[str] = (),
    training_use: str | None = None,
    inference_use: str | None = None,
    evaluation_use: str | None = None,
) -> Markings:
    """Build markings from the plain values a front door receives (a banner plus optional fields).

    Raises:
        InvalidInput: a value is outside its vocabulary or the combination breaks a card rule.
    """
    extra: dict[str, Any] = {"pii": pii, "phi": phi}
    try:
        if ip_restriction:
            extra["ip_restriction"] = IPRestriction(ip_restriction)
        agreements = frozenset(Agreement.parse(a) for a in required_agreements)
        if agreements:
            extra["required_agreements"] = agreements
        if export_control:
            extra["export_control"] = ExportControlBasis(export_control)
        if foreign_national_access:
            extra["foreign_national_access"] = ForeignNationalAccess(foreign_national_access)
        if embargo_until:
            extra["embargo_until"] = (
                embargo_until if isinstance(embargo_until, date) else date.fromisoformat(embargo_until)
            )
        entries = frozenset(dissemination_list)
        if entries:
            extra["dissemination_list"] = entries
        for name, value in (
            ("training_use", training_use),
            ("inference_use", inference_use),
            ("evaluation_use", evaluation_use),
        ):
            if value:
                extra[name] = UseStatus(value)
        return Markings.from_banner(banner, **extra)
    except ValidationError as e:
        raise InvalidInput(validation_message(e)) from None
    except ValueError as e:
        raise InvalidInput(str(e)) from None
