"""`genesis policy`: explain decisions."""

from __future__ import annotations

from typing import Annotated

import typer

from genesis_platform.cli._common import HomeOption, JsonOption, TokenOption, console, print_json, session
from genesis_platform.kernel.policy.model import Action

__all__ = ["app"]

app = typer.Typer(help="The policy engine: explain why a request is allowed or denied.")

ACTIONS = ", ".join(a.value for a in Action if a.on_assets)


@app.command("explain")
def explain(
    action: Annotated[str, typer.Option("--action", help=f"One of: {ACTIONS}.")],
    asset: Annotated[str, typer.Option("--asset", help="Asset id.")],
    user: Annotated[
        str | None,
        typer.Option("--user", help="Whose request (security officers may name anyone); yourself by default."),
    ] = None,
    home: HomeOption = None,
    token: TokenOption = None,
    as_json: JsonOption = False,
) -> None:
    """Say whether USER may do ACTION on ASSET, which policies decide it, and what the policy knows.

    Exits 0 when the request would be allowed and 1 when it would be denied, so scripts can test it.

    Example: genesis policy explain --user patel --action download --asset dat-1234
    """
    with session(home, token) as (platform, me):
        explanation = platform.policy.explain(me, user, action, asset)
    if as_json:
        print_json(
            {
                "allowed": explanation.decision.allowed,
                "summary": explanation.summary,
                "policies": [{"id": p.id, "effect": p.effect, "reason": p.reason} for p in explanation.deciding],
                "candidates": [p.id for p in explanation.candidates],
                "user": explanation.user_facts,
                "asset": explanation.asset_facts,
            }
        )
        return
    colour = "green" if explanation.decision.allowed else "red"
    lines = explanation.lines()
    console.print(f"[bold {colour}]{lines[0]}[/]", highlight=False)
    for line in lines[1:]:
        console.print(line, highlight=False, markup=False)
    if not explanation.decision.allowed:
        raise typer.Exit(1)
