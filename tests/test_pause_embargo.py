"""Embargo and the office-wide pause: through the CLI, in real processes (three `crosspost run` at
once), and on the engine with an injected clock for "after the embargo". Real SQLite files."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from crosspost.channels.fake import FakeChannel, read_posts
from crosspost.clock import FakeClock
from crosspost.deliver import Engine
from crosspost.errors import EXIT_PAUSED
from crosspost.models import Release, Variant
from crosspost.store import Store

CHANNELS = 'database = "log.db"\n[channels.a]\ntype = "fake"\n[channels.b]\ntype = "fake"\n'


def setup(cli, extra: str = "") -> None:
    (cli.cwd / "channels.toml").write_text(CHANNELS + extra, encoding="utf-8")


def release(cli, embargo: str | None = None, slug: str = "uji-kendali") -> Path:
    path = cli.cwd / f"{slug}.md"
    line = f"embargo: {embargo}\n" if embargo else ""
    path.write_text(f'---\ntitle: "Uji Kendali"\nslug: {slug}\ndate: 2026-11-20T09:00:00+07:00\n{line}---\n'
                    "Isi rilis.\n", encoding="utf-8")
    return path


def posts(cli) -> list[dict]:
    return read_posts(cli.cwd / "fake-posts.jsonl")


def rows(cli) -> list[tuple]:
    conn = sqlite3.connect(cli.cwd / "log.db")
    return conn.execute("SELECT id, channel, status, not_before, attempts FROM deliveries "
                        "ORDER BY id").fetchall()


# -- embargo ------------------------------------------------------------------------------------------
def test_embargo_holds_against_publish_run_and_retry(cli):
    setup(cli)
    path = release(cli, "2099-12-01T09:00+07:00")
    proc = cli("preview", str(path))
    assert proc.returncode == 0 and "embargo" in proc.stdout and "2099-12-01 09:00" in proc.stdout
    proc = cli("publish", str(path))
    assert proc.returncode == 0, proc.stderr
    assert "embargoed until 2099-12-01 09:00" in proc.stdout
    assert [r[2] for r in rows(cli)] == ["queued", "queued"] and posts(cli) == []
    assert cli("run").returncode == 4
    assert cli("cancel", "1").returncode == 0
    assert cli("retry", "1").returncode == 0, "retry may queue it again..."
    assert cli("run").returncode == 4, "...but nothing is claimed before the embargo"
    assert posts(cli) == []
    # the embargo is lifted early (the release file says so): the next publish sends it
    proc = cli("publish", str(release(cli, "2020-01-01T09:00+07:00")))
    assert proc.returncode == 0, proc.stderr
    assert [r[2] for r in rows(cli)] == ["sent", "sent"] and len(posts(cli)) == 2


def test_embargo_ends_at_its_instant_and_the_deadline_counts_from_it(tmp_path):
    """Enqueued two days before the embargo with a 24 h deadline: held until the embargo, then
    sent (not failed for its deadline)."""
    clock = FakeClock(1_900_000_000.0)
    store = Store.open(tmp_path / "log.db")
    embargo = clock.now() + 2 * 86400
    rel = Release(slug="rilis-embargo", title="Rilis", body="Isi.", date=datetime(2030, 1, 1, tzinfo=UTC),
                  embargo=datetime.fromtimestamp(embargo, UTC))
    rid = store.save_release(rel, clock.now())
    store.enqueue(rid, [Variant(channel="a", kind="fake", text="isi")], None, clock.now())
    engine = Engine(store, {"a": FakeChannel.create("a", tmp_path)}, clock)
    assert engine.run_once().deliveries == []
    clock.set(embargo - 1)
    assert engine.run_once().deliveries == [] and read_posts(tmp_path / "fake-posts.jsonl") == []
    clock.set(embargo)
    report = engine.run_once()
    assert [d.status for d in report.deliveries] == ["sent"]
    assert len(read_posts(tmp_path / "fake-posts.jsonl")) == 1


# -- pause --------------------------------------------------------------------------------------------
def test_pause_stops_publish_and_run_keeps_the_queue_and_resume_sends(cli):
    setup(cli)
    proc = cli("pause", "--reason", "masa berkabung nasional", "--by", "Rina")
    assert proc.returncode == 0, proc.stderr
    assert cli("pause", "--reason", "lagi", "--by", "Budi").returncode == 2, "one pause at a time"
    proc = cli("publish", str(release(cli)))
    assert proc.returncode == EXIT_PAUSED, proc.stderr
    assert "office-wide pause" in proc.stdout and "masa berkabung nasional" in proc.stdout
    before = rows(cli)
    assert [r[2] for r in before] == ["queued", "queued"] and posts(cli) == []

    code, out = cli.json("run")
    assert code == EXIT_PAUSED
    assert out == {"summary": {"paused": 1}, "exit": EXIT_PAUSED}
    assert rows(cli) == before, "queued items keep their place (same status, time, attempts)"
    assert cli("pause", "--show").returncode == EXIT_PAUSED

    proc = cli("resume", "--by", "Rina")
    assert proc.returncode == 0 and "resumed by Rina" in proc.stdout
    assert cli("pause", "--show").returncode == 0
    assert cli("run").returncode == 0
    assert [r[2] for r in rows(cli)] == ["sent", "sent"] and len(posts(cli)) == 2
    code, events = cli.json("log")
    office = [e for e in events if e["release_id"] is None]
    assert [(e["actor"], e["detail"].split(":")[0]) for e in office] == [
        ("Rina", "office-wide pause lifted (paused by Rina"), ("Rina", "office-wide pause")]
    assert cli("resume", "--by", "Rina").returncode == 4, "nothing to resume"


def test_pause_until_lifts_by_itself(tmp_path):
    clock = FakeClock(1_900_000_000.0)
    store = Store.open(tmp_path / "log.db")
    rid = store.save_release(Release(slug="r", title="R", body="Isi.", date=datetime(2030, 1, 1, tzinfo=UTC)))
    store.enqueue(rid, [Variant(channel="a", kind="fake", text="isi")], None, clock.now())
    store.pause("pemilu: masa tenang", "Rina", clock.now(), until=clock.now() + 3600)
    engine = Engine(store, {"a": FakeChannel.create("a", tmp_path)}, clock)
    report = engine.run_once()
    assert report.exit_code == EXIT_PAUSED and report.paused["reason"] == "pemilu: masa tenang"
    assert [d.status for d in store.deliveries()] == ["queued"]
    clock.advance(3600)
    assert engine.run_once().exit_code == 0
    assert [d.status for d in store.deliveries()] == ["sent"]


def test_pause_until_in_the_past_is_refused(cli):
    setup(cli)
    proc = cli("pause", "--reason", "x", "--by", "Rina", "--until", "2020-01-01 06:00")
    assert proc.returncode == 2 and "already past" in proc.stderr


# -- several processes --------------------------------------------------------------------------------
def _runs(cli, n: int = 3) -> list[subprocess.Popen]:
    return [subprocess.Popen([sys.executable, "-m", "crosspost", "run", "--workers", "1", "--json"],
                             cwd=cli.cwd, env=cli.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _ in range(n)]


def _seed(cli, count: int, embargo: float | None = None) -> None:
    store = Store.open(cli.cwd / "log.db")
    for i in range(count):
        rel = Release(slug=f"rilis-{i:03d}", title=f"Rilis {i}", body="Isi.",
                      date=datetime(2026, 11, 20, tzinfo=UTC),
                      embargo=datetime.fromtimestamp(embargo, UTC) if embargo else None)
        rid = store.save_release(rel)
        store.enqueue(rid, [Variant(channel=c, kind="fake", text=f"rilis {i} {c}") for c in ("a", "b")],
                      None, time.time())
    store.close()


def test_three_concurrent_runs_send_nothing_while_paused_or_embargoed(cli):
    setup(cli)
    _seed(cli, 10, embargo=time.time() + 86400)
    assert cli("pause", "--reason", "krisis", "--by", "Rina").returncode == 0
    store = Store.open(cli.cwd / "log.db")  # and one release without embargo
    rid = store.save_release(Release(slug="bebas", title="Bebas", body="Isi.",
                                     date=datetime(2026, 11, 20, tzinfo=UTC)))
    store.enqueue(rid, [Variant(channel="a", kind="fake", text="bebas")], None, time.time())
    store.close()
    procs = _runs(cli)
    codes = [p.wait(timeout=60) for p in procs]
    assert codes == [EXIT_PAUSED] * 3, [p.stderr.read() for p in procs]
    assert posts(cli) == []
    assert {r[2] for r in rows(cli)} == {"queued"}
    # resumed: the free release goes out, the embargoed ones still do not
    assert cli("resume", "--by", "Rina").returncode == 0
    codes = [p.wait(timeout=60) for p in _runs(cli)]
    assert sorted(codes) == [0, 4, 4]
    assert [p["marker"] for p in posts(cli)] == ["bebas@a"]


def test_a_pause_issued_mid_run_stops_every_process_at_its_next_claim(cli):
    # each post takes 0.1 s on the simulated platform, so the pause lands while the runs are busy
    (cli.cwd / "channels.toml").write_text(
        CHANNELS.replace('type = "fake"\n', 'type = "fake"\nlatency = 0.1\n'), encoding="utf-8")
    _seed(cli, 40)
    procs = _runs(cli)
    deadline = time.monotonic() + 30
    while not posts(cli) and time.monotonic() < deadline:  # bounded poll: wait for the first post
        time.sleep(0.02)
    assert posts(cli), "the runs started sending"
    assert cli("pause", "--reason", "krisis", "--by", "Rina").returncode == 0
    seen_at_pause = len(posts(cli))
    codes = [p.wait(timeout=60) for p in procs]
    final = rows(cli)
    sent = [r for r in final if r[2] == "sent"]
    assert len(posts(cli)) == len(sent), "every post is recorded, none twice"
    assert len(sent) <= seen_at_pause + 3, "at most the one in flight per process finishes"
    assert len(sent) < 80
    assert {r[2] for r in final} == {"sent", "queued"}, "the rest keeps its place, nothing lost or failed"
    assert all(code == EXIT_PAUSED for code in codes), codes


def test_a_delivery_claimed_before_the_pause_is_put_back_unsent(tmp_path):
    """The pause lands between another worker's claim and its publish(): nothing is sent, the
    delivery is queued again where it was, with no attempt counted."""
    clock = FakeClock(1_900_000_000.0)
    store = Store.open(tmp_path / "log.db")
    rid = store.save_release(Release(slug="r", title="R", body="Isi.", date=datetime(2030, 1, 1, tzinfo=UTC)))
    [queued] = store.enqueue(rid, [Variant(channel="a", kind="fake", text="isi")], None, clock.now())
    engine = Engine(store, {"a": FakeChannel.create("a", tmp_path)}, clock)
    [claim], _ = store.claim(clock.now(), 300, 1, engine.policies)
    store.pause("krisis", "Rina", clock.now())
    assert engine._send(claim) == "paused"
    [after] = store.deliveries()
    assert (after.status, after.attempts, after.not_before) == ("queued", 0, queued.not_before)
    assert read_posts(tmp_path / "fake-posts.jsonl") == []
    assert store.claim(clock.now(), 300, 1, engine.policies) == ([], [])
