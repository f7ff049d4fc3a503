"""Shared fixtures: a clean environment, both database engines, and platforms built through the services."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from genesis_platform.bootstrap import Platform
from genesis_platform.kernel.identity.tokens import TokenHasher
from genesis_platform.kernel.settings import Settings
from genesis_platform.testing import Cast, FrozenClock, InlineExecutor, build_cast

PG_URL = os.environ.get("GENESIS_TEST_DATABASE_URL")
# Cheap argon2 parameters in tests: the hashing is real, only its cost is lowered.
FAST_HASHER = TokenHasher(time_cost=1, memory_cost=8)


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's GENESIS_* settings (the PostgreSQL URL is read at import)."""
    for key in list(os.environ):
        if key.startswith("GENESIS_"):
            monkeypatch.delenv(key)


def _pg_schema_url() -> Iterator[str]:
    assert PG_URL is not None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | None]:
    """None for SQLite in the platform home, or a fresh PostgreSQL schema (skipped without one)."""
    if request.param == "sqlite":
        yield None
        return
    if not PG_URL:
        pytest.skip("GENESIS_TEST_DATABASE_URL is not set (CI sets it; .ci/run)")
    yield from _pg_schema_url()


@pytest.fixture
def clock() -> FrozenClock:
    # Frozen at the real time of the test: CLI commands reopen the same home with the system clock, so tokens
    # issued under this clock must still be valid then (a fixed date made every CLI test expire a day later).
    return FrozenClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def platform(home: Path, database_url: str | None, clock: FrozenClock) -> Iterator[Platform]:
    """An initialised platform on each engine, with a frozen clock and inline compute."""
    p, _ = Platform.initialise(
        Settings(home=home), database_url=database_url, clock=clock, executor=InlineExecutor(), hasher=FAST_HASHER
    )
    try:
        yield p
    finally:
        p.close()


@pytest.fixture
def sqlite_platform(home: Path, clock: FrozenClock) -> Iterator[Platform]:
    """An initialised platform on SQLite only (for tests that do not depend on the engine)."""
    p, _ = Platform.initialise(Settings(home=home), clock=clock, executor=InlineExecutor(), hasher=FAST_HASHER)
    try:
        yield p
    finally:
        p.close()


def _cast(p: Platform) -> Cast:
    token = p.saved_token()
    assert token is not None
    return build_cast(p, p.authenticate(token, "internal"), token)


@pytest.fixture
def cast(platform: Platform) -> Cast:
    return _cast(platform)


@pytest.fixture
def sqlite_cast(sqlite_platform: Platform) -> Cast:
    return _cast(sqlite_platform)


class CliResult:
    """What a `genesis` command printed and how it exited."""

    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def __repr__(self) -> str:
        return f"CliResult(code={self.code}, out={self.out[-400:]!r}, err={self.err!r})"


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run `genesis ARGS...` in-process and return its exit code and output."""
    from genesis_platform.cli import main

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        code = 0
        try:
            main(list(args))
        except SystemExit as e:
            code = int(e.code or 0) if not isinstance(e.code, str) else 1
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
