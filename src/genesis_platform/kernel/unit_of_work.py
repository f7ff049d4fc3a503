"""The unit of work: one transaction per use case, with the audit events it produced.

A use case authorises, acts, audits and records provenance inside one unit of work. Leaving the block
normally commits the state changes and appends the audit events in the same transaction. Leaving it with an
exception rolls the state back but still appends the *decisions* taken (in a transaction of their own): a
denial must reach the audit log precisely when the use case stops because of it.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Connection, Engine

from genesis_platform.kernel.audit.chain import AuditEvent
from genesis_platform.kernel.audit.log import AuditLog

__all__ = ["UnitOfWork", "UnitOfWorkFactory"]


class UnitOfWork:
    """A database transaction plus the audit events recorded in it.

    Args:
        engine: the database.
        audit: the audit log the events go to.
    """

    def __init__(self, engine: Engine, audit: AuditLog) -> None:
        self._engine = engine
        self._audit = audit
        self._events: list[AuditEvent] = []
        self._connection: Connection | None = None

    @property
    def connection(self) -> Connection:
        """The open connection; stores run their statements on it."""
        if self._connection is None:
            raise RuntimeError("the unit of work is not open; use it in a `with` block")
        return self._connection

    def record(self, event: AuditEvent) -> None:
        """Queue an audit event; it is appended when the unit of work ends."""
        self._events.append(event)

    def __enter__(self) -> UnitOfWork:
        # The transaction begins with the first statement (SQLAlchemy's autobegin).
        self._connection = self._engine.connect()
        return self

    def commit(self) -> None:
        """Append the queued events and commit everything now; the unit of work stays usable."""
        conn = self.connection
        self._audit.append(conn, self._events)
        self._events.clear()
        conn.commit()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        conn = self.connection
        try:
            if exc_type is None:
                self.commit()
                return
            conn.rollback()
            decisions = [e for e in self._events if e.kind == "decision"]
            if decisions:
                self._audit.append(conn, decisions)
                conn.commit()
        finally:
            self._events.clear()
            conn.close()
            self._connection = None


class UnitOfWorkFactory:
    """Makes units of work on one engine and audit log.

    Args:
        engine: the database.
        audit: the audit log.
    """

    def __init__(self, engine: Engine, audit: AuditLog) -> None:
        self.engine = engine
        self.audit = audit

    def __call__(self) -> UnitOfWork:
        """Make a unit of work."""
        return UnitOfWork(self.engine, self.audit)
