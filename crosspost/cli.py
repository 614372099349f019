"""The crosspost command line. The only layer that prints exit codes; no business rules."""

from __future__ import annotations

import os
import sys
import traceback
from enum import StrEnum
from pathlib import Path

import typer

from . import __version__
from .cli_common import STATE, ConfigOption, JsonOption
from .cli_common import config as load_cfg
from .errors import EXIT_ERROR, EXIT_FAILED, EXIT_OK, CrosspostError, InputError
from .i18n import _, localise_typer, number  # first: sets the language before any help text below is built

localise_typer()

app = typer.Typer(
    name="crosspost",
    help=_("One press release (siaran pers) to the website, Instagram, Facebook, X and YouTube: "
           "adapted, checked against each platform's limits, delivered once, and logged.\n\n"
           "Start with `crosspost preview RILIS.md`, then `crosspost publish RILIS.md`."),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Lang(StrEnum):
    """--lang: applied before typer parses anything (crosspost.i18n reads sys.argv); declared for --help."""

    id = "id"
    en = "en"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"crosspost {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    debug: bool = typer.Option(False, "--debug", help=_("Show tracebacks (secrets stay masked).")),
    config: Path | None = ConfigOption,
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help=_("Print the version and exit.")),
    lang: Lang | None = typer.Option(None, "--lang", case_sensitive=False,
                                    help=_("Language of messages: id (Bahasa Indonesia) or en (English); "
                                           "default: from CROSSPOST_LANG or the locale (LANG).")),
) -> None:
    STATE.debug = debug
    STATE.config_path = config


def _parse_sets(values: list[str]) -> dict:
    """--set key=value pairs; values are YAML so lists work: --set 'hashtags=[A, B]'."""
    from .release import load_value  # the front matter's YAML rules: no alias bombs (issue 11)

    out: dict = {}
    for item in values:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise InputError(_("--set expects KEY=VALUE, got '{item}'").format(item=item))
        out[key.strip()] = load_value(raw) if raw.strip() else ""
    return out


def _prepare(file: Path, channels: list[str], exclude: list[str], sets: list[str]):
    from .adapt import adapt
    from .release import load_release

    cfg = load_cfg()
    release = load_release(file, cfg.timezone, _parse_sets(sets) or None, cfg.media)
    chosen = cfg.channels(channels or None)
    unknown = set(exclude) - set(cfg.channel_names(enabled_only=False))
    if unknown:
        raise InputError(_("--exclude: no channel named {names}").format(names=", ".join(sorted(unknown))))
    chosen = [c for c in chosen if c.name not in exclude]
    if not chosen:
        raise InputError(_("no channel selected: enable one in channels.toml or pass --channel NAME"))
    return cfg, release, adapt(release, chosen, cfg.templates_dir)


ChannelOpt = typer.Option([], "--channel", "-c", help=_("Only this channel (repeatable)."))
SetOpt = typer.Option([], "--set", help=_("Override a front-matter key, e.g. --set section=berita-terkini "
                                          "(needed for .docx metadata; repeatable)."))
FileArg = _("The release: Markdown with front matter, or .docx.")


@app.command(help=_("Show every channel's variant, its length against the platform's limit, and every "
                    "problem.\n\nNeeds no credentials and sends nothing. Exit 0 when every variant can be "
                    "published, 1 when some channel has a problem, 2 when the release itself cannot be "
                    "read."))
def preview(
    file: Path = typer.Argument(..., help=FileArg),
    channel: list[str] = ChannelOpt,
    sets: list[str] = SetOpt,
    html: Path | None = typer.Option(None, "--html", metavar="OUT.html",
                                     help=_("Also write a self-contained HTML page of every variant, "
                                            "to send to the approver.")),
    as_json: bool = JsonOption,
) -> None:
    """Show every channel's variant, its length against the platform's limit, and every problem.

    Needs no credentials and sends nothing. Exit 0 when every variant can be published,
    1 when some channel has a problem, 2 when the release itself cannot be read.
    """
    from . import render

    cfg, release, adapted = _prepare(file, channel, [], sets)
    if html is not None:
        from datetime import datetime

        from .preview_html import write_preview_html
        from .timezones import zone

        written = write_preview_html(release, adapted, html, datetime.now(zone(cfg.timezone)))
        render.console(stderr=True).print(_("HTML preview: {path}").format(path=written), markup=False)
    if as_json:
        render.print_json({"release": render.release_json(release),
                           "variants": [render.variant_json(a) for a in adapted]})
    else:
        render.show_preview(release, adapted, render.console())
    raise typer.Exit(EXIT_OK if all(a.ok for a in adapted) else EXIT_FAILED)


