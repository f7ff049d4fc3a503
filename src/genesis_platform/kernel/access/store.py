"""Persistence of access requests; the grants a user holds are read from the approved ones."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, or_, select, update

from genesis_platform.kernel.access.model import AccessRequest, RequestState
from genesis_platform.kernel.db import access_requests
from genesis_platform.kernel.identity.model import Agreement, Grant
from genesis_platform.kernel.timestamps import from_text, to_text

__all__ = ["AccessStore"]


def _request(row: Row[Any]) -> AccessRequest:
    return AccessRequest(
        id=row.id,
        asset_id=row.asset_id,
        requester_id=row.requester_id,
        actions=frozenset(json.loads(row.actions)),
        reason=row.reason,
        state=RequestState(row.state),
        created_at=from_text(row.created_at),
        decided_by=row.decided_by,
        decided_at=from_text(row.decided_at) if row.decided_at else None,
        note=row.note,
        expires_at=from_text(row.expires_at) if row.expires_at else None,
        agreement=Agreement.parse(row.agreement) if row.agreement else None,
    )


class AccessStore:
    """Reads and writes access requests.

    Args:
        conn: the unit of work's connection.
    """

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, request: AccessRequest) -> None:
        """Insert a request."""
        self._conn.execute(
            insert(access_requests).values(
                id=request.id,
                asset_id=request.asset_id,
                requester_id=request.requester_id,
                actions=json.dumps(sorted(request.actions)),
                reason=request.reason,
                state=request.state.value,
                created_at=to_text(request.created_at),
            )
        )

    def get(self, request_id: str) -> AccessRequest | None:
        """The request with this id."""
        row = self._conn.execute(select(access_requests).where(access_requests.c.id == request_id)).first()
        return None if row is None else _request(row)

    def find(
        self, *, requester_id: str | None = None, asset_ids: list[str] | None = None, state: RequestState | None = None
    ) -> list[AccessRequest]:
        """Requests by requester or asset (either matches), optionally in one state, oldest first."""
        stmt = select(access_requests).order_by(access_requests.c.created_at, access_requests.c.id)
        who = []
        if requester_id is not None:
            who.append(access_requests.c.requester_id == requester_id)
        if asset_ids:
            who.append(access_requests.c.asset_id.in_(asset_ids))
        if who:
            stmt = stmt.where(or_(*who))
        if state is not None:
            stmt = stmt.where(access_requests.c.state == state.value)
        return [_request(r) for r in self._conn.execute(stmt).all()]

    def decide(self, request: AccessRequest) -> None:
        """Write a request's new state and decision fields."""
        self._conn.execute(
            update(access_requests)
            .where(access_requests.c.id == request.id)
            .values(
                state=request.state.value,
                decided_by=request.decided_by,
                decided_at=to_text(request.decided_at) if request.decided_at else None,
                note=request.note,
                expires_at=to_text(request.expires_at) if request.expires_at else None,
                agreement=str(request.agreement) if request.agreement else None,
            )
        )

    def grants_of(self, user_id: str, now: datetime) -> frozenset[Grant]:
        """The grants from a user's approved requests that have not expired at `now`."""
        rows = self._conn.execute(
            select(access_requests).where(
                access_requests.c.requester_id == user_id,
                access_requests.c.state == RequestState.APPROVED.value,
                or_(access_requests.c.expires_at.is_(None), access_requests.c.expires_at > to_text(now)),
            )
        ).all()
        return frozenset(g for r in rows for g in _request(r).grants())
