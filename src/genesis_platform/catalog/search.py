"""Catalogue search that never reveals what policy hides: in results, in counts and in facets.

`discover` is decided once per discovery profile (the asset attributes discovery can depend on; see
`kernel.policy.entities.discovery_profile`), so a search over 100,000 datasets asks the policy engine a few dozen
questions and lets the database do the rest: every query, count and facet is computed only over rows whose
profile the caller may discover. Each search leaves one audit record with the profiles allowed and denied and
the number of results.

Full text uses the engine's own index: FTS5 (BM25 ranking, Porter stemming) on SQLite, a weighted `tsvector` with
a GIN index (`websearch_to_tsquery`, `ts_rank_cd`) on PostgreSQL. Title words weigh more than body words.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Select, column, delete, func, insert, literal_column, select, table, text

from genesis_platform.catalog.datacard.model import DataCard
from genesis_platform.catalog.model import DatasetVersion
from genesis_platform.catalog.tables import search_documents, search_facets
from genesis_platform.kernel.assets.model import GovernedAsset
from genesis_platform.kernel.assets.store import AssetStore
from genesis_platform.kernel.db import assets, organisations
from genesis_platform.kernel.errors import InvalidInput
from genesis_platform.kernel.guard import Guard
from genesis_platform.kernel.identity.model import Principal
from genesis_platform.kernel.policy.entities import discovery_key
from genesis_platform.kernel.policy.model import Action
from genesis_platform.kernel.timestamps import to_text
from genesis_platform.kernel.unit_of_work import UnitOfWork

__all__ = ["FACETS", "Hit", "SearchQuery", "SearchResult", "SearchService", "index_dataset"]

FACETS = ("domain", "format", "sensitivity", "organisation")
_FTS = table("search_fts", column("asset_id"))
_WORD = re.compile(r"\w+", re.UNICODE)


def _document(
    asset: GovernedAsset, version: DatasetVersion | None, card: DataCard | None
) -> tuple[str, str, list[tuple[str, str]]]:
    """(title, body, facets) of a dataset."""
    parts: list[str] = [asset.description]
    facets: list[tuple[str, str]] = []
    d = card.discoverability if card else None
    desc = d.dataset_description if d else None
    if desc is not None:
        parts += [
            desc.dataset_summary or "",
            desc.purpose or "",
            desc.collection_methodology or "",
            desc.data_characteristics or "",
        ]
        parts += list(desc.keywords or [])
        if desc.science_domain:
            parts.append(desc.science_domain.value)
            facets.append(("domain", desc.science_domain.value))
    if version is not None:
        parts += [f.path for f in version.files]
        parts += [c.name for s in version.structures for c in s.columns]
        parts += [a.name for s in version.structures for a in s.arrays]
        facets += [("format", fmt) for fmt in version.formats]
    return asset.name, " ".join(p for p in parts if p), sorted(set(facets))


def index_dataset(
    conn: Connection, asset: GovernedAsset, version: DatasetVersion | None, card: DataCard | None
) -> None:
    """Write (or rewrite) a dataset's search document, facets and full-text entry in the caller's transaction."""
    title, body, facets = _document(asset, version, card)
    for target in (search_documents, search_facets):
        conn.execute(delete(target).where(target.c.asset_id == asset.id))
    conn.execute(text("DELETE FROM search_fts WHERE asset_id = :a"), {"a": asset.id})
    conn.execute(
        insert(search_documents).values(
            asset_id=asset.id, kind=asset.kind, title=title, body=body, updated_at=to_text(asset.updated_at)
        )
    )
    if facets:
        conn.execute(insert(search_facets), [{"asset_id": asset.id, "facet": f, "value": v} for f, v in facets])
    if conn.dialect.name == "sqlite":
        conn.execute(
            text("INSERT INTO search_fts (asset_id, title, body) VALUES (:a, :t, :b)"),
            {"a": asset.id, "t": title, "b": body},
        )
    else:
        conn.execute(
            text(
                "INSERT INTO search_fts (asset_id, tsv) VALUES (:a, "
                "setweight(to_tsvector('english', :t), 'A') || setweight(to_tsvector('english', :b), 'B'))"
            ),
            {"a": asset.id, "t": title, "b": body},
        )


@dataclass(frozen=True)
class SearchQuery:
    """What to look for.

    Attributes:
        text: words to match (all of them; word prefixes match on SQLite); empty lists everything.
        domain: only this science domain.
        format: only datasets holding this format (`csv`, `parquet`, ...).
        sensitivity: only this overall sensitivity (`Public`, `CUI`, ...).
        organisation: only this organisation (name or id).
        has_access: only datasets the caller may download.
        limit: results per page.
        offset: results to skip.
    """

    text: str = ""
    domain: str | None = None
    format: str | None = None
    sensitivity: str | None = None
    organisation: str | None = None
    has_access: bool = False
    limit: int = 20
    offset: int = 0

    def describe(self) -> dict[str, Any]:
        """For the audit record."""
        return {k: v for k, v in self.__dict__.items() if v not in (None, "", False)}


@dataclass(frozen=True)
class Hit:
    """One result.

    Attributes:
        asset: the dataset.
        score: relevance (higher is better; 0 when browsing).
        organisation: the holding organisation's name.
        facets: the dataset's facet values.
    """

    asset: GovernedAsset
    score: float
    organisation: str
    facets: dict[str, list[str]]


@dataclass
class SearchResult:
    """A page of results, the total, and facet counts, all over what the caller may discover.

    Attributes:
        hits: this page.
        total: results in all pages.
        facets: counts per facet value.
    """

    hits: list[Hit]
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


def _fts_query(words: list[str], dialect: str) -> str:
    if dialect == "sqlite":
        return " ".join(f'"{w}"*' for w in words)  # every word, as a prefix
    return " ".join(words)


class SearchService:
    """Searches datasets.

    Args:
        uow: makes units of work.
        guard: authorises and audits.
    """

    def __init__(self, uow: Callable[[], UnitOfWork], guard: Guard) -> None:
        self._uow = uow
        self._guard = guard

    def search(self, principal: Principal, query: SearchQuery, kind: str = "dataset") -> SearchResult:
        """Search the catalogue as `principal`."""
        if not 1 <= query.limit <= 500 or query.offset < 0:
            raise InvalidInput("limit is 1 to 500 and offset is not negative")
        words = [w.lower() for w in _WORD.findall(query.text)][:32]
        with self._uow() as uow:
            conn = uow.connection
            representatives = AssetStore(conn).representatives(kind)
            audit: dict[str, Any] = {"query": query.describe()}
            decisions = self._guard.decide_summarised(
                uow, principal, Action.DISCOVER, representatives, "search", f'Catalog::"{kind}"', audit
            )
            allowed = sorted(discovery_key(a) for a, d in zip(representatives, decisions, strict=True) if d.allowed)
            base = self._matching(conn, kind, allowed, words, query)
            if query.has_access:
                result = self._with_access(uow, principal, base, query)
            else:
                total = int(conn.execute(select(func.count()).select_from(base.subquery())).scalar_one())
                result = SearchResult(self._page(conn, base, query), total, self._facets(conn, base))
            audit["results"] = result.total
            return result

    def _matching(
        self, conn: Connection, kind: str, allowed: list[str], words: list[str], q: SearchQuery
    ) -> Select[Any]:
        """The rows that match and may be discovered: asset id and score."""
        d, a = search_documents, assets
        score: Any = literal_column("0.0")
        stmt = select(d.c.asset_id).select_from(d.join(a, a.c.id == d.c.asset_id))
        if words:
            stmt = stmt.join(_FTS, _FTS.c.asset_id == d.c.asset_id)
            fts = _fts_query(words, conn.dialect.name)
            if conn.dialect.name == "sqlite":
                stmt = stmt.where(text("search_fts MATCH :fts").bindparams(fts=fts))
                score = literal_column("-bm25(search_fts, 10.0, 1.0)")
            else:
                tsv: Any = literal_column("search_fts.tsv")
                tsq = func.websearch_to_tsquery("english", fts)
                stmt = stmt.where(tsv.op("@@")(tsq))
                score = func.ts_rank_cd(tsv, tsq)
        stmt = stmt.add_columns(score.label("score")).where(d.c.kind == kind, a.c.discover_key.in_(allowed or ["-"]))
        for facet, value in (("domain", q.domain), ("format", q.format)):
            if value:
                # An uncorrelated IN over the (facet, value) index: a correlated EXISTS made SQLite probe the
                # facets once per candidate row inside every count and facet query (seconds at 5,000 records).
                f = search_facets.alias(f"f_{facet}")
                stmt = stmt.where(d.c.asset_id.in_(select(f.c.asset_id).where(f.c.facet == facet, f.c.value == value)))
        if q.sensitivity:
            stmt = stmt.where(a.c.sensitivity == q.sensitivity)
        if q.organisation:
            org_ids = select(organisations.c.id).where(
                (organisations.c.id == q.organisation) | (organisations.c.name == q.organisation)
            )
            stmt = stmt.where(a.c.organisation_id.in_(org_ids))
        return stmt

    def _page(self, conn: Connection, base: Select[Any], q: SearchQuery, ids: list[str] | None = None) -> list[Hit]:
        if ids is None:
            ranked = base.subquery()
            order = [ranked.c.score.desc(), ranked.c.asset_id]
            rows = conn.execute(
                select(ranked.c.asset_id, ranked.c.score).order_by(*order).limit(q.limit).offset(q.offset)
            ).all()
            scored = [(r.asset_id, float(r.score or 0.0)) for r in rows]
        else:
            scored = [(i, 0.0) for i in ids]
        return self._hits(conn, scored)

    def _hits(self, conn: Connection, scored: list[tuple[str, float]]) -> list[Hit]:
        ids = [i for i, _ in scored]
        found = {x.id: x for x in AssetStore(conn).many(ids)}
        facet_rows = conn.execute(
            select(search_facets.c.asset_id, search_facets.c.facet, search_facets.c.value).where(
                search_facets.c.asset_id.in_(ids)
            )
        ).all()
        per: dict[str, dict[str, list[str]]] = {}
        for row in facet_rows:
            per.setdefault(row.asset_id, {}).setdefault(row.facet, []).append(row.value)
        names = dict(conn.execute(select(organisations.c.id, organisations.c.name)).all())
        return [
            Hit(found[i], score, names.get(found[i].organisation_id, found[i].organisation_id), per.get(i, {}))
            for i, score in scored
            if i in found
        ]

    def _facets(self, conn: Connection, base: Select[Any]) -> dict[str, dict[str, int]]:
        matched = base.subquery()
        ids = select(matched.c.asset_id)
        out: dict[str, dict[str, int]] = {f: {} for f in FACETS}
        for row in conn.execute(
            select(search_facets.c.facet, search_facets.c.value, func.count())
            .where(search_facets.c.asset_id.in_(ids))
            .group_by(search_facets.c.facet, search_facets.c.value)
        ).all():
            out[row[0]][row[1]] = int(row[2])
        for row in conn.execute(
            select(assets.c.sensitivity, func.count()).where(assets.c.id.in_(ids)).group_by(assets.c.sensitivity)
        ):
            out["sensitivity"][row[0]] = int(row[1])
        org_counts = (
            select(organisations.c.name, func.count())
            .select_from(assets.join(organisations, organisations.c.id == assets.c.organisation_id))
            .where(assets.c.id.in_(ids))
            .group_by(organisations.c.name)
        )
        for row in conn.execute(org_counts):
            out["organisation"][row[0]] = int(row[1])
        return out

    def _with_access(self, uow: UnitOfWork, principal: Principal, base: Select[Any], q: SearchQuery) -> SearchResult:
        """Keep only what the caller may download (decided per matching dataset, recorded as one summary)."""
        conn = uow.connection
        ranked = base.subquery()
        rows = conn.execute(
            select(ranked.c.asset_id, ranked.c.score).order_by(ranked.c.score.desc(), ranked.c.asset_id)
        ).all()
        candidates = AssetStore(conn).many([r.asset_id for r in rows])
        decisions = self._guard.decide_summarised(
            uow,
            principal,
            Action.DOWNLOAD,
            candidates,
            "search.has_access",
            'Catalog::"dataset"',
            {"query": q.describe()},
        )
        downloadable = {a.id for a, d in zip(candidates, decisions, strict=True) if d.allowed}
        kept = [(r.asset_id, float(r.score or 0.0)) for r in rows if r.asset_id in downloadable]
        page = self._hits(conn, kept[q.offset : q.offset + q.limit])
        everything = self._hits(conn, kept)
        facets: dict[str, Counter[str]] = {f: Counter() for f in FACETS}
        for hit in everything:
            for facet, values in hit.facets.items():
                facets[facet].update(values)
            facets["sensitivity"][hit.asset.markings.sensitivity.value] += 1
            facets["organisation"][hit.organisation] += 1
        return SearchResult(page, len(kept), {k: dict(v) for k, v in facets.items()})
