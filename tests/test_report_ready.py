"""The evaluation report ready to hand in: --period (quarter, month, year), the last full quarter by
default, the office's header, the releases with their links, causes written for people, CSV that
Excel opens with an Indonesian locale. Real processes for the CLI, both languages."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from test_report import fill

from crosspost.errors import InputError
from crosspost.report_extras import cut_words, last_full_quarter, resolve_period


@pytest.mark.parametrize(("period", "expected"), [
    ("2026-Q3", ("2026-07-01", "2026-09-30")),
    ("2026-q4", ("2026-10-01", "2026-12-31")),
    ("2026-T1", ("2026-01-01", "2026-03-31")),  # triwulan
    ("2026-11", ("2026-11-01", "2026-11-30")),
    ("2026-02", ("2026-02-01", "2026-02-28")),
    ("2026-12", ("2026-12-01", "2026-12-31")),
    ("2026", ("2026-01-01", "2026-12-31")),
])
def test_period_names(period, expected):
    assert resolve_period(period, None, None, date(2026, 12, 2)) == expected


def test_default_is_the_last_full_quarter():
    assert resolve_period(None, None, None, date(2026, 12, 2)) == ("2026-07-01", "2026-09-30")
    assert last_full_quarter(date(2026, 1, 15)) == (date(2025, 10, 1), date(2025, 12, 31))
    assert last_full_quarter(date(2026, 4, 1)) == (date(2026, 1, 1), date(2026, 3, 31))
    assert resolve_period(None, "2026-07-01", "2026-07-31", date(2026, 12, 2)) == ("2026-07-01", "2026-07-31")


@pytest.mark.parametrize(("args", "message"), [
    (("2026-Q5", None, None), "write a quarter"),
    (("2026-13", None, None), "there is no month 13"),
    (("2026-Q3", "2026-07-01", None), "not both"),
    ((None, "2026-07-01", None), "give both --from and --to"),
])
def test_bad_periods(args, message):
    with pytest.raises(InputError, match=message):
        resolve_period(*args, date(2026, 12, 2))


def test_causes_are_cut_between_words():
    text = "Instagram Graph API (code 4, HTTP 400): rate limited or the 24-hour publishing limit is used up"
    cut = cut_words(text, 40)
    assert cut.endswith(" …") and len(cut) <= 42 and text.startswith(cut[:-2])
    last = cut[:-2].split()[-1]
    assert last in [w.rstrip(" ,;:.") for w in text.split()]  # the last word is whole
    assert cut_words("pendek", 40) == "pendek"


def office(cli) -> None:
    toml = cli.cwd / "channels.toml"
    toml.write_text(toml.read_text("utf-8").replace(
        'database = "log.db"\n', 'database = "log.db"\n[office]\nname = "Kementerian Sosial Republik '
        'Indonesia"\nunit = "Biro Hubungan Masyarakat"\n'), "utf-8")


def test_cli_period_header_releases_causes(cli):
    fill(cli.cwd / "log.db").close()
    office(cli)
    code, q3 = cli.json("report", "--period", "2026-Q3", "--format", "json")
    _code, month = cli.json("report", "--period", "2026-07", "--format", "json")
    assert q3["totals"]["sent"] == 8 and month["totals"]["sent"] == 7  # August's r5 is in the quarter
    assert q3["office"] == {"name": "Kementerian Sosial Republik Indonesia",
                            "unit": "Biro Hubungan Masyarakat"}
    by_slug = {r["slug"]: r for r in month["releases"]}
    assert {"channel": "website", "url": "https://example.test/p/2"} in by_slug["r1"]["links"]
    [rate] = [f for f in month["failures"] if f["kind"] == "rate_limit"]
    assert rate["explained"].startswith("batas kiriman platform tercapai")

    proc = cli("report", "--period", "2026-07", "-o", "laporan.html")
    assert proc.returncode == 0, proc.stderr
    html = (cli.cwd / "laporan.html").read_text("utf-8")
    assert "Kementerian Sosial Republik Indonesia" in html and "Biro Hubungan Masyarakat" in html
    assert "Rilis pada periode ini" in html and 'href="https://example.test/p/2"' in html
    assert "Penyebab kegagalan terbanyak: batas kiriman platform tercapai" in html
    scrolling = html.count('<div class="scroll"><table>')
    assert scrolling == html.count("<table>")  # every table scrolls sideways on a phone
    proc = cli("report", "--period", "2026-07")
    assert proc.stdout.startswith("# Laporan evaluasi kanal: 1–31 Juli 2026")
    assert "**Biro Hubungan Masyarakat**" in proc.stdout and "## Rilis pada periode ini" in proc.stdout

    code, default = cli.json("report", "--format", "json")  # the last full quarter before today
    assert code == 0 and default["period"]["label"]


def test_cli_excel_csv(cli):
    fill(cli.cwd / "log.db").close()
    proc = cli("report", "--period", "2026-07", "--excel", "-o", "laporan.csv")
    assert proc.returncode == 0, proc.stderr
    raw = (cli.cwd / "laporan.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the accents right
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    head = rows[0]
    assert head[:3] == ["Tabel", "Kanal", "Rubrik"] and "Keberhasilan (%)" in head
    total = dict(zip(head, rows[1], strict=True))
    assert total["Terkirim"] == "7" and total["Keberhasilan (%)"] == "70,00"  # decimal comma
    failure = next(dict(zip(head, r, strict=True)) for r in rows if r[0] == "failure")
    assert failure["Penyebab"] and "\r\n" in raw.decode("utf-8-sig")


def test_cli_period_errors_in_both_languages(cli):
    fill(cli.cwd / "log.db").close()
    proc = cli("--lang", "id", "report", "--period", "2026-Q5")
    assert proc.returncode == 2
    assert "tulis triwulan (2026-Q3), bulan (2026-11), atau tahun (2026)" in proc.stderr
    proc = cli("--lang", "en", "report", "--period", "2026-Q5")
    assert proc.returncode == 2 and "write a quarter (2026-Q3)" in proc.stderr
    proc = cli("--lang", "id", "report", "--from", "2026-07-01")
    assert proc.returncode == 2 and "isi --from dan --to sekaligus" in proc.stderr
    assert json.loads(cli("report", "--period", "2026-07", "--format", "json").stdout)["totals"]["sent"] == 7
