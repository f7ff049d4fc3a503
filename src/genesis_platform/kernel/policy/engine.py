"""The policy decision point: Cedar policies and schema, evaluated with `cedarpy`.

Default deny, forbid wins, policies validated against the schema when the engine is built. Policies and the
schema are parsed once; entities are cached per version (see `entities`). Any evaluation error denies the
request: Cedar skips a policy that errors, which for a forbid would fail open, so the engine refuses instead.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import cedarpy

from genesis_platform.kernel.assets.model import GovernedAsset
from genesis_platform.kernel.identity.model import Principal
from genesis_platform.kernel.policy.entities import EntityCache, Resource, fingerprint_of, reference_of
from genesis_platform.kernel.policy.model import PLATFORM, Action, Decision

__all__ = ["PolicyEngine", "PolicyInfo", "default_policy_texts"]

K = TypeVar("K")
V = TypeVar("V")

_BASES = 4_096  # cached per-user entity sets
_PAIRS = 16_384  # cached (user, asset) entity sets for single decisions


@dataclass(frozen=True)
class PolicyInfo:
    """One policy as a person reads it.

    Attributes:
        id: the `@id` annotation.
        effect: `permit` or `forbid`.
        reason: the `@reason` annotation, in words.
        actions: action names the policy's scope names (empty means every action).
        groups: action groups the scope names (`metadata`, `content`).
    """

    id: str
    effect: str
    reason: str
    actions: frozenset[str]
    groups: frozenset[str]

    def applies_to(self, action: Action) -> bool:
        """Whether the policy's action scope covers `action`."""
        if not self.actions and not self.groups:
            return True
        return action.value in self.actions or bool(self.groups & action.groups)


def _remember(lock: threading.Lock, cache: OrderedDict[K, V], key: K, value: V, size: int) -> None:
    """Put `key` in an LRU cache under `lock`, evicting the least recently used beyond `size`."""
    with lock:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > size:
            cache.popitem(last=False)


def default_policy_texts() -> tuple[str, str]:
    """Return the shipped policies and schema, in that order."""
    root = resources.files("genesis_platform") / "policies"
    return (root / "genesis.cedar").read_text(encoding="utf-8"), (root / "genesis.cedarschema").read_text(
        encoding="utf-8"
    )


def _scope_actions(scope: dict[str, Any]) -> tuple[frozenset[str], frozenset[str]]:
    """Split an EST action scope into named actions and named groups."""
    if scope.get("op") == "All":
        return frozenset(), frozenset()
    refs = scope.get("entities") or [scope["entity"]]
    names = {ref["id"] for ref in refs}
    groups = names & {"metadata", "content"}
    return frozenset(names - groups), frozenset(groups)


