"""The engine under real processes on one real SQLite file: no double sends, no lost posts.

Workers are separate Python processes (``WORKER`` below, or the real CLI); crashes are real
SIGKILLs fired by CROSSPOST_FAILPOINT (see crosspost.deliver); the stall is a real SIGSTOP.
The only waits are bounded polls on subprocesses.
"""

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

from crosspost.channels.fake import FakeChannel, read_posts
from crosspost.clock import FakeClock, SystemClock
from crosspost.deliver import Engine
from crosspost.models import Release, Variant
from crosspost.store import Store

REPO = Path(__file__).resolve().parents[1]
WORKER = """
import json, sys
from pathlib import Path
from crosspost.channels.fake import FakeChannel
from crosspost.clock import SystemClock
from crosspost.deliver import Engine
from crosspost.store import Store

db, base, workers, lease, latency, names = sys.argv[1:7]
store = Store.open(Path(db))
channels = {n: FakeChannel.create(n, Path(base), latency=float(latency)) for n in names.split(",")}
report = Engine(store, channels, SystemClock(), lease_seconds=float(lease), workers=int(workers)).run_once()
print(json.dumps(dict(report.counts)))
"""


def env() -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("CROSSPOST_")}
    e["PYTHONPATH"] = str(REPO)
    return e


def seed(db: Path, releases: int, channels: tuple[str, ...]) -> Store:
    store = Store.open(db)
    now = time.time()
    for i in range(releases):
        rid = store.save_release(Release(slug=f"rilis-{i:05d}", title=f"Rilis {i}", body="Isi.",
                                         date=datetime(2026, 11, 20, tzinfo=UTC)), now)
        variants = [Variant(channel=c, kind="fake", text=f"rilis {i} {c}") for c in channels]
        store.enqueue(rid, variants, None, now)
    return store


