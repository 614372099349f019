"""The inbox on PostgreSQL with the database's clock (clock="database", what an office runs): a
worker whose clock is two hours fast still logs a handling, a purge and a fetch at the server's
time, and its purge cut-off moves with it (the store contract tests use the caller's clock)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from pg_helpers import drop_schema, fresh_schema, pg_store

from crosspost.models import Receipt, Release, Variant

FAST = 7200.0  # this "machine" is two hours ahead
DAY = 86400.0


@pytest.fixture
def store():
    name = fresh_schema()
    made = pg_store(name, clock="database")
    yield made
    made.close()
    drop_schema(name)


def test_inbox_times_are_the_databases(store) -> None:
    rid = store.save_release(Release(slug="r", title="R", body="Isi.",
                                     date=datetime(2026, 11, 20, tzinfo=UTC)))
    (d,) = store.enqueue(rid, [Variant(channel="x", kind="fake", text="t")], None, time.time() + FAST)
    store.resolve(d.id, time.time() + FAST, Receipt("x-1", "https://example.test/x/1"))
    server = store.db_now()
    store.save_replies(d.id, "fake", [
        {"platform_id": "old", "created_at": server - 30 * DAY + 0.5 * FAST, "kind": "aduan"},
        {"platform_id": "new", "created_at": server - 60, "kind": "aduan"}], time.time() + FAST)
    store.save_metrics([(d.id, {"views": 5.0})], time.time() + FAST)
    done = store.mark_reply_done(store.replies()[0]["id"], "Rina", time.time() + FAST)
    assert abs(done["handled_at"] - store.db_now()) < 5 and abs(done["fetched_at"] - server) < 5
    (post,) = store.engagement_posts(server - DAY, server + DAY)
    assert abs(post["measured_at"] - server) < 5 and abs(post["replies_fetched_at"] - server) < 5
    # 30 days on this machine's clock is 30 days plus two hours on the server's: "old" (30 days
    # minus one hour old by the server) stays, where the caller's clock would have purged it
    assert store.purge_replies(time.time() + FAST - 30 * DAY, time.time() + FAST) == 0
    assert store.purge_replies(time.time() + FAST - 29 * DAY, time.time() + FAST) == 1
    assert [r["platform_id"] for r in store.replies()] == ["new"]
    at = [e["at"] for e in store.events() if "inbox" in (e["detail"] or "")]
    assert len(at) == 2 and all(abs(a - store.db_now()) < 5 for a in at)
