"""`crosspost inbox`: the public's replies to what the office posted, complaints (aduan) flagged.

`inbox fetch` reads new replies (cron), `inbox` lists them newest first, `inbox done ID` marks
one handled, `inbox purge` deletes replies past [inbox] keep_days (UU 27/2022).
"""

from __future__ import annotations

from typing import Any

import typer

from ..errors import EXIT_OK, InputError
from ..i18n import _
from .common import STATE, epilog

KIND_LABELS = {"aduan": "ADUAN", "pertanyaan": "TANYA", "lainnya": "lain"}


class FetchProgress:
    """One rich progress bar per channel on stderr, only on a terminal and never with --json."""

    def __init__(self) -> None:
        import sys

        self.bar: Any = None
        self.tasks: dict[str, Any] = {}
        if STATE.json or not sys.stderr.isatty():
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            console=Console(stderr=True), transient=True)

    def __call__(self, channel: str, done: int, total: int) -> None:
        if self.bar is None:
            return
        if not self.tasks:
            self.bar.start()
        if channel not in self.tasks:
            self.tasks[channel] = self.bar.add_task(channel, total=total)
        self.bar.update(self.tasks[channel], completed=done, total=total)

    def stop(self) -> None:
        if self.bar is not None and self.tasks:
            self.bar.stop()


def run_fetch(fetcher: Any, channel: list[str] | None, what: str) -> None:
    """`inbox fetch` and `metrics fetch`: one fetch over the chosen channels with a progress bar
    per channel, then each channel's outcome (render_runs) and its exit code."""
    from .common import now, setup

    cfg, store = setup()
    bars = FetchProgress()
    try:
        result = fetcher(cfg, store, now(), channel, progress=bars)
    finally:
        bars.stop()
        store.close()
    render_runs(result, what)


def render_runs(result: Any, what: str) -> None:
    """The per-channel outcome of a fetch (JSON with --json), then exit with its code."""
    from . import render

    if STATE.json:
        render.print_json({"channels": [r.as_dict() for r in result.runs], "exit_code": result.exit_code})
        raise typer.Exit(result.exit_code)
    out = render.console()
    if not result.runs:
        out.print(_("no configured channel can give replies") if what == "replies"
                  else _("no configured channel can give figures"), markup=False)
    for r in result.runs:
        if what == "replies":
            line = _("{channel}: {posts} post(s) read, {new} new reply(ies), {aduan} aduan").format(
                channel=r.channel, posts=r.posts, new=r.new, aduan=r.aduan)
        else:
            line = _("{channel}: figures of {new} of {posts} post(s) stored").format(
                channel=r.channel, new=r.new, posts=r.posts)
        out.print(line, markup=False)
        for note in r.skipped:
            out.print("  " + _("not available: {why}").format(why=note), markup=False, soft_wrap=True)
        if r.error:
            render.console(stderr=True).print(_("{channel}: stopped: {error}").format(
                channel=r.channel, error=r.error), markup=False, soft_wrap=True)
    raise typer.Exit(result.exit_code)


def fetch(channel: list[str] | None = typer.Option(None, "--channel", "-c", metavar="NAME",
                                                   help=_("Only these channels (repeat or comma-separate)."))
          ) -> None:
    from ..inbox.fetch import fetch_inbox

    run_fetch(fetch_inbox, channel, "replies")


def _reply_json(r: dict[str, Any], tz: Any) -> dict[str, Any]:
    from .render import when

    return {"id": r["id"], "kind": r["kind"], "channel": r["channel"], "release": r["release"],
            "author": r["author"], "text": r["text"], "created_at": when(r["created_at"], tz),
            "reply_url": r["url"], "post_url": r["post_url"],
            "handled": {"at": when(r["handled_at"], tz), "by": r["handled_by"], "note": r["handled_note"]}
            if r["handled_at"] else None}


