"""`genesis org`: participating organisations."""

from __future__ import annotations

from typing import Annotated

import typer

from genesis_platform.cli._common import HomeOption, JsonOption, TokenOption, console, print_json, session, table
from genesis_platform.kernel.identity.model import OrganisationKind

__all__ = ["app"]

app = typer.Typer(help="Participating organisations: agencies, national laboratories, universities, companies.")

KINDS = ", ".join(k.value for k in OrganisationKind)


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Unique name, e.g. 'Oak Ridge National Laboratory'.")],
    kind: Annotated[str, typer.Option("--kind", help=f"One of: {KINDS}.")],
    country: Annotated[str, typer.Option("--country", help="ISO 3166-1 alpha-3 code, e.g. USA, GBR.")] = "USA",
    home: HomeOption = None,
    token: TokenOption = None,
) -> None:
    """Add an organisation (platform administrators).

    FEDCON and NOCON markings read the kind: federal agencies and national laboratories are federal.
    """
    with session(home, token) as (platform, me):
        org = platform.identity.add_organisation(me, name, kind, country)
    console.print(f"added organisation [bold]{org.name}[/] ({org.kind.value}, {org.country}) id {org.id}")


@app.command("list")
def list_(home: HomeOption = None, token: TokenOption = None, as_json: JsonOption = False) -> None:
    """List organisations (any vetted user)."""
    with session(home, token) as (platform, me):
        orgs = platform.identity.list_organisations(me)
    if as_json:
        print_json([o.model_dump(mode="json") for o in orgs])
        return
    table("Organisations", ["name", "kind", "country", "id"], [(o.name, o.kind.value, o.country, o.id) for o in orgs])
