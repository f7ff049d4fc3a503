"""`genesis campaign` and `genesis instrument`: closed-loop discovery campaigns and the instruments they run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from genesis_platform.cli._common import (
    HomeOption,
    JsonOption,
    TokenOption,
    console,
    print_json,
    session,
    table,
)
from genesis_platform.discovery import Campaign, CampaignSpec, CampaignStatusReport, Trial
from genesis_platform.discovery.harness import parse_runs, quiet_libraries
from genesis_platform.discovery.model import best_value
from genesis_platform.discovery.pool_bench import BENCH_METHODS
from genesis_platform.kernel import InvalidInput
from genesis_platform.kernel.assets.markings import parse_markings
from genesis_platform.kernel.validation import build

__all__ = ["app", "instruments"]

app = typer.Typer(help="Discovery campaigns: an AI planner proposes points, an instrument measures them, in a loop.")
instruments = typer.Typer(
    help="Instruments campaigns run: simulators, datasets replayed as pools, foundation models, robotic-lab nodes."
)


def _read(path: Path, what: str) -> dict[str, Any]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise InvalidInput(f"cannot read the {what} {path}: {e.strerror}") from None
    except yaml.YAMLError as e:
        raise InvalidInput(f"{path} is not YAML or JSON: {str(e).splitlines()[0]}") from None
    if not isinstance(raw, dict):
        raise InvalidInput(f"{path} must hold a mapping (see `genesis campaign create --help`)")
    return raw


@instruments.command("register")
def instrument_register(
    name: Annotated[str, typer.Argument(help="A name for people.")],
    simulator: Annotated[
        str | None, typer.Option("--simulator", help="A built-in simulator: hartmann6, branin or snar.")
    ] = None,
    noise: Annotated[float, typer.Option("--noise", help="Simulator measurement noise (standard deviation).")] = 0.0,
    delay: Annotated[float, typer.Option("--delay", help="Seconds each simulated run takes.")] = 0.0,
    dataset: Annotated[str | None, typer.Option("--dataset", help="Replay this registered dataset as a pool.")] = None,
    file: Annotated[str | None, typer.Option("--file", help="The dataset's CSV file that holds the rows.")] = None,
    outcome: Annotated[
        list[str] | None, typer.Option("--outcome", help="A measured column of that CSV (repeatable).")
    ] = None,
    version: Annotated[
        int | None, typer.Option("--version", help="The dataset version to replay (default: the newest, pinned).")
    ] = None,
    replicate_noise: Annotated[
        bool,
        typer.Option("--replicate-noise", help="Return one measured replicate at random instead of their mean."),
    ] = False,
    seed: Annotated[int, typer.Option("--seed", help="Seed of simulator noise and replicate draws.")] = 0,
    model: Annotated[
        str | None, typer.Option("--model", help="Measure generated structures with this registered model.")
    ] = None,
    prototype: Annotated[
        str,
        typer.Option(
            "--prototype",
            help="The prototype crystal: BaTiO3_cubic.cif, Fe_bcc.cif, NaCl_rocksalt.cif or Si_diamond.cif.",
        ),
    ] = "NaCl_rocksalt.cif",
    substitute: Annotated[
        str | None, typer.Option("--substitute", help="The prototype's species that `element` replaces.")
    ] = None,
    node: Annotated[str | None, typer.Option("--node", help="A robotic-lab node's URL (http://host:port).")] = None,
    poll: Annotated[float, typer.Option("--poll", help="Seconds between a node's status requests.")] = 0.05,
    project: Annotated[str | None, typer.Option("--project", help="Project whose members may run it.")] = None,
    marking: Annotated[str | None, typer.Option("--marking", help="Banner: UNCLASSIFIED, CUI//NOFORN, ...")] = None,
    home: HomeOption = None,
    token: TokenOption = None,
) -> None:
    """Register an instrument campaigns can run.

    Examples:
      genesis instrument register h6 --simulator hartmann6 --noise 0.05
      genesis instrument register barrel --dataset dat-1a2b --file Crossed_barrel_dataset.csv --outcome toughness
      genesis instrument register noisy --dataset dat-1a2b --version 2 --file data.csv --outcome y --replicate-noise
      genesis instrument register salts --model mdl-1a2b --prototype NaCl_rocksalt.cif --substitute Na
      genesis instrument register robot --node http://10.0.0.7:8080
    """
    chosen = [x for x in (simulator, dataset, model, node) if x is not None]
    if len(chosen) != 1:
        raise InvalidInput("give one of --simulator NAME, --dataset ID, --model ID or --node URL")
    config: dict[str, Any]
    if simulator:
        config = {"type": "simulator", "simulator": simulator, "noise": noise, "delay": delay, "seed": seed}
    elif dataset:
        config = {
            "type": "dataset",
            "dataset": dataset,
            "file": file,
            "outcomes": outcome or [],
            "version": version,
            "replicate_noise": replicate_noise,
            "seed": seed,
        }
    elif model:
        config = {"type": "model", "model": model, "prototype": prototype, "substitute": substitute}
    else:
        config = {"type": "node", "url": node, "poll": poll}
    markings = parse_markings(marking) if marking else None
    with session(home, token) as (platform, me):
        asset, record = platform.instruments.register(me, name, config, project=project, markings=markings)
    console.print(f"registered instrument [bold]{asset.id}[/] ({record['kind']}) {asset.name}")


@instruments.command("list")
def instrument_list(home: HomeOption = None, token: TokenOption = None, as_json: JsonOption = False) -> None:
    """List the instruments you may discover."""
    with session(home, token) as (platform, me):
        found = platform.instruments.list(me)
    if as_json:
        print_json([{"id": a.id, "name": a.name, "kind": r["kind"], "config": r["config"]} for a, r in found])
        return
    rows = [(a.id, a.name, r["kind"], json.dumps(r["config"]), a.markings.summary) for a, r in found]
    table("Instruments", ["id", "name", "kind", "configuration", "marking"], rows)


@instruments.command("ping")
def instrument_ping(
    instrument: Annotated[str, typer.Argument(help="Instrument id.")],
    home: HomeOption = None,
    token: TokenOption = None,
) -> None:
    """Ask an instrument to describe itself: its actions and what it measures."""
    with session(home, token) as (platform, me):
        info = platform.instruments.ping(me, instrument)
    console.print(f"{info.name} ({info.kind}, version {info.version}) answers: {info.description}")
    for action in info.actions:
        arguments = ", ".join(f"{k}: {v}" for k, v in action.parameters.items())
        console.print(f"  {action.name}({arguments}) -> {', '.join(action.outcomes)}")


@app.command("create")
def create(
    spec: Annotated[Path, typer.Option("--spec", help="Campaign spec, YAML or JSON (see the example below).")],
    marking: Annotated[str | None, typer.Option("--marking", help="Banner for the campaign and its trials.")] = None,
    home: HomeOption = None,
    token: TokenOption = None,
) -> None:
    """Create a campaign from a spec; nothing runs until `genesis campaign run`.

    A spec names the design space, the instrument, the planner and the stopping rules:

      name: Hartmann-6, 4 workers
      instrument: ins-1a2b3c4d5e6f
      planner: botorch            # or forest, sobol, random
      workers: 4
      mode: async                 # or batch (reproducible on any executor)
      stopping: {max_trials: 200, target: -3.3}
      space:
        parameters:
          - {kind: continuous, name: x1, low: 0, high: 1}
          ...
        objectives: [{name: f, direction: minimize}]
    """
    raw = _read(spec, "campaign spec")
    campaign_spec = build(CampaignSpec, **raw)
    markings = parse_markings(marking) if marking else None
    with session(home, token) as (platform, me):
        campaign = platform.campaigns.create(me, campaign_spec, markings=markings)
    s = campaign.spec
    console.print(
        f"created campaign [bold]{campaign.id}[/]: {s.name}; {len(s.space.parameters)} parameter(s), "
        f"planner {s.planner}, {s.workers} worker(s), budget {s.stopping.max_trials}"
        + (f", pool of {len(s.space.pool.rows)} points" if s.space.pool else "")
    )


def _run(campaign_id: str, home: Path | None, token: str | None, verb: str) -> None:
    with session(home, token) as (platform, me):
        report = platform.campaigns.status(me, campaign_id)
        total = report.campaign.spec.stopping.max_trials
        objective = report.campaign.spec.space.objectives[0].name
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[best]}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as bar:
            done = sum(n for s, n in report.counts.items() if s.done)
            task = bar.add_task(f"{verb} {campaign_id}", total=total, completed=done, best="")

            def progress(campaign: Campaign, trials: list[Trial]) -> None:
                finished = [t for t in trials if t.status.done]
                # the best of the feasible trials, shown only to a caller who may see results (`download`)
                best = best_value(trials, campaign.spec.space) if report.results_visible else None
                bar.update(
                    task, completed=len(finished), best=f"best {objective} {best:.6g}" if best is not None else ""
                )

            campaign = platform.campaigns.run(me, campaign_id, progress=progress)
        final = platform.campaigns.status(me, campaign_id)
    _print_report(final)
    console.print(f"campaign {campaign.id} {campaign.status.value}: {campaign.stop_reason}")


@app.command("run")
def run(
    campaign: Annotated[str, typer.Argument(help="Campaign id.")],
    home: HomeOption = None,
    token: TokenOption = None,
) -> None:
    """Run a campaign until a stopping rule fires or `genesis campaign stop` is called (Ctrl-C is safe too)."""
    _run(campaign, home, token, "running")


@app.command("resume")
def resume(
    campaign: Annotated[str, typer.Argument(help="Campaign id.")],
    home: HomeOption = None,
    token: TokenOption = None,
) -> None:
    """Continue a stopped or crashed campaign: trials in flight are re-issued, completed ones are kept."""
    _run(campaign, home, token, "resuming")


@app.command("stop")
def stop(
    campaign: Annotated[str, typer.Argument(help="Campaign id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept with the campaign).")] = "",
    home: HomeOption = None,
    token: TokenOption = None,
) -> None:
    """Ask a running campaign to stop once its running trials end; `resume` continues it.

    Trials still waiting for a worker are withdrawn at once and issued again by `genesis campaign resume`.
    """
    with session(home, token) as (platform, me):
        stopped = platform.campaigns.stop(me, campaign, reason)
    console.print(f"campaign {stopped.id} stopped: {stopped.stop_reason}")


def _best(r: CampaignStatusReport) -> str:
    if not r.results_visible:
        return f"withheld (no download right; see: genesis policy explain --action download --asset {r.asset.id})"
    if r.best is None:
        return ""
    return f"{r.campaign.spec.space.objectives[0].name} = {r.best:.6g} at {r.best_point}"


def _print_report(r: CampaignStatusReport) -> None:
    c = r.campaign
    counts = ", ".join(f"{n} {s.value}" for s, n in sorted(r.counts.items())) or "no trials yet"
    rows: list[tuple[str, Any]] = [
        ("name", c.spec.name),
        ("status", c.status.value + (f" ({c.stop_reason})" if c.stop_reason else "")),
        ("planner", f"{c.spec.planner} {json.dumps(c.spec.planner_settings) if c.spec.planner_settings else ''}"),
        ("instrument", c.spec.instrument),
        ("trials", counts),
        ("best", _best(r)),
        ("marking", r.asset.markings.summary),
    ]
    table(f"Campaign {c.id}", ["field", "value"], rows)


@app.command("status")
def status(
    campaign: Annotated[str, typer.Argument(help="Campaign id.")],
    home: HomeOption = None,
    token: TokenOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show where a campaign stands: status, trial counts, best so far."""
    with session(home, token) as (platform, me):
        report = platform.campaigns.status(me, campaign)
    if as_json:
        print_json(
            {
                "id": report.campaign.id,
                "status": report.campaign.status.value,
                "stop_reason": report.campaign.stop_reason,
                "counts": {s.value: n for s, n in report.counts.items()},
                "best": report.best,
                "best_point": report.best_point,
                "results_visible": report.results_visible,
            }
        )
        return
    _print_report(report)


