"""The Genesis Mission Data Card v1.2 as pydantic models.

Every field records its annotation from the field guide in `json_schema_extra`: the capability that makes it
expected (`DIS`, `ACC`, `INT`, `REU`, `GOV`, `AIU`, or `None` for fields expected whenever their parent is
present) and whether it is required (`!`) or if-applicable (`?`). `rules.py` and `completeness.py` read those
annotations, so the field tree is written once. `None` means blank ("not yet known"); the literal
`not_applicable` means "does not apply"; an empty list is a definite "none". Unknown keys are refused, which
is how an agent's `type` key (E6) and the system-owned `_repository` block (E12) are rejected.

Source: `shared/reference/genesis-datacard-v1.2-fields.md` §2 to §3.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from genesis_platform.catalog.datacard.vocab import (
    AccessLevel,
    AgreementType,
    AuthenticationType,
    AuthorizationRequired,
    ClassificationCategory,
    ClassificationLevel,
    CreditRole,
    DatacardCreationMethod,
    DatasetType,
    ExportControlBasis,
    ExtendedRelationship,
    ForeignNationalAccessStatus,
    FundingSource,
    IdentifierType,
    IntendedPartnerClass,
    IPRestrictionType,
    NormalizedControlBasis,
    ObjectType,
    OverallSensitivity,
    PrivacyControlBasis,
    ProductType,
    PublicReleaseStatus,
    RecordStatus,
    RelationshipType,
    ReleaseStatus,
    ScienceDomain,
    SourceMarkingScheme,
    StewardshipLevel,
    UKMDAStatus,
    UpdateFrequency,
    WorkflowState,
    YesNo,
    YesNoConditional,
    YesNoPendingUnknown,
    YesNoUnknownNotApplicable,
)

__all__ = [
    "NOT_APPLICABLE",
    "Accessibility",
    "AgentClass",
    "AiUsability",
    "ContactClass",
    "DataCard",
    "Discoverability",
    "GovernedUse",
    "Identifier",
    "Interoperability",
    "Reusability",
    "SensitivityBlock",
    "without_blanks",
]

NOT_APPLICABLE = "not_applicable"

_ORCID = re.compile(r"^https://orcid\.org/\d{4}-\d{4}-\d{4}-\d{3}[\dXx]$")
_ROR = re.compile(r"^https://ror\.org/[0-9a-z]{9}$")
_AGENT_VERSION = re.compile(r"^\d+\.\d+(\.\d+)?$")
_SEMVER = re.compile(r"^\d+\.\d+(\.\d+)?$")


def _orcid(value: str | None) -> str | None:
    if value is not None and not _ORCID.match(value):
        raise ValueError("an ORCID is a full URL: https://orcid.org/0000-0000-0000-0000 (rule E13)")
    return value


def _ror(value: str | None) -> str | None:
    if value is not None and not _ROR.match(value):
        raise ValueError("a ROR id is a full URL: https://ror.org/ followed by 9 characters (rule E13)")
    return value


Orcid = Annotated[str | None, AfterValidator(_orcid)]
Ror = Annotated[str | None, AfterValidator(_ror)]
DateOrNA = date | Literal["not_applicable"]


def without_blanks(value: Any) -> Any:
    """Drop mapping keys whose value is None, recursively (builders write None for "not known")."""
    if isinstance(value, dict):
        return {k: without_blanks(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_blanks(v) for v in value]
    return value


def R(cap: str | None = None, **kw: Any) -> Any:
    """A required (`!`) field of capability `cap` (None: required once its parent is present)."""
    return Field(default=None, json_schema_extra={"cap": cap, "req": True}, **kw)


def O(cap: str | None = None, **kw: Any) -> Any:  # noqa: E743
    """An if-applicable (`?`) field of capability `cap`."""
    return Field(default=None, json_schema_extra={"cap": cap, "req": False}, **kw)


class CardModel(BaseModel):
    """Base of every card block: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