def list_replies(
    ctx: typer.Context,
    aduan: bool = typer.Option(False, "--aduan", help=_("Only complaints (aduan).")),
    questions: bool = typer.Option(False, "--pertanyaan", help=_("Only questions (pertanyaan).")),
    release: str | None = typer.Option(None, "--release", "-r", metavar="RELEASE",
                                       help=_("Only replies to this release (slug, number or file).")),
    channel: str | None = typer.Option(None, "--channel", "-c", metavar="NAME", help=_("Only this channel.")),
    since: str | None = typer.Option(None, "--since", metavar="WHEN",
                                     help=_("Only replies written since, e.g. 2026-12-01 or "
                                            "\"2026-12-01 08:00\".")),
    open_only: bool = typer.Option(False, "--open", help=_("Only replies nobody marked handled yet.")),
    limit: int = typer.Option(50, "--limit", "-n", min=1, help=_("At most this many, newest first.")),
) -> None:
    if ctx.invoked_subcommand is not None:
        return
    from ..publishing import release_slug
    from ..timezones import parse_when
    from . import render
    from .common import setup, tz

    cfg, store = setup()
    try:
        kinds = [k for k, on in (("aduan", aduan), ("pertanyaan", questions)) if on] or None
        slug = release_slug(cfg, store, release) if release else None
        name = cfg.channel_name(channel) if channel else None
        start = parse_when(since, cfg.timezone).timestamp() if since else None
        rows = store.replies(kinds=kinds, release=slug, channel=name, since=start, open_only=open_only,
                             limit=limit)
    finally:
        store.close()
    zone = tz(cfg)
    if STATE.json:
        render.print_json({"replies": [_reply_json(r, zone) for r in rows]})
        raise typer.Exit(EXIT_OK)
    out = render.console()
    if not rows:
        out.print(_("no replies (run `crosspost inbox fetch` first)"), markup=False)
        raise typer.Exit(EXIT_OK)
    unnamed = _("(name not given)")
    for r in rows:
        head = f"#{r['id']}  {render.when(r['created_at'], zone)}  {KIND_LABELS[r['kind']]:<5}  " \
               f"{r['channel']}  {r['release']}  {r['author'] or unnamed}"
        out.print(render.safe(head, newlines=False), markup=False, highlight=False, soft_wrap=True)
        out.print("    " + render.safe(" ".join(r["text"].split()), newlines=False), markup=False,
                  highlight=False, soft_wrap=True)
        links = _("reply: {reply}  post: {post}").format(reply=r["url"] or "-", post=r["post_url"] or "-")
        out.print("    " + links, markup=False, highlight=False, soft_wrap=True)
        if r["handled_at"]:
            note = f" ({r['handled_note']})" if r["handled_note"] else ""
            out.print("    " + render.safe(_("handled by {by}, {at}").format(
                by=r["handled_by"], at=render.when(r["handled_at"], zone)) + note, newlines=False),
                markup=False, highlight=False, soft_wrap=True)


def done(
    reply_id: str = typer.Argument(..., metavar="ID",
                                   help=_("The reply's number, as `crosspost inbox` shows it.")),
    by: str | None = typer.Option(None, "--by", metavar="NAME",
                                  help=_("Who handled it (default: CROSSPOST_USER or [office] operator).")),
    note: str | None = typer.Option(None, "--note", metavar="TEXT",
                                    help=_("What was done, e.g. \"dihubungi lewat DM, data diteruskan ke "
                                           "dinsos\".")),
) -> None:
    from ..inbox.fetch import mark_done
    from . import render
    from .common import config, now, person, tz

    digits = reply_id.strip().removeprefix("#")
    if not digits.isdigit():
        raise InputError(_("'{id}' is not a reply number: see `crosspost inbox`").format(id=reply_id))
    cfg = config()
    name = person(cfg, by)
    from ..logbook import open_log

    store = open_log(cfg)
    try:
        row = mark_done(store, int(digits), name, now(), note)
    finally:
        store.close()
    if STATE.json:
        render.print_json({"reply": _reply_json(row, tz(cfg))})
        raise typer.Exit(EXIT_OK)
    text = _("reply #{id} marked handled by {by}").format(id=row["id"], by=name)
    render.console().print(text, markup=False)


def purge() -> None:
    from ..inbox.fetch import purge as do_purge
    from . import render
    from .common import now, setup, tz

    cfg, store = setup()
    try:
        n, before = do_purge(cfg, store, now())
    finally:
        store.close()
    if STATE.json:
        render.print_json({"deleted": n, "before": render.when(before, tz(cfg)),
                           "keep_days": cfg.inbox.keep_days})
        raise typer.Exit(EXIT_OK)
    render.console().print(_("{n} reply(ies) older than {days} days deleted (before {before})").format(
        n=n, days=cfg.inbox.keep_days, before=render.when(before, tz(cfg))), markup=False)


def register(app: typer.Typer) -> None:
    inbox = typer.Typer(
        invoke_without_command=True, rich_markup_mode=None,
        help=_("The public's replies to the office's posts, newest first, complaints (aduan) flagged.\n\n"
               "`crosspost inbox fetch` reads new replies (put it in cron); replies are personal data: "
               "`crosspost inbox purge` deletes those older than [inbox] keep_days."),
        epilog=epilog("crosspost inbox --aduan --open --release '#12'"))
    inbox.callback()(list_replies)
    inbox.command("fetch", epilog=epilog("*/30 * * * * cd /srv/humas && .venv/bin/crosspost inbox fetch"),
                  help=_("Read new replies to every post younger than [inbox] window_days, each post from "
                         "where the last fetch stopped. Exit 0, 6 when a channel waits for a rate limit, "
                         "1 when a channel failed."))(fetch)
    inbox.command("done", epilog=epilog("crosspost inbox done 42 --by Rina --note \"sudah dibalas via DM\""),
                  help=_("Mark a reply handled; the log keeps who and when."))(done)
    inbox.command("purge", epilog=epilog("0 3 * * * cd /srv/humas && .venv/bin/crosspost inbox purge"),
                  help=_("Delete replies older than [inbox] keep_days (default 365): personal data is kept "
                         "no longer than needed (UU 27/2022)."))(purge)
    app.add_typer(inbox, name="inbox")
