"""`genesis dataset`: register, browse, download, verify and withdraw datasets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

from genesis_platform.catalog import DatasetVersion, SearchQuery
from genesis_platform.catalog.datacard import DataCard, check, completeness, dump_card, load_card, markings_from_card
from genesis_platform.catalog.formats import from_croissant, from_datacite, from_dcat
from genesis_platform.cli._common import HomeOption, JsonOption, TokenOption, console, print_json, session, table
from genesis_platform.cli.access import show_request
from genesis_platform.kernel import CorruptedData, InvalidInput
from genesis_platform.kernel.assets.markings import UseStatus, parse_markings

__all__ = ["app"]

app = typer.Typer(help="Datasets: immutable, SHA-256-verified versions of files under markings.")
card_app = typer.Typer(help="Genesis Mission Data Cards (v1.2): draft, check, attach, show.")
app.add_typer(card_app, name="card")

USES = ", ".join(u.value for u in UseStatus)


@contextmanager
def _bar(label: str) -> Iterator[Any]:
    """A byte progress bar; silent when stdout is not a terminal."""
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task(label, total=None)
        yield lambda done, total: progress.update(task, completed=done, total=total)


def _version_row(v: DatasetVersion) -> tuple[Any, ...]:
    return (
        v.number,
        v.state.value,
        len(v.files),
        f"{v.total_size:,}",
        ", ".join(v.formats),
        f"{v.created_at:%Y-%m-%d %H:%M}",
    )


@app.command("register")
def register(
    source: Annotated[Path, typer.Argument(help="A file or a folder (CSV, Parquet, JSON, HDF5, NetCDF, Zarr, ...).")],
    name: Annotated[
        str | None, typer.Option("--name", help="Title (default: the card's name, else the file or folder name).")
    ] = None,
    description: Annotated[str, typer.Option("--description", help="What it is, for discovery.")] = "",
    project: Annotated[str | None, typer.Option("--project", help="Project whose members need to know.")] = None,
    marking: Annotated[
        str, typer.Option("--marking", help="Banner: PUBLIC, UNCLASSIFIED, CUI//SP-EXPT//NOFORN, ...")
    ] = "UNCLASSIFIED",
    pii: Annotated[bool, typer.Option("--pii", help="Holds personally identifiable information.")] = False,
    phi: Annotated[bool, typer.Option("--phi", help="Holds protected health information.")] = False,
    ip: Annotated[str | None, typer.Option("--ip", help="IP restriction, e.g. Proprietary.")] = None,
    agreement: Annotated[list[str] | None, typer.Option("--agreement", help="Required agreement (repeatable).")] = None,
    export_control: Annotated[str | None, typer.Option("--export-control", help="ITAR, EAR, ...")] = None,
    training_use: Annotated[str | None, typer.Option("--training-use", help=USES)] = None,
    inference_use: Annotated[str | None, typer.Option("--inference-use", help=USES)] = None,
    evaluation_use: Annotated[str | None, typer.Option("--evaluation-use", help=USES)] = None,
    version_of: Annotated[
        str | None, typer.Option("--version-of", help="Register as the next version of this dataset id instead.")
    ] = None,
    card: Annotated[
        Path | None, typer.Option("--card", help="A data card to attach; its markings replace --marking and the rest.")
    ] = None,
    home: HomeOption = None,
    token: TokenOption = None,
) -> None:
    """Hash and store a file or folder as an immutable dataset version, reading its structure.

    Example: genesis dataset register runs/2026-11/ --name "Beamline scans" --project fusion --marking "CUI//SP-EXPT"
    """
    card_doc = _read_card(card) if card else None
    with session(home, token) as (platform, me), _bar(f"storing {source.name}") as progress:
        if version_of:
            version = platform.datasets.add_version(me, version_of, source, progress=progress)
        else:
            markings = parse_markings(
                marking,
                pii=pii,
                phi=phi,
                ip_restriction=ip,
                required_agreements=agreement or [],
                export_control=export_control,
                training_use=training_use,
                inference_use=inference_use,
                evaluation_use=evaluation_use,
            )
            if card_doc is not None:
                markings = markings_from_card(card_doc[0])
                ident = card_doc[0].discoverability.identification if card_doc[0].discoverability else None
                name = name or (ident.name if ident else None)
            version = platform.datasets.register(
                me,
                source,
                name=name or source.name,
                description=description,
                project=project,
                markings=markings,
                progress=progress,
            )
        if card_doc is not None:
            platform.datasets.attach_card(me, version.dataset_id, *card_doc)
    console.print(
        f"registered [bold]{version.id}[/]: {len(version.files)} file(s), {version.total_size:,} bytes, "
        f"manifest sha256 {version.manifest_sha256[:16]}…"
    )


@app.command("list")
def list_(home: HomeOption = None, token: TokenOption = None, as_json: JsonOption = False) -> None:
    """List the datasets you may discover, with their latest version."""
    with session(home, token) as (platform, me):
        found = platform.datasets.list(me)
    if as_json:
        print_json(
            [
                {"id": a.id, "name": a.name, "marking": a.markings.banner, "latest": v.number if v else None}
                for a, v in found
            ]
        )
        return
    rows = [
        (a.id, a.name, a.markings.summary, v.number if v else "", f"{v.total_size:,}" if v else "") for a, v in found
    ]
    table("Datasets", ["id", "name", "marking", "latest", "bytes"], rows)


@app.command("show")
def show(
    dataset_id: Annotated[str, typer.Argument(help="Dataset id.")],
    home: HomeOption = None,
    token: TokenOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show a dataset: description, markings, and the structure of its latest version."""
    with session(home, token) as (platform, me):
        asset, versions = platform.datasets.get(me, dataset_id)
    latest = versions[-1] if versions else None
    if as_json:
        print_json({"asset": asset.model_dump(mode="json"), "versions": [v.model_dump(mode="json") for v in versions]})
        return
    table(
        f"Dataset {asset.id}",
        ["field", "value"],
        [
            ("name", asset.name),
            ("description", asset.description),
            ("marking", asset.markings.summary),
            ("project", asset.project or ""),
            ("versions", len(versions)),
        ],
    )
    if latest:
        for s in latest.structures:
            if s.columns:
                cols = ", ".join(f"{c.name}:{c.type}" + (f" [{c.unit}]" if c.unit else "") for c in s.columns)
                console.print(f"  {s.path} ({s.format.value}, {s.rows} rows): {cols}", highlight=False, markup=False)
            elif s.arrays:
                arrays = ", ".join(f"{a.name}{list(a.shape)}:{a.dtype}" for a in s.arrays)
                console.print(f"  {s.path} ({s.format.value}): {arrays}", highlight=False, markup=False)
            elif s.error:
                console.print(
                    f"  {s.path} ({s.format.value}): structure unreadable: {s.error}", highlight=False, markup=False
                )


