"""Croissant 1.1 (MLCommons) JSON-LD, built and validated with `mlcroissant`.

Files are `cr:FileObject`s with their SHA-256 at `data/<path>` (the layout of the RO-Crate export); every table
the catalogue read becomes a `cr:RecordSet` whose fields carry the column types; the card's responsible-AI
answers fill the RAI properties.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from genesis_platform.catalog.datacard.model import DataCard, without_blanks
from genesis_platform.catalog.formats.common import ExportSubject, agent_name, media_type
from genesis_platform.kernel.errors import InvalidInput

__all__ = ["CONFORMS_TO", "from_croissant", "to_croissant", "validate_croissant"]

CONFORMS_TO = "http://mlcommons.org/croissant/1.1"
_TYPES = {"int": "INTEGER", "double": "FLOAT", "float": "FLOAT", "string": "TEXT", "bool": "BOOL", "timestamp": "DATE"}


@contextmanager
def _quiet() -> Iterator[Any]:
    """Import and run mlcroissant without its dependencies' deprecation warnings and absl log lines."""
    logging.getLogger("absl").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import mlcroissant

        yield mlcroissant


def _cid(text: str) -> str:
    """A Croissant `@id`: letters, digits and `_.-/` only (names keep their spelling; ids cannot)."""
    return re.sub(r"[^A-Za-z0-9_./-]+", "_", text).strip("_") or "_"


def _data_type(mlc: Any, arrow: str) -> Any:
    name = next((v for k, v in _TYPES.items() if arrow.startswith(k)), "TEXT")
    return getattr(mlc.DataType, name)


def to_croissant(subject: ExportSubject) -> dict[str, Any]:
    """The version as Croissant 1.1 JSON-LD (validated before it is returned)."""
    card, version = subject.card, subject.version
    d = card.discoverability
    desc = d.dataset_description if d else None
    usage = card.ai_usability.ai_usage if card.ai_usability else None
    lic = card.reusability.license if card.reusability else None
    cite = card.reusability.citation.preferred_citation if card.reusability and card.reusability.citation else None
    with _quiet() as mlc:
        files = [
            mlc.FileObject(
                id=_cid(f.path),
                name=f.path,
                content_url=f"data/{f.path}",
                content_size=f"{f.size} B",
                encoding_formats=[media_type(f.path)],
                sha256=f.sha256,
            )
            for f in version.files
        ]
        record_sets = [
            mlc.RecordSet(
                id=_cid(f"records/{s.path}"),
                name=s.path,
                fields=[
                    mlc.Field(
                        id=_cid(f"records/{s.path}/{c.name}"),
                        name=c.name,
                        description=f"unit: {c.unit}" if c.unit else None,
                        data_types=[_data_type(mlc, c.type)],
                        source=mlc.Source(file_object=_cid(s.path), extract=mlc.Extract(column=c.name)),
                    )
                    for c in s.columns
                ],
            )
            for s in version.structures
            if s.columns
            and s.format.value in {"csv", "tsv", "parquet", "jsonl"}
            and s.path in {f.path for f in version.files}
        ]
        creators = [
            mlc.Person(name=agent_name(a)) if a.person else mlc.Organization(name=agent_name(a))
            for a in (d.authors if d else None) or []
        ]
        metadata = mlc.Metadata(
            name=subject.name,
            description=subject.summary,
            conforms_to=[CONFORMS_TO],
            url=f"urn:genesis:dataset:{version.id}",
            version=_semver(d.identification.version if d and d.identification else None),
            license=[lic.url or lic.spdx_id] if lic and (lic.url or lic.spdx_id) else None,
            keywords=subject.keywords or None,
            creators=creators,
            date_published=version.created_at,
            cite_as=(
                f"{cite.author} ({cite.year}). {cite.title}. {cite.publisher or cite.howpublished or ''} doi:{cite.doi}"
                if cite
                else None
            ),
            distribution=files,
            record_sets=record_sets,
            data_collection=desc.collection_methodology if desc else None,
            data_limitations=[desc.limitations] if desc and desc.limitations else None,
            data_biases=[usage.bias_risks] if usage and usage.bias_risks else None,
            personal_sensitive_information=_sensitive(card),
        )
        doc: dict[str, Any] = metadata.to_json()
    validate_croissant(doc)
    return doc


def _semver(text: str | None) -> str:
    parts = (text or "1.0").split(".")
    return ".".join([*parts, "0", "0"][:3])


def _sensitive(card: DataCard) -> list[str] | None:
    ngm = card.governed_use.non_sensitivity_governance_metadata if card.governed_use else None
    if ngm is None or ngm.privacy is None:
        return None
    found = [
        kind
        for kind, status in (("PII", ngm.privacy.pii_status), ("PHI", ngm.privacy.phi_status))
        if status and status != "No"
    ]
    return found or ["none"]


def validate_croissant(doc: dict[str, Any]) -> None:
    """Validate with mlcroissant.

    Raises:
        InvalidInput: mlcroissant reports errors.
    """
    with _quiet() as mlc:
        try:
            dataset = mlc.Dataset(jsonld=doc)
        except Exception as e:  # mlcroissant raises ValidationError, but also AssertionError on foreign documents
            raise InvalidInput(f"not valid Croissant: {' '.join(str(e).split())[:500]}") from None
        errors = sorted(dataset.metadata.issues.errors)
    if errors:
        raise InvalidInput(f"not valid Croissant: {' '.join('; '.join(errors[:5]).split())}")


def from_croissant(doc: dict[str, Any]) -> DataCard:
    """A partial Genesis card from a Croissant document (validated first)."""
    validate_croissant(doc)
    with _quiet() as mlc:
        meta = mlc.Dataset(jsonld=doc).metadata
    features = [
        {"name": field.name, "description": field.description}
        for record_set in meta.record_sets
        for field in record_set.fields
    ]
    authors = [
        {"person": _split(c.name)} if isinstance(c, mlc.Person) else {"organization": {"name": c.name}}
        for c in meta.creators
    ]
    card = {
        "supports_discoverability": "Yes",
        "discoverability": {
            "identification": {"name": meta.name},
            "dataset_description": {"dataset_summary": meta.description, "keywords": list(meta.keywords or []) or None},
            "authors": authors or None,
        },
        "interoperability": {
            "data_structure": {
                "formats": sorted({fmt for f in meta.distribution for fmt in (f.encoding_formats or [])}) or None,
                "features": [without_blanks(f) for f in features] or None,
            }
        },
        "reusability": {"license": {"url": str(meta.license[0])}} if meta.license else None,
    }
    return DataCard.model_validate(without_blanks(card))


def _split(name: str) -> dict[str, str]:
    family, _, given = name.partition(", ")
    return {"given_name": given, "family_name": family} if given else {"given_name": "", "family_name": name}
