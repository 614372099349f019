"""The evaluation report on a log filled here with known deliveries: exact figures, every format."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import time
from datetime import date, datetime
from pathlib import Path

import pytest

from crosspost import report as rep
from crosspost.errors import InputError
from crosspost.models import Receipt, Release, Variant
from crosspost.store import Store

TZ = "Asia/Jakarta"
CHANNELS = ("website", "twitter", "facebook", "instagram", "youtube")


def at(text: str) -> float:
    """A WIB wall-clock time as a timestamp."""
    return datetime.fromisoformat(text + "+07:00").timestamp()


def _release(slug: str, section: str) -> Release:
    return Release(slug=slug, title=f"Rilis {slug}", body="Isi.", section=section,
                   date=datetime.fromisoformat("2026-07-01T09:00+07:00"))


def _queue(store: Store, slug: str, section: str, queued: str, channels: list[str],
           scheduled: str | None = None) -> dict[str, int]:
    rid = store.save_release(_release(slug, section), now=at(queued))
    variants = [Variant(channel=c, kind="fake", text=f"{slug} di {c}") for c in channels]
    rows = store.enqueue(rid, variants, at(scheduled) if scheduled else None, at(queued))
    return {d.channel: d.id for d in rows}


def _sent(store: Store, delivery_id: int, when: float) -> None:
    store.resolve(delivery_id, when, Receipt(f"post-{delivery_id}", f"https://example.test/p/{delivery_id}"))


def _fail(db: Path, delivery_id: int, status: str, kind: str, message: str) -> None:
    with sqlite3.connect(db) as c:
        c.execute("UPDATE deliveries SET status = ?, error_kind = ?, last_error = ? WHERE id = ?",
                  (status, kind, message, delivery_id))


def fill(db: Path) -> Store:
    """The known log (times in WIB). In July 2026: 4 releases, 11 deliveries, 7 sent (waits 30, 45,
    60, 90, 120, 300, 600 s), 2 failed, 1 unknown, 1 cancelled. r0 and r5 fall outside July in WIB
    (r5 is still July in UTC, r1 is still June in UTC)."""
    store = Store.open(db)
    r0 = _queue(store, "r0", "siaran-pers", "2026-06-30T20:00", ["website"])
    _sent(store, r0["website"], at("2026-06-30T20:00") + 10)
    r1 = _queue(store, "r1", "siaran-pers", "2026-07-01T06:00", ["website", "twitter", "facebook"])
    _sent(store, r1["website"], at("2026-07-01T06:00") + 60)
    _sent(store, r1["twitter"], at("2026-07-01T06:00") + 120)
    _fail(db, r1["facebook"], "failed", "rate_limit", "rate limited; retry after 900 s")
    r2 = _queue(store, "r2", "siaran-pers", "2026-07-08T10:00", ["website", "twitter", "facebook"])
    _sent(store, r2["website"], at("2026-07-08T10:00") + 30)
    _sent(store, r2["twitter"], at("2026-07-08T10:00") + 600)
    _fail(db, r2["facebook"], "failed", "rate_limit", "rate limited; retry after 60 s.")
    r3 = _queue(store, "r3", "berita-foto", "2026-07-15T08:00", ["website", "twitter"])
    _sent(store, r3["website"], at("2026-07-15T08:00") + 90)
    _fail(db, r3["twitter"], "unknown", "lease",
          "the worker stopped while sending; the post may or may not exist")
    r3fb = _queue(store, "r3", "berita-foto", "2026-07-15T08:00", ["facebook"], scheduled="2026-07-20T09:00")
    _sent(store, r3fb["facebook"], at("2026-07-20T09:00") + 300)  # waits from its scheduled time
    r4 = _queue(store, "r4", "berita-foto", "2026-07-29T23:30", ["website", "twitter"])
    _sent(store, r4["website"], at("2026-07-29T23:30") + 45)
    store.cancel(r4["twitter"], at("2026-07-29T23:31"))
    r5 = _queue(store, "r5", "siaran-pers", "2026-08-01T05:00", ["website"])
    _sent(store, r5["website"], at("2026-08-01T05:00") + 5)
    return store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = fill(tmp_path / "log.db")
    yield s
    s.close()


def july(store: Store) -> dict:
    start, end = rep.period("2026-07-01", "2026-07-31", TZ)
    return rep.build(store, start, end, TZ, generated=datetime.fromisoformat("2026-08-02T08:00+07:00"))


def pick(rows: list[dict], **key) -> dict:
    [row] = [r for r in rows if all(r[k] == v for k, v in key.items())]
    return row


def test_totals_are_exact(store):
    t = july(store)["totals"]
    assert t == {"releases": 4, "channels": 3, "deliveries": 11, "sent": 7, "failed": 2, "unknown": 1,
                 "other": 1, "success_rate": pytest.approx(0.7), "median_seconds": pytest.approx(90),
                 "p90_seconds": pytest.approx(420)}  # 300 + 0.4 * (600 - 300)


def test_per_channel_and_section(store):
    r = july(store)
    web = pick(r["by_channel"], channel="website")
    assert (web["releases"], web["sent"], web["success_rate"]) == (4, 4, 1.0)
    assert web["median_seconds"] == pytest.approx(52.5) and web["p90_seconds"] == pytest.approx(81)
    tw = pick(r["by_channel"], channel="twitter")
    assert (tw["deliveries"], tw["sent"], tw["unknown"], tw["other"]) == (4, 2, 1, 1)
    assert tw["success_rate"] == pytest.approx(2 / 3)
    assert tw["median_seconds"] == pytest.approx(360) and tw["p90_seconds"] == pytest.approx(552)
    fb = pick(r["by_channel"], channel="facebook")
    assert (fb["sent"], fb["failed"], fb["median_seconds"]) == (1, 2, pytest.approx(300))
    assert [s["section"] for s in r["by_section"]] == ["siaran-pers", "berita-foto"]
    sp = pick(r["by_section"], section="siaran-pers")
    assert (sp["label"], sp["releases"], sp["deliveries"], sp["sent"], sp["failed"]) == \
        ("Siaran Pers", 2, 6, 4, 2)
    assert sp["median_seconds"] == pytest.approx(90) and sp["p90_seconds"] == pytest.approx(456)
    bf = pick(r["by_section"], section="berita-foto")
    assert (bf["releases"], bf["success_rate"], bf["p90_seconds"]) == (2, 0.75, pytest.approx(258))
    cross = pick(r["by_channel_section"], channel="facebook", section="berita-foto")
    assert (cross["sent"], cross["success_rate"]) == (1, 1.0)


def test_failures_grouped_by_cause(store):
    failures = july(store)["failures"]
    assert [(f["kind"], f["cause"], f["count"], f["channels"]) for f in failures] == [
        ("rate_limit", "rate limited; retry after N s", 2, {"facebook": 2}),
        ("lease", "the worker stopped while sending; the post may or may not exist", 1, {"twitter": 1}),
    ]
    assert failures[1]["unknown"] == 1 and failures[0]["failed"] == 2


def test_weekly_volume_by_due_week(store):
    weeks = july(store)["weekly"]
    assert [(w["week"], w["start"], w["sent"], w["failed"], w["unknown"], w["other"]) for w in weeks] == [
        ("2026-W27", "2026-06-29", 2, 1, 0, 0),
        ("2026-W28", "2026-07-06", 2, 1, 0, 0),
        ("2026-W29", "2026-07-13", 1, 0, 1, 0),
        ("2026-W30", "2026-07-20", 1, 0, 0, 0),  # r3's scheduled Facebook post
        ("2026-W31", "2026-07-27", 1, 0, 0, 1),
    ]
    assert weeks[3]["by_channel"] == {"facebook": 1}


def test_summary_in_indonesian(store):
    assert july(store)["summary"] == (
        "Pada periode 1–31 Juli 2026, 4 rilis dikirim ke 3 kanal (11 pengiriman); tingkat keberhasilan "
        "70,0% (7 terkirim, 2 gagal, 1 belum pasti). Waktu tunggu sampai terkirim: median 1 menit 30 detik, "
        "p90 7 menit. 1 pengiriman lain masih antre, menunggu persetujuan, atau dibatalkan. Penyebab "
        "kegagalan terbanyak: rate_limit — rate limited; retry after N s (2 kali).")


def test_time_zone_decides_the_period(store):
    start, end = rep.period("2026-07-01", "2026-07-31", "UTC")
    r = rep.build(store, start, end, "UTC")
    # in UTC, r1 (06:00 WIB on 1 July) is June and r5 (05:00 WIB on 1 August) is July
    assert r["totals"]["releases"] == 4 and r["totals"]["deliveries"] == 9


def test_empty_period_says_so(store):
    start, end = rep.period("2025-01-01", "2025-03-31", TZ)
    r = rep.build(store, start, end, TZ)
    assert r["empty"] and r["totals"]["deliveries"] == 0 and r["totals"]["success_rate"] is None
    assert r["summary"] == "Tidak ada pengiriman pada periode ini (1 Januari–31 Maret 2025)."
    html = rep.render(r, "html")
    assert "Tidak ada pengiriman pada periode ini" in html and "<svg" not in html
    assert "Tidak ada pengiriman pada periode ini" in rep.render(r, "md")
    assert json.loads(rep.render(r, "json"))["empty"] is True
    rows = list(csv.DictReader(io.StringIO(rep.render(r, "csv"))))
    assert rows[0]["table"] == "total" and rows[0]["deliveries"] == "0"


def test_json_and_csv_parse(store):
    r = july(store)
    assert json.loads(rep.render(r, "json"))["totals"]["sent"] == 7
    rows = list(csv.DictReader(io.StringIO(rep.render(r, "csv"))))
    total = pick(rows, table="total")
    assert (total["deliveries"], total["success_rate"], total["median_seconds"], total["p90_seconds"]) == \
        ("11", "0.7", "90.0", "420.0")
    assert pick(rows, table="channel", channel="twitter")["unknown"] == "1"
    assert pick(rows, table="week", week="2026-W30", channel="")["sent"] == "1"
    assert pick(rows, table="failure", kind="rate_limit")["deliveries"] == "2"


def test_markdown_has_the_tables(store):
    md = rep.render(july(store), "md")
    assert md.startswith("# Laporan evaluasi kanal: 1–31 Juli 2026")
    assert "| twitter | 4 | 4 | 2 | 0 | 1 | 66,7% | 6 menit | 9 menit 12 detik |" in md
    assert "| rate_limit | rate limited; retry after N s | 2 | facebook (2) |" in md


def test_html_has_charts_summary_and_is_self_contained(store):
    html = rep.render(july(store), "html")
    assert '<html lang="id">' in html
    assert "Pada periode 1–31 Juli 2026, 4 rilis dikirim ke 3 kanal" in html
    assert html.count("<svg") == 3 and "<polyline" in html and "<rect" in html
    assert "<script" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "70,0%" in html and "@media print" in html


def test_html_escapes_names(tmp_path):
    store = Store.open(tmp_path / "x.db")
    ids = _queue(store, "x", "siaran-pers", "2026-07-02T09:00", ["<b>evil</b>"])
    _sent(store, ids["<b>evil</b>"], at("2026-07-02T09:01"))
    start, end = rep.period("2026-07-01", "2026-07-31", TZ)
    html = rep.render(rep.build(store, start, end, TZ), "html")
    assert "<b>evil" not in html and "&lt;b&gt;evil" in html


def test_period_parsing():
    start, end = rep.period("2026-07-01", "2026-09-30", TZ)
    assert start.isoformat() == "2026-07-01T00:00:00+07:00" and end.isoformat() == "2026-10-01T00:00:00+07:00"
    _, end = rep.period("2026-07-01", "2026-07-31 12:00 WITA", TZ)
    assert end.isoformat() == "2026-07-31T12:00:00+08:00"
    assert rep.period_label(*rep.period("2026-07-01", "2026-09-30", TZ)) == "1 Juli–30 September 2026"
    assert rep.period_label(*rep.period("2026-12-01", "2027-01-31", TZ)) == "1 Desember 2026–31 Januari 2027"
    with pytest.raises(InputError, match="must come after"):
        rep.period("2026-07-31", "2026-07-01", TZ)


def test_number_and_duration_wording():
    assert rep.percentile([1, 2, 3, 4], 0.5) == 2.5 and rep.percentile([], 0.5) is None
    assert rep.percentile([10.0], 0.9) == 10.0
    assert (rep.angka(100000), rep.persen(0.976), rep.persen(None)) == ("100.000", "97,6%", "–")
    assert [rep.durasi(s) for s in (0, 45, 200, 3600, 7500, 97200)] == [
        "0 detik", "45 detik", "3 menit 20 detik", "1 jam", "2 jam 5 menit", "1 hari 3 jam"]
    message = "HTTP 503 from https://graph.facebook.com/v21.0/123/feed, id 9f8e7d6c5b4a"
    assert rep.normalise_cause(message) == "HTTP N from <url> id <id>"


def test_week_starts_follow_local_mondays():
    start, end = rep.period("2026-07-01", "2026-07-31", TZ)
    weeks = rep.week_starts(start, end, start.tzinfo)
    assert [w.date() for w in weeks] == [date(2026, 6, 29), date(2026, 7, 6), date(2026, 7, 13),
                                         date(2026, 7, 20), date(2026, 7, 27)]
    # a zone with DST: the weeks stay on local Monday midnight, so the SQL takes the CASE path
    start, end = rep.period("2026-10-19", "2026-11-08", "Europe/Berlin")
    weeks = rep.week_starts(start, end, start.tzinfo)
    assert {(w.hour, w.weekday()) for w in weeks} == {(0, 0)}
    assert weeks[1].timestamp() - weeks[0].timestamp() == 7 * 86400 + 3600  # clocks went back 25 Oct


def test_dst_weeks_are_bucketed_by_local_monday(tmp_path):
    store = Store.open(tmp_path / "dst.db")
    # Sunday 1 November 23:30 in Berlin is in the second week; counting 7 x 24 h from the first
    # Monday would put it in the third, since that first week had an hour more
    ids = _queue(store, "d", "siaran-pers", "2026-07-01T09:00", ["website"])
    with sqlite3.connect(tmp_path / "dst.db") as c:
        due = datetime.fromisoformat("2026-11-01T23:30+01:00").timestamp()
        c.execute("UPDATE deliveries SET queued_at = ?, status = 'sent', sent_at = ? WHERE id = ?",
                  (due, due + 5, ids["website"]))
    start, end = rep.period("2026-10-19", "2026-11-08", "Europe/Berlin")
    weeks = rep.build(store, start, end, "Europe/Berlin")["weekly"]
    assert [w["sent"] for w in weeks] == [0, 1, 0]


def test_fast_on_100k_deliveries(tmp_path):
    """Issue 6: the report stays well under a second on 100,000 deliveries."""
    store = Store.open(tmp_path / "big.db")
    base = at("2026-01-01T00:00")
    with sqlite3.connect(tmp_path / "big.db") as c:
        c.executemany("INSERT INTO releases (id, slug, title, section, release_json, created_at, updated_at) "
                      "VALUES (?, ?, 't', ?, '{}', ?, ?)",
                      [(i, f"r{i}", ("siaran-pers", "berita-foto")[i % 2], base, base)
                       for i in range(1, 20001)])
        c.executemany("INSERT INTO deliveries (release_id, channel, kind, status, not_before, variant_json, "
                      "queued_at, sent_at, updated_at, error_kind, last_error) "
                      "VALUES (?, ?, ?, ?, ?, '{}', ?, ?, ?, ?, ?)",
                      [(i, ch, ch, "sent" if i % 50 else "failed", base + i * 1500, base + i * 1500,
                        base + i * 1500 + i % 600 if i % 50 else None, base, None if i % 50 else "http",
                        None if i % 50 else f"HTTP 500 after {i} ms")
                       for i in range(1, 20001) for ch in CHANNELS])
    start, end = rep.period("2026-01-01", "2026-12-31", TZ)
    began = time.perf_counter()
    r = rep.build(store, start, end, TZ)
    rep.render(r, "html")
    elapsed = time.perf_counter() - began
    assert r["totals"]["deliveries"] == 100_000 and r["totals"]["failed"] == 2000
    assert [f["cause"] for f in r["failures"]] == ["HTTP N after N ms"]
    assert elapsed < 2.0, f"report took {elapsed:.2f} s on 100,000 deliveries"


def test_cli_report_formats(cli):
    fill(cli.cwd / "log.db").close()
    proc = cli("report", "--from", "2026-07-01", "--to", "2026-07-31", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert (doc["totals"]["sent"], doc["totals"]["p90_seconds"]) == (7, 420)
    proc = cli("report", "--from", "2026-07-01", "--to", "2026-07-31", "-o", "evaluasi.html")
    assert proc.returncode == 0, proc.stderr
    html = (cli.cwd / "evaluasi.html").read_text("utf-8")
    assert "<svg" in html and "tingkat keberhasilan 70,0%" in html
    proc = cli("report", "--from", "2026-07-01", "--to", "2026-07-31", "-o", "evaluasi.csv")
    with (cli.cwd / "evaluasi.csv").open(encoding="utf-8", newline="") as f:
        assert list(csv.DictReader(f))[0]["sent"] == "7"
    proc = cli("report", "--from", "2027-01-01", "--to", "2027-01-31")
    assert proc.returncode == 0 and "Tidak ada pengiriman pada periode ini" in proc.stdout
    proc = cli("report", "--from", "2026-07-01", "--to", "2026-07-31", "-o", "evaluasi.pdf")
    assert proc.returncode == 2 and "--format" in proc.stderr


REPORT_CHECK = """
return {
  lang: document.documentElement.getAttribute('lang'),
  scrollWidth: document.documentElement.scrollWidth,
  innerWidth: window.innerWidth,
  charts: [...document.querySelectorAll('svg.chart')].map(s => Math.round(s.getBoundingClientRect().width)),
  summary: document.querySelector('#ringkasan').textContent,
};
"""


def test_html_report_in_a_real_browser_at_phone_width(store, tmp_path):
    """No console error, nothing fetched, lang="id", charts drawn, no sideways scroll at 375 px."""
    import os

    from cdp import Browser, find_chromium

    exe = find_chromium()
    if exe is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Chromium is not installed; .ci/run must install it")
        pytest.skip("Chromium is not installed (Debian: apt-get install -y chromium)")
    page = tmp_path / "laporan.html"
    page.write_text(rep.render(july(store), "html"), encoding="utf-8")
    shots = Path(os.environ.get("CROSSPOST_ARTIFACTS") or tmp_path)
    browser = Browser(exe, tmp_path / "profile", timeout=20)
    try:
        report = browser.open(page.as_uri(), width=375, check_script=REPORT_CHECK,
                              screenshot=shots / "laporan-evaluasi.png", timeout=20)
    finally:
        browser.close()
    assert report.errors == [] and report.failed == []
    assert report.requests == [page.as_uri()], "the report must fetch nothing but itself"
    f = report.facts
    assert f["lang"] == "id" and f["innerWidth"] == 375
    assert f["scrollWidth"] <= 375, f"the report scrolls sideways at 375 px: {f['scrollWidth']} px"
    assert len(f["charts"]) == 3 and all(0 < w <= 375 for w in f["charts"])
    assert f["summary"].startswith("Pada periode 1–31 Juli 2026")
    assert report.screenshot is not None and report.screenshot.stat().st_size > 1000
