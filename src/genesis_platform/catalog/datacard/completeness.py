"""Completeness of a data card, per capability, read from the field annotations (field guide §8).

A field is complete when it holds a value, including the literal `not_applicable` ("does not apply"); blank,
absent or an unreplaced `${...}`/`__...__` placeholder is "not yet known". For `intended_partner_classes` and
`approved_environments` an empty list is a definite "none" and counts as complete. Required (`!`) and
if-applicable (`?`) fields are scored separately; a required block that is absent counts all its required
fields as missing, an optional block that is absent is not counted.
"""

from __future__ import annotations

import re
import types
import typing
from dataclasses import dataclass, field
from typing import Any, get_args, get_origin

from pydantic import BaseModel

from genesis_platform.catalog.datacard.model import DataCard

__all__ = ["CAPABILITIES", "Completeness", "completeness", "is_blank"]

CAPABILITIES = {
    "DIS": "discoverability",
    "ACC": "accessibility",
    "INT": "interoperability",
    "REU": "reusability",
    "GOV": "governed_use",
    "AIU": "ai_usability",
}
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|__[A-Za-z0-9_]+__")
_EMPTY_IS_ANSWER = {"intended_partner_classes", "approved_environments"}


def is_blank(value: Any, name: str = "") -> bool:
    """Whether a value is "not yet known"."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip() or bool(_PLACEHOLDER.search(value))
    if isinstance(value, list | dict):
        return not value and name not in _EMPTY_IS_ANSWER
    return False


@dataclass
class Tally:
    """Fields done out of fields expected."""

    done: int = 0
    total: int = 0
    missing: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        """Fraction done (1.0 when nothing is expected)."""
        return self.done / self.total if self.total else 1.0


@dataclass
class Completeness:
    """Completeness per capability.

    Attributes:
        required: tallies of `!` fields, by capability code.
        optional: tallies of `?` fields, by capability code.
        active: the capabilities the card's flags switch on.
    """

    required: dict[str, Tally]
    optional: dict[str, Tally]
    active: list[str]

    @property
    def score(self) -> float:
        """Required fields done out of required fields expected, over the active capabilities."""
        done = sum(self.required[c].done for c in self.active)
        total = sum(self.required[c].total for c in self.active)
        return done / total if total else 1.0

    def as_dict(self) -> dict[str, Any]:
        """For JSON output and storage."""
        return {
            "score": round(self.score, 4),
            "capabilities": {
                CAPABILITIES[c]: {
                    "active": c in self.active,
                    "required": f"{self.required[c].done}/{self.required[c].total}",
                    "optional": f"{self.optional[c].done}/{self.optional[c].total}",
                    "missing_required": self.required[c].missing[:50],
                }
                for c in CAPABILITIES
            },
        }


def _model_of(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """(the card model inside an annotation, whether it is a list of them)."""
    origin = get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        for arg in get_args(annotation):
            found, many = _model_of(arg)
            if found is not None:
                return found, many
        return None, False
    if origin is list:
        inner, _ = _model_of(get_args(annotation)[0])
        return (inner, True) if inner is not None else (None, False)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    return None, False


def _walk(cls: type[BaseModel], obj: Any, cap: str | None, path: str, out: Completeness) -> None:
    for name, info in cls.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        here = extra.get("cap") or cap
        required = bool(extra.get("req"))
        value = getattr(obj, name) if obj is not None else None
        sub, many = _model_of(info.annotation)
        where = f"{path}.{name}" if path else name
        if here is None or here not in CAPABILITIES:
            continue  # the six flags themselves
        if sub is not None and not many and name not in {"creator", "maintainer", "reviewed_by"}:
            if value is None and not required:
                continue
            _walk(sub, value, here, where, out)
            continue
        tally = (out.required if required else out.optional)[str(here)]
        tally.total += 1
        if is_blank(value, name):
            tally.missing.append(where)
        else:
            tally.done += 1


def completeness(card: DataCard) -> Completeness:
    """Score a card against the fields its capability flags expect."""
    out = Completeness(
        required={c: Tally() for c in CAPABILITIES},
        optional={c: Tally() for c in CAPABILITIES},
        active=[c for c in CAPABILITIES if card.active(c)],
    )
    for code, container in CAPABILITIES.items():
        info = DataCard.model_fields[container]
        sub, _ = _model_of(info.annotation)
        assert sub is not None
        value = getattr(card, container)
        if value is None and not card.active(code):
            continue
        _walk(sub, value, code, container, out)
    return out
