"""Dates as Indonesians write them, in front matter and `--at`: day first, a dot between hours and
minutes, month names, WIB/WITA/WIT; wrong ones refused with a reason in both languages."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from conftest import REPO

from crosspost import i18n
from crosspost.errors import InputError
from crosspost.id_dates import parse_indonesian
from crosspost.timezones import parse_when

BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
         "November", "Desember")


@pytest.mark.parametrize(("text", "iso"), [
    ("01/12/2026 14.30 WITA", "2026-12-01T14:30:00+08:00"),
    ("5 Desember 2026 pukul 09.00 WIB", "2026-12-05T09:00:00+07:00"),
    ("Sabtu, 5 Des 2026 jam 9.00", "2026-12-05T09:00:00+07:00"),
    ("5 desember 2026, 09:00 WIT", "2026-12-05T09:00:00+09:00"),
    ("17-08-2026", "2026-08-17T00:00:00+07:00"),
    ("1 Agt 2026 pkl. 07.15 WITA", "2026-08-01T07:15:00+08:00"),
    ("2026-12-01 09.00 WITA", "2026-12-01T09:00:00+08:00"),  # ISO still works
])
def test_indonesian_dates(text, iso):
    assert parse_when(text, "Asia/Jakarta").isoformat() == iso


def test_iso_is_not_taken_for_a_day_first_date():
    assert parse_indonesian("2026-12-01") is None and parse_indonesian("besok pagi") is None


@pytest.mark.parametrize(("text", "english", "indonesian"), [
    ("12/31/2026 10.00", "there is no month 31; the day comes first", "tidak ada bulan 31; tanggal ditulis"),
    ("31/02/2026", "is not a real date: that month has no day 31", "bukan tanggal yang ada"),
    ("5 Desembr 2026", "'Desembr' is not a month", "'Desembr' bukan nama bulan"),
    ("01/12/2026 24.30", "24.30 is not a time of day", "24.30 bukan jam yang ada"),
])
def test_impossible_dates_say_why_in_both_languages(text, english, indonesian):
    with pytest.raises(InputError, match=english):
        parse_when(text, "Asia/Jakarta")
    i18n.setup("id")
    try:
        with pytest.raises(InputError, match=indonesian):
            parse_when(text, "Asia/Jakarta")
    finally:
        i18n.setup("en")


def test_front_matter_date_and_at_the_indonesian_way(cli, tmp_path):
    release = tmp_path / "rilis.md"
    body = (REPO / "examples" / "siaran-pers-lumbung-sosial.md").read_text(encoding="utf-8")
    head, rest = body.split("\n", 1)
    lines = [ln for ln in rest.splitlines() if not ln.startswith(("date:", "images:", "  - ", "    "))]
    release.write_text(head + "\ndate: 01/12/2026 14.30 WITA\n" + "\n".join(lines) + "\n", encoding="utf-8")
    code, doc = cli.json("preview", str(release), "-c", "website")
    assert doc["release"]["date"] == "2026-12-01T14:30:00+08:00", doc["release"]

    later = datetime.now() + timedelta(days=40)
    at = f"{later.day} {BULAN[later.month - 1]} {later.year} pukul 09.00 WIB"
    proc = cli("--lang", "id", "publish", str(release), "-c", "website", "--at", at)
    assert proc.returncode == 0, proc.stderr
    assert f"{later:%Y-%m-%d} 09:00 WIB" in proc.stdout and "dijadwalkan" in proc.stdout

    proc = cli("--lang", "id", "publish", str(release), "-c", "website", "--at", "31/02/2027 09.00")
    assert proc.returncode == 2 and "bukan tanggal yang ada: bulan itu tidak punya tanggal 31" in proc.stderr
    proc = cli("--lang", "en", "publish", str(release), "-c", "website", "--at", "31/02/2027 09.00")
    assert proc.returncode == 2 and "is not a real date: that month has no day 31" in proc.stderr
