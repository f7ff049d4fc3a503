"""What every command shares: the platform home and token options, opening a session, output helpers."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from genesis_platform.bootstrap import Platform
from genesis_platform.kernel import InvalidInput, Principal, Settings

__all__ = [
    "HomeOption",
    "JsonOption",
    "TokenOption",
    "console",
    "err_console",
    "parse_moment",
    "print_json",
    "session",
    "settings_for",
    "table",
]

console = Console(soft_wrap=True)  # messages stay one line when piped; tables still fit the width
err_console = Console(stderr=True)

HomeOption = Annotated[
    Path | None,
    typer.Option(
        "--home",
        envvar="GENESIS_HOME",
        help="Platform home folder (default: $GENESIS_HOME or ./.genesis).",
        show_default=False,
    ),
]
TokenOption = Annotated[
    str | None,
    typer.Option(
        "--token",
        envvar="GENESIS_TOKEN",
        help="API token to act with (default: $GENESIS_TOKEN, else the administrator token `genesis init` saved).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def settings_for(home: Path | None) -> Settings:
    """Settings with the chosen home."""
    return Settings(home=home) if home is not None else Settings()


@contextmanager
def session(home: Path | None, token: str | None) -> Iterator[tuple[Platform, Principal]]:
    """Open the platform and authenticate the caller; close it afterwards."""
    platform = Platform.open(settings_for(home))
    try:
        principal = platform.authenticate(token or platform.saved_token(), "cli")
        yield platform, principal
    finally:
        platform.close()


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print a Rich table."""
    out = Table(title=title, title_justify="left", header_style="bold")
    for column in columns:
        out.add_column(column, overflow="fold")
    for row in rows:
        out.add_row(*[str(v) if v is not None else "" for v in row])
    console.print(out)


def print_json(value: Any) -> None:
    """Print a value as indented JSON (no colour, so it pipes cleanly)."""
    typer.echo(json.dumps(value, indent=2, sort_keys=True, default=str))


_RELATIVE = re.compile(r"^(\d+)([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_moment(text: str | None, option: str) -> datetime | None:
    """Parse `2026-11-25`, `2026-11-25T10:00:00Z` or a span back from now such as `90m`, `24h`, `7d`."""
    if text is None:
        return None
    match = _RELATIVE.match(text.strip())
    if match:
        return datetime.now(UTC) - timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{option}: {text!r} is neither an ISO date/time nor a span like 24h or 7d") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
