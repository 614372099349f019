"""The engine's commands: run (cron / watch), queue, retry, cancel, resolve.

Cron-friendly: plain text without a TTY (rich turns colour off by itself), ``--quiet`` prints
only problems, ``--json`` prints one JSON object per line, and the exit code tells "all sent"
(0), "some failed or unknown" (1), "error" (3) and "nothing to do" (4) apart.
"""

from __future__ import annotations

import json
import signal
import sys
from typing import Any

import typer

from ..errors import EXIT_NOTHING, EXIT_OK, InputError
from ..i18n import _
from .common import STATE, add_commands, setup, warn
from .completion import release_handles


def _line(outcome: str, d: Any) -> dict[str, Any]:
    return {"event": outcome, "id": d.id, "release": d.release_slug, "channel": d.channel,
            "status": d.status, "attempts": d.attempts, "url": d.url, "remote_id": d.remote_id,
            "error": d.last_error, "error_kind": d.error_kind, "not_before": d.not_before}


def _print_report(report: Any, as_json: bool, quiet: bool, tz: Any = None) -> None:
    latest = {d.id: d for d in report.deliveries}
    if as_json:
        for outcome, d in report.outcomes:
            print(json.dumps(_line(outcome, latest.get(d.id, d)), ensure_ascii=False))
        for d in report.waiting:
            print(json.dumps(_line("waiting", d), ensure_ascii=False))
        print(json.dumps({"summary": dict(report.counts), "exit": report.exit_code}), flush=True)
        return
    from . import render

    out, err = render.console(), render.console(stderr=True)
    for d in report.deliveries:
        bad = d.status in ("failed", "unknown")
        if quiet and not bad:
            continue
        detail = d.url or d.last_error or ""
        label = render.status_label(d.status)
        line = render.safe(f"{label:<8} #{d.id} {d.release_slug} -> {d.channel}  {detail}")
        (err if bad else out).print(line, markup=False)
    waiting = sorted(report.waiting_channels or {d.channel for d in report.waiting})
    if waiting:
        err.print(_("waiting: {n} due deliver(ies) for channel(s) not enabled in channels.toml: {names}; "
                    "enable them or `crosspost cancel` the deliveries").format(
                        n=report.counts["waiting"] or len(report.waiting), names=", ".join(waiting)),
                  markup=False)
    if report.paused is not None:
        from ..controls import pause_message

        err.print(pause_message(report.paused, tz), markup=False)
    elif not quiet and not report.deliveries:
        out.print(_("nothing due."), markup=False)


def run(
    once: bool = typer.Option(True, "--once/--watch", help=_("Send what is due and exit (for cron), "
                                                             "or keep running and check every --interval "
                                                             "seconds.")),
    interval: float = typer.Option(60.0, "--interval", min=1.0,
                                   help=_("Seconds between checks with --watch.")),
    workers: int = typer.Option(4, "--workers", min=1, help=_("Deliveries sent in parallel.")),
    quiet: bool = typer.Option(False, "--quiet", "-q", help=_("Print only failures and unknowns.")),
) -> None:
    from .. import publishing
    from ..clock import SystemClock
    from .common import tz

    cfg, store = setup()
    clock = SystemClock()
    engine = publishing.queue_engine(cfg, store, clock, workers=workers)
    _warn_expiry(cfg, list(engine.channels.values()), clock, quiet)
    if once:
        report = engine.run_once()
        _print_report(report, STATE.json, quiet, tz(cfg))
        raise typer.Exit(report.exit_code)
    stop = {"now": False}

    def _term(_sig: int, _frame: Any) -> None:
        stop["now"] = True

    signal.signal(signal.SIGTERM, _term)
    try:
        while not stop["now"]:
            _print_watch(engine.run_once(), STATE.json, quiet)
            slept = 0.0
            wake = getattr(store, "wait_for_work", None)  # PostgreSQL: LISTEN/NOTIFY wakes at once
            while slept < interval and not stop["now"]:
                if wake is not None:
                    if wake(min(1.0, interval - slept)):
                        break
                else:
                    clock.sleep(min(1.0, interval - slept))
                slept += 1.0
    except KeyboardInterrupt:
        pass
    raise typer.Exit(EXIT_OK)


def _print_watch(report: Any, as_json: bool, quiet: bool) -> None:
    """In watch mode, stay silent on idle rounds."""
    if report.deliveries or report.waiting:
        _print_report(report, as_json, quiet)
        sys.stdout.flush()


