"""The Genesis Mission Data Card v1.2: model, rules, completeness, markings and file form."""

from genesis_platform.catalog.datacard.completeness import Completeness, completeness
from genesis_platform.catalog.datacard.draft import draft_card
from genesis_platform.catalog.datacard.io import dump_card, load_card
from genesis_platform.catalog.datacard.model import DataCard
from genesis_platform.catalog.datacard.policy import markings_from_card
from genesis_platform.catalog.datacard.rules import Issue, check

__all__ = [
    "Completeness",
    "DataCard",
    "Issue",
    "check",
    "completeness",
    "draft_card",
    "dump_card",
    "load_card",
    "markings_from_card",
]
