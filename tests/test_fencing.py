"""Fencing for stopped workers: a claim carries a fencing number, the store refuses to record a
result over a later claim, an expired `sending` becomes `unknown` (never `queued`), and the one
window no check can close (after the last lease check, before the request reaches the platform)
ends in a duplicate that `run`, `status` and `doctor` report with exit 1."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from crosspost.channels.fake import FakeChannel, read_posts
from crosspost.clock import FakeClock
from crosspost.deliver import Engine
from crosspost.models import Receipt, Release, Variant
from crosspost.store import ChannelPolicy, Store

REPO = Path(__file__).resolve().parents[1]
POLICY = {"fake": ChannelPolicy()}
T0 = 1_800_000_000.0


def _store(tmp_path: Path) -> tuple[Store, int]:
    store = Store.open(tmp_path / "log.db")
    rid = store.save_release(Release(slug="rilis", title="Rilis", body="Isi.",
                                     date=datetime(2026, 11, 20, tzinfo=UTC)), T0)
    [d] = store.enqueue(rid, [Variant(channel="fake", kind="fake", text="teks")], None, T0)
    return store, d.id


def _take_over(store: Store, did: int):
    """Worker A's claim, its lease running out, the reap (unknown), a lookup that finds nothing
    (queued again), and worker B's claim."""
    [a], _ = store.claim(T0, 60, 1, POLICY)
    [reaped] = store.reap(T0 + 61)
    assert reaped.status == "unknown"  # an expired sending is never queued blindly
    [u] = store.unknown(["fake"])
    assert store.settle(did, u.version, T0 + 62, None, "lookup: no such post")
    [b], _ = store.claim(T0 + 63, 60, 1, POLICY)
    assert b.fence == a.fence + 1 and b.token != a.token
    return a, b


def test_a_superseded_claim_cannot_record_a_failure(tmp_path):
    store, did = _store(tmp_path)
    a, b = _take_over(store, did)
    assert not store.record(did, a.token, "failed", T0 + 64, error="x", error_kind="permanent",
                            count_attempt=True)
    assert not store.record(did, a.token, "queued", T0 + 64, error="lease expired before sending",
                            error_kind="lease", count_attempt=False)
    assert not store.extend_lease(did, a.token, T0 + 64, 60)
    assert store.delivery(did).status == "sending"


def test_a_superseded_post_is_logged_not_recorded_and_counts_as_a_duplicate(tmp_path):
    store, did = _store(tmp_path)
    a, b = _take_over(store, did)
    assert store.record_sent(did, a.token, Receipt("post-a", "https://x/a"), T0 + 64) == "superseded"
    d = store.delivery(did)
    assert d.status == "sending" and d.remote_id is None  # B's claim is untouched
    assert store.record_sent(did, b.token, Receipt("post-b", "https://x/b"), T0 + 65) == "sent"
    assert store.delivery(did).remote_id == "post-b"
    [dup] = store.duplicates()
    assert (dup["id"], dup["posts"], dup["channel"]) == (did, 2, "fake")


def test_a_late_post_after_the_later_claim_gave_up_is_unknown_not_lost(tmp_path):
    store, did = _store(tmp_path)
    a, b = _take_over(store, did)
    assert store.record(did, b.token, "queued", T0 + 64, error="refused", error_kind="retry",
                        count_attempt=True, not_before=T0 + 90)
    assert store.record_sent(did, a.token, Receipt("post-a", "https://x/a"), T0 + 65) == "superseded"
    d = store.delivery(did)
    assert d.status == "unknown" and "post-a" in d.last_error  # not sent again blindly
    assert store.duplicates() == []


def test_an_expired_lease_nobody_took_over_still_records_its_post(tmp_path):
    store, did = _store(tmp_path)
    [a], _ = store.claim(T0, 60, 1, POLICY)
    store.reap(T0 + 61)
    assert store.record_sent(did, a.token, Receipt("post-a"), T0 + 62) == "sent_after_lease_lost"
    assert store.delivery(did).status == "sent" and store.duplicates() == []


