"""`genesis access`: decide access requests (data stewards, security officers) and follow your own."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

import typer

from genesis_platform.cli._common import HomeOption, JsonOption, TokenOption, console, print_json, session, table
from genesis_platform.kernel.access.model import AccessRequest

__all__ = ["app", "show_request"]

app = typer.Typer(help="Access requests: list, approve with conditions, deny, revoke, withdraw.")


def show_request(r: AccessRequest) -> str:
    """One line about a request."""
    until = f" until {r.expires_at:%Y-%m-%d}" if r.expires_at else ""
    condition = f" if {r.agreement} is signed" if r.agreement else ""
    return f"{r.id} {r.state.value}: {', '.join(sorted(r.actions))} on {r.asset_id}{until}{condition}"


def _rows(requests: list[AccessRequest]) -> list[tuple[Any, ...]]:
    return [
        (
            r.id,
            r.state.value,
            r.asset_id,
            ", ".join(sorted(r.actions)),
            (f"{r.expires_at:%Y-%m-%d}" if r.expires_at else "") + (f" if {r.agreement}" if r.agreement else ""),
            r.reason[:40],
        )
        for r in requests
    ]


@app.command("list")
def list_(
    state: Annotated[str | None, typer.Option("--state", help="pending, approved, denied, revoked, withdrawn.")] = None,
    home: HomeOption = None,
    token: TokenOption = None,
    as_json: JsonOption = False,
) -> None:
    """Your requests, and the requests you may decide."""
    with session(home, token) as (platform, me):
        found = platform.access.list(me, state)
    if as_json:
        print_json([r.model_dump(mode="json") for r in found])
        return
    table(
        "Access requests",
        ["id", "state", "asset", "actions", "requester", "expires", "condition", "reason"],
        _rows(found),
    )


@app.command("approve")
def approve(
    request_id: Annotated[str, typer.Argument(help="The request id.")],
    days: Annotated[int, typer.Option("--days", min=1, help="How long the grant lasts; it lapses by itself.")] = 90,
    agreement: Annotated[
        str | None,
        typer.Option("--agreement", help="Condition: the requester must hold this agreement (e.g. DUA:2026-7)."),
    ] = None,
    note: Annotated[str, typer.Option("--note", help="Conditions or remarks, kept with the grant.")] = "",
    home: HomeOption = None,
    token: TokenOption = None,
) -> None:
    """Approve a request (data stewards of the holding organisation, security officers; never your own)."""
    with session(home, token) as (platform, me):
        done = platform.access.approve(me, request_id, ttl=timedelta(days=days), agreement=agreement, note=note)
    console.print(show_request(done))


@app.command("deny")
def deny(
    request_id: Annotated[str, typer.Argument(help="The request id.")],
    note: Annotated[str, typer.Option("--note", help="Why not; the requester sees it.")],
    home: HomeOption = None,
    token: TokenOption = None,
) -> None:
    """Refuse a pending request."""
    with session(home, token) as (platform, me):
        done = platform.access.deny(me, request_id, note)
    console.print(show_request(done))


@app.command("revoke")
def revoke(
    request_id: Annotated[str, typer.Argument(help="The request id.")],
    note: Annotated[str, typer.Option("--note", help="Why; kept in the audit log.")],
    home: HomeOption = None,
    token: TokenOption = None,
) -> None:
    """End an approved grant now."""
    with session(home, token) as (platform, me):
        done = platform.access.revoke(me, request_id, note)
    console.print(show_request(done))


@app.command("withdraw")
def withdraw(
    request_id: Annotated[str, typer.Argument(help="Your pending request's id.")],
    home: HomeOption = None,
    token: TokenOption = None,
) -> None:
    """Withdraw your own pending request."""
    with session(home, token) as (platform, me):
        done = platform.access.withdraw(me, request_id)
    console.print(show_request(done))