@app.command("list")
def list_(home: HomeOption = None, token: TokenOption = None, as_json: JsonOption = False) -> None:
    """List the campaigns you may discover."""
    with session(home, token) as (platform, me):
        found = platform.campaigns.list(me)
    if as_json:
        print_json(
            [
                {"id": r.campaign.id, "name": r.campaign.spec.name, "status": r.campaign.status.value, "best": r.best}
                for r in found
            ]
        )
        return
    rows = [
        (
            r.campaign.id,
            r.campaign.spec.name,
            r.campaign.status.value,
            sum(r.counts.values()),
            "withheld" if not r.results_visible else "" if r.best is None else f"{r.best:.6g}",
        )
        for r in found
    ]
    table("Campaigns", ["id", "name", "status", "trials", "best"], rows)


@app.command("trials")
def trials(
    campaign: Annotated[str, typer.Argument(help="Campaign id.")],
    home: HomeOption = None,
    token: TokenOption = None,
    as_json: JsonOption = False,
) -> None:
    """List every trial: point, status, measurements, planner, instrument."""
    with session(home, token) as (platform, me):
        found = platform.campaigns.trials(me, campaign)
    if as_json:
        print_json([t.model_dump(mode="json") for t in found])
        return
    rows = [
        (t.number, t.status.value, json.dumps(t.point), json.dumps(t.values) if t.values else t.message, t.attempt)
        for t in found
    ]
    table(f"Trials of {campaign}", ["#", "status", "point", "measured", "attempt"], rows)


