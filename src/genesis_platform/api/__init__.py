"""The REST API front door (FastAPI): thin routes over the same services as the CLI."""

from genesis_platform.api.app import create_app

__all__ = ["create_app"]
