"""`crosspost db migrate --to postgresql://...`: an office's SQLite log, moved to PostgreSQL.

Everything is copied as it is, ids and hashes included (releases, deliveries, events,
approvals, pauses, the min_interval slots, the inbox's replies with their handling and reply
cursors, the posts' metric snapshots, and the log's identity in ``meta``), in ONE
PostgreSQL transaction that recomputes the whole hash chain on the rows as they arrived, and
commits only when it matches the source's head and covers every approval, pause and delivery
text: a log that arrives changed is never left behind. Nothing is queued again and nothing is
re-sent: a sent delivery stays sent with its link, a queued one stays queued. Because the log's
id (``meta.database_id``) comes along, the markers beside the site and in the state folder keep
matching once ``database`` points at PostgreSQL.

The releases of a one-office log (office NULL) arrive as the migrating office's own when
``[office] id`` is set, so a second office sharing the PostgreSQL log later never sees them.

Refused: a target that already holds releases, deliveries or events (never merged into), and a
source with a delivery in flight (``sending``: a worker is mid-send; stop cron and wait).
"""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass
from typing import Any

from .audit import verify_chain
from .errors import InputError, StoreError
from .i18n import _
from .store import Store

# Parents before children (foreign keys); events last.
TABLES = ("releases", "deliveries", "approvals", "pauses", "channel_slots", "replies", "reply_cursors",
          "metric_snapshots")
IDENTITY = ("releases", "deliveries", "approvals", "pauses", "replies", "metric_snapshots")


@dataclass(frozen=True)
class Moved:
    """What was copied, and the chain as verified on arrival."""

    counts: dict[str, int]
    head: str | None
    events: int
    database_id: str

    def as_dict(self) -> dict[str, Any]:
        return {"copied": self.counts, "chain_head": self.head, "events_verified": self.events,
                "database_id": self.database_id}


def _columns(target: Any, table: str) -> list[str]:
    rows = target._conn.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = "
                                "current_schema() AND table_name = ? ORDER BY ordinal_position",
                                (table,)).fetchall()
    return [r[0] for r in rows]


def migrate(source: Store, target: Any, office: str | None = None) -> Moved:
    """Copy ``source`` (SQLite) into the empty ``target`` (a PostgresStore) and verify it there;
    ``office`` (``[office] id``) adopts the releases that belong to no office yet."""
    busy = source.deliveries(status="sending")
    if busy:
        raise InputError(_("{n} delivery(ies) are being sent right now (e.g. #{id}); stop `crosspost run` "
                           "(cron) and wait until none is sending, then migrate").format(
            n=len(busy), id=busy[0].id))
    source_head = source.audit_chain_head()
    meta = source.meta()
    counts: dict[str, int] = {}
    with target._tx() as c:
        for table in ("releases", "deliveries", "events"):
            if c.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():
                raise InputError(_("the target {url} already holds a delivery log ({table} is not empty); "
                                   "migrate only into a new, empty database or schema").format(
                    url=target.path, table=table))
        for table in TABLES:
            have = set(_columns(target, table))
            rows = source._all(f"SELECT * FROM {table} ORDER BY 1")
            if rows:
                cols = [k for k in rows[0] if k in have]
                missing = sorted(set(rows[0]) - have)
                if missing:
                    raise StoreError(_("the target has no column(s) {cols} for {table}; upgrade crosspost "
                                       "where the target was created").format(cols=", ".join(missing),
                                                                              table=table))
                with c.raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row([row[k] for k in cols])
            counts[table] = len(rows)
        cols = ["id", "at", "delivery_id", "release_id", "from_status", "to_status", "detail", "actor",
                "hash", "payload"]
        n = 0
        with closing(source.audit_chain_rows()) as events, c.raw.cursor() as cur, \
                cur.copy(f"COPY events ({', '.join(cols)}) FROM STDIN") as copy:
            for event in events:
                copy.write_row([event[k] for k in cols])
                n += 1
        counts["events"] = n
        if office:  # not in the chain: a release's office is where it is read, not what was sent
            c.execute("UPDATE releases SET office = ? WHERE office IS NULL", (office,))
        c.execute("DELETE FROM meta")
        for key, value in sorted(meta.items()):
            c.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, value))
        for table in IDENTITY:
            c.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                      f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)")
        # The chain, recomputed on what arrived, inside this transaction (it commits only if it holds)
        arrived = c.execute("SELECT id, at, delivery_id, release_id, from_status, to_status, detail, actor, "
                            "hash, payload FROM events ORDER BY id").fetchall()
        check = verify_chain(arrived, source_head, meta, list(target.audit_covered_rows()))
        if not check.ok or check.head != source_head:
            raise StoreError(_("the copy does not verify ({problem}); nothing was written to {url}").format(
                problem=check.problem or _("another chain head"), url=target.path))
    return Moved(counts, check.head, check.events, meta.get("database_id", ""))
