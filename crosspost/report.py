"""The evaluation report: how each channel and section did over a period (issue 5).

Definitions (the README repeats them, because a supervisor will quote these figures):

* A delivery belongs to the period when it was *due* in it: the moment it was queued, or its
  scheduled time when that is later. Period bounds are read in the office's time zone; a
  date-only ``--to`` includes that whole day.
* Success rate = sent / (sent + failed + unknown). Deliveries still queued, awaiting approval
  or cancelled are counted under "other" and left out of the rate.
* Waiting time = sent_at - due, for sent deliveries. The median and p90 interpolate linearly
  between the two nearest values (numpy's default), so the median of 1, 2, 3, 4 is 2.5.
* Failures (failed or unknown) are grouped by error kind and the message with numbers, links
  and ids replaced, so "retry after 900 s" and "retry after 60 s" are one cause.
* Weekly volume: deliveries by the week (Monday 00:00 local) they were due.

The counting runs in SQL (GROUP BY over the due-time expression); only the waiting times of
sent deliveries come back to Python, for the percentiles. The HTML draws its charts as inline
SVG made here: no JavaScript, nothing fetched, patterns as well as colours so it prints.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from .aggregates import percentile as hist_percentile
from .errors import InputError
from .i18n import _
from .models import SECTIONS
from .report_format import BULAN, LINE_STYLES, _md_table, angka, bar_chart, durasi, line_chart, persen
from .timezones import parse_when, zone

if TYPE_CHECKING:
    from .store import Store

FORMATS = ("html", "md", "csv", "json")
COUNTED = ("sent", "failed", "unknown")
TEMPLATE = "report_html.j2"
_DATE_ONLY = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$")


# -- period --------------------------------------------------------------------------------------
def period(start_text: str, end_text: str, tz: str) -> tuple[datetime, datetime]:
    """[start, end) from what the operator typed; a date-only end means the end of that day."""
    start = parse_when(start_text, tz)
    end = end_of(end_text, tz)
    if end <= start:
        raise InputError(_(
            '--to ({end_text}) must come after --from ({start_text})').format(
            end_text=end_text, start_text=start_text))
    return start, end


def end_of(text: str, tz: str) -> datetime:
    """The instant a period given as ``--to TEXT`` ends (exclusive): a bare date includes its day."""
    end = parse_when(text, tz)
    return end + timedelta(days=1) if _DATE_ONLY.match(text) else end  # wall clock: DST-safe


def week_starts(start: datetime, end: datetime, tz: tzinfo) -> list[datetime]:
    """Monday 00:00 local of every week touching [start, end)."""
    local = start.astimezone(tz)
    monday = (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    out = []
    while monday < end:
        out.append(monday)
        monday = monday + timedelta(days=7)  # wall-clock arithmetic: DST-safe
    return out


# -- figures -------------------------------------------------------------------------------------
def percentile(ordered: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks on an ascending list."""
    if not ordered:
        return None
    pos = q * (len(ordered) - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


_URL = re.compile(r"https?://\S+")
_ID = re.compile(r"\b(?=[0-9a-f_-]*\d)[0-9a-f_-]{8,}\b", re.I)
_NUM = re.compile(r"\d+(?:[.,:]\d+)*")


def normalise_cause(message: str | None) -> str:
    """A failure message with the parts that differ between occurrences replaced."""
    text = _URL.sub("<url>", message or "")
    text = _ID.sub("<id>", text)
    text = _NUM.sub("N", text)
    text = " ".join(text.split()).rstrip(" .")
    return text[:160] or "(tanpa pesan)"


def _metrics(counts: Counter, delays: Counter, releases: int) -> dict[str, Any]:
    counted = sum(counts[s] for s in COUNTED)
    total = sum(counts.values())
    return {
        "releases": releases, "deliveries": total, "sent": counts["sent"], "failed": counts["failed"],
        "unknown": counts["unknown"], "other": total - counted,
        "success_rate": counts["sent"] / counted if counted else None,
        "median_seconds": _ms(hist_percentile(delays, 0.5)), "p90_seconds": _ms(hist_percentile(delays, 0.9)),
    }


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 3)