def queue() -> None:
    from ..store import WAITING
    from ..timezones import zone
    from . import render

    cfg, store = setup()
    rows = sorted(store.deliveries(status=WAITING), key=lambda d: (d.not_before or 0, d.id))
    if STATE.json:
        render.print_json([render.delivery_json(d) for d in rows])
        raise typer.Exit(EXIT_OK)
    if not rows:
        render.console().print(_("the queue is empty."))
        raise typer.Exit(EXIT_NOTHING)
    render.print_deliveries(render.console(), rows, zone(cfg.timezone), title=_("waiting"))


def retry(
    delivery_id: int | None = typer.Argument(None, metavar="ID", help=_("The delivery to queue again.")),
    failed: bool = typer.Option(False, "--failed", help=_("Queue every failed delivery again.")),
) -> None:
    from ..clock import SystemClock

    if (delivery_id is None) == (not failed):
        raise InputError(_("give either a delivery ID or --failed"))
    _cfg, store = setup()
    rows = store.retry(delivery_id, SystemClock().now(), all_failed=failed)
    _done(rows, _("queued again"))


def cancel(
    target: str = typer.Argument(..., metavar="ID|RELEASE", autocompletion=release_handles,
                                help=_("A delivery id (12), or a release: #number, slug, its start "
                                       "or file.")),
) -> None:
    from ..clock import SystemClock

    cfg, store = setup()
    if target.isdigit():
        rows = store.cancel(int(target), SystemClock().now())
    else:
        from ..publishing import release_slug

        rows = store.cancel(release_slug(cfg, store, target), SystemClock().now())
    _done(rows, _("cancelled"))


def resolve(
    delivery_id: int = typer.Argument(..., metavar="ID", help=_("An unknown delivery.")),
    sent: str | None = typer.Option(None, "--sent", metavar="URL", help=_("It is online at this link.")),
    remote_id: str | None = typer.Option(None, "--remote-id", help=_("The platform's id of the post.")),
    not_sent: bool = typer.Option(False, "--not-sent", help=_("It is not online: queue it again.")),
) -> None:
    from ..clock import SystemClock
    from ..models import Receipt

    if (sent is None) == (not not_sent):
        raise InputError(_("give either --sent URL or --not-sent"))
    if sent is not None and not sent.startswith(("http://", "https://")):
        raise InputError(_("--sent expects the post's link (https://...), got '{value}'").format(value=sent))
    _cfg, store = setup()
    receipt = Receipt(remote_id or sent, sent) if sent is not None else None
    d = store.resolve(delivery_id, SystemClock().now(), receipt)
    _done([d], _("marked sent") if receipt else _("queued again"))


def _done(rows: list, verb: str) -> None:
    from . import render

    if STATE.json:
        render.print_json([render.delivery_json(d) for d in rows])
    elif not rows:
        render.console().print(_("nothing {done}.").format(done=verb))
    else:
        for d in rows:
            render.console().print(f"{verb}: #{d.id} {d.release_slug} -> {d.channel}", markup=False)
    raise typer.Exit(EXIT_OK if rows else EXIT_NOTHING)


# -- credential expiry ----
def _warn_expiry(cfg: Any, channels: list, clock: Any, quiet: bool) -> None:
    """One stderr line per channel whose credentials expire soon; under --quiet (cron) at most
    once a day per channel, so the warning arrives without mailing the operator every minute."""
    from .. import publishing

    warn(publishing.expiry_warnings(cfg, channels, clock, once_per=86400.0 if quiet else None))


def register(app: typer.Typer) -> None:
    helps = {
        run: _("Send every delivery that is due: reap stale leases, settle unknowns, retry what may be "
               "retried.\n\nSafe to run from cron every minute, even when runs overlap. Exit 0 when "
               "everything handled was sent, 1 when something failed or is unknown, 4 when nothing was due."),
        queue: _("What is waiting and when: queued (and when it is due), sending, unknown, awaiting "
                 "approval."),
        retry: _("Queue a failed delivery again (after `crosspost auth`, or once the problem is fixed)."),
        cancel: _("Stop a delivery (or every pending delivery of a release) from being sent."),
        resolve: _("Settle an `unknown` delivery after checking the platform by hand."),
    }
    add_commands(app, helps)
