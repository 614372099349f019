"""The evaluation report's reach and engagement figures (issue 14), kept out of crosspost.report
so the delivery figures and these can change apart. ``attach`` adds ``report["engagement"]`` and
puts its two or three Indonesian sentences at the top of the summary; ``extend`` adds the
section to the rendered md, csv and html (json carries the data as it is).

Definitions (the README repeats them):

* A post belongs to the period when it was sent in it; its figures are the latest snapshot
  `crosspost metrics fetch` stored ("diukur N hari setelah terbit" says how old they are).
* Views (tayangan) and reach (jangkauan) are the platform's own figures; interactions are the
  platform's total when it gives one (Instagram ``total_interactions``), else the sum of the
  likes/reactions, comments, shares, reposts, quotes, saves and bookmarks it reports.
* Engagement rate = interactions / reach, over the posts that have both (views stand in for
  reach on a platform that gives no reach, e.g. X and the website).
* A figure no post of a group was given is None ("tidak tersedia"), never 0; a sum covers only
  the posts that gave it (``*_posts`` says how many).
* Replies and aduan count only posts whose replies were fetched at least once; the median time
  from an aduan to `inbox done` covers the aduan marked handled.
"""

from __future__ import annotations

import csv
import io
import json
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import Any

from markupsafe import Markup, escape

NA = "tidak tersedia"
INTERACTIONS = ("likes", "reactions", "comments", "shares", "quotes", "saves", "bookmarks")
CHANNEL_LABEL = {"views": "tayangan", "reach": "jangkauan"}


def _interactions(m: dict[str, float]) -> float | None:
    if "interactions" in m:
        return m["interactions"]
    got = [m[k] for k in INTERACTIONS if k in m]
    return sum(got) if got else None


def _post(row: dict[str, Any]) -> dict[str, Any]:
    m = json.loads(row["metrics_json"]) if row["metrics_json"] else {}
    base = m.get("reach", m.get("views"))
    return {
        **row,
        "views": m.get("views"),
        "reach": m.get("reach"),
        "interactions": _interactions(m),
        "base": base,
        "fetched": row["replies_fetched_at"] is not None,
        "measured_after_days": (
            round((row["measured_at"] - row["sent_at"]) / 86400, 1) if row["measured_at"] else None
        ),
    }


def _sum(posts: list[dict[str, Any]], key: str) -> tuple[float | None, int]:
    got = [p[key] for p in posts if p[key] is not None]
    return (sum(got) if got else None), len(got)


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    v = sorted(values)
    mid = len(v) // 2
    return v[mid] if len(v) % 2 else (v[mid - 1] + v[mid]) / 2


def figures(posts: list[dict[str, Any]], handled: list[float], count: int) -> dict[str, Any]:
    """One group's figures (a channel, a section, a release, or everything): ``posts`` are its
    posts with any data, ``count`` all its posts sent in the period."""
    views, views_n = _sum(posts, "views")
    reach, reach_n = _sum(posts, "reach")
    inter, inter_n = _sum(posts, "interactions")
    rated = [p for p in posts if p["interactions"] is not None and p["base"]]
    rate = (sum(p["interactions"] for p in rated) / sum(p["base"] for p in rated)) if rated else None
    fetched = [p for p in posts if p["fetched"]]
    return {
        "posts": count,
        "views": views,
        "views_posts": views_n,
        "reach": reach,
        "reach_posts": reach_n,
        "interactions": inter,
        "interactions_posts": inter_n,
        "engagement_rate": rate,
        "replies": sum(p["replies"] for p in fetched) if fetched else None,
        "aduan": sum(p["aduan"] for p in fetched) if fetched else None,
        "pertanyaan": sum(p["pertanyaan"] for p in fetched) if fetched else None,
        "aduan_handled": len(handled),
        "median_handling_seconds": _median(handled),
    }


