"""Test doubles for the platform's ports, and a standard cast of people, for tests and benchmarks.

Fakes stand in only for what is outside the machine or too slow for unit tests; they keep the ports'
contracts (the same contract tests run against them and the real implementations).
"""

from genesis_platform.testing.cast import Cast, build_cast
from genesis_platform.testing.fakes import FrozenClock, InlineExecutor, InMemoryBlobStore

__all__ = ["Cast", "FrozenClock", "InMemoryBlobStore", "InlineExecutor", "build_cast"]