@app.command(help=_("Adapt, check, queue and deliver a release to every enabled channel, and log the "
                    "result.\n\nNothing is queued while any selected channel has a problem (see `crosspost "
                    "preview`). Publishing the same release again does not post twice: it reports the "
                    "existing links. Channels that require approval wait for `crosspost approve`; an "
                    "embargoed release stays queued until its embargo. Exit 0 when every delivery is sent, "
                    "scheduled or awaiting approval, 1 when some failed, 2 for bad input, 5 when the "
                    "office-wide pause held them in the queue."))
def publish(
    file: Path = typer.Argument(..., help=FileArg),
    channel: list[str] = ChannelOpt,
    exclude: list[str] = typer.Option([], "--exclude", "-x",
                                      help=_("Leave this channel out, e.g. when it has a problem.")),
    sets: list[str] = SetOpt,
    at: str | None = typer.Option(None, "--at", help=_("Queue for later instead of sending now: "
                                                       "'2026-12-01 09:00' (WIB unless it says WITA/WIT/"
                                                       "+08:00), or 'release' for the release's own date.")),
    dry_run: bool = typer.Option(False, "--dry-run", help=_("Adapt and check, but write and send nothing.")),
    as_json: bool = JsonOption,
) -> None:
    """Adapt, check, queue and deliver a release to every enabled channel, and log the result.

    Nothing is queued while any selected channel has a problem (see `crosspost preview`).
    Publishing the same release again does not post twice: it reports the existing links.
    Channels that require approval wait for `crosspost approve`; an embargoed release stays queued
    until its embargo. Exit 0 when every delivery is sent, scheduled or awaiting approval, 1 when
    some failed, 2 for bad input, 5 when the office-wide pause held them in the queue.
    """
    from . import render
    from .deliver import Engine
    from .store import Store

    cfg, release, adapted = _prepare(file, channel, exclude, sets)
    out = render.console()
    bad = [a for a in adapted if not a.ok]
    if bad:
        if as_json:
            render.print_json({"release": render.release_json(release), "queued": False,
                               "variants": [render.variant_json(a) for a in adapted]})
        else:
            for a in bad:
                out.print(render.preview_panel(a))
        names = ", ".join(a.channel.name for a in bad)
        raise InputError(_("nothing queued: {names} cannot publish this release as it is; fix the "
                           "problems above or leave the channel out with --exclude").format(names=names))
    not_before = _schedule(at, release, cfg.timezone)
    if dry_run:
        if as_json:
            render.print_json({"release": render.release_json(release), "dry_run": True,
                               "variants": [render.variant_json(a) for a in adapted]})
        else:
            out.print(_("dry run: {n} variant(s) valid; nothing written, nothing sent.").format(
                n=len(adapted)))
        raise typer.Exit(EXIT_OK)
    from .cli_controls import publish_notes
    from .clock import SystemClock
    from .controls import embargo_active
    from .errors import EXIT_PAUSED
    from .timezones import zone

    clock = SystemClock()
    from .doctor import expiry_warnings

    err = render.console(stderr=True)
    for line in expiry_warnings([a.channel for a in adapted], clock.now(), cfg.doctor.expiry_warning_days,
                                scheduled_at=not_before, timezone=cfg.timezone):
        err.print(_("warning: {text}").format(text=line), markup=False, highlight=False, soft_wrap=True)
    store = Store.open(cfg.database)
    release_id = store.save_release(release)
    variants = [a.variant for a in adapted if a.variant is not None]
    awaiting = [a.channel.name for a in adapted if getattr(a.channel.settings, "require_approval", False)]
    deliveries = store.enqueue(release_id, variants, not_before, clock.now(), awaiting=awaiting)
    back, rejected = (store.recheck_approval(release_id, variants, awaiting, clock.now()) if awaiting
                      else ([], []))
    pause = store.active_pause(clock.now())
    due = [d.id for d in (store.delivery(x.id) for x in deliveries)
           if d and d.status == "queued" and (d.not_before or 0) <= clock.now()]
    if due and pause is None and not embargo_active(release, clock.now()):
        from . import upload_progress

        bars = upload_progress.UploadBars() if upload_progress.wanted(as_json) else None
        engine = Engine(store, {c.name: c for c in (a.channel for a in adapted)}, clock,
                        progress=bars.for_delivery if bars else None)
        try:
            pause = engine.run_once(delivery_ids=due).paused
        finally:
            if bars:
                bars.stop()
    wanted = {a.channel.name for a in adapted}
    final = [d for d in store.deliveries(release=release.slug)
             if d.channel in wanted and d.release_slug == release.slug]  # not its corrections
    notes = publish_notes(cfg, release, final, back, rejected, pause, clock.now())
    if as_json:
        render.print_json({"release": render.release_json(release),
                           "deliveries": [render.delivery_json(d) for d in final],
                           "paused": pause, "notes": notes,
                           "embargo": release.embargo.isoformat() if release.embargo else None})
    else:
        out.print(render.deliveries_table(final, zone(cfg.timezone), title=release.title))
        for note in notes:
            out.print(note, markup=False)
    ok = all(d.status in ("sent", "queued", "awaiting_approval") for d in final)
    if ok and pause is not None and any(d.status == "queued" for d in final):
        raise typer.Exit(EXIT_PAUSED)
    raise typer.Exit(EXIT_OK if ok else EXIT_FAILED)


