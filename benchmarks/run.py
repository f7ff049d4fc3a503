"""Kernel benchmarks: policy decision latency and audit append rate, each beside a baseline, in one run.

- Policy: `PolicyEngine.decide` (warm: entities cached) against cedarpy called the naive way (policy text and
  entity JSON parsed on every call), same principal, asset and policies. Target: median <= 200 us.
- Audit: `AuditLog.append` in batches of 1,000 with one commit each (hash chain, Merkle frontier, signed head,
  checkpoints every 1,000) against a plain executemany of the same rows into an unchained table. Target on
  SQLite: >= 20,000 records/s. PostgreSQL too when GENESIS_TEST_DATABASE_URL is set.

- Search: catalogue search over 100,000 records on SQLite and PostgreSQL against a per-record policy filter.
- Campaigns: `benchmarks/campaigns.py`, the discovery suite beside Ax and BayBE (Liang et al. 2021 pool
  protocol on 20 pools, then suggestion latency). Resumable: it runs only what its results files lack for the
  current code, so after a planner change it re-runs every platform run (hours on 2 cores; Ax on the liquid pools
  is slowest). Needs the `bench` extra (Ax, BayBE).

Machines here are noisy: every figure is the median of several repeats; ratios come from the same run.
Writes each suite's tables into docs/benchmarks.md between its markers.
"""

from __future__ import annotations

import json
import os
import platform as host
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cedarpy
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, insert

from genesis_platform.kernel.assets.markings import parse_markings
from genesis_platform.kernel.assets.model import GovernedAsset
from genesis_platform.kernel.audit.chain import AuditEvent
from genesis_platform.kernel.audit.log import AuditLog
from genesis_platform.kernel.audit.signing import Keyring, Signer
from genesis_platform.kernel.clock import SystemClock
from genesis_platform.kernel.db import make_engine, migrate
from genesis_platform.kernel.identity.model import (
    Agreement,
    Organisation,
    OrganisationKind,
    Principal,
    Role,
    Training,
    User,
    VettingStatus,
)
from genesis_platform.kernel.policy.engine import PolicyEngine, default_policy_texts
from genesis_platform.kernel.policy.entities import asset_attributes, user_attributes
from genesis_platform.kernel.policy.model import Action

ROOT = Path(__file__).resolve().parents[1]
REPEATS = 5


def _principal() -> Principal:
    now = datetime.now(UTC)
    org = Organisation(
        id="o-lab", name="ORNL", kind=OrganisationKind.NATIONAL_LABORATORY, country="USA", created_at=now
    )
    user = User(
        id="u-rivera",
        username="rivera",
        display_name="Rivera",
        email="r@ornl.gov",
        organisation_id=org.id,
        vetting=VettingStatus.VETTED,
        us_person=True,
        citizenships=frozenset({"USA"}),
        trainings=frozenset(Training),
        agreements=frozenset({Agreement.parse("CRADA:ORNL-ACME-1")}),
        projects=frozenset({"fusion"}),
        roles=frozenset({Role.RESEARCHER}),
        created_at=now,
    )
    return Principal(user=user, organisation=org)


def _asset() -> GovernedAsset:
    now = datetime.now(UTC)
    markings = parse_markings(
        "CUI//SP-EXPT//NOFORN/FEDCON", pii=True, required_agreements=["CRADA:ORNL-ACME-1"], training_use="Conditional"
    )
    return GovernedAsset(
        id="dat-1",
        kind="dataset",
        name="d",
        owner_id="u-owner",
        organisation_id="o-lab",
        project="fusion",
        markings=markings,
        created_at=now,
        updated_at=now,
    )


