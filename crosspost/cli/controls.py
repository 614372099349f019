"""Commands of the supervisor and of the office: approve, reject, pause, resume.

The rules live in the store (claim), crosspost.controls and crosspost.publishing; these commands
parse, call the office action and say what happened in plain words.
Exit codes: 0 done, 1 a delivery failed, 2 bad input, 4 nothing to do, 5 the office-wide pause.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer

from ..errors import EXIT_NOTHING, EXIT_OK, EXIT_PAUSED, InputError
from ..i18n import _, ngettext
from .common import STATE, add_commands, person, say, setup
from .common import now as _now
from .common import tz as _tz
from .completion import release_handles

ByOpt = typer.Option(None, "--by", metavar="NAME",
                     help=_("Who does this, as it will stand in the log (default: $CROSSPOST_USER, "
                            "[office] operator in channels.toml, else your login)."))
ChannelOpt = typer.Option([], "--channel", "-c", help=_("Only this channel (repeatable); default: all."))
SlugArg = _("The release: its slug, a unique start of it, its #number (`crosspost status`) or its file.")


def _approver(cfg: Any, value: str | None) -> str:
    """The approver's name (see common.person); must be one of [approval] approvers when set."""
    name = person(cfg, value)
    allowed = getattr(cfg, "approvers", ())
    if allowed:
        match = next((a for a in allowed if a.casefold() == name.casefold()), None)
        if match is None:
            raise InputError(_("'{name}' is not an approver: channels.toml [approval] approvers lists "
                               "{approvers}").format(name=name, approvers=", ".join(allowed)))
        person(cfg, match)
        return match
    return name


def _count(n: int) -> str:
    return ngettext("{n} delivery", "{n} deliveries", n).format(n=n)


def _rows_out(rows: list, tz: Any) -> list[str]:
    from ..controls import when_text
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
    release: str = typer.Argument(..., metavar="RELEASE", help=SlugArg, autocompletion=release_handles),
    by: str | None = ByOpt,
    note: str | None = typer.Option(None, "--note", help=_("A remark kept with the approval.")),
    channel: list[str] = ChannelOpt,
    expect: str | None = typer.Option(None, "--hash", metavar="HASH",
                                      help=_("Refuse if the release's content hash no longer starts with "
                                             "this (it was edited after you reviewed it).")),
) -> None:
    from .. import publishing
    from . import render

    cfg, store = setup()
    actor = _approver(cfg, by)
    release = publishing.release_slug(cfg, store, release)
    done = publishing.approve(cfg, store, release, actor, note=note, channels=channel, expect_hash=expect)
    rows, approval = done.deliveries, done.decision
    if STATE.json:
        render.print_json({"approval": {k: v for k, v in approval.items() if k != "variants_json"},
                           "deliveries": [render.delivery_json(d) for d in rows], "paused": done.pause,
                           "notes": done.notes})
    else:
        say([_("approved by {actor}: {release} (content hash {hash}), {count}:").format(
            actor=actor, release=release, hash=approval["content_hash"][:12], count=_count(len(rows))),
             *_rows_out(rows, _tz(cfg)), *done.notes])
    raise typer.Exit(done.exit_code)


def reject(
    release: str = typer.Argument(..., metavar="RELEASE", help=SlugArg, autocompletion=release_handles),
    by: str | None = ByOpt,
    reason: str = typer.Option(..., "--reason", help=_("Why: the editors read it in the log.")),
    channel: list[str] = ChannelOpt,
) -> None:
    from .. import publishing
    from . import render

    cfg, store = setup()
    actor = _approver(cfg, by)
    release = publishing.release_slug(cfg, store, release)
    done = publishing.reject(store, release, actor, reason, channels=channel)
    rows, approval = done.deliveries, done.decision
    if STATE.json:
        render.print_json({"rejection": {k: v for k, v in approval.items() if k != "variants_json"},
                           "deliveries": [render.delivery_json(d) for d in rows]})
    else:
        say([_("rejected by {actor}: {release} ({why}); cancelled:").format(
            actor=actor, release=release, why=" ".join(reason.split())),
             *_rows_out(rows, _tz(cfg)),
             _("edit the release and `crosspost publish` it again to ask for approval.")])
    raise typer.Exit(EXIT_OK)


# -- pause / resume ---------------------------------------------------------------------------------
def pause(
    ctx: typer.Context,
    reason: str | None = typer.Option(None, "--reason", help=_("Why (mourning period, crisis, election "
                                                              "quiet period...): kept in the log.")),
    by: str | None = ByOpt,
    until: str | None = typer.Option(None, "--until", help=_("Lift it by itself then: '2026-12-02 06:00' "
                                                            "(WIB unless it says WITA/WIT/+08:00).")),
    show: bool = typer.Option(False, "--show", help=_("Only say whether a pause is on (exit 5 if it is).")),
) -> None:
    from ..controls import pause_message, when_text
    from . import render

    cfg, store = setup()
    now = _now()
    tz = _tz(cfg)
    if show or (reason is None and by is None and until is None):
        current = store.active_pause(now)
        if STATE.json:
            render.print_json({"paused": current})
        else:
            say([pause_message(current, tz)
                  if current else _("not paused: deliveries go out as scheduled.")])
            if not show:  # a bare `crosspost pause`: say how to pause, not only whether it is on
                from . import render
                from .common import example_epilog

                out = render.console()
                out.print("", _("Usage: ") + ctx.command_path + " --reason TEXT [--by NAME] [--until WHEN]",
                          *(example_epilog("pause") or "").replace("\b\n", "").splitlines(), sep="\n",
                          markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_PAUSED if current else EXIT_OK)
    if not reason or not reason.strip():
        raise InputError(_('give the reason: crosspost pause --reason "masa berkabung nasional" --by NAME'))
    actor = person(cfg, by)
    end = None
    if until:
        from ..timezones import parse_when

        end = parse_when(until, cfg.timezone).timestamp()
        if end <= now:
            raise InputError(_("--until {when} is already past; give a time in the future").format(
                when=until))
    row = store.pause(" ".join(reason.split()), actor, now, end)
    waiting = len(store.deliveries(status="queued"))
    if STATE.json:
        render.print_json({"paused": row, "queued": waiting})
    else:
        head = (_("paused by {actor} at {at} until {until}: {reason}.") if end
                else _("paused by {actor} at {at} until `crosspost resume`: {reason}."))
        say([head.format(actor=actor, at=when_text(now, tz), until=when_text(end, tz) if end else "",
                          reason=row["reason"]),
              _("nothing is sent from now on; queued deliveries keep their place ({n} now). "
                "A post already being uploaded finishes.").format(n=waiting)])
    raise typer.Exit(EXIT_OK)


def resume(
    by: str | None = ByOpt,
) -> None:
    from . import render

    cfg, store = setup()
    actor = person(cfg, by)
    lifted = store.resume(actor, _now())
    waiting = len(store.deliveries(status="queued"))
    if STATE.json:
        render.print_json({"lifted": lifted, "queued": waiting})
    elif lifted:
        say([_("resumed by {actor} (paused by {by}: {reason}).").format(actor=actor, by=p["actor"],
                                                                          reason=p["reason"]) for p in lifted]
             + [_("{count} queued: `crosspost run` sends what is due.").format(count=_count(waiting))])
    else:
        say([_("nothing to resume: no pause is on.")])
    raise typer.Exit(EXIT_OK if lifted else EXIT_NOTHING)


def register(app: typer.Typer) -> None:
    helps: dict[Callable[..., Any], str] = {
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
    add_commands(app, helps)
