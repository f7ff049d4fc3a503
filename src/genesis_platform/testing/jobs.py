"""Small picklable jobs for compute-port tests (spawned workers import them by name)."""

from __future__ import annotations

import os
import time
from pathlib import Path

__all__ = ["fail", "nap", "span", "square", "touch", "worker_pid"]


def square(x: int) -> int:
    """Return x squared."""
    return x * x


def worker_pid() -> int:
    """Return the process id the job ran in."""
    return os.getpid()


def fail(message: str) -> None:
    """Raise `RuntimeError(message)`."""
    raise RuntimeError(message)


def nap(seconds: float, mark: str | None = None) -> float:
    """Create the file `mark` if given (so a test can tell the job has started), sleep, return the seconds."""
    if mark is not None:
        Path(mark).touch()
    time.sleep(seconds)
    return seconds


def touch(path: str) -> str:
    """Create the file at `path` (so a test can tell whether the job ran)."""
    Path(path).touch()
    return path


def span(seconds: float) -> tuple[float, float]:
    """Sleep; return when the job started and ended (wall clock), so a test can see jobs overlap."""
    start = time.time()
    time.sleep(seconds)
    return start, time.time()
