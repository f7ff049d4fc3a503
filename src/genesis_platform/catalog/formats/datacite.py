"""DataCite Metadata Schema 4.5 (JSON), validated against the schema the `datacite` package ships."""

from __future__ import annotations

from typing import Any

from datacite import schema45

from genesis_platform.catalog.datacard.model import DataCard, without_blanks
from genesis_platform.catalog.formats.common import ExportSubject, agent_name, media_type
from genesis_platform.kernel.errors import InvalidInput

__all__ = ["from_datacite", "to_datacite", "validate_datacite"]

_RELATIONS = {
    "references": "References",
    "is_based_on": "IsDerivedFrom",
    "is_derived_from": "IsDerivedFrom",
    "is_part_of": "IsPartOf",
    "has_part": "HasPart",
    "other": "References",
}
_BACK = {
    "References": "references",
    "IsDerivedFrom": "is_derived_from",
    "IsPartOf": "is_part_of",
    "HasPart": "has_part",
}
_ID_TYPES = {"doi": "DOI", "url": "URL", "ark": "ARK", "handle": "Handle", "purl": "PURL", "urn": "URN"}


def to_datacite(subject: ExportSubject) -> dict[str, Any]:
    """The version as a DataCite 4.5 JSON document."""
    card, version = subject.card, subject.version
    d = card.discoverability
    creators: list[dict[str, Any]] = []
    for agent in (d.authors if d else None) or []:
        if agent.person is not None:
            p = agent.person
            entry: dict[str, Any] = {"name": agent_name(agent), "nameType": "Personal"}
            entry.update({k: v for k, v in (("givenName", p.given_name), ("familyName", p.family_name)) if v})
            if p.affiliation and p.affiliation.name:
                entry["affiliation"] = [{"name": p.affiliation.name}]
            if p.orcid:
                entry["nameIdentifiers"] = [
                    {"nameIdentifier": p.orcid, "nameIdentifierScheme": "ORCID", "schemeUri": "https://orcid.org"}
                ]
            creators.append(entry)
        else:
            creators.append({"name": agent_name(agent), "nameType": "Organizational"})
    orgs = [o.name for o in (d.research_organizations if d else None) or [] if o.name]
    if not creators:
        creators = [{"name": orgs[0] if orgs else "unknown", "nameType": "Organizational"}]
    publisher = (d.dataset_publisher.name if d and d.dataset_publisher else None) or (orgs[0] if orgs else "Genesis")
    doc: dict[str, Any] = {
        "types": {"resourceTypeGeneral": "Dataset", "resourceType": "Dataset"},
        "creators": creators,
        "titles": [{"title": subject.name}],
        "publisher": {"name": publisher},
        "publicationYear": str(version.created_at.year),
        "schemaVersion": "http://datacite.org/schema/kernel-4",
        "sizes": [f"{version.total_size} bytes", f"{len(version.files)} files"],
        "formats": sorted({media_type(f.path) for f in version.files}),
        "descriptions": [{"description": subject.summary, "descriptionType": "Abstract"}],
        "alternateIdentifiers": [{"alternateIdentifier": version.id, "alternateIdentifierType": "Genesis"}],
        "dates": [{"date": version.created_at.date().isoformat(), "dateType": "Created"}],
    }
    subjects = [{"subject": k} for k in subject.keywords]
    desc = d.dataset_description if d else None
    if desc and desc.science_domain:
        subjects.append({"subject": desc.science_domain.value, "subjectScheme": "OSTI science domain"})
    if subjects:
        doc["subjects"] = subjects
    for text, kind in (
        (desc.collection_methodology if desc else None, "Methods"),
        (desc.data_characteristics if desc else None, "TechnicalInfo"),
        (desc.limitations if desc else None, "Other"),
    ):
        if text:
            doc["descriptions"].append({"description": text, "descriptionType": kind})
    ident = d.identification if d else None
    if ident and ident.version:
        doc["version"] = ident.version
    if ident and ident.primary_id and ident.primary_id.value:
        if ident.primary_id.type == "doi":
            doc["doi"] = ident.primary_id.value
        else:
            doc["alternateIdentifiers"].append(
                {"alternateIdentifier": ident.primary_id.value, "alternateIdentifierType": ident.primary_id.type.value}
            )
    related: list[dict[str, Any]] = []
    inter = card.interoperability
    for pub in (inter.related_resources.publications if inter and inter.related_resources else None) or []:
        pub_kind = _ID_TYPES.get(pub.type.value if pub.type else "")
        if pub_kind and pub.value:
            rel = _RELATIONS.get(pub.relationship.value if pub.relationship else "other", "References")
            related.append({"relatedIdentifier": pub.value, "relatedIdentifierType": pub_kind, "relationType": rel})
    if ident and ident.parent_collection and ident.parent_collection.identifier:
        pid = ident.parent_collection.identifier
        parent_kind = _ID_TYPES.get(pid.type.value if pid.type else "")
        if parent_kind and pid.value:
            related.append(
                {"relatedIdentifier": pid.value, "relatedIdentifierType": parent_kind, "relationType": "IsPartOf"}
            )
    if related:
        doc["relatedIdentifiers"] = related
    lic = card.reusability.license if card.reusability else None
    if lic is not None:
        rights: dict[str, Any] = {"rights": lic.name or lic.spdx_id or "see licence"}
        if lic.url and lic.url.startswith("http"):
            rights["rightsUri"] = lic.url
        if lic.spdx_id and lic.spdx_id.lower() not in {"other", "pending"}:
            rights.update(
                rightsIdentifier=lic.spdx_id, rightsIdentifierScheme="SPDX", schemeUri="https://spdx.org/licenses/"
            )
        doc["rightsList"] = [rights]
    sponsors = [s for s in (d.sponsor_organizations if d else None) or [] if s.name]
    if sponsors:
        doc["fundingReferences"] = [
            {"funderName": s.name, **({"awardNumber": s.award_number} if s.award_number else {})} for s in sponsors
        ]
    if d and d.contact and d.contact.person:
        contact = d.contact.person
        name = ", ".join(x for x in (contact.family_name, contact.given_name) if x)
        doc["contributors"] = [{"name": name, "nameType": "Personal", "contributorType": "ContactPerson"}]
    return doc


