"""`genesis asset`: governed assets and their markings (capabilities such as datasets build on these)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from genesis_platform.cli._common import HomeOption, JsonOption, TokenOption, console, print_json, session, table
from genesis_platform.kernel import GovernedAsset
from genesis_platform.kernel.assets.markings import UseStatus, parse_markings

__all__ = ["app"]

app = typer.Typer(help="Governed assets: register with markings, list what you may discover, show, re-mark.")

USES = ", ".join(u.value for u in UseStatus)


def _row(asset: GovernedAsset) -> tuple[Any, ...]:
    return (asset.id, asset.kind, asset.name, asset.markings.banner, asset.project or "")


@app.command("register")
def register(
    name: Annotated[str, typer.Argument(help="Short title.")],
    kind: Annotated[str, typer.Option("--kind", help="dataset, model, workflow, campaign, ...")] = "dataset",
    description: Annotated[str, typer.Option("--description", help="What it is, for discovery.")] = "",
    project: Annotated[str | None, typer.Option("--project", help="Project whose members need to know.")] = None,
    marking: Annotated[
        str,
        typer.Option("--marking", help="Banner: PUBLIC, UNCLASSIFIED, CUI//SP-EXPT//NOFORN, SECRET//RD, ..."),
    ] = "UNCLASSIFIED",
    pii: Annotated[bool, typer.Option("--pii", help="Holds personally identifiable information.")] = False,
    phi: Annotated[bool, typer.Option("--phi", help="Holds protected health information.")] = False,
    ip: Annotated[str | None, typer.Option("--ip", help="IP restriction, e.g. Proprietary, Limited_Rights.")] = None,
    agreement: Annotated[
        list[str] | None,
        typer.Option("--agreement", help="Required agreement (repeatable), e.g. CRADA:ORNL-ACME-2026."),
    ] = None,
    export_control: Annotated[
        str | None, typer.Option("--export-control", help="ITAR, EAR, DOE_Nuclear_Export_Control or Other.")
    ] = None,
    foreign_access: Annotated[
        str | None, typer.Option("--foreign-access", help="Allowed, Restricted, Prohibited, Conditional, Unknown.")
    ] = None,
    embargo_until: Annotated[str | None, typer.Option("--embargo-until", help="YYYY-MM-DD.")] = None,
    dissemination: Annotated[
        list[str] | None, typer.Option("--dl", help="DL ONLY entry (repeatable): a user id or org:<id>.")
    ] = None,
    training_use: Annotated[str | None, typer.Option("--training-use", help=USES)] = None,
    inference_use: Annotated[str | None, typer.Option("--inference-use", help=USES)] = None,
    evaluation_use: Annotated[str | None, typer.Option("--evaluation-use", help=USES)] = None,
    home: HomeOption = None,
    token: TokenOption = None,
) -> None:
    """Register an asset you own, in your organisation, under markings you are cleared for.

    Example: genesis asset register "Blanket neutronics" --project fusion --marking "CUI//SP-EXPT//NOFORN"
    """
    markings = parse_markings(
        marking,
        pii=pii,
        phi=phi,
        ip_restriction=ip,
        required_agreements=agreement or [],
        export_control=export_control,
        foreign_national_access=foreign_access,
        embargo_until=embargo_until,
        dissemination_list=dissemination or [],
        training_use=training_use,
        inference_use=inference_use,
        evaluation_use=evaluation_use,
    )
    with session(home, token) as (platform, me):
        asset = platform.assets.register(
            me, kind=kind, name=name, description=description, project=project, markings=markings
        )
    console.print(f"registered {asset.kind} [bold]{asset.id}[/] marked {asset.markings.banner}")


@app.command("list")
def list_(
    kind: Annotated[str | None, typer.Option("--kind", help="Only this kind.")] = None,
    home: HomeOption = None,
    token: TokenOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the assets you may discover."""
    with session(home, token) as (platform, me):
        assets = platform.assets.list(me, kind)
    if as_json:
        print_json([a.model_dump(mode="json") for a in assets])
        return
    table("Assets", ["id", "kind", "name", "marking", "project"], [_row(a) for a in assets])


@app.command("show")
def show(
    asset_id: Annotated[str, typer.Argument(help="The asset id.")],
    home: HomeOption = None,
    token: TokenOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show an asset's description and markings."""
    with session(home, token) as (platform, me):
        asset = platform.assets.get(me, asset_id)
    data = asset.model_dump(mode="json")
    if as_json:
        print_json(data)
        return
    data["markings"] = asset.markings.banner
    table(f"Asset {asset.id}", ["field", "value"], list(data.items()))


@app.command("provenance")
def provenance(
    asset_id: Annotated[str, typer.Argument(help="The asset id.")],
    depth: Annotated[int, typer.Option("--depth", min=1, max=50, help="Relations to follow.")] = 10,
    home: HomeOption = None,
    token: TokenOption = None,
) -> None:
    """Print the asset's lineage as W3C PROV-JSON (assets you may not discover are left out)."""
    with session(home, token) as (platform, me):
        text = platform.provenance.export(me, asset_id, depth)
    typer.echo(text)
