"""Use cases on access requests: ask, approve with conditions, deny, revoke, withdraw, list.

Asking needs only that the asset can be discovered. Deciding needs `approve_access` on the asset (data stewards
of the holding organisation, security officers), and nobody decides their own request. Approval sets an expiry
(grants expire by themselves) and may require an agreement; every step is audited.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import timedelta

from genesis_platform.kernel.access.model import AccessRequest, RequestState
from genesis_platform.kernel.access.store import AccessStore
from genesis_platform.kernel.assets.service import AssetService
from genesis_platform.kernel.assets.store import AssetStore
from genesis_platform.kernel.errors import AccessDenied, Conflict, InvalidInput, NotFound
from genesis_platform.kernel.guard import Guard
from genesis_platform.kernel.identity.model import Agreement, Principal
from genesis_platform.kernel.identity.store import IdentityStore
from genesis_platform.kernel.policy.entities import GRANTABLE
from genesis_platform.kernel.policy.model import Action
from genesis_platform.kernel.timestamps import to_text
from genesis_platform.kernel.unit_of_work import UnitOfWork
from genesis_platform.kernel.validation import build

__all__ = ["AccessService"]


class AccessService:
    """Access requests and grants.

    Args:
        uow: makes units of work.
        guard: authorises and audits.
        assets: resolves and authorises assets.
        default_ttl: how long an approval lasts when the approver names no expiry.
        max_ttl: the longest an approval may last.
    """

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        guard: Guard,
        assets: AssetService,
        default_ttl: timedelta = timedelta(days=90),
        max_ttl: timedelta = timedelta(days=365),
    ) -> None:
        self._uow = uow
        self._guard = guard
        self._assets = assets
        self._default_ttl = default_ttl
        self._max_ttl = max_ttl

    def request(self, principal: Principal, asset_id: str, actions: Iterable[str], reason: str) -> AccessRequest:
        """Ask for actions on an asset one may discover."""
        wanted = frozenset(a.strip() for a in actions)
        unknown = sorted(wanted - set(GRANTABLE))
        if not wanted or unknown:
            raise InvalidInput(
                f"ask for one or more of {', '.join(GRANTABLE)}" + (f"; not {unknown}" if unknown else "")
            )
        if not reason.strip():
            raise InvalidInput("say why you need access (--reason); the data steward decides on it")
        with self._uow() as uow:
            asset = self._assets.require(uow, principal, Action.DISCOVER, asset_id, {"change": "access.request"})
            store = AccessStore(uow.connection)
            for earlier in store.find(requester_id=principal.user.id, state=RequestState.PENDING):
                if earlier.asset_id == asset_id and wanted <= earlier.actions:
                    raise Conflict(f"request {earlier.id} for the same access is already pending")
            made = build(
                AccessRequest,
                id=f"acc-{uuid.uuid4().hex[:12]}",
                asset_id=asset_id,
                requester_id=principal.user.id,
                actions=wanted,
                reason=reason.strip(),
                created_at=self._guard.clock.now(),
            )
            store.add(made)
            self._guard.changed(
                uow, principal, "access.request", asset, {"request": made.id, "actions": sorted(wanted)}
            )
            return made

    def _decidable(self, uow: UnitOfWork, principal: Principal, request_id: str, change: str) -> AccessRequest:
        found = AccessStore(uow.connection).get(request_id)
        if found is None:
            raise NotFound(f"no access request {request_id!r}; `genesis access list` shows yours")
        self._assets.require(
            uow, principal, Action.APPROVE_ACCESS, found.asset_id, {"change": change, "request": request_id}
        )
        if found.requester_id == principal.user.id:
            raise AccessDenied("nobody decides their own access request (separation of duties)")
        return found

    def approve(
        self,
        principal: Principal,
        request_id: str,
        *,
        ttl: timedelta | None = None,
        agreement: str | None = None,
        note: str = "",
    ) -> AccessRequest:
        """Approve a pending request until it expires, optionally on condition of a signed agreement."""
        ttl = ttl or self._default_ttl
        if ttl <= timedelta(0) or ttl > self._max_ttl:
            raise InvalidInput(f"an approval lasts between 1 day and {self._max_ttl.days} days")
        try:
            condition = Agreement.parse(agreement) if agreement else None
        except ValueError as e:
            raise InvalidInput(str(e)) from None
        with self._uow() as uow:
            found = self._decidable(uow, principal, request_id, "access.approve")
            if found.state is not RequestState.PENDING:
                raise Conflict(f"{request_id} is {found.state.value}, not pending")
            now = self._guard.clock.now()
            approved = found.model_copy(
                update={
                    "state": RequestState.APPROVED,
                    "decided_by": principal.user.id,
                    "decided_at": now,
                    "note": note.strip() or None,
                    "expires_at": now + ttl,
                    "agreement": condition,
                }
            )
            AccessStore(uow.connection).decide(approved)
            IdentityStore(uow.connection).touch(found.requester_id, to_text(now))
            asset = AssetStore(uow.connection).get(found.asset_id)
            assert asset is not None
            self._guard.changed(
                uow,
                principal,
                "access.approve",
                asset,
                {
                    "request": request_id,
                    "requester": found.requester_id,
                    "actions": sorted(found.actions),
                    "expires_at": to_text(now + ttl),
                    **({"agreement": str(condition)} if condition else {}),
                },
            )
            return approved

    def _close(self, principal: Principal, request_id: str, to: RequestState, note: str, change: str) -> AccessRequest:
        if to is not RequestState.WITHDRAWN and not note.strip():
            raise InvalidInput("say why (--note); the requester and the audit log get it")
        with self._uow() as uow:
            store = AccessStore(uow.connection)
            if to is RequestState.WITHDRAWN:
                found = store.get(request_id)
                if found is None or found.requester_id != principal.user.id:
                    raise NotFound(f"no access request {request_id!r} of yours")
            else:
                found = self._decidable(uow, principal, request_id, change)
            allowed_from = {RequestState.APPROVED} if to is RequestState.REVOKED else {RequestState.PENDING}
            if found.state not in allowed_from:
                raise Conflict(f"{request_id} is {found.state.value}; cannot {change.split('.')[1]} it")
            now = self._guard.clock.now()
            closed = found.model_copy(
                update={"state": to, "decided_by": principal.user.id, "decided_at": now, "note": note.strip() or None}
            )
            store.decide(closed)
            if to is RequestState.REVOKED:
                IdentityStore(uow.connection).touch(found.requester_id, to_text(now))
            asset = AssetStore(uow.connection).get(found.asset_id)
            assert asset is not None
            self._guard.changed(uow, principal, change, asset, {"request": request_id, "note": note.strip()})
            return closed

    def deny(self, principal: Principal, request_id: str, note: str) -> AccessRequest:
        """Refuse a pending request, saying why."""
        return self._close(principal, request_id, RequestState.DENIED, note, "access.deny")

    def revoke(self, principal: Principal, request_id: str, note: str) -> AccessRequest:
        """End an approved grant before it expires."""
        return self._close(principal, request_id, RequestState.REVOKED, note, "access.revoke")

    def withdraw(self, principal: Principal, request_id: str) -> AccessRequest:
        """Withdraw one's own pending request."""
        return self._close(principal, request_id, RequestState.WITHDRAWN, "", "access.withdraw")

    def list(self, principal: Principal, state: str | None = None) -> list[AccessRequest]:
        """One's own requests and the requests one may decide (each asset's decision is recorded)."""
        wanted = None
        if state:
            try:
                wanted = RequestState(state)
            except ValueError:
                raise InvalidInput(f"state is one of {', '.join(s.value for s in RequestState)}") from None
        with self._uow() as uow:
            store = AccessStore(uow.connection)
            everything = store.find(state=wanted)
            assets = AssetStore(uow.connection).many(
                sorted({r.asset_id for r in everything if r.requester_id != principal.user.id})
            )
            decidable = {a.id for a in self._guard.filter(uow, principal, Action.APPROVE_ACCESS, assets)}
            return [r for r in everything if r.requester_id == principal.user.id or r.asset_id in decidable]
