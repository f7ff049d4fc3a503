"""Provenance as W3C PROV: entities, activities and agents, and the relations between them.

Capabilities record what they make and use; the kernel records who: every user is a `prov:Person` acting on
behalf of their organisation, and software and AI agents are agents too (EO 14363 §3(d)(i) asks for
provenance tracking of data and model assets).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["AgentType", "NodeKind", "ProvNode", "ProvRelation", "Relation"]


class NodeKind(StrEnum):
    """The three PROV node kinds."""

    ENTITY = "entity"
    ACTIVITY = "activity"
    AGENT = "agent"


class AgentType(StrEnum):
    """PROV agent types, plus AI agents (an AI planner or model acting in a workflow)."""

    PERSON = "prov:Person"
    ORGANIZATION = "prov:Organization"
    SOFTWARE = "prov:SoftwareAgent"
    AI_AGENT = "genesis:AIAgent"


class Relation(StrEnum):
    """PROV relations the platform records, with the node kinds each joins (`ends`)."""

    USED = "used"
    WAS_GENERATED_BY = "wasGeneratedBy"
    WAS_DERIVED_FROM = "wasDerivedFrom"
    WAS_ASSOCIATED_WITH = "wasAssociatedWith"
    ACTED_ON_BEHALF_OF = "actedOnBehalfOf"
    WAS_ATTRIBUTED_TO = "wasAttributedTo"

    @property
    def ends(self) -> tuple[NodeKind, NodeKind]:
        """(subject kind, object kind)."""
        return _ENDS[self]


_ENDS = {
    Relation.USED: (NodeKind.ACTIVITY, NodeKind.ENTITY),
    Relation.WAS_GENERATED_BY: (NodeKind.ENTITY, NodeKind.ACTIVITY),
    Relation.WAS_DERIVED_FROM: (NodeKind.ENTITY, NodeKind.ENTITY),
    Relation.WAS_ASSOCIATED_WITH: (NodeKind.ACTIVITY, NodeKind.AGENT),
    Relation.ACTED_ON_BEHALF_OF: (NodeKind.AGENT, NodeKind.AGENT),
    Relation.WAS_ATTRIBUTED_TO: (NodeKind.ENTITY, NodeKind.AGENT),
}


@dataclass(frozen=True)
class ProvNode:
    """An entity, activity or agent.

    Attributes:
        id: qualified name in the `genesis` namespace, e.g. `genesis:asset/ds-1`.
        kind: entity, activity or agent.
        prov_type: `prov:type` (e.g. `prov:Person`, `genesis:Dataset`).
        label: a human-readable name.
        attributes: other attributes (canonical-JSON values).
        started_at: activities: start time.
        ended_at: activities: end time.
    """

    id: str
    kind: NodeKind
    prov_type: str
    label: str
    attributes: dict[str, Any] = field(default_factory=dict)
    started_at: str | None = None
    ended_at: str | None = None


@dataclass(frozen=True)
class ProvRelation:
    """A relation between two nodes.

    Attributes:
        relation: which PROV relation.
        subject: the node it starts from (e.g. the activity that `used`).
        object: the node it points at (e.g. the entity used).
        attributes: other attributes.
    """

    relation: Relation
    subject: str
    object: str
    attributes: dict[str, Any] = field(default_factory=dict)