# ── §2 shared structures ──


class Identifier(CardModel):
    """`Identifier`: a typed identifier; `value` may be blank when `type` is `unregistered`."""

    type: IdentifierType = R()
    value: str | None = O()


class Affiliation(CardModel):
    """An organisation reference."""

    name: str | None = R()
    ror_id: Ror = O()


class Person(CardModel):
    """The `person` sub-block of an agent."""

    given_name: str | None = R()
    family_name: str | None = R()
    orcid: Orcid = O()
    email: str | None = O()
    affiliation: Affiliation | None = O()
    role: list[CreditRole] | None = O()


class OrganizationAgent(CardModel):
    """The `organization` sub-block of an agent."""

    name: str | None = R()
    ror_id: Ror = O()
    role: list[CreditRole] | None = O()


class AiModelAgent(CardModel):
    """The `ai_model` sub-block of an agent (rule E8)."""

    name: str | None = R()
    version: str | None = O()
    accessed_date: date | None = R()
    identifier: Identifier | None = R()
    role: list[CreditRole] | None = O()
    relationship: ExtendedRelationship | None = R()

    @model_validator(mode="after")
    def _version(self) -> AiModelAgent:
        if self.version is not None and not _AGENT_VERSION.match(self.version):
            raise ValueError("an ai_model version is numeric, like 4.5 or 1.2.3 (rule E8)")
        return self


class SoftwareAgent(CardModel):
    """The `software` sub-block of an agent (rule E8)."""

    name: str | None = R()
    version: str | None = O()
    identifier: Identifier | None = R()
    role: list[CreditRole] | None = O()
    relationship: ExtendedRelationship | None = R()

    @model_validator(mode="after")
    def _version(self) -> SoftwareAgent:
        if self.version is not None and not _AGENT_VERSION.match(self.version):
            raise ValueError("a software version is numeric, like 4.5 or 1.2.3 (rule E8)")
        return self


class AgentClass(CardModel):
    """`AgentClass`: a tagged union; exactly one sub-block is populated (rule E6)."""

    person: Person | None = None
    organization: OrganizationAgent | None = None
    ai_model: AiModelAgent | None = None
    software: SoftwareAgent | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> AgentClass:
        present = [n for n in ("person", "organization", "ai_model", "software") if getattr(self, n) is not None]
        if len(present) != 1:
            raise ValueError(
                "an agent has exactly one of person, organization, ai_model, software; "
                f"got {present or 'none'} (rule E6)"
            )
        return self

    @property
    def kind(self) -> str:
        """Which sub-block is populated."""
        return next(n for n in ("person", "organization", "ai_model", "software") if getattr(self, n) is not None)


class ContactPerson(CardModel):
    """The person of a contact (no role)."""

    given_name: str | None = R()
    family_name: str | None = R()
    orcid: Orcid = O()
    email: str | None = R()
    affiliation: Affiliation | None = O()


class ContactClass(CardModel):
    """`ContactClass`: a person, with succession (rule E7)."""

    person: ContactPerson | None = R()
    valid_until: date | None = O("DIS")
    succession_note: str | None = O("DIS")


class SensitivityBlock(CardModel):
    """`SensitivityBlock` (§2.6): of the card document or of the dataset; the two are independent (A1)."""

    overall_sensitivity: OverallSensitivity | None = R("DIS")
    source_marking_string: str | None = R("DIS")
    source_marking_scheme: SourceMarkingScheme | None = R("DIS")
    classified_status: YesNo | None = R("DIS")
    classification_level: ClassificationLevel | None = O("DIS")
    classification_category: list[ClassificationCategory] | None = O("DIS")
    classified_control_markings: list[str] | None = O("DIS")
    cui_status: YesNo | None = R("DIS")
    cui_basic_categories: list[str] | None = O("DIS")
    cui_specified_categories: list[str] | None = O("DIS")
    cui_limited_dissemination_controls: list[str] | None = O("DIS")
    ucni_status: YesNo | None = R("DIS")
    uk_mda_status: UKMDAStatus | None = O("DIS")
    legacy_label_source: list[str] | None = O("DIS")
    normalized_control_basis: list[NormalizedControlBasis] | None = O("DIS")


