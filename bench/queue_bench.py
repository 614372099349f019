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


def _one_queue_run(root: Path, tag: str, n_releases: int, claim: int, grouped: bool
                   ) -> tuple[float, float, float]:
    """deliveries/s overall, of the enqueue and of the drain, in a fresh log."""
    from crosspost.store import ChannelPolicy, Store

    policies = {f"fake{c}": ChannelPolicy() for c in range(CHANNELS)}
    store = Store.open(root / f"throughput-{tag}.db")
    now = time.time()
    start = time.perf_counter()
    total = fill(store, n_releases, now)
    queued = time.perf_counter()
    sent = _drain_store(store, policies, now, claim, grouped)
    took = time.perf_counter() - start
    store.close()
    assert sent == total, (sent, total)
    return total / took, total / (queued - start), total / (took - (queued - start))


def queue_throughput(root: Path, quick: bool) -> Row:
    """crosspost's queue and the anchors in turn, ``rounds`` times (the median of each): one run of
    each swings with the disk's fsync and the other processes on the machine, the anchors (fsync-
    bound, two commits an item) differently from crosspost (CPU-bound)."""
    import statistics

    n_releases = 20 if quick else 400
    rounds = 1 if quick else 3
    total = n_releases * CHANNELS
    ours: list[tuple[float, float, float]] = []
    anchor_runs: list[dict[str, float | None]] = []
    fsyncs: list[float] = []
    for r in range(rounds):
        ours.append(_one_queue_run(root, f"16-{r}", n_releases, 16, True))
        got = _anchors(root / f"anchors-{r}", total)
        if got is not None:
            fsyncs.append(got[0])
            anchor_runs.append(got[1])
    rate, enq, drain = (statistics.median(x[i] for x in ours) for i in range(3))
    four = _one_queue_run(root, "4g", n_releases, 4, True)[0]
    old = _one_queue_run(root, "4", n_releases, 4, False)[0]
    note = (f"median of {rounds} run(s) in turn with the anchors; enqueue {enq:,.0f}/s, claim + sent "
            f"{drain:,.0f}/s (claims of 16, a claim's sent results and the next claim in one commit, as "
            f"the engine's main loop with `run --workers 16`); claims of 4 the same way (`run`'s default "
            f"--workers 4: a commit for every 4): {four:,.0f}/s; claims of 4 with a commit per claim and "
            f"per sent (the old engine): {old:,.0f}/s")
    if anchor_runs:
        parts = [f"raw fsync loop {statistics.median(fsyncs):,.0f}/s"]
        for label in anchor_runs[0]:
            runs = [a[label] for a in anchor_runs]
            if any(x is None for x in runs):
                parts.append(f"{label} not installed")
                continue
            them = statistics.median(x for x in runs if x is not None)
            each = ", ".join(f"{o[0] / a:.2f}" for o, a in zip(ours, runs, strict=True) if a)
            parts.append(f"{label} {them:,.0f}/s ({rate / them:.2f}x; by run {each})")
        note += "; anchors (medians): " + ", ".join(parts)
    return Row.floor("queue throughput", f"{total:,} deliveries: save_and_enqueue (as publish), claim, "
                     "record_sent; one process, Store API, WAL, synchronous=FULL", rate, 2000,
                     "{:,.0f} deliveries/s", ">= 2,000/s", note)


def _anchors(root: Path, n: int) -> tuple[float, dict[str, float | None]] | None:
    """One run of the anchors (bench/anchors.py, when that module and the queues are installed):
    the raw fsync loop and each queue's items/s."""
    try:
        import anchors
    except ImportError:
        return None
    return anchors.fsync_rate(root / "fsync"), anchors.queue_anchors(root / "queues", n)


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
