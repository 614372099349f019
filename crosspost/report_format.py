"""How the evaluation report writes figures and draws charts, in Indonesian: numbers, rates,
durations, Markdown tables and inline SVG charts (no JavaScript, patterns as well as colours so
it prints). Shared by the delivery figures (crosspost.report) and the reach and replies
(crosspost.report_engagement), which therefore need nothing of each other's."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from markupsafe import Markup, escape

# -- Indonesian wording ------------------------------------------------------------------------
# The month names of the period label. templating.BULAN holds the same list for the templates'
# date filters; importing it from there would load jinja2 for a md, csv or json report (~25 ms).
BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
         "Oktober", "November", "Desember")


def angka(n: int | float) -> str:
    """1234567 -> '1.234.567' (Indonesian thousands separator)."""
    return f"{int(n):,}".replace(",", ".")


def persen(rate: float | None) -> str:
    return "–" if rate is None else f"{rate * 100:.1f}".replace(".", ",") + "%"


def durasi(seconds: float | None) -> str:
    """A waiting time in words: '45 detik', '3 menit 20 detik', '2 jam 5 menit', '1 hari 3 jam'."""
    if seconds is None:
        return "–"
    s = round(seconds)
    units = [(86400, "hari"), (3600, "jam"), (60, "menit"), (1, "detik")]
    parts: list[str] = []
    for size, name in units:
        if s >= size or (size == 1 and not parts):
            parts.append(f"{s // size} {name}")
            s %= size
        if len(parts) == 2:
            break
    return " ".join(p for p in parts if not p.startswith("0 ") or len(parts) == 1)


def _md_row(cells: Iterable[Any]) -> str:
    from .hygiene import md_text

    return "| " + " | ".join(md_text(c).replace("|", "\\|").replace("\n", " ") for c in cells) + " |"


def _md_table(head: list[str], rows: Iterable[Iterable[Any]]) -> list[str]:
    return [_md_row(head), _md_row("---" for _ in head), *(_md_row(r) for r in rows), ""]


# -- charts (inline SVG) -----------------------------------------------------------------------
SERIES = [("sent", "Terkirim", "url(#p-sent)"), ("failed", "Gagal", "url(#p-failed)"),
          ("unknown", "Belum pasti", "url(#p-unknown)")]
DEFS = ('<defs><pattern id="p-sent" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#1b5e20"/></pattern>'
        '<pattern id="p-failed" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fde0dc"/>'
        '<rect width="3" height="6" fill="#b71c1c"/></pattern>'
        '<pattern id="p-unknown" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#eeeeee"/><circle cx="3" cy="3" r="1.6" fill="#424242"/></pattern>'
        '</defs>')
LINE_STYLES = [("#0d47a1", ""), ("#e65100", "6 3"), ("#4a148c", "2 3"), ("#006064", "8 3 2 3"),
               ("#3e2723", "1 2"), ("#827717", "10 4")]


def _nice_max(value: float) -> tuple[float, float]:
    """An axis maximum and tick step (1, 2 or 5 times a power of ten) covering value."""
    if value <= 0:
        return 1.0, 1.0
    raw = value / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(step, 1.0)
    return step * math.ceil(value / step), step


def _legend(items: list[tuple[str, str]], y: int, x0: int = 10) -> str:
    out, x = [], x0
    for label, fill in items:
        out.append(f'<rect x="{x}" y="{y - 10}" width="14" height="12" fill="{fill}" stroke="#000" '
                   f'stroke-width="0.5"/><text x="{x + 19}" y="{y}">{escape(label)}</text>')
        x += 30 + 8 * len(label)
    return "".join(out)


def bar_chart(title: str, rows: list[tuple[str, dict[str, int]]], chart_id: str) -> Markup:
    """Horizontal stacked bars (sent / failed / unknown) with the numbers written out."""
    label_w, bar_w, row_h, top = 150, 390, 30, 40
    width, height = label_w + bar_w + 80, top + row_h * len(rows) + 10
    biggest = max([sum(v[k] for k, _, _ in SERIES) for _, v in rows] + [1])
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-labelledby="{chart_id}-t" class="chart" font-family="sans-serif" font-size="12">',
             f'<title id="{chart_id}-t">{escape(title)}</title>', DEFS,
             _legend([(label, fill) for _, label, fill in SERIES], 18)]
    for i, (name, values) in enumerate(rows):
        y = top + i * row_h
        parts.append(f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end">{escape(name)}</text>')
        x = float(label_w)
        for key, label, fill in SERIES:
            w = bar_w * values[key] / biggest
            if w > 0:
                parts.append(f'<rect x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="{row_h - 10}" '
                             f'fill="{fill}" stroke="#000" stroke-width="0.5">'
                             f'<title>{escape(label)}: {values[key]}</title></rect>')
            x += w
        nums = " / ".join(angka(values[k]) for k, _, _ in SERIES)
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 17}">{nums}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(title: str, labels: list[str], series: list[tuple[str, list[int]]], chart_id: str) -> Markup:
    """One line per series over the weeks; the first series is drawn thick with its values written."""
    left, right, top, bottom = 48, 20, 20 + 18 * math.ceil(len(series) / 3), 46
    width, plot_h = 640, 220
    plot_w = width - left - right
    height = top + plot_h + bottom
    peak = max([max(v, default=0) for _, v in series] + [0])
    ymax, step = _nice_max(peak)
    n = len(labels)

    def px(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n if n else 0)

    def py(v: float) -> float:
        return top + plot_h - plot_h * v / ymax

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-labelledby="{chart_id}-t" class="chart" font-family="sans-serif" font-size="11">',
             f'<title id="{chart_id}-t">{escape(title)}</title>']
    tick = 0.0
    while tick <= ymax + 1e-9:
        y = py(tick)
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ccc" '
                     f'stroke-width="0.5"/><text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">'
                     f'{angka(tick)}</text>')
        tick += step
    base = top + plot_h
    parts.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{base}" stroke="#000"/>'
                 f'<line x1="{left}" x2="{left + plot_w}" y1="{base}" y2="{base}" stroke="#000"/>')
    every = max(1, math.ceil(n / 14))
    for i, label in enumerate(labels):
        if i % every == 0:
            parts.append(f'<text x="{px(i):.1f}" y="{top + plot_h + 16}" text-anchor="middle">'
                         f'{escape(label)}</text>')
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 8}" text-anchor="middle">'
                 'Minggu (tanggal Senin)</text>')
    for s, (name, values) in enumerate(series):
        colour, dash = LINE_STYLES[s % len(LINE_STYLES)]
        lx, ly = 10 + (s % 3) * 200, 14 + 18 * (s // 3)
        thick = 3 if s == 0 else 1.5
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<line x1="{lx}" x2="{lx + 26}" y1="{ly - 4}" y2="{ly - 4}" stroke="{colour}" '
                     f'stroke-width="{thick}"{dash_attr}/><text x="{lx + 32}" y="{ly}">{escape(name)}</text>')
        points = " ".join(f"{px(i):.1f},{py(v):.1f}" for i, v in enumerate(values))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="{thick}"'
                     f'{dash_attr}/>')
        for i, v in enumerate(values):
            parts.append(f'<circle cx="{px(i):.1f}" cy="{py(v):.1f}" r="{3 if s == 0 else 2}" '
                         f'fill="{colour}"><title>{escape(name)} {escape(labels[i])}: {v}</title></circle>')
            if s == 0 and n <= 26:
                parts.append(f'<text x="{px(i):.1f}" y="{py(v) - 7:.1f}" text-anchor="middle" '
                             f'font-weight="bold">{v}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
