"""In-memory and inline implementations of kernel ports."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from datetime import datetime, timedelta
from typing import Any, TypeVar

from genesis_platform.kernel.blobs import BlobRef
from genesis_platform.kernel.errors import CorruptedData, NotFound

__all__ = ["FrozenClock", "InMemoryBlobStore", "InlineExecutor"]

T = TypeVar("T")


class FrozenClock:
    """A clock that stands still until moved.

    Args:
        now: the time it shows.
    """

    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        """The time it shows."""
        return self._now

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward."""
        self._now += delta


class InlineExecutor:
    """Runs each job at once in the calling thread; the returned future is already done."""

    name = "inline"

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        """Run `fn(*args, **kwargs)` now."""
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as e:
            future.set_exception(e)
        return future

    def started(self, future: Future[Any]) -> bool:
        """Every call has run by the time `submit` returns."""
        return True

    def withdraw(self, future: Future[Any]) -> bool:
        """Too late: every call has run."""
        return False

    def abandon(self, future: Future[Any]) -> bool:
        """Too late: every call has run."""
        return False

    def shutdown(self, wait: bool = True) -> None:
        """Nothing to release."""


class InMemoryBlobStore:
    """Blobs in a dict (same contract as `FsspecBlobStore`)."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def put(self, chunks: Iterable[bytes]) -> BlobRef:
        """Store the bytes."""
        body = b"".join(chunks)
        digest = hashlib.sha256(body).hexdigest()
        self.data.setdefault(digest, body)
        return BlobRef(digest, len(body))

    def read(self, digest: str) -> Iterator[bytes]:
        """Stream a blob, verifying it."""
        if digest not in self.data:
            raise NotFound(f"blob {digest} is missing from the store")
        return self._stream(digest)

    def _stream(self, digest: str) -> Iterator[bytes]:
        body = self.data[digest]
        yield body
        if hashlib.sha256(body).hexdigest() != digest:
            raise CorruptedData(f"blob {digest} is corrupted")

    def exists(self, digest: str) -> bool:
        """Whether it is stored."""
        return digest in self.data

    def size(self, digest: str) -> int:
        """Its length."""
        if digest not in self.data:
            raise NotFound(f"blob {digest} is missing from the store")
        return len(self.data[digest])

    def delete(self, digest: str) -> None:
        """Forget it."""
        self.data.pop(digest, None)
