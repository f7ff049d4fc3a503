"""Time as the platform sees it: timezone-aware UTC, and a port so tests can move it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

__all__ = ["Clock", "SystemClock", "utcnow"]


def utcnow() -> datetime:
    """Return the current time in UTC, timezone-aware."""
    return datetime.now(UTC)


class Clock(Protocol):
    """Where services read the time from."""

    def now(self) -> datetime:
        """Return the current time in UTC, timezone-aware."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        """Return the current time in UTC, timezone-aware."""
        return utcnow()
