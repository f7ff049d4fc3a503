"""A first draft of a dataset's card from what the platform already knows.

Filled: the card document (template, version, filename, change log, this software as creator), identification,
the dataset's sensitivity and governed-use and AI-use blocks from its markings, the contact and research
organisation from its owner, formats, modalities and features (with types and declared units) from the
extracted structure, scale, and integrity (the BagIt manifest's SHA-256). Left blank for a person: summary,
keywords, authors, sponsors, methodology, quality, licence and the rest; `check` lists them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from genesis_platform import __version__
from genesis_platform.catalog.datacard.model import DataCard, without_blanks
from genesis_platform.catalog.datacard.rules import slug_filename
from genesis_platform.catalog.model import DataFormat, DatasetVersion
from genesis_platform.kernel.assets.markings import Markings, Sensitivity
from genesis_platform.kernel.assets.model import GovernedAsset
from genesis_platform.kernel.identity.model import Organisation, User

__all__ = ["draft_card", "sensitivity_block"]

_FORMAT_NAMES = {
    DataFormat.CSV: "CSV",
    DataFormat.TSV: "TSV",
    DataFormat.PARQUET: "Parquet",
    DataFormat.JSON: "JSON",
    DataFormat.JSONL: "JSON Lines",
    DataFormat.HDF5: "HDF5",
    DataFormat.NETCDF: "NetCDF4",
    DataFormat.ZARR: "Zarr",
}
_TYPES = {
    "int": "int",
    "double": "float",
    "float": "float",
    "string": "string",
    "bool": "boolean",
    "timestamp": "datetime",
}


def _data_type(arrow: str) -> str:
    return next((v for k, v in _TYPES.items() if arrow.startswith(k)), "other")


def sensitivity_block(m: Markings) -> dict[str, Any]:
    """The card's `SensitivityBlock` for markings."""
    block: dict[str, Any] = {
        "overall_sensitivity": m.sensitivity.value,
        "source_marking_string": m.banner,
        "source_marking_scheme": "DOE_CUI"
        if m.cui_categories
        else ("EO13526_Classified" if m.classification else "None"),
        "classified_status": "Yes" if m.classification else "No",
        "cui_status": "Yes" if m.sensitivity is Sensitivity.CUI else "No",
        "ucni_status": "Yes" if m.ucni else "No",
    }
    if m.classification:
        block["classification_level"] = m.classification.value
        block["classification_category"] = sorted(c.value for c in m.classification_categories) or ["NSI"]
    if m.cui_categories:
        block["cui_specified_categories"] = sorted(c for c in m.cui_categories if c.startswith("SP-"))
        block["cui_basic_categories"] = sorted(c for c in m.cui_categories if not c.startswith("SP-"))
    controls = m.controls.strings()
    if controls:
        key = "classified_control_markings" if m.classification else "cui_limited_dissemination_controls"
        block[key] = controls
    return block