def build(store: Store, start: datetime, end: datetime, tz_name: str,
          generated: datetime | None = None) -> dict[str, Any]:
    """Every figure of the report as plain data (what --format json prints)."""
    tz = zone(tz_name)
    s, e = start.timestamp(), end.timestamp()
    starts = week_starts(start, end, tz)
    weeks = [{"week": f"{w.isocalendar().year}-W{w.isocalendar().week:02d}", "start": w.date().isoformat(),
              "sent": 0, "failed": 0, "unknown": 0, "other": 0, "by_channel": {}} for w in starts]
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    delays: dict[tuple[str, str], Counter] = defaultdict(Counter)  # waiting second -> deliveries
    figures = store.report_figures(s, e, [w.timestamp() for w in starts])
    for row in figures["groups"]:
        key, status, n = (row["channel"], row["section"]), row["status"], row["n"]
        counts[key][status] += n
        week = weeks[row["week"]]
        week[status if status in COUNTED else "other"] += n
        if status == "sent":
            week["by_channel"][key[0]] = week["by_channel"].get(key[0], 0) + n
    for row in figures["waits"]:
        delays[(row["channel"], row["section"])][float(row["second"])] += row["n"]
    by_channel_d: dict[str, Counter] = defaultdict(Counter)
    by_section_d: dict[str, Counter] = defaultdict(Counter)
    every: Counter = Counter()
    for (channel, section), hist in delays.items():
        by_channel_d[channel].update(hist)
        by_section_d[section].update(hist)
        every.update(hist)
    section_releases = figures["releases"]

    channels = sorted({c for c, _ in counts})
    sections = sorted({x for _, x in counts}, key=lambda x: (list(SECTIONS).index(x) if x in SECTIONS
                                                             else len(SECTIONS), x))

    def total(keys: Iterable[tuple[str, str]]) -> Counter:
        out: Counter = Counter()
        for k in keys:
            out.update(counts[k])
        return out

    by_channel = []
    for c in channels:
        sums = total(k for k in counts if k[0] == c)
        by_channel.append({"channel": c, **_metrics(sums, by_channel_d[c], sum(sums.values()))})
    by_section = [{"section": x, "label": SECTIONS.get(x, x),
                   **_metrics(total(k for k in counts if k[1] == x), by_section_d[x],
                              section_releases.get(x, 0))}
                  for x in sections]
    cross = [{"channel": c, "section": x, "label": SECTIONS.get(x, x),
              **_metrics(counts[(c, x)], delays[(c, x)], sum(counts[(c, x)].values()))}
             for c in channels for x in sections if (c, x) in counts]
    totals = _metrics(total(counts), every, sum(section_releases.values()))
    totals["channels"] = len(channels)

    causes: dict[tuple[str, str], dict[str, Any]] = {}
    for row in figures["failures"]:
        kind = row["error_kind"] or "-"
        key = (kind, normalise_cause(row["last_error"]))
        item = causes.setdefault(key, {"kind": kind, "cause": key[1], "count": 0, "failed": 0, "unknown": 0,
                                       "channels": Counter(), "example": row["last_error"] or ""})
        item["count"] += row["n"]
        item[row["status"]] += row["n"]
        item["channels"][row["channel"]] += row["n"]
    failures = sorted(causes.values(), key=lambda i: (-i["count"], i["kind"], i["cause"]))
    for item in failures:
        item["channels"] = dict(sorted(item["channels"].items()))

    generated = generated or datetime.now(tz)
    report = {
        "period": {"from": start.astimezone(tz).isoformat(), "to": end.astimezone(tz).isoformat(),
                   "label": period_label(start.astimezone(tz), end.astimezone(tz)), "timezone": tz_name},
        "generated_at": generated.astimezone(tz).isoformat(timespec="seconds"),
        "empty": totals["deliveries"] == 0,
        "totals": totals, "by_channel": by_channel, "by_section": by_section, "by_channel_section": cross,
        "failures": failures, "weekly": weeks,
    }
    report["summary"] = summary(report)
    from . import report_engagement  # issue 14: reach, replies and aduan (its own module)

    report_engagement.attach(report, store, s, e, tz, starts)
    return report


def _day(d: datetime, year: bool = True, month: bool = True) -> str:
    return f"{d.day}" + (f" {BULAN[d.month - 1]}" if month else "") + (f" {d.year}" if year else "")