def build(store: Any, start: float, end: float, tz: tzinfo, week_starts: list[datetime]) -> dict[str, Any]:
    posts = [_post(r) for r in store.engagement_posts(start, end)]
    counts = store.engagement_counts(start, end)
    times = store.handling_times(start, end)
    groups: dict[str, dict[str, list]] = {k: defaultdict(list) for k in ("channel", "section", "release")}
    handled: dict[str, dict[str, list[float]]] = {k: defaultdict(list) for k in groups}
    sent: dict[str, dict[str, int]] = {
        "channel": defaultdict(int),
        "section": defaultdict(int),
        "release": counts["releases"],
    }
    for g in counts["groups"]:
        sent["channel"][g["channel"]] += g["n"]
        sent["section"][g["section"]] += g["n"]
    for p in posts:
        for key, value in (("channel", p["channel"]), ("section", p["section"]), ("release", p["slug"])):
            groups[key][value].append(p)
    for t in times:
        for key, value in (("channel", t["channel"]), ("section", t["section"]), ("release", t["slug"])):
            handled[key][value].append(t["seconds"])
    from .models import SECTIONS

    def of(key: str, value: str) -> dict[str, Any]:
        return figures(groups[key].get(value, []), handled[key].get(value, []), sent[key].get(value, 0))

    by_channel = [{"channel": c, **of("channel", c)} for c in sorted(sent["channel"])]
    by_section = [
        {"section": x, "label": SECTIONS.get(x, x), **of("section", x)} for x in sorted(sent["section"])
    ]
    by_release = []
    for slug, ps in groups["release"].items():
        links = [{"channel": p["channel"], "url": p["url"]} for p in ps if p["url"]]
        ages = [p["measured_after_days"] for p in ps if p["measured_after_days"] is not None]
        by_release.append(
            {
                "release": slug,
                "title": ps[0]["title"],
                "links": links,
                "measured_after_days": min(ages) if ages else None,
                **of("release", slug),
            }
        )
    by_release.sort(key=lambda r: (-(r["reach"] or 0), -(r["views"] or 0), r["release"]))
    top = [r for r in by_release if r["reach"] is not None or r["views"] is not None][:10]
    total = figures(posts, [t["seconds"] for t in times], sum(sent["channel"].values()))
    return {
        "totals": total,
        "by_channel": by_channel,
        "by_section": by_section,
        "by_release": by_release,
        "top_releases": top,
        "weekly_reach": _weekly(posts, week_starts),
        "measured": any(p["metrics_json"] for p in posts),
        "fetched": any(p["fetched"] for p in posts),
        "summary": "",
    }


def _weekly(posts: list[dict[str, Any]], week_starts: list[datetime]) -> dict[str, Any]:
    """Reach per week (of the post's sending) per channel; a channel without any reach is drawn
    with its views, and says so in its label."""
    bounds = [w.timestamp() for w in week_starts]
    measure: dict[str, str] = {}
    for p in posts:
        if p["reach"] is not None:
            measure[p["channel"]] = "reach"
        elif p["views"] is not None:
            measure.setdefault(p["channel"], "views")
    series: dict[str, list[float]] = {c: [0.0] * len(bounds) for c in sorted(measure)}
    for p in posts:
        key = measure.get(p["channel"])
        if key is None or p[key] is None or not bounds:
            continue
        week = max(0, bisect_right(bounds, p["sent_at"]) - 1)
        series[p["channel"]][week] += p[key]
    return {"weeks": [w.date().isoformat() for w in week_starts], "measure": measure, "series": series}


# -- wording -------------------------------------------------------------------------------------
def _n(value: float | None) -> str:
    from .report_format import angka

    return NA if value is None else angka(value)


def _rate(value: float | None) -> str:
    from .report_format import persen

    return NA if value is None else persen(value)


def _wait(value: float | None) -> str:
    from .report_format import durasi

    return "belum ada" if value is None else durasi(value)