def validate_datacite(doc: dict[str, Any]) -> None:
    """Validate against the DataCite 4.5 JSON schema.

    Raises:
        InvalidInput: the document does not validate; the first problems are named.
    """
    validator = schema45.validator
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    if errors:
        problems = "; ".join(f"{'/'.join(str(p) for p in e.path) or '$'}: {e.message}" for e in errors[:5])
        raise InvalidInput(f"not valid DataCite 4.5: {problems}")


def from_datacite(doc: dict[str, Any]) -> DataCard:
    """A partial Genesis card from a DataCite document (validated first)."""
    validate_datacite(doc)
    authors = []
    for creator in doc.get("creators", []):
        if creator.get("nameType") == "Organizational" or not (creator.get("givenName") or creator.get("familyName")):
            authors.append({"organization": {"name": creator["name"]}})
        else:
            person: dict[str, Any] = {"given_name": creator.get("givenName"), "family_name": creator.get("familyName")}
            orcid = next(
                (
                    i["nameIdentifier"]
                    for i in creator.get("nameIdentifiers", [])
                    if i.get("nameIdentifierScheme") == "ORCID"
                ),
                None,
            )
            if orcid:
                person["orcid"] = orcid
            if creator.get("affiliation"):
                person["affiliation"] = {"name": creator["affiliation"][0].get("name")}
            authors.append({"person": person})
    descriptions = {d["descriptionType"]: d["description"] for d in doc.get("descriptions", [])}
    keywords = [s["subject"] for s in doc.get("subjects", []) if "subjectScheme" not in s]
    pubs = [
        {
            "type": r["relatedIdentifierType"].lower(),
            "value": r["relatedIdentifier"],
            "relationship": _BACK.get(r["relationType"], "other"),
        }
        for r in doc.get("relatedIdentifiers", [])
        if r["relatedIdentifierType"].lower() in {"doi", "url", "ark", "handle", "purl", "urn"}
        and r["relationType"] != "IsPartOf"
    ]
    rights = (doc.get("rightsList") or [{}])[0]
    primary = {"type": "doi", "value": doc["doi"]} if doc.get("doi") else None
    card: dict[str, Any] = {
        "supports_discoverability": "Yes",
        "discoverability": {
            "identification": {"name": doc["titles"][0]["title"], "version": doc.get("version"), "primary_id": primary},
            "dataset_description": {
                "dataset_summary": descriptions.get("Abstract"),
                "collection_methodology": descriptions.get("Methods"),
                "data_characteristics": descriptions.get("TechnicalInfo"),
                "limitations": descriptions.get("Other"),
                "keywords": keywords or None,
            },
            "authors": authors or None,
            "dataset_publisher": {"name": doc["publisher"]["name"]},
        },
        "interoperability": {"related_resources": {"publications": pubs}} if pubs else None,
        "reusability": {
            "license": {
                "spdx_id": rights.get("rightsIdentifier"),
                "name": rights.get("rights"),
                "url": rights.get("rightsUri"),
            }
        }
        if rights
        else None,
    }
    return DataCard.model_validate(without_blanks(card))
