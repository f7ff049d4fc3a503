"""Discovery tables, on the platform's one metadata (the migration chain lives in `kernel/migrations`)."""

from __future__ import annotations

from sqlalchemy import Column, Float, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint

from genesis_platform.kernel.db import metadata

__all__ = ["campaign_benchmark_runs", "campaign_trials", "campaigns", "instruments"]

# A registered instrument beside its governed asset: how to build it (`config`, JSON) and its version.
instruments = Table(
    "instruments",
    metadata,
    Column("id", String(64), ForeignKey("assets.id"), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("config", Text, nullable=False),
    Column("version", String(32), nullable=False),
    Column("created_by", String(36), nullable=False),
    Column("created_at", String(32), nullable=False),
)

# A campaign beside its governed asset. `planner_state` is rewritten with every recorded result, in the same
# transaction as the trial row, so a crash never leaves the planner and the trials disagreeing. `runner` and
# `lease_until` are the lease of the one loop allowed to run the campaign (`host:pid:nonce`, renewed while it runs).
campaigns = Table(
    "campaigns",
    metadata,
    Column("id", String(64), ForeignKey("assets.id"), primary_key=True),
    Column("spec", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("planner_state", Text, nullable=True),
    Column("stop_reason", Text, nullable=False),
    Column("runner", String(120), nullable=True),
    Column("lease_until", String(32), nullable=True),
    Column("created_by", String(36), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
)

campaign_trials = Table(
    "campaign_trials",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("campaign_id", String(64), ForeignKey("campaigns.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("batch", Integer, nullable=False),
    Column("point", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("measured", Text, nullable=False),
    Column("noise", Text, nullable=True),
    Column("message", Text, nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("planner", String(64), nullable=False),
    Column("seed", Integer, nullable=False),
    Column("instrument", String(100), nullable=False),
    Column("activity", String(120), nullable=True),
    Column("created_at", String(32), nullable=False),
    Column("finished_at", String(32), nullable=True),
    Column("seconds", Float, nullable=True),
    UniqueConstraint("campaign_id", "number"),
    Index("ix_campaign_trials_campaign_status", "campaign_id", "status"),
)

# One seeded run of the pool benchmark protocol on a campaign's pool (`genesis campaign benchmark`): the pool
# indices it picked, in order, and the seconds each pick took (JSON lists). `version` is the code that made it.
campaign_benchmark_runs = Table(
    "campaign_benchmark_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("campaign_id", String(64), ForeignKey("campaigns.id"), nullable=False),
    Column("method", String(32), nullable=False),
    Column("version", String(64), nullable=False),
    Column("seed", Integer, nullable=False),
    Column("picks", Text, nullable=False),
    Column("seconds", Text, nullable=False),
    Column("created_by", String(36), nullable=False),
    Column("created_at", String(32), nullable=False),
    UniqueConstraint("campaign_id", "method", "version", "seed"),
)
