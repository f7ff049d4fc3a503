"""Edit, delete, reorder and insert audit rows directly in the database; `genesis audit verify` names the record."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from genesis_platform.bootstrap import Platform
from genesis_platform.kernel.audit.chain import chain_hash, record_body
from genesis_platform.kernel.audit.log import AuditQuery
from genesis_platform.kernel.canonical import canonical_json
from genesis_platform.testing import Cast


@pytest.fixture
def verify(cli, home):
    def run() -> tuple[int, str]:
        result = cli("audit", "verify", "--home", str(home))
        return result.code, result.out + result.err

    return run


@pytest.fixture
def busy(platform: Platform, cast: Cast) -> Platform:
    """A platform with a few dozen audit records and a checkpoint in the middle."""
    platform.assets.register(cast["rivera"], kind="dataset", name="d1", project="p1")
    platform.audit.checkpoint(cast.admin)
    platform.assets.list(cast["brit"])
    return platform


def _size(p: Platform) -> int:
    with p.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM audit_records")).scalar_one())


def _exec(p: Platform, sql: str, **params: object) -> None:
    with p.engine.begin() as conn:
        conn.execute(text(sql), params)


def test_untouched_log_verifies(busy, verify):
    size = _size(busy)
    code, out = verify()
    assert code == 0, out
    assert f"audit chain verified: {size} records, 1 signed checkpoints" in out


@pytest.mark.parametrize("column", ["outcome", "actor", "details", "at"])
def test_edited_field_is_named(busy, verify, column):
    value = {
        "outcome": "tampered",
        "actor": "someone-else",
        "details": '{"policies":[]}',
        "at": "2026-01-01T00:00:00.000000Z",
    }
    _exec(busy, f"UPDATE audit_records SET {column} = :v WHERE seq = 7", v=value[column])
    code, out = verify()
    assert code == 6
    assert "first bad record: 7)" in out and "record 7" in out


def test_edit_with_recomputed_hash_is_still_named(busy, verify):
    with busy.engine.begin() as conn:
        row = conn.execute(text("SELECT * FROM audit_records WHERE seq = 9")).mappings().one()
        from genesis_platform.kernel.audit.chain import event_of_row

        event = event_of_row(row)
        forged = event.__class__(event.kind, "mallory", event.action, event.resource, "allow", event.details, "cli")
        new_hash = chain_hash(row["prev_hash"], canonical_json(record_body(9, row["at"], forged)))
        conn.execute(
            text("UPDATE audit_records SET actor='mallory', outcome='allow', channel='cli', hash=:h WHERE seq=9"),
            {"h": new_hash},
        )
    code, out = verify()
    assert code == 6
    assert "first bad record: 9)" in out and "rewritten" in out


def test_deleted_record_is_named(busy, verify):
    _exec(busy, "DELETE FROM audit_records WHERE seq = 12")
    code, out = verify()
    assert code == 6 and "first bad record: 12)" in out and "missing" in out


def test_deleted_tail_is_caught_by_the_signed_head(busy, verify):
    last = _size(busy)
    _exec(busy, "DELETE FROM audit_records WHERE seq = :s", s=last)
    code, out = verify()
    assert code == 6 and f"first bad record: {last})" in out


def test_reordered_records_are_named(busy, verify):
    # Swap records 5 and 6 by renumbering through a free sequence number.
    _exec(busy, "UPDATE audit_records SET seq = -1 WHERE seq = 5")
    _exec(busy, "UPDATE audit_records SET seq = 5 WHERE seq = 6")
    _exec(busy, "UPDATE audit_records SET seq = 6 WHERE seq = -1")
    code, out = verify()
    assert code == 6 and "first bad record: 5)" in out


def test_inserted_record_in_the_middle_is_named(busy, verify):
    last = _size(busy)
    # Make room after record 10 (renumber from the end down), then insert a well-formed, chained record 11.
    for seq in range(last, 10, -1):
        _exec(busy, "UPDATE audit_records SET seq = :n WHERE seq = :s", n=seq + 1, s=seq)
    with busy.engine.begin() as conn:
        prev = conn.execute(text("SELECT hash, at FROM audit_records WHERE seq = 10")).one()
        from genesis_platform.kernel.audit.chain import AuditEvent

        event = AuditEvent("decision", "mallory", "download", 'Asset::"x"', "allow", {"policies": []}, "api")
        digest = chain_hash(prev.hash, canonical_json(record_body(11, prev.at, event)))
        conn.execute(
            text(
                "INSERT INTO audit_records (seq, at, kind, actor, channel, action, resource, outcome, details, "
                "prev_hash, hash) VALUES (11, :at, 'decision', 'mallory', 'api', 'download', :res, 'allow', :d, :p, :h)"
            ),
            {
                "at": prev.at,
                "res": 'Asset::"x"',
                "d": json.dumps({"policies": []}, separators=(",", ":")),
                "p": prev.hash,
                "h": digest,
            },
        )
    code, out = verify()
    assert code == 6 and "first bad record: 11)" in out and "inserted" in out


def test_record_appended_outside_the_kernel_is_named(busy, verify):
    last = _size(busy)
    with busy.engine.begin() as conn:
        prev = conn.execute(text("SELECT hash, at FROM audit_records WHERE seq = :s"), {"s": last}).one()
        from genesis_platform.kernel.audit.chain import AuditEvent

        event = AuditEvent("change", "mallory", "user.vet", 'User::"m"', "ok", {}, "api")
        digest = chain_hash(prev.hash, canonical_json(record_body(last + 1, prev.at, event)))
        conn.execute(
            text(
                "INSERT INTO audit_records (seq, at, kind, actor, channel, action, resource, outcome, details, "
                "prev_hash, hash) VALUES (:s, :at, 'change', 'mallory', 'api', 'user.vet', :r, 'ok', '{}', :p, :h)"
            ),
            {"s": last + 1, "at": prev.at, "r": 'User::"m"', "p": prev.hash, "h": digest},
        )
    code, out = verify()
    assert code == 6 and f"first bad record: {last + 1})" in out and "not covered by the signed head" in out


def test_rewritten_chain_is_caught_by_the_signed_checkpoint(busy, cast):
    """An attacker who rewrites every hash from record 3 on still cannot re-sign the checkpoint or the head."""
    with busy.engine.begin() as conn:
        rows = conn.execute(text("SELECT * FROM audit_records ORDER BY seq")).mappings().all()
        from genesis_platform.kernel.audit.chain import event_of_row

        prev = rows[1]["hash"]
        for row in rows[2:]:
            event = event_of_row(row)
            if row["seq"] == 3:
                event = event.__class__(
                    event.kind, "mallory", event.action, event.resource, event.outcome, event.details, event.channel
                )
            digest = chain_hash(prev, canonical_json(record_body(row["seq"], row["at"], event)))
            conn.execute(
                text("UPDATE audit_records SET actor=:a, prev_hash=:p, hash=:h WHERE seq=:s"),
                {"a": event.actor, "p": prev, "h": digest, "s": row["seq"]},
            )
            prev = digest
    report = busy.audit.verify(cast.admin)
    assert not report.ok and report.first_bad_seq == 1 and "rewritten" in (report.problem or "")


def test_verification_itself_is_recorded(busy, cast):
    busy.audit.verify(cast.admin)
    records = busy.audit.records(cast.admin, AuditQuery(action="audit.verify"))
    assert records and records[-1].event.details["ok"] is True