def spawn(tmp: Path, *, workers=2, lease=300.0, latency=0.0, names="fake", failpoint: str | None = None
          ) -> subprocess.Popen:
    script = tmp / "worker.py"
    if not script.exists():  # written once: rewriting it races with workers still starting up
        partial = tmp / "worker.py.tmp"
        partial.write_text(WORKER)
        partial.replace(script)
    e = env()
    if failpoint:
        e["CROSSPOST_FAILPOINT"] = failpoint
    return subprocess.Popen([sys.executable, str(script), str(tmp / "log.db"), str(tmp), str(workers),
                             str(lease), str(latency), names], env=e, cwd=tmp,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def assert_exactly_once(store: Store, tmp: Path, expected: int) -> None:
    posts = read_posts(tmp / "fake-posts.jsonl")
    rows = store.deliveries()
    assert len(rows) == expected
    assert {d.status for d in rows} == {"sent"}, "none left in flight, none lost"
    assert len(posts) == expected, "each delivery posted exactly once"
    assert len({p["marker"] for p in posts}) == expected
    by_marker = {p["marker"]: p["id"] for p in posts}
    assert all(by_marker[f"{d.release_slug}@{d.channel}"] == d.remote_id for d in rows)
    assert store.integrity_check() == "ok"


# 8 processes x 2,000 deliveries (1,000 releases x 2 channels) takes ~15 s on 2 cores.
def test_worker_processes_drain_the_queue_exactly_once(tmp_path: Path) -> None:
    store = seed(tmp_path / "log.db", 1000, ("a", "b"))
    procs = [spawn(tmp_path, workers=2, names="a,b") for _ in range(8)]
    sent = 0
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        sent += json.loads(out.splitlines()[-1]).get("sent", 0)
    assert sent == 2000
    assert_exactly_once(store, tmp_path, 2000)


CRASH_POINTS = [
    # failpoint, status right after the crash, posts on the platform, how the next run settles it
    ("after_claim", "sending", 0, "requeued"),
    ("after_sending", "sending", 0, "requeued"),
    ("after_accept", "sending", 1, "reconciled"),
    ("after_record", "sent", 1, None),
]


@pytest.mark.parametrize("point,status,posted,settled_by", CRASH_POINTS)
def test_kill_9_at_each_crash_point(tmp_path: Path, point, status, posted, settled_by) -> None:
    store = seed(tmp_path / "log.db", 1, ("fake",))
    p = spawn(tmp_path, failpoint=point)
    p.communicate(timeout=60)
    assert p.returncode == -signal.SIGKILL
    [d] = store.deliveries()
    assert d.status == status and len(read_posts(tmp_path / "fake-posts.jsonl")) == posted
    assert store.integrity_check() == "ok"
    # Later: a run after the lease ran out. A crash before the call may not be re-sent blindly
    # either: it becomes unknown, the lookup proves there is no post, and only then it is sent.
    clock = FakeClock(time.time() + 301)
    engine = Engine(store, {"fake": FakeChannel.create("fake", tmp_path)}, clock, settle_seconds=0)
    reaped = engine.reap()
    if settled_by:
        assert [r.status for r in reaped] == ["unknown"]
        report = engine.run_once()
        assert report.counts[settled_by] == 1
    [d] = store.deliveries()
    posts = read_posts(tmp_path / "fake-posts.jsonl")
    assert d.status == "sent" and len(posts) == 1 and d.remote_id == posts[0]["id"] == "fake-1"
    assert store.integrity_check() == "ok"


def wait_for(predicate, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, "timed out waiting for the worker"
        time.sleep(0.02)


def test_worker_paused_past_its_lease_does_not_send_when_resumed(tmp_path: Path) -> None:
    store = seed(tmp_path / "log.db", 1, ("fake",))
    p = spawn(tmp_path, lease=2.0, latency=3.0)
    try:
        wait_for(lambda: store.deliveries()[0].status == "sending")
        # Stop it inside the platform call (the fake counted the call and sleeps `latency`), not
        # while it holds SQLite's write lock for its heartbeat, nor the fake platform's own lock
        # (it writes the counter under that lock): either would block the other run, the second
        # for ever. The counter moved and the lock is free: the worker is in its sleep.
        wait_for(lambda: in_the_platform_call(tmp_path))
        os.kill(p.pid, signal.SIGSTOP)
        lease_until = store._conn.execute("SELECT lease_until FROM deliveries").fetchone()[0]
        wait_for(lambda: time.time() > lease_until + 0.05)
        # Another run takes over: reaps (unknown), looks up (no post), re-sends once.
        fake = FakeChannel.create("fake", tmp_path)
        engine = Engine(store, {"fake": fake}, SystemClock(), settle_seconds=0)
        report = engine.run_once()
        assert report.counts["reaped"] == 1 and report.counts["sent"] == 1
    finally:
        os.kill(p.pid, signal.SIGCONT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 0, err
    assert json.loads(out.splitlines()[-1]) == {"lease_lost": 1}
    [d] = store.deliveries()
    assert d.status == "sent" and len(read_posts(tmp_path / "fake-posts.jsonl")) == 1
    assert store.integrity_check() == "ok"


def cli(tmp: Path, *args: str, timeout: float = 120) -> subprocess.Popen:
    command = [sys.executable, "-m", "crosspost", *args, "--config", str(tmp / "channels.toml")]
    return subprocess.Popen(command,
                            env={**env(), "CROSSPOST_STATE_DIR": str(tmp / "state"), "NO_COLOR": "1"},
                            cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def write_config(tmp: Path, extra: str = "") -> None:
    (tmp / "channels.toml").write_text(f'database = "log.db"\n[channels.fake]\ntype = "fake"\n{extra}')


def test_overlapping_cli_runs_cooperate(tmp_path: Path) -> None:
    write_config(tmp_path)
    store = seed(tmp_path / "log.db", 400, ("fake",))
    procs = [cli(tmp_path, "run", "--once", "--json", "--workers", "2") for _ in range(5)]
    sent = 0
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode in (0, 4), err  # all sent, or nothing left for this one
        lines = [json.loads(line) for line in out.splitlines()]
        assert lines[-1]["exit"] == p.returncode
        sent += sum(1 for line in lines if line.get("event") == "sent")
    assert sent == 400
    assert_exactly_once(store, tmp_path, 400)
    p = cli(tmp_path, "run", "--once")
    out, _ = p.communicate(timeout=60)
    assert p.returncode == 4 and "nothing due" in out


def test_operator_commands(tmp_path: Path) -> None:
    write_config(tmp_path, 'script = ["timeout_after_send", "rejected"]\n')
    store = seed(tmp_path / "log.db", 2, ("fake",))
    a, b = store.deliveries()

    def run(*args: str) -> tuple[int, str, str]:
        p = cli(tmp_path, *args)
        out, err = p.communicate(timeout=60)
        return p.returncode, out, err

    code, out, err = run("run", "--once", "--workers", "1")
    assert code == 1 and "unknown" in err and "failed" in err
    # one worker, oldest first: a times out after sending (unknown), b is rejected (failed)
    unknown, failed = store.delivery(a.id), store.delivery(b.id)
    assert (unknown.status, failed.status) == ("unknown", "failed")
    code, out, _ = run("queue", "--json")
    assert code == 0 and [d["id"] for d in json.loads(out)] == [unknown.id]
    code, _, err = run("resolve", str(unknown.id))
    assert code == 2 and "--sent URL or --not-sent" in err
    code, _, _ = run("resolve", str(unknown.id), "--sent", "https://fake.example/posts/fake-1",
                     "--remote-id", "fake-1")
    assert code == 0 and store.delivery(unknown.id).status == "sent"
    assert store.delivery(unknown.id).remote_id == "fake-1"
    code, _, err = run("retry", str(unknown.id))
    assert code == 2 and "only failed" in err
    code, _, _ = run("retry", "--failed")
    assert code == 0 and store.delivery(failed.id).status == "queued"
    code, _, _ = run("cancel", failed.release_slug)
    assert code == 0 and store.delivery(failed.id).status == "cancelled"
    code, out, _ = run("run", "--once")
    assert code == 4 and len(read_posts(tmp_path / "fake-posts.jsonl")) == 1