# ── §3.1 discoverability ──


class ChangeLogEntry(CardModel):
    """One entry of the card's change log."""

    change_date: date | None = R()
    data_card_version: str | None = R()
    summary: str | None = R()


class CreatedBy(CardModel):
    """Who made the card, chronologically."""

    contribution_date: date | None = R("DIS")
    description: str | None = O("DIS")
    creator: AgentClass | None = R("DIS")


class CardDocument(CardModel):
    """`discoverability.datacard`: about the card document itself."""

    template_version: Literal["1.2"] | None = R("DIS")
    datacard_version: str | None = R("DIS")
    filename: str | None = R("DIS")
    language: str | None = R("DIS")
    id: Identifier | None = R("DIS")
    sensitivity: SensitivityBlock | None = R("DIS")
    created_date: date | None = R("DIS")
    updated_date: date | None = O("DIS")
    change_log: list[ChangeLogEntry] | None = R("DIS", min_length=1)
    creation_method: DatacardCreationMethod | None = R("DIS")
    created_by: list[CreatedBy] | None = R("DIS", min_length=1)


class NamedIdentifier(CardModel):
    """A name with an identifier (parent collections)."""

    name: str | None = R()
    identifier: Identifier | None = R()


class Identification(CardModel):
    """`discoverability.identification`."""

    name: str | None = R("DIS")
    project: str | None = R("DIS")
    version: str | None = R("DIS")
    primary_id: Identifier | None = R("DIS")
    additional_ids: list[Identifier] | None = O("DIS")
    supersedes: Identifier | None = O("DIS")
    superseded_by: Identifier | None = O("DIS")
    parent_collection: NamedIdentifier | None = O("DIS")

    @model_validator(mode="after")
    def _semver(self) -> Identification:
        if self.version is not None and not _SEMVER.match(self.version):
            raise ValueError("identification.version is MAJOR.MINOR[.PATCH], first release 1.0")
        return self


class Tags(CardModel):
    """`dataset_description.tags`."""

    project: str | None = R()
    science: str | None = R()
    object_type: ObjectType | None = R()


class DatasetDescription(CardModel):
    """`discoverability.dataset_description`."""

    science_domain: ScienceDomain | None = O("DIS")
    dataset_summary: str | None = R("DIS")
    purpose: str | None = O("DIS")
    collection_methodology: str | None = O("DIS")
    data_characteristics: str | None = O("DIS")
    limitations: str | None = O("DIS")
    tags: Tags | None = O("DIS")
    task_category: list[str] | None = O("DIS")
    task_subcategory: list[str] | None = O("DIS")
    keywords: list[str] | None = R("DIS", min_length=1)


class Sponsor(CardModel):
    """A sponsoring organisation."""

    name: str | None = R()
    ror_id: Ror = O()
    award_number: str | None = O()
    funding_source: FundingSource | None = O()
    program: str | None = O()


class Location(CardModel):
    """Where a facility is."""

    description: str | None = O()
    ror_id: Ror = O()


class Facility(CardModel):
    """A facility that produced data."""

    name: str | None = R()
    ror_id: Ror = O()
    role: list[CreditRole] | None = O()
    location: Location | None = O()


class Workflow(CardModel):
    """`discoverability.workflow`."""

    state: WorkflowState | None = R("DIS")
    is_intermediate: YesNo | None = O("DIS")
    pipeline_stage: str | None = O("DIS")
    embargo_until: date | None = O("DIS")