def draft_card(asset: GovernedAsset, version: DatasetVersion, owner: User, organisation: Organisation) -> DataCard:
    """Draft a card for a dataset version."""
    m = asset.markings
    today = date.today()
    given, _, family = owner.display_name.rpartition(" ")
    tables = [s for s in version.structures if s.columns]
    arrays = [s for s in version.structures if s.arrays]
    features = [
        {"name": c.name, "data_type": _data_type(c.type), **({"unit": c.unit} if c.unit else {})}
        for s in tables
        for c in s.columns
    ] + [
        {"name": f"{s.path}:{a.name}", "data_type": a.dtype, **({"unit": a.unit} if a.unit else {})}
        for s in arrays
        for a in s.arrays
    ]
    formats = sorted({_FORMAT_NAMES[s.format] for s in version.structures if s.format in _FORMAT_NAMES})
    modalities = (["tabular"] if tables else []) + (["array"] if arrays else [])
    export = m.export_control
    card: dict[str, Any] = {
        "supports_discoverability": "Yes",
        "supports_accessibility": "Yes",
        "supports_interoperability": "Yes",
        "supports_reusability": "Yes",
        "supports_governed_use": "Yes" if m.restricted or m.sensitivity is not Sensitivity.PUBLIC else "No",
        "supports_ai_usability": "Yes",
        "discoverability": {
            "datacard": {
                "template_version": "1.2",
                "datacard_version": "1.0",
                "filename": slug_filename(asset.name),
                "language": "en",
                "id": {"type": "local", "value": slug_filename(asset.name).removesuffix(".md")},
                "sensitivity": sensitivity_block(Markings()),
                "created_date": today,
                "change_log": [{"change_date": today, "data_card_version": "1.0", "summary": "Initial creation"}],
                "creation_method": "Automated",
                "created_by": [
                    {
                        "contribution_date": today,
                        "description": "drafted from the registered dataset",
                        "creator": {
                            "software": {
                                "name": "genesis-platform",
                                "version": ".".join(__version__.split(".")[:3]),
                                "identifier": {"type": "url", "value": "https://github.com/genesis-platform"},
                                "relationship": "used_to_create",
                            }
                        },
                    }
                ],
            },
            "identification": {
                "name": asset.name,
                "project": asset.project or "not_applicable",
                "version": f"{version.number}.0",
                "primary_id": {"type": "local", "value": version.id},
            },
            "dataset_description": {"dataset_summary": asset.description or None},
            "product_type": "Data",
            "dataset_type": "ND" if tables and not arrays else ("SM" if tables and arrays else None),
            "release_status": "Draft",
            "contact": {
                "person": {"given_name": given or owner.display_name, "family_name": family, "email": owner.email}
            },
            "research_organizations": [{"name": organisation.name}],
            "sensitivity": sensitivity_block(m),
            "workflow": {"state": "Embargo" if m.embargo_until else "Raw", "embargo_until": m.embargo_until},
        },
        "accessibility": {
            "access_policy": {
                "access_level": "Open" if m.sensitivity is Sensitivity.PUBLIC else "Controlled",
                **({} if m.sensitivity is Sensitivity.PUBLIC else {"authorization_required": ["Account"]}),
            },
            "access": {"current_location": f"genesis:{version.id}"},
            "dataset_scale": {
                "record_count": sum(s.rows or 0 for s in tables) or None,
                "record_unit": "records" if tables else "files",
                "uncompressed_bytes": version.total_size,
            },
        },
        "interoperability": {
            "data_structure": {
                "formats": formats or None,
                "modalities": modalities or None,
                "features": features or None,
            },
        },
        "reusability": {
            "integrity": {
                "checksum_available": "Yes",
                "checksum_type": "sha256",
                "checksum_value": f"manifest-sha256.txt sha256:{version.manifest_sha256}",
                "fixity_policy": "files are stored by SHA-256 and re-hashed on every read and `genesis dataset verify`",
            }
        },
        "ai_usability": {
            "ai_usage": {
                "training_use_status": m.training_use.value if m.training_use else None,
                "inference_use_status": m.inference_use.value if m.inference_use else None,
                "evaluation_use_status": m.evaluation_use.value if m.evaluation_use else None,
            }
        },
    }
    if card["supports_governed_use"] == "Yes":
        card["governed_use"] = {
            "non_sensitivity_governance_metadata": {
                "export_control": {
                    "export_control_status": "Yes" if m.export_controlled else "No",
                    **({"export_control_basis": export.value if export else "Other"} if m.export_controlled else {}),
                    "foreign_national_access_status": m.effective_foreign_national_access.value,
                },
                "privacy": {
                    "privacy_status": "Yes" if m.pii or m.phi else "No",
                    "pii_status": "Yes" if m.pii else "No",
                    "phi_status": "Yes" if m.phi else "No",
                },
                "rights_release_records": {
                    **({"ip_restriction_type": m.ip_restriction.value} if m.ip_restriction else {}),
                    "agreement_required": "Yes" if m.required_agreements else "No",
                    **(
                        {"agreement_type": sorted(a.kind.value for a in m.required_agreements)[0]}
                        if m.required_agreements
                        else {}
                    ),
                },
            }
        }
    return DataCard.model_validate(without_blanks(card))
