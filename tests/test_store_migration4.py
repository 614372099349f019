"""A version-3 log (before the bench's indexes) upgrades to the current schema with its data intact."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from crosspost import audit
from crosspost.chain import event_hash
from crosspost.models import Release, Variant
from crosspost.serialize import variant_to_json
from crosspost.store import MIGRATIONS, SCHEMA_VERSION, Store


def _version3(path: Path) -> None:
    """The schema exactly as a crosspost of schema 3 left it, with one release and two deliveries."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    for statements in MIGRATIONS[:3]:
        for statement in statements:
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 3")
    conn.close()


def test_version3_upgrades_with_data_and_indexes(tmp_path: Path) -> None:
    db = tmp_path / "log.db"
    _version3(db)
    # Write the data with today's Store pinned at schema 3 (its code writes a v3 row layout).
    conn = sqlite3.connect(str(db), isolation_level=None)
    conn.row_factory = sqlite3.Row
    old = Store(conn, db)
    release = Release(slug="siaran-1", title="Siaran pers", body="Isi.",
                      date=datetime(2026, 11, 1, tzinfo=UTC))
    rid = old.save_release(release, now=1000.0)
    prev = None
    for channel, kind, text in (("web", "website", "a"), ("x", "twitter", "b")):  # as schema 3 wrote them
        v = variant_to_json(Variant(channel=channel, kind=kind, text=text))
        cur = conn.execute("INSERT INTO deliveries (release_id, channel, kind, status, not_before, "
                           "variant_json, queued_at, updated_at) "
                           "VALUES (?, ?, ?, 'queued', 1000, ?, 1000, 1000)",
                           (rid, channel, kind, v))
        conn.execute("INSERT INTO events (delivery_id, release_id, at, to_status, detail, actor, hash) "
                     "VALUES (?, ?, 1000, 'queued', 'queued', 'humas', ?)",
                     (cur.lastrowid, rid, prev := event_hash(
                         prev, at=1000, delivery_id=cur.lastrowid, release_id=rid, from_status=None,
                         to_status="queued", detail="queued", actor="humas")))
    assert old.schema_version == 3
    names3 = {r[1] for r in conn.execute("PRAGMA index_list(deliveries)")}
    assert "deliveries_overview" not in names3 and "deliveries_due" not in names3
    conn.close()

    store = Store.open(db)
    assert store.schema_version == SCHEMA_VERSION >= 4
    got = store.deliveries(release="siaran-1")
    assert [(d.channel, d.status) for d in got] == [("web", "queued"), ("x", "queued")]
    assert store.status_counts() == {"web": {"queued": 1}, "x": {"queued": 1}}
    assert audit.verify(store).ok, audit.verify(store).message()
    store.close()

    check = sqlite3.connect(str(db))
    names = {r[1] for r in check.execute("PRAGMA index_list(deliveries)")}
    assert {"deliveries_overview", "deliveries_due", "deliveries_claim"} <= names
    assert "deliveries_queued_at" not in names  # unused: dropped by a later migration (issue 18)
    overview = [r[2] for r in check.execute("PRAGMA index_info(deliveries_overview)")]
    assert overview[:3] == ["release_id", "channel", "status"]  # led by the release: local writes
    assert check.execute("SELECT slug, title FROM releases").fetchall() == [("siaran-1", "Siaran pers")]
    check.close()
