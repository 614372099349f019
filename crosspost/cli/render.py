"""Terminal output with rich: preview panels, delivery tables. Decides nothing.

Colour and progress bars only on a TTY (rich detects it; NO_COLOR is honoured).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console, Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text
else:  # imported on first use: `--json` output never needs rich (tests/test_startup_imports.py)
    from .lazy import Lazy

    Console, Group = Lazy("rich.console", "Console"), Lazy("rich.console", "Group")
    Panel, Table, Text = Lazy("rich.panel", "Panel"), Lazy("rich.table", "Table"), Lazy("rich.text", "Text")

from ..counts import count_rows
from ..hygiene import html_text, terminal_safe
from ..i18n import N_, _, number
from ..models import Delivery, Problem, Release
from ..secrets import mask as mask  # re-exported: output is masked where it is rendered

if TYPE_CHECKING:  # adapt pulls in jinja2 and markdown-it: `status` and `log` do not need them
    from ..adapt import Adapted

STATUS_STYLE = {"sent": "green", "queued": "cyan", "sending": "yellow", "unknown": "magenta",
                "failed": "red", "cancelled": "dim", "awaiting_approval": "yellow"}
STATUS_LABELS = {"sent": N_("sent"), "queued": N_("queued"), "sending": N_("sending"),
                 "unknown": N_("unknown"), "failed": N_("failed"), "cancelled": N_("cancelled"),
                 "awaiting_approval": N_("awaiting approval"), "rejected": N_("rejected")}


# A variant's count names and units (crosspost.counts) as people read them; JSON keeps the raw names.
COUNT_LABELS = {"image": N_("image"), "video": N_("video"),
                "title": N_("title"), "chars": N_("characters"), "weighted": N_("X length (weighted)"),
                "images": N_("images"), "hashtags": N_("hashtags"), "mentions": N_("mentions (@)"),
                "description": N_("description"), "tags": N_("tags"), "parts": N_("thread parts")}
COUNT_UNITS = {"chars": N_("chars"), "bytes": N_("bytes")}


def count_label(label: str) -> str:
    """'weighted 2/3' -> 'panjang X (berbobot) 2/3' in Indonesian."""
    name, sep, rest = label.partition(" ")
    return (_(COUNT_LABELS[name]) if name in COUNT_LABELS else name) + sep + rest


def count_unit(unit: str) -> str:
    return _(COUNT_UNITS[unit]) if unit in COUNT_UNITS else unit


def status_label(status: str) -> str:
    """A delivery status in the chosen language, for people; JSON keeps the raw status."""
    return _(STATUS_LABELS[status]) if status in STATUS_LABELS else status


def safe(text: object, newlines: bool = True) -> str:
    """The one sanitiser for text from releases and platforms printed to a terminal: no escape
    sequences, no control characters (crosspost.hygiene.terminal_safe)."""
    return terminal_safe(text, newlines)


def console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def _problem_line(p: Problem) -> Text:
    style = "red" if p.severity == "error" else "yellow"
    detail = f" ({p.actual}/{p.limit})" if p.limit is not None and p.actual is not None else ""
    return Text(safe(f"{'✗' if p.severity == 'error' else '!'} {p.field}: {p.message}{detail}"), style=style)


def preview_panel(item: Adapted, off: bool = False) -> Panel:
    v = item.variant
    parts: list[Any] = []
    if v is not None:
        if v.title:
            parts.append(Text(safe(v.title), style="bold"))
        if v.parts and len(v.parts) > 1:
            for i, part in enumerate(v.parts, 1):
                parts.append(Text(f"[{i}/{len(v.parts)}] ", style="bold cyan") + Text(safe(part)))
        elif item.channel.article and v.text.lstrip().startswith("<"):  # the article: readable, not HTML
            parts.append(Text(safe(html_text(v.text))))
        else:
            parts.append(Text(safe(v.text)))
        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True)
        table.add_column(overflow="fold")  # a link folds onto the next line, never cut with "…"
        for label, actual, limit, unit in count_rows(v.counts):
            ok = limit is None or actual <= limit
            table.add_row(count_label(label), Text(f"{actual}" + (f" / {limit}" if limit is not None else "")
                                                   + (f" {count_unit(unit)}" if unit else ""),
                                                   style="green" if ok else "red"))
        for m in v.media:
            dims = f"{m.width}×{m.height}" if m.width else ""
            table.add_row(m.kind, Text(safe(f"{m.path.name} {dims}  " + _("alt: {text}").format(
                text=m.alt or "—"), newlines=False)))
        if v.link:
            table.add_row(_("link"), Text(safe(v.link, newlines=False)))
        parts.append(table)
    parts.extend(_problem_line(p) for p in item.problems)
    ok = item.ok
    title = f"{item.channel.name} ({item.channel.platform}) " + ("✓" if ok else "✗")
    if off:
        title += " — " + _("disabled: will not be sent")
    style = "dim" if off else "green" if ok else "red"
    return Panel(Group(*parts), title=title, border_style=style, expand=True)


def disabled(adapted: list[Adapted]) -> set[str]:
    """The channels shown that will not be sent (``enabled = false`` in channels.toml)."""
    return {a.channel.name for a in adapted if not getattr(a.channel.settings, "enabled", True)}


def preview_summary(adapted: list[Adapted], off: Collection[str] = ()) -> str:
    """One line: how many channels are ready, and for each one that is not, its first problem."""
    ready = sum(a.ok for a in adapted)
    bits = [_("{ready}/{total} ready").format(ready=ready, total=len(adapted))]
    for a in adapted:
        if a.ok:
            continue
        first = next((p for p in a.problems if p.severity == "error"), None)
        what = first.message if first else _("cannot be built")
        if first is not None and first.limit is not None and first.actual is not None:
            what += f" {first.actual}/{first.limit}"
        marker = " (" + _("disabled") + ")" if a.channel.name in off else ""
        bits.append(f"{a.channel.name}: {what}{marker}")
    return safe(" · ".join(bits), newlines=False)


def show_preview(release: Release, adapted: list[Adapted], out: Console, off: Collection[str] = ()) -> None:
    out.print(Text(safe(release.title, newlines=False), style="bold") +
              Text(f"  [{release.section}] {release.date:%Y-%m-%d %H:%M %z}", style="dim"))
    for w in release.warnings:
        out.print(Text(safe(f"! {w}"), style="yellow"))
    for item in adapted:
        out.print(preview_panel(item, item.channel.name in off))
    links = [(a.channel.name, a.variant.link) for a in adapted if a.variant is not None and a.variant.link]
    if out.width < NARROW and links:  # inside a panel a long link folds: here each is whole, to copy
        out.print(_("Links:"), markup=False)
        for name, link in links:
            out.print(f"  {safe(name)}: {safe(link, newlines=False)}", markup=False, highlight=False,
                      soft_wrap=True, overflow="ignore", crop=False)
    out.print(preview_summary(adapted, off), markup=False, highlight=False, soft_wrap=True)


def variant_json(item: Adapted, off: bool = False) -> dict[str, Any]:
    v = item.variant
    return {
        "channel": item.channel.name,
        "type": item.channel.platform,
        "ok": item.ok,
        "enabled": not off,
        "title": v.title if v else None,
        "text": v.text if v else None,
        "parts": list(v.parts) if v else [],
        "link": v.link if v else None,
        "media": [{"path": str(m.path), "alt": m.alt, "kind": m.kind, "width": m.width,
                   "height": m.height} for m in (v.media if v else ())],
        "counts": [{"name": n, "actual": a, "limit": lim, "unit": u}
                   for n, a, lim, u in count_rows(v.counts if v else {})],
        "problems": [{"field": p.field, "message": p.message, "limit": p.limit, "actual": p.actual,
                      "severity": p.severity} for p in item.problems],
    }


def release_json(release: Release) -> dict[str, Any]:
    return {"slug": release.slug, "title": release.title, "section": release.section,
            "date": release.date.isoformat(), "source": str(release.source or ""),
            "warnings": list(release.warnings)}


def when(ts: float | None, tz: Any = None) -> str:
    if not ts:
        return ""
    return datetime.fromtimestamp(ts, tz).strftime("%Y-%m-%d %H:%M")


def delivery_json(d: Delivery) -> dict[str, Any]:
    return {"id": d.id, "release": d.release_slug, "channel": d.channel, "status": d.status,
            "attempts": d.attempts, "remote_id": d.remote_id, "url": d.url, "error": d.last_error,
            "error_kind": d.error_kind, "not_before": d.not_before, "updated_at": d.updated_at}


# Below this many columns a link in a table cell would be cut into pieces nobody can copy:
# the table then says where each link is and print_deliveries() lists them whole beneath it.
NARROW = 100


def deliveries_table(rows: Iterable[Delivery], tz: Any = None, title: str | None = None,
                     links_below: bool = False) -> Table:
    table = Table(title=Text(safe(title, newlines=False)) if title else None, show_lines=False)
    for col in ("id", _("release"), _("channel"), _("status"), _("when"), _("link / error")):
        table.add_column(col, overflow="fold")
    for d in rows:
        from ..event_text import event_text

        detail = (_("link below") if links_below and d.url else d.url) or event_text(d.last_error) or ""
        if d.status == "queued" and d.not_before:
            detail = detail or _("not before {when}").format(when=when(d.not_before, tz))
        table.add_row(str(d.id), Text(safe(f"#{d.release_id} {d.release_slug}")), Text(safe(d.channel)),
                      Text(status_label(d.status), style=STATUS_STYLE.get(d.status, "")),
                      when(d.updated_at, tz), Text(safe(detail)))
    return table


def print_deliveries(out: Console, rows: list[Delivery], tz: Any = None, title: str | None = None) -> None:
    """The deliveries table; on a narrow terminal its links follow it whole, one a line, so they can
    be copied (never cut or ellipsed)."""
    narrow = out.width < NARROW
    out.print(deliveries_table(rows, tz, title, links_below=narrow))
    if narrow and any(d.url for d in rows):
        out.print(_("Links:"), markup=False)
        for d in rows:
            if d.url:
                out.print(f"  #{d.id} {safe(d.channel)}: {safe(d.url)}", markup=False, highlight=False,
                          soft_wrap=True, overflow="ignore", crop=False)


def status_counts_table(counts: dict[str, dict[str, int]]) -> Table:
    """Deliveries per channel and status: the whole log at a glance, however long it is."""
    from ..store import STATUSES

    seen = [s for s in STATUSES if any(s in c for c in counts.values())]
    table = Table(title=_("all deliveries"), show_lines=False)
    table.add_column(_("channel"), justify="left")
    for col in (*(status_label(s) for s in seen), _("total")):
        table.add_column(col, justify="right")
    for channel, by_status in counts.items():
        table.add_row(channel, *(number(by_status.get(s, 0)) for s in seen), number(sum(by_status.values())))
    return table


