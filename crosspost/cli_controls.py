"""Commands of the supervisor and of the office: approve, reject, pause, resume.

The rules themselves live in the store (claim) and in crosspost.controls; these commands only
record decisions, send what an approval made due, and say what happened in plain words.
Exit codes: 0 done, 1 a delivery failed, 2 bad input, 4 nothing to do, 5 the office-wide pause.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from .errors import EXIT_FAILED, EXIT_NOTHING, EXIT_OK, EXIT_PAUSED, InputError
from .i18n import _, ngettext

ConfigOpt = typer.Option(None, "--config", envvar="CROSSPOST_CONFIG",
                         help=_("channels.toml to use (default: ./channels.toml, else the built-in one)."))
JsonOpt = typer.Option(False, "--json", help=_("Print machine-readable JSON."))
ByOpt = typer.Option(..., "--by", metavar="NAME", help=_("Your name, as it will stand in the log."))
ChannelOpt = typer.Option([], "--channel", "-c", help=_("Only this channel (repeatable); default: all."))
SlugArg = _("The release slug (see `crosspost status`).")


def _setup(config: Path | None):
    from .cli_common import config as load
    from .logbook import open_log

    cfg = load(config)
    return cfg, open_log(cfg)


def _now() -> float:
    from .clock import SystemClock

    return SystemClock().now()


def _tz(cfg: Any):
    from .timezones import zone

    return zone(cfg.timezone)


def _name(value: str, option: str = "--by") -> str:
    name = " ".join((value or "").split())
    if not name:
        raise InputError(_("{option} needs a name: who does this (it is kept in the log)").format(
            option=option))
    return name


def _approver(cfg: Any, value: str) -> str:
    """The approver's name; must be one of [approval] approvers when that list is set."""
    name = _name(value)
    allowed = getattr(cfg, "approvers", ())
    if allowed:
        match = next((a for a in allowed if a.casefold() == name.casefold()), None)
        if match is None:
            raise InputError(_("'{name}' is not an approver: channels.toml [approval] approvers lists "
                               "{approvers}").format(name=name, approvers=", ".join(allowed)))
        return match
    return name


def _say(lines: list[str], err: bool = False) -> None:
    from . import render

    out = render.console(stderr=err)
    for line in lines:
        out.print(line, markup=False)


# -- used by `crosspost publish` -------------------------------------------------------------------
def publish_notes(cfg: Any, release: Any, final: list, back: list, rejected: list,
                  pause: dict[str, Any] | None, now: float) -> list[str]:
    """What publish tells the operator about approval, embargo and the pause (one line each)."""
    from .controls import approval_message, embargo_active, embargo_message, pause_message

    tz = _tz(cfg)
    notes = []
    if back:
        notes.append(_("the release changed since it was approved (or was never approved): {channels} need "
                       "approval again; nothing of it is sent.").format(
                           channels=", ".join(d.channel for d in back)))
    for d in rejected:
        notes.append(_("{channel}: {why}; edit the release and publish it again to ask for approval.").format(
            channel=d.channel, why=d.last_error or _("rejected")))
    awaiting = [d.channel for d in final if d.status == "awaiting_approval"]
    if awaiting:
        notes.append(approval_message(release.slug, awaiting, getattr(cfg, "approvers", ()),
                                      release.content_hash))
    if embargo_active(release, now):
        notes.append(embargo_message(release, tz))
    if pause is not None:
        notes.append(pause_message(pause, tz))
    return notes


def _send_due(cfg: Any, store: Any, rows: list, now: float) -> tuple[list, dict[str, Any] | None]:
    """Run the engine for those of ``rows`` that are due now (like publish does); returns the rows
    as they are afterwards and the pause that held them, if any."""
    from .clock import SystemClock
    from .deliver import Engine

    pause = store.active_pause(now)
    due = [d for d in rows if d.status == "queued" and (d.not_before or 0) <= now]
    enabled = set(cfg.channel_names(enabled_only=True))
    names = sorted({d.channel for d in due} & enabled)
    if due and names and pause is None:
        engine = Engine(store, {n: cfg.channel(n) for n in names}, SystemClock())
        pause = engine.run_once(delivery_ids=[d.id for d in due if d.channel in names]).paused
    return [store.delivery(d.id) or d for d in rows], pause


