"""`genesis model`: register domain foundation models with their cards, browse them, and run inference."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import yaml

from genesis_platform.catalog import ModelCard, Prediction
from genesis_platform.cli._common import HomeOption, JsonOption, TokenOption, console, print_json, session, table
from genesis_platform.kernel import InvalidInput
from genesis_platform.kernel.assets.markings import UseStatus, parse_markings
from genesis_platform.kernel.validation import build

__all__ = ["app"]

app = typer.Typer(help="Foundation models: versioned weights with model cards; inference decided and recorded.")

USES = ", ".join(u.value for u in UseStatus)


def _read_card(path: Path) -> ModelCard:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise InvalidInput(f"cannot read the model card {path}: {e.strerror}") from None
    except yaml.YAMLError as e:
        raise InvalidInput(f"{path} is not YAML or JSON: {str(e).splitlines()[0]}") from None
    if not isinstance(raw, dict):
        raise InvalidInput(f"{path} must hold a mapping of card fields (name, framework, intended_use, ...)")
    return build(ModelCard, **raw)


@app.command("register")
def register(
    source: Annotated[
        Path | None, typer.Argument(help="Weights: a checkpoint file or a folder of files (omit with --builtin).")
    ] = None,
    card: Annotated[
        Path | None, typer.Option("--card", help="Model card, YAML or JSON (name, framework, intended_use, ...).")
    ] = None,
    builtin: Annotated[
        str | None, typer.Option("--builtin", help="Register a model shipped inside a package: chgnet.")
    ] = None,
    version_of: Annotated[
        str | None, typer.Option("--version-of", help="Register as the next version of this model (id or name).")
    ] = None,
    project: Annotated[str | None, typer.Option("--project", help="Project whose members need to know.")] = None,
    marking: Annotated[
        str | None, typer.Option("--marking", help="Banner: PUBLIC, UNCLASSIFIED, CUI//SP-EXPT//NOFORN, ...")
    ] = None,
    agreement: Annotated[list[str] | None, typer.Option("--agreement", help="Required agreement (repeatable).")] = None,
    export_control: Annotated[str | None, typer.Option("--export-control", help="ITAR, EAR, ...")] = None,
    ip: Annotated[str | None, typer.Option("--ip", help="IP restriction, e.g. Proprietary.")] = None,
    inference_use: Annotated[str | None, typer.Option("--inference-use", help=USES)] = None,
    home: HomeOption = None,
    token: TokenOption = None,
) -> None:
    """Store a model's weights with its card; the weights are loaded once first to prove they work.

    Examples:
      genesis model register --builtin chgnet
      genesis model register runs/chgnet-ft.pth.tar --card chgnet-ft.yaml --project alloys --marking "CUI//SP-EXPT"
    """
    if (builtin is None) == (source is None):
        raise InvalidInput("give a weights file or folder, or --builtin chgnet (one of the two)")
    if builtin is not None and (card or version_of):
        raise InvalidInput("--builtin registers the bundled weights with their shipped card; drop --card/--version-of")
    marks = marking or agreement or export_control or ip or inference_use
    if version_of is not None and (marks or project):
        raise InvalidInput(
            "a new version keeps its model's markings and project (re-mark through POST /assets/ID/markings)"
        )
    model_card = _read_card(card) if card else None
    markings = None
    if marks:
        markings = parse_markings(
            marking or "UNCLASSIFIED",
            required_agreements=agreement or [],
            export_control=export_control,
            ip_restriction=ip,
            inference_use=inference_use,
        )
    with session(home, token) as (platform, me), console.status("loading and storing the weights"):
        if builtin is not None:
            version = platform.models.register_bundled(me, builtin, project=project, markings=markings)
        elif version_of is not None:
            assert source is not None
            version = platform.models.add_version(me, version_of, source, model_card)
        else:
            assert source is not None
            if model_card is None:
                raise InvalidInput("a new model needs its card (--card FILE); see `genesis model register --help`")
            version = platform.models.register(me, source, model_card, project=project, markings=markings)
    gaps = version.card.missing()
    console.print(
        f"registered [bold]{version.id}[/]: {version.card.name} {version.card.version} ({version.card.framework}), "
        f"{len(version.files)} weight file(s), {version.total_size:,} bytes"
        + (f"; the card leaves empty: {', '.join(gaps)}" if gaps else "")
    )


@app.command("list")
def list_(home: HomeOption = None, token: TokenOption = None, as_json: JsonOption = False) -> None:
    """List the models you may discover, with their latest version."""
    with session(home, token) as (platform, me):
        found = platform.models.list(me)
    if as_json:
        print_json(
            [
                {
                    "id": a.id,
                    "name": a.name,
                    "marking": a.markings.banner,
                    "framework": v.card.framework if v else None,
                    "latest": v.number if v else None,
                }
                for a, v in found
            ]
        )
        return
    rows = [
        (
            a.id,
            a.name,
            v.card.version if v else "",
            v.card.framework if v else "",
            a.markings.summary,
            v.number if v else "",
        )
        for a, v in found
    ]
    table("Models", ["id", "name", "model version", "framework", "marking", "latest"], rows)


@app.command("show")
def show(
    model: Annotated[str, typer.Argument(help="Model id or name (e.g. chgnet).")],
    home: HomeOption = None,
    token: TokenOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show a model: markings, its card (intended use, limitations, training data, evaluations), versions."""
    with session(home, token) as (platform, me):
        asset, versions = platform.models.get(me, model)
    if as_json:
        print_json({"asset": asset.model_dump(mode="json"), "versions": [v.model_dump(mode="json") for v in versions]})
        return
    latest = versions[-1] if versions else None
    c = latest.card if latest else None
    rows: list[tuple[str, object]] = [
        ("name", f"{asset.name} {c.version if c else ''}"),
        ("marking", asset.markings.summary),
        ("project", asset.project or ""),
        ("versions", len(versions)),
    ]
    if c is not None and latest is not None:
        rows += [
            ("framework", c.framework),
            ("summary", c.summary),
            ("intended use", c.intended_use),
            ("out of scope", c.out_of_scope_use),
            ("limitations", c.limitations),
            ("training data", "; ".join([*c.training_data, *c.external_training_data])),
            ("licence", c.licence),
            ("citation", c.citation),
            ("inputs", c.inputs),
            ("outputs", c.outputs),
            ("weights", ", ".join(f"{f.path} (sha256 {f.sha256[:12]}…, {f.size:,} B)" for f in latest.files)),
        ]
    table(f"Model {asset.id}", ["field", "value"], rows)
    if c is not None and c.evaluations:
        table(
            "Reported evaluations",
            ["metric", "value", "unit", "on", "source"],
            [(e.metric, f"{e.value:g}", e.unit, e.dataset, e.source) for e in c.evaluations],
        )


