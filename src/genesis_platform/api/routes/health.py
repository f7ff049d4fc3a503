"""Liveness."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from genesis_platform import __version__

__all__ = ["router"]

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """The server is up."""

    status: str
    version: str


@router.get("/health", response_model=Health)
def health() -> Health:
    """Whether the server answers (no token needed; reveals nothing but the version)."""
    return Health(status="ok", version=__version__)
