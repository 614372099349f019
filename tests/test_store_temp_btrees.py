"""The engine's writes build no temporary b-tree for each row they write (issue 18).

SQLite builds one (EXPLAIN: OpenEphemeral, a fresh in-memory b-tree with its own pager) for a
CHECK constraint's ``IN (<3 or more constants>)`` on every row written, for ``INSERT ... SELECT``
into a table that has triggers, for an UPDATE of such a WITHOUT ROWID table, and for RETURNING.
They were ~6 a delivery and a sixth of its instructions; the store now writes comparisons,
VALUES and a primary-key read instead. A log created before is migrated (the CHECK's text
rewritten, the triggers recreated, the report's counts rebuilt)."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crosspost import store as S
from crosspost.models import Release, Variant
from crosspost.store import SCHEMA_VERSION, ChannelPolicy, Store
from tests.test_report_aggregates import assert_equal_to_recomputation

# the fields the claim's move sets (Store._take), in its order
CLAIM_FIELDS = ("lease_token", "lease_until", "deadline", "fence")
# a trigger that runs only on a rare change (a delivery due before its release's other days)
RARE = {"report_insert_later"}
HOT = {"insert a delivery": S._INSERT_DELIVERY, "append an event": S._INSERT_EVENT,
       "claim": S._move_sql(CLAIM_FIELDS), "sent": S._SENT_IF_HELD}


def temp_btrees(c: sqlite3.Connection, sql: str) -> list[str]:
    """Where the program of ``sql`` (and of the triggers it fires, which EXPLAIN lists after it)
    opens a temporary b-tree, less the rare triggers'."""
    found, program = [], "main"
    for row in c.execute(f"EXPLAIN {sql}", (None,) * sql.count("?")):
        if row[1] == "Init" and str(row[5] or "").startswith("-- TRIGGER "):  # p4: the trigger
            program = str(row[5]).removeprefix("-- TRIGGER ")
        elif row[1] == "OpenEphemeral" and program not in RARE:
            found.append(program)
    return found


def publish(store: Store, n: int) -> None:
    now = time.time()
    for i in range(n):
        release = Release(slug=f"r{i}", title=f"Rilis {i}", body="Isi.",
                          date=datetime(2026, 6, 1, tzinfo=UTC))
        variants = [Variant(channel=c, kind="fake", text=f"{i} {c}") for c in ("x", "fb")]
        store.save_and_enqueue(release, variants, None, now)


@pytest.mark.parametrize("name", sorted(HOT))
def test_the_engines_writes_open_no_temporary_btree(tmp_path: Path, name: str) -> None:
    store = Store.open(tmp_path / "log.db")
    try:
        assert temp_btrees(store._conn, HOT[name]) == []
    finally:
        store.close()


def test_the_status_check_still_refuses_an_unknown_status(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "log.db")
    try:
        publish(store, 1)
        with pytest.raises(sqlite3.IntegrityError):
            store._conn.execute("UPDATE deliveries SET status = 'posted' WHERE id = 1")
        for status in S.STATUSES:  # every status it knows is still allowed
            store._conn.execute("UPDATE deliveries SET status = ? WHERE id = 1", (status,))
    finally:
        store.close()


def _as_before(path: Path) -> None:
    """The log as a crosspost before this change left it: the CHECK as an IN list, the insert
    trigger writing report_release_days through INSERT ... SELECT, the in-flight deliveries
    counted as sending and hours kept for every day (a wrong row stands for those counts)."""
    c = sqlite3.connect(str(path), isolation_level=None)
    sql = c.execute("SELECT sql FROM sqlite_master WHERE name = 'deliveries'").fetchone()[0]
    old = "CHECK (status IN (" + ", ".join(f"'{s}'" for s in S.STATUSES) + "))"
    assert S._STATUS_CHECK in sql
    version = c.execute("PRAGMA schema_version").fetchone()[0]
    c.execute("BEGIN")
    c.execute("PRAGMA writable_schema = ON")
    c.execute("UPDATE sqlite_master SET sql = ? WHERE name = 'deliveries'",
              (sql.replace(f"CHECK ({S._STATUS_CHECK})", old),))
    c.execute(f"PRAGMA schema_version = {version + 1}")
    c.execute("PRAGMA writable_schema = OFF")
    c.execute("COMMIT")
    c.execute("DROP TRIGGER report_insert_later")
    c.execute("INSERT INTO report_counts VALUES (1, 0, 'x', 'siaran-pers', 'sending', 7)")
    c.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")
    assert temp_btrees(c, S._INSERT_DELIVERY) == ["main"]  # the IN list, as before
    c.close()


def test_a_log_from_before_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "log.db"
    store = Store.open(path)
    publish(store, 3)
    store.claim(time.time(), 60, 2, {"x": ChannelPolicy(), "fb": ChannelPolicy()})  # two in flight
    store.close()
    _as_before(path)
    store = Store.open(path)
    try:
        assert store.schema_version == SCHEMA_VERSION
        c = store._conn
        table = c.execute("SELECT sql FROM sqlite_master WHERE name = 'deliveries'").fetchone()[0]
        assert "status IN" not in table
        assert {name: temp_btrees(c, sql) for name, sql in HOT.items()} == {name: [] for name in HOT}
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        with pytest.raises(sqlite3.IntegrityError):
            c.execute("UPDATE deliveries SET status = 'posted' WHERE id = 1")
        assert store.status_counts() == {"fb": {"queued": 2, "sending": 1}, "x": {"queued": 2, "sending": 1}}
        publish(store, 5)  # and the recreated triggers keep the aggregates exact
    finally:
        store.close()
    assert_equal_to_recomputation(path)
