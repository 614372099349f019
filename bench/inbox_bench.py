"""Precision and recall of the inbox rules (crosspost.inbox.rules) on the labelled replies in
tests/data/inbox_replies.tsv, per kind, hard cases included (a quality figure: not timed).

``--report`` also times the evaluation report on a year of 100,000 sent posts, each with a
figures snapshot and 10,000 replies among them: the engagement part (crosspost.report_engagement)
against the delivery part of the same report, in the same run (a ratio, with the load average).
Run: python bench/inbox_bench.py [--report]"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from crosspost.inbox.rules import KINDS, Rules  # noqa: E402

FIXTURE = REPO / "tests" / "data" / "inbox_replies.tsv"


def labelled() -> list[tuple[str, str]]:
    rows = []
    for line in FIXTURE.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            parts = line.split("\t")
            rows.append((parts[1], parts[2]) if parts[0] == "hard" else (parts[0], parts[1]))
    return rows


def scores(rows: list[tuple[str, str]], rules: Rules) -> dict[str, tuple[float, float, int]]:
    """kind -> (precision, recall, support)."""
    got = [(want, rules.classify(text)) for want, text in rows]
    out = {}
    for kind in KINDS:
        tp = sum(1 for w, g in got if w == kind and g == kind)
        predicted = sum(1 for _w, g in got if g == kind)
        support = sum(1 for w, _g in got if w == kind)
        out[kind] = (tp / predicted if predicted else 0.0, tp / support if support else 0.0, support)
    flagged_tp = sum(1 for w, g in got if w != "lainnya" and g != "lainnya")
    flagged_pred = sum(1 for _w, g in got if g != "lainnya")
    flagged_support = sum(1 for w, _g in got if w != "lainnya")
    out["needs an answer (aduan+pertanyaan)"] = (
        flagged_tp / flagged_pred if flagged_pred else 0.0,
        flagged_tp / flagged_support,
        flagged_support,
    )
    return out


def main() -> None:
    rows = labelled()
    print(f"{len(rows)} labelled replies ({FIXTURE.relative_to(REPO)})")
    print(f"{'kind':<38} {'precision':>9} {'recall':>7} {'n':>4}")
    for kind, (p, r, n) in scores(rows, Rules()).items():
        print(f"{kind:<38} {p:>9.2f} {r:>7.2f} {n:>4}")


def report_timing() -> None:
    import json
    import os
    import sqlite3
    import tempfile
    import time
    from datetime import datetime

    from crosspost import report as rep
    from crosspost import report_engagement
    from crosspost.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "big.db"
        Store.open(db).close()
        base = datetime.fromisoformat("2026-01-01T00:00+07:00").timestamp()
        channels = ("website", "twitter", "facebook", "instagram", "youtube")
        with sqlite3.connect(db) as c:
            c.executemany(
                "INSERT INTO releases (id, slug, title, section, release_json, created_at, updated_at) "
                "VALUES (?, ?, 't', ?, '{}', ?, ?)",
                [(i, f"r{i}", ("siaran-pers", "berita-foto")[i % 2], base, base) for i in range(1, 20001)],
            )
            c.executemany(
                "INSERT INTO deliveries (release_id, channel, kind, status, not_before, variant_json, "
                "queued_at, sent_at, updated_at, remote_id, url) VALUES (?, ?, ?, 'sent', ?, '{}', ?, ?, ?, "
                "?, ?)",
                [
                    (
                        i,
                        ch,
                        ch,
                        base + i * 1500,
                        base + i * 1500,
                        base + i * 1500 + 30,
                        base,
                        f"{ch}-{i}",
                        f"https://{ch}.example/{i}",
                    )
                    for i in range(1, 20001)
                    for ch in channels
                ],
            )
            figures = json.dumps({"views": 1000.0, "reach": 700.0, "likes": 30.0, "comments": 4.0})
            c.executemany(
                "INSERT INTO metric_snapshots (delivery_id, fetched_at, metrics_json) VALUES (?, ?, ?)",
                [(d, base + d * 300 + 86400 * 7, figures) for d in range(1, 100001)],
            )
            c.executemany(
                "INSERT INTO reply_cursors (delivery_id, fetched_at) VALUES (?, ?)",
                [(d, base + d * 300) for d in range(1, 100001, 10)],
            )
            c.executemany(
                "INSERT INTO replies (delivery_id, release_id, channel, platform, platform_id, author, "
                "text, created_at, fetched_at, kind) "
                "VALUES (?, ?, 'twitter', 'twitter', ?, 'w', 't', ?, ?, ?)",
                [
                    (d, (d - 1) // 5 + 1, str(d), base + d * 300, base, ("aduan", "lainnya")[d % 2])
                    for d in range(1, 100001, 10)
                ],
            )
        store = Store.open(db)
        start, end = rep.period("2026-01-01", "2026-12-31", "Asia/Jakarta")
        original = report_engagement.attach
        report_engagement.attach = lambda *a, **k: None  # type: ignore[assignment]
        began = time.perf_counter()
        rep.build(store, start, end, "Asia/Jakarta")
        anchor = time.perf_counter() - began
        report_engagement.attach = original  # type: ignore[assignment]
        began = time.perf_counter()
        full = rep.build(store, start, end, "Asia/Jakarta")
        whole = time.perf_counter() - began
        store.close()
    load = os.getloadavg()[0]
    print(f"report on 100,000 posts with figures (load average {load:.2f}):")
    print(
        f"  delivery part alone {anchor:.2f} s (anchor); with engagement {whole:.2f} s; "
        f"engagement part = {(whole - anchor) / anchor:.2f} x the anchor"
    )
    assert full["engagement"]["totals"]["posts"] == 100_000


if __name__ == "__main__":
    main()
    if "--report" in sys.argv:
        report_timing()