def period_label(start: datetime, end: datetime) -> str:
    """'1 Juli–30 September 2026' for [1 Jul, 1 Oct); times shown only when the bounds have them."""
    last = end - timedelta(days=1) if (end.hour, end.minute, end.second) == (0, 0, 0) else end
    if last.date() <= start.date():
        return _day(start)
    if start.year != last.year:
        return f"{_day(start)}–{_day(last)}"
    if start.month != last.month:
        return f"{_day(start, year=False)}–{_day(last)}"
    return f"{_day(start, year=False, month=False)}–{_day(last)}"


def summary(report: dict[str, Any]) -> str:
    label = report["period"]["label"]
    t = report["totals"]
    if report["empty"]:
        return f"Tidak ada pengiriman pada periode ini ({label})."
    text = (f"Pada periode {label}, {angka(t['releases'])} rilis dikirim ke {angka(t['channels'])} kanal "
            f"({angka(t['deliveries'])} pengiriman); tingkat keberhasilan {persen(t['success_rate'])} "
            f"({angka(t['sent'])} terkirim, {angka(t['failed'])} gagal, {angka(t['unknown'])} belum pasti).")
    if t["median_seconds"] is not None:
        text += (f" Waktu tunggu sampai terkirim: median {durasi(t['median_seconds'])}, "
                 f"p90 {durasi(t['p90_seconds'])}.")
    if t["other"]:
        text += f" {angka(t['other'])} pengiriman lain masih antre, menunggu persetujuan, atau dibatalkan."
    if report["failures"]:
        top = report["failures"][0]
        why = top.get("explained") or f"{top['kind']} — {top['cause']}"  # explained: report_extras
        text += f" Penyebab kegagalan terbanyak: {why} ({angka(top['count'])} kali)."
    else:
        text += " Tidak ada kegagalan."
    return text


# -- output formats ------------------------------------------------------------------------------
def to_json(report: dict[str, Any]) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


CSV_COLUMNS = ["table", "channel", "section", "week", "week_start", "kind", "cause", "releases", "deliveries",
               "sent", "failed", "unknown", "other", "success_rate", "median_seconds", "p90_seconds"]


