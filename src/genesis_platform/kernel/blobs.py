"""Content-addressed blob storage: SHA-256 identity, streaming, atomic writes, any fsspec filesystem.

A blob is stored once under its digest (`sha256/ab/cd/abcd...`). Writes stream to a temporary name and are
renamed into place only when complete, so a crash never leaves a half blob under a real digest. Reads stream
and re-hash as they go; a blob whose bytes no longer match its name raises `CorruptedData` at the end of
the stream, so a consumer never accepts corrupted data as whole.

The local folder is the default; `memory://`, `s3://`, `gs://` and other fsspec URLs select other stores
(their client packages must be installed).
"""

from __future__ import annotations

import hashlib
import os
import queue
import re
import threading
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, Protocol

import fsspec

from genesis_platform.kernel.errors import CorruptedData, InvalidInput, NotFound

__all__ = ["CHUNK", "BlobRef", "BlobStore", "FsspecBlobStore", "chunks_of"]

CHUNK = 1 << 20
"""Bytes read or written per step while streaming."""

_DIGEST = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class BlobRef:
    """A stored blob.

    Attributes:
        digest: SHA-256 of its bytes, hex.
        size: its length in bytes.
    """

    digest: str
    size: int


def chunks_of(stream: BinaryIO, size: int = CHUNK) -> Iterator[bytes]:
    """Read a binary stream in chunks."""
    while chunk := stream.read(size):
        yield chunk


def _check_digest(digest: str) -> str:
    if not _DIGEST.match(digest):
        raise InvalidInput(f"{digest!r} is not a SHA-256 hex digest")
    return digest


_FLUSH_EVERY = 64 << 20  # start disk writeback every 64 MiB instead of all at the final fsync


def _pipelined_write(out: BinaryIO, chunks: Iterable[bytes], hasher: hashlib._Hash) -> int:
    """Hash in this thread while a writer thread writes and flushes to disk; fsync before returning.

    hashlib and file writes release the GIL on large buffers, so hashing, writing and disk writeback overlap;
    the whole costs about what the disk costs.
    """
    pending: queue.Queue[bytes | None] = queue.Queue(maxsize=4)
    failure: list[BaseException] = []

    def writer() -> None:
        unflushed = 0
        try:
            while (chunk := pending.get()) is not None:
                out.write(chunk)
                unflushed += len(chunk)
                if unflushed >= _FLUSH_EVERY:
                    out.flush()
                    os.fdatasync(out.fileno())
                    unflushed = 0
            out.flush()
            os.fsync(out.fileno())
        except BaseException as e:
            failure.append(e)
            while pending.get() is not None:  # drain so the producer never blocks
                pass

    thread = threading.Thread(target=writer, name="blob-writer", daemon=True)
    thread.start()
    size = 0
    try:
        for chunk in chunks:
            hasher.update(chunk)
            size += len(chunk)
            pending.put(chunk)
            if failure:
                break
    finally:
        pending.put(None)
        thread.join()
    if failure:
        raise failure[0]
    return size


class BlobStore(Protocol):
    """Where blobs live. Implementations: `FsspecBlobStore`; `genesis_platform.testing.InMemoryBlobStore`.

    Contract: `put` returns the SHA-256 and size of exactly the bytes given and is atomic (the blob is either
    wholly present under its digest or absent); `read` yields the stored bytes and raises `CorruptedData`
    after the last chunk if they do not hash to the digest; `NotFound` for a digest never stored.
    """

    def put(self, chunks: Iterable[bytes]) -> BlobRef:
        """Store the bytes and return their reference."""
        ...

    def read(self, digest: str) -> Iterator[bytes]:
        """Stream a blob's bytes, verifying them."""
        ...

    def exists(self, digest: str) -> bool:
        """Whether a blob with this digest is stored."""
        ...

    def size(self, digest: str) -> int:
        """Length of a stored blob."""
        ...

    def delete(self, digest: str) -> None:
        """Remove a blob (withdrawal); absent blobs are ignored."""
        ...


class FsspecBlobStore:
    """A blob store on any fsspec filesystem.

    Args:
        url: a folder path or an fsspec URL (`memory://genesis`, `s3://bucket/prefix`).
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._fs, self._root = fsspec.core.url_to_fs(url)
        self._local = (
            "file" in self._fs.protocol if isinstance(self._fs.protocol, tuple) else self._fs.protocol == "file"
        )
        self._fs.makedirs(f"{self._root}/tmp", exist_ok=True)

    def path(self, digest: str) -> str:
        """Where a blob lives inside the store."""
        _check_digest(digest)
        return f"{self._root}/sha256/{digest[:2]}/{digest[2:4]}/{digest}"

    def put(self, chunks: Iterable[bytes]) -> BlobRef:
        """Store the bytes and return their reference (atomic)."""
        tmp = f"{self._root}/tmp/{uuid.uuid4().hex}"
        hasher = hashlib.sha256()
        size = 0
        try:
            with self._fs.open(tmp, "wb") as out:
                if self._local:
                    size = _pipelined_write(out, chunks, hasher)
                else:
                    for chunk in chunks:
                        hasher.update(chunk)
                        out.write(chunk)
                        size += len(chunk)
            digest = hasher.hexdigest()
            final = self.path(digest)
            if self._fs.exists(final):
                self._fs.rm(tmp)
            else:
                self._fs.makedirs(final.rsplit("/", 1)[0], exist_ok=True)
                self._fs.mv(tmp, final)
        except BaseException:
            if self._fs.exists(tmp):
                self._fs.rm(tmp)
            raise
        return BlobRef(digest, size)

    def read(self, digest: str, chunk_size: int = CHUNK) -> Iterator[bytes]:
        """Stream a blob's bytes; `CorruptedData` after the last chunk if they do not match the digest."""
        path = self.path(digest)
        if not self._fs.exists(path):
            raise NotFound(f"blob {digest} is missing from the store")
        return self._stream(path, digest, chunk_size)

    def _stream(self, path: str, digest: str, chunk_size: int) -> Iterator[bytes]:
        hasher = hashlib.sha256()
        with self._fs.open(path, "rb") as handle:
            while chunk := handle.read(chunk_size):
                hasher.update(chunk)
                yield chunk
        if hasher.hexdigest() != digest:
            raise CorruptedData(f"blob {digest} is corrupted: its bytes hash to {hasher.hexdigest()}")

    def verify(self, digest: str) -> bool:
        """Re-hash a stored blob; False if it is corrupted (NotFound if missing)."""
        try:
            for _ in self.read(digest):
                pass
        except CorruptedData:
            return False
        return True

    def exists(self, digest: str) -> bool:
        """Whether a blob with this digest is stored."""
        return bool(self._fs.exists(self.path(digest)))

    def size(self, digest: str) -> int:
        """Length of a stored blob."""
        path = self.path(digest)
        if not self._fs.exists(path):
            raise NotFound(f"blob {digest} is missing from the store")
        return int(self._fs.size(path))

    def delete(self, digest: str) -> None:
        """Remove a blob; absent blobs are ignored."""
        path = self.path(digest)
        if self._fs.exists(path):
            self._fs.rm(path)
