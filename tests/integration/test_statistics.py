"""SQLite planner statistics are taken once tables are large, and again only when they change size a lot."""

from __future__ import annotations

import sys
from pathlib import Path

from genesis_platform.kernel.db import refresh_statistics

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))


def test_large_tables_are_analysed_once_until_they_grow(sqlite_platform):
    import search

    p = sqlite_platform
    admin = p.authenticate(p.saved_token(), "internal")
    assert "search_documents" not in refresh_statistics(p.engine)  # small tables are left alone
    search.load(p, admin.user.id, [admin.organisation.id], 1500, analyse=False)
    analysed = refresh_statistics(p.engine)
    assert {"assets", "search_documents"} <= set(analysed)
    assert refresh_statistics(p.engine) == []  # fresh statistics are kept
    search.load(p, admin.user.id, [admin.organisation.id], 3000, seed=8, start=1500, analyse=False)
    assert "search_documents" in refresh_statistics(p.engine)  # grown 3x


def test_postgresql_keeps_its_own(platform):
    if platform.engine.dialect.name == "postgresql":
        assert refresh_statistics(platform.engine) == []
