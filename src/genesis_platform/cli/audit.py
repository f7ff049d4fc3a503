"""`genesis audit`: read, verify, checkpoint and prove the tamper-evident audit log."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from genesis_platform.cli._common import (
    HomeOption,
    JsonOption,
    TokenOption,
    console,
    err_console,
    parse_moment,
    print_json,
    session,
    table,
)
from genesis_platform.kernel import AuditVerificationFailed
from genesis_platform.kernel.audit.log import AuditQuery

__all__ = ["app"]

app = typer.Typer(help="The audit log: every decision and change, hash-chained and signed.")


@app.command("log")
def log(
    user: Annotated[str | None, typer.Option("--user", help="Only this actor (username or id).")] = None,
    action: Annotated[str | None, typer.Option("--action", help="Only this action, e.g. download, user.vet.")] = None,
    asset: Annotated[str | None, typer.Option("--asset", help="Only this asset id.")] = None,
    outcome: Annotated[str | None, typer.Option("--outcome", help="allow, deny, ok or failed.")] = None,
    since: Annotated[str | None, typer.Option("--since", help="ISO date/time, or a span back: 90m, 24h, 7d.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="ISO date/time, or a span back.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100_000, help="Newest records to show.")] = 50,
    home: HomeOption = None,
    token: TokenOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show audit records, newest last (security officers and administrators).

    Example: genesis audit log --user patel --outcome deny --since 7d
    """
    query = AuditQuery(
        actor=user,
        action=action,
        resource=f'Asset::"{asset}"' if asset else None,
        outcome=outcome,
        since=parse_moment(since, "--since"),
        until=parse_moment(until, "--until"),
        limit=limit,
    )
    with session(home, token) as (platform, me):
        records = platform.audit.records(me, query)
    if as_json:
        print_json(
            [
                {
                    "seq": r.seq,
                    "at": r.at,
                    "kind": r.event.kind,
                    "actor": r.event.actor,
                    "channel": r.event.channel,
                    "action": r.event.action,
                    "resource": r.event.resource,
                    "outcome": r.event.outcome,
                    "details": r.event.details,
                    "hash": r.hash,
                }
                for r in records
            ]
        )
        return
    rows = [
        (
            r.seq,
            r.at[:19].replace("T", " "),
            r.event.actor,
            r.event.action,
            r.event.resource,
            r.event.outcome,
            json.dumps(dict(r.event.details), sort_keys=True)[:80],
        )
        for r in records
    ]
    table("Audit log", ["seq", "at (UTC)", "actor", "action", "resource", "outcome", "details"], rows)


@app.command("verify")
def verify(home: HomeOption = None, token: TokenOption = None) -> None:
    """Verify the hash chain, the signed tree head and every checkpoint; name the first bad record.

    Exits 6 when the log does not verify.
    """
    with session(home, token) as (platform, me):
        report = platform.audit.verify(me)
    if not report.ok:
        where = f" (first bad record: {report.first_bad_seq})" if report.first_bad_seq else ""
        raise AuditVerificationFailed(f"audit log does NOT verify{where}: {report.problem}")
    console.print(f"audit chain verified: {report.records} records, {report.checkpoints} signed checkpoints")


@app.command("checkpoint")
def checkpoint(home: HomeOption = None, token: TokenOption = None, as_json: JsonOption = False) -> None:
    """Sign a Merkle checkpoint of the log now (security officers). Keep a copy elsewhere as a witness."""
    with session(home, token) as (platform, me):
        head = platform.audit.checkpoint(me)
    data = {
        "tree_size": head.tree_size,
        "root": head.root,
        "head_hash": head.head_hash,
        "at": head.at,
        "key_id": head.key_id,
        "signature": head.signature,
    }
    if as_json:
        print_json(data)
        return
    table("Signed checkpoint", ["field", "value"], list(data.items()))


@app.command("prove")
def prove(
    seq: Annotated[int, typer.Argument(help="Record sequence number.", min=1)],
    home: HomeOption = None,
    token: TokenOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print an RFC 6962 inclusion proof of a record against the newest checkpoint covering it."""
    with session(home, token) as (platform, me):
        proof = platform.audit.prove(me, seq)
    data = {
        "seq": proof.seq,
        "leaf_hash": proof.leaf_hash,
        "tree_size": proof.checkpoint.tree_size,
        "root": proof.checkpoint.root,
        "path": proof.path,
        "valid": proof.valid,
    }
    if as_json:
        print_json(data)
    else:
        table(f"Inclusion proof of record {seq}", ["field", "value"], [(k, v) for k, v in data.items() if k != "path"])
        for i, node in enumerate(proof.path):
            console.print(f"  path[{i}] {node}")
    if not proof.valid:
        err_console.print("error: the proof does not lead to the signed root; run `genesis audit verify`")
        raise typer.Exit(6)


@app.command("rotate-key")
def rotate_key(home: HomeOption = None, token: TokenOption = None) -> None:
    """Replace the audit signing key (security officers); old checkpoints still verify with the retired key."""
    with session(home, token) as (platform, me):
        old, new = platform.audit.rotate_key(me)
    console.print(f"audit signing key rotated: {old} -> {new}")
