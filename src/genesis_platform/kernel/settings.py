"""Platform settings: one root read from the environment (`GENESIS_*`) and the platform home.

Only `bootstrap` and the front doors read settings; everything else receives plain values. Precedence, highest
first: explicit arguments, environment variables (`GENESIS_DATABASE__URL`, `GENESIS_AUDIT__CHECKPOINT_EVERY`, ...),
the home's `config.json` written by `genesis init`, then the defaults below.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = [
    "ApiSettings",
    "AuditSettings",
    "ComputeSettings",
    "DatabaseSettings",
    "HomeLayout",
    "SearchSettings",
    "Settings",
    "TokenSettings",
]


class DatabaseSettings(BaseModel):
    """Where platform state lives.

    Attributes:
        url: SQLAlchemy URL; empty means SQLite (WAL) inside the platform home.
        echo: log every SQL statement (debugging only).
    """

    url: str | None = None
    echo: bool = False


class AuditSettings(BaseModel):
    """Audit log tuning.

    Attributes:
        checkpoint_every: records between automatic signed Merkle checkpoints.
    """

    checkpoint_every: int = Field(default=1000, ge=1)


class TokenSettings(BaseModel):
    """API token lifetimes.

    Attributes:
        default_ttl_days: lifetime of a token when none is asked for.
        max_ttl_days: the longest lifetime anyone may ask for.
    """

    default_ttl_days: int = Field(default=90, ge=1)
    max_ttl_days: int = Field(default=365, ge=1)


class ApiSettings(BaseModel):
    """The REST API server.

    Attributes:
        host: interface to bind; loopback by default so nothing is exposed by accident.
        port: TCP port.
    """

    host: str = "127.0.0.1"
    port: int = Field(default=8470, ge=1, le=65535)


class ComputeSettings(BaseModel):
    """The compute port.

    Attributes:
        workers: processes in the local pool (or CPUs of a local Ray cluster); 0 means one per CPU core.
        backend: `local` (a process pool) or `ray`.
        ray_address: the Ray cluster to join (`ray://host:10001`, `auto`); none starts a local one.
    """

    workers: int = Field(default=0, ge=0)
    backend: Literal["local", "ray"] = "local"
    ray_address: str | None = None


class SearchSettings(BaseModel):
    """Catalogue search.

    Attributes:
        semantic: offer semantic search when the embedding model (the `semantic` extra) is installed.
    """

    semantic: bool = True


class HomeLayout:
    """Where each piece of a platform home lives.

    Args:
        root: the home folder.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def config(self) -> Path:
        """Settings chosen at `genesis init` (database and blob URLs)."""
        return self.root / "config.json"

    @property
    def database(self) -> Path:
        """The embedded SQLite database."""
        return self.root / "genesis.db"

    @property
    def blobs(self) -> Path:
        """The local content-addressed blob store."""
        return self.root / "blobs"

    @property
    def keys(self) -> Path:
        """The audit signing key and the public keyring."""
        return self.root / "keys"

    @property
    def credentials(self) -> Path:
        """The administrator's API token, mode 0600."""
        return self.root / "credentials"

    def is_initialised(self) -> bool:
        """Whether `genesis init` has run here."""
        return self.config.is_file()

    def read_config(self) -> dict[str, Any]:
        """Return the settings saved by `genesis init`, or an empty mapping."""
        if not self.config.is_file():
            return {}
        data = json.loads(self.config.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}


class Settings(BaseSettings):
    """The root of all platform settings.

    Attributes:
        home: the platform home (`GENESIS_HOME`); `./.genesis` by default.
        database: database settings.
        blobs_url: fsspec URL of the blob store; empty means `<home>/blobs`.
        audit: audit log settings.
        tokens: API token settings.
        api: REST API server settings.
        compute: compute port settings.
        search: catalogue search settings.
    """

    model_config = SettingsConfigDict(env_prefix="GENESIS_", env_nested_delimiter="__", extra="ignore")

    home: Path = Path(".genesis")
    database: DatabaseSettings = DatabaseSettings()
    blobs_url: str | None = None
    audit: AuditSettings = AuditSettings()
    tokens: TokenSettings = TokenSettings()
    api: ApiSettings = ApiSettings()
    compute: ComputeSettings = ComputeSettings()
    search: SearchSettings = SearchSettings()

    @property
    def layout(self) -> HomeLayout:
        """The folders and files of this platform's home."""
        return HomeLayout(self.home)

    def database_url(self) -> str:
        """Return the database URL: the environment's, the home's, or SQLite in the home."""
        saved = self.layout.read_config().get("database_url")
        if self.database.url:
            return self.database.url
        if isinstance(saved, str) and saved:
            return saved
        return f"sqlite:///{self.layout.database.resolve()}"

    def resolved_blobs_url(self) -> str:
        """Return the blob store URL: the environment's, the home's, or a folder in the home."""
        saved = self.layout.read_config().get("blobs_url")
        if self.blobs_url:
            return self.blobs_url
        if isinstance(saved, str) and saved:
            return saved
        return str(self.layout.blobs.resolve())
