"""`genesis user`: people, their vetting, privileges and tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

import typer

from genesis_platform.cli._common import HomeOption, JsonOption, TokenOption, console, print_json, session, table
from genesis_platform.kernel import Organisation, User
from genesis_platform.kernel.identity.model import AgreementKind, Clearance, Role, Training
from genesis_platform.kernel.identity.service import Grants

__all__ = ["app"]

app = typer.Typer(help="People: add, vet, suspend, grant privileges, issue tokens.")
token_app = typer.Typer(help="API tokens: issue (shown once), list, revoke.")
app.add_typer(token_app, name="token")

ROLES = ", ".join(r.value for r in Role)
TRAININGS = ", ".join(t.value for t in Training)
CLEARANCES = ", ".join(c.value for c in Clearance)
AGREEMENTS = ", ".join(a.value for a in AgreementKind)


def _row(user: User) -> tuple[Any, ...]:
    return (
        user.username,
        user.display_name,
        user.vetting.value,
        "yes" if user.us_person else ", ".join(sorted(user.citizenships)),
        user.clearance.value,
        ", ".join(sorted(r.value for r in user.roles)),
    )


def _profile(user: User, org: Organisation) -> dict[str, Any]:
    data = user.model_dump(mode="json", exclude={"version"})
    data["organisation"] = org.name
    for key, value in data.items():
        if isinstance(value, list):
            data[key] = sorted(str(v) for v in value)
    return data


@app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="Login name: lower case, digits, '.', '_' or '-'.")],
    name: Annotated[str, typer.Option("--name", help="The person's full name.")],
    email: Annotated[str, typer.Option("--email", help="Contact address.")],
    org: Annotated[str, typer.Option("--org", help="Organisation name or id (`genesis org list`).")],
    us_person: Annotated[
        bool,
        typer.Option("--us-person/--foreign-national", help="US citizen or permanent resident, or a foreign national."),
    ] = True,
    citizenship: Annotated[
        list[str] | None, typer.Option("--citizenship", help="ISO alpha-3 citizenship; repeat for several.")
    ] = None,
    role: Annotated[list[str] | None, typer.Option("--role", help=f"Repeat for several: {ROLES}.")] = None,
    home: HomeOption = None,
    token: TokenOption = None,
) -> None:
    """Add a user, pending vetting (platform administrators).

    A security officer then runs `genesis user vet USERNAME`; until then every request the user makes is denied.
    """
    with session(home, token) as (platform, me):
        user = platform.identity.add_user(
            me,
            username=username,
            display_name=name,
            email=email,
            organisation=org,
            us_person=us_person,
            citizenships=citizenship or [],
            roles=role or [],
        )
    console.print(f"added [bold]{user.username}[/] ({user.vetting.value}); next: `genesis user vet {user.username}`")


@app.command("list")
def list_(home: HomeOption = None, token: TokenOption = None, as_json: JsonOption = False) -> None:
    """List users (administrators and security officers)."""
    with session(home, token) as (platform, me):
        users = platform.identity.list_users(me)
    if as_json:
        print_json([u.model_dump(mode="json", exclude={"version"}) for u in users])
        return
    table(
        "Users",
        ["username", "name", "vetting", "US person / citizenship", "clearance", "roles"],
        [_row(u) for u in users],
    )


@app.command("show")
def show(
    username: Annotated[str | None, typer.Argument(help="Whom to show; yourself when omitted.")] = None,
    home: HomeOption = None,
    token: TokenOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show a profile: everything the policy engine knows about a person."""
    with session(home, token) as (platform, me):
        user, org = platform.identity.show_user(me, username)
    data = _profile(user, org)
    if as_json:
        print_json(data)
        return
    table(
        f"User {user.username}",
        ["attribute", "value"],
        [(k, ", ".join(v) if isinstance(v, list) else v) for k, v in data.items()],
    )


def _transition(step: str, username: str, reason: str | None, home: Any, token: Any) -> None:
    with session(home, token) as (platform, me):
        user = getattr(platform.identity, step)(me, username, reason)
    console.print(f"{user.username} is now [bold]{user.vetting.value}[/]")


@app.command("vet")
def vet(
    username: Annotated[str, typer.Argument(help="The user to vet.")],
    reason: Annotated[str | None, typer.Option("--reason", help="Recorded in the audit log.")] = None,
    home: HomeOption = None,
    token: TokenOption = None,
) -> None:
    """Mark a pending or suspended user vetted (security officers; never yourself)."""
    _transition("vet", username, reason, home, token)


@app.command("suspend")
def suspend(
    username: Annotated[str, typer.Argument(help="The user to suspend.")],
    reason: Annotated[str | None, typer.Option("--reason", help="Recorded in the audit log.")] = None,
    home: HomeOption = None,
    token: TokenOption = None,
) -> None:
    """Suspend a user: every request they make is denied from now on (security officers)."""
    _transition("suspend", username, reason, home, token)


