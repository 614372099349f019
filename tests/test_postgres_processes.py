"""The engine under real processes on one real PostgreSQL log: the process tests of
tests/test_engine_processes.py, with each worker a separate "machine" whose clock is skewed
(an injected clock hours ahead or behind), to show that leases, heartbeats and the reaper run on
the database's clock. Crashes are real SIGKILLs at CROSSPOST_FAILPOINT; the stall is a real
SIGSTOP. The only waits are bounded polls (on the database's clock passing a lease)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fake_watch import in_the_platform_call
from pg_helpers import drop_schema, fresh_schema, pg_store, require_pg

from crosspost import audit
from crosspost.channels.fake import read_posts
from crosspost.models import Release, Variant
from crosspost.store import ChannelPolicy

REPO = Path(__file__).resolve().parents[1]
SKEWS = (-7200.0, -3600.0, -600.0, 0.0, 45.0, 600.0, 3600.0, 7200.0)  # seconds, one per machine
WORKER = """
import json, sys, time
from pathlib import Path
from crosspost.channels.fake import FakeChannel
from crosspost.deliver import Engine
from crosspost.store_postgres import PostgresStore

url, password, schema, base, workers, lease, latency, names, skew = sys.argv[1:10]

class SkewedClock:  # this machine's wall clock, off by `skew` seconds
    def now(self): return time.time() + float(skew)
    def sleep(self, s): time.sleep(max(0.0, s))

store = PostgresStore.open(url, password=password, schema=schema, clock="database")
channels = {n: FakeChannel.create(n, Path(base), latency=float(latency)) for n in names.split(",")}
engine = Engine(store, channels, SkewedClock(), lease_seconds=float(lease), workers=int(workers),
                settle_seconds=0)
