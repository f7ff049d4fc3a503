"""A platform with the standard cast, reachable through the CLI (its home) and the API (a test client)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from genesis_platform.api import create_app
from genesis_platform.bootstrap import Platform
from genesis_platform.kernel.db import api_tokens, assets, organisations, users


@pytest.fixture
def api(platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(platform), raise_server_exceptions=False) as client:
        yield client


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def state(platform: Platform) -> dict[str, int]:
    """Counts of everything but the audit log (which records denials too)."""
    with platform.engine.connect() as conn:
        return {
            t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in (organisations, users, api_tokens, assets)
        } | {
            "vetted": int(
                conn.execute(select(func.count()).select_from(users).where(users.c.vetting == "vetted")).scalar_one()
            )
        }
