"""The engine's hot queries stay on their index whatever SQLite's statistics say (issue 18).

Unanalysed, SQLite planned ``receipts()`` on a status index and read every sent delivery (80 ms a
call on a log of 1,000,000), and ``claim()`` read every due row of channels the process does not
serve. These tests look at the plans of the statements the store really runs (captured with a
trace callback), on a fresh log without statistics and again after ``close()`` has let
``PRAGMA optimize`` analyse a log skewed the way a year of sending skews it.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from crosspost.models import Release, Variant
from crosspost.serialize import release_to_json, variant_to_json
from crosspost.store import ChannelPolicy, Store

NOW = 1_800_000_000.0
DATE = datetime(2026, 1, 1, tzinfo=UTC)
OTHERS = ("website", "twitter", "facebook", "instagram", "youtube")
INSERT_RELEASE = ("INSERT INTO releases (id, slug, title, section, content_hash, release_json, created_at, "
                  "updated_at) VALUES (?, ?, ?, 'siaran-pers', '', ?, ?, ?)")
INSERT_DELIVERY = ("INSERT INTO deliveries (id, release_id, channel, kind, status, not_before, variant_json, "
                   "queued_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")


def fill(path: Path, releases: int = 400) -> None:
    """A log like a year of use: nearly everything sent, a few due rows for channels that the
    engine under test does not serve, none of them analysed."""
    Store.open(path).close()
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("BEGIN")
    did = 0
    for r in range(1, releases + 1):
        release = Release(slug=f"r{r}", title=f"Judul {r}", body="Isi.", date=DATE)
        row = (r, release.slug, release.title, release_to_json(release), NOW - r, NOW - r)
        conn.execute(INSERT_RELEASE, row)
        for ch in OTHERS:
            did += 1
            status = "queued" if r <= 20 else "sent"
            variant = variant_to_json(Variant(channel=ch, kind=ch, text="t"))
            conn.execute(INSERT_DELIVERY, (did, r, ch, ch, status, NOW - r, variant, NOW - r, NOW - r))
    conn.execute("COMMIT")
    conn.close()


def plans(store: Store, action) -> dict[str, list[str]]:
    """The query plan of every SELECT that ``action`` runs on the store's connections (the writer's
    and the one for the engine's reads of their own)."""
    seen: list[str] = []
    with store._reading() as reader:  # opened if it was not yet
        pass
    connections = {id(c): c for c in (store._conn, reader)}.values()
    for c in connections:
        c.set_trace_callback(seen.append)
    try:
        action()
    finally:
        for c in connections:
            c.set_trace_callback(None)
    return {sql: [row[3] for row in store._conn.execute("EXPLAIN QUERY PLAN " + sql)]
            for sql in seen if sql.lstrip().upper().startswith("SELECT")}


def hot_plans(store: Store, slug: str = "baru") -> tuple[list[str], list[str], list[str]]:
    rid = store.save_release(Release(slug=slug, title="Baru", body="Isi.",
                                     date=DATE), NOW)
    store.enqueue(rid, [Variant(channel="site", kind="website", text="w"),
                        Variant(channel="fake", kind="fake", text="f")], None, NOW)
    served = {"site": ChannelPolicy(), "fake": ChannelPolicy()}
    receipts = plans(store, lambda: store.receipts(rid))
    claim = plans(store, lambda: store.claim(NOW, 60, 4, {"fake": ChannelPolicy()}))  # website check
    (main,) = [p for sql, p in claim.items() if "ORDER BY d.not_before" in sql]
    (website,) = [p for sql, p in claim.items() if "kind = 'website'" in sql]
    claims, _ = store.claim(NOW, 60, 4, served)
    assert [c.delivery.channel for c in claims] == ["site"]  # the website first, the log's rows untouched
    (receipt_plan,) = receipts.values()
    return receipt_plan, main, website


def assert_on_index(receipt_plan: list[str], main: list[str], website: list[str]) -> None:
    release_index = ("USING INDEX sqlite_autoindex_deliveries_1 (release_id=?)",  # a release's few rows
                     "USING INDEX deliveries_overview (release_id=?)",
                     "USING COVERING INDEX deliveries_overview (release_id=?)")
    assert any(ix in line for line in receipt_plan for ix in release_index), receipt_plan
    assert any(ix in line for line in website for ix in release_index), website
    # claim: the due range of its own index, in ORDER BY order (no sort of the backlog), the
    # channel filter applied in SQL.
    due = "SEARCH d USING INDEX deliveries_due (not_before<?)"
    assert any(due in line for line in main), main
    assert not any("TEMP B-TREE" in line or line.startswith("SCAN d") for line in main), main


def test_hot_queries_use_their_index_without_statistics(tmp_path: Path) -> None:
    fill(tmp_path / "log.db")
    store = Store.open(tmp_path / "log.db")
    assert not store._conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchall()
    assert_on_index(*hot_plans(store))
    store.close()


def test_close_analyses_and_the_plans_hold_with_statistics(tmp_path: Path) -> None:
    fill(tmp_path / "log.db")
    store = Store.open(tmp_path / "log.db")
    hot_plans(store)
    store.close()  # PRAGMA optimize: the tables just queried get statistics
    store = Store.open(tmp_path / "log.db")
    stats = dict(store._conn.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'deliveries'"))
    assert "deliveries_due" in stats and "sqlite_autoindex_deliveries_1" in stats, stats
    assert_on_index(*hot_plans(store, "baru-2"))
    # every `run` lists the queued deliveries (waiting ones): with a json_each list and statistics,
    # SQLite scanned every release for it
    (queued,) = plans(store, lambda: store.deliveries(status="queued")).values()
    assert any("SEARCH d USING INDEX" in line and "(status=?)" in line for line in queued), queued
    assert not any(line.startswith("SCAN") for line in queued), queued
    store.close()


def test_claim_reads_no_row_of_a_channel_it_does_not_serve(tmp_path: Path) -> None:
    fill(tmp_path / "log.db")
    store = Store.open(tmp_path / "log.db")
    seen: list[str] = []
    store._conn.set_trace_callback(seen.append)
    assert store.claim(NOW, 60, 4, {"fake": ChannelPolicy()}) == ([], [])
    store._conn.set_trace_callback(None)
    (sql,) = [s for s in seen if "ORDER BY d.not_before" in s]
    assert json.dumps(["fake"]) in sql  # the served channels are part of the query
    assert len(store._conn.execute(sql).fetchall()) == 0  # the 100 due rows of OTHERS never reach Python
    store.close()
