"""DCAT 3 as JSON-LD, with each file's SHA-256 as `spdx:checksum` (the identity digest DCAT 3 accepts)."""

from __future__ import annotations

import json
import warnings
from typing import Any

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from genesis_platform.catalog.datacard.model import DataCard, without_blanks
from genesis_platform.catalog.formats.common import ExportSubject, agent_name, media_type
from genesis_platform.kernel.errors import InvalidInput

__all__ = ["from_dcat", "to_dcat"]

SPDX = Namespace("http://spdx.org/rdf/terms#")
DCAT3 = Namespace(str(DCAT))  # open namespace: rdflib's DCAT predates DCAT 3 terms such as dcat:version
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
CONTEXT = {
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "spdx": str(SPDX),
    "vcard": str(VCARD),
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def to_dcat(subject: ExportSubject) -> dict[str, Any]:
    """The version as a DCAT 3 `dcat:Dataset` in JSON-LD."""
    card, version = subject.card, subject.version
    d = card.discoverability
    doc: dict[str, Any] = {
        "@context": CONTEXT,
        "@id": f"urn:genesis:dataset:{version.id}",
        "@type": "dcat:Dataset",
        "dct:identifier": version.id,
        "dct:title": subject.name,
        "dct:description": subject.summary,
        "dct:issued": {"@value": version.created_at.date().isoformat(), "@type": "xsd:date"},
        "dct:conformsTo": {"@id": "https://w3id.org/genesis/datacard/1.2"},
        "dcat:distribution": [
            {
                "@id": f"urn:genesis:file:{version.id}/{f.path}",
                "@type": "dcat:Distribution",
                "dct:title": f.path,
                "dcat:mediaType": {"@id": f"https://www.iana.org/assignments/media-types/{media_type(f.path)}"},
                "dcat:byteSize": {"@value": str(f.size), "@type": "xsd:nonNegativeInteger"},
                "spdx:checksum": {
                    "@type": "spdx:Checksum",
                    "spdx:algorithm": {"@id": "spdx:checksumAlgorithm_sha256"},
                    "spdx:checksumValue": {"@value": f.sha256, "@type": "xsd:hexBinary"},
                },
            }
            for f in version.files
        ],
    }
    if subject.keywords:
        doc["dcat:keyword"] = subject.keywords
    ident = d.identification if d else None
    if ident and ident.version:
        doc["dcat:version"] = ident.version
    creators = [
        {"@type": "foaf:Person" if a.person else "foaf:Organization", "foaf:name": agent_name(a)}
        for a in (d.authors if d else None) or []
    ]
    if creators:
        doc["dct:creator"] = creators
    if d and d.dataset_publisher and d.dataset_publisher.name:
        doc["dct:publisher"] = {"@type": "foaf:Organization", "foaf:name": d.dataset_publisher.name}
    if d and d.contact and d.contact.person:
        p = d.contact.person
        doc["dcat:contactPoint"] = without_blanks(
            {
                "@type": "vcard:Kind",
                "vcard:fn": " ".join(x for x in (p.given_name, p.family_name) if x),
                "vcard:hasEmail": {"@id": f"mailto:{p.email}"} if p.email else None,
            }
        )
    lic = card.reusability.license if card.reusability else None
    if lic and (lic.url or lic.spdx_id):
        target = lic.url if lic.url and lic.url.startswith("http") else f"https://spdx.org/licenses/{lic.spdx_id}.html"
        doc["dct:license"] = {"@id": target}
    policy = card.accessibility.access_policy if card.accessibility else None
    if policy and policy.access_level:
        doc["dct:accessRights"] = policy.access_level.value
    if d and d.dataset_description and d.dataset_description.science_domain:
        doc["dct:subject"] = d.dataset_description.science_domain.value
    return doc


def _one(graph: Graph, node: Any, predicate: URIRef) -> str | None:
    value = graph.value(node, predicate)
    return None if value is None else str(value)


def from_dcat(doc: dict[str, Any]) -> tuple[DataCard, dict[str, str]]:
    """A partial Genesis card from a DCAT JSON-LD dataset, and the SHA-256 of each distribution by title.

    Raises:
        InvalidInput: not JSON-LD, or no `dcat:Dataset` in it.
    """
    graph = Graph()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # rdflib's JSON-LD parser uses its own deprecated API
            graph.parse(data=json.dumps(doc), format="json-ld")
    except Exception as e:  # rdflib raises many kinds; all mean "not JSON-LD we can read"
        raise InvalidInput(f"not readable JSON-LD: {e}") from None
    dataset = next(iter(graph.subjects(RDF.type, DCAT.Dataset)), None)
    if dataset is None:
        raise InvalidInput("no dcat:Dataset in the document")
    checksums: dict[str, str] = {}
    for dist in graph.objects(dataset, DCAT.distribution):
        title = _one(graph, dist, DCTERMS.title)
        checksum = graph.value(dist, SPDX.checksum)
        if title and checksum is not None:
            value = _one(graph, checksum, SPDX.checksumValue)
            if value:
                checksums[title] = value
    authors = []
    for creator in graph.objects(dataset, DCTERMS.creator):
        name = _one(graph, creator, FOAF.name) or ""
        if (creator, RDF.type, FOAF.Person) in graph and ", " in name:
            family, given = name.split(", ", 1)
            authors.append({"person": {"given_name": given, "family_name": family}})
        else:
            authors.append({"organization": {"name": name}})
    publisher = graph.value(dataset, DCTERMS.publisher)
    license_ = graph.value(dataset, DCTERMS.license)
    card = {
        "supports_discoverability": "Yes",
        "discoverability": {
            "identification": {
                "name": _one(graph, dataset, DCTERMS.title),
                "version": _one(graph, dataset, DCAT3.version),
            },
            "dataset_description": {
                "dataset_summary": _one(graph, dataset, DCTERMS.description),
                "keywords": sorted(str(k) for k in graph.objects(dataset, DCAT.keyword)) or None,
            },
            "authors": authors or None,
            "dataset_publisher": {"name": _one(graph, publisher, FOAF.name)} if publisher is not None else None,
        },
        "reusability": {"license": {"url": str(license_)}} if license_ is not None else None,
    }
    return DataCard.model_validate(without_blanks(card)), checksums
