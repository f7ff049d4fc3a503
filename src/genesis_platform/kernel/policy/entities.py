"""Translation of users and assets into Cedar entities, cached by content.

An entity's JSON is built once per (id, fingerprint), the fingerprint being the hash of the frozen domain
object, and reused while the object is unchanged. Keying on content rather than on a version number means a
candidate (an asset as it would be after a change, a user about to be granted something) can never be judged
on the cached attributes of the stored one.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from datetime import UTC, datetime, time
from typing import Any

from genesis_platform.kernel.assets.markings import ClassificationCategory, UseStatus
from genesis_platform.kernel.assets.model import GovernedAsset
from genesis_platform.kernel.identity.model import Principal, User
from genesis_platform.kernel.policy.model import PlatformResource, ResourceRef

__all__ = [
    "GRANTABLE",
    "EntityCache",
    "asset_attributes",
    "discovery_key",
    "discovery_profile",
    "fingerprint_of",
    "reference_of",
    "user_attributes",
]


def _entity(type_: str, id_: str) -> dict[str, dict[str, str]]:
    return {"__entity": {"type": type_, "id": id_}}


GRANTABLE = ("discover", "read_metadata", "download", "train", "infer", "evaluate", "run")
"""Actions an access request can ask for."""


def user_attributes(principal: Principal, now: datetime) -> dict[str, Any]:
    """Return the Cedar attributes of a user at `now` (see the schema's `User`)."""
    grants: dict[str, list[dict[str, dict[str, str]]]] = {a: [] for a in GRANTABLE}
    for grant in sorted(principal.active_grants(now), key=lambda g: (g.action, g.asset_id)):
        if grant.action in grants:
            grants[grant.action].append(_entity("Asset", grant.asset_id))
    user, org = principal.user, principal.organisation
    agreements: set[str] = set()
    for agreement in user.agreements:
        agreements.add(agreement.kind.value)
        agreements.add(str(agreement))
    return {
        "vetting": user.vetting.value,
        "us_person": user.us_person,
        "citizenships": sorted(user.citizenships),
        "clearance": user.clearance.rank,
        "compartments": sorted(user.compartments),
        "trainings": sorted(t.value for t in user.trainings),
        "agreements": sorted(agreements),
        "organisation": org.id,
        "organisation_kind": org.kind.value,
        "projects": sorted(user.projects),
        "roles": sorted(r.value for r in user.roles),
        "dissemination_keys": [f"user:{user.id}", f"org:{org.id}"],
        "grants": grants,
    }


def _use(status: UseStatus | None) -> str:
    return "Unknown" if status is None else status.value


def asset_attributes(asset: GovernedAsset) -> dict[str, Any]:
    """Return the Cedar attributes of a governed asset (see the schema's `Asset`)."""
    m = asset.markings
    embargo = 0
    if m.embargo_until is not None:
        embargo = int(datetime.combine(m.embargo_until, time.min, tzinfo=UTC).timestamp())
    dl = {entry if ":" in entry else f"user:{entry}" for entry in m.dissemination_list}
    if m.controls.dl_only:
        dl.add(f"user:{asset.owner_id}")  # the originator is always on their own dissemination list
    return {
        "kind": asset.kind,
        "owner": _entity("User", asset.owner_id),
        "organisation": asset.organisation_id,
        "project": asset.project or "",
        "sensitivity": m.sensitivity.value,
        "classification": m.classification.rank if m.classification else 0,
        "access_categories": sorted(
            c.value for c in m.classification_categories if c is not ClassificationCategory.NSI
        ),
        "noforn": m.controls.noforn,
        "rel_to": sorted(m.controls.rel_to),
        "display_only": sorted(m.controls.display_only),
        "fedcon": m.controls.fedcon,
        "nocon": m.controls.nocon,
        "dl_only": m.controls.dl_only,
        "dissemination_list": sorted(dl),
        "cui": bool(m.cui_categories),
        "ucni": m.ucni,
        "export_controlled": m.export_controlled,
        "foreign_national_access": m.effective_foreign_national_access.value,
        "pii": m.pii,
        "phi": m.phi,
        "ip_restricted": bool(m.ip_restriction and m.ip_restriction.restricts_use),
        "required_agreements": sorted(str(a) for a in m.required_agreements),
        "embargo_until": embargo,
        "training_use": _use(m.training_use),
        "inference_use": _use(m.inference_use),
        "evaluation_use": _use(m.evaluation_use),
    }


Resource = GovernedAsset | User | PlatformResource

# Attributes `discover` cannot depend on under the shipped policies: `vetted-discovery` permits every vetted
# user, and no forbid that applies to discovery reads these. A test (tests/unit/kernel/test_discovery_profile.py)
# checks the claim on every marking and person; if a policy ever reads them for discovery, that test fails.
_NOT_FOR_DISCOVERY = ("owner", "organisation", "project", "kind")


def discovery_profile(asset: GovernedAsset) -> dict[str, Any]:
    """The attributes of an asset that deciding `discover` on it can depend on."""
    attrs = asset_attributes(asset)
    profile = {k: v for k, v in attrs.items() if k not in _NOT_FOR_DISCOVERY}
    return profile


def discovery_key(asset: GovernedAsset) -> str:
    """A short digest of the discovery profile: assets with the same key are discovered by the same people.

    Search decides `discover` once per key instead of once per asset.
    """
    text = json.dumps(discovery_profile(asset), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def fingerprint_of(principal: Principal, now: datetime) -> int:
    """A hash of everything the policy reads about a principal at `now` (user, organisation, active grants)."""
    return hash((principal.user, principal.organisation, principal.active_grants(now)))


def reference_of(resource: Resource) -> ResourceRef:
    """Return the Cedar reference of a resource."""
    if isinstance(resource, GovernedAsset):
        return ResourceRef("Asset", resource.id)
    if isinstance(resource, User):
        return ResourceRef("User", resource.id)
    return ResourceRef("Platform", resource.id)


class EntityCache:
    """JSON of Cedar entities, keyed by (type, id) and checked against the object's fingerprint; LRU eviction.

    Args:
        size: entries kept.
    """

    def __init__(self, size: int = 20_000) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[str, str], tuple[int, str]] = OrderedDict()  # key -> (fingerprint, json)
        self._lock = threading.Lock()  # the API decides from a thread pool
        self.hits = 0
        self.misses = 0

    def _get(self, key: tuple[str, str], fingerprint: int) -> str | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != fingerprint:
                self.misses += 1
                return None
            self.hits += 1
            self._entries.move_to_end(key)
            return entry[1]

    def _put(self, key: tuple[str, str], fingerprint: int, text: str) -> str:
        with self._lock:
            self._entries[key] = (fingerprint, text)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return text

    def principal(self, principal: Principal, now: datetime) -> str:
        """Return the entity JSON of the acting user at `now`."""
        user = principal.user
        key = ("User", user.id)
        fingerprint = fingerprint_of(principal, now)
        cached = self._get(key, fingerprint)
        if cached is not None:
            return cached
        attrs = user_attributes(principal, now)
        text = json.dumps({"uid": {"type": "User", "id": user.id}, "attrs": attrs, "parents": []})
        return self._put(key, fingerprint, text)

    def resource(self, resource: Resource) -> str | None:
        """Return the entity JSON of an asset, or None for resources that need no attributes."""
        if not isinstance(resource, GovernedAsset):
            return None
        key = ("Asset", resource.id)
        fingerprint = hash(resource)
        cached = self._get(key, fingerprint)
        if cached is not None:
            return cached
        text = json.dumps(
            {"uid": {"type": "Asset", "id": resource.id}, "attrs": asset_attributes(resource), "parents": []}
        )
        return self._put(key, fingerprint, text)
