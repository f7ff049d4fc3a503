"""`genesis init`, `genesis serve`, `genesis demo`: creating, serving and demonstrating a platform."""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from genesis_platform.bootstrap import Platform
from genesis_platform.cli._common import HomeOption, console, settings_for, table
from genesis_platform.demo import run_demo
from genesis_platform.kernel import InvalidInput

__all__ = ["demo", "init", "serve"]


def init(
    home: HomeOption = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url", help="PostgreSQL URL, e.g. postgresql://user@host/db (default: SQLite in the home)."
        ),
    ] = None,
    blobs_url: Annotated[
        str | None, typer.Option("--blobs-url", help="fsspec URL of the blob store (default: <home>/blobs).")
    ] = None,
    admin: Annotated[str, typer.Option("--admin", help="Username of the first administrator.")] = "admin",
    admin_email: Annotated[str, typer.Option("--admin-email", help="Their contact address.")] = "admin@genesis.local",
) -> None:
    """Create a platform: its home, audit signing key, database and first administrator.

    The administrator's token is printed once and saved in <home>/credentials (mode 0600); commands run in this
    home use it when no --token or GENESIS_TOKEN is given.
    """
    settings = settings_for(home)
    platform, token = Platform.initialise(
        settings, database_url=database_url, blobs_url=blobs_url, admin_username=admin, admin_email=admin_email
    )
    platform.close()
    console.print(f"platform created in [bold]{settings.layout.root.resolve()}[/]")
    console.print(f"administrator [bold]{admin}[/] token (saved to {settings.layout.credentials}, shown once):")
    typer.echo(token.secret)


def serve(
    home: HomeOption = None,
    host: Annotated[str | None, typer.Option("--host", help="Interface to bind (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="TCP port (default 8470).", min=1, max=65535)] = None,
) -> None:
    """Serve the REST API (OpenAPI at /openapi.json, interactive docs at /docs)."""
    import uvicorn

    settings = settings_for(home)
    Platform.open(settings).close()  # fail here, in one line, if the home is not a platform
    os.environ["GENESIS_HOME"] = str(settings.home.resolve())
    uvicorn.run(
        "genesis_platform.api.app:app_from_environment",
        factory=True,
        host=host or settings.api.host,
        port=port or settings.api.port,
        log_level="info",
    )


def demo(home: HomeOption = None) -> None:
    """Build a demonstration platform and show what its policy allows and denies, and why.

    Uses a fresh temporary home unless --home names an empty or new folder.
    """
    if home is None:
        home = Path(tempfile.mkdtemp(prefix="genesis-demo-"))
    elif home.exists() and any(home.iterdir()):
        raise InvalidInput(f"{home} is not empty; the demo needs a fresh home (omit --home to use a temporary one)")
    platform, token = Platform.initialise(settings_for(home))
    try:
        admin = platform.authenticate(token.secret, "cli")
        console.print(f"Genesis demo platform in [bold]{home}[/]")
        result = run_demo(platform, admin)
    finally:
        platform.close()
    rows = [
        (r.user, r.action, r.asset, "[green]ALLOW[/]" if r.allowed else "[red]DENY[/]", r.policy) for r in result.rows
    ]
    table("People", ["user", "who"], sorted({(r.user, r.who) for r in result.rows}))
    table("Assets", ["asset", "marking"], sorted({(r.asset, r.marking) for r in result.rows}))
    table("Policy decisions", ["user", "action", "asset", "decision", "deciding policy"], rows)
    console.print("[bold]Why[/]")
    for policy, reason in sorted({(r.policy, r.reason) for r in result.rows}):
        console.print(f"  [bold]{policy}[/]: {reason}", highlight=False)
    table(
        "Catalogue: datasets registered with their data cards",
        ["dataset", "name", "marking", "rows", "card completeness"],
        [
            (d.id, d.name, d.marking, d.rows, f"{d.completeness:.0%}" if d.completeness is not None else "no card")
            for d in result.datasets
        ],
    )
    table(
        "Search: the same query, two users (results, counts and facets only over what each may discover)",
        ["user", "query", "results", "first results"],
        [
            (
                s.user,
                (repr(s.query) + (" by meaning" if s.semantic else "")) if s.query else "(everything)",
                s.total,
                "; ".join(s.names[:3]),
            )
            for s in result.searches
        ],
    )
    p = result.prediction
    if p is not None:
        console.print(
            f"CHGNet ({result.model_id}) on {p.input_name}: {p.formula}, {p.sites} sites, "
            f"energy {p.outputs['energy_per_atom']:.4f} eV/atom, magnetic moments "
            f"{max(abs(m) for m in p.outputs['magmoms']):.3f} μB at most; input sha256 {p.input_sha256[:12]}… "
            f"→ output sha256 {p.output_sha256[:12]}… recorded in provenance",
            highlight=False,
        )
    c = result.campaign
    if c is not None:
        found = (
            f"found {math.ceil(0.8 * c.top)} of the {c.top} top-5 % designs in {c.needed} experiments; "
            f"random sampling needs {c.random:.0f} on average ({c.random / c.needed:.1f}x more)"
            if c.needed
            else f"found {c.found} of the {c.top} top-5 % designs in {c.trials} experiments, where random sampling "
            f"finds {c.trials * c.top / c.pool:.0f} on average"
        )
        console.print(
            f"campaign {c.id} on the {c.pool} crossed-barrel designs: {found}; toughest {c.best:.2f} J",
            highlight=False,
        )
    report = result.verification
    if not report.ok:
        raise typer.Exit(6)
    console.print(f"audit chain verified: {report.records} records")
    console.print(f"explore it: genesis audit log --home {home}")
    console.print(f"            genesis asset list --home {home}")
