"""Database growth: `crosspost status` and `crosspost report` on a log of 100,000 deliveries, and
the sending rate and an idle `crosspost run --once` on logs of 1,000, 100,000 and 1,000,000.

The log is made by ``Store.open`` (the real schema and migrations) and then filled in one bulk
transaction with rows shaped exactly as the store writes them: a year of releases on the five
channels, mostly sent, some failed, unknown or still queued, three events per delivery chained
by hash as the store chains them. Bulk-filling is the bench's own business: crosspost itself
never writes the log outside ``store.py``.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchlib import Row, child_env, run_once, wall_once

CHANNELS = ("website", "twitter", "facebook", "instagram", "youtube")
DAY = 86400.0
LATEST_SENT = 930.0  # a post is sent up to 900 s after queueing, its event up to 30 s after that


INSERT_RELEASES = ("INSERT INTO releases (id, slug, title, section, source, content_hash, release_json, "
                   "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
INSERT_DELIVERIES = ("INSERT INTO deliveries (id, release_id, channel, kind, status, attempts, not_before, "
                     "variant_json, remote_id, url, last_error, error_kind, queued_at, sent_at, updated_at, "
                     "receipt_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
INSERT_EVENTS = ("INSERT INTO events (id, delivery_id, release_id, at, from_status, to_status, detail, "
                 "actor, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")


def build_log(path: Path, deliveries: int, end: float, chunk: int = 20_000) -> tuple[float, float]:
    """Fill a fresh log; returns the period it covers (a year up to ``end``). Rows go in with
    executemany, ``chunk`` releases at a time, so a 1,000,000-delivery log fits in memory. No time
    in it is later than ``end``: the last release is queued early enough for its posts (sent up to
    ~15 min after queueing) to be in the past, as in a real log; events from the future make every
    claim look for clock-skewed rows (Store._clamp_future), which is not what is measured here."""
    from crosspost.aggregates import SENT_MIGRATION
    from crosspost.store import Store, _build_aggregates

    path.unlink(missing_ok=True)
    for extra in ("-wal", "-shm"):
        Path(f"{path}{extra}").unlink(missing_ok=True)
    Store.open(path).close()  # schema and migrations exactly as in production
    rng = random.Random(6)
    releases = deliveries // len(CHANNELS)
    start = end - 365 * DAY
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    # the report aggregates' triggers fire per row (~5 min for 1,000,000 rows): off during the fill,
    # then built in one pass by the migration's own statements, as an upgraded log gets them
    triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    for name, _sql in triggers:
        conn.execute(f'DROP TRIGGER "{name}"')
    state = {"prev": "", "did": 0, "eid": 0}
    for first in range(1, releases + 1, chunk):
        rel_rows: list[tuple] = []
        del_rows: list[tuple] = []
        ev_rows: list[tuple] = []
        for r in range(first, min(first + chunk, releases + 1)):
            queued = start + (end - LATEST_SENT - start) * r / releases
            _release_rows(r, queued, queued > end - 2 * DAY, rng, state, rel_rows, del_rows, ev_rows)
        conn.executemany(INSERT_RELEASES, rel_rows)
        conn.executemany(INSERT_DELIVERIES, del_rows)
        conn.executemany(INSERT_EVENTS, ev_rows)
    for _name, sql in triggers:
        conn.execute(sql)
    _build_aggregates(conn)
    _build_aggregates(conn, SENT_MIGRATION)
    conn.execute("COMMIT")  # no ANALYZE: the bulk fill leaves no statistics, like a log grown by hand
    conn.close()
    return start, end


def _release_rows(r: int, queued: float, recent: bool, rng: random.Random, state: dict, rel_rows: list,
                  del_rows: list, ev_rows: list) -> None:
    """One release on the five channels: mostly sent, some failed, unknown or (recent) still queued;
    three events per delivery chained by hash as the store chains them."""
    from crosspost.chain import event_hash
    from crosspost.models import Receipt, Release, Variant
    from crosspost.serialize import receipt_to_json, release_to_json, variant_to_json

    release = Release(slug=f"siaran-{r}", title=f"Siaran pers nomor {r}", body=f"Isi siaran pers {r}.",
                      date=datetime.fromtimestamp(queued, UTC), section="siaran-pers")
    rel_rows.append((r, release.slug, release.title, release.section, "", f"h{r}",
                     release_to_json(release), queued, queued))
    for ch in CHANNELS:
        state["did"] += 1
        did = state["did"]
        roll = rng.random()
        status = ("queued" if recent and roll < 0.5 else "sent" if roll < 0.92 else
                  "failed" if roll < 0.97 else "unknown")
        sent_at = queued + rng.uniform(5, 900) if status == "sent" else None
        variant = Variant(channel=ch, kind=ch, text=f"Siaran pers {r} untuk {ch}", title=release.title)
        receipt = Receipt(f"{ch}-{did}", f"https://example.org/{ch}/{did}") if sent_at else None
        error = {"failed": "the platform rejected the post: text too long",
                 "unknown": "timed out after sending; the post may exist"}.get(status)
        del_rows.append((did, r, ch, ch, status, 1 if status != "queued" else 0, queued,
                         variant_to_json(variant), receipt.remote_id if receipt else None,
                         receipt.url if receipt else None, error,
                         {"failed": "permanent", "unknown": "ambiguous"}.get(status), queued, sent_at,
                         sent_at or queued, receipt_to_json(receipt) if receipt else None))
        steps = [(None, "queued", queued, "queued")]
        if status != "queued":
            steps.append(("queued", "sending", queued + 1, "claimed (attempt 1)"))
            steps.append(("sending", status, sent_at or queued + 30, error or "accepted"))
        for frm, to, at, detail in steps:
            state["eid"] += 1
            state["prev"] = event_hash(state["prev"], at=at, delivery_id=did, release_id=r, from_status=frm,
                                       to_status=to, detail=detail, actor="humas")
            ev_rows.append((state["eid"], did, r, at, frm, to, detail, "humas", state["prev"]))


FAKE_TOML = "".join(f'[channels.fake{c}]\ntype = "fake"\nposts_file = "posts.jsonl"\n\n' for c in range(5))


def sending_rates(dbs: list[Path], root: Path, rounds: int, per_round: int) -> list[tuple[float, float]]:
    """(median deliveries/s, median CPU ms per delivery) on each log in ``dbs``, over ``rounds``
    Engine runs each, taken in turn (log A, log B, log A, ...: a load that comes and goes on this
    shared machine hits every log alike), each sending ``per_round`` fresh deliveries
    (``per_round / 5`` releases to 5 fake channels, latency 0). The logs' own due deliveries are
    for the five real channels, which this engine does not serve. CPU time is the process's (the
    engine's worker threads included); it moves much less with the load than the wall time."""
    from crosspost.channels.fake import FakeChannel
    from crosspost.clock import SystemClock
    from crosspost.deliver import Engine
    from crosspost.store import Store

    engines = []
    for db in dbs:
        posts = root / f"{db.stem}-posts.jsonl"
        channels = {f"fake{c}": FakeChannel.create(f"fake{c}", root, posts_file=str(posts)) for c in range(5)}
        store = Store.open(db)
        engines.append((store, channels, Engine(store, channels, SystemClock())))  # default workers
    rates: list[list[float]] = [[] for _ in dbs]
    cpus: list[list[float]] = [[] for _ in dbs]
    try:
        for k in range(rounds):
            for j, (store, channels, engine) in enumerate(engines):
                _queue_round(store, list(channels), f"{k}-{j}-{time.time_ns()}", per_round)
                began, cpu = time.perf_counter(), time.process_time()
                report = engine.run_once()
                took, cpu = time.perf_counter() - began, time.process_time() - cpu
                if report.counts["sent"] != per_round:
                    raise RuntimeError(f"sending bench: {dict(report.counts)}")
                rates[j].append(per_round / took)
                cpus[j].append(cpu * 1000 / per_round)
    finally:
        for store, _channels, _engine in engines:
            store.close()
    return [(statistics.median(r), statistics.median(c)) for r, c in zip(rates, cpus, strict=True)]