def summary(e: dict[str, Any]) -> str:
    """Two or three sentences for the top of the report."""
    t = e["totals"]
    if not e["measured"] and not e["fetched"]:
        return (
            "Belum ada data jangkauan atau balasan publik untuk unggahan periode ini (jalankan "
            "`crosspost metrics fetch` dan `crosspost inbox fetch`)."
        )
    parts = []
    if e["measured"]:
        seen = []
        if t["reach"] is not None:
            seen.append(f"menjangkau {_n(t['reach'])} akun")
        if t["views"] is not None:
            seen.append(f"ditayangkan {_n(t['views'])} kali")
        text = f"Sebanyak {_n(t['posts'])} unggahan pada periode ini " + (" dan ".join(seen) or "tercatat")
        if t["interactions"] is not None:
            text += f", dengan {_n(t['interactions'])} interaksi"
            if t["engagement_rate"] is not None:
                text += f" (tingkat keterlibatan {_rate(t['engagement_rate'])})"
        parts.append(text + ".")
    if e["fetched"]:
        text = f"Masuk {_n(t['replies'])} balasan publik, {_n(t['aduan'])} di antaranya aduan"
        if t["aduan_handled"]:
            text += (
                f"; {_n(t['aduan_handled'])} aduan sudah ditangani dengan median waktu penanganan "
                f"{_wait(t['median_handling_seconds'])}"
            )
        elif t["aduan"]:
            text += "; belum ada aduan yang ditandai selesai"
        parts.append(text + ".")
    if e["top_releases"]:
        best = e["top_releases"][0]
        what = (
            f"jangkauan {_n(best['reach'])}" if best["reach"] is not None else f"{_n(best['views'])} tayangan"
        )
        parts.append(f"Rilis dengan jangkauan tertinggi: \u201c{best['title']}\u201d ({what}).")
    return " ".join(parts)


def attach(
    report: dict[str, Any], store: Any, start: float, end: float, tz: tzinfo, week_starts: list[datetime]
) -> None:
    """report["engagement"] and its sentences at the top of report["summary"]."""
    e = build(store, start, end, tz, week_starts)
    e["summary"] = summary(e)
    report["engagement"] = e
    if e["measured"] or e["fetched"]:  # without any figure the delivery summary stays as it was
        report["summary"] = e["summary"] + (" " + report["summary"] if report.get("summary") else "")


# -- output --------------------------------------------------------------------------------------
HEAD = [
    "Unggahan",
    "Tayangan",
    "Jangkauan",
    "Interaksi",
    "Keterlibatan",
    "Balasan",
    "Aduan",
    "Median aduan selesai",
]


def _cells(m: dict[str, Any]) -> list[str]:
    return [
        _n(m["posts"]),
        _n(m["views"]),
        _n(m["reach"]),
        _n(m["interactions"]),
        _rate(m["engagement_rate"]),
        _n(m["replies"]),
        _n(m["aduan"]),
        _wait(m["median_handling_seconds"]),
    ]