@app.command("revoke")
def revoke(
    username: Annotated[str, typer.Argument(help="The user to revoke.")],
    reason: Annotated[str | None, typer.Option("--reason", help="Recorded in the audit log.")] = None,
    home: HomeOption = None,
    token: TokenOption = None,
) -> None:
    """Revoke a user for good (security officers). A revoked user cannot be vetted again."""
    _transition("revoke", username, reason, home, token)


def _grants(
    role: list[str] | None,
    training: list[str] | None,
    agreement: list[str] | None,
    project: list[str] | None,
    compartment: list[str] | None,
    clearance: str | None,
) -> Grants:
    return Grants(
        roles=role or [],
        trainings=training or [],
        agreements=agreement or [],
        projects=project or [],
        compartments=compartment or [],
        clearance=clearance,
    )


RoleOpt = Annotated[list[str] | None, typer.Option("--role", help=f"Repeatable: {ROLES}.")]
TrainingOpt = Annotated[list[str] | None, typer.Option("--training", help=f"Repeatable: {TRAININGS}.")]
AgreementOpt = Annotated[
    list[str] | None, typer.Option("--agreement", help=f"Repeatable, KIND or KIND:REFERENCE; kinds: {AGREEMENTS}.")
]
ProjectOpt = Annotated[list[str] | None, typer.Option("--project", help="Repeatable project name (need to know).")]
CompartmentOpt = Annotated[list[str] | None, typer.Option("--compartment", help="Repeatable: RD, FRD, TFNI.")]
ClearanceOpt = Annotated[str | None, typer.Option("--clearance", help=f"One of: {CLEARANCES}.")]


@app.command("grant")
def grant(
    username: Annotated[str, typer.Argument(help="The user to grant to.")],
    role: RoleOpt = None,
    training: TrainingOpt = None,
    agreement: AgreementOpt = None,
    project: ProjectOpt = None,
    compartment: CompartmentOpt = None,
    clearance: ClearanceOpt = None,
    home: HomeOption = None,
    token: TokenOption = None,
) -> None:
    """Grant roles, trainings, agreements, projects (administrators), clearance and special access (officers).

    Example: genesis user grant rivera --training cui --training export_control --project fusion
    """
    grants = _grants(role, training, agreement, project, compartment, clearance)
    with session(home, token) as (platform, me):
        user = platform.identity.grant(me, username, grants)
    console.print(f"granted to {user.username}: {grants.describe()}")


@app.command("ungrant")
def ungrant(
    username: Annotated[str, typer.Argument(help="The user to take from.")],
    role: RoleOpt = None,
    training: TrainingOpt = None,
    agreement: AgreementOpt = None,
    project: ProjectOpt = None,
    compartment: CompartmentOpt = None,
    clearance: Annotated[bool, typer.Option("--clearance", help="Withdraw the clearance (set to none).")] = False,
    home: HomeOption = None,
    token: TokenOption = None,
) -> None:
    """Take away roles, trainings, agreements, projects, special access or the clearance."""
    grants = _grants(role, training, agreement, project, compartment, "none" if clearance else None)
    with session(home, token) as (platform, me):
        user = platform.identity.grant(me, username, grants, remove=True)
    console.print(f"taken from {user.username}: {grants.describe()}")


@token_app.command("issue")
def token_issue(
    username: Annotated[str | None, typer.Argument(help="Whose token; yours when omitted.")] = None,
    label: Annotated[str, typer.Option("--label", help="What the token is for.")] = "cli",
    days: Annotated[int | None, typer.Option("--days", help="Lifetime in days (default 90).", min=1)] = None,
    home: HomeOption = None,
    token: TokenOption = None,
) -> None:
    """Issue an API token. It is printed once and never stored in the clear: keep it safe."""
    with session(home, token) as (platform, me):
        issued = platform.identity.issue_token(me, username, label=label, ttl=timedelta(days=days) if days else None)
    console.print(f"token {issued.token.id} expires {issued.token.expires_at:%Y-%m-%d %H:%M} UTC; shown once:")
    typer.echo(issued.secret)


@token_app.command("list")
def token_list(
    username: Annotated[str | None, typer.Argument(help="Whose tokens; yours when omitted.")] = None,
    home: HomeOption = None,
    token: TokenOption = None,
    as_json: JsonOption = False,
) -> None:
    """List tokens (ids, labels, expiry; never the secrets)."""
    with session(home, token) as (platform, me):
        tokens = platform.identity.list_tokens(me, username)
    if as_json:
        print_json([t.model_dump(mode="json") for t in tokens])
        return
    rows = [
        (
            t.id,
            t.label,
            f"{t.created_at:%Y-%m-%d}",
            f"{t.expires_at:%Y-%m-%d}",
            f"{t.revoked_at:%Y-%m-%d}" if t.revoked_at else "",
        )
        for t in tokens
    ]
    table("Tokens", ["id", "label", "issued", "expires", "revoked"], rows)


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="The token id (`genesis user token list`).")],
    home: HomeOption = None,
    token: TokenOption = None,
) -> None:
    """Revoke a token at once."""
    with session(home, token) as (platform, me):
        revoked = platform.identity.revoke_token(me, token_id)
    console.print(f"token {revoked.id} revoked")
