"""API tokens: random, shown once, stored as argon2id hashes, compared in constant time.

A token reads `gns_<id>_<secret>`: the id finds the stored record, the 256-bit secret is checked against its
argon2id hash. When the id is unknown a dummy hash is still verified, so a guess costs the same either way.
"""

from __future__ import annotations

import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = ["TokenHasher", "new_token", "parse_token"]

_PREFIX = "gns"
_TOKEN = re.compile(r"^gns_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")


def new_token() -> tuple[str, str, str]:
    """Return (id, secret, token text) of a fresh token."""
    token_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    return token_id, secret, f"{_PREFIX}_{token_id}_{secret}"


def parse_token(text: str) -> tuple[str, str] | None:
    """Split a token into (id, secret), or None if it is not shaped like one."""
    match = _TOKEN.match(text.strip())
    return None if match is None else (match.group(1), match.group(2))


class TokenHasher:
    """argon2id hashing of token secrets.

    The secrets are 256-bit random, so the parameters are OWASP's minimum (19 MiB, 2 passes): slow hashing
    protects low-entropy passwords, not these; argon2 is kept so a stolen table is useless anyway.

    Args:
        time_cost: argon2 passes.
        memory_cost: KiB of memory per hash.
    """

    def __init__(self, time_cost: int = 2, memory_cost: int = 19_456) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=1)
        self._dummy = self._hasher.hash(secrets.token_urlsafe(32))

    def hash(self, secret: str) -> str:
        """Return the argon2id hash of a secret."""
        return self._hasher.hash(secret)

    def verify(self, stored: str | None, secret: str) -> bool:
        """Whether `secret` matches `stored`; with `stored` None, spend the same time and return False."""
        try:
            return bool(self._hasher.verify(stored or self._dummy, secret)) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
