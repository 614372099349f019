"""The SQLite log: releases, deliveries (one per release and channel) and append-only events.

The only module that imports sqlite3. Every read-then-write runs in ``BEGIN IMMEDIATE`` (the
connection is in autocommit mode otherwise), every state change appends its event in the same
transaction, and no transaction is ever held open while a channel talks to the network.
The engine sees only the ``DeliveryStore`` protocol, so a PostgreSQL store (claims with
``FOR UPDATE SKIP LOCKED``) can follow without touching ``deliver``.

Schema changes are numbered migrations recorded in ``PRAGMA user_version``; a database newer
than this code is refused before a byte of it is changed.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import threading
import uuid
from collections import Counter
from collections.abc import Collection, Generator, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, Protocol

from . import aggregates
from .chain import (
    GENESIS,
    approval_digest,
    event_hash,
    os_user,
    pause_digest,
    payload_json,
    row_hash,
    text_digest,
)
from .errors import InputError, StoreError
from .i18n import _
from .models import Delivery, Receipt, Release, Variant, title_key
from .serialize import (
    dumps,
    receipt_from_json,
    receipt_to_json,
    release_from_json,
    release_to_json,
    variant_from_json,
    variant_to_json,
)

# A release and its corrections: ids first (the slug's index, then releases_corrects), so the
# deliveries come by the release's index ("r.slug = ? OR r.corrects = ..." read every delivery).
_FAMILY = ("r.id IN (SELECT id FROM releases WHERE slug = ? UNION ALL SELECT id FROM releases "
           "WHERE corrects = (SELECT id FROM releases WHERE slug = ?))")
STATUSES = ("queued", "sending", "sent", "failed", "unknown", "cancelled", "awaiting_approval")
WAITING = ("queued", "sending", "unknown", "awaiting_approval")
BUSY_TIMEOUT_MS = 15_000
# A time written by a clock this far ahead of ours is a clock that was fast (see claim()).
CLOCK_TOLERANCE = 120.0
CROSSPOST_TABLES = frozenset({"releases", "deliveries", "events"})
ANALYSIS_LIMIT = 400  # rows per index that PRAGMA optimize's ANALYZE reads (SQLite's suggested value)
# The statuses a delivery may have, as comparisons: SQLite codes "status IN (<3 or more constants>)"
# in a CHECK constraint as a temporary b-tree of the constants, built anew for every row written
# (no OP_Once: the constraint is evaluated against the row's registers; expr.c sqlite3CodeRhsOfIN,
# seen in EXPLAIN as OpenEphemeral + 7 IdxInsert in every INSERT and UPDATE of deliveries). Equal
# comparisons cost a few opcodes. Issue 18: 7% of a delivery's instructions (112,000 of 1,576,000).
_STATUS_CHECK = " OR ".join(f"status = '{s}'" for s in STATUSES)

# Version 1 is the simple path (queue, send, record); version 2 adds what the engine needs.
MIGRATIONS: list[list[Any]] = [  # SQL text, or a function of the connection
    [
        """CREATE TABLE releases (
            id INTEGER PRIMARY KEY,
            slug TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            section TEXT NOT NULL,
            source TEXT,
            content_hash TEXT NOT NULL DEFAULT '',
            release_json TEXT NOT NULL,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL)""",
        f"""CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY,
            release_id INTEGER NOT NULL REFERENCES releases(id),
            channel TEXT NOT NULL,
            kind TEXT NOT NULL,
            status TEXT NOT NULL CHECK ({_STATUS_CHECK}),
            attempts INTEGER NOT NULL DEFAULT 0,
            not_before REAL NOT NULL,
            deadline REAL,
            lease_token TEXT,
            lease_until REAL,
            variant_json TEXT NOT NULL,
            remote_id TEXT,
            url TEXT,
            last_error TEXT,
            error_kind TEXT,
            progress_json TEXT NOT NULL DEFAULT '{{}}',
            queued_at REAL NOT NULL,
            sent_at REAL,
            updated_at REAL NOT NULL,
            UNIQUE (release_id, channel))""",
        "CREATE INDEX deliveries_claim ON deliveries(status, not_before)",
        "CREATE INDEX deliveries_release ON deliveries(release_id, channel)",
        """CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            delivery_id INTEGER REFERENCES deliveries(id),
            release_id INTEGER REFERENCES releases(id),
            at REAL NOT NULL,
            from_status TEXT,
            to_status TEXT,
            detail TEXT)""",
        "CREATE INDEX events_delivery ON events(delivery_id, id)",
        "CREATE INDEX events_release ON events(release_id, id)",
    ],
    [
        "ALTER TABLE deliveries ADD COLUMN version INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE deliveries ADD COLUMN scheduled_at REAL",
        "ALTER TABLE deliveries ADD COLUMN receipt_json TEXT",
        "CREATE TABLE channel_slots (channel TEXT PRIMARY KEY, next_at REAL NOT NULL)",
    ],
    [  # version 3: supervision and government controls (approval, pause, embargo, ralat, audit)
        "ALTER TABLE releases ADD COLUMN embargo REAL",
        "ALTER TABLE releases ADD COLUMN corrects INTEGER REFERENCES releases(id)",
        "ALTER TABLE events ADD COLUMN actor TEXT",
        "ALTER TABLE events ADD COLUMN hash TEXT",
        """CREATE TABLE approvals (
            id INTEGER PRIMARY KEY,
            release_id INTEGER NOT NULL REFERENCES releases(id),
            content_hash TEXT NOT NULL,
            decision TEXT NOT NULL CHECK (decision IN ('approved', 'rejected')),
            actor TEXT NOT NULL,
            note TEXT,
            at REAL NOT NULL,
            variants_json TEXT NOT NULL DEFAULT '[]')""",
        "CREATE INDEX approvals_release ON approvals(release_id, id)",
        """CREATE TABLE pauses (
            id INTEGER PRIMARY KEY,
            reason TEXT NOT NULL,
            actor TEXT NOT NULL,
            at REAL NOT NULL,
            until REAL,
            lifted_at REAL,
            lifted_by TEXT)""",
        "CREATE INDEX deliveries_queued_at ON deliveries(queued_at)",
        "CREATE INDEX events_at ON events(at)",
    ],
    [  # version 4 (bench/): a covering index so `status` and `report` stay fast on a year of log
        # (100,000 deliveries): counts per channel and status and the report's scan read narrow
        # index entries instead of rows that carry variant and receipt JSON.
        "CREATE INDEX deliveries_overview ON deliveries(channel, status, queued_at, scheduled_at, sent_at, "
        "release_id)",
        # claim()'s exact ORDER BY: due rows come in index order, so a claim reads a few rows
        # instead of sorting the whole backlog (4,000 queued made every claim sort 4,000 rows).
        "CREATE INDEX deliveries_due ON deliveries(status, not_before, release_id, kind != 'website', id)",
    ],
    [  # version 5: the log's identity, fencing tokens, and an audit chain that covers approvals,
        # pauses and the exact text of every delivery (crosspost.chain, crosspost.audit)
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "ALTER TABLE events ADD COLUMN payload TEXT",
        "ALTER TABLE deliveries ADD COLUMN fence INTEGER NOT NULL DEFAULT 0",
        "CREATE INDEX events_second_post ON events(delivery_id) "
        "WHERE detail GLOB 'DUPLICATE:*' OR detail GLOB 'SUPERSEDED:*'",
        lambda c: _cover_existing_rows(c),
    ],
    [  # version 6 (bench/, issue 18): claim()'s index holds only the queued rows (the backlog, not
        # a year of sent ones) and carries the channel, so due rows of channels this process does
        # not serve are skipped on index entries without reading their rows (claim() names it).
        "DROP INDEX deliveries_due",
        "CREATE INDEX deliveries_due ON deliveries(not_before, release_id, kind != 'website', id, channel) "
        "WHERE status = 'queued'",
    ],
    [  # version 7 (issue 12): the cap on looking up an unknown outcome. How many lookups did not
        # settle it, when the next may run, and when the first ran (the cap's deadline counts from it).
        "ALTER TABLE deliveries ADD COLUMN lookups INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE deliveries ADD COLUMN lookup_after REAL",
        "ALTER TABLE deliveries ADD COLUMN lookup_since REAL",
    ],
    [  # (issue 16) offices sharing one log: each release belongs to the office that published it
        # ([office] id; NULL for a log of one office); Store.office scopes reads and claims to it.
        "ALTER TABLE releases ADD COLUMN office TEXT",
        "CREATE INDEX releases_office ON releases(office)",
    ],
    [  # (issue 14): the public's replies (personal data: purged after [inbox] keep_days),
        # where each post's reply fetch resumes, and snapshots of each post's figures with their time.
        """CREATE TABLE replies (
            id INTEGER PRIMARY KEY,
            delivery_id INTEGER NOT NULL REFERENCES deliveries(id),
            release_id INTEGER NOT NULL REFERENCES releases(id),
            channel TEXT NOT NULL,
            platform TEXT NOT NULL,
            platform_id TEXT NOT NULL,
            parent_id TEXT,
            author TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL DEFAULT '',
            url TEXT,
            created_at REAL NOT NULL,
            fetched_at REAL NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('aduan', 'pertanyaan', 'lainnya')),
            handled_at REAL,
            handled_by TEXT,
            handled_note TEXT,
            UNIQUE (platform, platform_id))""",
        "CREATE INDEX replies_created ON replies(created_at)",
        "CREATE INDEX replies_release ON replies(release_id, created_at)",
        "CREATE INDEX replies_delivery ON replies(delivery_id, created_at)",
        """CREATE TABLE reply_cursors (
            delivery_id INTEGER PRIMARY KEY REFERENCES deliveries(id),
            newest_at REAL,
            cursor TEXT,
            fetched_at REAL NOT NULL,
            note TEXT,
            gone INTEGER NOT NULL DEFAULT 0)""",
        """CREATE TABLE metric_snapshots (
            id INTEGER PRIMARY KEY,
            delivery_id INTEGER NOT NULL REFERENCES deliveries(id),
            fetched_at REAL NOT NULL,
            metrics_json TEXT NOT NULL)""",
        "CREATE INDEX metric_snapshots_delivery ON metric_snapshots(delivery_id, fetched_at)",
    ],
    [  # (issue 18) the report's aggregates, kept by triggers in the transaction of every change, built
        # here for the log as it is; indexes for `status SLUG`, `status` and the report's part-buckets
        # (crosspost.aggregates explains them)
        *(s for s in aggregates.MIGRATION if not s.startswith(aggregates.BUILD)),
        lambda c: _build_aggregates(c)],
    [  # (issue 18) the engagement figures' sent posts by sending day, kept by triggers (one upsert when
        # a delivery is sent), and a partial index for the part-days; built here for the log as it is
        *(s for s in aggregates.SENT_MIGRATION if not s.startswith(aggregates.BUILD)),
        lambda c: _build_aggregates(c, aggregates.SENT_MIGRATION)],
    # (issue 18) deliveries_release (release_id, channel) repeated the UNIQUE (release_id, channel)
    # index SQLite keeps anyway: one index less to write for every delivery queued
    ["DROP INDEX IF EXISTS deliveries_release"],
    # (issue 18) fewer pages written per delivery (bench/RESULTS.md counts them in the WAL):
    # deliveries_queued_at served no query; the covering overview index led with the channel and
    # the status, so every state change moved its entry between distant pages (one page written
    # per channel per commit, a fifth of all the pages a delivery wrote). Led by the release, a
    # release's entries sit together and new releases append at the end; it still covers the
    # office-scoped counts and report scans, which now seek by release id. releases_office holds
    # only releases that have an office (every query asks for one office: `office = ?`). The
    # report's insert trigger runs 4 statements, not 8 (crosspost.aggregates._release_day_added;
    # rows queued as sent, failed or unknown have triggers of their own).
    ["DROP INDEX IF EXISTS deliveries_queued_at",
     "DROP INDEX IF EXISTS deliveries_overview",
     "CREATE INDEX deliveries_overview ON deliveries(release_id, channel, status, queued_at, scheduled_at, "
     "sent_at)",
     "DROP INDEX IF EXISTS releases_office",
     "CREATE INDEX releases_office ON releases(office) WHERE office IS NOT NULL",
     *aggregates.recreate_triggers(aggregates.REWRITTEN_TRIGGERS)],
    # (issue 18) no temporary b-tree built for each row written (a CHECK's IN list, the report's
    # release-day trigger writing into a table with triggers; RETURNING is gone from the code):
    # _STATUS_CHECK and crosspost.aggregates.RECODED_TRIGGERS, which also stop a claim moving a
    # count and keep hours for Sundays and Mondays only, so report_counts is rebuilt
    [lambda c: _rewrite_status_check(c), *aggregates.recreate_triggers(aggregates.RECODED_TRIGGERS),
     "DELETE FROM report_counts", lambda c: _build_aggregates(c, aggregates.COUNTS_BUILD)],
]
SCHEMA_VERSION = len(MIGRATIONS)


def _rewrite_status_check(c: sqlite3.Connection) -> None:
    """A log created before _STATUS_CHECK: the same constraint written as comparisons. SQLite cannot
    ALTER a CHECK constraint; its documented way for a change that leaves the stored rows valid is
    to edit the table's text in sqlite_schema under writable_schema and bump schema_version
    (https://www.sqlite.org/lang_altertable.html, "Making Other Kinds Of Table Schema Changes"),
    in this migration's transaction. A SQLite that refuses it (SQLITE_DBCONFIG_DEFENSIVE) keeps the
    old text, which only costs time."""
    import re

    sql = c.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'deliveries'"
                    ).fetchone()[0]
    found = re.search(r"CHECK \(status IN \(([^)]*)\)\)", sql)
    if found is None:
        return
    values = [v.strip() for v in found.group(1).split(",")]
    if not all(re.fullmatch(r"'[a-z_]+'", v) for v in values):
        return
    check = "CHECK (" + " OR ".join(f"status = {v}" for v in values) + ")"
    version = c.execute("PRAGMA schema_version").fetchone()[0]
    c.execute("PRAGMA writable_schema = ON")
    try:
        c.execute("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'deliveries'",
                  (sql.replace(found.group(0), check),))
        c.execute(f"PRAGMA schema_version = {version + 1}")
    except sqlite3.DatabaseError:
        pass
    finally:
        c.execute("PRAGMA writable_schema = OFF")


def _cover_existing_rows(c: sqlite3.Connection) -> None:
    """Migration 5: give the log its id, hash the events written before the chain existed, and
    bring the approvals, pauses and delivery texts already in the log under the chain with one
    anchor event. ``meta`` records where each part of the chain starts, so ``audit --verify``
    can say what the chain covers and treat any missing hash after that as tampering."""
    import time

    meta = {"database_id": uuid.uuid4().hex}
    first_hashed = c.execute("SELECT MIN(id) FROM events WHERE hash IS NOT NULL").fetchone()[0]
    legacy = c.execute("SELECT * FROM events WHERE hash IS NULL" + (" AND id < ?" if first_hashed else "")
                       + " ORDER BY id", (first_hashed,) if first_hashed else ()).fetchall()
    prev = GENESIS
    for row in legacy:  # hashed now, at the upgrade: they prove nothing about edits made before it
        prev = row_hash(prev, row)
        c.execute("UPDATE events SET hash = ? WHERE id = ?", (prev, row["id"]))
    if legacy:
        meta["legacy_through"] = str(legacy[-1]["id"])
        if first_hashed:  # the chain written at the time starts again from GENESIS here
            meta["chain_restart_at"] = str(first_hashed)
    payload: dict[str, dict[str, str]] = {
        "approvals": {str(r["id"]): approval_digest(r) for r in c.execute("SELECT * FROM approvals")},
        "pauses": {str(r["id"]): pause_digest(r) for r in c.execute("SELECT * FROM pauses")},
        "variants": {str(r["id"]): text_digest(r["variant_json"])
                     for r in c.execute("SELECT id, variant_json FROM deliveries")}}
    if any(payload.values()):
        _append_event(c, None, None, None, time.time(), None, None,
                     "upgrade: the audit chain covers approvals, pauses and the exact text of every delivery "
                     f"from this event on ({len(payload['approvals'])} approval(s), {len(payload['pauses'])} "
                     f"pause(s), {len(payload['variants'])} delivery text(s) already in the log hashed here)",
                     actor="crosspost", payload=payload)
    covers = c.execute("SELECT MAX(id) FROM events").fetchone()[0] if any(payload.values()) else None
    if covers is None:
        covers = c.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM events").fetchone()[0]
    meta["covers_from"] = str(covers)
    c.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", sorted(meta.items()))


def _build_aggregates(c: sqlite3.Connection, migration: list[str] = aggregates.MIGRATION) -> None:
    """The aggregates migrations: the report's aggregates for the deliveries already in the log (the triggers,
    created just before, keep them from here on)."""
    if c.execute("SELECT EXISTS (SELECT 1 FROM deliveries)").fetchone()[0]:
        for statement in migration:
            if statement.startswith(aggregates.BUILD):
                c.execute(statement)


def _gaps(lo: int, hi: int, holes: Collection[int]) -> list[tuple[int, int]]:
    """[lo, hi) as the ranges between the ``holes`` (buckets read some other way)."""
    out, a = [], lo
    for h in sorted(x for x in set(holes) if lo <= x < hi):
        if a < h:
            out.append((a, h))
        a = h + 1
    return out + [(a, hi)] if a < hi else out


def _append_event(c: sqlite3.Connection, prev: str | None, delivery_id: int | None, release_id: int | None,
                  now: float, frm: str | None, to: str | None, detail: str = "", actor: str | None = None,
                  payload: dict[str, dict[str, str]] | None = None) -> str:
    """Insert one event chained to ``prev`` (the head's hash; None: read it) and return its hash.
    The caller holds the IMMEDIATE transaction."""
    actor = actor if actor is not None else os_user()
    if prev is None:
        last = c.execute("SELECT hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
        prev = last[0] if last and last[0] else ""
    extra = payload_json(payload)
    digest = event_hash(prev, at=now, delivery_id=delivery_id, release_id=release_id, from_status=frm,
                        to_status=to, detail=detail, actor=actor, payload=extra)
    c.execute(_INSERT_EVENT, (delivery_id, release_id, float(now), frm, to, detail, actor, digest, extra))
    return digest


_INSERT_EVENT = ("INSERT INTO events (delivery_id, release_id, at, from_status, to_status, detail, actor, "
                 "hash, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
_INSERT_DELIVERY = ("INSERT INTO deliveries (release_id, channel, kind, status, not_before, scheduled_at, "
                    "variant_json, queued_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT(release_id, channel) DO NOTHING")


def _fence(token: str) -> int:
    """The fencing number a lease token carries ("<fence>.<random>"; 0 for a token without one)."""
    head, dot, _rest = token.partition(".")
    return int(head) if dot and head.isdigit() else 0


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def _sent_fields(receipt: Receipt, now: float) -> dict[str, Any]:
    return {"remote_id": receipt.remote_id, "url": receipt.url, "receipt_json": receipt_to_json(receipt),
            "sent_at": now, "last_error": None, "error_kind": None, "lease_token": None, "lease_until": None}


# record_sent's usual case: sent with exactly the fields _sent_fields gives, if this token holds it
_SENT_IF_HELD = (
    "UPDATE deliveries SET status = 'sent', version = version + 1, updated_at = ?, attempts = attempts + 1, "
    + ", ".join(f"{k} = ?" for k in _sent_fields(Receipt("", None), 0.0))
    + " WHERE id = ? AND status = 'sending' AND lease_token = ?")


@lru_cache(maxsize=64)  # a handful of field sets, one per kind of move
def _move_sql(fields: tuple[str, ...]) -> str:
    sets = "".join(f", {k} = ?" for k in fields)
    return f"UPDATE deliveries SET status = ?, version = version + 1, updated_at = ?{sets} WHERE id = ?"


@dataclass(frozen=True)
class ChannelPolicy:
    """What the claim needs to know about a channel (from its CommonSettings)."""

    deadline_seconds: float = 24 * 3600.0
    min_interval: float = 0.0
    article: bool = False  # it publishes the release's article (a website): the others link to it


@dataclass(frozen=True)
class Claim:
    """A delivery this worker holds under a lease: everything needed to send it."""

    delivery: Delivery
    token: str
    lease_until: float
    release_id: int
    release: Release
    variant: Variant
    scheduled_at: float | None
    version: int = 0
    deadline: float | None = None
    fence: int = 0  # this claim's fencing number: a later claim of the same delivery has a larger one
    # For lookups (unknown()): when the delivery was first claimed, and the lookup cap's bookkeeping.
    claimed_at: float | None = None
    lookups: int = 0
    lookup_after: float | None = None
    lookup_since: float | None = None


class DeliveryStore(Protocol):
    """Everything the engine (deliver.py, reconcile.py) calls on a store; SQLite today. A second
    store is proven by tests/test_store_contract.py, which runs one behaviour table on each."""

    def save_release(self, release: Release) -> int: ...
    def enqueue(self, release_id: int, variants: list[Variant], not_before: float | None,
                now: float, awaiting: Collection[str] = ()) -> list[Delivery]: ...
    def reap(self, now: float) -> list[Delivery]: ...
    def claim(self, now: float, lease_seconds: float, limit: int, policies: Mapping[str, ChannelPolicy],
              ids: Collection[int] | None = None, exclude: Collection[int] = ()
              ) -> tuple[list[Claim], list[Delivery]]: ...
    def extend_lease(self, delivery_id: int, token: str, now: float, lease_seconds: float) -> bool: ...
    def save_progress(self, delivery_id: int, progress: dict[str, Any]) -> None: ...
    def record_sent(self, delivery_id: int, token: str, receipt: Receipt, now: float,
                    detail: str = "") -> str: ...
    # issue 18, optional (crosspost.batching falls back to the single calls): one transaction for
    # several sent results, one statement renewing several leases
    def record_sent_many(self, items: list[tuple[int, str, Receipt, float]]) -> list[str | Exception]: ...
    def extend_leases(self, tokens: Mapping[int, str], now: float, lease_seconds: float) -> set[int]: ...
    def record(self, delivery_id: int, token: str, to_status: str, now: float, *, error: str,
               error_kind: str, count_attempt: bool, not_before: float | None = None) -> bool: ...
    def unknown(self, channels: Collection[str], ids: Collection[int] | None = None) -> list[Claim]: ...
    def settle(self, delivery_id: int, version: int, now: float, receipt: Receipt | None,
               detail: str, failed: str | None = None) -> bool: ...
    def note_lookup(self, delivery_id: int, version: int, now: float, next_at: float | None,
                    detail: str, count: bool = True) -> bool: ...
    def receipts(self, release_id: int) -> dict[str, Receipt]: ...
    def delivery(self, delivery_id: int) -> Delivery | None: ...
    def deliveries(self, release: str | None = None, status: str | Collection[str] | None = None,
                   limit: int | None = None, channel: str | None = None,
                   newest: bool = False) -> list[Delivery]: ...
    def active_pause(self, now: float) -> dict[str, Any] | None: ...
    def due_elsewhere(self, now: float, served: Collection[str], ids: Collection[int] | None = None,
                      limit: int = 50) -> tuple[dict[str, int], list[Delivery]]: ...


class Store:
    """SQLite implementation of DeliveryStore. Thread-safe: one connection behind a lock."""

    aggregates: ClassVar[bool] = True  # the report_* tables kept by triggers (crosspost.aggregates)
    # The hash of the last event this transaction appended (None: not known yet, read it). Only
    # valid inside one IMMEDIATE transaction, where no other writer can append.
    _head: str | None = None

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self.path = path
        self._file = _identity(path)  # which file this connection writes (see _tx)
        self.office: str | None = None  # [office] id: see and send only this office's releases
        self.all_offices = False  # a supervisor's view of every office (--all-offices)
        self._closed = False  # close() twice (a command, then the CLI) is one close
        # A second connection for the engine's reads of their own (see _reading), opened on first use.
        self._reader: sqlite3.Connection | None = None
        self._reader_lock: threading.Lock | None = threading.Lock()

    # -- opening and migrations ---------------------------------------------------------------
    @classmethod
    def open(cls, path: Path, create: bool = True) -> Store:
        """Open (and migrate) the log. ``create=False`` refuses a missing file instead of creating an
        empty one; another application's SQLite file is always refused, never extended."""
        path = Path(path)
        if not create and not path.exists():
            raise StoreError(_("the delivery log {path} does not exist; `crosspost init` or the first "
                               "`crosspost publish` creates it (check `database` in channels.toml and "
                               "CROSSPOST_DB)").format(path=path))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False,
                                   timeout=BUSY_TIMEOUT_MS / 1000)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(_(
                'cannot open the delivery log {path}: {exc}; check the folder exists and is writable (set '
                '`database` in channels.toml)').format(path=path, exc=exc)) from None
        try:
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            found = conn.execute("PRAGMA user_version").fetchone()[0]
            if found > SCHEMA_VERSION:  # refuse before WAL or anything else writes to the file
                raise StoreError(_(
                    '{path} was written by a newer crosspost (schema {found}; this version knows up to '
                    '{SCHEMA_VERSION}); upgrade crosspost to use it').format(
                    path=path, found=found, SCHEMA_VERSION=SCHEMA_VERSION))
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                                 "AND name NOT LIKE 'sqlite_%'")}
            if tables and not CROSSPOST_TABLES <= tables:  # refuse before WAL or a migration writes
                raise StoreError(_("{path} is not a crosspost delivery log (it holds other tables: "
                                   "{tables}); crosspost will not add its tables to another application's "
                                   "database: set `database` in channels.toml to a new file").format(
                                       path=path, tables=", ".join(sorted(tables)[:5])))
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            # Savepoints (record_sent_many) and trigger-firing statements journal the pages they
            # change in a sub-journal; past 64 KiB SQLite spills it to a temporary file, which
            # doubled the page writes of a batch of sent results. In memory it never spills (pager.c,
            # openSubJournal: subjInMemory from sqlite3TempInMemory). Nothing durable lives there.
            conn.execute("PRAGMA temp_store = MEMORY")
            conn.execute("PRAGMA foreign_keys = ON")
            store = cls(conn, path)
            store._migrate()
            return store
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(_(
                'cannot use the delivery log {path}: {exc}; is it a crosspost database on a local '
                'disk?').format(
                path=path, exc=exc)) from None
        except StoreError:
            conn.close()
            raise

    def _migrate(self, target: int = SCHEMA_VERSION) -> None:
        with self._tx() as c:
            version = c.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(_(
                    '{path} was upgraded by a newer crosspost meanwhile; upgrade crosspost').format(
                    path=self.path))
            for number in range(version, target):
                for statement in MIGRATIONS[number]:
                    if callable(statement):
                        statement(c)
                    else:
                        c.execute(statement)
                c.execute(f"PRAGMA user_version = {number + 1}")

    @property
    def schema_version(self) -> int:
        with self._lock:
            return self._conn.execute("PRAGMA user_version").fetchone()[0]

    def close(self) -> None:
        """Close, after letting SQLite refresh its planner statistics where they are missing or
        stale (``PRAGMA optimize``, bounded by ``analysis_limit``; cheap, usually a no-op). Never
        waits for another process's write lock and never fails the close."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                self._conn.execute("PRAGMA busy_timeout = 0")
                self._conn.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
                self._conn.execute("PRAGMA optimize")
            except sqlite3.Error:
                pass
            self._conn.close()
            if self._reader is not None:
                self._reader.close()

    @property
    def database_id(self) -> str:
        """The log's random id (schema 5), recorded beside the site and in the state folder."""
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key = 'database_id'").fetchone()
        return row[0] if row else ""

    def meta(self) -> dict[str, str]:
        with self._lock:
            try:
                return dict(self._conn.execute("SELECT key, value FROM meta").fetchall())
            except sqlite3.OperationalError:  # the table was dropped
                return {}

    def still_there(self) -> bool:
        """Is the file at ``path`` still the one this connection writes (not deleted or replaced)?"""
        return self._file is None or _identity(self.path) == self._file

    def integrity_check(self) -> str:
        with self._lock:
            return self._conn.execute("PRAGMA integrity_check").fetchone()[0]

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """The connection for one read that stands alone (autocommit: WAL gives it the last commit,
        and no writer blocks it). A second connection, so the engine's worker threads read while
        this process's own writer holds the connection waiting for the write lock (their reads
        waited behind it: 1-4 ms each with 4 processes). Stores without one (PostgreSQL) read
        on their connection."""
        lock = getattr(self, "_reader_lock", None)
        if lock is None or self._closed:
            with self._lock:
                yield self._conn
            return
        with lock:
            if self._reader is None:
                reader = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False,
                                         timeout=BUSY_TIMEOUT_MS / 1000)
                reader.row_factory = sqlite3.Row
                reader.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                self._reader = reader
            yield self._reader

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            c = self._conn
            try:
                c.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise StoreError(_(
                    'the delivery log {path} is busy or locked ({exc}); try again, and keep it on a local '
                    'disk').format(path=self.path, exc=exc)) from None
            if not self.still_there():  # writing on would record into a deleted file nobody reads
                c.execute("ROLLBACK")
                raise StoreError(_("the delivery log {path} was deleted or replaced while this process was "
                                   "using it; nothing more is recorded. Restore it from a backup (or put "
                                   "it back), then run `crosspost doctor` and `crosspost status`").format(
                                       path=self.path))
            self._head = None  # the chain's head: read by this transaction's first event
            try:
                yield c
            except BaseException:
                self._head = None
                self._clamped_through = None  # a clamping pass rolled back with it: look again
                c.execute("ROLLBACK")
                raise
            self._head = None
            c.execute("COMMIT")

    def _event(self, c: sqlite3.Connection, delivery_id: int | None, release_id: int | None, now: float,
               frm: str | None, to: str | None, detail: str = "", actor: str | None = None,
               payload: dict[str, dict[str, str]] | None = None) -> None:
        """Append one event, chained by hash to the event before it (crosspost.chain explains the
        chain). The caller holds the IMMEDIATE transaction, so the previous hash is the last one
        any process wrote: the chain stays linear across processes. It is read once per
        transaction (``_head``, reset by ``_tx``), since no other writer can append meanwhile.
        ``actor`` defaults to the OS account running this process (cron's user for the engine's
        own events)."""
        self._head = _append_event(c, self._head, delivery_id, release_id, now, frm, to, detail, actor,
                                   payload)

    def _move(self, c: sqlite3.Connection, row: sqlite3.Row, to: str, now: float, detail: str,
              actor: str | None = None, payload: dict[str, dict[str, str]] | None = None,
              **fields: Any) -> dict[str, Any]:
        """Change one delivery's status and log it; the caller holds the transaction. The event
        carries the digest of the delivery's text, so the text sent is covered by the chain.
        Returns the row as the UPDATE left it (``row``'s columns with the new values)."""
        c.execute(_move_sql(tuple(fields)), (to, now, *fields.values(), row["id"]))
        text = fields.get("variant_json", row["variant_json"])
        self._event(c, row["id"], row["release_id"], now, row["status"], to, detail, actor,
                    payload={**(payload or {}), "variants": {str(row["id"]): text_digest(text)}})
        return {**dict(zip(row.keys(), row, strict=True)), "status": to, "version": row["version"] + 1,
                "updated_at": now, **fields}

    # -- releases and enqueue -----------------------------------------------------------------
    def save_release(self, release: Release, now: float | None = None) -> int:
        """Insert or update the release by slug; returns its id."""
        import time

        now = time.time() if now is None else now
        with self._tx() as c:
            return self._save_release_in(c, release, now)

    def save_and_enqueue(self, release: Release, variants: list[Variant], not_before: float | None,
                         now: float, awaiting: Collection[str] = ()) -> tuple[int, list[Delivery]]:
        """save_release() then enqueue() in ONE transaction (what `publish` does): one commit, and
        never a release saved without its deliveries. Returns the release id and the deliveries."""
        with self._tx() as c:
            release_id = self._save_release_in(c, release, now)
            return release_id, self._enqueue_in(c, release_id, variants, not_before, now, awaiting)

    def _save_release_in(self, c: sqlite3.Connection, release: Release, now: float) -> int:
        stored = c.execute("SELECT release_json FROM releases WHERE slug = ?", (release.slug,)).fetchone()
        if stored is not None:
            _refuse_other_release(release, json.loads(stored[0]))
            self._same_office(c, release.slug)
        c.execute(
            "INSERT INTO releases (slug, title, section, source, content_hash, release_json, "
            "created_at, updated_at, embargo) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(slug) "
            "DO UPDATE SET title = excluded.title, section = excluded.section, source = excluded.source, "
            "content_hash = excluded.content_hash, release_json = excluded.release_json, "
            "updated_at = excluded.updated_at, embargo = excluded.embargo",
            (release.slug, release.title, release.section, str(release.source or ""),
             release.content_hash, release_to_json(release), now, now,
             release.embargo.timestamp() if release.embargo else None))
        if self.office:  # a release of a one-office log is adopted by the first office that edits it
            c.execute("UPDATE releases SET office = COALESCE(office, ?) WHERE slug = ?",
                      (self.office, release.slug))
        return c.execute("SELECT id FROM releases WHERE slug = ?", (release.slug,)).fetchone()[0]

    def _same_office(self, c: sqlite3.Connection, slug: str) -> None:
        """One slug, one office: another office's release under this slug is refused, not edited."""
        if not self.office:
            return
        owner = c.execute("SELECT office FROM releases WHERE slug = ?", (slug,)).fetchone()
        if owner is not None and owner[0] is not None and owner[0] != self.office:
            raise InputError(_("the slug '{slug}' belongs to office {office} in this shared log; give this "
                               "release its own slug:").format(slug=slug, office=owner[0]))

    def release_by_slug(self, slug: str) -> Release | None:
        with self._lock:
            row = self._conn.execute("SELECT release_json FROM releases WHERE slug = ?", (slug,)).fetchone()
        return release_from_json(row[0]) if row else None

    def enqueue(self, release_id: int, variants: list[Variant], not_before: float | None,
                now: float, awaiting: Collection[str] = ()) -> list[Delivery]:
        """Queue one delivery per variant in one transaction; existing (release, channel) pairs
        are left as they are and returned, so publishing twice never posts twice. Channels named
        in ``awaiting`` start as ``awaiting_approval`` (see ``approve``) instead of ``queued``."""
        with self._tx() as c:
            return self._enqueue_in(c, release_id, variants, not_before, now, awaiting)

    def _enqueue_in(self, c: sqlite3.Connection, release_id: int, variants: list[Variant],
                    not_before: float | None, now: float, awaiting: Collection[str]) -> list[Delivery]:
        due = now if not_before is None else not_before
        ids = []
        for v in variants:
            status = "awaiting_approval" if v.channel in awaiting else "queued"
            text = variant_to_json(v)
            cur = c.execute(_INSERT_DELIVERY, (release_id, v.channel, v.kind, status, due, not_before, text,
                                               now, now))
            if cur.rowcount:
                ids.append(cur.lastrowid)
                when = "" if not_before is None else f" not before {due:.0f}"
                what = "queued, awaiting approval" if status != "queued" else "queued"
                self._event(c, cur.lastrowid, release_id, now, None, status, f"{what}{when}",
                            payload={"variants": {str(cur.lastrowid): text_digest(text)}})
            else:
                ids.append(c.execute("SELECT id FROM deliveries WHERE release_id = ? AND channel = ?",
                                     (release_id, v.channel)).fetchone()[0])
        # one read for all of them (a placeholder per id: the primary key on every store)
        found = {r["id"]: r for r in self._select(c, f"d.id IN ({', '.join('?' * len(ids))})",
                                                  tuple(ids))} if ids else {}
        return [self._delivery(found[i]) for i in ids]

    # -- queries ------------------------------------------------------------------------------
    _BASE = ("SELECT d.*, r.slug AS release_slug, r.embargo AS release_embargo "
             "FROM deliveries d JOIN releases r ON r.id = d.release_id")
    # claim() names its index: SQLite prefers deliveries_claim, which reads every due row's table
    # row to learn its channel and sorts part of the ORDER BY (migration 6).
    _CLAIM_BASE = ("SELECT d.*, r.slug AS release_slug, r.embargo AS release_embargo "
                   "FROM deliveries d INDEXED BY deliveries_due JOIN releases r ON r.id = d.release_id")

    def _scope(self, alias: str = "d") -> str:
        """SQL limiting deliveries (``alias``) to this office's releases ('' for one office or for
        a supervisor's --all-offices); the id is checked by config.py, so it is safe as a literal."""
        if not self.office or self.all_offices:
            return ""
        return f" AND {alias}.release_id IN (SELECT id FROM releases WHERE office = '{self.office}')"

    def _select(self, c: sqlite3.Connection, where: str, args: tuple = (), tail: str = "ORDER BY d.id"
                ) -> list[sqlite3.Row]:
        return c.execute(f"{self._BASE} WHERE ({where}){self._scope()} {tail}", args).fetchall()

    @staticmethod
    def _delivery(row: Any) -> Delivery:  # a row, or the dict _move returns
        return Delivery(
            id=row["id"], release_id=row["release_id"], release_slug=row["release_slug"],
            channel=row["channel"], status=row["status"], attempts=row["attempts"],
            not_before=row["not_before"], remote_id=row["remote_id"], url=row["url"],
            last_error=row["last_error"], error_kind=row["error_kind"], updated_at=row["updated_at"],
            progress=json.loads(progress) if (progress := row["progress_json"]) and progress != "{}" else {})

    def delivery(self, delivery_id: int) -> Delivery | None:
        with self._reading() as c:
            rows = self._select(c, "d.id = ?", (delivery_id,))
        return self._delivery(rows[0]) if rows else None

    def deliveries(self, release: str | None = None, status: str | Collection[str] | None = None,
                   limit: int | None = None, channel: str | None = None,
                   newest: bool = False) -> list[Delivery]:
        """Oldest first; with ``newest`` and a limit, the newest ``limit`` ones (still oldest first)."""
        where, args = ["1"], []
        if release is not None:  # a release and its corrections (ralat), which are logged against it
            where.append(_FAMILY)
            args.extend([release, release])
        if channel is not None:
            where.append("d.channel = ?")
            args.append(channel)
        if status is not None:
            statuses = [status] if isinstance(status, str) else list(status)
            # One placeholder per status, not json_each: with statistics (PRAGMA optimize on close)
            # SQLite cannot size a json_each list and scanned every release instead (~0.3 s at 100k).
            where.append(f"d.status IN ({', '.join('?' * len(statuses))})")
            args.extend(statuses)
        order = "ORDER BY d.id DESC" if newest and limit else "ORDER BY d.id"
        tail = order + (f" LIMIT {int(limit)}" if limit else "")
        with self._lock:
            rows = self._select(self._conn, " AND ".join(where), tuple(args), tail)
        if newest and limit:
            rows = rows[::-1]
        return [self._delivery(r) for r in rows]

    def due_elsewhere(self, now: float, served: Collection[str], ids: Collection[int] | None = None,
                      limit: int = 50) -> tuple[dict[str, int], list[Delivery]]:
        """Queued deliveries due by ``now`` for channels not in ``served`` (not configured here):
        how many per channel, counted on deliveries_due's entries, and the ``limit`` first due of
        them. Every `run` asks, so it never builds a Delivery for each of thousands of such rows."""
        where = ("status = 'queued' AND not_before <= ? AND channel NOT IN (SELECT value FROM json_each(?))"
                 + self._scope("deliveries"))  # another office's deliveries are not waiting here
        args: list[Any] = [now, json.dumps(sorted(served))]
        if ids is not None:
            where += " AND id IN (SELECT value FROM json_each(?))"
            args.append(json.dumps(sorted(ids)))
        with self._lock:
            sql = ("SELECT channel, COUNT(*) FROM deliveries INDEXED BY deliveries_due "
                   f"WHERE {where} GROUP BY 1")
            counts = dict(self._conn.execute(sql, args).fetchall())
            rows = self._select(self._conn, "d.id IN (SELECT id FROM deliveries INDEXED BY deliveries_due "
                                f"WHERE {where} ORDER BY not_before, id LIMIT ?)", (*args, int(limit)),
                                "ORDER BY d.not_before, d.id") if counts and limit > 0 else []
        return counts, [self._delivery(r) for r in rows]

    # -- benchmarks: a bounded `crosspost status` on a large log ----
    def status_counts(self) -> dict[str, dict[str, int]]:
        """Deliveries per channel and status, counted in SQL (a log of 100,000 rows stays fast)."""
        with self._lock:
            if self.aggregates and not self._scope():  # the report's daily counts (kept by triggers):
                # ~1/20 of the rows at 1M; an office's share of a shared log is counted from its rows.
                # They count a delivery in flight as queued (aggregates.counted): the sending ones,
                # a few (one a worker), are counted on the deliveries and moved out of queued.
                rows = self._conn.execute(
                    "SELECT channel, status, SUM(n) FROM report_counts WHERE span = 24 "
                    "GROUP BY channel, status HAVING SUM(n) != 0 ORDER BY channel").fetchall()
                sending = self._conn.execute(
                    "SELECT channel, 'sending', COUNT(*) FROM deliveries INDEXED BY deliveries_claim "
                    "WHERE status = 'sending' GROUP BY channel").fetchall()
                if sending:
                    moved = Counter({(ch, st): n for ch, st, n in rows})
                    for channel, _status, n in sending:
                        moved[(channel, "queued")] -= n
                        moved[(channel, "sending")] += n
                    rows = [(ch, st, n) for (ch, st), n in sorted(moved.items()) if n]
            else:
                rows = self._conn.execute("SELECT channel, status, count(*) FROM deliveries d "
                                          f"WHERE 1{self._scope()} "
                                          "GROUP BY channel, status ORDER BY channel").fetchall()
        out: dict[str, dict[str, int]] = {}
        for channel, status, n in rows:
            out.setdefault(channel, {})[status] = n
        return out

    def events(self, release: str | None = None, delivery_id: int | None = None,
               limit: int | None = None) -> list[dict[str, Any]]:
        """Newest first, with the release slug and channel of each event."""
        where: list[str] = ["1"]
        args: list[Any] = []
        if release is not None:  # a release and its corrections (ralat), which are logged against it
            where.append(_FAMILY)
            args.extend([release, release])
        if delivery_id is not None:
            where.append("e.delivery_id = ?")
            args.append(delivery_id)
        sql = ("SELECT e.id, e.at, e.delivery_id, e.release_id, r.slug AS release, d.channel, "
               "e.from_status, e.to_status, e.detail, e.actor FROM events e "
               "LEFT JOIN releases r ON r.id = e.release_id LEFT JOIN deliveries d ON d.id = e.delivery_id "
               f"WHERE {' AND '.join(where)} ORDER BY e.id DESC" + (f" LIMIT {int(limit)}" if limit else ""))
        with self._lock:
            return [dict(r) for r in self._conn.execute(sql, tuple(args))]

    def receipts(self, release_id: int) -> dict[str, Receipt]:
        """Receipts of this release's sent deliveries, by channel name."""
        with self._reading() as c:
            # `+status`: the release's index is the only one this query may use, statistics or not
            # (unanalysed, SQLite chose a status index and read every sent delivery: 80 ms at 1M).
            rows = c.execute(
                "SELECT channel, remote_id, url, receipt_json FROM deliveries "
                "WHERE release_id = ? AND +status = 'sent'", (release_id,)).fetchall()
        out = {}
        for r in rows:
            out[r["channel"]] = (receipt_from_json(r["receipt_json"]) if r["receipt_json"]
                                 else Receipt(r["remote_id"] or "", r["url"]))
        return out

    _SECOND_POST = "(detail GLOB 'DUPLICATE:*' OR detail GLOB 'SUPERSEDED:*')"

    def duplicates(self) -> list[dict[str, Any]]:
        """Deliveries the event log saw posted more than once: a post accepted after the delivery
        was already sent, or a superseded worker's post while another claim sends it. Every path
        to a second post writes one of these two events (a partial index keeps this instant)."""
        return self._all(
            "SELECT e.delivery_id AS id, r.slug AS release, d.channel, d.url, COUNT(*) + 1 AS posts, "
            "group_concat(e.id) AS events FROM events e INDEXED BY events_second_post "
            "JOIN deliveries d ON d.id = e.delivery_id JOIN releases r ON r.id = d.release_id "
            f"WHERE {self._SECOND_POST} GROUP BY e.delivery_id "
            "ORDER BY e.delivery_id")

    def unsettled(self) -> list[dict[str, Any]]:
        """Unknown deliveries that lookup gave up on (the cap, issue 12): each waits for a person
        (`crosspost resolve`), and `status`, `doctor` and every `run` say so."""
        return self._all(
            "SELECT d.id, r.slug AS release, d.channel, d.lookups, d.last_error FROM deliveries d "
            "INDEXED BY deliveries_unsettled JOIN releases r ON r.id = d.release_id "
            "WHERE d.status = 'unknown' AND d.error_kind = 'unsettled' ORDER BY d.id")

    def channel_slots(self) -> dict[str, float]:
        with self._lock:
            return dict(self._conn.execute("SELECT channel, next_at FROM channel_slots").fetchall())

    # -- the engine's side --------------------------------------------------------------------
    # -- clock sanity: times written by a clock that was fast ------------------------------------
    # A process whose clock ran ahead (2 hours, say) writes not_before, lease_until and
    # channel_slots.next_at in the future of every correct clock: a min_interval channel would send
    # nothing for 2 hours, a re-queued delivery would sit idle, a dead worker's lease would not
    # expire. The row's own updated_at (written by the same clock) tells by how much: claim() and
    # reap() move such times back by that skew (never before a scheduled time the office chose),
    # and a min_interval slot never blocks for longer than the interval.
    @staticmethod
    def _clamped_slots(c: sqlite3.Connection, now: float, policies: Mapping[str, ChannelPolicy]
                       ) -> dict[str, float]:
        slots = dict(c.execute("SELECT channel, next_at FROM channel_slots").fetchall())
        for channel, next_at in list(slots.items()):
            policy = policies.get(channel)
            if policy is not None and next_at > now + policy.min_interval:
                slots[channel] = now + policy.min_interval
                c.execute("UPDATE channel_slots SET next_at = ? WHERE channel = ?", (slots[channel], channel))
        return slots

    # The newest event id this store's last clamping pass had seen (None: none ran yet).
    _clamped_through: int | None = None

    def _clamp_future(self, c: sqlite3.Connection, now: float) -> None:
        limit = now + CLOCK_TOLERANCE
        newest = c.execute("SELECT MAX(at) FROM events").fetchone()[0]  # index events_at: instant
        if newest is None or newest <= limit:
            return
        # The newest event stays ahead for as long as the fast clock was (hours): without this, every
        # claim in those hours read every queued and sending row (27 ms a claim at 1,000,000 with a
        # backlog). A delivery's updated_at is only written together with an event of the same
        # clock, in the same transaction, so a row dated in the future arrives with an event dated
        # in the future: after a pass, look again only when an event since then is dated ahead.
        through = self._clamped_through
        if through is not None and c.execute("SELECT 1 FROM events WHERE id > ? AND at > ? LIMIT 1",
                                             (through, limit)).fetchone() is None:
            return
        self._clamped_through = c.execute("SELECT MAX(id) FROM events").fetchone()[0]
        rows = c.execute("SELECT id, release_id, status, not_before, scheduled_at, lease_until, updated_at "
                         "FROM deliveries WHERE status IN ('queued', 'sending') AND updated_at > ?",
                         (limit,)).fetchall()
        for row in rows:
            skew = row["updated_at"] - now
            if row["status"] == "queued":
                floor = row["scheduled_at"] if row["scheduled_at"] is not None else float("-inf")
                moved = min(row["not_before"], max(row["not_before"] - skew, floor))
                c.execute("UPDATE deliveries SET not_before = ?, updated_at = ? WHERE id = ?",
                          (moved, now, row["id"]))
                what = f"not_before moved back from {row['not_before']:.0f} to {moved:.0f}"
            else:
                moved = (row["lease_until"] or now) - skew
                c.execute("UPDATE deliveries SET lease_until = ?, updated_at = ? WHERE id = ?",
                          (moved, now, row["id"]))
                what = f"lease moved back from {row['lease_until'] or 0:.0f} to {moved:.0f}"
            self._event(c, row["id"], row["release_id"], now, row["status"], row["status"],
                        f"clock: written by a clock {skew:.0f} s fast; {what}", actor="crosspost")

    def clock_skew(self, now: float) -> dict[str, Any] | None:
        """For `crosspost doctor`: how far ahead of ``now`` the log's newest times are, if beyond the
        tolerance (None when every time is plausible)."""
        limit = now + CLOCK_TOLERANCE
        with self._lock:
            newest = self._conn.execute("SELECT MAX(at) FROM events").fetchone()[0]
            rows = self._conn.execute("SELECT COUNT(*), MAX(updated_at) FROM deliveries WHERE status IN "
                                      "('queued', 'sending') AND updated_at > ?", (limit,)).fetchone()
            slots = self._conn.execute("SELECT channel, next_at FROM channel_slots WHERE next_at > ?",
                                       (limit,)).fetchall()
        ahead = max([x for x in (newest, rows[1], *(r[1] for r in slots)) if x is not None] or [now]) - now
        if ahead <= CLOCK_TOLERANCE:
            return None
        parts = []
        if newest is not None and newest > limit:
            parts.append(f"the newest event is {newest - now:.0f} s ahead")
        if rows[0]:
            parts.append(f"{rows[0]} waiting delivery(ies) were written in the future")
        if slots:
            parts.append("min_interval slot(s) of " + ", ".join(r[0] for r in slots) + " lie in the future")
        return {"ahead": ahead, "what": "; ".join(parts)}

    def reap(self, now: float) -> list[Delivery]:
        """Expired leases: the worker died or stalled mid-send, so the post may exist -> unknown."""
        with self._tx() as c:
            self._clamp_future(c, now)  # a lease written by a fast clock must expire too
            rows = self._select(c, "d.status = 'sending' AND d.lease_until < ?", (now,))
            for row in rows:
                self._move(c, row, "unknown", now,
                           "lease expired while sending (worker crashed or stalled); the post may exist",
                           lease_token=None, lease_until=None, error_kind="lease",
                           last_error="the worker stopped while sending; the post may or may not exist")
            rows = [self._select(c, "d.id = ?", (r["id"],))[0] for r in rows]
        return [self._delivery(r) for r in rows]

    def claim(self, now: float, lease_seconds: float, limit: int, policies: Mapping[str, ChannelPolicy],
              ids: Collection[int] | None = None, exclude: Collection[int] = ()
              ) -> tuple[list[Claim], list[Delivery]]:
        """Take up to ``limit`` due deliveries of the given channels under a fresh lease.

        In one IMMEDIATE transaction: skip a release's other channels while its website
        delivery is due or sending (the website goes first: others link to it); respect each
        channel's min_interval across processes; fail what is past its deadline.
        Returns the claims and the deliveries failed for their deadline.
        """
        if limit <= 0 or not policies:
            return [], []
        with self._tx() as c:
            return self._claim_in(c, now, lease_seconds, limit, policies, ids, exclude)

    def record_sent_and_claim(self, items: list[tuple[int, str, Receipt, float]], now: float,
                              lease_seconds: float, limit: int, policies: Mapping[str, ChannelPolicy],
                              ids: Collection[int] | None = None, exclude: Collection[int] = ()
                              ) -> tuple[list[str | Exception], list[Claim], list[Delivery]]:
        """record_sent_many(items), then claim(...), in ONE transaction: the engine records what
        its workers sent and takes work for the workers that freed with one commit. Nothing is
        returned (acknowledged) before that commit; the claim sees the results just recorded."""
        with self._tx() as c:
            results = self._record_sent_items(c, items)
            claims, expired = (self._claim_in(c, now, lease_seconds, limit, policies, ids, exclude)
                               if limit > 0 and policies else ([], []))
        return results, claims, expired

    def _claim_in(self, c: sqlite3.Connection, now: float, lease_seconds: float, limit: int,
                  policies: Mapping[str, ChannelPolicy], ids: Collection[int] | None,
                  exclude: Collection[int]) -> tuple[list[Claim], list[Delivery]]:
        """claim()'s body, in the caller's IMMEDIATE transaction."""
        where, args = self._claimable(now)
        if ids is not None:
            where += " AND d.id IN (SELECT value FROM json_each(?))"
            args.append(json.dumps(list(ids)))
        claims: list[Claim] = []
        expired: list[Delivery] = []
        gate = self._claim_gate(c, now, policies)
        if gate is None:
            return [], []
        slots, ready = gate
        # Only the channels this process serves, less those still waiting out min_interval, reach
        # Python: due rows of other channels are skipped in SQL, on deliveries_due's entries (at
        # 1,000,000 deliveries ~2,700 of them were fetched and dropped per claim). The index's
        # order is the ORDER BY: no sort of the backlog.
        cur = c.execute(f"{self._CLAIM_BASE} WHERE {where} "
                        "AND +d.channel IN (SELECT value FROM json_each(?)) "
                        "ORDER BY d.not_before, d.release_id, d.kind != 'website', d.id",
                        (*args, json.dumps(ready)))
        candidates: list[sqlite3.Row] = []
        size = limit  # rows are read as fetched: first as many as wanted, more only if some are skipped
        while len(candidates) < limit:
            batch = cur.fetchmany(size)
            size = min(256, 8 * limit)  # the engine claims 1..workers at a time
            if not batch:
                break
            for row in batch:
                policy = policies.get(row["channel"])
                if policy is None or row["id"] in exclude:
                    continue
                if policy.min_interval > 0 and slots.get(row["channel"], 0.0) > now:
                    continue
                if policy.min_interval > 0:
                    slots[row["channel"]] = float("inf")  # one per channel per claim
                candidates.append(row)
                if len(candidates) >= limit:
                    break
        cur.close()
        self._take(c, candidates, policies, now, lease_seconds, claims, expired)
        return claims, expired

    def _claimable(self, now: float) -> tuple[str, list[Any]]:
        """The rows any claim may take, on every store: queued and due, never of an embargoed release
        whoever asks (run, publish, retry, --force), and only this office's (another office's
        releases are its own workers' to send)."""
        return ("d.status = 'queued' AND d.not_before <= ? AND (r.embargo IS NULL OR r.embargo <= ?)"
                + self._scope(), [now, now])

    def _claim_gate(self, c: Any, now: float, policies: Mapping[str, ChannelPolicy]
                    ) -> tuple[dict[str, float], list[str]] | None:
        """The claim's first step, the same on every store, inside its transaction: nothing while
        the office is paused; clock-skewed times pulled back; then each channel's min_interval
        slot and the channels ready to send now (None: none is)."""
        if self._active_pause(c, now) is not None:
            return None
        self._clamp_future(c, now)
        slots = self._clamped_slots(c, now, policies)
        ready = [n for n, p in policies.items() if not (p.min_interval > 0 and slots.get(n, 0.0) > now)]
        return (slots, ready) if ready else None

    def _take(self, c: Any, candidates: list[Any], policies: Mapping[str, ChannelPolicy], now: float,
              lease_seconds: float, claims: list[Claim], expired: list[Delivery]) -> None:
        """The claim's second half, the same on every store: each candidate row (already chosen
        and, on PostgreSQL, locked) fails past its deadline, waits behind its release's article, or
        is taken under a fresh fenced lease and its channel's min_interval slot."""
        blockers = self._articles_due(c, candidates, policies, now)
        releases: dict[int, Release] = {}  # each release read and parsed once per claim
        for row in candidates:
            policy = policies[row["channel"]]
            start = row["scheduled_at"] if row["scheduled_at"] is not None else row["queued_at"]
            start = max(start, row["release_embargo"] or 0.0)  # the deadline runs from the embargo
            deadline = row["deadline"] if row["deadline"] is not None else start + policy.deadline_seconds
            if now > deadline:
                self._move(c, row, "failed", now, "deadline passed before it could be sent",
                           error_kind="deadline", deadline=deadline,
                           last_error="the deadline passed before it could be sent; "
                                      "`crosspost retry` sends it anyway")
                blockers.get(row["release_id"], set()).discard(row["id"])  # a failed article blocks no more
                expired.append(self._delivery(self._select(c, "d.id = ?", (row["id"],))[0]))
                continue
            # The article goes first (the static site's kind, or a channel whose policy says it
            # publishes the article, e.g. WordPress): the others wait while it is due or sending.
            if row["kind"] != "website" and not policy.article and \
                    blockers.get(row["release_id"], set()) - {row["id"]}:
                continue
            fence = row["fence"] + 1  # fencing: every claim of a delivery outranks the ones before
            token = f"{fence}.{os.urandom(16).hex()}"  # 128 random bits, as uuid4's hex without its object
            until = now + lease_seconds
            fresh = self._move(c, row, "sending", now,
                               f"claimed (attempt {row['attempts'] + 1}, claim #{fence})",
                               lease_token=token, lease_until=until, deadline=deadline, fence=fence)
            if policy.min_interval > 0:
                c.execute("INSERT INTO channel_slots (channel, next_at) VALUES (?, ?) "
                          "ON CONFLICT(channel) DO UPDATE SET next_at = excluded.next_at",
                          (row["channel"], now + policy.min_interval))
            release = releases.get(row["release_id"])
            if release is None:
                release = releases[row["release_id"]] = release_from_json(c.execute(
                    "SELECT release_json FROM releases WHERE id = ?", (row["release_id"],)).fetchone()[0])
            claims.append(Claim(self._delivery(fresh), token, until, row["release_id"], release,
                                variant_from_json(row["variant_json"]), row["scheduled_at"], fresh["version"],
                                deadline, fence))

    @staticmethod
    def _articles_due(c: Any, candidates: list[Any], policies: Mapping[str, ChannelPolicy], now: float
                      ) -> dict[int, set[int]]:
        """For the candidates' releases, the article deliveries (website kind, or a channel whose
        policy publishes the article) of served channels that are sending or due: release id ->
        their ids. One read per claim instead of one per candidate; _take keeps it current (an
        article it claims stays in it, being sending; one it fails for its deadline leaves it)."""
        wanted = sorted({row["release_id"] for row in candidates
                         if row["kind"] != "website" and not policies[row["channel"]].article})
        if not wanted:
            return {}
        articles = json.dumps([n for n, p in policies.items() if p.article])
        found: dict[int, set[int]] = {}
        # a placeholder per release (the release's index on every store); `+`: only that index
        for release_id, delivery_id in c.execute(
                f"SELECT release_id, id FROM deliveries WHERE release_id IN ({', '.join('?' * len(wanted))}) "
                "AND (+kind = 'website' OR +channel IN (SELECT value FROM json_each(?))) "
                "AND +channel IN (SELECT value FROM json_each(?)) AND (+status = 'sending' OR "
                "(+status = 'queued' AND +not_before <= ?))",
                (*wanted, articles, json.dumps(list(policies)), now)).fetchall():
            found.setdefault(release_id, set()).add(delivery_id)
        return found

    def extend_lease(self, delivery_id: int, token: str, now: float, lease_seconds: float) -> bool:
        """Heartbeat: True only while this token still holds an unexpired lease."""
        with self._lock:
            cur = self._conn.execute(
                "UPDATE deliveries SET lease_until = ? WHERE id = ? AND lease_token = ? "
                "AND status = 'sending' AND lease_until >= ?", (now + lease_seconds, delivery_id, token, now))
            return cur.rowcount == 1

    def extend_leases(self, tokens: Mapping[int, str], now: float, lease_seconds: float) -> set[int]:
        """One heartbeat for all of a worker's claims (delivery id -> token): the ids whose lease this
        worker still held, each now renewed; the same condition as extend_lease()."""
        if not tokens:
            return set()
        # Placeholders, not json_each: the same SQL on PostgreSQL (where json_each's text met an id
        # and failed the heartbeat), the primary key for each id; "RETURNING id, ..." because the
        # PostgreSQL connection takes a bare trailing "RETURNING id" for an INSERT's new id.
        pairs = " OR ".join("(id = ? AND lease_token = ?)" for _ in tokens)
        with self._lock:
            rows = self._conn.execute(
                "UPDATE deliveries SET lease_until = ? WHERE status = 'sending' AND lease_until >= ? AND "
                f"id IN ({', '.join('?' * len(tokens))}) AND ({pairs}) RETURNING id, lease_until",
                (now + lease_seconds, now, *tokens, *(x for pair in tokens.items() for x in pair))).fetchall()
        return {r[0] for r in rows}

    def save_progress(self, delivery_id: int, progress: dict[str, Any]) -> None:
        """What a multi-step publish already did; kept whoever holds the lease (it is the truth)."""
        with self._lock:
            self._conn.execute("UPDATE deliveries SET progress_json = ? WHERE id = ?",
                               (dumps(progress), delivery_id))

    def record_sent(self, delivery_id: int, token: str, receipt: Receipt, now: float,
                    detail: str = "") -> str:
        """A platform accepted the post. A receipt is the truth, so it is recorded even when the
        lease expired meanwhile -- but never over a later claim (fencing): a worker whose claim was
        superseded only leaves its post in the log, and the delivery goes to ``unknown`` unless the
        later claim is still in flight. Returns "sent", "sent_after_lease_lost", "duplicate" (the
        delivery was already sent) or "superseded"."""
        with self._tx() as c:
            return self._record_sent(c, delivery_id, token, receipt, now, detail)

    def record_sent_many(self, items: list[tuple[int, str, Receipt, float]]) -> list[str | Exception]:
        """Several record_sent() in ONE transaction (the engine's group commit): each item in its own
        savepoint, so one item's error is that item's result and the others are still recorded."""
        with self._tx() as c:
            return self._record_sent_items(c, items)

    def _record_sent_items(self, c: sqlite3.Connection, items: list[tuple[int, str, Receipt, float]]
                           ) -> list[str | Exception]:
        head = self._head
        c.execute("SAVEPOINT batch")  # all at once; only if one fails, each in a savepoint of its own
        try:
            out: list[str | Exception] = [self._record_sent(c, *item) for item in items]
            c.execute("RELEASE batch")
            return out
        except Exception:
            c.execute("ROLLBACK TO batch")
            c.execute("RELEASE batch")
            self._head = head
        out = []
        for item in items:
            c.execute("SAVEPOINT one")
            head = self._head
            try:
                out.append(self._record_sent(c, *item))
            except Exception as exc:
                c.execute("ROLLBACK TO one")
                self._head = head  # the events this item appended are gone with it
                out.append(exc)
            c.execute("RELEASE one")
        return out

    def _record_sent(self, c: sqlite3.Connection, delivery_id: int, token: str, receipt: Receipt, now: float,
                     detail: str = "") -> str:
        where = " ".join(x for x in (receipt.remote_id, receipt.url) if x)
        # The usual case in one statement: this token still holds the lease (then its fence is the
        # row's: a token carries its claim's fence), so it is sent with exactly the UPDATE and the
        # event _move writes for it. Anything else reads the row and decides below.
        taken = self._sent_if_held(c, (now, *_sent_fields(receipt, now).values(), delivery_id, token))
        if taken is not None:
            self._event(c, delivery_id, taken[0], now, "sending", "sent", f"{detail or 'accepted'}: {where}",
                        payload={"variants": {str(delivery_id): text_digest(taken[1])}})
            return "sent"
        row = self._select(c, "d.id = ?", (delivery_id,))[0]
        if row["status"] == "sent":
            self._event(c, delivery_id, row["release_id"], now, "sent", "sent",
                        f"DUPLICATE: another post {where} was accepted after this delivery was already "
                        f"sent ({row['url'] or row['remote_id']}); remove one by hand")
            return "duplicate"
        mine, current = _fence(token), row["fence"]
        if mine < current:  # superseded: refuse to record over the later claim
            note = f"a worker whose claim #{mine} was superseded by claim #{current} posted {where}"
            if row["status"] in ("queued", "failed", "unknown"):  # the later claim sent nothing
                self._move(c, row, "unknown", now, f"LATE POST: {note}; check it on the platform, then "
                           f"`crosspost resolve {delivery_id} --sent URL`", error_kind="superseded",
                           last_error=f"{note}; it may be the only post", lease_token=None,
                           lease_until=None)
            else:  # in flight again (or cancelled): if it posts too, that is a duplicate
                self._event(c, delivery_id, row["release_id"], now, row["status"], row["status"],
                            f"SUPERSEDED: {note} while claim #{current} holds it; if that one posts "
                            "too, remove one by hand")
            return "superseded"
        held = row["status"] == "sending" and row["lease_token"] == token
        note = detail or ("accepted" if held else "accepted after this worker lost its lease")
        self._move(c, row, "sent", now, f"{note}: {where}",
                   **_sent_fields(receipt, now), attempts=row["attempts"] + 1)
        return "sent" if held else "sent_after_lease_lost"

    @staticmethod
    def _sent_if_held(c: Any, args: tuple[Any, ...]) -> Any:
        """_SENT_IF_HELD, then the sent row's (release_id, variant_json); None if the token did not
        hold the lease. Two statements, not RETURNING: SQLite gathers RETURNING rows in a temporary
        b-tree built for each statement run (EXPLAIN: OpenEphemeral), a primary-key read is less."""
        if c.execute(_SENT_IF_HELD, args).rowcount != 1:
            return None
        return c.execute("SELECT release_id, variant_json FROM deliveries WHERE id = ?", (args[-2],)
                         ).fetchone()

    def record(self, delivery_id: int, token: str, to_status: str, now: float, *, error: str,
               error_kind: str, count_attempt: bool, not_before: float | None = None) -> bool:
        """Record a failed attempt (queued again, failed or unknown), only while holding the lease."""
        assert to_status in ("queued", "failed", "unknown")
        with self._tx() as c:
            rows = self._select(c, "d.id = ? AND d.status = 'sending' AND d.lease_token = ?",
                                (delivery_id, token))
            if not rows:
                return False
            row = rows[0]
            fields: dict[str, Any] = {"last_error": error, "error_kind": error_kind, "lease_token": None,
                                      "lease_until": None, "attempts": row["attempts"] + int(count_attempt)}
            if not_before is not None:
                fields["not_before"] = not_before
            detail = f"{error_kind}: {error}"
            if to_status == "queued" and not_before is not None:
                detail += f" (next attempt not before {not_before:.0f})"
            self._move(c, row, to_status, now, detail, **fields)
            return True

    def unknown(self, channels: Collection[str], ids: Collection[int] | None = None) -> list[Claim]:
        """Unknown deliveries of these channels, with what a lookup needs (no lease is taken:
        settle() is conditional on the version seen here)."""
        where, args = ("d.status = 'unknown' AND d.channel IN (SELECT value FROM json_each(?))",
                       [json.dumps(list(channels))])
        if ids is not None:
            where += " AND d.id IN (SELECT value FROM json_each(?))"
            args.append(json.dumps(list(ids)))
        with self._lock:
            rows = self._select(self._conn, where, tuple(args))
            out = []
            for row in rows:
                release = self._conn.execute("SELECT release_json FROM releases WHERE id = ?",
                                             (row["release_id"],)).fetchone()[0]
                claimed = self._conn.execute("SELECT MIN(at) FROM events WHERE delivery_id = ? AND "
                                             "to_status = 'sending'", (row["id"],)).fetchone()[0]
                out.append(Claim(self._delivery(row), "", 0.0, row["release_id"], release_from_json(release),
                                 variant_from_json(row["variant_json"]), row["scheduled_at"], row["version"],
                                 claimed_at=claimed, lookups=row["lookups"], lookup_after=row["lookup_after"],
                                 lookup_since=row["lookup_since"]))
        return out

    def settle(self, delivery_id: int, version: int, now: float, receipt: Receipt | None,
               detail: str, failed: str | None = None) -> bool:
        """Resolve an unknown delivery seen at ``version``: sent with the receipt found, or queued
        again when the platform shows no such post (``failed``: failed with that error kind
        instead, its attempts used up). False if it changed meanwhile."""
        with self._tx() as c:
            rows = self._select(c, "d.id = ? AND d.status = 'unknown' AND d.version = ?",
                                (delivery_id, version))
            if not rows:
                return False
            if receipt is not None:
                self._move(c, rows[0], "sent", now, f"{detail}: {receipt.url or receipt.remote_id}",
                           **_sent_fields(receipt, now))
            elif failed:
                self._move(c, rows[0], "failed", now, detail, error_kind=failed, last_error=detail,
                           lookup_after=None)
            else:
                self._move(c, rows[0], "queued", now, detail, not_before=now, error_kind=None,
                           lookup_after=None)
            return True

    def note_lookup(self, delivery_id: int, version: int, now: float, next_at: float | None,
                    detail: str, count: bool = True) -> bool:
        """A lookup that did not settle an unknown delivery: count it (unless ``count`` is False, a
        rate-limited read) and set when the next may run; ``next_at`` None means the cap is
        reached: the delivery stays unknown for a person (error_kind ``unsettled``) and is not
        looked up again. Leaves ``updated_at`` alone (it says when the delivery became unknown)."""
        with self._tx() as c:
            rows = self._select(c, "d.id = ? AND d.status = 'unknown' AND d.version = ?",
                                (delivery_id, version))
            if not rows:
                return False
            row = rows[0]
            extra = {"error_kind": "unsettled", "last_error": detail} if next_at is None else {}
            sets = ", ".join(f"{k} = ?" for k in extra)
            c.execute("UPDATE deliveries SET lookups = lookups + ?, lookup_after = ?, "
                      f"lookup_since = COALESCE(lookup_since, ?), version = version + 1{', ' if sets else ''}"
                      f"{sets} WHERE id = ?", (int(count), next_at, now, *extra.values(), delivery_id))
            self._event(c, delivery_id, row["release_id"], now, "unknown", "unknown", detail,
                        payload={"variants": {str(delivery_id): text_digest(row["variant_json"])}})
            return True

    # -- the operator's side ------------------------------------------------------------------
    def _one(self, c: sqlite3.Connection, delivery_id: int) -> sqlite3.Row:
        rows = self._select(c, "d.id = ?", (delivery_id,))
        if not rows:
            raise InputError(_(
                'no delivery with id {delivery_id} (see `crosspost status`)').format(delivery_id=delivery_id))
        return rows[0]

    def retry(self, delivery_id: int | None, now: float, all_failed: bool = False) -> list[Delivery]:
        """Queue failed (or cancelled) deliveries again with fresh attempts and deadline."""
        with self._tx() as c:
            if all_failed:
                rows = self._select(c, "d.status = 'failed'")
            else:
                row = self._one(c, delivery_id)  # type: ignore[arg-type]
                if row["status"] not in ("failed", "cancelled"):
                    hint = (_("; use `crosspost resolve` for an unknown one") if row["status"] == "unknown"
                            else "")
                    raise InputError(_("delivery {id} is {status}; only failed or cancelled deliveries can "
                                       "be retried").format(id=delivery_id, status=row["status"]) + hint)
                if row["error_kind"] == "rejected":
                    raise InputError(_(
                        'delivery {delivery_id} was rejected ({last_error}); edit the release and '
                        '`crosspost publish` it again to ask for approval').format(
                        delivery_id=delivery_id, last_error=row['last_error']))
                rows = [row]
            for row in rows:
                if row["error_kind"] == "unapproved":  # -- controls: cancelled unapproved: back to waiting
                    self._move(c, row, "awaiting_approval", now, "back to awaiting approval (operator)",
                               error_kind=None)
                    continue
                self._move(c, row, "queued", now, "queued again by the operator", attempts=0,
                           not_before=now, scheduled_at=now, deadline=None, error_kind=None, lookups=0,
                           lookup_after=None, lookup_since=None)
            ids = [r["id"] for r in rows]
        return [d for d in (self.delivery(i) for i in ids) if d]

    def cancel(self, target: int | str, now: float) -> list[Delivery]:
        """Cancel one delivery (by id) or every pending delivery of a release (by slug)."""
        with self._tx() as c:
            if isinstance(target, int):
                row = self._one(c, target)
                if row["status"] not in ("queued", "failed", "awaiting_approval"):
                    raise InputError(_("delivery {id} is {status} and cannot be cancelled").format(
                        id=target, status=row["status"])
                        + (_("; settle it first with `crosspost resolve`")
                           if row["status"] == "unknown" else ""))
                rows = [row]
            else:
                if not c.execute("SELECT 1 FROM releases WHERE slug = ?", (target,)).fetchone():
                    raise InputError(_(
                        "no release '{target}' (see `crosspost status`)").format(target=target))
                rows = self._select(c, "r.slug = ? AND d.status IN ('queued', 'failed', 'awaiting_approval')",
                                    (target,))
            for row in rows:
                unapproved = row["status"] == "awaiting_approval"
                extra: dict[str, Any] = {"error_kind": "unapproved"} if unapproved else {}
                self._move(c, row, "cancelled", now, "cancelled by the operator", **extra)  # -- controls
            ids = [r["id"] for r in rows]
        return [d for d in (self.delivery(i) for i in ids) if d]

    def resolve(self, delivery_id: int, now: float, receipt: Receipt | None) -> Delivery:
        """The operator checked the platform: sent (with its link) or not sent (queued again)."""
        with self._tx() as c:
            row = self._one(c, delivery_id)
            if receipt is not None:
                if row["status"] not in ("unknown", "failed", "queued"):
                    raise InputError(_(
                        'delivery {delivery_id} is {status}; only unknown, failed or queued deliveries can '
                        'be marked sent').format(delivery_id=delivery_id, status=row['status']))
                self._move(c, row, "sent", now,
                           f"marked sent by the operator: {receipt.url or receipt.remote_id}",
                           **_sent_fields(receipt, now))
            else:
                if row["status"] != "unknown":
                    raise InputError(_(
                        'delivery {delivery_id} is {status}; --not-sent is for unknown deliveries (use '
                        '`crosspost cancel` to drop a queued one)').format(
                        delivery_id=delivery_id, status=row['status']))
                self._move(c, row, "queued", now, "operator says it was not sent; queued again",
                           not_before=now, error_kind=None, lookups=0, lookup_after=None, lookup_since=None)
        return self.delivery(delivery_id)  # type: ignore[return-value]

    # -- corrections (ralat) ------------------------------------------------------------------
    # A correction is its own release row (releases.corrects = the original's id) whose
    # deliveries are ordinary deliveries, so the engine's claim/lease/retry/unknown rules apply.
    def correction_sources(self, slug: str
                           ) -> tuple[int, Release, list[tuple[Delivery, Variant, Receipt | None]]]:
        """The original release (id, Release) and each of its deliveries with the variant it sent
        and its receipt; InputError when there is no such release or it is itself a correction."""
        with self._lock:
            row = self._conn.execute("SELECT id, corrects, release_json FROM releases WHERE slug = ?",
                                     (slug,)).fetchone()
            if row is None:
                raise InputError(_(
                    "no release '{slug}' in the delivery log (see `crosspost status`)").format(slug=slug))
            if row["corrects"] is not None:
                original = self._conn.execute("SELECT slug FROM releases WHERE id = ?",
                                              (row["corrects"],)).fetchone()
                raise InputError(_(
                    "'{slug}' is itself a correction; correct the original release '{value}' instead").format(
                    slug=slug, value=original[0] if original else '?'))
            rows = self._select(self._conn, "d.release_id = ?", (row["id"],))
        out = []
        for r in rows:
            receipt = (receipt_from_json(r["receipt_json"]) if r["receipt_json"]
                       else Receipt(r["remote_id"] or "", r["url"]) if r["remote_id"] else None)
            out.append((self._delivery(r), variant_from_json(r["variant_json"]), receipt))
        return row["id"], release_from_json(row["release_json"]), out

    def corrections_of(self, slug: str) -> list[tuple[Delivery, Variant]]:
        """Deliveries of every correction of this release so far (oldest first), with their variants."""
        with self._lock:
            rows = self._select(self._conn, "d.release_id IN (SELECT c.id FROM releases c JOIN releases o "
                                "ON o.id = c.corrects WHERE o.slug = ?)", (slug,))
        return [(self._delivery(r), variant_from_json(r["variant_json"])) for r in rows]

    def release_variants(self, slug: str) -> list[tuple[Delivery, Variant]]:
        """This release's own deliveries with the variant each one stored (what is, or will be, sent)."""
        with self._lock:
            rows = self._select(self._conn, "r.slug = ?", (slug,))
        return [(self._delivery(r), variant_from_json(r["variant_json"])) for r in rows]

    def correction_count(self, slug: str) -> int:
        with self._lock:
            return self._conn.execute("SELECT count(*) FROM releases c JOIN releases o ON o.id = c.corrects "
                                      "WHERE o.slug = ?", (slug,)).fetchone()[0]

    def save_correction(self, original_slug: str, release: Release, variants: list[Variant], now: float,
                        actor: str | None = None, awaiting: Collection[str] = ()
                        ) -> tuple[int, list[Delivery]]:
        """Create the correction release and one queued delivery per variant in ONE transaction,
        and log it against the original. Channels in ``awaiting`` start as awaiting_approval (a
        ralat is public text too). Refuses a slug already taken (another correction was made
        meanwhile: run the command again)."""
        with self._tx() as c:
            original = c.execute("SELECT id FROM releases WHERE slug = ?", (original_slug,)).fetchone()
            if original is None:
                raise InputError(_(
                    "no release '{original_slug}' in the delivery log").format(original_slug=original_slug))
            if c.execute("SELECT 1 FROM releases WHERE slug = ?", (release.slug,)).fetchone():
                raise InputError(_(
                    "a correction '{slug}' already exists (made meanwhile?); run `crosspost correct` again "
                    'to add another one').format(slug=release.slug))
            cur = c.execute(
                "INSERT INTO releases (slug, title, section, source, content_hash, release_json, "
                "created_at, updated_at, corrects) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (release.slug, release.title, release.section, str(release.source or ""),
                 release.content_hash, release_to_json(release), now, now, original[0]))
            release_id = int(cur.lastrowid or 0)
            if self.office:
                c.execute("UPDATE releases SET office = ? WHERE id = ?", (self.office, release_id))
            ids = []
            for v in variants:
                status = "awaiting_approval" if v.channel in awaiting else "queued"
                cur = c.execute(
                    "INSERT INTO deliveries (release_id, channel, kind, status, not_before, "
                    "variant_json, queued_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (release_id, v.channel, v.kind, status, now, variant_to_json(v), now, now))
                ids.append(cur.lastrowid)
                self._event(c, cur.lastrowid, release_id, now, None, status,
                            f"correction of '{original_slug}' "
                            + ("queued, awaiting approval" if status != "queued" else "queued"), actor=actor,
                            payload={"variants": {str(cur.lastrowid): text_digest(variant_to_json(v))}})
            self._event(c, None, original[0], now, None, None,
                        f"ralat {release.slug} created for: {', '.join(v.channel for v in variants)}",
                        actor=actor)
            rows = [self._select(c, "d.id = ?", (i,))[0] for i in ids]
        return release_id, [self._delivery(r) for r in rows]

    # -- reporting and audit (read-only) ------------------------------------------------------
    def _all(self, sql: str, args: tuple = ()) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(r) for r in self._conn.execute(sql, args)]

    def audit_chain_rows(self) -> Generator[sqlite3.Row, None, None]:
        """Every event in id order with what its hash covers, streamed (one consistent snapshot:
        the read transaction keeps concurrent writers' new rows out of this pass)."""
        with self._lock:
            cur = self._conn.execute(
                "SELECT id, at, delivery_id, release_id, from_status, to_status, detail, actor, hash, "
                "payload FROM events ORDER BY id")
            while batch := cur.fetchmany(2048):
                yield from batch

    def audit_covered_rows(self) -> Generator[tuple[str, int, str], None, None]:
        """(kind, id, digest) of every row the chain covers besides events: approvals, pauses and
        each delivery's text, as they are now (streamed)."""
        with self._lock:
            for row in self._conn.execute("SELECT * FROM approvals ORDER BY id"):
                yield "approvals", row["id"], approval_digest(row)
            for row in self._conn.execute("SELECT * FROM pauses ORDER BY id"):
                yield "pauses", row["id"], pause_digest(row)
            cur = self._conn.execute("SELECT id, variant_json FROM deliveries ORDER BY id")
            while batch := cur.fetchmany(2048):
                for row in batch:
                    yield "variants", row["id"], text_digest(row["variant_json"])

    def audit_chain_head(self) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
        return row[0] if row else None

    def audit_releases(self, start: float, end: float) -> list[dict[str, Any]]:
        """Releases created, logged or decided on in [start, end)."""
        return self._all(
            "SELECT * FROM releases WHERE id IN ("
            "SELECT release_id FROM events WHERE at >= ?1 AND at < ?2 AND release_id IS NOT NULL "
            "UNION SELECT id FROM releases WHERE created_at >= ?1 AND created_at < ?2 "
            "UNION SELECT release_id FROM approvals WHERE at >= ?1 AND at < ?2) ORDER BY id", (start, end))

    def report_release_links(self, start: float, end: float, limit: int) -> list[dict[str, Any]]:
        """The ``limit`` latest releases with a delivery due in [start, end) (the report's own
        definition, through the due-time index), oldest first, each with its sent links: two
        statements whatever the log's size, never every delivery of the period."""
        due = self._DUE  # PostgreSQL spells it with GREATEST
        if self.aggregates and not self._scope():
            releases = self._all("SELECT id, slug, title, section FROM releases WHERE id IN "
                                 "(SELECT value FROM json_each(?)) ORDER BY id",
                                 (json.dumps(self._latest_releases(start, end, limit)),))
        else:
            releases = self._all(
                "SELECT r.id, r.slug, r.title, r.section FROM releases r WHERE r.id IN (SELECT d.release_id "
                f"FROM deliveries d WHERE {due} >= ? AND {due} < ?{self._scope()}) "
                "ORDER BY r.id DESC LIMIT ?", (start, end, int(limit)))
            releases.reverse()
        links: dict[int, list[dict[str, str]]] = {}
        for d in self._all("SELECT release_id, channel, url FROM deliveries WHERE release_id IN "
                           "(SELECT value FROM json_each(?)) AND status = 'sent' AND url IS NOT NULL "
                           "AND url != '' ORDER BY release_id, id",
                           (json.dumps([r["id"] for r in releases]),)):
            links.setdefault(d["release_id"], []).append({"channel": d["channel"], "url": d["url"]})
        return [{**r, "links": links.get(r["id"], [])} for r in releases]

    def _latest_releases(self, start: float, end: float, limit: int) -> list[int]:
        """The ids of the ``limit`` latest releases with a delivery due in [start, end): whole days
        from report_release_days newest release first (stops at ``limit``: a year of 200,000
        releases is not listed to keep 1,000), the part-days from the deliveries (due-time index)."""
        (d_lo, d_hi), _skip, raw = aggregates.split(start, end, aggregates.DAY)
        due = aggregates.due("d")
        with self._lock:
            ids = {r[0] for r in self._conn.execute(
                "SELECT DISTINCT release_id FROM report_release_days INDEXED BY report_release_days_release "
                "WHERE day >= ? AND day < ? ORDER BY release_id DESC LIMIT ?", (d_lo, d_hi, int(limit)))}
            for a, b in raw:
                ids.update(r[0] for r in self._conn.execute(
                    f"SELECT DISTINCT d.release_id FROM deliveries d WHERE {due} >= ? AND {due} < ?", (a, b)))
        return sorted(ids)[-int(limit):] if limit > 0 else []

    def audit_deliveries(self, release_ids: Collection[int]) -> list[dict[str, Any]]:
        return self._all("SELECT * FROM deliveries WHERE release_id IN (SELECT value FROM json_each(?)) "
                         "ORDER BY release_id, id", (json.dumps(list(release_ids)),))

    def audit_events(self, release_ids: Collection[int] | None = None,
                     office_between: tuple[float, float] | None = None) -> list[dict[str, Any]]:
        """Events of these releases (all of their history), or events tied to no release in a
        period (pauses and the like); each with its channel and the hash it is chained to."""
        cols = ("SELECT e.*, d.channel, (SELECT p.hash FROM events p WHERE p.id < e.id ORDER BY p.id DESC "
                "LIMIT 1) AS prev_hash FROM events e LEFT JOIN deliveries d ON d.id = e.delivery_id ")
        if office_between is not None:
            return self._all(cols + "WHERE e.release_id IS NULL AND e.at >= ? AND e.at < ? ORDER BY e.id",
                             office_between)
        return self._all(cols + "WHERE e.release_id IN (SELECT value FROM json_each(?)) ORDER BY e.id",
                         (json.dumps(list(release_ids or ())),))

    def audit_approvals(self, release_ids: Collection[int]) -> list[dict[str, Any]]:
        return self._all("SELECT * FROM approvals WHERE release_id IN (SELECT value FROM json_each(?)) "
                         "ORDER BY id", (json.dumps(list(release_ids)),))

    def audit_pauses(self) -> list[dict[str, Any]]:
        return self._all("SELECT * FROM pauses ORDER BY id")

    def audit_slugs(self, release_ids: Collection[int]) -> dict[int, str]:
        rows = self._all("SELECT id, slug FROM releases WHERE id IN (SELECT value FROM json_each(?))",
                         (json.dumps(list(release_ids)),))
        return {r["id"]: r["slug"] for r in rows}

    def audit_corrections(self, release_ids: Collection[int]) -> dict[int, list[str]]:
        """The corrections (ralat) published for each of these releases, oldest first."""
        out: dict[int, list[str]] = {}
        for r in self._all("SELECT corrects, slug FROM releases WHERE corrects IN "
                           "(SELECT value FROM json_each(?)) ORDER BY id", (json.dumps(list(release_ids)),)):
            out.setdefault(r["corrects"], []).append(r["slug"])
        return out

    # The moment a delivery was meant to go out: when queued, or its scheduled time if later.
    _DUE = "MAX(d.queued_at, COALESCE(d.scheduled_at, d.queued_at))"

    def report_groups(self, start: float, end: float, weeks: list[float]) -> list[dict[str, Any]]:
        """Deliveries due in [start, end) counted by channel, section, status and week (an index
        into ``weeks``, the instants each week starts, the first at or before ``start``), with the
        waiting times of the sent ones as a comma-separated list: one scan for every figure."""
        return self._all(
            f"SELECT d.channel, r.section, d.status, {self._week(weeks)} AS week, COUNT(*) AS n, "
            f"group_concat(CASE WHEN d.status = 'sent' THEN round(d.sent_at - {self._DUE}, 3) END) AS delays "
            f"FROM deliveries d JOIN releases r ON r.id = d.release_id "
            f"WHERE {self._DUE} >= ? AND {self._DUE} < ?{self._scope()} GROUP BY 1, 2, 3, 4", (start, end))

    @classmethod
    def _week(cls, weeks: list[float]) -> str:
        """SQL for the week index of a delivery's due time: plain arithmetic when every week is
        7 x 24 h long (no DST in the period, always so in Indonesia), else a CASE over the bounds."""
        if not weeks:
            return "0"
        if all(b - a == 604800 for a, b in zip(weeks, weeks[1:], strict=False)):
            return f"MIN({len(weeks) - 1}, CAST(({cls._DUE} - {float(weeks[0])!r}) / 604800 AS INTEGER))"
        whens = " ".join(f"WHEN {cls._DUE} < {float(b)!r} THEN {i}" for i, b in enumerate(weeks[1:]))
        return f"CASE {whens} ELSE {len(weeks) - 1} END"

    def report_figures(self, start: float, end: float, weeks: list[float]) -> dict[str, Any]:
        """Every figure the report needs for deliveries due in [start, end), from the aggregates
        (crosspost.aggregates) for whole buckets and from the deliveries for part-buckets:
        ``groups`` (channel, section, status, week index into ``weeks``, n), ``waits`` (channel,
        section, second, n: sent deliveries' waiting time), ``releases`` (section -> distinct
        releases) and ``failures`` (channel, status, error_kind, last_error, n)."""
        if not self.aggregates or self._scope():
            return self._report_figures_from_rows(start, end, weeks)
        A = aggregates
        due = A.due("d")
        (h_lo, h_hi), skip, raw_h = A.split(start, end, A.HOUR, weeks)
        (d_lo, d_hi), _none, raw_d = A.split(start, end, A.DAY)

        def ranges(raw: list[tuple[float, float]]) -> tuple[str, tuple[float, ...]]:
            if not raw:
                return "0", ()
            return " OR ".join(f"({due} >= ? AND {due} < ?)" for _ in raw), tuple(x for r in raw for x in r)

        joined = "FROM deliveries d JOIN releases r ON r.id = d.release_id"
        rd, rd_args = ranges(raw_d)
        # the part-buckets are read through deliveries_due_at (`+` keeps the status indexes out)
        # whole days unless a cut (a week's start) falls inside: then that day's whole hours
        cut_days = sorted({h // 24 for h in skip} | {math.floor(w / A.DAY) for w in weeks
                                                     if start < w < end and w % A.DAY})
        day_lo, day_hi = -(-h_lo // 24), max(-(-h_lo // 24), h_hi // 24)
        # each whole bucket range a primary-key range of its own (an OR of them scanned the table),
        # signed (crosspost.aggregates.cut_day): whole days between the cut days, a cut day as its
        # day less the hours past the cut, whole hours less the hours a cut falls inside
        cuts = {math.floor(w / A.DAY): w for w in weeks if start < w < end and w % A.DAY}
        spans: list[list[Any]] = []
        plain: list[int] = []
        for d in cut_days:
            moved = (A.cut_day(d, cuts[d], skip) if day_lo <= d < day_hi and d in cuts and A.hours_kept(d)
                     else None)
            spans += moved or []
            plain += [] if moved else [d]
        hours = [(h_lo, day_lo * 24), (day_hi * 24, h_hi), *((d * 24, d * 24 + 24) for d in plain)]
        hours = [(max(a, h_lo), min(b, h_hi)) for a, b in hours if max(a, h_lo) < min(b, h_hi)]
        kept, elsewhere = A.hours_by_kept(A._merged(hours))
        spans += [[24, a * 24, b * 24, 1, None] for a, b in _gaps(day_lo, day_hi, cut_days)]
        spans += [[1, a, b, 1, None] for lo, hi in kept for a, b in _gaps(int(lo), int(hi), skip)]
        # hours of a day whose hours are not kept (a period that starts or ends mid-day, a week that
        # does not start on a Monday): from the deliveries, as part-buckets are
        raw_h = A._merged([*raw_h, *((a * A.HOUR, b * A.HOUR) for a, b in elsewhere)])
        rh, rh_args = ranges(raw_h)
        at = "COALESCE(j.at, c.start * 3600.0)"
        # the ranges' fields taken out once per range (LIMIT keeps the subquery from being flattened
        # into a json_extract per row read)
        signed = ("FROM (SELECT json_extract(value, '$[0]') AS span, json_extract(value, '$[1]') AS lo, "
                  "json_extract(value, '$[2]') AS hi, json_extract(value, '$[3]') AS sign, "
                  "json_extract(value, '$[4]') AS at FROM json_each(?) LIMIT -1) j CROSS JOIN {table} c "
                  "WHERE c.span = j.span AND c.start >= j.lo AND c.start < j.hi GROUP BY 1, 2, 3")
        groups = self._summed(
            (f"SELECT c.channel, c.section, c.status, {A.week_sql(at, weeks)} AS week, "
             "SUM(c.n * j.sign) AS n "
             + signed.format(table="report_counts") + ", 4", (json.dumps(spans),)),
            raw_h and (f"SELECT d.channel, r.section, {A.counted('d')} AS status, "
                       f"{A.week_sql(due, weeks)} AS week, COUNT(*) AS n "
                       f"{joined} WHERE {rh} GROUP BY 1, 2, 3, 4", rh_args))
        waits = self._summed(
            ("SELECT c.channel, c.section, c.second, SUM(c.n * j.sign) AS n "
             + signed.format(table="report_waits"), (json.dumps(A.wait_ranges(d_lo, d_hi)),)),
            raw_d and (f"SELECT d.channel, r.section, {A._wait('d')} AS second, COUNT(*) AS n {joined} "
                       f"WHERE +d.status = 'sent' AND ({rd}) GROUP BY 1, 2, 3", rd_args))
        releases: Counter[str] = Counter()
        with self._lock:  # distinct releases: whole days through the `first` marks, then the part-days
            c = self._conn
            releases.update(dict(c.execute(
                "SELECT section, SUM(n) FROM report_release_firsts WHERE day >= ? AND day < ? "
                "GROUP BY section",
                (d_lo, d_hi)).fetchall()))
            releases.update(dict(c.execute(  # started before the period, due again inside it
                "SELECT section, COUNT(DISTINCT release_id) FROM report_release_days x INDEXED BY "
                "report_release_days_later WHERE first = 0 AND day >= ?1 AND day < ?2 AND (SELECT MIN(day) "
                "FROM report_release_days y WHERE y.release_id = x.release_id) < ?1 GROUP BY section",
                (d_lo, d_hi)).fetchall()))
            if raw_d:
                edge = dict(c.execute(f"SELECT DISTINCT d.release_id, r.section {joined} WHERE {rd}",
                                      rd_args).fetchall())
                inside = {r[0] for r in c.execute(
                    "SELECT DISTINCT release_id FROM report_release_days "
                    "INDEXED BY report_release_days_release "
                    "WHERE release_id IN (SELECT value FROM json_each(?)) AND day >= ? AND day < ?",
                    (json.dumps(sorted(edge)), d_lo, d_hi))}
                releases.update(section for rid, section in edge.items() if rid not in inside)
        failures = self._summed(
            ("SELECT channel, status, NULLIF(error_kind, '') AS error_kind, "
             "NULLIF(last_error, '') AS last_error, "
             "SUM(n) AS n FROM report_causes WHERE day >= ? AND day < ? GROUP BY 1, 2, 3, 4", (d_lo, d_hi)),
            raw_d and ("SELECT d.channel, d.status, d.error_kind, d.last_error, COUNT(*) AS n "
                       "FROM deliveries d "
                       f"WHERE +d.status IN ('failed', 'unknown') AND ({rd}) GROUP BY 1, 2, 3, 4", rd_args))
        return {"groups": groups, "waits": waits, "releases": dict(releases), "failures": failures}

    def _report_figures_from_rows(self, start: float, end: float, weeks: list[float]) -> dict[str, Any]:
        """``report_figures`` read from the deliveries themselves: for one office's share of a shared
        log (the aggregates count every office together) and for a store without the aggregates'
        triggers (PostgreSQL). One scan; the waiting seconds rounded as the aggregates round them."""
        groups: list[dict[str, Any]] = []
        waits: Counter[tuple[str, str, int]] = Counter()
        for row in self.report_groups(start, end, weeks):
            groups.append({k: row[k] for k in ("channel", "section", "status", "week", "n")})
            for x in (row["delays"] or "").split(","):
                if x:
                    waits[(row["channel"], row["section"], math.floor(max(0.0, float(x)) + 0.5))] += 1
        return {"groups": groups,
                "waits": [{"channel": c, "section": x, "second": sec, "n": n}
                          for (c, x, sec), n in waits.items()],
                "releases": self.report_releases(start, end), "failures": self.report_failures(start, end)}

    def _summed(self, *queries: Any) -> list[dict[str, Any]]:
        """Rows of several (sql, args) queries (falsy ones skipped) summed on every column but ``n``."""
        total: dict[tuple, int] = {}
        for query in queries:
            for row in self._all(*query) if query else ():
                n = row.pop("n")
                key = tuple(row.items())
                total[key] = total.get(key, 0) + n
        return [{**dict(k), "n": n} for k, n in total.items() if n]

    def report_releases(self, start: float, end: float) -> dict[str, int]:
        """Distinct releases with a delivery due in [start, end), by section."""
        # IN (subquery) dedups release ids once, before the join: half the time of
        # COUNT(DISTINCT) over every joined delivery (0.035 s vs 0.076 s on 100,000 deliveries).
        rows = self._all("SELECT r.section, COUNT(*) AS n FROM releases r WHERE r.id IN (SELECT d.release_id "
                         f"FROM deliveries d WHERE {self._DUE} >= ? AND {self._DUE} < ?{self._scope()}) "
                         "GROUP BY r.section",
                         (start, end))
        return {r["section"]: r["n"] for r in rows}

    def report_failures(self, start: float, end: float) -> list[dict[str, Any]]:
        """Failed and unknown deliveries due in [start, end), grouped by channel and raw cause."""
        return self._all(f"SELECT d.channel, d.status, d.error_kind, d.last_error, COUNT(*) AS n "
                         f"FROM deliveries d WHERE d.status IN ('failed', 'unknown') AND {self._DUE} >= ? "
                         f"AND {self._DUE} < ?{self._scope()} "
                         "GROUP BY d.channel, d.status, d.error_kind, d.last_error",
                         (start, end))

    # -- controls: approval, office-wide pause, embargo ------------------------------------------
    # The rules are explained in crosspost.controls. The embargo and the pause are enforced in
    # claim() itself (inside its IMMEDIATE transaction), so no command and no process can get
    # around them; approval is a delivery status (awaiting_approval) that claim never takes.
    @staticmethod
    def _active_pause(c: sqlite3.Connection, now: float) -> sqlite3.Row | None:
        return c.execute("SELECT * FROM pauses WHERE lifted_at IS NULL AND (until IS NULL OR until > ?) "
                         "ORDER BY id DESC LIMIT 1", (now,)).fetchone()

    def active_pause(self, now: float) -> dict[str, Any] | None:
        """The office-wide pause in force at ``now`` (id, reason, actor, at, until), or None."""
        with self._reading() as c:
            row = self._active_pause(c, now)
        return dict(row) if row else None

    def pause(self, reason: str, actor: str, now: float, until: float | None = None) -> dict[str, Any]:
        """Stop every delivery of every process from the next claim on; refuses a second pause."""
        with self._tx() as c:
            current = self._active_pause(c, now)
            if current is not None:
                raise InputError(_(
                    'already paused by {actor} ({reason}); `crosspost resume --by NAME` lifts it '
                    'first').format(
                    actor=current['actor'], reason=current['reason']))
            cur = c.execute("INSERT INTO pauses (reason, actor, at, until) VALUES (?, ?, ?, ?)",
                            (reason, actor, now, until))
            row = c.execute("SELECT * FROM pauses WHERE id = ?", (cur.lastrowid,)).fetchone()
            self._event(c, None, None, now, None, None, f"office-wide pause: {reason}"
                        + (f" (until {until:.0f})" if until is not None else ""), actor=actor,
                        payload={"pauses": {str(row["id"]): pause_digest(row)}})
            return dict(row)

    def resume(self, actor: str, now: float) -> list[dict[str, Any]]:
        """Lift every pause in force; returns them (empty when nothing was paused)."""
        with self._tx() as c:
            rows = c.execute("SELECT id, reason, actor FROM pauses WHERE lifted_at IS NULL AND "
                             "(until IS NULL OR until > ?) ORDER BY id", (now,)).fetchall()
            for row in rows:
                c.execute("UPDATE pauses SET lifted_at = ?, lifted_by = ? WHERE id = ?",
                          (now, actor, row["id"]))
                lifted = c.execute("SELECT * FROM pauses WHERE id = ?", (row["id"],)).fetchone()
                self._event(c, None, None, now, None, None,
                            f"office-wide pause lifted (paused by {row['actor']}: {row['reason']})",
                            actor=actor, payload={"pauses": {str(row["id"]): pause_digest(lifted)}})
            return [dict(c.execute("SELECT * FROM pauses WHERE id = ?", (r["id"],)).fetchone()) for r in rows]

    def pauses(self) -> list[dict[str, Any]]:
        """Every pause ever issued, oldest first."""
        with self._lock:
            return [dict(r) for r in self._conn.execute("SELECT * FROM pauses ORDER BY id")]

    def _release_row(self, c: sqlite3.Connection, slug: str) -> sqlite3.Row:
        row = c.execute("SELECT id, slug, content_hash, embargo FROM releases WHERE slug = ?",
                        (slug,)).fetchone()
        if row is None:
            raise InputError(_(
                "no release '{slug}' in the delivery log (see `crosspost status`)").format(slug=slug))
        return row

    @staticmethod
    def _pick(rows: list[sqlite3.Row], channels: Collection[str] | None, slug: str) -> list[sqlite3.Row]:
        if not channels:
            return rows
        known = {r["channel"] for r in rows}
        missing = sorted(set(channels) - known)
        if missing:
            raise InputError(_(
                "'{slug}' has nothing waiting on {missing} (waiting: {value})").format(
                slug=slug, missing=', '.join(missing), value=', '.join(sorted(known)) or 'none'))
        return [r for r in rows if r["channel"] in channels]

    def _decide(self, c: sqlite3.Connection, release: sqlite3.Row, rows: list[sqlite3.Row], decision: str,
                actor: str, note: str | None, now: float) -> dict[str, Any]:
        variants = [json.loads(r["variant_json"]) for r in rows]
        cur = c.execute("INSERT INTO approvals (release_id, content_hash, decision, actor, note, at, "
                        "variants_json) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (release["id"], release["content_hash"], decision, actor, note, now, dumps(variants)))
        return dict(c.execute("SELECT * FROM approvals WHERE id = ?", (cur.lastrowid,)).fetchone())

    @staticmethod
    def _covers(approval: dict[str, Any]) -> dict[str, dict[str, str]]:
        return {"approvals": {str(approval["id"]): approval_digest(approval)}}

    def approve(self, slug: str, actor: str, now: float, note: str | None = None,
                channels: Collection[str] | None = None, expect_hash: str | None = None
                ) -> tuple[dict[str, Any], list[Delivery]]:
        """Approve what awaits approval for this release (all, or these channels): one approvals row
        with the exact variants, and each delivery queued (due now, or at its scheduled time)."""
        with self._tx() as c:
            release = self._release_row(c, slug)
            if expect_hash and not release["content_hash"].startswith(expect_hash.strip().lower()):
                raise InputError(_(
                    "'{slug}' changed since you looked at it (content hash now {content_hash}, you "
                    'expected {expect_hash}); review it again').format(
                    slug=slug, content_hash=release['content_hash'][:12], expect_hash=expect_hash))
            rows = self._select(c, "d.release_id = ? AND d.status = 'awaiting_approval'", (release["id"],))
            if not rows:
                raise InputError(_(
                    "nothing of '{slug}' awaits approval (see `crosspost status {slug}`)").format(slug=slug))
            rows = self._pick(rows, channels, slug)
            approval = self._decide(c, release, rows, "approved", actor, note, now)
            for row in rows:
                due = max(row["not_before"], now)
                self._move(c, row, "queued", now, f"approved by {actor}" + (f": {note}" if note else ""),
                           actor=actor, payload=self._covers(approval), not_before=due,
                           scheduled_at=max(row["scheduled_at"] or now, now), deadline=None)
            ids = [r["id"] for r in rows]
        return approval, [d for d in (self.delivery(i) for i in ids) if d]

    def reject(self, slug: str, actor: str, reason: str, now: float, channels: Collection[str] | None = None
               ) -> tuple[dict[str, Any], list[Delivery]]:
        """Withdraw a release: everything not yet sent (awaiting, queued or failed) is cancelled as
        rejected, so `retry` refuses it until the release is edited and published again."""
        with self._tx() as c:
            release = self._release_row(c, slug)
            rows = self._select(c, "d.release_id = ? AND d.status IN "
                                "('awaiting_approval', 'queued', 'failed')", (release["id"],))
            if not rows:
                raise InputError(_(
                    "nothing of '{slug}' is waiting to be sent, so there is nothing to reject (see "
                    '`crosspost status {slug}`)').format(slug=slug))
            rows = self._pick(rows, channels, slug)
            approval = self._decide(c, release, rows, "rejected", actor, reason, now)
            for row in rows:
                self._move(c, row, "cancelled", now, f"rejected by {actor}: {reason}", actor=actor,
                           payload=self._covers(approval), error_kind="rejected",
                           last_error=f"rejected by {actor}: {reason}")
            ids = [r["id"] for r in rows]
        return approval, [d for d in (self.delivery(i) for i in ids) if d]

    def approvals(self, slug: str) -> list[dict[str, Any]]:
        """Every approval and rejection of this release, oldest first (variants_json decoded)."""
        with self._lock:
            rows = self._conn.execute("SELECT a.* FROM approvals a JOIN releases r ON r.id = a.release_id "
                                      "WHERE r.slug = ? ORDER BY a.id", (slug,)).fetchall()
        return [{**dict(r), "variants": json.loads(r["variants_json"] or "[]")} for r in rows]

    def recheck_approval(self, release_id: int, variants: list[Variant], awaiting: Collection[str],
                         now: float) -> tuple[list[Delivery], list[Delivery]]:
        """After a (re)publish of a release under approval: every unsent delivery of an approval
        channel must carry an approval of the release's *current* content hash. Queued ones approved
        for another hash, and ones rejected for another hash, go back to awaiting_approval with the
        new variant; awaiting ones get the new variant. Returns (sent back for approval, still rejected)."""
        back: list[int] = []
        rejected: list[int] = []
        with self._tx() as c:
            current = c.execute("SELECT content_hash FROM releases WHERE id = ?", (release_id,)).fetchone()[0]
            decided: dict[str, tuple[str, str, str]] = {}  # channel -> (decision, hash, actor), latest wins
            for a in c.execute("SELECT decision, content_hash, actor, variants_json FROM approvals "
                               "WHERE release_id = ? ORDER BY id", (release_id,)):
                for v in json.loads(a["variants_json"] or "[]"):
                    decided[v.get("channel", "")] = (a["decision"], a["content_hash"], a["actor"])
            for v in variants:
                if v.channel not in awaiting:
                    continue
                rows = self._select(c, "d.release_id = ? AND d.channel = ?", (release_id, v.channel))
                if not rows:
                    continue
                row, text = rows[0], variant_to_json(v)
                decision, approved_hash, by = decided.get(v.channel, ("", "", ""))
                if row["status"] == "awaiting_approval" and row["variant_json"] != text:
                    self._move(c, row, "awaiting_approval", now, "the release was edited while awaiting "
                               "approval; the new version awaits approval", variant_json=text)
                elif row["status"] == "queued" and (decision != "approved" or approved_hash != current):
                    why = (f"the release changed after {by} approved it" if decision == "approved"
                           else "approval is required and this version was never approved")
                    self._move(c, row, "awaiting_approval", now, f"{why}; it needs approval again",
                               variant_json=text)
                    back.append(row["id"])
                elif row["status"] == "cancelled" and row["error_kind"] == "rejected":
                    if approved_hash == current and decision == "rejected":
                        rejected.append(row["id"])
                    else:
                        self._move(c, row, "awaiting_approval", now, "edited after it was rejected; the "
                                   "new version awaits approval", variant_json=text, error_kind=None,
                                   last_error=None)
                        back.append(row["id"])
        return ([d for d in (self.delivery(i) for i in back) if d],
                [d for d in (self.delivery(i) for i in rejected) if d])

    # -- inbox and metrics (issue 14; a PostgreSQL store mirrors exactly these methods) -----------
    # Replies are personal data (UU 27/2022): only these methods read or write them, the audit
    # export gets counts (inbox_counts), and purge_replies deletes them after [inbox] keep_days.
    _TARGETS = ("SELECT d.id AS delivery_id, d.release_id, r.slug, d.channel, d.kind, d.remote_id, d.url, "
                "d.receipt_json, d.sent_at, c.newest_at, c.cursor, c.gone "
                "FROM deliveries d JOIN releases r ON r.id = d.release_id "
                "LEFT JOIN reply_cursors c ON c.delivery_id = d.id "
                "WHERE d.status = 'sent' AND d.remote_id IS NOT NULL AND d.remote_id != '' "
                "AND d.sent_at >= ?")

    def engagement_targets(self, sent_since: float, channels: Collection[str] | None = None
                           ) -> list[dict[str, Any]]:
        """Sent posts younger than the window (``sent_at >= sent_since``), oldest first, each with
        its receipt and its reply cursor (newest reply time seen, the platform's marker, gone)."""
        sql, args = self._TARGETS + self._scope("d"), [sent_since, *(channels or ())]
        if channels is not None:
            sql += f" AND d.channel IN ({', '.join('?' * len(channels))})"
        rows = self._all(sql + " ORDER BY d.sent_at, d.id", tuple(args))
        for row in rows:
            raw = row.pop("receipt_json")
            row["receipt"] = receipt_from_json(raw) if raw else Receipt(row["remote_id"], row["url"])
            row["gone"] = bool(row["gone"])
        return rows

    def save_replies(self, delivery_id: int, platform: str, replies: list[dict[str, Any]], now: float,
                     *, cursor: str | None = None, note: str | None = None, gone: bool = False) -> int:
        """Store a fetch's replies (a reply already stored, by platform and platform id, is kept as
        it is: its handling stays) and move the post's cursor, in one transaction. Returns how many
        replies were new. Each reply: platform_id, author, text, created_at, kind, parent_id, url."""
        with self._tx() as c:
            row = c.execute("SELECT release_id, channel FROM deliveries WHERE id = ?",
                            (delivery_id,)).fetchone()
            if row is None:
                raise StoreError(_("no delivery #{id}").format(id=delivery_id))
            # Portable SQL (SQLite >= 3.24 and PostgreSQL): ON CONFLICT DO NOTHING skips a stored
            # reply, and executemany's rowcount is the sum over its rows (sqlite3 and psycopg 3 both),
            # so it counts the rows inserted, not the ones skipped.
            added = 0
            if replies:
                added = c.executemany(
                    "INSERT INTO replies (delivery_id, release_id, channel, platform, platform_id, "
                    "parent_id, author, text, url, created_at, fetched_at, kind) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (platform, platform_id) DO NOTHING",
                    [(delivery_id, row["release_id"], row["channel"], platform, str(r["platform_id"]),
                      r.get("parent_id"), r.get("author") or "", r.get("text") or "", r.get("url"),
                      float(r["created_at"]), now, r["kind"]) for r in replies]).rowcount
            newest = max((float(r["created_at"]) for r in replies), default=None)
            # the newest reply time only moves forward, and gone stays gone (CASE: SQLite's two-argument
            # max() is GREATEST() on PostgreSQL)
            c.execute(
                "INSERT INTO reply_cursors (delivery_id, newest_at, cursor, fetched_at, note, gone) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (delivery_id) DO UPDATE SET "
                "newest_at = CASE WHEN excluded.newest_at IS NULL OR reply_cursors.newest_at > "
                "excluded.newest_at THEN reply_cursors.newest_at ELSE excluded.newest_at END, "
                "cursor = COALESCE(excluded.cursor, reply_cursors.cursor), fetched_at = excluded.fetched_at, "
                "note = excluded.note, gone = CASE WHEN excluded.gone > reply_cursors.gone "
                "THEN excluded.gone ELSE reply_cursors.gone END",
                (delivery_id, newest, cursor, now, note, int(gone)))
        return added

    _REPLY_COLUMNS = ("SELECT p.id, p.delivery_id, p.release_id, r.slug AS release, r.title, p.channel, "
                      "p.platform, p.platform_id, p.parent_id, p.author, p.text, p.url, d.url AS post_url, "
                      "p.created_at, p.fetched_at, p.kind, p.handled_at, p.handled_by, p.handled_note "
                      "FROM replies p JOIN releases r ON r.id = p.release_id "
                      "JOIN deliveries d ON d.id = p.delivery_id")

    def replies(self, *, kinds: Collection[str] | None = None, release: str | None = None,
                channel: str | None = None, since: float | None = None, open_only: bool = False,
                limit: int | None = None) -> list[dict[str, Any]]:
        """Stored replies, newest first, filtered (a release includes its corrections' posts)."""
        where: list[str] = ["1"]
        args: list[Any] = []
        if kinds is not None:
            where.append(f"p.kind IN ({', '.join('?' * len(kinds))})")
            args.extend(kinds)
        if release is not None:
            where.append(_FAMILY)
            args.extend([release, release])
        if channel is not None:
            where.append("p.channel = ?")
            args.append(channel)
        if since is not None:
            where.append("p.created_at >= ?")
            args.append(since)
        if open_only:
            where.append("p.handled_at IS NULL")
        scope = self._scope("p")
        if scope:  # another office's replies are its own to read
            where.append(scope.removeprefix(" AND "))
        tail = " ORDER BY p.created_at DESC, p.id DESC" + (f" LIMIT {int(limit)}" if limit else "")
        return self._all(f"{self._REPLY_COLUMNS} WHERE {' AND '.join(where)}{tail}", tuple(args))

    def reply(self, reply_id: int) -> dict[str, Any] | None:
        rows = self._all(f"{self._REPLY_COLUMNS} WHERE p.id = ?{self._scope('p')}", (reply_id,))
        return rows[0] if rows else None

    def mark_reply_done(self, reply_id: int, by: str, now: float, note: str | None = None) -> dict[str, Any]:
        """Mark one reply handled by ``by``; the event log records who and when (not the reply's
        author or text). Marking it again replaces the earlier handling."""
        with self._tx() as c:
            row = c.execute("SELECT id, release_id, kind, handled_at FROM replies WHERE id = ?"
                            + self._scope("replies"), (reply_id,)).fetchone()
            if row is None:
                raise InputError(_("no reply #{id} in the inbox (see `crosspost inbox`)").format(id=reply_id))
            c.execute("UPDATE replies SET handled_at = ?, handled_by = ?, handled_note = ? WHERE id = ?",
                      (now, by, note, reply_id))
            again = " (again)" if row["handled_at"] is not None else ""
            self._event(c, None, row["release_id"], now, None, None,
                        f"inbox: reply #{reply_id} ({row['kind']}) handled{again}", actor=by)
        found = self.reply(reply_id)
        assert found is not None
        return found

    def purge_replies(self, before: float, now: float) -> int:
        """Delete replies created before ``before`` (personal data past [inbox] keep_days); the
        event log records how many, nothing about them."""
        with self._tx() as c:
            n = c.execute("DELETE FROM replies WHERE created_at < ?" + self._scope("replies"),
                          (before,)).rowcount
            if n:
                self._event(c, None, None, now, None, None,
                            f"inbox: purged {n} reply(ies) created before {before:.0f} (keep_days)")
        return n

    def save_metrics(self, snapshots: list[tuple[int, dict[str, float]]], now: float) -> int:
        """One snapshot per (delivery id, figures), all taken at ``now``."""
        with self._tx() as c:
            c.executemany("INSERT INTO metric_snapshots (delivery_id, fetched_at, metrics_json) "
                          "VALUES (?, ?, ?)", [(d, now, json.dumps(m, sort_keys=True)) for d, m in snapshots])
        return len(snapshots)

    def metric_snapshots(self, delivery_id: int) -> list[dict[str, Any]]:
        """Every snapshot of one post, oldest first, figures decoded."""
        rows = self._all("SELECT fetched_at, metrics_json FROM metric_snapshots WHERE delivery_id = ? "
                         "ORDER BY fetched_at, id", (delivery_id,))
        return [{"fetched_at": r["fetched_at"], "metrics": json.loads(r["metrics_json"])} for r in rows]

    # Posts that have figures or whose replies were read: the report reads only these rows (a year
    # of 100,000 posts without any stays one narrow scan, see engagement_counts).
    _WITH_DATA = "(SELECT delivery_id FROM metric_snapshots UNION SELECT delivery_id FROM reply_cursors)"

    def engagement_posts(self, start: float, end: float) -> list[dict[str, Any]]:
        """Posts sent in [start, end) that have figures or whose replies were read, with their
        latest figures (``metrics_json`` and when they were taken, NULL when none was fetched),
        when replies were last read (NULL: never) and their reply counts."""
        # One pass per table, merged here, instead of five correlated subqueries per post (2.0 s on
        # 100,000 posts; see bench/inbox_bench.py --report). The latest snapshot per post is the
        # first by (fetched_at, id) descending in its window (SQLite >= 3.25 and PostgreSQL): the
        # last one metric_snapshots() lists.
        # Each table is read from its own rows, the delivery found by its key (CROSS JOIN keeps that
        # order in SQLite), so a log of a million deliveries with few figures is not scanned.
        sent = ("d.id = x.delivery_id AND d.status = 'sent' AND d.sent_at >= ? AND d.sent_at < ?"
                + self._scope())
        latest = {r["delivery_id"]: r for r in self._all(
            "SELECT delivery_id, metrics_json, measured_at FROM (SELECT x.delivery_id, x.metrics_json, "
            "x.fetched_at AS measured_at, ROW_NUMBER() OVER (PARTITION BY x.delivery_id "
            "ORDER BY x.fetched_at DESC, x.id DESC) AS nth FROM metric_snapshots x CROSS JOIN deliveries d "
            f"WHERE {sent}) s WHERE nth = 1", (start, end))}
        cursors = {r["delivery_id"]: r["fetched_at"] for r in self._all(
            f"SELECT x.delivery_id, x.fetched_at FROM reply_cursors x CROSS JOIN deliveries d WHERE {sent}",
            (start, end))}
        if not latest and not cursors:
            return []
        counted = {r["delivery_id"]: r for r in self._all(
            "SELECT x.delivery_id, COUNT(*) AS replies, "
            "COUNT(CASE WHEN x.kind = 'aduan' THEN 1 END) AS aduan, "
            "COUNT(CASE WHEN x.kind = 'pertanyaan' THEN 1 END) AS pertanyaan FROM replies x "
            f"CROSS JOIN deliveries d WHERE {sent} GROUP BY x.delivery_id", (start, end))}
        none = {"metrics_json": None, "measured_at": None}
        zero = {"replies": 0, "aduan": 0, "pertanyaan": 0}
        out = []
        for row in self._all(
                "SELECT d.id AS delivery_id, d.channel, d.kind, d.url, d.sent_at, r.slug, r.title, r.section "
                "FROM deliveries d JOIN releases r ON r.id = d.release_id "
                "WHERE d.id IN (SELECT value FROM json_each(?)) ORDER BY d.sent_at, d.id",
                (json.dumps(sorted(set(latest) | set(cursors))),)):
            d = row["delivery_id"]
            m, n = latest.get(d, none), counted.get(d, zero)
            out.append({**row, "metrics_json": m["metrics_json"], "measured_at": m["measured_at"],
                        "replies_fetched_at": cursors.get(d), "replies": n["replies"], "aduan": n["aduan"],
                        "pertanyaan": n["pertanyaan"]})
        return out

    def engagement_counts(self, start: float, end: float) -> dict[str, Any]:
        """Posts sent in [start, end): by channel and section (``groups``: channel, section, n), and
        per release for the releases engagement_posts returns anything of (``releases``: slug -> n)."""
        if self.aggregates and not self._scope():  # whole days from report_sent (crosspost.aggregates)
            groups = self._sent_groups(start, end)
        else:
            groups = self._all(
                "SELECT d.channel, r.section, COUNT(*) AS n FROM deliveries d JOIN releases r "
                "ON r.id = d.release_id WHERE d.status = 'sent' AND d.sent_at >= ? AND d.sent_at < ?"
                f"{self._scope()} GROUP BY d.channel, r.section",
                (start, end))
        releases = self._all(
            "SELECT r.slug, COUNT(*) AS n FROM deliveries d JOIN releases r ON r.id = d.release_id "
            f"WHERE d.status = 'sent' AND d.sent_at >= ? AND d.sent_at < ?{self._scope()} "
            "AND d.release_id IN "
            f"(SELECT x.release_id FROM deliveries x WHERE x.id IN {self._WITH_DATA}) GROUP BY r.slug",
            (start, end))
        return {"groups": groups, "releases": {r["slug"]: r["n"] for r in releases}}

    def _sent_groups(self, start: float, end: float) -> list[dict[str, Any]]:
        """Sent posts by channel and section for [start, end): whole UTC days from ``report_sent``,
        the part-days (a period in WIB starts at 17:00 UTC) through the partial index of sent rows."""
        (d_lo, d_hi), _skip, raw = aggregates.split(start, end, aggregates.DAY)
        return self._summed(
            ("SELECT channel, section, SUM(n) AS n FROM report_sent WHERE day >= ? AND day < ? "
             "GROUP BY 1, 2", (d_lo, d_hi)),
            *(("SELECT d.channel, r.section, COUNT(*) AS n FROM deliveries d INDEXED BY deliveries_sent_at "
               "JOIN releases r ON r.id = d.release_id WHERE d.status = 'sent' AND d.sent_at >= ? "
               "AND d.sent_at < ? GROUP BY 1, 2", part) for part in raw))  # one range each: an OR scans

    def handling_times(self, start: float, end: float, kind: str = "aduan") -> list[dict[str, Any]]:
        """Replies of ``kind`` on posts sent in [start, end) that were handled: channel, section,
        slug and seconds from the reply to its handling (the report's median)."""
        return self._all(
            "SELECT p.channel, r.section, r.slug, p.handled_at - p.created_at AS seconds FROM replies p "
            "JOIN deliveries d ON d.id = p.delivery_id JOIN releases r ON r.id = p.release_id "
            "WHERE p.kind = ? AND p.handled_at IS NOT NULL AND d.sent_at >= ? AND d.sent_at < ?"
            f"{self._scope()}",
            (kind, start, end))

    def inbox_counts(self, release_ids: Collection[int]) -> dict[int, dict[str, int]]:
        """Per release: replies by kind and how many are handled; counts only, never who wrote them
        (what the audit export carries)."""
        out: dict[int, dict[str, int]] = {}
        for r in self._all("SELECT release_id, kind, COUNT(*) AS n, COUNT(handled_at) AS handled "
                           "FROM replies WHERE release_id IN (SELECT value FROM json_each(?)) "
                           "GROUP BY release_id, kind",
                           (json.dumps(list(release_ids)),)):
            counts = out.setdefault(r["release_id"], {"replies": 0, "handled": 0})
            counts[r["kind"]] = r["n"]
            counts["replies"] += r["n"]
            counts["handled"] += r["handled"]
        return out

    # -- handles people can type ----------------------------------------------------------------
    def release_slugs(self, prefix: str = "", release_id: int | None = None, limit: int = 20) -> list[str]:
        """Slugs starting with ``prefix`` (or the one of ``release_id``), for handles and completion."""
        with self._lock:
            if release_id is not None:
                rows = self._conn.execute("SELECT slug FROM releases WHERE id = ?", (release_id,)).fetchall()
            else:
                escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                rows = self._conn.execute("SELECT slug FROM releases WHERE slug LIKE ? ESCAPE '\\' "
                                          "ORDER BY slug LIMIT ?", (escaped + "%", limit)).fetchall()
        return [r[0] for r in rows]

    def release_handles(self, incomplete: str = "", limit: int = 50) -> list[tuple[str, str]]:
        """(slug, "#id title") of the releases whose slug starts with ``incomplete``, newest first;
        ``#1`` or ``1`` offers the release numbers that start so (shell completion)."""
        digits = incomplete.removeprefix("#")
        with self._lock:
            if digits.isdigit():
                rows = self._conn.execute("SELECT id, slug, title FROM releases "
                                          "WHERE CAST(id AS TEXT) LIKE ? ORDER BY id DESC LIMIT ?",
                                          (digits + "%", limit)).fetchall()
                mark = "#" if incomplete.startswith("#") else ""  # a completion must start as typed
                return [(f"{mark}{r[0]}", f"{r[1]}: {r[2]}") for r in rows]
            escaped = incomplete.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            rows = self._conn.execute("SELECT id, slug, title FROM releases WHERE slug LIKE ? ESCAPE '\\' "
                                      "ORDER BY id DESC LIMIT ?", (escaped + "%", limit)).fetchall()
        return [(r[1], f"#{r[0]} {r[2]}") for r in rows]


def _refuse_other_release(release: Release, stored: dict[str, Any]) -> None:
    """Two releases under one slug are a mistake, not a republish: another number, or (without
    numbers on both) another title, is refused before the stored row could be overwritten."""
    new_no, old_no = (release.number or "").strip(), (stored.get("number") or "").strip()
    if new_no and old_no:
        if title_key(new_no) == title_key(old_no):
            return
        raise InputError(_("the log already holds release number {old} as '{slug}'; this is number {new}: "
                           "give it its own slug: in the front matter").format(
            old=old_no, new=new_no, slug=release.slug))
    if title_key(release.title) != title_key(stored.get("title") or ""):
        raise InputError(_("the log already holds another release as '{slug}' (\"{title}\"): give this "
                           "one its own slug: (or number:) in the front matter").format(
            slug=release.slug, title=stored.get("title", "")))


class EngagementStore(Protocol):
    """The inbox and metrics part of a store (issue 14): what `crosspost inbox`, `crosspost metrics`
    and the report's engagement figures call. A PostgreSQL store implements these too, and runs
    tests/test_inbox_store.py through conftest.STORE_FACTORIES."""

    def engagement_targets(self, sent_since: float, channels: Collection[str] | None = None
                           ) -> list[dict[str, Any]]: ...
    def save_replies(self, delivery_id: int, platform: str, replies: list[dict[str, Any]], now: float,
                     *, cursor: str | None = None, note: str | None = None, gone: bool = False) -> int: ...
    def replies(self, *, kinds: Collection[str] | None = None, release: str | None = None,
                channel: str | None = None, since: float | None = None, open_only: bool = False,
                limit: int | None = None) -> list[dict[str, Any]]: ...
    def reply(self, reply_id: int) -> dict[str, Any] | None: ...
    def mark_reply_done(self, reply_id: int, by: str, now: float,
                        note: str | None = None) -> dict[str, Any]: ...
    def purge_replies(self, before: float, now: float) -> int: ...
    def save_metrics(self, snapshots: list[tuple[int, dict[str, float]]], now: float) -> int: ...
    def metric_snapshots(self, delivery_id: int) -> list[dict[str, Any]]: ...
    def engagement_posts(self, start: float, end: float) -> list[dict[str, Any]]: ...
    def engagement_counts(self, start: float, end: float) -> dict[str, Any]: ...
    def handling_times(self, start: float, end: float, kind: str = "aduan") -> list[dict[str, Any]]: ...
    def inbox_counts(self, release_ids: Collection[int]) -> dict[int, dict[str, int]]: ...
