"""`crosspost doctor`: one line per health check, exit 1 on any fail."""

from __future__ import annotations

import typer

from ..i18n import _
from .common import example_epilog


def doctor(
    offline: bool = typer.Option(False, "--offline", help=_("Skip the checks that use the network "
                                                            "(logins, token expiry on Facebook/Instagram, "
                                                            "external links).")),
    days: int | None = typer.Option(None, "--days", min=0, help=_("Warn when credentials expire within "
                                                                  "this many days (default: [doctor] "
                                                                  "expiry_warning_days, 14).")),
    timeout: float | None = typer.Option(None, "--timeout", min=0.1, help=_("Seconds for each network "
                                                                            "check (default: [doctor] "
                                                                            "timeout, 10).")),
) -> None:
    from .. import doctor as doc
    from . import render
    from .common import STATE

    checks = doc.run_checks(STATE.config_path,
                            doc.Options(offline=offline, days=days, timeout=timeout))
    if STATE.json:
        render.print_json([c.as_dict() for c in checks])
    else:
        out = render.console()
        for c in checks:
            out.print(doc.format_line(c), markup=False, highlight=False, soft_wrap=True)
        fails = sum(c.status == "fail" for c in checks)
        warns = sum(c.status == "warn" for c in checks)
        summary = _("{n} check(s): {fails} fail, {warns} warn").format(n=len(checks), fails=fails,
                                                                        warns=warns)
        out.print(summary, markup=False, highlight=False)
    raise typer.Exit(doc.exit_code(checks))


def register(app: typer.Typer) -> None:
    app.command("doctor",
        epilog=example_epilog("doctor"),
        help=_("Check channels.toml, credentials (and that they still work), templates, "
                                 "the database, free disk space and the website's links. Exit 0 when "
                                 "nothing failed (warnings allowed), 1 otherwise."))(doctor)
