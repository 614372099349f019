"""The delivery log: schema, migrations, pragmas (SQLite), and the store contract: every test that
takes the ``store`` fixture runs against each store in conftest.STORE_FACTORIES."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import INTEGRITY

from crosspost.errors import InputError, StoreError
from crosspost.models import Media, Receipt, Release, Variant
from crosspost.serialize import release_to_json, variant_to_json
from crosspost.store import MIGRATIONS, SCHEMA_VERSION, ChannelPolicy, Store

NOW = 1_800_000_000.0
POL = {"x": ChannelPolicy(), "site": ChannelPolicy(), "fb": ChannelPolicy()}


def release(slug: str = "rilis-1", **kw) -> Release:
    return Release(slug=slug, title=kw.pop("title", "Judul"), body="Isi **rilis**.",
                   date=datetime(2026, 11, 20, 9, 0, tzinfo=UTC), **kw)


def variant(channel: str = "x", kind: str = "fake", **kw) -> Variant:
    return Variant(channel=channel, kind=kind, text=kw.pop("text", f"teks {channel}"), **kw)


def statuses(store: Store) -> dict[str, str]:
    return {d.channel: d.status for d in store.deliveries()}


def test_open_creates_folder_schema_and_pragmas(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "a" / "b" / "log.db")
    assert (tmp_path / "a" / "b" / "log.db").is_file()
    assert store.schema_version == SCHEMA_VERSION
    c = store._conn
    assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert c.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert c.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert c.execute("PRAGMA busy_timeout").fetchone()[0] >= 10_000
    assert c.isolation_level is None  # autocommit; transactions are explicit
    names = {r[0] for r in c.execute("SELECT name FROM sqlite_master")}
    assert {"releases", "deliveries", "events", "channel_slots", "deliveries_claim"} <= names
    # reopening is harmless
    assert Store.open(tmp_path / "a" / "b" / "log.db").schema_version == SCHEMA_VERSION


def test_unusable_path_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="cannot open"):
        Store.open(tmp_path / "file" / "log.db")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError, match="cannot use"):
        Store.open(junk)


def test_previous_schema_upgrades_with_data_intact(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    c = sqlite3.connect(path, isolation_level=None)
    for statement in MIGRATIONS[0]:
        c.execute(statement)
    c.execute("PRAGMA user_version = 1")
    c.execute("INSERT INTO releases (id, slug, title, section, release_json, created_at, updated_at) "
              "VALUES (1, 'lama', 'Lama', 'siaran-pers', ?, 1, 1)",
              (release_to_json(release("lama")),))
    c.execute("INSERT INTO deliveries (release_id, channel, kind, status, not_before, variant_json, "
              "remote_id, url, queued_at, updated_at) VALUES (1, 'x', 'fake', 'sent', 1, ?, 'r1', "
              "'https://x/r1', 1, 1)", (variant_to_json(variant()),))
    c.close()
    store = Store.open(path)
    assert store.schema_version == SCHEMA_VERSION
    [d] = store.deliveries()
    assert (d.release_slug, d.status, d.remote_id, d.url) == ("lama", "sent", "r1", "https://x/r1")
    assert store.release_by_slug("lama").title == "Judul"
    # the upgraded database works with the new columns
    store.enqueue(store.save_release(release("lama")), [variant("fb")], None, NOW)
    assert statuses(store) == {"x": "sent", "fb": "queued"}


def test_newer_database_is_refused_without_a_byte_changed(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    c = sqlite3.connect(path, isolation_level=None)
    c.execute("CREATE TABLE future (x)")
    c.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    c.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer crosspost"):
        Store.open(path)
    assert path.read_bytes() == before
    assert not Path(f"{path}-wal").exists()


def test_save_release_upserts_by_slug_and_round_trips(store: Store, tmp_path: Path) -> None:
    r = release(images=(Media(tmp_path / "a.jpg", "alt", "image", 800, 600),), hashtags=("A",),
                embargo=datetime(2026, 11, 21, tzinfo=UTC))
    rid = store.save_release(r)
    assert store.save_release(release(summary="Ringkas.")) == rid  # the same release, edited
    back = store.release_by_slug("rilis-1")
    assert back.summary == "Ringkas."
    with pytest.raises(InputError, match="another release"):  # another title under the slug: issue 11
        store.save_release(release(title="Baru"))
    assert store.release_by_slug("rilis-1").summary == "Ringkas."
    rid2 = store.save_release(r)
    assert rid2 == rid and store.release_by_slug("rilis-1") == r
    assert store.release_by_slug("none") is None


def test_enqueue_is_one_transaction_and_never_duplicates(store: Store) -> None:
    rid = store.save_release(release())
    first = store.enqueue(rid, [variant("x"), variant("fb")], None, NOW)
    assert [(d.channel, d.status, d.not_before) for d in first] == [("x", "queued", NOW),
                                                                     ("fb", "queued", NOW)]
    # mark x sent, then publish again: x is left as it is (with its link), nothing new is queued
    claims, _ = store.claim(NOW, 60, 10, POL)
    x = next(c for c in claims if c.delivery.channel == "x")
    store.record_sent(x.delivery.id, x.token, Receipt("r-9", "https://x/r-9"), NOW)
    again = store.enqueue(rid, [variant("x", text="other"), variant("site", "website")], NOW + 99, NOW + 1)
    assert [(d.channel, d.status) for d in again] == [("x", "sent"), ("site", "queued")]
    assert again[0].url == "https://x/r-9" and again[0].id == x.delivery.id
    assert len(store.deliveries()) == 3
    with pytest.raises(INTEGRITY):  # the constraint itself, not just the code path
        store._conn.execute("INSERT INTO deliveries (release_id, channel, kind, status, not_before, "
                            "variant_json, queued_at, updated_at) "
                            "VALUES (?, 'x', 'k', 'queued', 0, '{}', 0, 0)",
                            (rid,))


def test_enqueue_rolls_back_everything_on_failure(store: Store) -> None:
    rid = store.save_release(release())
    bad = Variant(channel=None, kind="fake", text="t")  # type: ignore[arg-type]
    with pytest.raises(INTEGRITY):
        store.enqueue(rid, [variant("x"), bad], None, NOW)
    assert store.deliveries() == [] and store.events() == []
    with pytest.raises(INTEGRITY):  # foreign key to releases
        store.enqueue(999, [variant("x")], None, NOW)


def test_every_state_change_has_its_event_in_the_same_transaction(store: Store, monkeypatch) -> None:
    rid = store.save_release(release())
    [d] = store.enqueue(rid, [variant("x")], None, NOW)

    def boom(*_a, **_k):
        raise RuntimeError("disk full while logging")

    monkeypatch.setattr(type(store), "_event", staticmethod(boom))
    with pytest.raises(RuntimeError):
        store.claim(NOW, 60, 1, POL)
    monkeypatch.undo()
    assert store.delivery(d.id).status == "queued"  # the update was rolled back with the event
    [c], _ = store.claim(NOW, 60, 1, POL)
    assert c.delivery.status == "sending"
    ev = store.events(delivery_id=d.id)
    assert [(e["from_status"], e["to_status"]) for e in ev] == [("queued", "sending"), (None, "queued")]
    assert ev[0]["release"] == "rilis-1" and ev[0]["channel"] == "x"


def test_claim_is_exclusive_and_respects_due_time_and_ids(store: Store) -> None:
    rid = store.save_release(release())
    later = store.save_release(release("rilis-2"))
    [a] = store.enqueue(rid, [variant("x")], None, NOW)
    [b] = store.enqueue(later, [variant("x")], NOW + 100, NOW)
    claims, _ = store.claim(NOW, 60, 10, POL)
    assert [c.delivery.id for c in claims] == [a.id]
    assert claims[0].lease_until == NOW + 60 and claims[0].token
    assert store.claim(NOW, 60, 10, POL) == ([], [])  # already taken
    assert store.claim(NOW + 100, 60, 10, POL, ids=[a.id]) == ([], [])
    claims, _ = store.claim(NOW + 100, 60, 10, {"fb": ChannelPolicy()})
    assert claims == []  # channel x not offered
    claims, _ = store.claim(NOW + 100, 60, 10, POL, ids=[b.id])
    assert [c.delivery.id for c in claims] == [b.id]
    assert claims[0].release.slug == "rilis-2" and claims[0].variant == variant("x")


def test_claim_sends_the_website_first(store: Store) -> None:
    rid = store.save_release(release())
    store.enqueue(rid, [variant("x"), variant("fb"), variant("site", "website")], None, NOW)
    claims, _ = store.claim(NOW, 60, 10, POL)
    assert [c.delivery.channel for c in claims] == ["site"]
    store.record_sent(claims[0].delivery.id, claims[0].token, Receipt("s", "https://site/s"), NOW)
    claims, _ = store.claim(NOW, 60, 10, POL)
    assert sorted(c.delivery.channel for c in claims) == ["fb", "x"]
    assert store.receipts(rid)["site"].url == "https://site/s"


def test_an_article_channel_of_another_kind_goes_first_too(store: Store) -> None:
    """WordPress publishes the article the social posts link to: its policy says so."""
    pol = {**POL, "wp": ChannelPolicy(article=True)}
    rid = store.save_release(release())
    store.enqueue(rid, [variant("x"), variant("fb"), variant("wp", "wordpress")], None, NOW)
    claims, _ = store.claim(NOW, 60, 10, pol)
    assert [c.delivery.channel for c in claims] == ["wp"]
    store.record_sent(claims[0].delivery.id, claims[0].token, Receipt("7", "https://kemensos.go.id/a/"), NOW)
    claims, _ = store.claim(NOW, 60, 10, pol)
    assert sorted(c.delivery.channel for c in claims) == ["fb", "x"]


def test_website_in_backoff_or_not_configured_does_not_block_others(store: Store) -> None:
    rid = store.save_release(release())
    store.enqueue(rid, [variant("x"), variant("site", "website")], None, NOW)
    claims, _ = store.claim(NOW, 60, 10, {"x": ChannelPolicy()})
    assert [c.delivery.channel for c in claims] == ["x"]


def test_min_interval_is_shared_per_channel(store: Store) -> None:
    pol = {"x": ChannelPolicy(min_interval=120)}
    ids = [store.enqueue(store.save_release(release(f"r{i}")), [variant("x")], None, NOW)[0].id
           for i in range(3)]
    claims, _ = store.claim(NOW, 60, 10, pol)
    assert [c.delivery.id for c in claims] == ids[:1]
    assert store.claim(NOW + 119, 60, 10, pol) == ([], [])
    claims, _ = store.claim(NOW + 120, 60, 10, pol)
    assert [c.delivery.id for c in claims] == ids[1:2]
    assert store.channel_slots()["x"] == NOW + 240


def test_deadline_fails_instead_of_sending_late(store: Store) -> None:
    rid = store.save_release(release())
    [d] = store.enqueue(rid, [variant("x")], NOW + 10, NOW)
    claims, expired = store.claim(NOW + 10 + 3601, 60, 10, {"x": ChannelPolicy(deadline_seconds=3600)})
    assert claims == [] and [e.id for e in expired] == [d.id]
    assert store.delivery(d.id).status == "failed" and store.delivery(d.id).error_kind == "deadline"


def test_lease_heartbeat_and_reaper(store: Store) -> None:
    rid = store.save_release(release())
    [d] = store.enqueue(rid, [variant("x")], None, NOW)
    [c], _ = store.claim(NOW, 60, 1, POL)
    assert store.extend_lease(d.id, c.token, NOW + 30, 60)  # now until NOW + 90
    assert not store.extend_lease(d.id, "someone-else", NOW + 30, 60)
    assert store.reap(NOW + 89) == []
    [r] = store.reap(NOW + 91)
    assert r.status == "unknown" and r.error_kind == "lease"
    assert not store.extend_lease(d.id, c.token, NOW + 92, 60)
    assert not store.record(d.id, c.token, "queued", NOW, error="x", error_kind="retry", count_attempt=True)
    assert store.delivery(d.id).status == "unknown"


def test_receipt_wins_even_after_the_lease_was_lost(store: Store) -> None:
    rid = store.save_release(release())
    [d] = store.enqueue(rid, [variant("x")], None, NOW)
    [c], _ = store.claim(NOW, 60, 1, POL)
    store.reap(NOW + 61)
    assert store.record_sent(d.id, c.token, Receipt("r1", "u1"), NOW + 62) == "sent_after_lease_lost"
    assert store.delivery(d.id).status == "sent"
    assert store.record_sent(d.id, c.token, Receipt("r2", "u2"), NOW + 63) == "duplicate"
    assert store.delivery(d.id).remote_id == "r1"
    assert "DUPLICATE" in store.events(delivery_id=d.id)[0]["detail"]


def test_settle_is_conditional_on_the_version_seen(store: Store) -> None:
    rid = store.save_release(release())
    [d] = store.enqueue(rid, [variant("x")], None, NOW)
    store.claim(NOW, 60, 1, POL)
    store.reap(NOW + 61)
    [u] = store.unknown(["x"])
    assert store.settle(d.id, u.version, NOW + 70, None, "not found")
    assert store.delivery(d.id).status == "queued"
    assert not store.settle(d.id, u.version, NOW + 71, Receipt("r", "u"), "stale")  # changed meanwhile


def test_operator_retry_cancel_resolve(store: Store) -> None:
    rid = store.save_release(release())
    x, fb = store.enqueue(rid, [variant("x"), variant("fb")], None, NOW)
    for c in store.claim(NOW, 60, 10, POL)[0]:
        store.record(c.delivery.id, c.token, "failed" if c.delivery.channel == "x" else "unknown", NOW,
                     error="nope", error_kind="permanent", count_attempt=True)
    with pytest.raises(InputError, match="resolve"):
        store.retry(fb.id, NOW)
    with pytest.raises(InputError, match="resolve"):
        store.cancel(fb.id, NOW)
    [r] = store.retry(None, NOW + 5, all_failed=True)
    assert (r.id, r.status, r.attempts, r.not_before) == (x.id, "queued", 0, NOW + 5)
    [cx] = store.cancel("rilis-1", NOW + 6)
    assert cx.id == x.id and cx.status == "cancelled"
    with pytest.raises(InputError, match="no release"):
        store.cancel("nope", NOW)
    with pytest.raises(InputError, match="no delivery"):
        store.resolve(12345, NOW, None)
    done = store.resolve(fb.id, NOW + 7, Receipt("123", "https://fb/123"))
    assert (done.status, done.url) == ("sent", "https://fb/123")
    with pytest.raises(InputError, match="not-sent"):
        store.resolve(fb.id, NOW, None)


def test_event_log_replays_to_the_current_state(store: Store) -> None:
    rid = store.save_release(release())
    store.enqueue(rid, [variant("x"), variant("fb"), variant("site", "website")], None, NOW)
    for c in store.claim(NOW, 60, 10, POL)[0]:
        store.record_sent(c.delivery.id, c.token, Receipt("s", "u"), NOW)
    for c in store.claim(NOW, 60, 10, POL)[0]:
        store.record(c.delivery.id, c.token, "queued", NOW, error="e", error_kind="retry",
                     count_attempt=True, not_before=NOW + 5)
    store.claim(NOW + 5, 60, 10, POL)
    store.reap(NOW + 100)
    for d in store.deliveries():
        events = list(reversed(store.events(delivery_id=d.id)))
        state = None
        for e in events:
            assert e["from_status"] == state
            state = e["to_status"]
        assert state == d.status
