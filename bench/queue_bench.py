"""The delivery log and the engine: queue throughput in one process, 4 processes draining one
queue, and one release sent to 5 slow endpoints at once.

Everything runs on a real SQLite file opened by ``Store.open`` (WAL, synchronous=FULL,
busy_timeout: the production settings) in a scratch folder on the same disk as /tmp.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from benchlib import Row, child_env

CHANNELS = 5  # fake channels per release: fake0 .. fake4
WORKER = Path(__file__).with_name("worker.py")


def bench_release(i: int):
    from crosspost.models import Release

    return Release(slug=f"bench-{i}", title=f"Siaran pers nomor {i}", body=f"Isi siaran pers {i}.",
                   date=datetime(2026, 12, 1, 9, tzinfo=UTC))


def bench_variants(i: int, channels: int = CHANNELS) -> list:
    from crosspost.models import Variant

    return [Variant(channel=f"fake{c}", kind="fake", text=f"Siaran pers {i} untuk fake{c}",
                    title=f"Siaran pers {i}") for c in range(channels)]


def fill(store, releases: int, now: float, channels: int = CHANNELS) -> int:
    """Queue ``releases`` x ``channels`` deliveries the way `publish` does (the release and its
    deliveries in one transaction); returns how many."""
    for i in range(releases):
        store.save_and_enqueue(bench_release(i), bench_variants(i, channels), None, now)
    return releases * channels


def _drain_store(store, policies, now: float, claim: int, grouped: bool) -> int:
    """Claim ``claim`` at a time and record each sent, each step at the time it happens (the
    engine reads its clock per loop). ``grouped``: as the engine's main loop does
    (crosspost/deliver.py, batching.record_sent_and_claim), the sent results ready together and the
    next claim in one commit; else a commit per claim and one per sent result (the old engine)."""
    from crosspost.models import Receipt

    def clock() -> float:
        return max(now, time.time())

    def receipts(claims: list, at: float) -> list:
        return [(c.delivery.id, c.token, Receipt(f"r{c.delivery.id}", None), at) for c in claims]

    sent = 0
    claims, _ = store.claim(clock(), 300.0, claim, policies)
    while claims:
        at = clock()
        items = receipts(claims, at)
        if grouped:
            results, claims, _ = store.record_sent_and_claim(items, at, 300.0, claim, policies)
            assert results == ["sent"] * len(items), results
        else:
            for item in items:
                store.record_sent(*item)
            claims, _ = store.claim(clock(), 300.0, claim, policies)
        sent += len(items)
    return sent


def queue_throughput(root: Path, quick: bool) -> Row:
    from crosspost.store import ChannelPolicy, Store

    n_releases = 20 if quick else 400
    policies = {f"fake{c}": ChannelPolicy() for c in range(CHANNELS)}
    figures = {}
    for label, claim, grouped in (("claims of 16, grouped sent", 16, True),
                                  ("claims of 4, one commit each", 4, False)):
        store = Store.open(root / f"throughput-{claim}.db")
        now = time.time()
        start = time.perf_counter()
        total = fill(store, n_releases, now)
        queued = time.perf_counter()
        sent = _drain_store(store, policies, now, claim, grouped)
        took = time.perf_counter() - start
        store.close()
        assert sent == total, (sent, total)
        figures[label] = (total / took, total / (queued - start), total / (took - (queued - start)))
    rate, enq, drain = figures["claims of 16, grouped sent"]
    old = figures["claims of 4, one commit each"][0]
    note = (f"enqueue {enq:,.0f}/s, claim + sent {drain:,.0f}/s (claims of 16, a claim's sent results and "
            f"the next claim in one commit, as the engine's main loop); claims of 4 with a commit per claim "
            f"and per sent: {old:,.0f}/s")
    note += _anchor_note(root, total, rate)
    return Row.floor("queue throughput", f"{total:,} deliveries: save_and_enqueue (as publish), claim, "
                     "record_sent; one process, Store API, WAL, synchronous=FULL", rate, 2000,
                     "{:,.0f} deliveries/s", ">= 2,000/s", note)


def _anchor_note(root: Path, n: int, rate: float) -> str:
    """The same run's anchors (bench/anchors.py, when that module and the queues are installed)."""
    try:
        import anchors
    except ImportError:
        return ""
    parts = [f"raw fsync loop {anchors.fsync_rate(root / 'fsync'):,.0f}/s"]
    for label, got in anchors.queue_anchors(root / "anchors", n).items():
        parts.append(f"{label} " + ("not installed" if got is None else f"{got:,.0f}/s ({rate / got:.2f}x)"))
    return "; anchors in this run: " + ", ".join(parts)


