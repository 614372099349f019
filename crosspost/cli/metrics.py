"""`crosspost metrics fetch`: a snapshot of each post's reach and interactions, for the report."""

from __future__ import annotations

import typer

from ..i18n import _


def fetch(channel: list[str] | None = typer.Option(None, "--channel", "-c", metavar="NAME",
                                                   help=_("Only these channels (repeat or comma-separate)."))
          ) -> None:
    from ..inbox.fetch import fetch_metrics
    from .inbox import run_fetch

    run_fetch(fetch_metrics, channel, "figures")


def register(app: typer.Typer) -> None:
    from .common import epilog

    metrics = typer.Typer(no_args_is_help=True, rich_markup_mode=None,
                          help=_("Reach and interactions of the office's posts, as the platforms report "
                                 "them."))
    metrics.command("fetch", epilog=epilog("0 6 * * * cd /srv/humas && .venv/bin/crosspost metrics fetch"),
                    help=_("Store one snapshot of the figures of every post younger than [inbox] "
                           "window_days (batched: as few calls as each platform allows). Figures a "
                           "platform does not give stay empty, never 0."))(fetch)
    app.add_typer(metrics, name="metrics")