def _schedule(at: str | None, release, tz: str) -> float | None:
    if not at:
        return None
    from .timezones import parse_when

    when = release.date if at.strip().lower() == "release" else parse_when(at, tz)
    return when.timestamp()


STATUS_TABLE_ROWS = 50


@app.command(help=_("What went out, where, when, with which link, and what failed and why."))
def status(
    release: str | None = typer.Argument(None, help=_("A release slug; all releases when omitted.")),
    limit: int | None = typer.Option(None, "--limit", "-n", min=0,
                                     help=_("Without a release: how many of the newest deliveries to list "
                                            "(default 50 in the table, all with --json; 0 = all).")),
    as_json: bool = JsonOption,
) -> None:
    """What went out, where, when, with which link, and what failed and why."""
    from . import render
    from .store import Store
    from .timezones import zone

    cfg = load_cfg()
    store = Store.open(cfg.database)
    if limit is None:  # a year of the log is 100,000 rows: the table shows totals and the newest
        limit = 0 if as_json or release else STATUS_TABLE_ROWS
    rows = store.deliveries(release=release, limit=limit or None, newest=True)
    if release and not rows:
        raise InputError(_("no deliveries for release '{slug}' (see `crosspost status`)").format(
            slug=release))
    if as_json:
        render.print_json([render.delivery_json(d) for d in rows])
        return
    out = render.console()
    counts = store.status_counts() if not release else {}
    total = sum(sum(c.values()) for c in counts.values())
    if total > len(rows):
        out.print(render.status_counts_table(counts))
    out.print(render.deliveries_table(rows, zone(cfg.timezone)))
    if total > len(rows):
        out.print(_("the newest {shown} of {total} deliveries; `crosspost status SLUG` shows one release, "
                    "`--limit 0` lists all").format(shown=number(len(rows)), total=number(total)))


@app.command(help=_("The append-only event log: every state change of every delivery, newest first."))
def log(
    release: str | None = typer.Option(None, "--release", "-r", help=_("Only this release.")),
    limit: int = typer.Option(50, "--limit", "-n", help=_("How many of the newest events.")),
    as_json: bool = JsonOption,
) -> None:
    """The append-only event log: every state change of every delivery, newest first."""
    from rich.table import Table

    from . import render
    from .store import Store
    from .timezones import zone

    cfg = load_cfg()
    events = Store.open(cfg.database).events(release=release, limit=limit)
    if as_json:
        render.print_json(events)
        return
    table = Table()
    for col in (_("at"), _("delivery"), _("release"), _("channel"), _("change"), _("detail")):
        table.add_column(col, overflow="fold")
    tz = zone(cfg.timezone)
    for e in events:
        table.add_row(render.when(e.get("at"), tz), str(e.get("delivery_id") or ""),
                      str(e.get("release") or ""), str(e.get("channel") or ""),
                      f"{e.get('from_status') or '∅'} → {e.get('to_status') or ''}",
                      str(e.get("detail") or ""))
    render.console().print(table)


def _register_optional() -> None:
    """Command groups that live in their own modules."""
    from importlib import import_module

    for name in ("cli_queue", "cli_auth", "cli_init", "cli_controls", "cli_report", "cli_correct",
                 "cli_doctor"):
        try:
            module = import_module(f"crosspost.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"crosspost.{name}":
                raise
            continue
        module.register(app)


_register_optional()


def _say(text: str) -> None:
    """Write to stderr with every secret from the environment masked."""
    from .render import mask, safe

    secrets = [v for k, v in os.environ.items() if k.startswith("CROSSPOST_") and k not in
               ("CROSSPOST_CONFIG", "CROSSPOST_DB", "CROSSPOST_STATE_DIR", "CROSSPOST_FAILPOINT")]
    sys.stderr.write(safe(mask(text, secrets)))


def main() -> None:
    """Entry point: runs the app and turns CrosspostError into a message and an exit code."""
    try:
        app()
    except CrosspostError as exc:
        if STATE.debug:
            _say(traceback.format_exc())
        _say(f"crosspost: {exc}\n")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _say("crosspost: " + _("interrupted") + "\n")
        sys.exit(130)
    except Exception as exc:  # an internal error: short message, traceback only with --debug
        if STATE.debug:
            _say(traceback.format_exc())
        _say("crosspost: " + _("internal error: {kind}: {error}\n(run with --debug for details)").format(
            kind=type(exc).__name__, error=exc) + "\n")
        sys.exit(EXIT_ERROR)

