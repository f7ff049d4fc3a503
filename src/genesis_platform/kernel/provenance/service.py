"""Reading provenance: the lineage of an asset as W3C PROV-JSON, with hidden assets left out.

An export walks the graph from the asset's entity in both directions. Every other governed asset met on the
way is decided (action discover) like a list entry; one the caller may not discover is dropped together with
its relations, so lineage never reveals what policy hides.
"""

from __future__ import annotations

from collections.abc import Callable

from prov.model import ProvDocument

from genesis_platform.kernel.assets.service import AssetService
from genesis_platform.kernel.assets.store import AssetStore
from genesis_platform.kernel.guard import Guard
from genesis_platform.kernel.identity.model import Principal
from genesis_platform.kernel.policy.model import Action
from genesis_platform.kernel.provenance.model import NodeKind, ProvNode, ProvRelation, Relation
from genesis_platform.kernel.provenance.recorder import asset_node_id
from genesis_platform.kernel.provenance.store import ProvenanceStore
from genesis_platform.kernel.timestamps import from_text
from genesis_platform.kernel.unit_of_work import UnitOfWork

__all__ = ["Lineage", "ProvenanceService", "to_prov_document"]

NAMESPACE = "urn:genesis:"


class Lineage:
    """A provenance subgraph.

    Args:
        nodes: its nodes by id.
        relations: its relations.
    """

    def __init__(self, nodes: dict[str, ProvNode], relations: list[ProvRelation]) -> None:
        self.nodes = nodes
        self.relations = relations


def to_prov_document(lineage: Lineage) -> ProvDocument:
    """Build a `prov` document from a lineage."""
    doc = ProvDocument()
    doc.add_namespace("genesis", NAMESPACE)

    def attrs(node: ProvNode) -> dict[str, str | int | bool]:
        out: dict[str, str | int | bool] = {"prov:label": node.label, "prov:type": node.prov_type}
        out.update(
            {f"genesis:{k}": v if isinstance(v, str | int | bool) else str(v) for k, v in node.attributes.items()}
        )
        return out

    for node in lineage.nodes.values():
        if node.kind is NodeKind.ENTITY:
            doc.entity(node.id, attrs(node))
        elif node.kind is NodeKind.AGENT:
            doc.agent(node.id, attrs(node))
        else:
            start = from_text(node.started_at) if node.started_at else None
            end = from_text(node.ended_at) if node.ended_at else None
            doc.activity(node.id, start, end, attrs(node))
    writers: dict[Relation, Callable[[str, str], object]] = {
        Relation.USED: doc.used,
        Relation.WAS_GENERATED_BY: doc.wasGeneratedBy,
        Relation.WAS_DERIVED_FROM: doc.wasDerivedFrom,
        Relation.WAS_ASSOCIATED_WITH: doc.wasAssociatedWith,
        Relation.ACTED_ON_BEHALF_OF: doc.actedOnBehalfOf,
        Relation.WAS_ATTRIBUTED_TO: doc.wasAttributedTo,
    }
    for rel in lineage.relations:
        writers[rel.relation](rel.subject, rel.object)
    return doc


class ProvenanceService:
    """Lineage queries and exports.

    Args:
        uow: makes units of work.
        guard: authorises and audits.
        assets: resolves and authorises the starting asset.
    """

    def __init__(self, uow: Callable[[], UnitOfWork], guard: Guard, assets: AssetService) -> None:
        self._uow = uow
        self._guard = guard
        self._assets = assets

    def lineage(self, principal: Principal, asset_id: str, depth: int = 10) -> Lineage:
        """The lineage of an asset up to `depth` relations away, without assets the caller may not discover."""
        with self._uow() as uow:
            self._assets.require(uow, principal, Action.READ_METADATA, asset_id, {"provenance": True})
            return self._walk(uow, principal, asset_node_id(asset_id), depth)

    def export(self, principal: Principal, asset_id: str, depth: int = 10) -> str:
        """The lineage as PROV-JSON text."""
        return str(to_prov_document(self.lineage(principal, asset_id, depth)).serialize(format="json"))

    def _walk(self, uow: UnitOfWork, principal: Principal, start: str, depth: int) -> Lineage:
        store = ProvenanceStore(uow.connection)
        seen = {start}
        frontier = {start}
        relations: dict[tuple[str, str, str], ProvRelation] = {}
        hidden: set[str] = set()
        for _ in range(depth):
            if not frontier:
                break
            found = store.relations_touching(frontier)
            new = {n for r in found for n in (r.subject, r.object)} - seen
            hidden |= self._hidden_assets(uow, principal, store.nodes(new))
            for r in found:
                if r.subject not in hidden and r.object not in hidden:
                    relations[(r.relation.value, r.subject, r.object)] = r
            frontier = new - hidden
            seen |= new
        nodes = {n.id: n for n in store.nodes(seen - hidden)}
        return Lineage(nodes, list(relations.values()))

    def _hidden_assets(self, uow: UnitOfWork, principal: Principal, nodes: list[ProvNode]) -> set[str]:
        ids = {str(n.attributes["asset_id"]): n.id for n in nodes if "asset_id" in n.attributes}
        if not ids:
            return set()
        found = AssetStore(uow.connection).many(sorted(ids))
        visible = {a.id for a in self._guard.filter(uow, principal, Action.DISCOVER, found, {"provenance": True})}
        return {node_id for asset_id, node_id in ids.items() if asset_id not in visible}