def _result(rows: list, pause: dict[str, Any] | None) -> int:
    if any(d.status in ("failed", "unknown") for d in rows):
        return EXIT_FAILED
    if pause is not None and any(d.status == "queued" for d in rows):
        return EXIT_PAUSED
    return EXIT_OK


def _count(n: int) -> str:
    return ngettext("{n} delivery", "{n} deliveries", n).format(n=n)


def _rows_out(rows: list, tz: Any) -> list[str]:
    from .controls import when_text
    from .render import status_label

    out = []
    for d in rows:
        detail = d.url or d.last_error or ""
        if d.status == "queued":
            detail = detail or _("due {when}").format(when=when_text(d.not_before, tz))
        label = status_label(d.status)
        out.append(f"  {label:<9} #{d.id} {d.release_slug} -> {d.channel}  {detail}".rstrip())
    return out


# -- approve / reject -------------------------------------------------------------------------------
def approve(
    release: str = typer.Argument(..., metavar="RELEASE", help=SlugArg),
    by: str = ByOpt,
    note: str | None = typer.Option(None, "--note", help=_("A remark kept with the approval.")),
    channel: list[str] = ChannelOpt,
    expect: str | None = typer.Option(None, "--hash", metavar="HASH",
                                      help=_("Refuse if the release's content hash no longer starts with "
                                             "this (it was edited after you reviewed it).")),
    config: Path | None = ConfigOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Approve a release that awaits approval: it is sent now, or at its scheduled time.

    The log keeps who approved, when, the release's content hash and the exact variants
    approved. A release edited and published again afterwards needs approval again.
    """
    from . import render
    from .controls import embargo_active, embargo_message, pause_message

    cfg, store = _setup(config)
    actor = _approver(cfg, by)
    now = _now()
    approval, rows = store.approve(release, actor, now, note=note, channels=channel or None,
                                   expect_hash=expect)
    rows, pause = _send_due(cfg, store, rows, now)
    stored = store.release_by_slug(release)
    tz = _tz(cfg)
    notes = []
    if stored is not None and embargo_active(stored, now):
        notes.append(embargo_message(stored, tz))
    if pause is not None:
        notes.append(pause_message(pause, tz))
    idle = [d.channel for d in rows if d.status == "queued" and d.channel not in cfg.channel_names()]
    if idle:
        notes.append(_("{channels} not enabled in channels.toml: enable it, then `crosspost run`.").format(
            channels=", ".join(idle)))
    if as_json:
        render.print_json({"approval": {k: v for k, v in approval.items() if k != "variants_json"},
                           "deliveries": [render.delivery_json(d) for d in rows], "paused": pause,
                           "notes": notes})
    else:
        _say([_("approved by {actor}: {release} (content hash {hash}), {count}:").format(
            actor=actor, release=release, hash=approval["content_hash"][:12], count=_count(len(rows))),
              *_rows_out(rows, tz), *notes])
    raise typer.Exit(_result(rows, pause))


def reject(
    release: str = typer.Argument(..., metavar="RELEASE", help=SlugArg),
    by: str = ByOpt,
    reason: str = typer.Option(..., "--reason", help=_("Why: the editors read it in the log.")),
    channel: list[str] = ChannelOpt,
    config: Path | None = ConfigOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Withdraw a release: everything of it not yet sent is cancelled and marked rejected.

    To try again, edit the release and `crosspost publish` it: it awaits approval anew.
    """
    from . import render

    cfg, store = _setup(config)
    actor = _approver(cfg, by)
    why = " ".join(reason.split())
    if not why:
        raise InputError(_("--reason needs a few words: the editors read it in the log"))
    approval, rows = store.reject(release, actor, why, _now(), channels=channel or None)
    if as_json:
        render.print_json({"rejection": {k: v for k, v in approval.items() if k != "variants_json"},
                           "deliveries": [render.delivery_json(d) for d in rows]})
    else:
        _say([_("rejected by {actor}: {release} ({why}); cancelled:").format(actor=actor, release=release,
                                                                             why=why),
              *_rows_out(rows, _tz(cfg)),
              _("edit the release and `crosspost publish` it again to ask for approval.")])
    raise typer.Exit(EXIT_OK)


# -- pause / resume ---------------------------------------------------------------------------------
def pause(
    reason: str | None = typer.Option(None, "--reason", help=_("Why (mourning period, crisis, election "
                                                              "quiet period...): kept in the log.")),
    by: str | None = typer.Option(None, "--by", metavar="NAME",
                                  help=_("Your name, as it will stand in the log.")),
    until: str | None = typer.Option(None, "--until", help=_("Lift it by itself then: '2026-12-02 06:00' "
                                                            "(WIB unless it says WITA/WIT/+08:00).")),
    show: bool = typer.Option(False, "--show", help=_("Only say whether a pause is on (exit 5 if it is).")),
    config: Path | None = ConfigOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Stop every delivery from every process (cron included) at once, until `crosspost resume`.

    Queued deliveries keep their place; `run` exits 5 and sends nothing while paused; `publish`
    and `approve` still queue. A post already being uploaded when the pause starts finishes.
    """
    from . import render
    from .controls import pause_message, when_text

    cfg, store = _setup(config)
    now = _now()
    tz = _tz(cfg)
    if show or (reason is None and by is None and until is None):
        current = store.active_pause(now)
        if as_json:
            render.print_json({"paused": current})
        else:
            _say([pause_message(current, tz)
                  if current else _("not paused: deliveries go out as scheduled.")])
        raise typer.Exit(EXIT_PAUSED if current else EXIT_OK)
    if not reason or not reason.strip():
        raise InputError(_('give the reason: crosspost pause --reason "masa berkabung nasional" --by NAME'))
    actor = _name(by or "")
    end = None
    if until:
        from .timezones import parse_when

        end = parse_when(until, cfg.timezone).timestamp()
        if end <= now:
            raise InputError(_("--until {when} is already past; give a time in the future").format(
                when=until))
    row = store.pause(" ".join(reason.split()), actor, now, end)
    waiting = len(store.deliveries(status="queued"))
    if as_json:
        render.print_json({"paused": row, "queued": waiting})
    else:
        head = (_("paused by {actor} at {at} until {until}: {reason}.") if end
                else _("paused by {actor} at {at} until `crosspost resume`: {reason}."))
        _say([head.format(actor=actor, at=when_text(now, tz), until=when_text(end, tz) if end else "",
                          reason=row["reason"]),
              _("nothing is sent from now on; queued deliveries keep their place ({n} now). "
                "A post already being uploaded finishes.").format(n=waiting)])
    raise typer.Exit(EXIT_OK)


def resume(
    by: str = ByOpt,
    config: Path | None = ConfigOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Lift the office-wide pause; the next `crosspost run` (or cron) sends what is due."""
    from . import render

    cfg, store = _setup(config)
    actor = _name(by)
    lifted = store.resume(actor, _now())
    waiting = len(store.deliveries(status="queued"))
    if as_json:
        render.print_json({"lifted": lifted, "queued": waiting})
    elif lifted:
        _say([_("resumed by {actor} (paused by {by}: {reason}).").format(actor=actor, by=p["actor"],
                                                                          reason=p["reason"]) for p in lifted]
             + [_("{count} queued: `crosspost run` sends what is due.").format(count=_count(waiting))])
    else:
        _say([_("nothing to resume: no pause is on.")])
    raise typer.Exit(EXIT_OK if lifted else EXIT_NOTHING)


def register(app: typer.Typer) -> None:
    helps = {
        approve: _("Approve a release that awaits approval: it is sent now, or at its scheduled time.\n\n"
                   "The log keeps who approved, when, the release's content hash and the exact variants "
                   "approved. A release edited and published again afterwards needs approval again."),
        reject: _("Withdraw a release: everything of it not yet sent is cancelled and marked rejected.\n\n"
                  "To try again, edit the release and `crosspost publish` it: it awaits approval anew."),
        pause: _("Stop every delivery from every process (cron included) at once, until `crosspost "
                 "resume`.\n\nQueued deliveries keep their place; `run` exits 5 and sends nothing while "
                 "paused; `publish` and `approve` still queue. A post already being uploaded when the pause "
                 "starts finishes."),
        resume: _("Lift the office-wide pause; the next `crosspost run` (or cron) sends what is due."),
    }
    for fn, text in helps.items():
        app.command(fn.__name__, help=text)(fn)
