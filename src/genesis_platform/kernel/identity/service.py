"""Use cases for people, organisations and tokens: each authorised, audited and done in one unit of work.

Who may do what is in `policies/genesis.cedar`: platform administrators manage identity, security officers
vet and clear people, nobody grants privileges to themselves, and everyone may read their own profile and
manage their own tokens.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from genesis_platform.kernel.audit.chain import AuditEvent
from genesis_platform.kernel.errors import AuthenticationFailed, InvalidInput, NotFound
from genesis_platform.kernel.guard import Guard
from genesis_platform.kernel.identity.model import (
    Agreement,
    ApiToken,
    Clearance,
    Organisation,
    OrganisationKind,
    Principal,
    Role,
    Training,
    User,
    VettingStatus,
    next_vetting_status,
)
from genesis_platform.kernel.identity.store import IdentityStore
from genesis_platform.kernel.identity.tokens import TokenHasher, new_token, parse_token
from genesis_platform.kernel.policy.model import PLATFORM, Action
from genesis_platform.kernel.timestamps import to_text
from genesis_platform.kernel.unit_of_work import UnitOfWork
from genesis_platform.kernel.validation import build, parse_enum

__all__ = ["Grants", "IdentityService", "IssuedToken"]


class Grants:
    """Attributes to add to or remove from a user.

    Args:
        roles: role names.
        trainings: training names.
        agreements: `KIND` or `KIND:REFERENCE`.
        projects: project names.
        compartments: special accesses (RD, FRD, TFNI).
        clearance: a clearance level to set (grant only).

    Raises:
        InvalidInput: a name is not in its vocabulary.
    """

    def __init__(
        self,
        roles: Iterable[str] = (),
        trainings: Iterable[str] = (),
        agreements: Iterable[str] = (),
        projects: Iterable[str] = (),
        compartments: Iterable[str] = (),
        clearance: str | None = None,
    ) -> None:
        try:
            self.roles = frozenset(Role(r) for r in roles)
            self.trainings = frozenset(Training(t) for t in trainings)
            self.agreements = frozenset(Agreement.parse(a) for a in agreements)
            self.clearance = Clearance(clearance) if clearance is not None else None
        except ValueError as e:
            raise InvalidInput(_vocabulary_error(e)) from None
        self.projects = frozenset(p.strip() for p in projects)
        if any(not p or len(p) > 100 for p in self.projects):
            raise InvalidInput("project names must be 1-100 characters")
        self.compartments = frozenset(c.strip().upper() for c in compartments)
        unknown = self.compartments - {"RD", "FRD", "TFNI", "OTHER_CLASSIFIED"}
        if unknown:
            raise InvalidInput(f"unknown compartment(s) {sorted(unknown)}; use RD, FRD, TFNI or OTHER_CLASSIFIED")

    @property
    def touches_clearance(self) -> bool:
        """Whether a security officer must decide (clearance or special access)."""
        return self.clearance is not None or bool(self.compartments)

    @property
    def empty(self) -> bool:
        """Whether nothing is asked for."""
        return not (self.roles or self.trainings or self.agreements or self.projects or self.compartments) and (
            self.clearance is None
        )

    def describe(self) -> dict[str, Any]:
        """The grant as audit details."""
        out: dict[str, Any] = {}
        for name in ("roles", "trainings", "projects", "compartments"):
            values = getattr(self, name)
            if values:
                out[name] = sorted(str(v) for v in values)
        if self.agreements:
            out["agreements"] = sorted(str(a) for a in self.agreements)
        if self.clearance is not None:
            out["clearance"] = self.clearance.value
        return out


def _vocabulary_error(error: ValueError) -> str:
    text = str(error)
    for enum in (Role, Training, Clearance):
        if enum.__name__ in text:
            return f"{text}; choose from {', '.join(m.value for m in enum)}"
    return text


class IssuedToken:
    """A newly issued token: its record, and the secret text shown exactly once.

    Args:
        token: the stored record.
        secret: the full token text.
    """

    def __init__(self, token: ApiToken, secret: str) -> None:
        self.token = token
        self.secret = secret


class IdentityService:
    """People, organisations and tokens.

    Args:
        uow: makes units of work.
        guard: authorises and audits.
        hasher: hashes token secrets.
        default_ttl: lifetime of a token when none is asked for.
        max_ttl: the longest lifetime allowed.
    """

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        guard: Guard,
        hasher: TokenHasher,
        default_ttl: timedelta = timedelta(days=90),
        max_ttl: timedelta = timedelta(days=365),
    ) -> None:
        self._uow = uow
        self._guard = guard
        self._hasher = hasher
        self._default_ttl = default_ttl
        self._max_ttl = max_ttl

    def _now(self) -> str:
        return to_text(self._guard.clock.now())

    # ── organisations ──

    def add_organisation(self, principal: Principal, name: str, kind: str, country: str) -> Organisation:
        """Add an organisation (platform administrators)."""
        with self._uow() as uow:
            self._guard.require(uow, principal, Action.MANAGE_IDENTITY, PLATFORM, {"change": "organisation.add"})
            org = build(
                Organisation,
                id=str(uuid.uuid4()),
                name=name.strip(),
                kind=parse_enum(OrganisationKind, kind, "organisation kind"),
                country=country,
                created_at=self._guard.clock.now(),
            )
            IdentityStore(uow.connection).add_organisation(org)
            self._guard.changed(uow, principal, "organisation.add", PLATFORM, org.model_dump(mode="json"))
            return org

    def list_organisations(self, principal: Principal) -> list[Organisation]:
        """Every participating organisation (any vetted user)."""
        with self._uow() as uow:
            self._guard.require(uow, principal, Action.LIST_ORGANISATIONS, PLATFORM)
            return IdentityStore(uow.connection).organisations()

    # ── users ──

    def add_user(
        self,
        principal: Principal,
        *,
        username: str,
        display_name: str,
        email: str,
        organisation: str,
        us_person: bool,
        citizenships: Iterable[str] = (),
        roles: Iterable[str] = (),
    ) -> User:
        """Add a user, pending vetting (platform administrators).

        Args:
            principal: who asks.
            username: login name.
            display_name: the person's name.
            email: contact address.
            organisation: the organisation's name or id.
            us_person: US citizen or lawful permanent resident.
            citizenships: ISO alpha-3 codes; a US person with none given is recorded as USA.
            roles: initial roles.
        """
        with self._uow() as uow:
            self._guard.require(uow, principal, Action.MANAGE_IDENTITY, PLATFORM, {"change": "user.add"})
            store = IdentityStore(uow.connection)
            org = _find_organisation(store, organisation)
            cits = set(citizenships) or ({"USA"} if us_person else set())
            if not cits:
                raise InvalidInput(
                    "a user who is not a US person needs at least one citizenship (e.g. --citizenship GBR)"
                )
            grants = Grants(roles=roles)
            user = build(
                User,
                id=str(uuid.uuid4()),
                username=username,
                display_name=display_name,
                email=email,
                organisation_id=org.id,
                us_person=us_person,
                citizenships=frozenset(cits),
                roles=grants.roles,
                created_at=self._guard.clock.now(),
            )
            store.add_user(user, self._now())
            self._guard.changed(uow, principal, "user.add", user, _public(user))
            return user

    def list_users(self, principal: Principal) -> list[User]:
        """Every user (administrators and security officers)."""
        with self._uow() as uow:
            self._guard.require(uow, principal, Action.READ_DIRECTORY, PLATFORM)
            return IdentityStore(uow.connection).users()

    def _someone(self, uow: UnitOfWork, store: IdentityStore, principal: Principal, username: str | None) -> User:
        """The user a request names: the caller, or (for those who may read the directory) anyone.

        Asking about someone else is first decided as a directory read, so a caller who may not read the
        directory cannot learn from "not found" which usernames exist.
        """
        if username is None or username in (principal.user.username, principal.user.id):
            return principal.user
        self._guard.require(uow, principal, Action.READ_DIRECTORY, PLATFORM, {"user": username})
        return _find_user(store, username)

    def show_user(self, principal: Principal, username: str | None = None) -> tuple[User, Organisation]:
        """A user's profile: one's own, or anyone's for administrators and security officers."""
        with self._uow() as uow:
            store = IdentityStore(uow.connection)
            user = self._someone(uow, store, principal, username)
            self._guard.require(uow, principal, Action.READ_PROFILE, user)
            org = store.organisation(user.organisation_id)
            assert org is not None  # foreign key
            return user, org

    def _transition(self, principal: Principal, username: str, step: str, reason: str | None) -> User:
        with self._uow() as uow:
            store = IdentityStore(uow.connection)
            user = _find_user(store, username)
            self._guard.require(uow, principal, Action.VET, user, {"change": f"user.{step}"})
            status = next_vetting_status(user.vetting, step)
            saved = store.save_user(user.model_copy(update={"vetting": status}), self._now())
            details: dict[str, Any] = {"from": user.vetting.value, "to": status.value}
            if reason:
                details["reason"] = reason
            self._guard.changed(uow, principal, f"user.{step}", saved, details)
            return saved

    def vet(self, principal: Principal, username: str, reason: str | None = None) -> User:
        """Mark a pending or suspended user vetted (security officers)."""
        return self._transition(principal, username, "vet", reason)

    def suspend(self, principal: Principal, username: str, reason: str | None = None) -> User:
        """Suspend a vetted user: every request is denied from now on (security officers)."""
        return self._transition(principal, username, "suspend", reason)

    def revoke(self, principal: Principal, username: str, reason: str | None = None) -> User:
        """Revoke a user for good (security officers)."""
        return self._transition(principal, username, "revoke", reason)

    def grant(self, principal: Principal, username: str, grants: Grants, *, remove: bool = False) -> User:
        """Add (or with `remove`, take away) roles, trainings, agreements, projects, clearance, compartments.

        Roles, trainings, agreements and projects are identity management (administrators); clearance and
        special access are vetting (security officers). Nobody changes their own.
        """
        if grants.empty:
            raise InvalidInput("nothing to grant: name at least one role, training, agreement, project or clearance")
        with self._uow() as uow:
            store = IdentityStore(uow.connection)
            user = _find_user(store, username)
            change = "user.ungrant" if remove else "user.grant"
            if grants.roles or grants.trainings or grants.agreements or grants.projects:
                self._guard.require(uow, principal, Action.MANAGE_IDENTITY, user, {"change": change})
            if grants.touches_clearance:
                self._guard.require(uow, principal, Action.VET, user, {"change": change})
            op: Callable[[frozenset[Any], frozenset[Any]], frozenset[Any]] = (
                (lambda a, b: a - b) if remove else (lambda a, b: a | b)
            )
            updated: dict[str, Any] = {
                "roles": op(user.roles, grants.roles),
                "trainings": op(user.trainings, grants.trainings),
                "agreements": op(user.agreements, grants.agreements),
                "projects": op(user.projects, grants.projects),
                "compartments": op(user.compartments, grants.compartments),
            }
            if grants.clearance is not None:
                updated["clearance"] = Clearance.NONE if remove else grants.clearance
            saved = store.save_user(user.model_copy(update=updated), self._now())
            self._guard.changed(uow, principal, change, saved, grants.describe())
            return saved

    # ── tokens ──

    def issue_token(
        self,
        principal: Principal,
        username: str | None = None,
        *,
        label: str = "cli",
        ttl: timedelta | None = None,
    ) -> IssuedToken:
        """Issue an API token for oneself, or (administrators, security officers) for someone else."""
        ttl = ttl or self._default_ttl
        if ttl <= timedelta(0) or ttl > self._max_ttl:
            raise InvalidInput(f"a token lives between 1 second and {self._max_ttl.days} days")
        with self._uow() as uow:
            store = IdentityStore(uow.connection)
            user = self._someone(uow, store, principal, username)
            self._guard.require(uow, principal, Action.MANAGE_TOKENS, user, {"change": "token.issue"})
            issued = self._issue(store, user, label, ttl)
            self._guard.changed(
                uow,
                principal,
                "token.issue",
                user,
                {"token": issued.token.id, "expires_at": to_text(issued.token.expires_at)},
            )
            return issued

    def _issue(self, store: IdentityStore, user: User, label: str, ttl: timedelta) -> IssuedToken:
        if user.vetting is VettingStatus.REVOKED:
            raise InvalidInput(f"{user.username} is revoked; no token can be issued")
        token_id, secret, text = new_token()
        now = self._guard.clock.now()
        token = build(ApiToken, id=token_id, user_id=user.id, label=label, created_at=now, expires_at=now + ttl)
        store.add_token(token, self._hasher.hash(secret))
        return IssuedToken(token, text)

    def bootstrap_token(self, uow: UnitOfWork, user: User, label: str, ttl: timedelta) -> IssuedToken:
        """Issue the first administrator's token at `genesis init`, when there is nobody to authorise it."""
        issued = self._issue(IdentityStore(uow.connection), user, label, ttl)
        self._guard.changed(uow, None, "token.issue", user, {"token": issued.token.id, "bootstrap": True})
        return issued

    def list_tokens(self, principal: Principal, username: str | None = None) -> list[ApiToken]:
        """A user's tokens (never their secrets)."""
        with self._uow() as uow:
            store = IdentityStore(uow.connection)
            user = self._someone(uow, store, principal, username)
            self._guard.require(uow, principal, Action.MANAGE_TOKENS, user)
            return store.tokens_of(user.id)

    def revoke_token(self, principal: Principal, token_id: str) -> ApiToken:
        """Revoke a token at once: its owner, administrators and security officers may."""
        with self._uow() as uow:
            store = IdentityStore(uow.connection)
            found = store.token(token_id)
            if found is None:
                raise NotFound(f"no token {token_id!r}")
            token, _ = found
            owner = store.user(token.user_id)
            assert owner is not None  # foreign key
            self._guard.require(uow, principal, Action.MANAGE_TOKENS, owner, {"change": "token.revoke"})
            if not store.revoke_token(token_id, self._now()):
                raise InvalidInput(f"token {token_id} is already revoked")
            self._guard.changed(uow, principal, "token.revoke", owner, {"token": token_id})
            refreshed = store.token(token_id)
            assert refreshed is not None
            return refreshed[0]

    def authenticate(self, token_text: str | None, channel: str) -> Principal:
        """Turn a bearer token into the principal it belongs to.

        Unknown, malformed, expired and revoked tokens are refused with the same message; expired, revoked and
        unknown-id attempts are recorded in the audit log. A suspended or revoked user still authenticates, and
        the policy then denies every action, so the denial is decided and recorded like any other.

        Raises:
            AuthenticationFailed: the token does not authenticate.
        """
        refused = AuthenticationFailed(
            "the token is missing, unknown, expired or revoked; ask for a new one with `genesis user token issue`"
        )
        parsed = parse_token(token_text or "")
        if parsed is None:
            raise refused
        token_id, secret = parsed
        with self._uow() as uow:
            store = IdentityStore(uow.connection)
            found = store.token(token_id)
            valid = self._hasher.verify(found[1] if found else None, secret)
            if found is None or not valid:
                self._refuse(uow, "system", token_id, "unknown token" if found is None else "wrong secret", channel)
                raise refused
            token = found[0]
            now = self._guard.clock.now()
            if not token.is_usable(now):
                why = "revoked" if token.revoked_at is not None else "expired"
                self._refuse(uow, token.user_id, token_id, why, channel)
                raise refused
            principal = store.principal(token.user_id, channel, now)
            assert principal is not None  # foreign key
            return principal

    def _refuse(self, uow: UnitOfWork, actor: str, token_id: str, why: str, channel: str) -> None:
        uow.record(
            AuditEvent(
                kind="decision",
                actor=actor,
                action="authenticate",
                resource=f'Token::"{token_id}"',
                outcome="deny",
                details={"reason": why},
                channel=channel,
            )
        )


def _public(user: User) -> dict[str, Any]:
    data = user.model_dump(mode="json", exclude={"version", "created_at"})
    return {k: sorted(v) if isinstance(v, list) else v for k, v in data.items()}


def _find_user(store: IdentityStore, username: str) -> User:
    user = store.user_named(username) or store.user(username)
    if user is None:
        raise NotFound(f"no user {username!r}; `genesis user list` shows who exists")
    return user


def _find_organisation(store: IdentityStore, name_or_id: str) -> Organisation:
    org = store.organisation_named(name_or_id) or store.organisation(name_or_id)
    if org is None:
        raise NotFound(f"no organisation {name_or_id!r}; `genesis org list` shows them, `genesis org add` adds one")
    return org
