"""Persistence of the provenance graph."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, Row, insert, or_, select, update

from genesis_platform.kernel.canonical import canonical_json
from genesis_platform.kernel.db import prov_nodes, prov_relations
from genesis_platform.kernel.provenance.model import NodeKind, ProvNode, ProvRelation, Relation

__all__ = ["ProvenanceStore"]


def _node(row: Row[Any]) -> ProvNode:
    return ProvNode(
        id=row.id,
        kind=NodeKind(row.kind),
        prov_type=row.prov_type,
        label=row.label,
        attributes=json.loads(row.attributes),
        started_at=row.started_at,
        ended_at=row.ended_at,
    )


class ProvenanceStore:
    """Reads and writes provenance nodes and relations.

    Args:
        conn: the unit of work's connection.
    """

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def node(self, node_id: str) -> ProvNode | None:
        """The node with this id."""
        row = self._conn.execute(select(prov_nodes).where(prov_nodes.c.id == node_id)).first()
        return None if row is None else _node(row)

    def add_node(self, node: ProvNode, created_at: str) -> None:
        """Insert a node unless one with its id exists."""
        if self.node(node.id) is not None:
            return
        self._conn.execute(
            insert(prov_nodes).values(
                id=node.id,
                kind=node.kind.value,
                prov_type=node.prov_type,
                label=node.label,
                attributes=canonical_json(node.attributes).decode("utf-8"),
                started_at=node.started_at,
                ended_at=node.ended_at,
                created_at=created_at,
            )
        )

    def end_activity(self, node_id: str, ended_at: str, attributes: dict[str, Any]) -> None:
        """Record an activity's end and merge `attributes` into its own."""
        current = self.node(node_id)
        if current is None:
            raise KeyError(node_id)
        merged = {**current.attributes, **attributes}
        self._conn.execute(
            update(prov_nodes)
            .where(prov_nodes.c.id == node_id)
            .values(ended_at=ended_at, attributes=canonical_json(merged).decode("utf-8"))
        )

    def add_relation(self, relation: ProvRelation, created_at: str) -> None:
        """Insert a relation."""
        self._conn.execute(
            insert(prov_relations).values(
                relation=relation.relation.value,
                subject=relation.subject,
                object=relation.object,
                attributes=canonical_json(relation.attributes).decode("utf-8"),
                created_at=created_at,
            )
        )

    def relations_touching(self, node_ids: set[str]) -> list[ProvRelation]:
        """Every relation whose subject or object is one of `node_ids`."""
        if not node_ids:
            return []
        ids = sorted(node_ids)
        rows = self._conn.execute(
            select(prov_relations)
            .where(or_(prov_relations.c.subject.in_(ids), prov_relations.c.object.in_(ids)))
            .order_by(prov_relations.c.id)
        ).all()
        return [ProvRelation(Relation(r.relation), r.subject, r.object, json.loads(r.attributes)) for r in rows]

    def nodes(self, node_ids: set[str]) -> list[ProvNode]:
        """The nodes with these ids."""
        if not node_ids:
            return []
        rows = self._conn.execute(select(prov_nodes).where(prov_nodes.c.id.in_(sorted(node_ids)))).all()
        return [_node(r) for r in rows]
