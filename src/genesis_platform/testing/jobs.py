"""Small picklable jobs for compute-port tests (spawned workers import them by name)."""

from __future__ import annotations

import os
import time
from pathlib import Path

__all__ = ["fail", "hold", "nap", "span", "square", "touch", "worker_pid"]


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


def hold(gate: str, mark: str | None = None, limit: float = 120.0) -> str:
    """Create the file `mark` if given, then wait until the file `gate` exists (at most `limit` seconds).

    A test holds a job running for exactly as long as it needs, without guessing a duration.
    """
    if mark is not None:
        Path(mark).touch()
    deadline = time.monotonic() + limit
    while not Path(gate).exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{gate} never appeared")
        time.sleep(0.01)
    return gate


def touch(path: str) -> str:
    """Create the file at `path` (so a test can tell whether the job ran)."""
    Path(path).touch()
    return path


def span(seconds: float) -> tuple[float, float]:
    """Sleep; return when the job started and ended (wall clock), so a test can see jobs overlap."""
    start = time.time()
    time.sleep(seconds)
    return start, time.time()