def _print_prediction(p: Prediction) -> None:
    o = p.outputs
    table(
        f"{p.formula} ({p.sites} sites) by {p.version_id}",
        ["quantity", "value", "unit"],
        [
            ("energy per atom", f"{o['energy_per_atom']:.6f}", p.units.get("energy_per_atom", "")),
            ("largest force", f"{max((sum(x * x for x in f) ** 0.5 for f in o['forces']), default=0.0):.6f}", "eV/Å"),
            ("stress (xx, yy, zz)", ", ".join(f"{o['stress'][i][i]:.4f}" for i in range(3)), p.units.get("stress", "")),
            (
                "magnetic moments",
                ", ".join(f"{m:.3f}" for m in o["magmoms"][:12]) + (" …" if p.sites > 12 else ""),
                "μB",
            ),
        ],
    )
    console.print(
        f"input sha256 {p.input_sha256[:16]}… → output sha256 {p.output_sha256[:16]}… (provenance {p.activity})",
        highlight=False,
    )
    for w in p.warnings:
        console.print(f"note: {w}", highlight=False, markup=False)


@app.command("predict")
def predict(
    model: Annotated[str, typer.Argument(help="Model id or name (e.g. chgnet).")],
    structure: Annotated[
        Path, typer.Option("--structure", "-s", help="Input structure: .cif, .vasp (POSCAR), POSCAR, CONTCAR or .json.")
    ],
    version: Annotated[
        int | None, typer.Option("--version", min=1, help="Model version (default: the latest).")
    ] = None,
    home: HomeOption = None,
    token: TokenOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run a model on a structure: energy per atom, forces, stress, magnetic moments (action infer, recorded).

    Example: genesis model predict chgnet --structure LiFePO4.cif --json
    """
    try:
        data = structure.read_bytes()
    except OSError as e:
        raise InvalidInput(f"cannot read {structure}: {e.strerror}") from None
    with session(home, token) as (platform, me):
        result = platform.models.predict(me, model, data, structure.name, number=version)
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    _print_prediction(result)
