"""Small picklable jobs for compute-port tests (spawned workers import them by name)."""

from __future__ import annotations

import os

__all__ = ["fail", "square", "worker_pid"]


def square(x: int) -> int:
    """Return x squared."""
    return x * x


def worker_pid() -> int:
    """Return the process id the job ran in."""
    return os.getpid()


def fail(message: str) -> None:
    """Raise `RuntimeError(message)`."""
    raise RuntimeError(message)
