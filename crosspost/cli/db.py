"""`crosspost db migrate`: move the office's delivery log from SQLite to PostgreSQL
(crosspost.migrate_log holds the rules)."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import InputError
from ..i18n import _
from .common import epilog

EXAMPLE = ("CROSSPOST_DATABASE_PASSWORD=... crosspost db migrate "
           "--to postgresql://humas@db.kantor.go.id/crosspost")


def migrate(
    to: str = typer.Option(..., "--to", metavar="URL", help=_("The new, empty PostgreSQL database: "
                                                               "postgresql://user@host/dbname (the password "
                                                               "comes from CROSSPOST_DATABASE_PASSWORD, the "
                                                               "keyring or secrets/database.json, never the "
                                                               "URL).")),
    source: Path | None = typer.Option(None, "--from", metavar="FILE",
                                       help=_("The SQLite log to copy (default: `database` in "
                                              "channels.toml).")),
) -> None:
    from ..migrate_log import migrate as copy_log
    from ..store import Store
    from ..store_postgres import is_postgres_url, open_postgres
    from . import render
    from .common import STATE, config

    if not is_postgres_url(to):
        raise InputError(_("--to must be a postgresql:// URL, not {value}").format(value=to))
    cfg = config()
    path = source or Path(cfg.database)
    if getattr(cfg, "database_url", "") and source is None:
        raise InputError(_("`database` already points at PostgreSQL; give the SQLite file with --from"))
    old = Store.open(path, create=False)
    try:
        new = open_postgres(to, cfg.state_dir)
        try:
            moved = copy_log(old, new, cfg.office.id or None)
        finally:
            new.close()
    finally:
        old.close()
    if STATE.json:
        render.print_json({"from": str(path), "to": new.path, **moved.as_dict()})
    else:
        out = render.console()
        counts = ", ".join(f"{k} {v}" for k, v in moved.counts.items())
        out.print(_("copied {counts} from {src} to {dst}; the chain verifies on arrival ({n} events, head "
                    "{head}). Now set database = \"{dst}\" in channels.toml (nothing was sent or queued "
                    "again)").format(counts=counts, src=path, dst=new.path, n=moved.events,
                                     head=(moved.head or "-")[:12]), markup=False, highlight=False)
    raise typer.Exit(0)


def register(app: typer.Typer) -> None:
    db = typer.Typer(help=_("The delivery log itself: move it to PostgreSQL."), no_args_is_help=True,
                     rich_markup_mode=None)
    db.command("migrate", help=_("Copy this office's SQLite delivery log into an empty PostgreSQL "
                                 "database, ids and hashes included, and verify the chain there."),
               epilog=epilog(EXAMPLE))(migrate)
    app.add_typer(db, name="db")
