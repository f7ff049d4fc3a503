"""The `genesis` command line: thin over the same services as the REST API.

Every command takes `--home DIR` (or `GENESIS_HOME`) and acts with a token (`--token`, `GENESIS_TOKEN`, or the
administrator credential `genesis init` saved). Errors print one line to stderr and exit non-zero: 2 bad input,
3 authentication or access denied, 4 not found, 5 conflict, 6 audit verification failed, 7 corrupted data.
"""

from __future__ import annotations

import os
import sys

import typer

from genesis_platform import __version__
from genesis_platform.cli import access, asset, audit, bench, campaign, dataset, model, org, policy, user
from genesis_platform.cli._common import err_console
from genesis_platform.cli.platform import demo, init, serve
from genesis_platform.kernel import GenesisError

__all__ = ["app", "main"]

app = typer.Typer(
    name="genesis",
    help="Genesis: the American Science and Security Platform (EO 14363), open and self-hosted.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("init")(init)
app.command("serve")(serve)
app.command("demo")(demo)
app.add_typer(org.app, name="org")
app.add_typer(user.app, name="user")
app.add_typer(asset.app, name="asset")
app.add_typer(dataset.app, name="dataset")
app.add_typer(model.app, name="model")
app.add_typer(campaign.app, name="campaign")
app.add_typer(campaign.instruments, name="instrument")
app.add_typer(bench.app, name="bench")
app.add_typer(access.app, name="access")
app.add_typer(policy.app, name="policy")
app.add_typer(audit.app, name="audit")


@app.callback(invoke_without_command=True)
def _root(
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", is_eager=True),
) -> None:
    if version:
        typer.echo(f"genesis-platform {__version__}")
        raise typer.Exit(0)


def _fail(message: str, code: int) -> None:
    err_console.print(f"error: {message}", highlight=False, markup=False, soft_wrap=True)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; every failure is one line on stderr and a non-zero exit, never a traceback."""
    command = typer.main.get_command(app)
    try:
        code = command.main(args=argv, prog_name="genesis", standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)  # typer.Exit(code) comes back as a return value when not standalone
    except GenesisError as e:
        _fail(e.message, e.exit_code)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except typer.TyperException as e:
        ctx = getattr(e, "ctx", None)
        if type(e).__name__ == "NoArgsIsHelpError" and ctx is not None:
            typer.echo(ctx.get_help())
            sys.exit(0)
        hint = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
        _fail(f"{e.format_message()}{hint}", e.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        _fail("aborted", 130)
    except Exception as e:
        if os.environ.get("GENESIS_DEBUG"):
            raise
        _fail(f"internal error: {type(e).__name__}: {e} (set GENESIS_DEBUG=1 for a traceback)", 1)