report = engine.run_once()
print(json.dumps(dict(report.counts)))
"""


@pytest.fixture
def schema():
    require_pg()
    name = fresh_schema()
    yield name
    drop_schema(name)


def env() -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("CROSSPOST_")}
    e["PYTHONPATH"] = str(REPO)
    return e


def seed(schema: str, releases: int, channels: tuple[str, ...]):
    store = pg_store(schema, clock="database")
    for i in range(releases):
        rid = store.save_release(Release(slug=f"rilis-{i:05d}", title=f"Rilis {i}", body="Isi.",
                                         date=datetime(2026, 11, 20, tzinfo=UTC)))
        store.enqueue(rid, [Variant(channel=c, kind="fake", text=f"rilis {i} {c}") for c in channels],
                      None, time.time())
    return store


def spawn(tmp: Path, schema: str, *, workers=2, lease=300.0, latency=0.0, names="fake", skew=0.0,
          failpoint: str | None = None) -> subprocess.Popen:
    script = tmp / "worker.py"
    if not script.exists():
        (tmp / "worker.py.tmp").write_text(WORKER)
        (tmp / "worker.py.tmp").replace(script)
    url, password = require_pg()
    e = env()
    if failpoint:
        e["CROSSPOST_FAILPOINT"] = failpoint
    return subprocess.Popen([sys.executable, str(script), url, password, schema, str(tmp), str(workers),
                             str(lease), str(latency), names, str(skew)], env=e, cwd=tmp,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def assert_exactly_once(store, tmp: Path, expected: int) -> None:
    posts = read_posts(tmp / "fake-posts.jsonl")
    rows = store.deliveries()
    assert len(rows) == expected
    assert {d.status for d in rows} == {"sent"}, "none left in flight, none lost"
    assert len(posts) == expected and len({p["marker"] for p in posts}) == expected, "each posted once"
    by_marker = {p["marker"]: p["id"] for p in posts}
    assert all(by_marker[f"{d.release_slug}@{d.channel}"] == d.remote_id for d in rows)
    check = audit.verify(store)
    assert check.ok, check.problem  # one chain across every worker, no gap in the event ids


def wait_for(predicate, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.02)


def test_eight_machines_with_skewed_clocks_drain_the_queue_exactly_once(tmp_path: Path, schema) -> None:
    store = seed(schema, 500, ("a", "b"))
    procs = [spawn(tmp_path, schema, workers=2, names="a,b", skew=s) for s in SKEWS]
    sent = 0
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
        sent += json.loads(out.splitlines()[-1]).get("sent", 0)
    assert sent == 1000
    assert_exactly_once(store, tmp_path, 1000)
    # every lease was written on the database's clock, whatever the machine's clock said
    lo, hi = store._conn.execute("SELECT MIN(at), MAX(at) FROM events").fetchone()
    assert hi - lo < 600 and abs(hi - time.time()) < 120
    store.close()


CRASH_POINTS = [
    ("after_claim", "sending", 0, "requeued"),
    ("after_sending", "sending", 0, "requeued"),
    ("after_accept", "sending", 1, "reconciled"),
    ("after_record", "sent", 1, None),
]


@pytest.mark.parametrize("point,status,posted,settled_by", CRASH_POINTS)
def test_kill_9_at_each_crash_point(tmp_path: Path, schema, point, status, posted, settled_by) -> None:
    store = seed(schema, 1, ("fake",))
    p = spawn(tmp_path, schema, failpoint=point, lease=1.0, skew=3600.0)  # a fast machine dies
    p.communicate(timeout=60)
    assert p.returncode == -signal.SIGKILL
    [d] = store.deliveries()
    assert d.status == status and len(read_posts(tmp_path / "fake-posts.jsonl")) == posted
    until = store._conn.execute("SELECT lease_until FROM deliveries").fetchone()[0]
    if until is not None:  # its lease ends on the database's clock, not an hour from now
        assert until < store.db_now() + 5
        wait_for(lambda: store.db_now() > until + 0.05)
    # a slow machine takes over: reaps (unknown), looks up (no post), sends exactly once
    q = spawn(tmp_path, schema, skew=-3600.0)
    out, err = q.communicate(timeout=60)
    assert q.returncode == 0, err
    counts = json.loads(out.splitlines()[-1])
    if settled_by:
        assert counts.get("reaped") == 1 and counts.get(settled_by) == 1, counts
    [d] = store.deliveries()
    posts = read_posts(tmp_path / "fake-posts.jsonl")
    assert d.status == "sent" and len(posts) == 1 and d.remote_id == posts[0]["id"] == "fake-1"
    assert audit.verify(store).ok
    store.close()


def test_machine_stopped_past_its_lease_does_not_send_when_resumed(tmp_path: Path, schema) -> None:
    store = seed(schema, 1, ("fake",))
    p = spawn(tmp_path, schema, lease=2.0, latency=3.0, skew=7200.0)  # its clock is 2 hours fast
    try:
        wait_for(lambda: store.deliveries()[0].status == "sending")
        wait_for(lambda: in_the_platform_call(tmp_path))  # not holding the fake's lock (fake_watch)
        os.kill(p.pid, signal.SIGSTOP)
        until = store._conn.execute("SELECT lease_until FROM deliveries").fetchone()[0]
        assert until < store.db_now() + 5  # not two hours from now
        wait_for(lambda: store.db_now() > until + 0.05)
        q = spawn(tmp_path, schema, skew=-7200.0)  # another machine, 2 hours slow, takes over
        out, err = q.communicate(timeout=60)
        assert q.returncode == 0, err
        counts = json.loads(out.splitlines()[-1])
        assert counts.get("reaped") == 1 and counts.get("sent") == 1, counts
    finally:
        os.kill(p.pid, signal.SIGCONT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 0, err
    assert json.loads(out.splitlines()[-1]) == {"lease_lost": 1}
    [d] = store.deliveries()
    assert d.status == "sent" and len(read_posts(tmp_path / "fake-posts.jsonl")) == 1
    assert audit.verify(store).ok
    store.close()


def test_a_fast_clock_cannot_reap_a_live_lease(schema) -> None:
    """In one process: a worker whose clock is two hours ahead reaps nothing, and the lease it
    writes is on the database's clock (with the caller's clock it would last two hours)."""
    store = seed(schema, 1, ("fake",))
    [c], _ = store.claim(time.time() + 7200, 60, 1, {"fake": ChannelPolicy()})
    assert abs(c.lease_until - (store.db_now() + 60)) < 5
    assert store.reap(time.time() + 7200) == []
    assert store.extend_lease(c.delivery.id, c.token, time.time() - 7200, 60)
    assert store.delivery(c.delivery.id).status == "sending"
    store.close()


def test_watch_wakes_on_notify(schema) -> None:
    store = seed(schema, 0, ())
    other = pg_store(schema, clock="database")
    try:
        assert store.wait_for_work(0.05) is False  # starts listening; nothing queued
        rid = other.save_release(Release(slug="baru", title="Baru", body="Isi.",
                                         date=datetime(2026, 11, 20, tzinfo=UTC)))
        other.enqueue(rid, [Variant(channel="fake", kind="fake", text="t")], None, time.time())
        assert store.wait_for_work(10.0) is True
    finally:
        other.close()
        store.close()
