"""`genesis bench`: benchmarks a user can run on their own machine, beside the competitors."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from genesis_platform.cli._common import console
from genesis_platform.discovery.harness import (
    DEFAULT_POOLS,
    METHODS,
    latency_suite,
    parse_runs,
    quiet_libraries,
    render_markdown,
    run_suite,
)
from genesis_platform.kernel import InvalidInput

__all__ = ["app"]

app = typer.Typer(help="Benchmarks: the platform's planners beside Ax and BayBE, on the same seeds, in one run.")


@app.command("campaigns")
def campaigns(
    pool: Annotated[
        list[str] | None,
        typer.Option(
            "--pool", help="Built-in pool (crossed_barrel, p3ht, ...), a CSV, a YAML spec or an Olympus folder."
        ),
    ] = None,
    runs: Annotated[
        list[str] | None,
        typer.Option("--runs", help=f"METHOD=N seeded runs; methods: {', '.join(METHODS)}."),
    ] = None,
    latency: Annotated[
        bool, typer.Option("--latency", help="Also time suggestions at 10, 50 and 200 observations.")
    ] = False,
    latency_repeats: Annotated[
        int, typer.Option("--latency-repeats", min=1, help="Seeds timed per size and batch (median).")
    ] = 3,
    results: Annotated[Path, typer.Option("--results", help="Results file (resumable: rerun to continue).")] = Path(
        "campaign-bench.json"
    ),
    jobs: Annotated[int, typer.Option("--jobs", help="Runs at once, in worker processes.")] = 1,
    from_seed: Annotated[
        int,
        typer.Option(
            "--from-seed",
            min=0,
            help="Skip the seeds below this one: share a pool's runs between processes writing the same results "
            "file (--runs ax=10 in one, --runs ax=20 --from-seed 10 in another).",
        ),
    ] = 0,
) -> None:
    """Run the Liang et al. 2021 pool protocol and print AF/EF with 5-95 % bands.

    Examples:
      genesis bench campaigns --pool crossed_barrel --runs genesis=10 --runs baybe=5
      genesis bench campaigns --pool my_pool.csv --runs genesis=20 --runs ax=20 --latency

    Ax and BayBE come with the `bench` extra (pip install 'genesis-platform[bench]').
    """
    try:
        counts = {"genesis": 10, **parse_runs(runs or [])}
    except ValueError as error:
        raise InvalidInput(str(error)) from None
    counts = {m: n for m, n in counts.items() if n > 0}
    pools = tuple(pool or DEFAULT_POOLS)
    try:
        with quiet_libraries():
            data = run_suite(
                results,
                pools,
                counts,
                progress=lambda line: console.print(line, highlight=False),
                jobs=jobs,
                first_seed=from_seed,
                quiet=True,
            )
            if latency:
                data = latency_suite(
                    results,
                    pools[0],
                    list(counts),
                    repeats=latency_repeats,
                    progress=lambda line: console.print(line, highlight=False),
                )
    except ModuleNotFoundError as error:
        raise InvalidInput(f"{error.name} is not installed; pip install 'genesis-platform[bench]'") from None
    console.print(
        "\n".join(render_markdown(data, pools, METHODS)),
        highlight=False,
        markup=False,
    )