def _queue_round(store: Any, channels: list[str], tag: str, per_round: int) -> None:
    from crosspost.models import Release, Variant

    now = time.time()
    for i in range(per_round // len(channels)):
        release = Release(slug=f"baru-{tag}-{i}", title=f"Siaran pers baru {tag}-{i}", body="Isi.",
                          date=datetime.fromtimestamp(now, UTC))
        rid = store.save_release(release, now)
        store.enqueue(rid, [Variant(channel=name, kind="fake", text=f"Siaran {tag}-{i} untuk {name}",
                                    title=release.title) for name in channels], None, now)


def idle_run(db: Path, root: Path, runs: int) -> tuple[float, str]:
    """Median wall of `crosspost run --once` (a fresh process, as cron starts it) when nothing is
    due for its channels (five fake ones); the log's due rows are for channels it does not serve.
    The note gives the CPU time of those processes and an in-process Engine.run_once alone."""
    from crosspost.channels.fake import FakeChannel
    from crosspost.clock import SystemClock
    from crosspost.deliver import Engine
    from crosspost.store import Store

    work = root / "fakework"
    work.mkdir(parents=True, exist_ok=True)
    (work / "channels.toml").write_text(f'timezone = "Asia/Jakarta"\n\n{FAKE_TOML}', "utf-8")
    # each log its own state folder: the state folder remembers one log's id (crosspost.logbook)
    env = {**child_env(work), "CROSSPOST_DB": str(db), "CROSSPOST_STATE_DIR": str(root / f"state-{db.stem}")}
    argv = [sys.executable, "-m", "crosspost", "run", "--once", "--quiet"]
    proc = subprocess.run(argv, cwd=work, env=env, capture_output=True, text=True)  # warm the page cache
    if proc.returncode not in (0, 1, 4):
        raise RuntimeError(f"run --once exited {proc.returncode}: {proc.stderr[-2000:]}")
    times = [run_once(argv, work, env, ok_codes=(0, 1, 4)) for _ in range(runs)]
    store = Store.open(db)
    channels = {f"fake{c}": FakeChannel.create(f"fake{c}", work, posts_file="posts.jsonl") for c in range(5)}
    engine = Engine(store, channels, SystemClock())
    inproc = []
    for _ in range(runs):
        began = time.perf_counter()
        engine.run_once()
        inproc.append(time.perf_counter() - began)
    store.close()  # as the CLI does since issue 18 (PRAGMA optimize)
    cpu = statistics.median(t[1] for t in times)
    return (statistics.median(t[0] for t in times),
            f"exit code {proc.returncode}; CPU {cpu:.2f} s; Engine.run_once alone (in-process) "
            f"{statistics.median(inproc) * 1000:.0f} ms")


def overview_rows(db: Path, work: Path, n: int, runs: int, first: float, last: float, suffix: str = ""
                  ) -> list[Row]:
    env = {**child_env(work), "CROSSPOST_DB": str(db), "CROSSPOST_STATE_DIR": str(work / f"state-{db.stem}")}
    day = lambda ts: datetime.fromtimestamp(ts).strftime("%Y-%m-%d")  # noqa: E731
    commands = {
        "status": [sys.executable, "-m", "crosspost", "status"],
        "status SLUG": [sys.executable, "-m", "crosspost", "status", f"siaran-{n // len(CHANNELS) // 2}"],
        "report": [sys.executable, "-m", "crosspost", "report", "--from", day(first), "--to", day(last)],
    }
    rows = []
    for name, argv in commands.items():
        try:
            wall_once(argv, work, env)  # warm the page cache
        except RuntimeError as exc:
            if "No such command" in str(exc):
                rows.append(Row(f"database growth: {name}{suffix}", f"`crosspost {name}`, {n:,} deliveries",
                                "n/a (command not present)", "<= 0.5 s"))
                continue
            raise
        took = statistics.median(wall_once(argv, work, env) for _ in range(runs))
        shown = " ".join(argv[3:])
        rows.append(Row.limit(f"database growth: {name}{suffix}",
                              f"`crosspost {shown}`, {n:,} deliveries over a year, {n * 3 // 1000 * 1000:,}"
                              f" events, wall incl. start, median of {runs}", took, 0.5, "{:.2f} s",
                              "<= 0.5 s"))
    return rows


def run(root: Path, work: Path, quick: bool, sizes: tuple[int, ...] | None = None) -> list[Row]:
    """For each log size: `status`, `status SLUG` and `report` over the year, the sending rate and
    an idle `run --once` (one row each per size)."""
    root.mkdir(parents=True, exist_ok=True)
    sizes = sizes or ((1000, 5000) if quick else (1000, 100_000, 1_000_000))
    overview_at = 1000 if quick else 100_000
    runs = 1 if quick else 7
    rounds, per_round = (1, 50) if quick else (9, 300)
    rows: list[Row] = []
    send: list[Row] = []
    idle: list[Row] = []
    for n in sizes:
        db = root / f"growth-{n}.db"
        began = time.perf_counter()
        first, last = build_log(db, n, time.time())
        built = time.perf_counter() - began
        rows += overview_rows(db, work, n, runs if n == overview_at else max(1, runs // 2), first, last,
                              "" if n == overview_at else f" at {n:,}")  # the 100,000 rows keep their names
        how = (f"Engine, 5 fake channels (latency 0), median of {rounds} runs of {per_round} fresh "
               f"deliveries on a log of {n:,} (its due rows are for 5 other channels)")
        note = f"log of {n:,} built in {built:.0f} s (executemany, no ANALYZE)"
        if n == sizes[0]:
            (rate, cpu), = sending_rates([db], root, rounds, per_round)
            send.append(Row(f"database growth: sending at {n:,}", how, f"{rate:,.0f} deliveries/s",
                            "the reference", note=f"{note}; CPU {cpu:.2f} ms/delivery"))
        else:  # against a fresh log of sizes[0], its runs taken in turn with this log's
            ref = root / f"growth-ref-{n}.db"
            build_log(ref, sizes[0], time.time())
            (base, base_cpu), (rate, cpu) = sending_rates([ref, db], root, rounds, per_round)
            for extra in ("", "-wal", "-shm"):
                Path(f"{ref}{extra}").unlink(missing_ok=True)
            slower = base / rate
            send.append(Row(f"database growth: sending at {n:,}",
                            how + f", in turn with a log of {sizes[0]:,}",
                            f"{rate:,.0f} deliveries/s ({slower:.2f}x slower than the {base:,.0f}/s at "
                            f"{sizes[0]:,} in the same runs)",
                            f"<= 1.5x slower than at {sizes[0]:,}", slower / 1.5, slower <= 1.5,
                            f"{note}; CPU {cpu:.2f} ms/delivery vs {base_cpu:.2f} at {sizes[0]:,} "
                            f"({cpu / base_cpu:.2f}x)"))
        took, idle_note = idle_run(db, root, runs=1 if quick else 5)
        idle.append(Row.limit(f"database growth: idle run at {n:,}",
                              f"`crosspost run --once` with nothing due (5 fake channels), log of {n:,}, "
                              f"wall incl. start, median of {1 if quick else 5}", took, 0.5, "{:.2f} s",
                              "<= 0.5 s", idle_note))
        for extra in ("", "-wal", "-shm"):
            Path(f"{db}{extra}").unlink(missing_ok=True)
    return rows + send + idle


if __name__ == "__main__":  # python bench/growth_bench.py [SIZE ...]: just these rows
    import shutil
    import tempfile

    from benchlib import load_average, make_workdir, table

    scratch = Path(tempfile.mkdtemp(prefix="crosspost-growth-"))
    try:
        chosen = tuple(int(a.replace(",", "").replace("_", "")) for a in sys.argv[1:]) or None
        print(table(run(scratch / "growth", make_workdir(scratch), quick=False, sizes=chosen)))
        print(f"\n{load_average()} at the end")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