class Discoverability(CardModel):
    """`discoverability` (always required)."""

    datacard: CardDocument | None = R("DIS")
    identification: Identification | None = R("DIS")
    dataset_description: DatasetDescription | None = R("DIS")
    product_type: ProductType | None = R("DIS")
    dataset_type: DatasetType | None = O("DIS")
    release_status: ReleaseStatus | None = R("DIS")
    dataset_publisher: Affiliation | None = O("DIS")
    contact: ContactClass | None = R("DIS")
    additional_contacts: list[ContactClass] | None = O("DIS")
    authors: list[AgentClass] | None = R("DIS", min_length=1)
    contributors: list[AgentClass] | None = O("DIS")
    sponsor_organizations: list[Sponsor] | None = R("DIS", min_length=1)
    sponsoring_doe_program_office: str | None = O("DIS")
    sponsoring_doe_subprogram: str | None = O("DIS")
    research_organizations: list[Affiliation] | None = R("DIS", min_length=1)
    facilities: list[Facility] | None = O("DIS")
    sensitivity: SensitivityBlock | None = R("DIS")
    workflow: Workflow | None = R("DIS")


# ── §3.2 accessibility ──


class AccessPolicy(CardModel):
    """`accessibility.access_policy`."""

    access_level: AccessLevel | None = R("ACC")
    access_restrictions: str | None = O("ACC")
    authorization_required: list[AuthorizationRequired] | None = O("ACC")
    intended_partner_classes: list[IntendedPartnerClass] | None = O("ACC")
    approved_environments: list[str] | None = O("ACC")
    policy_url: str | None = O("ACC")
    policy_text: str | None = O("ACC")


class DataService(CardModel):
    """A service that serves the data."""

    name: str | None = R()
    endpoint: str | None = R()
    documentation_url: str | None = O()
    authentication: AuthenticationType | None = O()
    version: str | None = O()
    rate_limit: str | None = O()


class Repository(CardModel):
    """An intended repository."""

    name: str | None = O("ACC")
    access_level: AccessLevel | None = O("ACC")
    is_primary: YesNo | None = O("ACC")
    date_deposited: date | None = O("ACC")
    data_services: list[DataService] | None = O("ACC")


class Access(CardModel):
    """`accessibility.access`."""

    current_location: str | None = R("ACC")
    publicly_facing_landing_page_url: str | None = O("ACC")
    intended_repositories: list[Repository] | None = O("ACC")


class DatasetScale(CardModel):
    """`accessibility.dataset_scale`."""

    record_count: int | None = O()
    record_unit: str | None = O()
    compressed_bytes: int | None = O()
    uncompressed_bytes: int | None = O()


class Accessibility(CardModel):
    """`accessibility` (when `supports_accessibility`)."""

    access_policy: AccessPolicy | None = R("ACC")
    access: Access | None = R("ACC")
    dataset_scale: DatasetScale | None = O("ACC")


# ── §3.3 interoperability ──


class Feature(CardModel):
    """A feature (column, variable); name-only or structured, one form per card (rule E19)."""

    name: str | None = R()
    data_type: str | None = O()
    unit: str | None = O()
    description: str | None = O()
    range: list[Any] | None = O()

    @property
    def structured(self) -> bool:
        """Whether anything beyond the name is given."""
        return any(v is not None for v in (self.data_type, self.unit, self.description, self.range))


class GeoBox(CardModel):
    """A WGS84 bounding box."""

    west_bound_longitude: float | None = O()
    east_bound_longitude: float | None = O()
    south_bound_latitude: float | None = O()
    north_bound_latitude: float | None = O()


class SpatialCoverage(CardModel):
    """Where the data is about."""

    description: str | None = O()
    geo_location_box: GeoBox | None = O()


class TemporalCoverage(CardModel):
    """When the data is about."""

    start_date: date | None = O()
    end_date: date | None = O()
    description: str | None = O()


