"""Turning pydantic validation errors into the one-line `InvalidInput` every front door shows."""

from __future__ import annotations

from enum import Enum
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from genesis_platform.kernel.errors import InvalidInput

__all__ = ["build", "parse_enum", "validation_message"]

M = TypeVar("M", bound=BaseModel)
E = TypeVar("E", bound=Enum)


def validation_message(error: ValidationError) -> str:
    """One line out of a pydantic validation error: `field: problem; field: problem`."""
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "value"
        msg = str(item["msg"]).removeprefix("Value error, ")
        parts.append(f"{where}: {msg}")
    return "; ".join(parts)


def build(model: type[M], **fields: Any) -> M:
    """Build a domain model, turning validation errors into one readable `InvalidInput`."""
    try:
        return model(**fields)
    except ValidationError as e:
        raise InvalidInput(validation_message(e)) from None


def parse_enum(enum: type[E], value: str, what: str) -> E:
    """Parse `value` into `enum`, or raise `InvalidInput` listing the choices."""
    try:
        return enum(value)
    except ValueError:
        raise InvalidInput(f"unknown {what} {value!r}; choose from {', '.join(str(m.value) for m in enum)}") from None
