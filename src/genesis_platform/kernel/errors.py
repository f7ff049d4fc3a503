"""The errors the kernel and every capability raise, and what each means to a caller.

Front doors map them once: the CLI prints one line and exits with `exit_code`; the API answers RFC 9457
problem+json with `status`. A message says what went wrong and, where it can, what to do next.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "AccessDenied",
    "AuditVerificationFailed",
    "AuthenticationFailed",
    "Conflict",
    "CorruptedData",
    "GenesisError",
    "InvalidInput",
    "NotFound",
    "NotInitialised",
]


class GenesisError(Exception):
    """Base of every error the platform raises on purpose.

    Attributes:
        status: HTTP status the API answers with.
        exit_code: exit status of the CLI.
        title: a short, stable summary of the kind of problem (RFC 9457 `title`).
        slug: the last segment of the problem `type` URI.
    """

    status: ClassVar[int] = 400
    exit_code: ClassVar[int] = 1
    title: ClassVar[str] = "Request failed"
    slug: ClassVar[str] = "error"

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra


class InvalidInput(GenesisError):
    """The request is malformed or breaks a domain rule; nothing was changed."""

    status = 422
    exit_code = 2
    title = "Invalid input"
    slug = "invalid-input"


class NotFound(GenesisError):
    """The named thing does not exist, or the caller may not learn that it exists."""

    status = 404
    exit_code = 4
    title = "Not found"
    slug = "not-found"


class Conflict(GenesisError):
    """The request conflicts with the current state (a duplicate name, a finished lifecycle)."""

    status = 409
    exit_code = 5
    title = "Conflict"
    slug = "conflict"


class AuthenticationFailed(GenesisError):
    """No credential, or one that is unknown, expired or revoked."""

    status = 401
    exit_code = 3
    title = "Authentication failed"
    slug = "authentication-failed"


class AccessDenied(GenesisError):
    """The policy engine denied the request; the denial is in the audit log."""

    status = 403
    exit_code = 3
    title = "Access denied"
    slug = "access-denied"


class NotInitialised(GenesisError):
    """The platform home has not been created with `genesis init`."""

    status = 503
    exit_code = 2
    title = "Platform not initialised"
    slug = "not-initialised"


class AuditVerificationFailed(GenesisError):
    """The audit log does not verify: a record was edited, deleted, reordered or inserted."""

    status = 409
    exit_code = 6
    title = "Audit log verification failed"
    slug = "audit-verification-failed"


class CorruptedData(GenesisError):
    """Stored data failed its integrity check (its SHA-256 no longer matches); nothing was served from it."""

    status = 500
    exit_code = 7
    title = "Stored data is corrupted"
    slug = "corrupted-data"