class DataStructure(CardModel):
    """`interoperability.data_structure`."""

    formats: list[str] | None = R("INT", min_length=1)
    encoding: str | None = O("INT")
    schema_version: str | None = O("INT")
    modalities: list[str] | None = R("INT", min_length=1)
    features: list[Feature] | None = R("INT", min_length=1)
    splits: list[str] | None = O("INT")
    language: str | None = O("INT")
    spatial_coverage: SpatialCoverage | None = O("INT")
    temporal_coverage: TemporalCoverage | None = O("INT")


class SourceData(CardModel):
    """A source the data was made from."""

    name: str | None = R()
    identifier: Identifier | None = O()
    relationship: RelationshipType | None = O()


class SoftwareEnvironment(CardModel):
    """The software environment of processing."""

    os: str | None = O()
    compiler: str | None = O()
    container: str | None = O()
    hpc_environment: str | None = O()
    notes: str | None = O()


class CardProvenance(CardModel):
    """`interoperability.provenance`."""

    was_generated_by: str | None = R("INT")
    source_data: list[SourceData] | None = O("INT")
    processing_steps: str | None = R("INT")
    instrumentation: str | None = O("INT")
    simulation_details: str | None = O("INT")
    software_environment: SoftwareEnvironment | None = O("INT")


class Dates(CardModel):
    """When collection happened."""

    data_collection_start: date | None = O()
    data_collection_end: date | None = O()
    issued: date | None = O()
    modified: date | None = O()


class SemanticLayer(CardModel):
    """Schema and semantic context."""

    schema_url: str | None = O()
    semantic_context: list[str] | None = O()


class RelatedDataset(CardModel):
    """A related dataset."""

    name: str | None = R()
    identifier: Identifier | None = O()
    relationship: RelationshipType | None = O()


class Publication(CardModel):
    """A related publication (`type` accepts the identifier types; arXiv and reports as `other`, D3)."""

    type: IdentifierType | None = R()
    value: str | None = R()
    relationship: RelationshipType | None = O()


class RelatedSoftware(CardModel):
    """Related software or AI model (base relationships stay valid, D5)."""

    name: str | None = R()
    version: str | None = O()
    accessed_date: date | None = O()
    identifier: Identifier | None = O()
    role: list[CreditRole] | None = O()
    relationship: ExtendedRelationship | RelationshipType | None = O()


class RelatedResources(CardModel):
    """`interoperability.related_resources`."""

    datasets: list[RelatedDataset] | None = O()
    publications: list[Publication] | None = O()
    software: list[RelatedSoftware] | None = O()
    ai_models: list[RelatedSoftware] | None = O()


class SchemaReference(CardModel):
    """The schema domain metadata follows."""

    type: IdentifierType | None = R()
    value: str | None = O("INT")
    version: str | None = O("INT")


class DomainField(CardModel):
    """One domain metadata field; its value is a string (rule E10)."""

    name: str | None = R()
    field_value: str | None = O()
    data_type: str | None = O()
    unit: str | None = O()
    description: str | None = O()


class DomainMetadata(CardModel):
    """`interoperability.domain_metadata`: one object (rule E9)."""

    name: str | None = R()
    description: str | None = O("INT")
    science_domain: ScienceDomain | None = O("INT")
    schema_reference: SchemaReference | None = O("INT")
    fields: dict[str, DomainField] | None = O("INT")

    @model_validator(mode="after")
    def _keys(self) -> DomainMetadata:
        for key, value in (self.fields or {}).items():
            if value.name is not None and value.name != key:
                raise ValueError(f"domain_metadata.fields.{key}.name must repeat its key (rule E10)")
        return self


class Interoperability(CardModel):
    """`interoperability` (when `supports_interoperability`)."""

    data_structure: DataStructure | None = R("INT")
    provenance: CardProvenance | None = R("INT")
    dates: Dates | None = O("INT")
    semantic_layer: SemanticLayer | None = O("INT")
    related_resources: RelatedResources | None = O("INT")
    domain_metadata: DomainMetadata | None = O("INT")


