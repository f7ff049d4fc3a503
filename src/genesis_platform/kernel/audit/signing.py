"""The audit signing key: Ed25519, created at `genesis init`, private half stored with mode 0600.

Retired public keys stay in the keyring (`keys/keyring/<key id>.pub`) so checkpoints signed before a rotation
still verify. A key id is the first 16 bytes of SHA-256 over the raw public key, in hex.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from genesis_platform.kernel.errors import NotInitialised

__all__ = ["Keyring", "Signer", "create_signing_key", "key_id_of", "rotate_signing_key"]

_PRIVATE = "audit-ed25519.pem"
_KEYRING = "keyring"


def key_id_of(public: Ed25519PublicKey) -> str:
    """Return the key id of a public key."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:32]


def _write_private(path: Path, key: Ed25519PrivateKey) -> None:
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _write_public(folder: Path, public: Ed25519PublicKey) -> str:
    key_id = key_id_of(public)
    folder.mkdir(parents=True, exist_ok=True)
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    (folder / f"{key_id}.pub").write_bytes(pem)
    return key_id


def create_signing_key(keys: Path) -> str:
    """Create the audit signing key in `keys` (mode 0700) and return its key id.

    Raises:
        FileExistsError: a key is already there; rotate it instead.
    """
    keys.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(keys, 0o700)
    if (keys / _PRIVATE).exists():
        raise FileExistsError(f"{keys / _PRIVATE} already exists")
    key = Ed25519PrivateKey.generate()
    _write_private(keys / _PRIVATE, key)
    return _write_public(keys / _KEYRING, key.public_key())


def rotate_signing_key(keys: Path) -> tuple[str, str]:
    """Replace the signing key; the old public key stays in the keyring. Return (old id, new id)."""
    old = Signer.load(keys)
    key = Ed25519PrivateKey.generate()
    new_id = _write_public(keys / _KEYRING, key.public_key())
    _write_private(keys / _PRIVATE, key)
    return old.key_id, new_id


class Signer:
    """Signs audit tree heads and checkpoints.

    Args:
        key: the private key.
    """

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key
        self.key_id = key_id_of(key.public_key())

    @classmethod
    def load(cls, keys: Path) -> Signer:
        """Load the signing key from a home's `keys` folder.

        Raises:
            NotInitialised: there is no key; run `genesis init`.
        """
        path = keys / _PRIVATE
        if not path.is_file():
            raise NotInitialised(f"no audit signing key at {path}; run `genesis init` first")
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise NotInitialised(f"{path} is not an Ed25519 key")
        return cls(key)

    @classmethod
    def ephemeral(cls) -> Signer:
        """A fresh in-memory key, for tests and throwaway platforms."""
        return cls(Ed25519PrivateKey.generate())

    @property
    def public_key(self) -> Ed25519PublicKey:
        """The public half."""
        return self._key.public_key()

    def sign(self, message: bytes) -> str:
        """Return the base64 signature of `message`."""
        return base64.b64encode(self._key.sign(message)).decode("ascii")


class Keyring:
    """Public keys by key id, used to verify signatures made before and after rotations.

    Args:
        keys: public keys.
    """

    def __init__(self, keys: list[Ed25519PublicKey]) -> None:
        self._keys = {key_id_of(k): k for k in keys}

    @classmethod
    def load(cls, keys: Path) -> Keyring:
        """Load every public key in a home's keyring."""
        found: list[Ed25519PublicKey] = []
        for path in sorted((keys / _KEYRING).glob("*.pub")):
            key = serialization.load_pem_public_key(path.read_bytes())
            if isinstance(key, Ed25519PublicKey):
                found.append(key)
        return cls(found)

    def add(self, key: Ed25519PublicKey) -> None:
        """Trust one more public key."""
        self._keys[key_id_of(key)] = key

    def __contains__(self, key_id: object) -> bool:
        return key_id in self._keys

    def verify(self, key_id: str, message: bytes, signature: str) -> bool:
        """Whether `signature` over `message` was made by the key `key_id`."""
        key = self._keys.get(key_id)
        if key is None:
            return False
        try:
            key.verify(base64.b64decode(signature, validate=True), message)
        except (InvalidSignature, ValueError):
            return False
        return True
