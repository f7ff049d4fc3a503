"""Recording provenance inside a unit of work: the calls capabilities make as they act."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from genesis_platform.kernel.assets.model import GovernedAsset
from genesis_platform.kernel.clock import Clock
from genesis_platform.kernel.identity.model import Principal
from genesis_platform.kernel.provenance.model import AgentType, NodeKind, ProvNode, ProvRelation, Relation
from genesis_platform.kernel.provenance.store import ProvenanceStore
from genesis_platform.kernel.timestamps import to_text
from genesis_platform.kernel.unit_of_work import UnitOfWork

__all__ = ["ProvenanceRecorder", "asset_node_id"]


def asset_node_id(asset_id: str) -> str:
    """The provenance id of a governed asset's entity."""
    return f"genesis:asset/{asset_id}"


class ProvenanceRecorder:
    """Writes entities, activities, agents and relations.

    Args:
        clock: times of activities.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def _now(self) -> str:
        return to_text(self._clock.now())

    def _add(self, uow: UnitOfWork, node: ProvNode) -> str:
        ProvenanceStore(uow.connection).add_node(node, self._now())
        return node.id

    def relate(
        self,
        uow: UnitOfWork,
        relation: Relation,
        subject: str,
        object_: str,
        attributes: dict[str, Any] | None = None,
    ) -> None:
        """Record `subject relation object` (e.g. activity `used` entity)."""
        ProvenanceStore(uow.connection).add_relation(
            ProvRelation(relation, subject, object_, attributes or {}), self._now()
        )

    def person(self, uow: UnitOfWork, principal: Principal) -> str:
        """The agent of a user, acting on behalf of their organisation; created on first use."""
        store = ProvenanceStore(uow.connection)
        user_id = f"genesis:user/{principal.user.id}"
        if store.node(user_id) is not None:
            return user_id
        org = principal.organisation
        org_id = self._add(
            uow,
            ProvNode(
                f"genesis:org/{org.id}",
                NodeKind.AGENT,
                AgentType.ORGANIZATION,
                org.name,
                {"kind": org.kind.value},
            ),
        )
        self._add(
            uow,
            ProvNode(
                user_id,
                NodeKind.AGENT,
                AgentType.PERSON,
                principal.user.display_name,
                {"username": principal.user.username},
            ),
        )
        self.relate(uow, Relation.ACTED_ON_BEHALF_OF, user_id, org_id)
        return user_id

    def software(self, uow: UnitOfWork, name: str, version: str, *, ai: bool = False) -> str:
        """The agent of a piece of software, or of an AI agent (a planner, a model) when `ai`."""
        kind = AgentType.AI_AGENT if ai else AgentType.SOFTWARE
        node_id = f"genesis:software/{name}/{version}"
        return self._add(uow, ProvNode(node_id, NodeKind.AGENT, kind, f"{name} {version}", {"version": version}))

    def asset_entity(self, uow: UnitOfWork, asset: GovernedAsset) -> str:
        """The entity of a governed asset."""
        return self._add(
            uow,
            ProvNode(
                asset_node_id(asset.id),
                NodeKind.ENTITY,
                f"genesis:{asset.kind}",
                asset.name,
                {"asset_id": asset.id, "kind": asset.kind},
            ),
        )

    def entity(self, uow: UnitOfWork, node_id: str, label: str, prov_type: str, attributes: dict[str, Any]) -> str:
        """Any other entity (a file, a prediction, a result), identified by the caller."""
        return self._add(uow, ProvNode(node_id, NodeKind.ENTITY, prov_type, label, attributes))

    def attribute(self, uow: UnitOfWork, entity: str, agent: str) -> None:
        """Record that `entity` wasAttributedTo `agent`."""
        self.relate(uow, Relation.WAS_ATTRIBUTED_TO, entity, agent)

    def start_activity(
        self,
        uow: UnitOfWork,
        label: str,
        prov_type: str,
        *,
        agents: Iterable[str] = (),
        used: Iterable[str] = (),
        attributes: dict[str, Any] | None = None,
    ) -> str:
        """Start an activity associated with `agents` that uses the entities `used`; return its id."""
        node_id = f"genesis:activity/{uuid.uuid4()}"
        self._add(
            uow,
            ProvNode(node_id, NodeKind.ACTIVITY, prov_type, label, attributes or {}, started_at=self._now()),
        )
        for agent in agents:
            self.relate(uow, Relation.WAS_ASSOCIATED_WITH, node_id, agent)
        for entity in used:
            self.relate(uow, Relation.USED, node_id, entity)
        return node_id

    def end_activity(
        self,
        uow: UnitOfWork,
        activity: str,
        *,
        generated: Iterable[str] = (),
        attributes: dict[str, Any] | None = None,
    ) -> None:
        """End an activity, recording what it generated."""
        ProvenanceStore(uow.connection).end_activity(activity, self._now(), attributes or {})
        for entity in generated:
            self.relate(uow, Relation.WAS_GENERATED_BY, entity, activity)