# ── §3.4 reusability ──


class License(CardModel):
    """A licence (`spdx_id` `Other` needs a name, rule E20)."""

    spdx_id: str | None = O("REU")
    name: str | None = O("REU")
    url: str | None = O("REU")
    known_contractual_rights: str | None = O("REU")
    description: str | None = O()


class Stewardship(CardModel):
    """`reusability.stewardship`."""

    level: StewardshipLevel | None = O("REU")
    maintainer: AgentClass | None = O("REU")
    update_frequency: UpdateFrequency | None = O("REU")
    retention_policy: str | None = O("REU")
    versioning_strategy: str | None = O("REU")


class MissingDataCodes(CardModel):
    """Missing-data codes: one object (rule E9)."""

    code: str | None = R()
    description: str | None = O()


class DataQuality(CardModel):
    """`reusability.data_quality`."""

    completeness: str | None = R("REU")
    known_issues: str | None = R("REU")
    validation_methods: str | None = R("REU")
    noise_characteristics: str | None = O("REU")
    uncertainty_notes: str | None = O("REU")
    missing_data_codes: MissingDataCodes | None = O("REU")


class PreferredCitation(CardModel):
    """How to cite (rule E21)."""

    author: str | None = R()
    title: str | None = R()
    year: int | None = R()
    publisher: str | None = O()
    howpublished: str | None = O()
    doi: str | None = O()
    url: str | None = O()
    eprinttype: str | None = O()
    eprint: str | None = O()
    note: str | None = O()


class Citation(CardModel):
    """`reusability.citation`."""

    report_number: str | None = O("REU")
    preferred_citation: PreferredCitation | None = O("REU")


class Integrity(CardModel):
    """`reusability.integrity` (rules E22, E23)."""

    checksum_available: YesNo | None = O("REU")
    checksum_type: str | None = O("REU")
    checksum_value: str | None = O("REU")
    fixity_policy: str | None = O("REU")


class Reusability(CardModel):
    """`reusability` (when `supports_reusability`)."""

    license: License | None = O("REU")
    additional_licenses: list[License] | None = O("REU")
    stewardship: Stewardship | None = O("REU")
    data_quality: DataQuality | None = R("REU")
    citation: Citation | None = O("REU")
    integrity: Integrity | None = O("REU")


# ── §3.5 governed use ──


class UseGovernance(CardModel):
    """`governed_use.use_governance`."""

    current_use: str | None = R("GOV")
    intended_use: str | None = O("GOV")
    permitted_use: str | None = O("GOV")
    out_of_scope_use: str | None = O("GOV")
    prohibited_use: str | None = O("GOV")


class ExportControl(CardModel):
    """Export control (rule E24)."""

    export_control_status: YesNoPendingUnknown | None = R("GOV")
    export_control_basis: ExportControlBasis | None = O("GOV")
    foreign_national_access_status: ForeignNationalAccessStatus | None = O("GOV")


class Privacy(CardModel):
    """Privacy."""

    privacy_status: YesNoPendingUnknown | None = R("GOV")
    pii_status: YesNoPendingUnknown | None = R("GOV")
    phi_status: YesNoPendingUnknown | None = R("GOV")
    privacy_control_basis: list[PrivacyControlBasis] | None = O("GOV")
    privacy_regime_notes: str | None = O("GOV")


class RightsReleaseRecords(CardModel):
    """Rights, agreements and release (rule E25)."""

    ip_restriction_type: IPRestrictionType | None = O("GOV")
    agreement_required: YesNo | None = R("GOV")
    agreement_type: AgreementType | None = O("GOV")
    public_release_status: PublicReleaseStatus | None = R("GOV")
    record_status: RecordStatus | None = R("GOV")


