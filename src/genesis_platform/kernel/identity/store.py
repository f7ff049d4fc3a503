"""Persistence of organisations, users and API tokens (SQLAlchemy Core on the unit of work's connection)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update
from sqlalchemy.exc import IntegrityError

from genesis_platform.kernel.access.store import AccessStore
from genesis_platform.kernel.canonical import canonical_json
from genesis_platform.kernel.db import api_tokens, organisations, users
from genesis_platform.kernel.errors import Conflict
from genesis_platform.kernel.identity.model import Agreement, ApiToken, Organisation, Principal, User
from genesis_platform.kernel.timestamps import from_text, to_text

__all__ = ["IdentityStore"]


def _attributes(user: User) -> str:
    return canonical_json(
        {
            "us_person": user.us_person,
            "citizenships": sorted(user.citizenships),
            "clearance": user.clearance.value,
            "compartments": sorted(user.compartments),
            "trainings": sorted(t.value for t in user.trainings),
            "agreements": sorted(str(a) for a in user.agreements),
            "projects": sorted(user.projects),
            "roles": sorted(r.value for r in user.roles),
        }
    ).decode("utf-8")


def _user(row: Row[Any]) -> User:
    attrs = json.loads(row.attributes)
    return User(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        email=row.email,
        organisation_id=row.organisation_id,
        vetting=row.vetting,
        us_person=attrs["us_person"],
        citizenships=frozenset(attrs["citizenships"]),
        clearance=attrs["clearance"],
        compartments=frozenset(attrs["compartments"]),
        trainings=frozenset(attrs["trainings"]),
        agreements=frozenset(Agreement.parse(a) for a in attrs["agreements"]),
        projects=frozenset(attrs["projects"]),
        roles=frozenset(attrs["roles"]),
        version=row.version,
        created_at=from_text(row.created_at),
    )


def _organisation(row: Row[Any]) -> Organisation:
    return Organisation(
        id=row.id, name=row.name, kind=row.kind, country=row.country, created_at=from_text(row.created_at)
    )


def _token(row: Row[Any]) -> ApiToken:
    return ApiToken(
        id=row.id,
        user_id=row.user_id,
        label=row.label,
        created_at=from_text(row.created_at),
        expires_at=from_text(row.expires_at),
        revoked_at=from_text(row.revoked_at) if row.revoked_at else None,
    )


class IdentityStore:
    """Reads and writes people, organisations and tokens.

    Args:
        conn: the unit of work's connection.
    """

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add_organisation(self, org: Organisation) -> None:
        """Insert an organisation.

        Raises:
            Conflict: the name is taken.
        """
        try:
            with self._conn.begin_nested():
                self._conn.execute(
                    insert(organisations).values(
                        id=org.id,
                        name=org.name,
                        kind=org.kind.value,
                        country=org.country,
                        created_at=to_text(org.created_at),
                    )
                )
        except IntegrityError:
            raise Conflict(f"an organisation named {org.name!r} already exists") from None

    def organisation(self, org_id: str) -> Organisation | None:
        """The organisation with this id."""
        row = self._conn.execute(select(organisations).where(organisations.c.id == org_id)).first()
        return None if row is None else _organisation(row)

    def organisation_named(self, name: str) -> Organisation | None:
        """The organisation with this name."""
        row = self._conn.execute(select(organisations).where(organisations.c.name == name)).first()
        return None if row is None else _organisation(row)

    def organisations(self) -> list[Organisation]:
        """Every organisation, by name."""
        rows = self._conn.execute(select(organisations).order_by(organisations.c.name)).all()
        return [_organisation(r) for r in rows]

    def add_user(self, user: User, updated_at: str) -> None:
        """Insert a user.

        Raises:
            Conflict: the username is taken.
        """
        try:
            with self._conn.begin_nested():
                self._conn.execute(
                    insert(users).values(
                        id=user.id,
                        username=user.username,
                        display_name=user.display_name,
                        email=user.email,
                        organisation_id=user.organisation_id,
                        vetting=user.vetting.value,
                        attributes=_attributes(user),
                        version=user.version,
                        created_at=to_text(user.created_at),
                        updated_at=updated_at,
                    )
                )
        except IntegrityError:
            raise Conflict(f"the username {user.username!r} is taken") from None

    def user(self, user_id: str) -> User | None:
        """The user with this id."""
        row = self._conn.execute(select(users).where(users.c.id == user_id)).first()
        return None if row is None else _user(row)

    def user_named(self, username: str) -> User | None:
        """The user with this username."""
        row = self._conn.execute(select(users).where(users.c.username == username)).first()
        return None if row is None else _user(row)

    def users(self) -> list[User]:
        """Every user, by username."""
        return [_user(r) for r in self._conn.execute(select(users).order_by(users.c.username)).all()]

    def save_user(self, user: User, updated_at: str) -> User:
        """Write a changed user and bump its version (optimistic: the stored version must be `user.version`).

        Raises:
            Conflict: someone else changed the user meanwhile.
        """
        result = self._conn.execute(
            update(users)
            .where(users.c.id == user.id, users.c.version == user.version)
            .values(
                display_name=user.display_name,
                email=user.email,
                vetting=user.vetting.value,
                attributes=_attributes(user),
                version=user.version + 1,
                updated_at=updated_at,
            )
        )
        if result.rowcount != 1:
            raise Conflict(f"user {user.username!r} was changed by someone else; try again")
        return user.model_copy(update={"version": user.version + 1})

    def principal(self, user_id: str, channel: str, now: datetime) -> Principal | None:
        """A user as a principal: their profile, organisation and the grants they hold at `now`."""
        user = self.user(user_id)
        if user is None:
            return None
        org = self.organisation(user.organisation_id)
        assert org is not None  # foreign key
        grants = AccessStore(self._conn).grants_of(user_id, now)
        return Principal(user=user, organisation=org, channel=channel, grants=grants)

    def touch(self, user_id: str, updated_at: str) -> None:
        """Bump a user's version so cached principals reload (their grants changed)."""
        self._conn.execute(
            update(users).where(users.c.id == user_id).values(version=users.c.version + 1, updated_at=updated_at)
        )

    def add_token(self, token: ApiToken, secret_hash: str) -> None:
        """Insert a token record."""
        self._conn.execute(
            insert(api_tokens).values(
                id=token.id,
                user_id=token.user_id,
                label=token.label,
                secret_hash=secret_hash,
                created_at=to_text(token.created_at),
                expires_at=to_text(token.expires_at),
                revoked_at=None,
            )
        )

    def token(self, token_id: str) -> tuple[ApiToken, str] | None:
        """The token record and its secret hash."""
        row = self._conn.execute(select(api_tokens).where(api_tokens.c.id == token_id)).first()
        return None if row is None else (_token(row), row.secret_hash)

    def tokens_of(self, user_id: str) -> list[ApiToken]:
        """Every token of a user, newest first."""
        rows = self._conn.execute(
            select(api_tokens).where(api_tokens.c.user_id == user_id).order_by(api_tokens.c.created_at.desc())
        ).all()
        return [_token(r) for r in rows]

    def revoke_token(self, token_id: str, at: str) -> bool:
        """Mark a token revoked; False if it was already revoked or does not exist."""
        result = self._conn.execute(
            update(api_tokens)
            .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return result.rowcount == 1