def _tables(e: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    return [
        (
            "Jangkauan dan keterlibatan per kanal",
            ["Kanal", *HEAD],
            [[r["channel"], *_cells(r)] for r in e["by_channel"]] + [["Total", *_cells(e["totals"])]],
        ),
        (
            "Jangkauan dan keterlibatan per rubrik",
            ["Rubrik", *HEAD],
            [[r["label"], *_cells(r)] for r in e["by_section"]],
        ),
        (
            "Jangkauan dan keterlibatan per rilis",
            ["Rilis", *HEAD],
            [[r["release"], *_cells(r)] for r in e["by_release"]],
        ),
    ]


def _age(days: float | None) -> str:
    """How long after publishing the figures were taken ("setelah 7 hari" in the evaluation)."""
    if days is None:
        return NA
    return f"{str(days).replace('.', ',').removesuffix(',0')} hari setelah terbit"


def _top_rows(e: dict[str, Any]) -> list[list[str]]:
    return [
        [
            str(i),
            r["title"],
            _n(r["reach"]),
            _n(r["views"]),
            _n(r["interactions"]),
            _age(r["measured_after_days"]),
            " ".join(f"{x['channel']}: {x['url']}" for x in r["links"]),
        ]
        for i, r in enumerate(e["top_releases"], 1)
    ]


def to_md(e: dict[str, Any]) -> str:
    from .report_format import _md_table

    out = ["## Jangkauan dan keterlibatan", ""]
    for title, head, rows in _tables(e):
        out += [f"### {title[len('Jangkauan dan keterlibatan ') :].capitalize()}", ""] + _md_table(head, rows)
    out += ["### 10 rilis dengan jangkauan tertinggi", ""]
    out += (
        _md_table(["#", "Rilis", "Jangkauan", "Tayangan", "Interaksi", "Diukur", "Tautan"], _top_rows(e))
        if e["top_releases"]
        else ["Belum ada data jangkauan.", ""]
    )
    return "\n".join(out) + "\n"


CSV_COLUMNS = [
    "table",
    "channel",
    "section",
    "release",
    "posts",
    "views",
    "reach",
    "interactions",
    "engagement_rate",
    "replies",
    "aduan",
    "pertanyaan",
    "aduan_handled",
    "median_handling_seconds",
]


def to_csv(e: dict[str, Any]) -> str:
    """Machine-readable: an empty cell where a figure is not available (never 0)."""
    from .hygiene import csv_cell

    buf = io.StringIO()
    w = csv.DictWriter(buf, CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()

    def row(table: str, m: dict[str, Any]) -> dict[str, Any]:
        return {
            k: ("" if v is None else round(v, 6) if isinstance(v, float) else csv_cell(v))
            for k, v in {"table": table, **m}.items()
        }

    w.writerow(row("engagement_total", e["totals"]))
    for table, key in (
        ("engagement_channel", "by_channel"),
        ("engagement_section", "by_section"),
        ("engagement_release", "by_release"),
    ):
        for m in e[key]:
            w.writerow(row(table, {k: v for k, v in m.items() if k not in ("links", "title", "label")}))
    return buf.getvalue()


def reach_chart(e: dict[str, Any]) -> Markup:
    """Reach per week per channel as inline SVG lines (report.line_chart: no JavaScript)."""
    from .report_format import line_chart

    w = e["weekly_reach"]
    labels = [f"{int(d[8:10])}/{int(d[5:7])}" for d in w["weeks"]]
    series = [
        (f"{c} ({CHANNEL_LABEL[w['measure'][c]]})", [round(v) for v in values])
        for c, values in w["series"].items()
    ]
    return line_chart("Jangkauan per minggu per kanal", labels, series, "chart-jangkauan")


def to_html(e: dict[str, Any]) -> str:
    def table(head: Iterable[str], rows: Iterable[Iterable[str]], caption: str) -> str:
        th = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
        body = "".join(
            "<tr>"
            + "".join(
                (f'<th scope="row">{escape(c)}</th>' if i == 0 else f"<td>{escape(c)}</td>")
                for i, c in enumerate(r)
            )
            + "</tr>"
            for r in rows
        )
        return (
            f'<div class="scroll"><table><caption>{escape(caption)}</caption><thead><tr>{th}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>"
        )

    out = ['<section id="jangkauan"><h2>Jangkauan dan keterlibatan</h2>']
    if e["weekly_reach"]["series"]:
        out.append(
            "<figure><figcaption>Jangkauan per minggu per kanal (tayangan bila kanal tidak memberi "
            f"jangkauan)</figcaption>{reach_chart(e)}</figure>"
        )
    for title, head, rows in _tables(e):
        out.append(table(head, rows, title))
    out.append("<h3>10 rilis dengan jangkauan tertinggi</h3>")
    if e["top_releases"]:
        items = []
        for r in e["top_releases"]:
            links = ", ".join(f'<a href="{escape(x["url"])}">{escape(x["channel"])}</a>' for x in r["links"])
            items.append(
                f"<li>{escape(r['title'])}: jangkauan {escape(_n(r['reach']))}, tayangan "
                f"{escape(_n(r['views']))}, interaksi {escape(_n(r['interactions']))}, diukur "
                f"{escape(_age(r['measured_after_days']))}{' (' + links + ')' if links else ''}</li>"
            )
        out.append("<ol>" + "".join(items) + "</ol>")
    else:
        out.append("<p>Belum ada data jangkauan.</p>")
    out.append("</section>")
    return "".join(out)


def extend(text: str, report: dict[str, Any], fmt: str) -> str:
    """The rendered report with the engagement section added (json already carries it)."""
    e = report.get("engagement")
    if not e or fmt == "json":
        return text
    if fmt == "md":
        tail = "\n_Dibuat "
        at = text.rfind(tail)
        return text[:at] + "\n" + to_md(e) + text[at:] if at >= 0 else text + "\n" + to_md(e)
    if fmt == "csv":
        return text + "\n" + to_csv(e)  # a second table, after an empty line, with its own header
    if fmt == "html":
        at = text.rfind("</main>")
        return text[:at] + to_html(e) + text[at:] if at >= 0 else text + to_html(e)
    return text
