"""Timestamps as stored: ISO 8601 UTC text with microseconds and a `Z`, the same on every engine."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["from_text", "to_text"]


def to_text(moment: datetime) -> str:
    """Return `moment` as `YYYY-MM-DDTHH:MM:SS.ffffffZ`.

    Raises:
        ValueError: `moment` has no timezone.
    """
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_text(text: str) -> datetime:
    """Parse a stored timestamp back to an aware datetime."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