def to_csv(report: dict[str, Any]) -> str:
    """One table of rows tagged by ``table`` (total, channel, section, channel_section, week, failure);
    machine-readable numbers (dot decimals, seconds)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()

    from .hygiene import csv_cell

    def fmt(row: dict[str, Any]) -> dict[str, Any]:
        return {k: ("" if v is None else round(v, 6) if isinstance(v, float) else csv_cell(v))
                for k, v in row.items()}

    w.writerow(fmt({"table": "total", **report["totals"]}))
    for row in report["by_channel"]:
        w.writerow(fmt({"table": "channel", **row}))
    for row in report["by_section"]:
        w.writerow(fmt({"table": "section", **row}))
    for row in report["by_channel_section"]:
        w.writerow(fmt({"table": "channel_section", **row}))
    for wk in report["weekly"]:
        w.writerow(fmt({"table": "week", "week": wk["week"], "week_start": wk["start"], "sent": wk["sent"],
                        "failed": wk["failed"], "unknown": wk["unknown"], "other": wk["other"],
                        "deliveries": wk["sent"] + wk["failed"] + wk["unknown"] + wk["other"]}))
        for channel, n in sorted(wk["by_channel"].items()):
            w.writerow(fmt({"table": "week", "week": wk["week"], "week_start": wk["start"],
                            "channel": channel, "sent": n}))
    for f in report["failures"]:
        w.writerow(fmt({"table": "failure", "kind": f["kind"], "cause": f["cause"], "failed": f["failed"],
                        "unknown": f["unknown"], "deliveries": f["count"],
                        "channel": " ".join(f"{c}={n}" for c, n in f["channels"].items())}))
    return buf.getvalue()


METRIC_HEAD = ["Rilis", "Pengiriman", "Terkirim", "Gagal", "Belum pasti", "Keberhasilan", "Median tunggu",
               "P90 tunggu"]


def _metric_cells(m: dict[str, Any]) -> list[str]:
    return [angka(m["releases"]), angka(m["deliveries"]), angka(m["sent"]), angka(m["failed"]),
            angka(m["unknown"]), persen(m["success_rate"]), durasi(m["median_seconds"]),
            durasi(m["p90_seconds"])]


def to_md(report: dict[str, Any]) -> str:
    from .hygiene import md_text

    office = report.get("office") or {}
    out = [f"# Laporan evaluasi kanal: {report['period']['label']}", ""]
    out += [f"**{md_text(x)}**  " for x in (office.get("name"), office.get("unit")) if x]
    out += ["", md_text(report["summary"]), ""]
    if report["empty"]:
        return "\n".join(out)
    out += ["## Per kanal", ""]
    out += _md_table(["Kanal", *METRIC_HEAD],
                     ([r["channel"], *_metric_cells(r)] for r in report["by_channel"]))
    out += ["## Per rubrik", ""]
    out += _md_table(["Rubrik", *METRIC_HEAD],
                     ([r["label"], *_metric_cells(r)] for r in report["by_section"]))
    out += ["## Per kanal dan rubrik", ""]
    out += _md_table(["Kanal", "Rubrik", *METRIC_HEAD],
                     ([r["channel"], r["label"], *_metric_cells(r)] for r in report["by_channel_section"]))
    out += ["## Penyebab kegagalan", ""]
    if report["failures"]:
        out += _md_table(["Penyebab", "Rincian", "Jumlah", "Kanal"],
                         ([f.get("explained") or f["kind"], f.get("detail") or f["cause"], angka(f["count"]),
                           ", ".join(f"{c} ({n})" for c, n in f["channels"].items())]
                          for f in report["failures"]))
    else:
        out += ["Tidak ada kegagalan.", ""]
    out += ["## Volume per minggu", ""]
    out += _md_table(["Minggu", "Mulai", "Terkirim", "Gagal", "Belum pasti", "Lainnya"],
                     ([w["week"], w["start"], angka(w["sent"]), angka(w["failed"]), angka(w["unknown"]),
                       angka(w["other"])] for w in report["weekly"]))
    if report.get("releases"):
        out += ["## Rilis pada periode ini", ""]
        listed, total = len(report["releases"]), report["totals"]["releases"]
        if total > listed:
            out += [f"{angka(listed)} rilis terbaru dari {angka(total)} (semua terhitung dalam angka di "
                    "atas).", ""]
        out += _md_table(["No.", "Judul", "Rubrik", "Tautan"],
                         ([f"#{r['number']}", r["title"], SECTIONS.get(r["section"], r["section"]),
                           " ".join(f"{x['channel']}: {x['url']}" for x in r["links"]) or "–"]
                          for r in report["releases"]))
    out.append(f"_Dibuat {report['generated_at']} ({report['period']['timezone']})._")
    return "\n".join(out) + "\n"


def charts(report: dict[str, Any]) -> dict[str, Markup]:
    if report["empty"]:
        return {}
    weeks = report["weekly"]
    labels = [f"{int(w['start'][8:10])}/{int(w['start'][5:7])}" for w in weeks]
    channels = [r["channel"] for r in report["by_channel"]][: len(LINE_STYLES) - 1]
    series = [("Semua kanal (terkirim)", [w["sent"] for w in weeks])]
    series += [(c, [w["by_channel"].get(c, 0) for w in weeks]) for c in channels]
    return {
        "channels": bar_chart("Pengiriman per kanal", [(r["channel"], r) for r in report["by_channel"]],
                              "chart-kanal"),
        "sections": bar_chart("Pengiriman per rubrik", [(r["label"], r) for r in report["by_section"]],
                              "chart-rubrik"),
        "weekly": line_chart("Volume terkirim per minggu", labels, series, "chart-minggu"),
    }


@lru_cache(maxsize=1)
def _env():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(str(Path(__file__).parent)), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(angka=angka, persen=persen, durasi=durasi)
    return env


def to_html(report: dict[str, Any]) -> str:
    return _env().get_template(TEMPLATE).render(r=report, charts=charts(report), sections=SECTIONS,
                                                office=report.get("office") or {},
                                                releases=report.get("releases") or []) + "\n"


RENDERERS = {"json": to_json, "csv": to_csv, "md": to_md, "html": to_html}


def render(report: dict[str, Any], fmt: str) -> str:
    if fmt not in RENDERERS:
        raise InputError(_(
            "unknown report format '{fmt}': use one of {FORMATS}").format(
            fmt=fmt, FORMATS=', '.join(FORMATS)))
    from .report_engagement import extend

    return extend(RENDERERS[fmt](report), report, fmt)
