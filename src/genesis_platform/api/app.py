"""The FastAPI application: one router per capability, problem+json errors, OpenAPI at /openapi.json."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from genesis_platform import __version__
from genesis_platform.api import problems
from genesis_platform.api.routes import (
    access,
    assets,
    audit,
    campaigns,
    datasets,
    health,
    models,
    organisations,
    policy,
    users,
)
from genesis_platform.bootstrap import Platform
from genesis_platform.kernel import Settings

__all__ = ["app_from_environment", "create_app"]

DESCRIPTION = """
The REST API of **Genesis**, an open implementation of the American Science and Security Platform
(Genesis Mission order, EO 14363). Every request carries a bearer token (`genesis user token issue`); every
read and change is decided by the Cedar policy engine and recorded in the tamper-evident audit log.
Errors are RFC 9457 `application/problem+json`.
"""


def create_app(platform: Platform, *, owns_platform: bool = False) -> FastAPI:
    """Build the API over an open platform (closed with the app when `owns_platform`)."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if owns_platform:
            platform.close()

    app = FastAPI(title="Genesis", version=__version__, description=DESCRIPTION, lifespan=lifespan)
    app.state.platform = platform
    problems.install(app)
    for module in (health, organisations, users, assets, access, datasets, models, campaigns, policy, audit):
        app.include_router(module.router)
    app.include_router(campaigns.instruments)
    return app


def app_from_environment() -> FastAPI:
    """Open the platform that `GENESIS_HOME` (and the other `GENESIS_*` settings) name and serve it.

    `genesis serve` runs this as a uvicorn factory, so the CLI never imports the API.
    """
    return create_app(Platform.open(Settings()), owns_platform=True)