class NonSensitivityGovernance(CardModel):
    """`governed_use.non_sensitivity_governance_metadata`."""

    export_control: ExportControl | None = R("GOV")
    privacy: Privacy | None = R("GOV")
    rights_release_records: RightsReleaseRecords | None = R("GOV")


class Compliance(CardModel):
    """`governed_use.compliance`."""

    doe_data_management_plan: YesNoUnknownNotApplicable | None = R("GOV")
    osti_elink2_metadata_compliant: YesNoUnknownNotApplicable | None = R("GOV")
    irb_approved: YesNoUnknownNotApplicable | None = R("GOV")


class ReviewedBy(CardModel):
    """Who reviewed: a person or an organisation."""

    person: ContactPerson | None = None
    organization: Affiliation | None = None

    @model_validator(mode="after")
    def _one(self) -> ReviewedBy:
        if (self.person is None) == (self.organization is None):
            raise ValueError("reviewed_by is exactly one of person or organization (rule E6)")
        return self


class Review(CardModel):
    """One review record (append-only)."""

    source_review_reference: str | None = O("GOV")
    review_purpose: str | None = O("GOV")
    source_review_authority: str | None = O("GOV")
    review_contact_name: str | None = O("GOV")
    review_contact_email: str | None = O("GOV")
    reviewed_by: ReviewedBy | None = O("GOV")
    decontrol_or_declassify_on: DateOrNA | None = O("GOV")
    review_date: DateOrNA | None = O("GOV")
    comments: str | None = O("GOV")


class GovernedUse(CardModel):
    """`governed_use` (when `supports_governed_use`)."""

    use_governance: UseGovernance | None = R("GOV")
    non_sensitivity_governance_metadata: NonSensitivityGovernance | None = R("GOV")
    compliance: Compliance | None = R("GOV")
    review_provenance_companion: list[Review] | None = O("GOV")


# ── §3.6 AI usability ──


class AiUsage(CardModel):
    """`ai_usability.ai_usage` (rules E26, E28)."""

    training_use_status: YesNoConditional | None = R("AIU")
    training_use_conditions: str | None = O("AIU")
    inference_use_status: YesNoConditional | None = R("AIU")
    inference_use_conditions: str | None = O("AIU")
    evaluation_use_status: YesNoConditional | None = R("AIU")
    evaluation_use_conditions: str | None = O("AIU")
    restrictions: str | None = R("AIU")
    bias_risks: str | None = R("AIU")
    safety_considerations: str | None = R("AIU")
    human_review_required: YesNo | None = R("AIU")


class AiUsability(CardModel):
    """`ai_usability` (when `supports_ai_usability`)."""

    ai_usage: AiUsage | None = R("AIU")


# ── the card ──


class DataCard(CardModel):
    """A Genesis Mission Data Card, template v1.2 (root `GenesisDatacardClass`)."""

    supports_discoverability: Literal["Yes"] | None = R(None)
    supports_accessibility: YesNo | None = R(None)
    supports_interoperability: YesNo | None = R(None)
    supports_reusability: YesNo | None = R(None)
    supports_governed_use: YesNo | None = R(None)
    supports_ai_usability: YesNo | None = R(None)
    discoverability: Discoverability | None = R("DIS")
    accessibility: Accessibility | None = R("ACC")
    interoperability: Interoperability | None = R("INT")
    reusability: Reusability | None = R("REU")
    governed_use: GovernedUse | None = R("GOV")
    ai_usability: AiUsability | None = R("AIU")

    def active(self, capability: str) -> bool:
        """Whether a capability (`DIS`, `ACC`, ...) is switched on by its flag."""
        flag = {
            "DIS": "Yes",
            "ACC": self.supports_accessibility,
            "INT": self.supports_interoperability,
            "REU": self.supports_reusability,
            "GOV": self.supports_governed_use,
            "AIU": self.supports_ai_usability,
        }[capability]
        return flag == "Yes"