@app.command("versions")
def versions(
    dataset_id: Annotated[str, typer.Argument(help="Dataset id.")],
    home: HomeOption = None,
    token: TokenOption = None,
    as_json: JsonOption = False,
) -> None:
    """List every version of a dataset (withdrawn ones included, as tombstones)."""
    with session(home, token) as (platform, me):
        _, found = platform.datasets.get(me, dataset_id)
    if as_json:
        print_json([v.model_dump(mode="json") for v in found])
        return
    table(
        f"Versions of {dataset_id}",
        ["version", "state", "files", "bytes", "formats", "registered (UTC)"],
        [_version_row(v) for v in found],
    )


@app.command("download")
def download(
    dataset_id: Annotated[str, typer.Argument(help="Dataset id.")],
    to: Annotated[Path, typer.Option("--to", help="Folder to write the files into.")] = Path("."),
    version: Annotated[int | None, typer.Option("--version", min=1, help="Version number (default: latest).")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace files already there.")] = False,
    home: HomeOption = None,
    token: TokenOption = None,
) -> None:
    """Download a version, verifying every byte against its SHA-256 as it streams."""
    with session(home, token) as (platform, me), _bar(f"downloading {dataset_id}") as progress:
        got = platform.datasets.download(me, dataset_id, to, number=version, overwrite=overwrite, progress=progress)
    console.print(
        f"downloaded {got.id}: {len(got.files)} file(s), {got.total_size:,} bytes into {to}, all hashes verified"
    )


@app.command("verify")
def verify(
    dataset_id: Annotated[str, typer.Argument(help="Dataset id.")],
    version: Annotated[int | None, typer.Option("--version", min=1, help="Only this version.")] = None,
    home: HomeOption = None,
    token: TokenOption = None,
) -> None:
    """Re-hash every stored file and report corrupted or missing ones (exit 7 when any)."""
    with session(home, token) as (platform, me):
        report = platform.datasets.verify(me, dataset_id, version)
    files = sum(len(c) for c in report.checked.values())
    if not report.ok:
        for vid, check in report.bad:
            console.print(f"[red]{check.status.upper()}[/] {vid}/{check.path} (sha256 {check.sha256})", highlight=False)
        raise CorruptedData(f"{len(report.bad)} of {files} file(s) of {dataset_id} are corrupted or missing")
    console.print(f"{dataset_id}: {files} file(s) in {len(report.checked)} version(s) verified")


@app.command("withdraw")
def withdraw(
    dataset_id: Annotated[str, typer.Argument(help="Dataset id.")],
    version: Annotated[int, typer.Option("--version", min=1, help="The version to withdraw.")],
    reason: Annotated[str, typer.Option("--reason", help="Why; kept with the tombstone and in the audit log.")],
    home: HomeOption = None,
    token: TokenOption = None,
) -> None:
    """Withdraw a version: its bytes are deleted, its record and audit trail remain (owners, stewards, officers)."""
    with session(home, token) as (platform, me):
        withdrawn = platform.datasets.withdraw(me, dataset_id, version, reason)
    console.print(f"{withdrawn.id} withdrawn: {withdrawn.withdrawn_reason}")


def _read_card(path: Path) -> tuple[DataCard, str]:
    if not path.is_file():
        raise InvalidInput(f"{path} is not a file; draft one with `genesis dataset card draft DATASET_ID --out {path}`")
    return load_card(path.read_text(encoding="utf-8"))


def _print_issues(card: DataCard, limit: int = 30) -> None:
    issues = check(card)
    score = completeness(card).as_dict()
    console.print(f"completeness of required fields: {score['score']:.0%}")
    for name, cap in score["capabilities"].items():
        if cap["active"]:
            console.print(f"  {name}: required {cap['required']}, if applicable {cap['optional']}", highlight=False)
    shown = [i for i in issues if i.severity != "incomplete"] + [i for i in issues if i.severity == "incomplete"]
    for issue in shown[:limit]:
        colour = {"error": "red", "warning": "yellow"}.get(issue.severity, "dim")
        console.print(f"  [{colour}]{issue.code} {issue.severity}[/] {issue.path}: {issue.message}", highlight=False)
    if len(shown) > limit:
        console.print(f"  ... and {len(shown) - limit} more (`--all` shows every one)")


@card_app.command("draft")
def card_draft(
    dataset_id: Annotated[str, typer.Argument(help="Dataset id.")],
    out: Annotated[Path | None, typer.Option("--out", help="Write the card here (default: print it).")] = None,
    home: HomeOption = None,
    token: TokenOption = None,
) -> None:
    """Draft a data card from what the platform knows (structure, hashes, markings, owner); fill in the rest."""
    with session(home, token) as (platform, me):
        card = platform.datasets.draft_card(me, dataset_id)
    text = dump_card(card, "\n# Notes\n\nDescribe the dataset here.\n")
    if out is None:
        typer.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    console.print(f"drafted {out}; edit it, check it with `genesis dataset card check {out}`, then attach it")


@card_app.command("check")
def card_check(
    path: Annotated[Path, typer.Argument(help="A card file (Markdown with YAML front matter).")],
    show_all: Annotated[bool, typer.Option("--all", help="List every issue.")] = False,
) -> None:
    """Check a card against Genesis Data Card v1.2 without a platform: errors, warnings, completeness.

    Exits 2 when the card has errors.
    """
    card, _ = _read_card(path)
    _print_issues(card, limit=10_000 if show_all else 30)
    errors = [i for i in check(card) if i.severity == "error"]
    if errors:
        raise InvalidInput(f"{len(errors)} error(s) in {path}")


@card_app.command("attach")
def card_attach(
    dataset_id: Annotated[str, typer.Argument(help="Dataset id.")],
    path: Annotated[Path, typer.Argument(help="The card file.")],
    home: HomeOption = None,
    token: TokenOption = None,
) -> None:
    """Attach a card; its sensitivity, governed-use and AI-use fields become the dataset's markings."""
    card, body = _read_card(path)
    with session(home, token) as (platform, me):
        attached = platform.datasets.attach_card(me, dataset_id, card, body)
        asset, _ = platform.datasets.get(me, dataset_id)
    console.print(f"attached to {dataset_id}; markings now {asset.markings.summary}", highlight=False)
    _print_issues(attached.card)


@card_app.command("show")
def card_show(
    dataset_id: Annotated[str, typer.Argument(help="Dataset id.")],
    home: HomeOption = None,
    token: TokenOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print the dataset's card (Markdown with front matter, or --json)."""
    with session(home, token) as (platform, me):
        attached = platform.datasets.card(me, dataset_id)
    if as_json:
        print_json(
            {"card": attached.card.model_dump(mode="json", exclude_none=True), "completeness": attached.completeness}
        )
        return
    typer.echo(dump_card(attached.card, attached.body), nl=False)


@app.command("export")
def export(
    dataset_id: Annotated[str, typer.Argument(help="Dataset id.")],
    fmt: Annotated[
        str,
        typer.Option("--format", help="genesis, datacite, dcat, croissant, prov, or ro-crate (a zip with the data)."),
    ] = "genesis",
    out: Annotated[
        Path | None, typer.Option("--out", help="Write here (required for ro-crate; default: print).")
    ] = None,
    version: Annotated[int | None, typer.Option("--version", min=1, help="Version number (default: latest).")] = None,
    home: HomeOption = None,
    token: TokenOption = None,
) -> None:
    """Export a dataset's metadata (DataCite 4.5, DCAT 3, Croissant 1.1, W3C PROV, Genesis card) or an RO-Crate.

    Example: genesis dataset export dat-1a2b3c4d5e6f --format ro-crate --out crossed_barrel.zip
    """
    if fmt == "ro-crate":
        if out is None:
            raise InvalidInput("--format ro-crate writes a zip file; name it with --out FILE.zip")
        with session(home, token) as (platform, me):
            got = platform.datasets.export_crate(me, dataset_id, out, number=version)
        console.print(
            f"wrote {out}: RO-Crate and BagIt bag of {got.id} ({len(got.files)} file(s), manifest verified on import)"
        )
        return
    with session(home, token) as (platform, me):
        text = platform.datasets.export(me, dataset_id, fmt, number=version)
    if out is None:
        typer.echo(text)
        return
    out.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    console.print(f"wrote {out} ({fmt})")


@app.command("import")
def import_(
    crate: Annotated[
        Path, typer.Argument(help="An RO-Crate zip exported by Genesis (or any crate with a BagIt manifest).")
    ],
    project: Annotated[str | None, typer.Option("--project", help="Project whose members need to know.")] = None,
    marking: Annotated[
        str, typer.Option("--marking", help="Banner used when the crate carries no data card.")
    ] = "UNCLASSIFIED",
    home: HomeOption = None,
    token: TokenOption = None,
) -> None:
    """Register an RO-Crate as a new dataset: verify its manifest, store its files, attach its data card."""
    markings = parse_markings(marking)
    with session(home, token) as (platform, me), _bar(f"importing {crate.name}") as progress:
        got = platform.datasets.import_crate(me, crate, project=project, markings=markings, progress=progress)
    console.print(f"imported {crate} as [bold]{got.id}[/]: {len(got.files)} file(s), every digest verified")


@card_app.command("convert")
def card_convert(
    path: Annotated[Path, typer.Argument(help="A DataCite 4.5 JSON, DCAT 3 JSON-LD or Croissant JSON-LD document.")],
    source: Annotated[str, typer.Option("--from", help="datacite, dcat or croissant.")],
    out: Annotated[Path | None, typer.Option("--out", help="Write the card here (default: print).")] = None,
) -> None:
    """Turn another format's metadata into a (partial) Genesis card to complete and attach."""
    if not path.is_file():
        raise InvalidInput(f"{path} is not a file")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as e:
        raise InvalidInput(f"{path} is not JSON: {e}") from None
    if source == "datacite":
        card = from_datacite(doc)
    elif source == "dcat":
        card = from_dcat(doc)[0]
    elif source == "croissant":
        card = from_croissant(doc)
    else:
        raise InvalidInput(f"--from must be datacite, dcat or croissant, not {source!r}")
    text = dump_card(card)
    if out is None:
        typer.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    console.print(f"wrote {out}; complete it (`genesis dataset card check {out}`) and attach it")


@app.command("request-access")
def request_access(
    dataset_id: Annotated[str, typer.Argument(help="Dataset id.")],
    action: Annotated[
        list[str], typer.Option("--action", help="Repeatable: download, train, infer, evaluate, read_metadata, run.")
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why you need it; the data steward decides on it.")],
    home: HomeOption = None,
    token: TokenOption = None,
) -> None:
    """Ask a data steward for access to a dataset you can see; `genesis access list` follows it."""
    with session(home, token) as (platform, me):
        made = platform.access.request(me, dataset_id, action, reason)
    console.print(f"requested: {show_request(made)}")


@app.command("search")
def search(
    text: Annotated[str, typer.Argument(help="Words to find (titles, descriptions, keywords, columns, domain).")] = "",
    domain: Annotated[str | None, typer.Option("--domain", help="Only this science domain, e.g. Materials.")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="Only datasets holding this format, e.g. csv.")] = None,
    sensitivity: Annotated[
        str | None, typer.Option("--sensitivity", help="Only this sensitivity, e.g. Public.")
    ] = None,
    org: Annotated[str | None, typer.Option("--org", help="Only this organisation (name or id).")] = None,
    has_access: Annotated[bool, typer.Option("--has-access", help="Only datasets you may download.")] = False,
    semantic: Annotated[
        bool, typer.Option("--semantic", help="Rank by meaning, not by words (needs the semantic extra).")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500, help="Results per page.")] = 20,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Results to skip.")] = 0,
    home: HomeOption = None,
    token: TokenOption = None,
    as_json: JsonOption = False,
) -> None:
    """Search the datasets you may discover, with facet counts over exactly those.

    Examples:
      genesis dataset search "perovskite stability" --sensitivity Public --has-access
      genesis dataset search "degradation of solar absorber layers" --semantic
    """
    query = SearchQuery(text, domain, fmt, sensitivity, org, has_access, limit, offset, semantic)
    with session(home, token) as (platform, me):
        found = platform.search.search(me, query)
    if as_json:
        print_json(
            {
                "total": found.total,
                "hits": [
                    {
                        "id": h.asset.id,
                        "name": h.asset.name,
                        "score": round(h.score, 4),
                        "marking": h.asset.markings.banner,
                        "organisation": h.organisation,
                        **h.facets,
                    }
                    for h in found.hits
                ],
                "facets": found.facets,
            }
        )
        return
    rows = [
        (h.asset.id, h.asset.name, h.asset.markings.banner, ", ".join(h.facets.get("domain", [])), f"{h.score:.2f}")
        for h in found.hits
    ]
    table(f"{found.total} dataset(s) found", ["id", "name", "marking", "domain", "score"], rows)
    for facet, counts in found.facets.items():
        if counts:
            listing = ", ".join(f"{value} ({n})" for value, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
            console.print(f"  {facet}: {listing}", highlight=False, markup=False)
