"""The one path every use case takes to the policy engine and the audit log.

`Guard.require` decides, records the decision in the unit of work and raises when denied; `Guard.filter`
does the same for many resources at once (lists and searches record one decision per resource, allowed or
denied). `Guard.changed` records a state change. No use case calls the policy engine any other way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NoReturn, TypeVar

from sqlalchemy import select

from genesis_platform.kernel.audit.chain import AuditEvent
from genesis_platform.kernel.clock import Clock
from genesis_platform.kernel.db import users
from genesis_platform.kernel.errors import AccessDenied, AuthenticationFailed, NotFound
from genesis_platform.kernel.identity.model import Principal
from genesis_platform.kernel.identity.store import IdentityStore
from genesis_platform.kernel.policy.engine import PolicyEngine
from genesis_platform.kernel.policy.entities import Resource, reference_of
from genesis_platform.kernel.policy.model import Action, Decision
from genesis_platform.kernel.unit_of_work import UnitOfWork

__all__ = ["Guard"]

R = TypeVar("R", bound=Resource)


def _errors(decision: Decision) -> dict[str, Any]:
    return {"errors": list(decision.errors)} if decision.errors else {}


class Guard:
    """Authorise and audit.

    Args:
        policy: the policy decision point.
        clock: decision time (embargoes).
    """

    def __init__(self, policy: PolicyEngine, clock: Clock) -> None:
        self.policy = policy
        self.clock = clock

    def _record(self, uow: UnitOfWork, principal: Principal, decision: Decision, details: Mapping[str, Any]) -> None:
        uow.record(
            AuditEvent(
                kind="decision",
                actor=principal.user.id,
                action=decision.action.value,
                resource=str(decision.resource),
                outcome=decision.outcome,
                details={"policies": list(decision.policies), **_errors(decision), **details},
                channel=principal.channel,
            )
        )

    def current(self, uow: UnitOfWork, principal: Principal) -> Principal:
        """The principal as stored now: a suspension or a new grant counts from the very next decision.

        One primary-key read of the user's version; the profile and grants are reloaded only when it changed
        (granting and revoking access bump the version). Grants that expire need no reload: whether each counts
        is decided at each request's time.
        """
        version = uow.connection.execute(select(users.c.version).where(users.c.id == principal.user.id)).scalar()
        if version == principal.user.version:
            return principal
        fresh = IdentityStore(uow.connection).principal(principal.user.id, principal.channel, self.clock.now())
        if fresh is None:
            raise AuthenticationFailed("the user behind this token no longer exists")
        return fresh

    def check(
        self,
        uow: UnitOfWork,
        principal: Principal,
        action: Action,
        resource: Resource,
        details: Mapping[str, Any] | None = None,
    ) -> Decision:
        """Decide and record, without raising."""
        principal = self.current(uow, principal)
        decision = self.policy.decide(principal, action, resource, self.clock.now())
        self._record(uow, principal, decision, details or {})
        return decision

    def require(
        self,
        uow: UnitOfWork,
        principal: Principal,
        action: Action,
        resource: Resource,
        details: Mapping[str, Any] | None = None,
        *,
        hide: bool = False,
    ) -> Decision:
        """Decide, record, and raise when denied.

        Args:
            uow: the unit of work the decision is recorded in.
            principal: who asks.
            action: what they ask to do.
            resource: what to.
            details: extra audit details.
            hide: answer a denial with `NotFound`, so a caller who may not discover a thing cannot learn that
                it exists.

        Raises:
            AccessDenied: the policy denied the request.
            NotFound: the policy denied it and `hide` is set.
        """
        decision = self.check(uow, principal, action, resource, details)
        if not decision.allowed:
            if hide:
                raise NotFound(f"no {decision.resource.type.lower()} {decision.resource.id!r}")
            self.raise_denied(principal, decision)
        return decision

    def raise_denied(self, principal: Principal, decision: Decision) -> NoReturn:
        """Raise `AccessDenied` for a denied decision, saying why."""
        raise AccessDenied(self.denial_message(principal, decision), policies=list(decision.policies))

    def filter(
        self,
        uow: UnitOfWork,
        principal: Principal,
        action: Action,
        resources: Sequence[R],
        details: Mapping[str, Any] | None = None,
    ) -> list[R]:
        """Return the resources `action` is allowed on, recording every decision."""
        principal = self.current(uow, principal)
        decisions = self.policy.decide_many(principal, action, resources, self.clock.now())
        allowed: list[R] = []
        for resource, decision in zip(resources, decisions, strict=True):
            self._record(uow, principal, decision, details or {})
            if decision.allowed:
                allowed.append(resource)
        return allowed

    def decide_summarised(
        self,
        uow: UnitOfWork,
        principal: Principal,
        action: Action,
        resources: Sequence[R],
        summary_action: str,
        summary_resource: str,
        details: dict[str, Any] | None = None,
    ) -> list[Decision]:
        """Decide `action` on many resources and record one summary event instead of one per resource.

        For searches, which decide once per discovery profile and would otherwise write thousands of records per
        query: the event lists the resources allowed and denied, and `details`. The event is appended when the
        unit of work ends, so the caller may still add to `details` (the number of results) until then.
        """
        principal = self.current(uow, principal)
        decisions = self.policy.decide_many(principal, action, resources, self.clock.now())
        summary = details if details is not None else {}
        summary["decided"] = action.value
        summary["allowed"] = [str(d.resource) for d in decisions if d.allowed]
        summary["denied"] = [str(d.resource) for d in decisions if not d.allowed]
        uow.record(
            AuditEvent(
                kind="decision",
                actor=principal.user.id,
                action=summary_action,
                resource=summary_resource,
                outcome="allow",
                details=summary,
                channel=principal.channel,
            )
        )
        return decisions

    def changed(
        self,
        uow: UnitOfWork,
        principal: Principal | None,
        change: str,
        resource: Resource,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        """Record a state change made by `principal` (None: the platform itself)."""
        uow.record(
            AuditEvent(
                kind="change",
                actor=principal.user.id if principal else "system",
                action=change,
                resource=str(reference_of(resource)),
                outcome="ok",
                details=dict(details or {}),
                channel=principal.channel if principal else "internal",
            )
        )

    def denial_message(self, principal: Principal, decision: Decision) -> str:
        """Say in one line why `decision` denied, naming the deciding policy."""
        who = principal.user.username
        what = f"{decision.action.value} {decision.resource.type.lower()} {decision.resource.id}"
        if decision.errors:
            return f"{who} may not {what}: the policy could not be evaluated ({decision.errors[0]})"
        if decision.by_default:
            return f"{who} may not {what}: no policy permits it (ask a data steward or security officer for access)"
        first = self.policy.policies[decision.policies[0]]
        return f"{who} may not {what}: {first.reason} [policy {first.id}]"
