"""Writing and sending a release: `preview` and `publish`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from ..errors import EXIT_FAILED, EXIT_INPUT, EXIT_OK, InputError
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
    prepared = publishing.prepare_release(cfg, file, channel, (), _parse_sets(sets), disabled_too=True)
    release, adapted = prepared.release, prepared.adapted
    if html is not None:
        from ..preview_html import write_preview_html
        from ..timezones import zone

        written = write_preview_html(release, adapted, html, datetime.now(zone(cfg.timezone)),
                                     prepared.skipped)
        render.console(stderr=True).print(_("HTML preview: {path}").format(path=written), markup=False)
    off = set() if channel else render.disabled(adapted)  # named with -c: it would be sent
    if STATE.json:
        render.print_json({"release": render.release_json(release),
                           "variants": [render.variant_json(a, a.channel.name in off) for a in adapted],
                           "skipped": _skipped_json(prepared.skipped)})
    else:
        out = render.console()
        render.show_preview(release, adapted, out, off)
        _print_lines(out, [s.line() for s in prepared.skipped])
    # a disabled channel is shown, but only the channels that will send decide the exit code
    raise typer.Exit(EXIT_OK if all(a.ok for a in adapted if a.channel.name not in off) else EXIT_FAILED)


def _skipped_json(skipped: list[Any]) -> list[dict[str, str]]:
    return [{"channel": s.channel, "type": s.platform, "reason": s.reason} for s in skipped]


def _print_lines(out: Any, lines: list[str]) -> None:
    from . import render

    for line in lines:
        out.print(render.safe(line), markup=False, highlight=False, soft_wrap=True)


def publish(
    file: Path = typer.Argument(..., help=FileArg),
    channel: list[str] = ChannelOpt,
    exclude: list[str] = typer.Option([], "--exclude", "-x",
                                      help=_("Leave this channel out, e.g. when it has a problem.")),
    sets: list[str] = SetOpt,
    at: str | None = typer.Option(None, "--at", help=_("Queue for later instead of sending now: "
                                                       "'2026-12-01 09:00' (WIB unless it says WITA/WIT/"
                                                       "+08:00), or 'release' for the release's own date.")),
    dry_run: bool = typer.Option(False, "--dry-run", help=_(
        "Show what preview shows and what would be queued, when and where; write and send nothing.")),
    send_now: bool = typer.Option(False, "--now", help=_("Send a release dated in the future now (without "
                                                          "it, publish asks for --at release or --now).")),
    update: bool = typer.Option(False, "--update", help=_(
        "The release changed after it was sent: rewrite the website article (previous version kept), "
        "edit the Facebook post and the YouTube description.")),
) -> None:
    from .. import edits, plan, publishing
    from ..timezones import zone
    from . import progress, render

    cfg = load_cfg(near=file)
    prepared = publishing.prepare_release(cfg, file, channel, exclude, _parse_sets(sets))
    release, adapted, skipped = prepared.release, prepared.adapted, prepared.skipped
    out = render.console()
    office = zone(cfg.timezone)
    bad = [a for a in adapted if not a.ok]
    if bad:
        if STATE.json:
            render.print_json({"release": render.release_json(release), "queued": False,
                               "variants": [render.variant_json(a) for a in adapted],
                               "skipped": _skipped_json(skipped)})
        else:
            for a in bad:
                out.print(render.preview_panel(a))
        publishing.check_publishable(adapted)
    when = publishing.schedule(at, release, cfg.timezone, now())
    try:
        plan.check_future(release, at, send_now, now(), office)
        refusal: InputError | None = None
    except InputError as exc:  # a dry run still shows the plan, then says what publish would refuse
        if not dry_run:
            raise
        refusal = exc
    not_before = when.timestamp() if when is not None else None
    warnings = plan.warnings(release, adapted)
    if dry_run:
        steps = plan.queue_plan(release, adapted, not_before, now(), office)
        if STATE.json:
            render.print_json({"release": render.release_json(release), "dry_run": True,
                               "variants": [render.variant_json(a) for a in adapted],
                               "skipped": _skipped_json(skipped), "warnings": warnings,
                               "plan": [{"channel": s.channel, "type": s.platform, "when": s.when,
                                         "where": s.where} for s in steps],
                               "refused": str(refusal) if refusal else None})
        else:
            render.show_preview(release, adapted, out)
            _print_lines(out, [s.line() for s in skipped] + [s.line() for s in steps])
            out.print(_("dry run: nothing written, nothing sent."), markup=False)
            if refusal is not None:
                raise refusal
        raise typer.Exit(EXIT_INPUT if refusal else EXIT_OK)
    if not STATE.json:
        _print_lines(out, [f"! {w}" for w in warnings])
    edited = edits.edit_published(cfg, release, adapted, update)
    if edited.refused:
        if STATE.json:
            render.print_json({"release": render.release_json(release), "queued": False,
                               "changed": [{"channel": c.channel.name, "what": list(c.what),
                                            "url": c.delivery.url} for c in edited.changed],
                               "notes": edited.notes, "warnings": warnings})
        else:
            _print_lines(out, edited.notes)
        raise typer.Exit(EXIT_FAILED)
    bars = progress.UploadBars() if progress.wanted(STATE.json) else None
    try:
        outcome = publishing.publish(cfg, release, adapted, not_before,
                                     progress=bars.for_delivery if bars else None)
    finally:
        if bars:
            bars.stop()
    outcome.notes += [s.line() for s in skipped] + edited.notes
    outcome.deliveries += edited.deliveries
    warn(outcome.warnings)
    page = _approval_page(cfg, file, release.slug, skipped) if any(
        d.status == "awaiting_approval" for d in outcome.deliveries) else None
    if STATE.json:
        render.print_json({"release": render.release_json(release), "approval_page": page and str(page),
                           "deliveries": [render.delivery_json(d) for d in outcome.deliveries],
                           "paused": outcome.pause, "notes": outcome.notes,
                           "skipped": _skipped_json(skipped), "warnings": warnings,
                           "embargo": release.embargo.isoformat() if release.embargo else None})
    else:
        render.print_deliveries(out, outcome.deliveries, office, title=release.title)
        for note in outcome.notes:
            out.print(note, markup=False)
        if when is not None and any(d.status == "queued" for d in outcome.deliveries):
            out.print(_scheduled_note(when, office), markup=False)
        if page is not None:
            out.print(_("approval page (send it to the approver): {path}").format(path=page), markup=False,
                      soft_wrap=True, crop=False)
    raise typer.Exit(outcome.exit_code)


def _approval_page(cfg: Any, file: Path, slug: str, skipped: list[Any]) -> Path:
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
        return write_preview_html(shown.release, adapted, target, now_here, skipped)
    except OSError:
        return write_preview_html(shown.release, adapted, Path(cfg.state_dir) / target.name, now_here,
                                  skipped)


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
