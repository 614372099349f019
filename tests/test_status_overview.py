"""`crosspost status` on a long log: counts per channel and status, then only the newest rows."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from crosspost.models import Release, Variant
from crosspost.store import Store


def _seed(db, releases: int) -> None:
    """`releases` releases, each queued to a fake channel; every third one also to website."""
    store = Store.open(db)
    for i in range(1, releases + 1):
        release = Release(slug=f"rilis-{i:03d}", title=f"Rilis {i}", body="Isi.",
                          date=datetime(2026, 11, 1, tzinfo=UTC))
        rid = store.save_release(release, now=1000.0 + i)
        variants = [Variant(channel="palsu", kind="fake", text=f"teks {i}")]
        if i % 3 == 0:
            variants.append(Variant(channel="website", kind="website", text=f"web {i}"))
        store.enqueue(rid, variants, None, now=1000.0 + i)
    store.close()


def _listed(out: str) -> list[str]:
    return re.findall(r"rilis-\d{3}", out)


def test_overview_counts_and_newest_rows(cli) -> None:
    _seed(cli.cwd / "log.db", 60)  # 60 fake + 20 website = 80 deliveries, more than the 50 shown
    proc = cli("status")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    counts = re.search(r"palsu\s*│\s*(\d+)\s*│\s*(\d+)", out)
    assert counts and counts.groups() == ("60", "60"), out  # queued, total
    assert re.search(r"website\s*│\s*20\s*│\s*20", out), out
    shown = _listed(out)
    assert len(shown) == 50 and "rilis-060" in shown and "rilis-001" not in shown
    assert "50" in out and "80" in out and "--limit 0" in out  # the note of how many exist


def test_limit_and_limit_zero(cli) -> None:
    _seed(cli.cwd / "log.db", 60)
    few = cli("status", "--limit", "5")
    assert few.returncode == 0, few.stderr
    assert len(_listed(few.stdout)) == 5 and "rilis-060" in _listed(few.stdout)
    every = cli("status", "--limit", "0")
    assert every.returncode == 0, every.stderr
    assert len(_listed(every.stdout)) == 80 and "--limit 0" not in every.stdout


def test_json_lists_everything(cli) -> None:
    _seed(cli.cwd / "log.db", 60)
    code, doc = cli.json("status")
    assert code == 0
    assert len(doc) == 80
    assert sum(1 for d in doc if d["channel"] == "website") == 20


def test_small_log_shows_no_overview(cli) -> None:
    _seed(cli.cwd / "log.db", 3)
    proc = cli("status")
    assert proc.returncode == 0, proc.stderr
    assert len(_listed(proc.stdout)) == 4 and "--limit 0" not in proc.stdout
