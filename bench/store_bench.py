"""SQLite and PostgreSQL side by side: the same queue figures on both stores, in one run.

    python bench/store_bench.py [--quick] [--procs 8] [--deliveries 10000]

1. queue throughput, one process: save_release + enqueue, then claims of 4 + record_sent
   (the Store API, as bench/queue_bench.py measures it for SQLite).
2. contention: ``--procs`` worker processes (an Engine with 4 threads each on 5 fake channels,
   latency 0) drain ``--deliveries`` deliveries from one log; posts counted in the fake's posts
   file (zero duplicates required) and the hash chain verified afterwards. For PostgreSQL, each
   worker also sums the time its transactions waited for the chain's advisory lock: what one
   chain across every worker costs.

The SQLite figures are the anchor: PostgreSQL is reported as a ratio to them, with the load
average (the machine is shared; absolute figures under load are noise). PostgreSQL is the
cluster .ci/postgres.sh starts (/tmp/crosspost-pg.env); each run uses a schema of its own,
dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import child_env, load_average  # noqa: E402
from queue_bench import CHANNELS, fill  # noqa: E402

PG_ENV = Path(os.environ.get("CROSSPOST_PG_ENV", "/tmp/crosspost-pg.env"))


def pg_settings() -> tuple[str, str]:
    values = {}
    for line in PG_ENV.read_text("utf-8").splitlines():
        key, eq, value = line.partition("=")
        if eq:
            values[key] = shlex.split(value)[0] if value.strip() else ""
    return values["CROSSPOST_PG_URL"], values.get("CROSSPOST_PG_PASSWORD", "")


def open_store(kind: str, where: str):
    """``where`` is the SQLite file, or the PostgreSQL schema."""
    if kind == "sqlite":
        from crosspost.store import Store

        return Store.open(Path(where))
    from crosspost.store_postgres import PostgresStore

    url, password = pg_settings()
    return PostgresStore.open(url, password=password, schema=where, clock="database")


def drop(kind: str, where: str) -> None:
    if kind != "postgres":
        return
    import psycopg
    from psycopg import sql

    url, password = pg_settings()
    with psycopg.connect(url, password=password, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(where)))


# -- the child process -----------------------------------------------------------------------
def worker(kind: str, where: str, posts: str, go: str, out: str) -> None:
    from crosspost.channels.fake import FakeChannel
    from crosspost.clock import SystemClock
    from crosspost.deliver import Engine

    store = open_store(kind, where)
    waited = [0.0, 0]
    if kind == "postgres":  # time spent waiting for the chain's advisory lock
        from crosspost import store_postgres

        plain = store_postgres.Connection.execute

        def timed(self, text, args=()):
            if "crosspost_chain_head(" in text:  # the chain lock, and the head read under it
                t = time.perf_counter()
                cur = plain(self, text, args)
                waited[0] += time.perf_counter() - t
                waited[1] += 1
                return cur
            return plain(self, text, args)
        store_postgres.Connection.execute = timed  # type: ignore[method-assign]
    channels = {f"fake{c}": FakeChannel.create(f"fake{c}", Path(posts).parent, posts_file=posts)
                for c in range(CHANNELS)}
    engine = Engine(store, channels, SystemClock())
    Path(out).with_suffix(".ready").touch()
    while not Path(go).exists():
        time.sleep(0.002)
    start = time.time()
    report = engine.run_once()
    end = time.time()
    store.close()
    Path(out).write_text(json.dumps({"start": start, "end": end, "sent": report.counts["sent"],
                                     "lock_wait": waited[0], "locks": waited[1]}))


# -- the figures -----------------------------------------------------------------------------
def throughput(kind: str, where: str, n: int) -> dict[str, float]:
    from crosspost.models import Receipt
    from crosspost.store import ChannelPolicy

    store = open_store(kind, where)
    policies = {f"fake{c}": ChannelPolicy() for c in range(CHANNELS)}
    now = time.time()
    t0 = time.perf_counter()
    total = fill(store, n // CHANNELS, now)
    t1 = time.perf_counter()
    sent = 0
    while True:
        claims, _ = store.claim(now, 300.0, 4, policies)
        if not claims:
            break
        for c in claims:
            store.record_sent(c.delivery.id, c.token, Receipt(f"r{c.delivery.id}", None), now)
            sent += 1
    t2 = time.perf_counter()
    store.close()
    assert sent == total, (sent, total)
    return {"enqueue": total / (t1 - t0), "drain": total / (t2 - t1), "n": total}


def contention(kind: str, where: str, root: Path, n: int, procs: int) -> dict[str, float]:
    from crosspost import audit
    from crosspost.channels.fake import read_posts

    store = open_store(kind, where)
    total = fill(store, n // CHANNELS, time.time())
    store.close()
    posts, go = root / f"{kind}-posts.jsonl", root / f"{kind}.go"
    outs = [root / f"{kind}-{p}.json" for p in range(procs)]
    env = child_env(root)
    children = [subprocess.Popen([sys.executable, __file__, "--worker", kind, where, str(posts), str(go),
                                  str(out)], env=env, cwd=root) for out in outs]
    deadline = time.time() + 120
    while not all(out.with_suffix(".ready").exists() for out in outs):
        if time.time() > deadline or any(c.poll() is not None for c in children):
            break
        time.sleep(0.01)
    go.touch()
    codes = [c.wait(timeout=1800) for c in children]
    if any(codes):
        raise RuntimeError(f"{kind} workers exited {codes}")
    results = [json.loads(out.read_text()) for out in outs]
    wall = max(r["end"] for r in results) - min(r["start"] for r in results)
    ids = [p["delivery_id"] for p in read_posts(posts)]
    store = open_store(kind, where)
    check = audit.verify(store)
    store.close()
    busy = sum(r["end"] - r["start"] for r in results)
    return {"rate": total / wall, "wall": wall, "n": total, "posts": len(ids),
            "dupes": len(ids) - len(set(ids)), "missing": total - len(set(ids)),
            "chain_ok": check.ok, "events": check.events,
            "lock_share": sum(r["lock_wait"] for r in results) / busy if busy else 0.0,
            "locks": sum(r["locks"] for r in results), "per": [r["sent"] for r in results]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1,000 deliveries instead of --deliveries")
    parser.add_argument("--procs", type=int, default=8)
    parser.add_argument("--deliveries", type=int, default=10_000)
    parser.add_argument("--worker", nargs=5, metavar=("KIND", "WHERE", "POSTS", "GO", "OUT"))
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return 0
    n = 1000 if args.quick else args.deliveries
    before = load_average()
    rows = {}
    with tempfile.TemporaryDirectory(prefix="store-bench-") as tmp:
        root = Path(tmp)
        for kind in ("sqlite", "postgres"):
            schema = "bench_" + uuid.uuid4().hex[:12]
            one = str(root / "one.db") if kind == "sqlite" else schema + "_one"
            many = str(root / "many.db") if kind == "sqlite" else schema + "_many"
            try:
                rows[kind] = (throughput(kind, one, min(n, 2000)),
                              contention(kind, many, root, n, args.procs))
            finally:
                drop(kind, one)
                drop(kind, many)
    after = load_average()
    s, p = rows["sqlite"], rows["postgres"]
    print("| figure | SQLite | PostgreSQL | PostgreSQL / SQLite |\n|---|---|---|---|")
    print(f"| enqueue, one process ({s[0]['n']:,}) | {s[0]['enqueue']:,.0f}/s | {p[0]['enqueue']:,.0f}/s | "
          f"{p[0]['enqueue'] / s[0]['enqueue']:.2f} |")
    print(f"| claim 4 + record_sent, one process | {s[0]['drain']:,.0f}/s | {p[0]['drain']:,.0f}/s | "
          f"{p[0]['drain'] / s[0]['drain']:.2f} |")
    print(f"| {args.procs} processes drain {s[1]['n']:,} | {s[1]['rate']:,.0f}/s ({s[1]['wall']:.1f} s) | "
          f"{p[1]['rate']:,.0f}/s ({p[1]['wall']:.1f} s) | {p[1]['rate'] / s[1]['rate']:.2f} |")
    for label, key in (("duplicates", "dupes"), ("lost", "missing")):
        print(f"| {label} | {s[1][key]} | {p[1][key]} | |")
    print(f"| chain verified | {s[1]['chain_ok']} ({s[1]['events']:,} events) | {p[1]['chain_ok']} "
          f"({p[1]['events']:,} events) | |")
    print(f"| PostgreSQL: share of worker time waiting for the chain lock | | {p[1]['lock_share']:.1%} "
          f"({p[1]['locks']:,} waits) | |")
    print(f"\nsent per process: SQLite {s[1]['per']}, PostgreSQL {p[1]['per']}")
    print(f"{before} (start), {after} (end); {os.cpu_count()} CPUs")
    ok = all(r[1]["dupes"] == 0 and r[1]["missing"] == 0 and r[1]["chain_ok"] for r in rows.values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
