"""Use cases on governed assets: register, read, list, re-mark and decide.

Capabilities (the catalogue, campaigns, the frontier programme, the clearinghouse) register their things as
governed assets here and ask `require` before every read, download, run, train, infer or evaluate.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Callable
from typing import Any

from genesis_platform.kernel.assets.markings import Markings
from genesis_platform.kernel.assets.model import GovernedAsset
from genesis_platform.kernel.assets.store import AssetStore
from genesis_platform.kernel.errors import InvalidInput, NotFound
from genesis_platform.kernel.guard import Guard
from genesis_platform.kernel.identity.model import Principal
from genesis_platform.kernel.policy.model import Action, Decision
from genesis_platform.kernel.provenance.recorder import ProvenanceRecorder
from genesis_platform.kernel.unit_of_work import UnitOfWork
from genesis_platform.kernel.validation import build

__all__ = ["AssetService"]


class AssetService:
    """Governed assets.

    Args:
        uow: makes units of work.
        guard: authorises and audits.
        provenance: records who made what.
    """

    def __init__(self, uow: Callable[[], UnitOfWork], guard: Guard, provenance: ProvenanceRecorder) -> None:
        self._uow = uow
        self._guard = guard
        self._prov = provenance

    def register(
        self,
        principal: Principal,
        *,
        kind: str,
        name: str,
        description: str = "",
        project: str | None = None,
        markings: Markings | None = None,
        asset_id: str | None = None,
    ) -> GovernedAsset:
        """Register an asset owned by the caller in the caller's organisation.

        The caller must be cleared for the markings they set: registering is decided like any other action on
        the asset as it would be.
        """
        with self._uow() as uow:
            asset = self.register_in(
                uow,
                principal,
                kind=kind,
                name=name,
                description=description,
                project=project,
                markings=markings,
                asset_id=asset_id,
            )
            return asset

    def register_in(
        self,
        uow: UnitOfWork,
        principal: Principal,
        *,
        kind: str,
        name: str,
        description: str = "",
        project: str | None = None,
        markings: Markings | None = None,
        asset_id: str | None = None,
    ) -> GovernedAsset:
        """`register` inside a capability's own unit of work."""
        asset = self._new(principal, kind, name, description, project, markings, asset_id)
        store = AssetStore(uow.connection)
        if store.get(asset.id) is not None:
            raise InvalidInput(f"an asset with id {asset.id!r} already exists")
        self._guard.require(uow, principal, Action.REGISTER, asset, {"markings": asset.markings.banner})
        store.add(asset)
        self._guard.changed(uow, principal, "asset.register", asset, _summary(asset))
        entity = self._prov.asset_entity(uow, asset)
        self._prov.attribute(uow, entity, self._prov.person(uow, principal))
        return asset

    def _new(
        self,
        principal: Principal,
        kind: str,
        name: str,
        description: str,
        project: str | None,
        markings: Markings | None,
        asset_id: str | None,
    ) -> GovernedAsset:
        """The asset `principal` would register, owned by them in their organisation."""
        now = self._guard.clock.now()
        return build(
            GovernedAsset,
            id=asset_id or f"{kind[:3]}-{uuid.uuid4().hex[:12]}",
            kind=kind,
            name=name.strip(),
            description=description,
            owner_id=principal.user.id,
            organisation_id=principal.organisation.id,
            project=project or None,
            markings=markings or Markings(),
            created_at=now,
            updated_at=now,
        )

    def preflight(
        self,
        uow: UnitOfWork,
        principal: Principal,
        *,
        kind: str,
        name: str,
        asset_id: str,
        description: str = "",
        project: str | None = None,
        markings: Markings | None = None,
    ) -> None:
        """Decide and record whether the caller may register such an asset, before any bytes are stored.

        Capabilities that store large content first (datasets, model weights) ask here, store, then register
        in a second unit of work, where `register_in` decides again.

        Raises:
            AccessDenied: the caller may not register an asset so marked.
        """
        candidate = self._new(principal, kind, name, description, project, markings, asset_id)
        self._guard.require(uow, principal, Action.REGISTER, candidate, {"preflight": True})

    def require(
        self,
        uow: UnitOfWork,
        principal: Principal,
        action: Action,
        asset_id: str,
        details: dict[str, Any] | None = None,
    ) -> GovernedAsset:
        """Load an asset and require `action` on it, inside the caller's unit of work.

        A caller who may not even discover the asset is told it does not exist.

        Raises:
            NotFound: no such asset, or the caller may not learn of it.
            AccessDenied: the caller may see the asset but not do `action`.
        """
        asset = AssetStore(uow.connection).get(asset_id)
        if asset is None:
            raise NotFound(f"no asset {asset_id!r}")
        decision = self._guard.check(uow, principal, action, asset, details)
        if not decision.allowed:
            hidden = action is Action.DISCOVER or not self._guard.check(uow, principal, Action.DISCOVER, asset).allowed
            if hidden:
                raise NotFound(f"no asset {asset_id!r}")
            self._guard.raise_denied(principal, decision)
        return asset

    def get(self, principal: Principal, asset_id: str) -> GovernedAsset:
        """An asset's description (action read_metadata)."""
        with self._uow() as uow:
            return self.require(uow, principal, Action.READ_METADATA, asset_id)

    def list(self, principal: Principal, kind: str | None = None) -> list[GovernedAsset]:
        """The assets the caller may discover; every decision is recorded."""
        with self._uow() as uow:
            return self.visible(uow, principal, kind)

    def visible(self, uow: UnitOfWork, principal: Principal, kind: str | None = None) -> builtins.list[GovernedAsset]:
        """`list` inside a capability's own unit of work."""
        return self._guard.filter(uow, principal, Action.DISCOVER, AssetStore(uow.connection).list(kind))

    def decide(self, principal: Principal, action: Action, asset_id: str) -> tuple[GovernedAsset, Decision]:
        """Decide `action` on an asset without doing it (what `policy explain` shows); the decision is recorded."""
        with self._uow() as uow:
            asset = AssetStore(uow.connection).get(asset_id)
            if asset is None:
                raise NotFound(f"no asset {asset_id!r}")
            return asset, self._guard.check(uow, principal, action, asset, {"explain": True})

    def mark(self, principal: Principal, asset_id: str, markings: Markings, reason: str) -> GovernedAsset:
        """Change an asset's markings (security officers; data stewards of the holding organisation).

        The caller must be allowed to mark the asset both as it is and as it will be.
        """
        with self._uow() as uow:
            return self.mark_in(uow, principal, asset_id, markings, reason)

    def mark_in(
        self, uow: UnitOfWork, principal: Principal, asset_id: str, markings: Markings, reason: str
    ) -> GovernedAsset:
        """`mark` inside a capability's own unit of work."""
        if not reason.strip():
            raise InvalidInput("say why the markings change (--reason); it goes to the audit log")
        store = AssetStore(uow.connection)
        asset = self.require(uow, principal, Action.MARK, asset_id)
        changed = asset.model_copy(update={"markings": markings, "updated_at": self._guard.clock.now()})
        self._guard.require(uow, principal, Action.MARK, changed, {"markings": markings.banner})
        saved = store.save(changed)
        self._guard.changed(
            uow,
            principal,
            "asset.mark",
            saved,
            {"from": asset.markings.banner, "to": markings.banner, "reason": reason.strip()},
        )
        return saved


def _summary(asset: GovernedAsset) -> dict[str, Any]:
    return {
        "kind": asset.kind,
        "name": asset.name,
        "project": asset.project,
        "markings": asset.markings.banner,
    }