class PolicyEngine:
    """Decides authorisation requests.

    Args:
        policies: Cedar policy text; every policy needs `@id` and `@reason` annotations.
        schema: Cedar schema text the policies are validated against.

    Raises:
        ValueError: a policy does not parse, lacks its annotations, or does not validate against the schema.
    """

    def __init__(self, policies: str, schema: str) -> None:
        self._schema = cedarpy.Schema.from_str(schema)
        validation = cedarpy.validate_policies(policies, self._schema)
        if not validation.validation_passed:
            problems = "; ".join(str(e) for e in validation.errors)
            raise ValueError(f"policies do not validate against the schema: {problems}")
        self._policy_set = cedarpy.PolicySet.from_str(policies)
        self._policies: dict[str, PolicyInfo] = {}
        self._by_cedar_id: dict[str, str] = {}
        est = json.loads(cedarpy.policies_to_json_str(policies))
        for cedar_id, body in est["staticPolicies"].items():
            notes = body.get("annotations", {})
            if "id" not in notes or "reason" not in notes:
                raise ValueError(f"policy {cedar_id} needs @id and @reason annotations")
            if notes["id"] in self._policies:
                raise ValueError(f"two policies share @id {notes['id']!r}")
            actions, groups = _scope_actions(body["action"])
            self._policies[notes["id"]] = PolicyInfo(notes["id"], body["effect"], notes["reason"], actions, groups)
            self._by_cedar_id[cedar_id] = notes["id"]
        self._entities = EntityCache()
        # The action hierarchy (action groups) comes from the schema itself, so policies that say
        # `action in Action::"content"` match exactly the actions the schema puts in that group.
        actions = json.loads(str(cedarpy.Entities.from_json_str("[]", self._schema)))
        self._actions_json = ",".join(json.dumps(a) for a in actions)
        self._platform_json = json.dumps({"uid": {"type": "Platform", "id": PLATFORM.id}, "attrs": {}, "parents": []})
        self._lock = threading.Lock()  # the API decides from a thread pool
        self._bases: OrderedDict[tuple[str, int], cedarpy.Entities] = OrderedDict()
        self._pairs: OrderedDict[tuple[str, int, str, str, int], cedarpy.Entities] = OrderedDict()

    @classmethod
    def default(cls) -> PolicyEngine:
        """Build the engine from the policies shipped with the platform."""
        return cls(*default_policy_texts())

    @classmethod
    def from_directory(cls, folder: Path) -> PolicyEngine:
        """Build the engine from `genesis.cedar` and `genesis.cedarschema` in `folder`."""
        return cls(
            (folder / "genesis.cedar").read_text(encoding="utf-8"),
            (folder / "genesis.cedarschema").read_text(encoding="utf-8"),
        )

    @property
    def policies(self) -> dict[str, PolicyInfo]:
        """Every policy by `@id`."""
        return dict(self._policies)

    @property
    def cache(self) -> EntityCache:
        """The entity JSON cache (hit counts are useful in benchmarks)."""
        return self._entities

    def permits_for(self, action: Action) -> list[PolicyInfo]:
        """The permit policies whose scope covers `action`."""
        return [p for p in self._policies.values() if p.effect == "permit" and p.applies_to(action)]

    def _base(self, principal: Principal, now: datetime) -> cedarpy.Entities:
        """The acting user, the platform and the schema's action hierarchy, parsed once per user content."""
        key = (principal.user.id, fingerprint_of(principal, now))
        with self._lock:
            base = self._bases.get(key)
            if base is not None:
                self._bases.move_to_end(key)
                return base
        parts = [self._entities.principal(principal, now), self._platform_json, self._actions_json]
        base = cedarpy.Entities.from_json_str("[" + ",".join(parts) + "]")
        _remember(self._lock, self._bases, key, base, _BASES)
        return base

    def _entities_for(self, principal: Principal, resources_: Sequence[Resource], now: datetime) -> cedarpy.Entities:
        base = self._base(principal, now)
        seen: set[tuple[str, str]] = set()
        extra: list[str] = []
        for resource in resources_:
            ref = reference_of(resource)
            if ref.type != "Asset" or (ref.type, ref.id) in seen:
                continue  # users need no attributes here; the platform and actions are in the base
            seen.add((ref.type, ref.id))
            text = self._entities.resource(resource)
            if text is not None:
                extra.append(text)
        if not extra:
            return base
        return base.with_added_json_str("[" + ",".join(extra) + "]")

    def _pair(self, principal: Principal, resource: Resource, now: datetime) -> cedarpy.Entities:
        """Entities for one decision, cached per (user, asset) content: warm decisions parse nothing."""
        ref = reference_of(resource)
        content = hash(resource) if isinstance(resource, GovernedAsset) else 0
        key = (principal.user.id, fingerprint_of(principal, now), ref.type, ref.id, content)
        with self._lock:
            entities = self._pairs.get(key)
            if entities is not None:
                self._pairs.move_to_end(key)
                return entities
        entities = self._entities_for(principal, [resource], now)
        _remember(self._lock, self._pairs, key, entities, _PAIRS)
        return entities

    def decide(self, principal: Principal, action: Action, resource: Resource, now: datetime) -> Decision:
        """Decide one request.

        Args:
            principal: who asks.
            action: what they ask to do.
            resource: what they ask to do it to.
            now: the time of the request (embargoes).
        """
        return self.decide_many(principal, action, [resource], now)[0]

    def decide_many(
        self, principal: Principal, action: Action, resources_: Sequence[Resource], now: datetime
    ) -> list[Decision]:
        """Decide the same action on many resources in one batch (lists, search results)."""
        if not resources_:
            return []
        entities = (
            self._pair(principal, resources_[0], now)
            if len(resources_) == 1
            else self._entities_for(principal, resources_, now)
        )
        context = {"now": int(now.timestamp())}
        who = {"type": "User", "id": principal.user.id}
        act = {"type": "Action", "id": action.value}
        refs = [reference_of(r) for r in resources_]
        requests = [
            {
                "principal": who,
                "action": act,
                "resource": {"type": ref.type, "id": ref.id},
                "context": context,
            }
            for ref in refs
        ]
        results = cedarpy.is_authorized_batch(requests, self._policy_set, entities)
        decisions: list[Decision] = []
        for ref, result in zip(refs, results, strict=True):
            errors = tuple(str(e) for e in result.diagnostics.errors)
            policies = tuple(sorted(self._by_cedar_id.get(r, r) for r in result.diagnostics.reasons))
            allowed = result.allowed and not errors
            decisions.append(Decision(allowed, principal.user.id, action, ref, policies, errors))
        return decisions
