"""The inbox and metrics part of the store contract (runs against every store in
conftest.STORE_FACTORIES): replies stored once, cursors, handling, purge, snapshots, counts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crosspost.errors import InputError
from crosspost.models import Receipt, Release, Variant
from crosspost.store import SCHEMA_VERSION, Store

NOW = 1_800_000_000.0
DAY = 86400.0


def sent_post(store: Store, slug: str = "rilis-1", channel: str = "x", when: float = NOW) -> int:
    rid = store.save_release(Release(slug=slug, title=f"Judul {slug}", body="Isi.",
                                     date=datetime(2026, 11, 20, tzinfo=UTC)), now=when)
    (d,) = store.enqueue(rid, [Variant(channel=channel, kind="fake", text="teks")], None, when)
    store.resolve(d.id, when, Receipt(f"{channel}-{d.id}", f"https://example.test/{channel}/{d.id}"))
    return d.id


def reply(pid: str, created: float, kind: str = "aduan", **kw) -> dict:
    return {"platform_id": pid, "author": kw.pop("author", "Warga"), "text": kw.pop("text", "belum cair"),
            "created_at": created, "kind": kind, **kw}


def test_the_migration_is_the_last_one(store: Store) -> None:
    latest = SCHEMA_VERSION
    if getattr(store, "schema", None):  # PostgreSQL numbers its own migrations (PG_MIGRATIONS)
        from crosspost.store_postgres import PG_SCHEMA_VERSION

        latest = PG_SCHEMA_VERSION
    assert store.schema_version == latest


def test_a_reply_is_stored_once_and_its_handling_survives_a_refetch(store: Store) -> None:
    d = sent_post(store)
    assert store.save_replies(d, "fake", [reply("c1", NOW + 10), reply("c2", NOW + 20, "lainnya")],
                              NOW + 30, cursor="c2") == 2
    done = store.mark_reply_done(store.replies()[-1]["id"], "Rina", NOW + 40, note="sudah ditelepon")
    assert (done["handled_by"], done["handled_note"]) == ("Rina", "sudah ditelepon")
    assert done["platform_id"] == "c1"
    assert store.save_replies(d, "fake", [reply("c1", NOW + 10, text="diubah"), reply("c3", NOW + 50)],
                              NOW + 60) == 1
    rows = store.replies()
    assert [r["platform_id"] for r in rows] == ["c3", "c2", "c1"]  # newest first
    assert rows[2]["handled_by"] == "Rina" and rows[2]["text"] == "belum cair"
    assert rows[0]["post_url"] == f"https://example.test/x/{d}" and rows[0]["release"] == "rilis-1"
    (target,) = store.engagement_targets(NOW - DAY)
    assert (target["newest_at"], target["cursor"], target["gone"]) == (NOW + 50, "c2", False)
    assert target["receipt"].remote_id == f"x-{d}"
    events = [e for e in store.events() if "inbox" in (e["detail"] or "")]
    assert events[0]["actor"] == "Rina" and "Warga" not in events[0]["detail"]


def test_the_same_id_on_two_platforms_is_two_replies(store: Store) -> None:
    a, b = sent_post(store, "a", "x"), sent_post(store, "b", "fb")
    store.save_replies(a, "twitter", [reply("1", NOW)], NOW)
    store.save_replies(b, "facebook", [reply("1", NOW)], NOW)
    assert len(store.replies()) == 2


def test_filters(store: Store) -> None:
    a, b = sent_post(store, "a", "x"), sent_post(store, "b", "fb")
    store.save_replies(a, "twitter", [reply("1", NOW, "aduan"), reply("2", NOW + 5, "pertanyaan")], NOW)
    store.save_replies(b, "facebook", [reply("3", NOW + 9, "lainnya")], NOW)
    assert [r["platform_id"] for r in store.replies(kinds=["aduan"])] == ["1"]
    assert [r["platform_id"] for r in store.replies(release="b")] == ["3"]
    assert [r["platform_id"] for r in store.replies(channel="x")] == ["2", "1"]
    assert [r["platform_id"] for r in store.replies(since=NOW + 5)] == ["3", "2"]
    store.mark_reply_done(store.replies(kinds=["aduan"])[0]["id"], "Budi", NOW + 99)
    assert [r["platform_id"] for r in store.replies(open_only=True)] == ["3", "2"]
    assert store.inbox_counts([1, 2]) == {1: {"replies": 2, "handled": 1, "aduan": 1, "pertanyaan": 1},
                                          2: {"replies": 1, "handled": 0, "lainnya": 1}}


def test_window_gone_and_cursor(store: Store) -> None:
    old, new = sent_post(store, "lama", when=NOW - 20 * DAY), sent_post(store, "baru", when=NOW)
    assert [t["delivery_id"] for t in store.engagement_targets(NOW - 14 * DAY)] == [new]
    assert [t["delivery_id"] for t in store.engagement_targets(NOW - 30 * DAY, ["x"])] == [old, new]
    assert store.engagement_targets(NOW - 30 * DAY, ["fb"]) == []
    store.save_replies(new, "fake", [], NOW, note="deleted", gone=True)
    store.save_replies(new, "fake", [], NOW + 1, note=None)  # gone stays gone
    assert store.engagement_targets(NOW - DAY)[0]["gone"] is True


def test_done_on_a_missing_reply_is_an_input_error(store: Store) -> None:
    with pytest.raises(InputError):
        store.mark_reply_done(404, "Rina", NOW)


def test_purge_deletes_only_old_replies_and_logs_a_count(store: Store) -> None:
    d = sent_post(store)
    store.save_replies(d, "fake", [reply("old", NOW - 400 * DAY, author="Siti"), reply("new", NOW)], NOW)
    assert store.purge_replies(NOW - 365 * DAY, NOW) == 1
    assert [r["platform_id"] for r in store.replies()] == ["new"]
    assert store.purge_replies(NOW - 365 * DAY, NOW) == 0
    purges = [e for e in store.events() if "purged" in (e["detail"] or "")]
    assert len(purges) == 1 and "Siti" not in purges[0]["detail"]


def test_metric_snapshots_and_the_report_read(store: Store) -> None:
    d = sent_post(store)
    store.save_metrics([(d, {"views": 10.0})], NOW + DAY)
    store.save_metrics([(d, {"views": 25.0, "likes": 3.0})], NOW + 7 * DAY)
    snapshots = [s["metrics"] for s in store.metric_snapshots(d)]
    assert snapshots == [{"views": 10.0}, {"views": 25.0, "likes": 3.0}]
    store.save_replies(d, "fake", [reply("a", NOW + 60), reply("q", NOW + 70, "pertanyaan")], NOW)
    store.mark_reply_done(store.replies(kinds=["aduan"])[0]["id"], "Rina", NOW + 3660)
    (post,) = store.engagement_posts(NOW - 1, NOW + 1)
    assert (post["replies"], post["aduan"], post["pertanyaan"]) == (2, 1, 1)
    assert post["metrics_json"] == '{"likes": 3.0, "views": 25.0}'
    assert [r["seconds"] for r in store.handling_times(NOW - 1, NOW + 1)] == [3600.0]


def test_the_cursor_only_moves_forward(store: Store) -> None:
    d = sent_post(store)
    store.save_replies(d, "fake", [reply("n", NOW + 50)], NOW + 60, cursor="m1")
    store.save_replies(d, "fake", [reply("o", NOW + 5)], NOW + 70)  # an older reply found late
    store.save_replies(d, "fake", [], NOW + 80, cursor=None)
    (target,) = store.engagement_targets(NOW - DAY)
    assert (target["newest_at"], target["cursor"], target["gone"]) == (NOW + 50, "m1", False)
    assert store.save_replies(d, "fake", [reply("n", NOW + 50), reply("n", NOW + 50)], NOW + 90) == 0


def test_the_latest_snapshot_is_the_last_one_listed(store: Store) -> None:
    a, b = sent_post(store, "a", "x"), sent_post(store, "b", "fb", when=NOW + 1)
    store.save_metrics([(a, {"views": 1.0}), (b, {"views": 7.0})], NOW + DAY)
    store.save_metrics([(a, {"views": 2.0})], NOW + DAY)  # the same time: the later row wins
    store.save_metrics([(a, {"views": 0.5})], NOW + 0.5 * DAY)  # an older time stored later
    posts = store.engagement_posts(NOW - 1, NOW + 2)
    assert [(p["delivery_id"], p["metrics_json"], p["measured_at"]) for p in posts] == [
        (a, '{"views": 2.0}', NOW + DAY), (b, '{"views": 7.0}', NOW + DAY)]
    assert store.metric_snapshots(a)[-1]["metrics"] == {"views": 2.0}


def test_an_office_of_a_shared_log_reads_and_purges_only_its_own_replies(store: Store) -> None:
    """Replies are personal data: on a log two offices share ([office] id), each sees, handles,
    purges and counts only the replies on its own posts; a supervisor (--all-offices) sees both."""
    store.office = "humas-kemensos"
    mine = sent_post(store, "rilis-pusat", "fb")
    store.save_replies(mine, "fake", [reply("p1", NOW + 10), reply("p2", NOW + 20)], NOW + 30)
    store.office = "dinsos-bekasi"
    theirs = sent_post(store, "rilis-bekasi", "fb")
    store.save_replies(theirs, "fake", [reply("b1", NOW + 10)], NOW + 30)
    store.save_metrics([(mine, {"views": 5.0}), (theirs, {"views": 7.0})], NOW + 40)
    (b1,) = store.replies()
    assert b1["platform_id"] == "b1"
    assert [t["delivery_id"] for t in store.engagement_targets(NOW - DAY)] == [theirs]

    store.office = "humas-kemensos"
    assert sorted(r["platform_id"] for r in store.replies()) == ["p1", "p2"]
    assert store.reply(b1["id"]) is None
    with pytest.raises(InputError):
        store.mark_reply_done(b1["id"], "Rina", NOW + 50)
    assert [t["delivery_id"] for t in store.engagement_targets(NOW - DAY)] == [mine]
    assert [p["delivery_id"] for p in store.engagement_posts(NOW - DAY, NOW + DAY)] == [mine]
    counts = store.engagement_counts(NOW - DAY, NOW + DAY)
    assert sum(g["n"] for g in counts["groups"]) == 1 and counts["releases"] == {"rilis-pusat": 1}
    store.mark_reply_done(store.replies()[0]["id"], "Rina", NOW + 60)
    assert len(store.handling_times(NOW - DAY, NOW + DAY)) == 1
    assert store.purge_replies(NOW + DAY, NOW + 70) == 2  # its own two, not Bekasi's

    store.all_offices = True
    assert [r["platform_id"] for r in store.replies()] == ["b1"]
