"""The delivery log is never silently replaced.

A log that goes missing (deleted, an unmounted disk, a misspelled ``database`` or CROSSPOST_DB)
must not be recreated empty: the next publish would post everything again. So every log has a
random id (``meta.database_id``, schema 5), and the id is recorded in two places outside the
database: the state folder (``<state_dir>/database.json``) and the website's own manifest
(``site_dir/_articles.json``, once the site exists). Opening the log for a command checks both:

- no database file, and nothing records one: a new office; the log is created (by ``init`` or
  the first command that needs it, normally ``publish``) and its id recorded;
- no database file where a log was recorded: exit 3, saying where the id was recorded and what to do;
- a database whose id is not the recorded one: exit 3 likewise;
- a log from before ids (schema < 5) gets its id on upgrade and is adopted.

``crosspost doctor`` runs the same checks (``inspect``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import StoreError
from .i18n import _
from .secrets import write_private
from .site import manifest
from .store import Store

STATE_MARKER = "database.json"


@dataclass(frozen=True)
class Marker:
    """One place outside the database that records which log this office uses."""

    where: Path  # the file holding the record
    database_id: str
    database: str = ""  # the path the log had when it was recorded (for the message)


def site_dirs(cfg: Any) -> list[Path]:
    """The site folders of the enabled website channels (from channels.toml, no channel built)."""
    out = []
    for name, table in cfg.tables.items():
        if table.get("type", name) == "website" and table.get("enabled", True):
            out.append(Path(cfg.base_dir) / str(table.get("site_dir", "site")))
    return out


def markers(cfg: Any) -> list[Marker]:
    found = []
    state = Path(cfg.state_dir) / STATE_MARKER
    try:
        data = json.loads(state.read_text("utf-8"))
        if isinstance(data, dict) and data.get("database_id"):
            found.append(Marker(state, str(data["database_id"]), str(data.get("database", ""))))
    except (OSError, ValueError):
        pass
    for site in site_dirs(cfg):
        value = manifest.database_id(site)
        if value:
            found.append(Marker(site / manifest.MANIFEST, value))
    return found


def _missing(path: Path, known: list[Marker]) -> StoreError:
    where = "; ".join(f"{m.where} (log {m.database_id[:12]}" + (f" at {m.database})" if m.database else ")")
                      for m in known)
    return StoreError(_(
        "the delivery log {path} is missing, but this office has used one: {where}. Starting a new, empty "
        "log would post every release again. Put the file back (restore it from a backup, mount its disk, "
        "or correct `database` in channels.toml / CROSSPOST_DB). Only if you really want a new log, move "
        "{marker} away first").format(path=path, where=where, marker=known[0].where))


def _different(path: Path | str, found: str, wrong: list[Marker]) -> StoreError:
    where = "; ".join(_(
        '{where} records log {database_id}').format(
        where=m.where, database_id=m.database_id[:12]) for m in wrong)
    return StoreError(_(
        "the delivery log {path} is log {found}, not the one this office used ({where}). Publishing with it "
        "would post releases again. Point `database` in channels.toml (or CROSSPOST_DB) at the right file, "
        "or restore it from a backup").format(path=path, found=found[:12], where=where))


def open_log(cfg: Any) -> Store:
    """Open the office's delivery log, refusing a missing or different one (exit 3). The URL's
    scheme chooses the store: ``postgresql://`` is crosspost.store_postgres, anything else a file."""
    if getattr(cfg, "database_url", ""):
        return _open_postgres(cfg)
    path = Path(cfg.database)
    known = markers(cfg)
    if not path.exists() and known:
        raise _missing(path, known)
    store = Store.open(path)
    try:
        found = store.database_id
        wrong = [m for m in known if m.database_id != found]
        if wrong:
            raise _different(path, found, wrong)
        remember(cfg, store)
    except BaseException:
        store.close()
        raise
    return store


def _open_postgres(cfg: Any) -> Store:
    """The PostgreSQL log: the same identity checks as a file (a recorded id must match)."""
    try:
        from .store_postgres import open_postgres
    except ImportError:
        raise StoreError(_("`database` is a PostgreSQL URL but psycopg is not installed: "
                           "pip install 'crosspost[postgres]'")) from None
    known = markers(cfg)
    store = open_postgres(cfg.database_url, cfg.state_dir, create=not known)
    try:
        wrong = [m for m in known if m.database_id != store.database_id]
        if wrong:
            raise _different(str(store.path), store.database_id, wrong)
        remember(cfg, store)
    except BaseException:
        store.close()
        raise
    return store


def remember(cfg: Any, store: Store) -> None:
    """Record the log's id in the state folder and in each existing site manifest; scope the
    store to ``[office] id`` (offices sharing one log each see and send only their own releases)."""
    store.office = getattr(getattr(cfg, "office", None), "id", "") or None
    found = store.database_id
    state = Path(cfg.state_dir) / STATE_MARKER
    if not state.exists():
        where = str(store.path) if "://" in str(store.path) else str(Path(store.path).resolve())
        write_private(state, json.dumps({"database_id": found, "database": where},
                                        indent=1) + "\n")
    for site in site_dirs(cfg):
        manifest.record_database_id(site, found)


def inspect(cfg: Any) -> tuple[str, str, str]:
    """For `crosspost doctor`: (status, what was found, what to do) about the log's identity."""
    known = markers(cfg)
    if getattr(cfg, "database_url", ""):
        try:
            from .store_postgres import open_postgres

            pg = open_postgres(cfg.database_url, cfg.state_dir, create=False)
        except (ImportError, StoreError) as exc:
            return "fail", str(exc), _("check `database` in channels.toml and the database server")
        try:
            found, where = pg.database_id, str(pg.path)
        finally:
            pg.close()
        if any(m.database_id != found for m in known):
            return "fail", str(_different(where, found, known)), _("point `database` at the right log")
        return "ok", _("{path} is log {id}").format(path=where, id=found[:12]), ""
    path = Path(cfg.database)
    if not path.exists():
        if known:
            return "fail", str(_missing(path, known)), _("restore the delivery log; do not publish before")
        return "ok", _("{path}: not created yet (`crosspost init` or the first publish creates it)").format(
            path=path), ""
    try:
        store = Store.open(path, create=False)
    except StoreError as exc:
        return "fail", str(exc), _("point `database` at crosspost's own log")
    try:
        found = store.database_id
    finally:
        store.close()
    wrong = [m for m in known if m.database_id != found]
    if wrong:
        return "fail", str(_different(path, found, wrong)), _("point `database` at the right file")
    places = ", ".join(str(m.where) for m in known) or _("nowhere yet (the next command records it)")
    return "ok", _("{path} is log {id}, recorded in {places}").format(path=path, id=found[:12],
                                                                      places=places), ""
