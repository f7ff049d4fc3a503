"""Canonical JSON: one byte string per value, so hashes and signatures are reproducible.

The form is the subset of RFC 8785 (JCS) that audit and provenance records need: object keys sorted, no
insignificant whitespace, UTF-8, and only strings, integers, booleans, null, lists and objects. Floats are
refused because their textual form is where JCS implementations disagree; record them as strings.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["canonical_json", "check_canonical_value"]

_dumps = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode


def check_canonical_value(value: Any, path: str = "$") -> None:
    """Raise `TypeError` if `value` holds anything canonical JSON does not allow.

    Args:
        value: the value to check.
        path: where `value` sits, for the error message.
    """
    if value is None or isinstance(value, str | bool | int):
        return
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            check_canonical_value(item, f"{path}[{i}]")
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{path}: object keys must be strings, got {type(key).__name__}")
            check_canonical_value(item, f"{path}.{key}")
        return
    raise TypeError(f"{path}: {type(value).__name__} is not allowed in canonical JSON")


def canonical_json(value: Mapping[str, Any]) -> bytes:
    """Return the canonical UTF-8 bytes of a JSON object.

    Callers that build values from trusted code call this directly; values from users go through
    `check_canonical_value` first.
    """
    return _dumps(value).encode("utf-8")