def _contend(root: Path, label: str, total_wanted: int, procs: int, fake: str) -> dict:
    """``procs`` worker processes drain ``total_wanted`` deliveries; the posts as the platform saw them."""
    from worker import read_counted

    from crosspost.channels.fake import read_posts
    from crosspost.store import Store

    db, go = root / f"{label}.db", root / f"{label}.go"
    posts = root / (f"{label}-posts.jsonl" if fake == "shared" else f"{label}-posts")
    store = Store.open(db)
    total = fill(store, total_wanted // CHANNELS, time.time())
    store.close()
    env = child_env(root)
    outs = [root / f"{label}-{p}.json" for p in range(procs)]
    children = [subprocess.Popen([sys.executable, str(WORKER), "drain", str(db), str(posts), str(go),
                                  str(out), fake], env=env, cwd=root) for out in outs]
    deadline = time.time() + 60
    while not all(out.with_suffix(".ready").exists() for out in outs):  # all imported and open
        if time.time() > deadline or any(c.poll() is not None for c in children):
            break
        time.sleep(0.01)
    go.touch()
    codes = [c.wait(timeout=600) for c in children]
    if any(codes):
        raise RuntimeError(f"contention workers exited {codes}")
    results = [json.loads(out.read_text()) for out in outs]
    wall = max(r["end"] for r in results) - min(r["start"] for r in results)
    found = read_posts(posts) if fake == "shared" else read_counted(posts)
    ids = [p["delivery_id"] for p in found]
    return {"total": total, "rate": total / wall, "posts": len(found), "distinct": len(set(ids)),
            "dupes": len(ids) - len(set(ids)), "per": ", ".join(str(r["sent"]) for r in results),
            "cpu_ms": 1000 * sum(r["cpu"] for r in results) / total}


def contention(root: Path, quick: bool, procs: int = 4) -> Row:
    total_wanted = 200 if quick else 4000
    got = _contend(root, "contention", total_wanted, procs, "counting")
    total, dupes = got["total"], got["dupes"]
    row = Row.floor("queue under contention",
                    f"{procs} processes (Engine, 5 threads each, fake platform answering at once) drain "
                    f"{total:,} deliveries; each process appends its posts to its own file (one write a "
                    "post, before publish returns), summed and checked for delivery ids posted twice",
                    got["rate"], 1000, f"{{:,.0f}} deliveries/s, {got['posts']:,} posts, {dupes} duplicates",
                    ">= 1,000/s, 0 dup",
                    f"sent per process: {got['per']}; CPU {got['cpu_ms']:.2f} ms a delivery (all processes)")
    if not quick:  # the crash tests' FakeChannel: every post behind two flocks and an fsync'd append
        shared = _contend(root, "contention-shared", total_wanted, procs, "shared")
        row.note += (f"; FakeChannel's shared posts file (2 flocks + fsync a post) instead: "
                     f"{shared['rate']:,.0f}/s, {shared['dupes']} duplicates")
        dupes += shared["dupes"]
    if dupes or got["distinct"] != total:
        row.passed = False
        row.note += f"; {got['distinct']} distinct posts for {total} deliveries, {dupes} duplicates"
    return row


def parallel_delivery(root: Path, quick: bool) -> Row:
    from crosspost.channels.fake import FakeChannel, read_posts
    from crosspost.clock import SystemClock
    from crosspost.deliver import Engine
    from crosspost.store import Store

    latency = 0.2
    runs = 2 if quick else 10
    walls = []
    for run in range(runs):
        store = Store.open(root / f"parallel-{run}.db")
        posts = root / f"parallel-{run}.jsonl"
        channels = {f"fake{c}": FakeChannel.create(f"fake{c}", root, posts_file=str(posts), latency=latency)
                    for c in range(CHANNELS)}
        rid = store.save_release(bench_release(run))
        deliveries = store.enqueue(rid, bench_variants(run), None, time.time())
        engine = Engine(store, channels, SystemClock())  # as `crosspost publish` builds it
        start = time.perf_counter()
        report = engine.run_once(delivery_ids=[d.id for d in deliveries])
        walls.append(time.perf_counter() - start)
        store.close()
        if report.counts["sent"] != CHANNELS or len(read_posts(posts)) != CHANNELS:
            raise RuntimeError(f"parallel delivery sent {dict(report.counts)}")
    walls.sort()
    wall = walls[len(walls) // 2]
    return Row.limit("parallel delivery", f"1 release to {CHANNELS} fake channels answering after 200 ms, "
                     f"Engine as `publish` builds it, median of {runs}", wall / latency, 1.25,
                     f"{{:.2f}}x ({wall * 1000:.0f} ms wall)", "<= 1.25x of 200 ms")


def run(root: Path, quick: bool) -> list[Row]:
    root.mkdir(parents=True, exist_ok=True)
    return [queue_throughput(root, quick), contention(root, quick), parallel_delivery(root, quick)]
