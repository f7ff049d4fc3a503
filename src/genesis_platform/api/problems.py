"""RFC 9457 problem details: every error the API returns, in one shape.

Domain errors map by their class (`InvalidInput` 422, `NotFound` 404, `Conflict` 409, `AccessDenied` 403,
`AuthenticationFailed` 401); request validation errors are 422 with the fields at fault; anything unexpected
is a 500 that reveals nothing of the server.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from genesis_platform.kernel import GenesisError

__all__ = ["PROBLEM_JSON", "install", "problem"]

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)


def problem(request: Request, status: int, title: str, detail: str, slug: str, **extra: Any) -> JSONResponse:
    """Build a problem+json response."""
    body = {
        "type": f"urn:genesis:problem:{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    headers = {"WWW-Authenticate": 'Bearer realm="genesis"'} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


async def _genesis_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, GenesisError)
    extra = {k: v for k, v in exc.extra.items() if k in {"policies"}}
    return problem(request, exc.status, exc.title, exc.message, exc.slug, **extra)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": ".".join(str(p) for p in e.get("loc", ())), "message": str(e.get("msg", ""))} for e in exc.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "the request is not valid"
    return problem(request, 422, "Invalid input", detail, "invalid-input", errors=errors)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    slug = {404: "not-found", 405: "method-not-allowed", 401: "authentication-failed"}.get(
        exc.status_code, "http-error"
    )
    return problem(request, exc.status_code, str(exc.detail), str(exc.detail), slug)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s", request.url.path)
    return problem(request, 500, "Internal error", "the server failed; the operators have the details", "internal")


def install(app: FastAPI) -> None:
    """Register the problem+json handlers on an app."""
    app.add_exception_handler(GenesisError, _genesis_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
