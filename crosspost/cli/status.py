"""Looking back: `status` (what went out, where, with which link) and `log` (the event log)."""

from __future__ import annotations

from typing import Any

import typer

from ..errors import EXIT_FAILED, InputError
from ..i18n import _, number
from .common import STATE, add_commands, setup
from .completion import release_handles

STATUS_TABLE_ROWS = 50


def status(
    release: str | None = typer.Argument(None, metavar="RELEASE", autocompletion=release_handles,
                                         help=_("A release (slug, its start, #number or file); all "
                                                "releases when omitted.")),
    limit: int | None = typer.Option(None, "--limit", "-n", min=0,
                                     help=_("Without a release: how many of the newest deliveries to list "
                                            "(default 50 in the table, all with --json; 0 = all).")),
    all_offices: bool = typer.Option(False, "--all-offices", help=_("Offices sharing one log: every "
                                                                    "office's releases, not only this "
                                                                    "office's ([office] id).")),
) -> None:
    from . import render
    from .common import tz

    cfg, store = setup()
    store.all_offices = all_offices
    if release:
        from ..publishing import release_slug

        release = release_slug(cfg, store, release)
    if limit is None:  # a year of the log is 100,000 rows: the table shows totals and the newest
        limit = 0 if STATE.json or release else STATUS_TABLE_ROWS
    rows = store.deliveries(release=release, limit=limit or None, newest=True)
    if release and not rows:
        raise InputError(_("no deliveries for release '{slug}' (see `crosspost status`)").format(
            slug=release))
    def mine(d: dict[str, Any]) -> bool:
        return release is None or d["release"] == release or d["release"].startswith(f"{release}--ralat-")

    dups = [d for d in store.duplicates() if mine(d)]
    stuck = [d for d in store.unsettled() if mine(d)]
    if STATE.json:
        render.print_json([render.delivery_json(d) for d in rows])
        _report_duplicates(dups, stuck)
        return
    out = render.console()
    counts = store.status_counts() if not release else {}
    total = sum(sum(c.values()) for c in counts.values())
    if total > len(rows):
        out.print(render.status_counts_table(counts))
    render.print_deliveries(out, rows, tz(cfg))
    if total > len(rows):
        out.print(_("the newest {shown} of {total} deliveries; `crosspost status SLUG` shows one release, "
                    "`--limit 0` lists all").format(shown=number(len(rows)), total=number(total)))
    _report_duplicates(dups, stuck)


def _report_duplicates(dups: list[dict[str, Any]], stuck: list[dict[str, Any]] | None = None) -> None:
    """A delivery the event log saw posted twice, or an unknown that lookup gave up on: say so on
    stderr and exit 1 (see the README)."""
    if not dups and not stuck:
        return
    from . import render

    err = render.console(stderr=True)
    for d in stuck or []:
        text = _("UNKNOWN: delivery #{id} ({release} -> {channel}) stayed unknown after {lookups} lookup(s); "
                 "crosspost will not send it by itself: check the platform, then `crosspost resolve {id} "
                 "--sent URL` or `crosspost resolve {id} --not-sent`")
        err.print(text.format(**d), markup=False, highlight=False, soft_wrap=True)
    for d in dups:
        text = _("DUPLICATE: delivery #{id} ({release} -> {channel}) was posted {posts} times according to "
                 "the event log (events {events}); remove the extra post on the platform by hand")
        err.print(text.format(**d), markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_FAILED)


def log(
    release: str | None = typer.Option(None, "--release", "-r", metavar="RELEASE",
                                         autocompletion=release_handles,
                                         help=_("Only this release (slug, its start, #number or file).")),
    limit: int = typer.Option(50, "--limit", "-n", help=_("How many of the newest events.")),
) -> None:
    from rich.table import Table

    from . import render
    from .common import tz

    cfg, store = setup()
    if release:
        from ..publishing import release_slug

        release = release_slug(cfg, store, release)
    events = store.events(release=release, limit=limit)
    if STATE.json:
        render.print_json(events)
        return
    table = Table()
    for col in (_("at"), _("delivery"), _("release"), _("channel"), _("change"), _("detail")):
        table.add_column(col, overflow="fold")
    zone = tz(cfg)
    from ..event_text import event_text

    for e in events:
        change = " → ".join(render.status_label(x) if x else "∅" for x in (e.get("from_status"),
                                                                          e.get("to_status")))
        table.add_row(render.when(e.get("at"), zone), str(e.get("delivery_id") or ""),
                      str(e.get("release") or ""), str(e.get("channel") or ""), change,
                      event_text(e.get("detail"), lambda ts: render.when(ts, zone)))
    render.console().print(table)


def register(app: typer.Typer) -> None:
    add_commands(app, {
        status: _("What went out, where, when, with which link, and what failed and why."),
        log: _("The append-only event log: every state change of every delivery, newest first."),
    })
