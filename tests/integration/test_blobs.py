import hashlib
import io

import pytest

from genesis_platform.kernel import CorruptedData, InvalidInput, NotFound
from genesis_platform.kernel.blobs import FsspecBlobStore, chunks_of
from genesis_platform.testing import InMemoryBlobStore


@pytest.fixture(params=["local", "memory", "fake"])
def store(request, tmp_path):
    if request.param == "local":
        return FsspecBlobStore(str(tmp_path / "blobs"))
    if request.param == "memory":
        return FsspecBlobStore(f"memory://genesis-{tmp_path.name}")
    return InMemoryBlobStore()


def test_put_returns_sha256_and_size_and_reads_back(store):
    body = b"genesis " * 300_000
    ref = store.put(chunks_of(io.BytesIO(body), 65_536))
    assert ref.digest == hashlib.sha256(body).hexdigest() and ref.size == len(body)
    assert b"".join(store.read(ref.digest)) == body
    assert store.exists(ref.digest) and store.size(ref.digest) == len(body)
    again = store.put([body])
    assert again == ref


def test_missing_blob_is_not_found(store):
    with pytest.raises(NotFound):
        store.read("0" * 64)
    store.delete("0" * 64)


def test_corrupted_blob_fails_at_the_end_of_the_stream(tmp_path):
    store = FsspecBlobStore(str(tmp_path / "blobs"))
    ref = store.put([b"original bytes"])
    with open(store.path(ref.digest), "r+b") as handle:
        handle.write(b"X")
    assert not store.verify(ref.digest)
    with pytest.raises(CorruptedData, match=ref.digest):
        b"".join(store.read(ref.digest))


def test_a_failed_write_leaves_nothing_behind(tmp_path):
    store = FsspecBlobStore(str(tmp_path / "blobs"))

    def broken():
        yield b"partial"
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        store.put(broken())
    assert not store.exists(hashlib.sha256(b"partial").hexdigest())
    assert list((tmp_path / "blobs" / "tmp").iterdir()) == []


def test_digest_must_be_sha256_hex(tmp_path):
    store = FsspecBlobStore(str(tmp_path / "blobs"))
    with pytest.raises(InvalidInput):
        store.read("../../etc/passwd")
