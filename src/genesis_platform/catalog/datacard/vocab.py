"""Controlled vocabularies of the Genesis Mission Data Card v1.2 (values spelled exactly as the card does).

Source: `shared/reference/genesis-datacard-v1.2-fields.md` §4. Values are case-sensitive strings; Yes/No-style
fields are strings, never booleans (rule E5). `not_applicable` appears only where the card allows it.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "AccessLevel",
    "AgreementType",
    "AuthenticationType",
    "AuthorizationRequired",
    "ClassificationCategory",
    "ClassificationLevel",
    "CreditRole",
    "DatacardCreationMethod",
    "DatasetType",
    "ExportControlBasis",
    "ExtendedRelationship",
    "ForeignNationalAccessStatus",
    "FundingSource",
    "IPRestrictionType",
    "IdentifierType",
    "IntendedPartnerClass",
    "NormalizedControlBasis",
    "ObjectType",
    "OverallSensitivity",
    "PrivacyControlBasis",
    "ProductType",
    "PublicReleaseStatus",
    "RecordStatus",
    "RelationshipType",
    "ReleaseStatus",
    "ScienceDomain",
    "SourceMarkingScheme",
    "StewardshipLevel",
    "UKMDAStatus",
    "UpdateFrequency",
    "WorkflowState",
    "YesNo",
    "YesNoConditional",
    "YesNoPendingUnknown",
    "YesNoUnknownNotApplicable",
]


class AccessLevel(StrEnum):
    """`AccessLevelEnum` of the card."""

    OPEN = "Open"
    RESTRICTED = "Restricted"
    CONTROLLED = "Controlled"


class AgreementType(StrEnum):
    """`AgreementTypeEnum` of the card."""

    DUA = "DUA"
    CRADA = "CRADA"
    MOU = "MOU"
    NDA = "NDA"
    LICENSE = "LICENSE"
    WFO = "WFO"
    OTHER = "OTHER"


class AuthenticationType(StrEnum):
    """`AuthenticationTypeEnum` of the card."""

    NONE = "None"
    API_KEY = "API_Key"
    OAUTH2 = "OAuth2"
    SAML = "SAML"
    CERTIFICATE = "Certificate"
    OPENID_CONNECT = "OpenID_Connect"
    BASIC_AUTH = "Basic_Auth"
    BEARER_TOKEN = "Bearer_Token"
    OTHER = "Other"


class AuthorizationRequired(StrEnum):
    """`AuthorizationRequiredEnum` of the card."""

    ACCOUNT = "Account"
    USER_AGREEMENT = "User_Agreement"
    DATA_USE_AGREEMENT = "Data_Use_Agreement"
    SPONSOR_APPROVAL = "Sponsor_Approval"
    EXPORT_CONTROL_REVIEW = "Export_Control_Review"
    IRB_APPROVAL = "IRB_Approval"
    OTHER = "Other"


class ClassificationCategory(StrEnum):
    """`ClassificationCategoryEnum` of the card."""

    NSI = "NSI"
    RD = "RD"
    FRD = "FRD"
    TFNI = "TFNI"
    OTHER_CLASSIFIED = "Other_Classified"


class ClassificationLevel(StrEnum):
    """`ClassificationLevelEnum` of the card."""

    TOP_SECRET = "Top_Secret"
    SECRET = "Secret"
    CONFIDENTIAL = "Confidential"


class CreditRole(StrEnum):
    """`RoleEnum` of the card (CRediT roles plus extensions)."""

    CONCEPTUALIZATION = "Conceptualization"
    DATA_CURATION = "Data_Curation"
    DATA_COLLECTION = "Data_Collection"
    FORMAL_ANALYSIS = "Formal_Analysis"
    FUNDING_ACQUISITION = "Funding_Acquisition"
    INVESTIGATION = "Investigation"
    METHODOLOGY = "Methodology"
    PROJECT_ADMINISTRATION = "Project_Administration"
    RESOURCES = "Resources"
    SOFTWARE = "Software"
    SUPERVISION = "Supervision"
    VALIDATION = "Validation"
    VISUALIZATION = "Visualization"
    WRITING_ORIGINAL_DRAFT = "Writing_Original_Draft"
    WRITING_REVIEW_EDITING = "Writing_Review_Editing"
    OTHER = "Other"


class DatacardCreationMethod(StrEnum):
    """`DatacardCreationMethodEnum` of the card."""

    MANUAL = "Manual"
    AUTOMATED = "Automated"
    HYBRID = "Hybrid"


class DatasetType(StrEnum):
    """`DatasetTypeEnum` of the card."""

    GD = "GD"
    IM = "IM"
    ND = "ND"
    SM = "SM"
    FP = "FP"
    I = "I"  # noqa: E741  (the OSTI code for an interactive resource)
    MM = "MM"
    MD = "MD"
    AS = "AS"
    IP = "IP"
    IG = "IG"


class ExportControlBasis(StrEnum):
    """`ExportControlBasisEnum` of the card."""

    ITAR = "ITAR"
    EAR = "EAR"
    DOE_NUCLEAR_EXPORT_CONTROL = "DOE_Nuclear_Export_Control"
    OTHER = "Other"
    NOT_APPLICABLE = "not_applicable"


class ExtendedRelationship(StrEnum):
    """`ExtendedRelationshipEnum` of the card."""

    USED_TO_CREATE = "used_to_create"
    USED_TO_PROCESS = "used_to_process"
    USED_TO_ANALYZE = "used_to_analyze"
    RECORDED_BY = "recorded_by"
    TRAINED_ON = "trained_on"
    EVALUATED_ON = "evaluated_on"


class ForeignNationalAccessStatus(StrEnum):
    """`ForeignNationalAccessStatusEnum` of the card."""

    ALLOWED = "Allowed"
    RESTRICTED = "Restricted"
    PROHIBITED = "Prohibited"
    CONDITIONAL = "Conditional"
    UNKNOWN = "Unknown"


class FundingSource(StrEnum):
    """`FundingSourceEnum` of the card."""

    DOE_PROGRAM_SC = "DOE_Program_SC"
    DOE_PROGRAM_NNSA = "DOE_Program_NNSA"
    LDRD = "LDRD"
    WFO = "WFO"
    CRADA = "CRADA"
    OTHER_FEDERAL = "Other_Federal"
    STATE_GOVERNMENT = "State_Government"
    SUBCONTRACT = "Subcontract"
    INDUSTRY = "Industry"
    NONPROFIT = "Nonprofit"
    INTERNAL = "Internal"
    OTHER = "Other"


class IPRestrictionType(StrEnum):
    """`IPRestrictionTypeEnum` of the card."""

    PROPRIETARY = "Proprietary"
    LIMITED_RIGHTS = "Limited_Rights"
    RESTRICTED_RIGHTS = "Restricted_Rights"
    GOVERNMENT_PURPOSE_RIGHTS = "Government_Purpose_Rights"
    UNLIMITED_RIGHTS = "Unlimited_Rights"
    THIRD_PARTY_LICENSED = "Third_Party_Licensed"
    NONE = "None"


class IdentifierType(StrEnum):
    """`IdentifierTypeEnum` of the card."""

    ARK = "ark"
    DOI = "doi"
    HANDLE = "handle"
    LOCAL = "local"
    PURL = "purl"
    URL = "url"
    URN = "urn"
    UUID = "uuid"
    OTHER = "other"
    UNREGISTERED = "unregistered"


class IntendedPartnerClass(StrEnum):
    """`IntendedPartnerClassEnum` of the card."""

    INTERNAL_TEAM = "Internal_Team"
    TRI_LAB = "Tri_Lab"
    DOE_NNSA_LAB = "DOE_NNSA_Lab"
    FEDERAL_PARTNER = "Federal_Partner"
    CONTRACTOR = "Contractor"
    ACADEMIC_RESEARCHERS = "Academic_Researchers"
    EXTERNAL_RESEARCH_PARTNER = "External_Research_Partner"
    INDUSTRY_PARTNER = "Industry_Partner"
    PUBLIC = "Public"
    OTHER = "Other"


class NormalizedControlBasis(StrEnum):
    """`NormalizedControlBasisEnum` of the card."""

    CLASSIFIED = "Classified"
    CUI = "CUI"
    UCNI = "UCNI"
    PUBLIC_RELEASE_APPROVED = "Public_Release_Approved"
    LEGACY_NEEDS_MAPPING = "Legacy_Needs_Mapping"
    OTHER_CONTROLLED = "Other_Controlled"


class ObjectType(StrEnum):
    """`ObjectTypeEnum` of the card."""

    DATASET = "Dataset"
    MODEL = "Model"
    SOFTWARE = "Software"
    AI_AGENT = "AI_Agent"
    INFRASTRUCTURE = "Infrastructure"
    RESOURCE = "Resource"
    OTHER = "Other"


class OverallSensitivity(StrEnum):
    """`OverallSensitivityEnum` of the card."""

    PUBLIC = "Public"
    UNCLASSIFIED_UNCONTROLLED = "Unclassified_Uncontrolled"
    CUI = "CUI"
    UCNI = "UCNI"
    CLASSIFIED = "Classified"
    LEGACY_CONTROLLED = "Legacy_Controlled"
    MIXED = "Mixed"
    OTHER_CONTROLLED = "Other_Controlled"


class PrivacyControlBasis(StrEnum):
    """`PrivacyControlBasisEnum` of the card."""

    HIPPA = "HIPPA"
    PRIVACY_ACT = "Privacy_Act"
    HUMAN_SUBJECTS = "Human_Subjects"
    OTHER_REGULATED_PRIVACY = "Other_Regulated_Privacy"
    SITE_SPECIFIC = "Site_Specific"
    NOT_APPLICABLE = "not_applicable"


class ProductType(StrEnum):
    """`ProductTypeEnum` of the card."""

    TECHNICAL_REPORT = "Technical_Report"
    PAPER_OR_PROCEEDINGS = "Paper_or_Proceedings"
    JOURNAL_ARTICLE = "Journal_Article"
    SOFTWARE_MANUAL = "Software_Manual"
    DATA = "Data"
    COLLECTION = "Collection"
    COMPUTER_RELATED = "Computer_Related"
    MODEL = "Model"
    AGENT = "Agent"


class PublicReleaseStatus(StrEnum):
    """`PublicReleaseStatusEnum` of the card."""

    APPROVED = "Approved"
    PENDING = "Pending"
    NOT_APPROVED = "Not_Approved"
    REQUIRES_STI_REVIEW = "Requires_STI_Review"


class RecordStatus(StrEnum):
    """`RecordStatusEnum` of the card."""

    FEDERAL_RECORD = "Federal_Record"
    CONTRACTOR_RECORD = "Contractor_Record"
    NON_RECORD = "Non_Record"
    MIXED = "Mixed"
    UNKNOWN = "Unknown"


class RelationshipType(StrEnum):
    """`RelationshipTypeEnum` of the card."""

    IS_DERIVED_FROM = "is_derived_from"
    IS_BASED_ON = "is_based_on"
    IS_PART_OF = "is_part_of"
    HAS_PART = "has_part"
    REFERENCES = "references"
    OTHER = "other"


class ReleaseStatus(StrEnum):
    """`ReleaseStatusEnum` of the card."""

    DRAFT = "Draft"
    UNDER_REVIEW = "Under_Review"
    APPROVED = "Approved"
    PUBLISHED = "Published"
    DEPRECATED = "Deprecated"


class ScienceDomain(StrEnum):
    """`ScienceDomainEnum` of the card."""

    BIOLOGY_AND_MEDICINE = "Biology and Medicine"
    CHEMISTRY = "Chemistry"
    ENERGY_STORAGE_CONVERSION_AND_UTILIZATION = "Energy Storage, Conversion, and Utilization"
    ENGINEERING = "Engineering"
    ENVIRONMENTAL_SCIENCES = "Environmental Sciences"
    FISSION_AND_NUCLEAR_TECHNOLOGIES = "Fission and Nuclear Technologies"
    FOSSIL_FUELS = "Fossil Fuels"
    GEOSCIENCES = "Geosciences"
    MATERIALS = "Materials"
    MATHEMATICS_AND_COMPUTING = "Mathematics and Computing"
    NATIONAL_DEFENSE = "National Defense"
    PHYSICS = "Physics"
    POWER_GENERATION_AND_DISTRIBUTION = "Power Generation and Distribution"
    RENEWABLE_ENERGY = "Renewable Energy"
    OTHER = "Other"


class SourceMarkingScheme(StrEnum):
    """`SourceMarkingSchemeEnum` of the card."""

    DOE_CUI = "DOE_CUI"
    DOE_UCNI = "DOE_UCNI"
    EO13526_CLASSIFIED = "EO13526_Classified"
    AEA_RD_FRD_TFNI = "AEA_RD_FRD_TFNI"
    DOD_CUI = "DOD_CUI"
    DHS_CUI = "DHS_CUI"
    LEGACY_OUO = "Legacy_OUO"
    LEGACY_SITE_SPECIFIC = "Legacy_Site_Specific"
    OTHER_AGENCY = "Other_Agency"
    NONE = "None"


class StewardshipLevel(StrEnum):
    """`StewardshipLevelEnum` of the card."""

    PROJECT_MANAGED = "Project_Managed"
    REPOSITORY_MANAGED = "Repository_Managed"
    EXTERNALLY_MANAGED = "Externally_Managed"
    NOT_APPLICABLE = "not_applicable"


class UKMDAStatus(StrEnum):
    """`UKMDAStatusEnum` of the card."""

    YES = "Yes"
    NO = "No"
    UNKNOWN = "Unknown"
    NOT_APPLICABLE = "not_applicable"


class UpdateFrequency(StrEnum):
    """`UpdateFrequencyEnum` of the card."""

    NONE = "None"
    AD_HOC = "Ad_Hoc"
    MONTHLY = "Monthly"
    QUARTERLY = "Quarterly"
    ANNUALLY = "Annually"
    CONTINUOUSLY = "Continuously"
    OTHER = "Other"


class WorkflowState(StrEnum):
    """`StateEnum` of the card (a dataset's workflow state)."""

    RAW = "Raw"
    PROCESSING = "Processing"
    QA = "QA"
    ANALYSIS = "Analysis"
    REVIEW = "Review"
    EMBARGO = "Embargo"
    PUBLISHED = "Published"
    ARCHIVED = "Archived"
    NOT_APPLICABLE = "not_applicable"


class YesNo(StrEnum):
    """`YesNoEnum` of the card."""

    YES = "Yes"
    NO = "No"


class YesNoConditional(StrEnum):
    """`YesNoConditionalEnum` of the card."""

    YES = "Yes"
    NO = "No"
    CONDITIONAL = "Conditional"


class YesNoPendingUnknown(StrEnum):
    """`YesNoPendingUnknownEnum` of the card."""

    YES = "Yes"
    NO = "No"
    PENDING_REVIEW = "Pending_Review"
    UNKNOWN = "Unknown"


class YesNoUnknownNotApplicable(StrEnum):
    """`YesNoUnknownNotApplicableEnum` of the card."""

    YES = "Yes"
    NO = "No"
    UNKNOWN = "Unknown"
    NOT_APPLICABLE = "not_applicable"
