"""Interchange formats of the catalogue: DataCite 4.5, DCAT 3, Croissant 1.1, RO-Crate 1.x, and the Genesis card.

Each exporter works from a dataset version and its data card (the attached one, or a draft), so everything the
card knows reaches every format; each importer turns a document back into a (partial) Genesis card.
"""

from genesis_platform.catalog.formats.common import FORMATS, ExportSubject
from genesis_platform.catalog.formats.croissant import from_croissant, to_croissant, validate_croissant
from genesis_platform.catalog.formats.datacite import from_datacite, to_datacite, validate_datacite
from genesis_platform.catalog.formats.dcat import from_dcat, to_dcat

__all__ = [
    "FORMATS",
    "ExportSubject",
    "from_croissant",
    "from_datacite",
    "from_dcat",
    "to_croissant",
    "to_datacite",
    "to_dcat",
    "validate_croissant",
    "validate_datacite",
]