def test_engine_requeues_only_when_publish_never_started(tmp_path):
    """The 'lease expired before sending' path: the claim is still this worker's (nobody took it
    over), publish() was never called, so the post provably does not exist: queued again."""
    store, did = _store(tmp_path)
    clock = FakeClock(T0)
    engine = Engine(store, {"fake": FakeChannel.create("fake", tmp_path)}, clock, lease_seconds=60)
    [claim], _ = store.claim(T0, 60, 1, engine.policies)
    clock.set(T0 + 61)  # stalled between the claim and the first check
    assert engine._send(claim) == "lease_lost"
    assert store.delivery(did).status == "queued" and read_posts(tmp_path / "fake-posts.jsonl") == []


# -- real processes: SIGSTOP a worker after its last check, past its lease ----------------------
def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSPOST_")}
    env.update(PYTHONPATH=str(REPO), CROSSPOST_STATE_DIR="state", NO_COLOR="1", COLUMNS="200", **extra)
    return env


def _crosspost(tmp: Path, *args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "crosspost", *args], cwd=tmp, env=_env(**env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _stopped(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "T"
    except OSError:
        return False


def _wait(predicate, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, "timed out waiting for the worker"
        time.sleep(0.02)


def test_worker_stopped_after_its_last_check_double_posts_and_every_command_says_so(tmp_path):
    (tmp_path / "channels.toml").write_text('database = "log.db"\n[channels.fake]\ntype = "fake"\n')
    seed = subprocess.run([sys.executable, "-m", "crosspost", "status"], cwd=tmp_path, env=_env(),
                          capture_output=True, text=True)
    store = Store.open(tmp_path / "log.db")
    rid = store.save_release(Release(slug="rilis", title="Rilis", body="Isi.",
                                     date=datetime(2026, 11, 20, tzinfo=UTC)), time.time())
    [d] = store.enqueue(rid, [Variant(channel="fake", kind="fake", text="teks")], None, time.time())
    a = _crosspost(tmp_path, "run", "--once", "--json", CROSSPOST_FAILPOINT="stop_before_create")
    try:
        _wait(lambda: _stopped(a.pid))  # A checked its lease and is about to call create
        # Another run, its clock past A's lease: reaps (unknown), looks up (no post), sends once.
        engine = Engine(store, {"fake": FakeChannel.create("fake", tmp_path)}, FakeClock(time.time() + 301),
                        settle_seconds=0)
        report = engine.run_once()
        assert report.counts["reaped"] == 1 and report.counts["sent"] == 1, (report.counts, store.events())
    finally:
        os.kill(a.pid, signal.SIGCONT)
    out, err = a.communicate(timeout=60)
    posts = read_posts(tmp_path / "fake-posts.jsonl")
    assert len(posts) == 2, "the window no lease check can close: A's request was already on its way"
    assert a.returncode == 1, (seed.stderr, out, err)  # never exit 0 on a double post
    assert json.loads(out.splitlines()[-1])["exit"] == 1
    row = store.delivery(d.id)
    assert row.status == "sent" and row.remote_id == "fake-1"  # A did not overwrite B's result
    [dup] = store.duplicates()
    assert dup["id"] == d.id and dup["posts"] == 2

    status = subprocess.run([sys.executable, "-m", "crosspost", "status"], cwd=tmp_path, env=_env(),
                            capture_output=True, text=True)
    assert status.returncode == 1 and f"#{d.id}" in status.stderr and "2 times" in status.stderr
    doctor = subprocess.run([sys.executable, "-m", "crosspost", "doctor", "--offline"], cwd=tmp_path,
                            env=_env(), capture_output=True, text=True)
    assert doctor.returncode == 1
    assert any(line.startswith("fail") and "duplicate" in line and f"#{d.id}" in line
               for line in doctor.stdout.splitlines()), doctor.stdout