def _timings(fn, n: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(n):
        t = time.perf_counter_ns()
        fn()
        out.append((time.perf_counter_ns() - t) / 1000)
    return out


def bench_policy() -> dict[str, float]:
    engine = PolicyEngine.default()
    principal, asset = _principal(), _asset()
    now = datetime.now(UTC)
    assert engine.decide(principal, Action.DOWNLOAD, asset, now).allowed
    policies, _ = default_policy_texts()
    schema = cedarpy.Schema.from_str(default_policy_texts()[1])
    actions = json.loads(str(cedarpy.Entities.from_json_str("[]", schema)))
    entities = [
        {"uid": {"type": "User", "id": principal.user.id}, "attrs": user_attributes(principal, now), "parents": []},
        {"uid": {"type": "Asset", "id": asset.id}, "attrs": asset_attributes(asset), "parents": []},
        *actions,
    ]
    request = {
        "principal": {"type": "User", "id": principal.user.id},
        "action": {"type": "Action", "id": "download"},
        "resource": {"type": "Asset", "id": asset.id},
        "context": {"now": int(now.timestamp())},
    }
    assert cedarpy.is_authorized(request, policies, entities).allowed

    def ours() -> None:
        engine.decide(principal, Action.DOWNLOAD, asset, now)

    def naive() -> None:
        cedarpy.is_authorized(request, policies, entities)

    medians_ours, medians_naive, p95_ours = [], [], []
    for _ in range(REPEATS):
        t = _timings(ours, 2000)
        medians_ours.append(statistics.median(t))
        p95_ours.append(statistics.quantiles(t, n=20)[-1])
        medians_naive.append(statistics.median(_timings(naive, 300)))
    cold = []
    for i in range(300):
        fresh = asset.model_copy(update={"id": f"dat-cold-{i}"})
        t = time.perf_counter_ns()
        engine.decide(principal, Action.DOWNLOAD, fresh, now)
        cold.append((time.perf_counter_ns() - t) / 1000)
    return {
        "policy_warm_median_us": statistics.median(medians_ours),
        "policy_warm_p95_us": statistics.median(p95_ours),
        "policy_cold_median_us": statistics.median(cold),
        "policy_naive_median_us": statistics.median(medians_naive),
        "policies": len(engine.policies),
    }


def _event(i: int) -> AuditEvent:
    return AuditEvent(
        "decision",
        "u-rivera",
        "download",
        f'Asset::"dat-{i % 500}"',
        "allow" if i % 7 else "deny",
        {"policies": ["project-members"]},
        "api",
    )


def bench_audit(url: str, records: int = 100_000, batch: int = 1_000) -> dict[str, float]:
    engine = make_engine(url)
    migrate(engine)
    log = AuditLog(Signer.ephemeral(), Keyring([]), SystemClock(), checkpoint_every=1000)
    baseline = Table(
        "bench_plain_log",
        MetaData(),
        Column("seq", Integer, primary_key=True),
        Column("at", String(32)),
        Column("actor", String(64)),
        Column("action", String(64)),
        Column("resource", String(200)),
        Column("outcome", String(16)),
        Column("details", Text),
    )
    baseline.create(engine, checkfirst=True)
    events = [_event(i) for i in range(batch)]
    rates, plain_rates = [], []
    seq = 0
    for _ in range(REPEATS):
        start = time.perf_counter()
        for _ in range(records // batch // REPEATS):
            with engine.begin() as conn:
                log.append(conn, events)
        rates.append((records // REPEATS) / (time.perf_counter() - start))
        start = time.perf_counter()
        for _ in range(records // batch // REPEATS):
            rows = []
            for e in events:
                seq += 1
                rows.append(
                    {
                        "seq": seq,
                        "at": "2026-11-25T00:00:00.000000Z",
                        "actor": e.actor,
                        "action": e.action,
                        "resource": e.resource,
                        "outcome": e.outcome,
                        "details": json.dumps(dict(e.details)),
                    }
                )
            with engine.begin() as conn:
                conn.execute(insert(baseline), rows)
        plain_rates.append((records // REPEATS) / (time.perf_counter() - start))
    start = time.perf_counter()
    with engine.connect() as conn:
        report = log.verify(conn)
    verify_rate = report.records / (time.perf_counter() - start)
    assert report.ok, report
    engine.dispose()
    return {
        "append_per_s": statistics.median(rates),
        "plain_insert_per_s": statistics.median(plain_rates),
        "verify_per_s": verify_rate,
        "records": report.records,
        "checkpoints": report.checkpoints,
    }


def _pg_url(schema: str = "bench_kernel") -> str | None:
    url = os.environ.get("GENESIS_TEST_DATABASE_URL")
    if not url:
        return None
    from sqlalchemy import create_engine, text

    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


def bench_register(size: int = 1 << 30) -> dict[str, float]:
    """Register a 1 GiB file through the platform and hash it with `sha256sum`, alternately, 3 times each."""
    import hashlib
    import shutil
    import subprocess

    from genesis_platform.bootstrap import Platform
    from genesis_platform.kernel.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big.bin"
        with big.open("wb") as out:
            block = os.urandom(1 << 20)
            for i in range(size >> 20):
                out.write(hashlib.sha256(block + i.to_bytes(4, "big")).digest() * (1 << 15))
        platform, token = Platform.initialise(Settings(home=Path(tmp) / "home"))
        admin = platform.authenticate(token.secret, "internal")
        ours, theirs = [], []
        try:
            for i in range(3):
                start = time.perf_counter()
                subprocess.run(["sha256sum", str(big)], check=True, capture_output=True)
                theirs.append(time.perf_counter() - start)
                shutil.rmtree(Path(tmp) / "home" / "blobs" / "sha256", ignore_errors=True)
                start = time.perf_counter()
                platform.datasets.register(admin, big, name=f"big {i}")
                ours.append(time.perf_counter() - start)
        finally:
            platform.close()
    gib = size / (1 << 30)
    return {
        "register_s": statistics.median(ours),
        "sha256sum_s": statistics.median(theirs),
        "register_gib_per_s": gib / statistics.median(ours),
        "sha256sum_gib_per_s": gib / statistics.median(theirs),
    }


def bench_search(url: str | None, n: int) -> dict[str, Any]:
    """Search over `n` dataset records on a fresh platform (SQLite in its home, or PostgreSQL at `url`)."""
    from genesis_platform.bootstrap import Platform
    from genesis_platform.kernel.settings import Settings

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import search

    with tempfile.TemporaryDirectory() as tmp:
        platform, token = Platform.initialise(Settings(home=Path(tmp) / "home"), database_url=url)
        try:
            return search.run(platform, platform.authenticate(token.secret, "internal"), n=n)
        finally:
            platform.close()


SUITES = ("policy", "register", "audit", "search", "campaigns")


def bench_campaigns(jobs: int) -> None:
    """The discovery suite by its plan (`benchmarks/campaigns.py`), latency timed after the runs, doc rewritten."""
    script = ROOT / "benchmarks" / "campaigns.py"
    command = [sys.executable, str(script), "--latency", "--latency-repeats", "7", "--jobs", str(jobs)]
    if subprocess.run(command, check=False).returncode != 0:
        sys.exit("the campaigns suite failed (above); rerun to resume where it stopped")


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Genesis benchmarks; rewrites docs/benchmarks.md.")
    parser.add_argument("--only", choices=SUITES, action="append", help="run only these suites (repeatable)")
    parser.add_argument("--search-records", type=int, default=100_000, help="catalogue size for the search suite")
    parser.add_argument("--jobs", type=int, default=1, help="campaign runs at once (one core each)")
    args = parser.parse_args()
    suites = set(args.only or SUITES)
    pg = _pg_url()
    if suites & {"policy", "register", "audit"}:
        print("policy decision latency ...", flush=True)
        policy = bench_policy()
        print(json.dumps(policy, indent=2))
        print("registering a 1 GiB file against sha256sum ...", flush=True)
        register = bench_register()
        print(json.dumps(register, indent=2))
        results: dict[str, dict[str, float]] = {}
        with tempfile.TemporaryDirectory() as tmp:
            print("audit append on SQLite ...", flush=True)
            results["SQLite (WAL)"] = bench_audit(f"sqlite:///{tmp}/bench.db")
            print(json.dumps(results["SQLite (WAL)"], indent=2))
        if pg:
            print("audit append on PostgreSQL ...", flush=True)
            results["PostgreSQL"] = bench_audit(pg, records=50_000)
            print(json.dumps(results["PostgreSQL"], indent=2))
        write_doc(policy, results, register)
    if "search" in suites:
        found: dict[str, dict[str, Any]] = {}
        for name, url in (("SQLite (WAL, FTS5)", None), ("PostgreSQL (tsvector, GIN)", _pg_url("bench_search"))):
            if name.startswith("PostgreSQL") and not pg:
                continue
            print(f"search over {args.search_records:,} records on {name} ...", flush=True)
            found[name] = bench_search(url, args.search_records)
            print(json.dumps(found[name], indent=2))
        write_search_doc(found)
    if "campaigns" in suites:
        print("discovery campaigns beside Ax and BayBE (resumes; hours when the planner changed) ...", flush=True)
        bench_campaigns(args.jobs)


def write_search_doc(found: dict[str, dict[str, Any]]) -> None:
    lines = [
        "<!-- search:start -->",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {host.machine()}, {os.cpu_count()} cores (`make bench`).",
        "",
        "| engine | records | searches | p50 | p95 (median of 3 rounds; each round) | max | per-record policy filter "
        "(baseline), median | target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, r in found.items():
        lines.append(
            f"| {name} | {r['records']:,.0f} | {r['searches']:.0f} | {r['p50_ms']:.1f} ms "
            f"| {r['p95_ms']:.1f} ms ({r['p95_rounds']}) "
            f"| {r['max_ms']:.1f} ms | {r['naive_median_ms']:.0f} ms ({r['naive_median_ms'] / r['p50_ms']:.0f}x "
            "slower) | p95 < 50 ms |"
        )
    lines.append("<!-- search:end -->")
    _replace_block("search", lines)


def write_doc(policy: dict[str, float], audit: dict[str, dict[str, float]], register: dict[str, float]) -> None:
    machine = (
        f"{host.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"cedarpy {_version('cedarpy')}, SQLAlchemy {_version('sqlalchemy')}"
    )
    lines = [
        "<!-- kernel:start -->",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {machine}; medians of {REPEATS} repeats (`make bench`).",
        "",
        "| measure | Genesis | baseline in the same run | ratio | target |",
        "|---|---|---|---|---|",
        f"| policy decision, single, warm (median) | {policy['policy_warm_median_us']:.0f} µs "
        f"(p95 {policy['policy_warm_p95_us']:.0f} µs; cold {policy['policy_cold_median_us']:.0f} µs) "
        f"| cedarpy re-parsing policies and entities: {policy['policy_naive_median_us']:.0f} µs "
        f"| {policy['policy_naive_median_us'] / policy['policy_warm_median_us']:.1f}x faster | ≤ 200 µs |",
    ]
    for name, r in audit.items():
        target = "≥ 20,000 /s" if name.startswith("SQLite") else "—"
        lines.append(
            f"| audit append, {name}, batches of 1,000 | {r['append_per_s']:,.0f} records/s "
            f"| unchained executemany: {r['plain_insert_per_s']:,.0f} rows/s "
            f"| {r['append_per_s'] / r['plain_insert_per_s']:.2f}x of plain | {target} |"
        )
        lines.append(
            f"| audit verify, {name} | {r['verify_per_s']:,.0f} records/s ({r['records']:,.0f} records, "
            f"{r['checkpoints']:.0f} checkpoints) | — | — | — |"
        )
    lines.append(
        f"| register a 1 GiB file (hash + durable copy into the blob store + records) | {register['register_s']:.2f} s "
        f"({register['register_gib_per_s']:.2f} GiB/s) | `sha256sum` on the same file: {register['sha256sum_s']:.2f} s "
        f"({register['sha256sum_gib_per_s']:.2f} GiB/s) | {register['sha256sum_s'] / register['register_s']:.2f}x "
        "sha256sum's speed | >= 0.8x |"
    )
    lines.append(
        f"\nThe decision benchmark evaluates all {policy['policies']} shipped policies on a "
        "CUI//SP-EXPT//NOFORN/FEDCON asset with PII, a CRADA requirement and conditional training use."
    )
    lines.append("<!-- kernel:end -->")
    _replace_block("kernel", lines)


def _replace_block(name: str, lines: list[str]) -> None:
    """Replace the text between `<!-- name:start -->` and `<!-- name:end -->` in docs/benchmarks.md."""
    doc = ROOT / "docs" / "benchmarks.md"
    text = doc.read_text(encoding="utf-8")
    begin, finish = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    if begin not in text:
        text += f"\n{begin}\n{finish}\n"
    start, end = text.index(begin), text.index(finish) + len(finish)
    doc.write_text(text[:start] + "\n".join(lines) + text[end:], encoding="utf-8")
    print(f"wrote {doc} ({name})")


def _version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


if __name__ == "__main__":
    main()
