"""Request dependencies: the platform, and the authenticated principal from the bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from genesis_platform.bootstrap import Platform
from genesis_platform.kernel import Principal

__all__ = ["CurrentPrincipal", "PlatformDep", "current_principal", "get_platform"]

_bearer = HTTPBearer(auto_error=False, description="An API token from `genesis user token issue`.")


def get_platform(request: Request) -> Platform:
    """The platform the app serves."""
    platform: Platform = request.app.state.platform
    return platform


PlatformDep = Annotated[Platform, Depends(get_platform)]


def current_principal(
    platform: PlatformDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """Authenticate the bearer token (401 problem when missing, unknown, expired or revoked)."""
    return platform.authenticate(credentials.credentials if credentials else None, "api")


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
