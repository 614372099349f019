"""`crosspost show RELEASE`: the release as stored, what `approve` will send, with its history."""

from __future__ import annotations

from pathlib import Path

import typer

from ..i18n import _
from .common import STATE, add_commands, setup
from .completion import release_handles


def show(
    release: str = typer.Argument(..., metavar="RELEASE", autocompletion=release_handles,
                                  help=_("A release (slug, its start, #number or file).")),
    html: Path | None = typer.Option(None, "--html", metavar="FILE",
                                     help=_("Also write the approval page of the stored variants "
                                            "(self-contained HTML) to FILE.")),
) -> None:
    from datetime import datetime

    from rich.text import Text

    from ..event_text import event_text
    from ..hygiene import html_text
    from ..show import show_release, stored_adapted
    from . import render
    from .common import tz

    cfg, store = setup()
    shown = show_release(cfg, store, release)
    zone = tz(cfg)
    r = shown.release
    written = None
    if html is not None:
        from ..preview_html import write_preview_html

        written = write_preview_html(r, stored_adapted(cfg, shown), html, datetime.now(zone))
    if STATE.json:
        render.print_json({
            "release": {**render.release_json(r), "number": shown.number, "content_hash": r.content_hash,
                        "embargo": r.embargo.isoformat() if r.embargo else None},
            "variants": [{**render.delivery_json(d), "text": v.text, "title": v.title, "parts": list(v.parts),
                          "link": v.link, "media": [{"path": str(m.path), "alt": m.alt} for m in v.media]}
                         for d, v in shown.deliveries],
            "approvals": [{k: a[k] for k in ("decision", "actor", "note", "at", "content_hash")}
                          for a in shown.approvals],
            "events": shown.events, "html": str(written) if written else None})
        return
    out = render.console()
    out.print(Text(render.safe(r.title, newlines=False), style="bold"))
    out.print(_("#{number} {slug} · {section} · {date}").format(
        number=shown.number, slug=r.slug, section=r.section, date=r.date.strftime("%Y-%m-%d %H:%M %z")),
        markup=False, soft_wrap=True)
    out.print(_("content hash: {hash} (approve with --hash {short})").format(
        hash=r.content_hash, short=r.content_hash[:12]), markup=False, soft_wrap=True)
    if r.embargo:
        out.print(_("embargo until {when}").format(when=r.embargo.strftime("%Y-%m-%d %H:%M %z")),
                  markup=False)
    for d, v in shown.deliveries:
        out.print("")
        out.print(Text(f"── {d.channel} ({v.kind}) · {render.status_label(d.status)}", style="bold"))
        if v.title:
            out.print(Text(render.safe(v.title), style="bold"))
        texts = v.parts if len(v.parts) > 1 else (v.text,)
        for i, part in enumerate(texts, 1):
            prefix = f"[{i}/{len(texts)}] " if len(texts) > 1 else ""
            shown_text = html_text(part) if part.lstrip().startswith("<") else part
            out.print(prefix + render.safe(shown_text), markup=False, soft_wrap=True)
        for m in v.media:
            alt = _("alt: {text}").format(text=m.alt or "—")
            line = f"{render.count_label(m.kind)}: {m.path.name} · {alt}"
            out.print("  " + render.safe(line, newlines=False), markup=False, soft_wrap=True)
        if v.link:
            out.print(_("link: {url}").format(url=v.link), markup=False, soft_wrap=True, crop=False)
        if d.url:
            out.print(_("sent: {url}").format(url=d.url), markup=False, soft_wrap=True, crop=False)
    out.print("")
    out.print(Text(_("History"), style="bold"))
    for e in shown.events:
        change = " → ".join(render.status_label(x) if x else "∅" for x in (e.get("from_status"),
                                                                          e.get("to_status")))
        by = f" ({e['actor']})" if e.get("actor") else ""
        detail = f": {event_text(e['detail'], lambda ts: render.when(ts, zone))}" if e.get("detail") else ""
        at = render.when(e.get("at"), zone)
        out.print(render.safe(f"{at} {e.get('channel') or ''} {change}{by}{detail}"), markup=False,
                  soft_wrap=True)
    for a in shown.approvals:
        word = _("approved") if a["decision"] == "approved" else _("rejected")
        out.print(render.safe(_("{when} {decision} by {actor} (hash {hash})").format(
            when=render.when(a["at"], zone), decision=word, actor=a["actor"], hash=a["content_hash"][:12])
            + (f": {a['note']}" if a.get("note") else "")), markup=False, soft_wrap=True)
    if written:
        render.console(stderr=True).print(_("approval page: {path}").format(path=written), markup=False)


def register(app: typer.Typer) -> None:
    add_commands(app, {
        show: _("The release as the log holds it (what `approve` sends): each channel's variant, the "
                "content hash and the history."),
    })
