"""What makes `crosspost report` ready to hand in: the period as an office names it (a quarter, a
month), the office's own header, the releases with their links, causes people can read, and a CSV
that Excel opens correctly with an Indonesian locale.

The figures themselves stay in crosspost/report.py (build); this module only chooses the period
and adds what the printed report shows around them.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .errors import InputError
from .i18n import _

if TYPE_CHECKING:
    from .store import Store

_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*[QqTtKk]([1-4])\s*$")  # 2026-Q3 (also T3, K3: triwulan, kuartal)
_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
_YEAR = re.compile(r"^\s*(\d{4})\s*$")


def quarter_of(day: date) -> tuple[date, date]:
    """First and last day of the quarter holding ``day``."""
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    nxt = date(first.year + (first.month == 10), (first.month + 3 - 1) % 12 + 1, 1)
    return first, nxt - timedelta(days=1)


def last_full_quarter(today: date) -> tuple[date, date]:
    """The quarter before the one ``today`` is in (1 Dec 2026 -> 1 Jul - 30 Sep 2026)."""
    first, _last = quarter_of(today)
    return quarter_of(first - timedelta(days=1))


def resolve_period(period: str | None, start: str | None, end: str | None, today: date) -> tuple[str, str]:
    """The --from and --to texts for report.period(): from --period (2026-Q3, 2026-11, 2026), from
    --from/--to as typed, or the last full quarter when none is given."""
    if period is not None:
        if start or end:
            raise InputError(_("give --period or --from/--to, not both"))
        if m := _QUARTER.match(period):
            first, last = quarter_of(date(int(m[1]), 3 * int(m[2]) - 2, 1))
        elif m := _MONTH.match(period):
            month = int(m[2])
            if not 1 <= month <= 12:
                raise InputError(_("--period {period}: there is no month {month}").format(
                    period=period, month=month))
            first = date(int(m[1]), month, 1)
            last = date(first.year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
        elif m := _YEAR.match(period):
            first, last = date(int(m[1]), 1, 1), date(int(m[1]), 12, 31)
        else:
            raise InputError(_("--period {period}: write a quarter (2026-Q3), a month (2026-11) or a year "
                               "(2026)").format(period=period))
        return first.isoformat(), last.isoformat()
    if bool(start) != bool(end):
        raise InputError(_("give both --from and --to, or --period, or neither (the last full quarter)"))
    if start and end:
        return start, end
    first, last = last_full_quarter(today)
    return first.isoformat(), last.isoformat()


# -- causes people can read ------------------------------------------------------------------------
CAUSES = {  # error_kind -> what happened, for the head of the office (the report is in Indonesian)
    "retry": "platform atau jaringan sementara tidak dapat dihubungi; dicoba lagi otomatis",
    "rate_limit": "batas kiriman platform tercapai; dicoba lagi otomatis sesudah batasnya pulih",
    "reauth": "kredensial kanal kedaluwarsa atau dicabut; perlu `crosspost auth`",
    "permanent": "ditolak platform (isi, media, atau pengaturan kanal perlu diperbaiki)",
    "unknown": "hasil tidak pasti: jawaban platform hilang, perlu diperiksa di platform",
    "unapproved": "belum disetujui pejabat yang berwenang",
    "rejected": "ditolak pada tahap persetujuan",
    "lease": "proses pengirim terhenti di tengah jalan",
    "paused": "ditahan oleh jeda seluruh kantor",
    "internal": "galat di dalam crosspost",
    "-": "tanpa keterangan",
}


def cause_for_people(kind: str) -> str:
    return CAUSES.get(kind, kind)


def cut_words(text: str, limit: int = 140) -> str:
    """At most ``limit`` characters, cut between words with "…" (never inside a word)."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    head = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return head.rstrip(" ,;:.") + " …"


# -- the releases of the period, with their links --------------------------------------------------
RELEASES_LISTED = 1000  # a ministry's year is ~2,000 releases; the report's figures count them all


def releases_with_links(store: Store, start: float, end: float,
                        limit: int = RELEASES_LISTED) -> list[dict[str, Any]]:
    """The latest ``limit`` releases with a delivery due in [start, end): number, title, section and
    each channel's link (a report handed in lists its releases; at a million deliveries all of
    them would be megabytes nobody reads: the totals say how many there were)."""
    return [{"number": r["id"], "slug": r["slug"], "title": r["title"], "section": r["section"],
             "links": r["links"]} for r in store.report_release_links(start, end, limit)]


def office_header(office: Any) -> dict[str, str]:
    return {key: (getattr(office, key, "") or "").strip() for key in ("name", "unit")}


def add_context(report: dict[str, Any], store: Store, start: datetime, end: datetime, office: Any) -> None:
    """The office header, the releases with links and the people's causes, added to build()'s data."""
    report["office"] = office_header(office)
    report["releases"] = releases_with_links(store, start.timestamp(), end.timestamp())
    for item in report.get("failures", []):
        item["explained"] = cause_for_people(item.get("kind", "-"))
        item["detail"] = cut_words(item.get("cause", ""))
    from .report import summary

    report["summary"] = summary(report)  # its main cause, now in words for people


# -- Excel with an Indonesian locale -------------------------------------------------------------
EXCEL_COLUMNS = [("table", "Tabel"), ("channel", "Kanal"), ("section", "Rubrik"), ("week", "Minggu"),
                 ("week_start", "Mulai minggu"), ("kind", "Jenis"), ("explained", "Penyebab"),
                 ("cause", "Rincian"), ("releases", "Rilis"), ("deliveries", "Pengiriman"),
                 ("sent", "Terkirim"), ("failed", "Gagal"),
                 ("unknown", "Belum pasti"), ("other", "Lainnya"), ("success_rate", "Keberhasilan (%)"),
                 ("median_seconds", "Median tunggu (detik)"), ("p90_seconds", "P90 tunggu (detik)")]


def _excel_cell(value: Any) -> str:
    from .hygiene import csv_cell

    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", ",")
    return str(csv_cell(value))


def to_excel_csv(report: dict[str, Any]) -> str:
    """CSV that Excel set to Indonesian opens in columns: ``;`` between cells, a decimal comma, a UTF-8
    byte-order mark (so Excel reads UTF-8), Indonesian headers, the rate in percent."""
    from .report import to_csv

    buf = io.StringIO()
    buf.write("\ufeff")
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow([head for _k, head in EXCEL_COLUMNS])
    people = {f.get("cause"): f.get("explained", "") for f in report.get("failures", [])}
    for row in csv.DictReader(io.StringIO(to_csv(report))):
        cells = []
        for key, _head in EXCEL_COLUMNS:
            raw = row.get(key, "") if key != "explained" else people.get(row.get("cause"), "")
            if key == "cause" and raw:
                raw = cut_words(raw)
            if key == "success_rate" and raw:
                cells.append(_excel_cell(float(raw) * 100))
            elif key in ("median_seconds", "p90_seconds") and raw:
                cells.append(_excel_cell(float(raw)))
            else:
                cells.append(_excel_cell(raw))
        w.writerow(cells)
    return buf.getvalue()
