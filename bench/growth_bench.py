"""Database growth: `crosspost status` and `crosspost report` on a log of 100,000 deliveries.

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
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from benchlib import Row, child_env, wall_once

CHANNELS = ("website", "twitter", "facebook", "instagram", "youtube")
DAY = 86400.0


def build_log(path: Path, deliveries: int, end: float) -> tuple[float, float]:
    """Fill a fresh log; returns the period (first, last queued_at) it covers."""
    from crosspost.chain import event_hash
    from crosspost.models import Receipt, Release, Variant
    from crosspost.serialize import receipt_to_json, release_to_json, variant_to_json
    from crosspost.store import Store

    path.unlink(missing_ok=True)
    Store.open(path).close()  # schema and migrations exactly as in production
    rng = random.Random(6)
    releases = deliveries // len(CHANNELS)
    start = end - 365 * DAY
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    prev = ""
    rel_rows, del_rows, ev_rows = [], [], []
    did = eid = 0
    for r in range(1, releases + 1):
        queued = start + (end - start) * r / releases
        release = Release(slug=f"siaran-{r}", title=f"Siaran pers nomor {r}", body=f"Isi siaran pers {r}.",
                          date=datetime.fromtimestamp(queued, UTC), section="siaran-pers")
        rel_rows.append((r, release.slug, release.title, release.section, "", f"h{r}",
                         release_to_json(release), queued, queued))
        for ch in CHANNELS:
            did += 1
            roll = rng.random()
            recent = queued > end - 2 * DAY
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
                eid += 1
                prev = event_hash(prev, at=at, delivery_id=did, release_id=r, from_status=frm,
                                  to_status=to, detail=detail, actor="humas")
                ev_rows.append((eid, did, r, at, frm, to, detail, "humas", prev))
    conn.executemany("INSERT INTO releases (id, slug, title, section, source, content_hash, release_json, "
                     "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rel_rows)
    conn.executemany("INSERT INTO deliveries (id, release_id, channel, kind, status, attempts, not_before, "
                     "variant_json, remote_id, url, last_error, error_kind, queued_at, sent_at, updated_at, "
                     "receipt_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", del_rows)
    conn.executemany("INSERT INTO events (id, delivery_id, release_id, at, from_status, to_status, detail, "
                     "actor, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", ev_rows)
    conn.execute("COMMIT")  # no ANALYZE: crosspost never runs it, so neither does the bench
    conn.close()
    return start, end


def run(root: Path, work: Path, quick: bool) -> list[Row]:
    root.mkdir(parents=True, exist_ok=True)
    n = 1000 if quick else 100_000
    runs = 1 if quick else 7
    db = root / "growth.db"
    first, last = build_log(db, n, time.time())
    env = {**child_env(work), "CROSSPOST_DB": str(db)}
    day = lambda ts: datetime.fromtimestamp(ts).strftime("%Y-%m-%d")  # noqa: E731
    commands = {
        "status": [sys.executable, "-m", "crosspost", "status"],
        "report": [sys.executable, "-m", "crosspost", "report", "--from", day(first), "--to", day(last)],
    }
    rows = []
    for name, argv in commands.items():
        try:
            wall_once(argv, work, env)  # warm the page cache
        except RuntimeError as exc:
            if "No such command" in str(exc):
                rows.append(Row(f"database growth: {name}", f"`crosspost {name}`, {n:,} deliveries",
                                "n/a (command not present)", "<= 0.5 s"))
                continue
            raise
        took = statistics.median(wall_once(argv, work, env) for _ in range(runs))
        shown = " ".join(argv[3:])
        rows.append(Row.limit(f"database growth: {name}",
                              f"`crosspost {shown}`, {n:,} deliveries over a year, {n * 3 // 1000 * 1000:,}"
                              f" events, wall incl. start, median of {runs}", took, 0.5, "{:.2f} s",
                              "<= 0.5 s"))
    return rows
