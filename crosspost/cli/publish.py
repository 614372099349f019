"""Writing and sending a release: `preview` and `publish`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from ..errors import EXIT_FAILED, EXIT_OK, InputError
from ..i18n import _
from .common import STATE, add_commands, now, warn
from .common import config as load_cfg


def _parse_sets(values: list[str]) -> dict[str, Any]:
    """--set key=value pairs; values are YAML so lists work: --set 'hashtags=[A, B]'."""
    from ..release import load_value  # the front matter's YAML rules: no alias bombs (issue 11)

    out: dict[str, Any] = {}
    for item in values:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise InputError(_("--set expects KEY=VALUE, got '{item}'").format(item=item))
        out[key.strip()] = load_value(raw) if raw.strip() else ""
    return out


ChannelOpt = typer.Option([], "--channel", "-c", help=_("Only this channel (repeatable)."))
SetOpt = typer.Option([], "--set", help=_("Override a front-matter key, e.g. --set section=berita-terkini "
                                          "(needed for .docx metadata; repeatable)."))
FileArg = _("The release: Markdown with front matter, or .docx.")


def preview(
    file: Path = typer.Argument(..., help=FileArg),
    channel: list[str] = ChannelOpt,
    sets: list[str] = SetOpt,
    html: Path | None = typer.Option(None, "--html", metavar="OUT.html",
                                     help=_("Also write a self-contained HTML page of every variant, "
                                            "to send to the approver.")),
) -> None:
    from datetime import datetime

    from .. import publishing
    from . import render

    cfg = load_cfg(near=file)
    release, adapted = publishing.prepare(cfg, file, channel, (), _parse_sets(sets), disabled_too=True)
    if html is not None:
        from ..preview_html import write_preview_html
        from ..timezones import zone

        written = write_preview_html(release, adapted, html, datetime.now(zone(cfg.timezone)))
        render.console(stderr=True).print(_("HTML preview: {path}").format(path=written), markup=False)
    off = set() if channel else render.disabled(adapted)  # named with -c: it would be sent
    if STATE.json:
        render.print_json({"release": render.release_json(release),
                           "variants": [render.variant_json(a, a.channel.name in off) for a in adapted]})
    else:
        render.show_preview(release, adapted, render.console(), off)
    # a disabled channel is shown, but only the channels that will send decide the exit code
    raise typer.Exit(EXIT_OK if all(a.ok for a in adapted if a.channel.name not in off) else EXIT_FAILED)


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
) -> None:
    from .. import publishing
    from ..timezones import zone
    from . import progress, render

    cfg = load_cfg(near=file)
    release, adapted = publishing.prepare(cfg, file, channel, exclude, _parse_sets(sets))
    out = render.console()
    bad = [a for a in adapted if not a.ok]
    if bad:
        if STATE.json:
            render.print_json({"release": render.release_json(release), "queued": False,
                               "variants": [render.variant_json(a) for a in adapted]})
        else:
            for a in bad:
                out.print(render.preview_panel(a))
        publishing.check_publishable(adapted)
    when = publishing.schedule(at, release, cfg.timezone, now())
    not_before = when.timestamp() if when is not None else None
    if dry_run:
        if STATE.json:
            render.print_json({"release": render.release_json(release), "dry_run": True,
                               "variants": [render.variant_json(a) for a in adapted]})
        else:
            out.print(_("dry run: {n} variant(s) valid; nothing written, nothing sent.").format(
                n=len(adapted)))
        raise typer.Exit(EXIT_OK)
    bars = progress.UploadBars() if progress.wanted(STATE.json) else None
    try:
        outcome = publishing.publish(cfg, release, adapted, not_before,
                                     progress=bars.for_delivery if bars else None)
    finally:
        if bars:
            bars.stop()
    warn(outcome.warnings)
    page = _approval_page(cfg, file, release.slug) if any(
        d.status == "awaiting_approval" for d in outcome.deliveries) else None
    if STATE.json:
        render.print_json({"release": render.release_json(release), "approval_page": page and str(page),
                           "deliveries": [render.delivery_json(d) for d in outcome.deliveries],
                           "paused": outcome.pause, "notes": outcome.notes,
                           "embargo": release.embargo.isoformat() if release.embargo else None})
    else:
        render.print_deliveries(out, outcome.deliveries, zone(cfg.timezone), title=release.title)
        for note in outcome.notes:
            out.print(note, markup=False)
        if when is not None and any(d.status == "queued" for d in outcome.deliveries):
            out.print(_scheduled_note(when, zone(cfg.timezone)), markup=False)
        if page is not None:
            out.print(_("approval page (send it to the approver): {path}").format(path=page), markup=False,
                      soft_wrap=True, crop=False)
    raise typer.Exit(outcome.exit_code)


def _approval_page(cfg: Any, file: Path, slug: str) -> Path:
    """The approval page of what was stored (what `approve` sends), beside the release file, else in
    the state folder when that folder cannot be written."""
    from datetime import datetime

    from ..logbook import open_log
    from ..preview_html import write_preview_html
    from ..show import show_release, stored_adapted
    from ..timezones import zone

    shown = show_release(cfg, open_log(cfg), slug)
    adapted, now_here = stored_adapted(cfg, shown), datetime.now(zone(cfg.timezone))
    target = file.resolve().with_name(f"{file.stem}-persetujuan.html")
    try:
        return write_preview_html(shown.release, adapted, target, now_here)
    except OSError:
        return write_preview_html(shown.release, adapted, Path(cfg.state_dir) / target.name, now_here)


def _scheduled_note(when: Any, office: Any) -> str:
    """The time as it was given and in the office's zone, and who sends it then."""
    given = when.strftime("%Y-%m-%d %H:%M %Z").strip()
    local = when.astimezone(office).strftime("%Y-%m-%d %H:%M %Z").strip()
    shown = given if given == local else f"{given} ({local})"
    return _("scheduled for {when}: `crosspost run` (cron) sends it then; check that cron runs it "
             "(README, cron and systemd).").format(when=shown)


def register(app: typer.Typer) -> None:
    add_commands(app, {
        preview: _("Show every channel's variant, its length against the platform's limit, and every "
                   "problem.\n\nNeeds no credentials and sends nothing. Exit 0 when every variant can be "
                   "published, 1 when some channel has a problem, 2 when the release itself cannot be "
                   "read."),
        publish: _("Adapt, check, queue and deliver a release to every enabled channel, and log the "
                   "result.\n\nNothing is queued while any selected channel has a problem (see `crosspost "
                   "preview`). Publishing the same release again does not post twice: it reports the "
                   "existing links. Channels that require approval wait for `crosspost approve`; an "
                   "embargoed release stays queued until its embargo. Exit 0 when every delivery is sent, "
                   "scheduled or awaiting approval, 1 when some failed, 2 for bad input, 5 when the "
                   "office-wide pause held them in the queue."),
    })