@app.command("report")
def report(
    campaign: Annotated[str, typer.Argument(help="Campaign id.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for report.html and summary.json.")] = Path("."),
    home: HomeOption = None,
    token: TokenOption = None,
) -> None:
    """Write an HTML report with plots and a JSON summary.

    The plots: best so far against experiments beside random sampling, parameter effects, and the Pareto front
    when there are several objectives.
    """
    with session(home, token) as (platform, me), console.status("drawing the report"):
        data, page = platform.campaigns.report(me, campaign)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.html").write_text(page, encoding="utf-8")
    (out / "summary.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    best = data["best"]
    console.print(
        f"wrote {out / 'report.html'} and {out / 'summary.json'}: {data['trials']} trials, best {data['objective']} "
        + ("none yet" if best is None else f"{best:.6g} (trial {data['best_trial']})"),
        highlight=False,
    )


@app.command("register-best")
def register_best(
    campaign: Annotated[str, typer.Argument(help="Campaign id.")],
    count: Annotated[int, typer.Option("--count", help="How many of the best trials.")] = 10,
    name: Annotated[str | None, typer.Option("--name", help="The new dataset's title (not with --into).")] = None,
    into: Annotated[
        str | None,
        typer.Option(
            "--into",
            help="Add them as the next version of this dataset instead of registering a new one: a dataset you "
            "administer, in the campaign's project, marked like it, with the same columns.",
        ),
    ] = None,
    home: HomeOption = None,
    token: TokenOption = None,
) -> None:
    """Register the best trials as a dataset version whose provenance leads to the campaign.

    Examples:
      genesis campaign register-best cam-1a2b3c4d5e6f --count 5
      genesis campaign register-best cam-1a2b3c4d5e6f --into dat-9f8e7d6c5b4a   # its next version
    """
    with session(home, token) as (platform, me):
        done = platform.campaigns.register_best(me, campaign, count, name, into)
    console.print(
        f"registered dataset [bold]{done.dataset_id}[/] version {done.version} from the best trials of {campaign}"
    )


@app.command("benchmark")
def benchmark(
    campaign: Annotated[str, typer.Argument(help="Campaign id (on a dataset instrument).")],
    runs: Annotated[
        list[str] | None,
        typer.Option(
            "--runs",
            help="METHOD=N seeded runs; methods: campaign (its own planner and settings), genesis, ax, baybe, "
            "forest, random, sobol. Default: campaign=10.",
        ),
    ] = None,
    show: Annotated[bool, typer.Option("--show", help="Only print the runs kept so far; run nothing.")] = False,
    home: HomeOption = None,
    token: TokenOption = None,
    as_json: JsonOption = False,
) -> None:
    """Replay the campaign's pool with the Liang et al. protocol before spending instrument time.

    Every value of a dataset pool is already measured, so each run starts from 2 random points and picks one
    point at a time until it has found 80 % of the best 5 %: the acceleration factor (AF) says how many times
    fewer experiments than random that took. Runs are kept with the campaign; run again to add seeds, and
    --show to read them (`genesis campaign report` plots them). Needs `run` on the campaign and its instrument
    and `download` on the dataset.

    Examples:
      genesis campaign benchmark cam-1a2b3c4d5e6f
      genesis campaign benchmark cam-1a2b3c4d5e6f --runs campaign=20 --runs ax=20   # Ax: the bench extra
      genesis campaign benchmark cam-1a2b3c4d5e6f --show --json
    """
    try:
        counts = {"campaign": 10} if not runs else parse_runs(runs, BENCH_METHODS)
    except ValueError as error:
        raise InvalidInput(str(error)) from None
    with session(home, token) as (platform, me):
        if show:
            data = platform.campaigns.benchmark_results(me, campaign)
        else:
            counts = platform.campaigns.check_benchmark(me, campaign, counts)
            with Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[last]}"),
                TimeElapsedColumn(),
                console=console,
            ) as bar:
                task = bar.add_task(f"benchmark {campaign}", total=None, last="")

                def progress(done: int, total: int, line: str) -> None:
                    bar.update(task, completed=done, total=total, last=line)

                with quiet_libraries():
                    data = platform.campaigns.benchmark(me, campaign, counts, progress=progress)
    if as_json:
        print_json(data)
        return
    rows = [
        [
            method,
            str(m["runs"]),
            *(_band_text(m["af"].get(level), "not reached") for level in ("0.5", "0.8")),
            *(_band_text(m["ef"].get(picks), "-") for picks in ("10", "25", "50")),
        ]
        for method, m in data["methods"].items()
    ]
    rows.append(["random (exact)", "-", "1.00", "1.00", "1.00", "1.00", "1.00"])
    table(
        f"{campaign}: pool of {data['pool_size']}, top set {data['top_set']} (AF at Top% levels, EF at picks; "
        "median [5 %, 95 %])",
        ["method", "runs", "AF @ 0.5", "AF @ 0.8", "EF @ 10", "EF @ 25", "EF @ 50"],
        rows,
    )
    state = data.get("progress") or {}
    if state.get("state") == "running":
        console.print(f"a benchmark is running here: {state['done']} of {state['total']} runs made", highlight=False)
    elif state.get("state") == "failed":
        console.print(f"the last benchmark failed after {state['done']} run(s): {state['error']}", highlight=False)
    for rival, v in data["versus"].items():
        ours, theirs = v["campaign_af_0.8"], v[f"{rival}_af_0.8"]
        console.print(
            f"on the {v['seeds']} seed(s) shared with {rival}: campaign AF @ 0.8 {_num(ours)} against {_num(theirs)}"
            + {True: " (at least as fast)", False: " (slower)", None: ""}[v["at_least"]],
            highlight=False,
        )


def _band_text(band: dict[str, float] | None, missing: str) -> str:
    return missing if band is None else f"{band['median']:.2f} [{band['p5']:.2f}, {band['p95']:.2f}]"


def _num(value: float | None) -> str:
    return "not reached" if value is None else f"{value:.2f}"
