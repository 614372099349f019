"""A clock that was 2 hours fast must not strand work: min_interval slots, re-queued deliveries
and leases written in the future are clamped when work is claimed (or reaped), a slot never
blocks for longer than its interval, a schedule the office chose is kept, and doctor says so."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from crosspost.channels.fake import FakeChannel, read_posts
from crosspost.clock import FakeClock
from crosspost.deliver import Engine
from crosspost.models import Release, Variant
from crosspost.store import ChannelPolicy, Store

T = 1_800_000_000.0
FAST = 2 * 3600.0


def _enqueue(store: Store, slug: str, now: float, not_before: float | None = None) -> int:
    release = Release(slug=slug, title=slug, body="Isi.", date=datetime(2026, 11, 20, tzinfo=UTC))
    rid = store.save_release(release, now)
    [d] = store.enqueue(rid, [Variant(channel="fake", kind="fake", text=slug)], not_before, now)
    return d.id


def _engine(store: Store, tmp: Path, clock: FakeClock, **settings) -> Engine:
    return Engine(store, {"fake": FakeChannel.create("fake", tmp, **settings)}, clock, settle_seconds=0)


def test_a_min_interval_slot_from_a_fast_clock_blocks_no_longer_than_the_interval(tmp_path):
    store = Store.open(tmp_path / "log.db")
    _enqueue(store, "satu", T + FAST)
    assert _engine(store, tmp_path, FakeClock(T + FAST), min_interval=60).run_once().counts["sent"] == 1
    assert store.channel_slots()["fake"] == T + FAST + 60
    did = _enqueue(store, "dua", T)
    clock = FakeClock(T)  # the clock is right again
    engine = _engine(store, tmp_path, clock, min_interval=60)
    assert engine.run_once().counts["sent"] == 0  # the interval is still honoured...
    assert store.channel_slots()["fake"] == T + 60
    clock.advance(61)
    assert engine.run_once().counts["sent"] == 1  # ...but not two hours of it
    assert store.delivery(did).status == "sent"


def test_a_requeue_from_a_fast_clock_is_due_after_its_backoff_not_two_hours_later(tmp_path):
    store = Store.open(tmp_path / "log.db")
    did = _enqueue(store, "satu", T + FAST)
    fast = _engine(store, tmp_path, FakeClock(T + FAST), script=("refused",), backoff_base=30, backoff_max=30)
    assert fast.run_once().counts["retry"] == 1
    requeued = store.delivery(did).not_before
    assert T + FAST <= requeued <= T + FAST + 30
    clock = FakeClock(T)  # right again: the first claim moves the wait back by the skew
    engine = _engine(store, tmp_path, clock)
    engine.run_once()
    assert T <= store.delivery(did).not_before <= T + 30
    clock.advance(31)
    engine.run_once()
    assert store.delivery(did).status == "sent" and len(read_posts(tmp_path / "fake-posts.jsonl")) == 1
    assert any("written by a clock 7" in e["detail"] for e in store.events(delivery_id=did))


def test_a_lease_from_a_fast_clock_expires_within_a_lease(tmp_path):
    store = Store.open(tmp_path / "log.db")
    did = _enqueue(store, "satu", T + FAST)
    [claim], _ = store.claim(T + FAST, 300, 1, {"fake": ChannelPolicy()})  # then the worker died
    assert claim.lease_until == T + FAST + 300
    assert store.reap(T) == []  # not expired yet: it may still be working...
    [reaped] = store.reap(T + 301)  # ...but not for 2 hours and 5 minutes
    assert reaped.id == did and reaped.status == "unknown"  # never queued blindly


def test_a_schedule_the_office_chose_is_not_moved_earlier(tmp_path):
    store = Store.open(tmp_path / "log.db")
    at = T + 3 * 3600.0  # "publish --at 12:00", typed on a machine whose clock was fast
    did = _enqueue(store, "satu", T + FAST, not_before=at)
    engine = _engine(store, tmp_path, FakeClock(T))
    assert engine.run_once().counts["sent"] == 0
    assert store.delivery(did).not_before == at
    engine.clock.set(at)
    assert engine.run_once().counts["sent"] == 1


def test_doctor_reports_times_from_a_fast_clock(cli):
    store = Store.open(cli.cwd / "log.db")
    _enqueue(store, "satu", time.time() + FAST)
    store.close()
    proc = cli("doctor", "--offline")
    [line] = [x for x in proc.stdout.splitlines() if x.split()[1:2] == ["clock:"]]
    assert line.startswith("warn") and "2.0 h ahead" in line and "NTP" in line
    assert Store.open(cli.cwd / "log.db").clock_skew(time.time() + FAST) is None


def _scans(store: Store, action) -> int:
    """How many times ``action`` read the waiting rows for future-dated times."""
    seen: list[str] = []
    store._conn.set_trace_callback(seen.append)
    try:
        action()
    finally:
        store._conn.set_trace_callback(None)
    return sum("status IN ('queued', 'sending') AND updated_at >" in sql for sql in seen)


def test_clamping_reads_the_waiting_rows_again_only_after_a_new_future_write(tmp_path):
    """The newest event stays two hours ahead after a fast clock wrote: claims in those hours look
    at the waiting rows once, then again only when something new was written in the future, which
    is then clamped as the first was (queued by the fast clock, due at once by the right one)."""
    store = Store.open(tmp_path / "log.db")
    first = _enqueue(store, "satu", T + FAST)
    policies = {"fake": ChannelPolicy()}
    claimed: list = []
    assert _scans(store, lambda: claimed.extend(store.claim(T, 300, 1, policies)[0])) == 1
    assert [c.delivery.id for c in claimed] == [first]  # due at T: moved back from T + 2 h
    assert _scans(store, lambda: store.claim(T + 1, 300, 1, policies)) == 0  # nothing new ahead
    second = _enqueue(store, "dua", T + FAST)  # the fast machine again
    claimed.clear()
    assert _scans(store, lambda: claimed.extend(store.claim(T + 2, 300, 1, policies)[0])) == 1
    assert [c.delivery.id for c in claimed] == [second]
    store.close()


def test_a_clamping_pass_that_rolled_back_is_done_again(tmp_path, monkeypatch):
    store = Store.open(tmp_path / "log.db")
    did = _enqueue(store, "satu", T + FAST)
    policies = {"fake": ChannelPolicy()}

    def broken(*args, **kwargs):
        raise RuntimeError("disk gone mid-claim")

    with monkeypatch.context() as m:
        m.setattr(Store, "_clamped_slots", staticmethod(broken))  # after the clamp, in its transaction
        try:
            store.claim(T, 300, 1, policies)
        except RuntimeError:
            pass
    assert store.delivery(did).not_before == T + FAST  # the clamp rolled back with the claim
    claimed: list = []
    assert _scans(store, lambda: claimed.extend(store.claim(T + 1, 300, 1, policies)[0])) == 1
    assert [c.delivery.id for c in claimed] == [did]
    store.close()
