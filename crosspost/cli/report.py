"""`crosspost report` (evaluation over a period) and `crosspost audit` (export and hash-chain check).

Both only read the log. Output goes to stdout unless ``-o FILE`` is given; the format follows
the file's extension unless ``--format`` says otherwise. Every value of a ``CROSSPOST_*``
environment variable is masked in what is written, as in error messages: the log holds no
secrets, and this makes sure an export can never leak one that slipped into an error text.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, TextIO

import typer

from ..errors import EXIT_FAILED, EXIT_OK, InputError
from ..i18n import _
from .common import STATE, example_epilog

NOT_SECRET = ("CROSSPOST_CONFIG", "CROSSPOST_DB", "CROSSPOST_STATE_DIR", "CROSSPOST_FAILPOINT",
              "CROSSPOST_CACHE_DIR")
REPORT_EXT = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".csv": "csv", ".json": "json"}
AUDIT_EXT = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv"}


def _secrets() -> list[str]:
    return [v for k, v in os.environ.items() if k.startswith("CROSSPOST_") and k not in NOT_SECRET]


class _Masked:
    """A text sink that masks secrets in every chunk (chunks are whole lines or rows here)."""

    def __init__(self, out: TextIO) -> None:
        from .render import mask

        self._out, self._mask, self._secrets = out, mask, _secrets()

    def write(self, text: str) -> int:
        return self._out.write(self._mask(text, self._secrets))


def _format(fmt: str | None, output: str | None, by_ext: dict[str, str], default: str, what: str) -> str:
    if fmt:
        if fmt not in set(by_ext.values()):
            known = ", ".join(sorted(set(by_ext.values())))
            raise InputError(_("--format {fmt}: {what} can be written as {known}").format(
                fmt=fmt, what=what, known=known))
        return fmt
    if output and output != "-":
        ext = Path(output).suffix.lower()
        if ext not in by_ext:
            raise InputError(_("cannot tell the format from '{file}': name it {extensions} or pass "
                               "--format").format(file=output, extensions=", ".join(by_ext)))
        return by_ext[ext]
    return default


def _open(output: str | None, newline: str | None = None) -> tuple[TextIO, bool]:
    if not output or output == "-":
        return sys.stdout, False
    try:
        return open(output, "w", encoding="utf-8", newline=newline), True  # noqa: SIM115
    except OSError as exc:
        raise InputError(_("cannot write {file}: {error}; check the folder exists and is writable").format(
            file=output, error=exc.strerror)) from None


def _setup() -> tuple[Any, Any]:
    from .common import setup

    return setup()


def report(
    start: str | None = typer.Option(None, "--from", metavar="DATE",
                                     help=_("First day, e.g. 2026-07-01 (office time zone); default: the "
                                            "first day of the last full quarter.")),
    end: str | None = typer.Option(None, "--to", metavar="DATE",
                                   help=_("Last day, included, e.g. 2026-09-30.")),
    period: str | None = typer.Option(None, "--period", metavar="PERIOD",
                                      help=_("A quarter (2026-Q3), a month (2026-11) or a year (2026) "
                                             "instead of --from/--to.")),
    fmt: str | None = typer.Option(None, "--format", metavar="FORMAT",
                                   help=_("html, md, csv or json (default: from -o, else md).")),
    excel: bool = typer.Option(False, "--excel", help=_("CSV for Excel with an Indonesian locale: ';' "
                                                        "between cells, decimal comma, UTF-8 mark.")),
    output: str | None = typer.Option(None, "--output", "-o", metavar="FILE",
                                      help=_("Write here instead of stdout.")),
    all_offices: bool = typer.Option(False, "--all-offices", help=_("Offices sharing one log: report on "
                                                                    "every office, not only this one.")),
) -> None:
    """Evaluation report: per channel and section, success rate, waiting times, causes, weekly volume."""
    from datetime import datetime

    from .. import report as rep
    from .. import report_extras as extras
    from ..timezones import zone

    if excel and fmt not in (None, "csv"):
        raise InputError(_("--excel writes CSV; leave out --format {fmt}").format(fmt=fmt))
    fmt = "csv" if excel else _format(fmt, output, REPORT_EXT, "md", _("the report"))
    cfg, store = _setup()
    store.all_offices = all_offices
    try:
        first, last = extras.resolve_period(period, start, end, datetime.now(zone(cfg.timezone)).date())
        begin, stop = rep.period(first, last, cfg.timezone)
        data = rep.build(store, begin, stop, cfg.timezone)
        extras.add_context(data, store, begin, stop, cfg.office)
        text = extras.to_excel_csv(data) if excel else rep.render(data, fmt)
    finally:
        store.close()
    out, close = _open(output, newline="" if fmt == "csv" else None)
    try:
        _Masked(out).write(text)
    finally:
        if close:
            out.close()
    if close:
        print(_("report written to {file}").format(file=output), file=sys.stderr)
    raise typer.Exit(EXIT_OK)


def audit(
    start: str | None = typer.Option(None, "--from", metavar="DATE",
                                     help=_("First day (default: the beginning).")),
    end: str | None = typer.Option(None, "--to", metavar="DATE",
                                   help=_("Last day, included (default: now).")),
    output: str = typer.Option("-", "--output", "-o", metavar="FILE",
                               help=_("audit.jsonl or audit.csv; - is stdout.")),
    fmt: str | None = typer.Option(None, "--format", metavar="FORMAT",
                                   help=_("jsonl or csv (default: from -o, else jsonl).")),
    verify: bool = typer.Option(False, "--verify",
                                help=_("Recompute the events' hash chain instead of exporting.")),
    head: str | None = typer.Option(None, "--head", metavar="HASH",
                                    help=_("With --verify: a head hash noted earlier that must still be "
                                           "in the chain.")),
) -> None:
    """Audit export (who drafted, approved, paused, corrected; text sent; answers) or --verify the log."""
    from .. import audit as aud

    cfg, store = _setup()
    try:
        if verify:
            result = aud.verify(store, head)
            if STATE.json:
                import json

                print(json.dumps({"ok": result.ok, "events": result.events, "legacy": result.legacy,
                                  "head": result.head, "bad_event": result.bad_event,
                                  "problem": result.problem, "covers_from": result.covers_from}))
            else:
                print(result.message(), file=sys.stdout if result.ok else sys.stderr)
            raise typer.Exit(EXIT_OK if result.ok else EXIT_FAILED)
        fmt = _format(fmt, output, AUDIT_EXT, "jsonl", _("the audit export"))
        import time

        from ..report import end_of
        from ..timezones import parse_when, zone

        tz = zone(cfg.timezone)
        begin = parse_when(start, cfg.timezone).timestamp() if start else 0.0
        stop = end_of(end, cfg.timezone).timestamp() if end else time.time() + 1
        if stop <= begin:
            raise InputError(_("--to ({end}) must come after --from ({start})").format(end=end, start=start))
        out, close = _open(output, newline="" if fmt == "csv" else None)
        try:
            count = aud.write(aud.records(store, begin, stop, tz), fmt, _Masked(out))  # type: ignore[arg-type]
        finally:
            if close:
                out.close()
    finally:
        store.close()
    if close:
        print(_("{n} release(s) written to {file}").format(n=count, file=output), file=sys.stderr)
    raise typer.Exit(EXIT_OK)


def register(app: typer.Typer) -> None:
    app.command("report",
        epilog=example_epilog("report"),
        help=_("Evaluation report: per channel and section, success rate, waiting times, "
                                 "causes, weekly volume."))(report)
    app.command("audit",
        epilog=example_epilog("audit"),
        help=_("Audit export (who drafted, approved, paused, corrected; text sent; answers) "
                                "or --verify the log."))(audit)
