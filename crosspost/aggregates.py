"""Report aggregates: what `crosspost report` reads instead of scanning a year of deliveries.

Small tables, kept by SQLite triggers on ``deliveries`` (and ``releases.section``), so they
change in the same transaction as the state change that moves them, whoever writes: the store,
a migration, a bulk load, a repair by hand in the sqlite3 shell. ``store.py`` runs the SQL; this
module only holds its text and the arithmetic on what comes back (no sqlite3 here).

* ``report_counts`` deliveries by UTC day (``span`` 24) and UTC hour (``span`` 1) of their due
  time, channel, section and status (a delivery in flight, ``sending``, counted as ``queued``:
  ``counted``). Hours for the days a week starts in: the report's weeks start on local Mondays
  00:00, 17:00 UTC in WIB, always on a Sunday or a Monday UTC (``hours_kept``), and every
  whole-hour zone (all of Indonesia's) lands on an hour boundary. ``start`` is the bucket's first
  hour (hours since the epoch).
* ``report_waits`` sent deliveries' waiting time (sent_at - due) rounded to the second, by UTC
  day of the due time (``span`` 1) and by 30-day block (``span`` 30), channel and section: the
  median and p90 come out exact to the second (within 0.5 s) from a few thousand rows.
* ``report_causes`` failed and unknown deliveries by UTC day, channel, status, error kind and
  raw message (the report normalises the message in Python).
* ``report_release_days`` which releases had a delivery due on which UTC day, the release's
  first such day marked, and ``report_release_firsts`` releases by first day and section: the
  count of distinct releases (once however many of their deliveries fall in the period) is the
  firsts in the period plus the few releases that started before it.
* ``report_sent`` sent deliveries by UTC day of their *sending*, channel and section: the reach
  and engagement figures count posts by when they went out (a later migration: SENT_MIGRATION).

Periods whose bounds fall inside a bucket (a report from 08:00, a zone at UTC+5:30) read the
part-buckets from ``deliveries`` itself, through the index on the due time (on the sending time
for ``report_sent``): the figures are always exact, the aggregates only make the whole buckets
cheap. Whole buckets are read as signed primary-key ranges (``wait_ranges``, ``cut_day``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

HOUR, DAY, BLOCK_DAYS = 3600, 86400, 30
# the statements of MIGRATION that build the aggregates from the deliveries already in the log
BUILD = ("INSERT INTO report_", "UPDATE report_release_days AS x")


def due(p: str) -> str:
    """The due-time expression (the report's definition), for row alias or trigger row ``p``
    (empty: bare column names, as an index expression must have them)."""
    p = f"{p}." if p else ""
    return f"MAX({p}queued_at, COALESCE({p}scheduled_at, {p}queued_at))"


def _wait(p: str) -> str:
    return f"CAST(ROUND(MAX(0.0, COALESCE({p}.sent_at, {due(p)}) - {due(p)})) AS INTEGER)"


def _section(p: str) -> str:
    return f"(SELECT section FROM releases WHERE id = {p}.release_id)"


def _upsert(table: str, cols: dict[str, str], n: str, where: str, key: str = "") -> str:
    keys = ", ".join(cols)
    return (f"INSERT INTO {table} ({keys}, n) SELECT {', '.join(cols.values())}, {n} WHERE {where} "
            f"ON CONFLICT ({key or keys}) DO UPDATE SET n = n + excluded.n;")


def counted(p: str) -> str:
    """The status ``report_counts`` keeps for row ``p``: a delivery in flight (``sending``) counts as
    ``queued``. The report tells them apart nowhere (both are "other"), `status` reads the few
    sending rows from the deliveries (Store.status_counts), and so a claim, the engine's most
    frequent change, and a lease that ran out move no count (issue 18: 4 upserts a delivery)."""
    p = f"{p}." if p else ""
    return f"CASE {p}status WHEN 'sending' THEN 'queued' ELSE {p}status END"


# UTC days whose hours report_counts keeps (days since the epoch, a Thursday, modulo 7): Sunday and
# Monday. A report's week starts on Monday 00:00 local, which is Sunday 10:00 UTC at UTC+14 and
# Monday 12:00 UTC at UTC-12: always one of these two days, DST included. An hour of another day a
# report needs (a period starting or ending mid-day) is read from the deliveries themselves.
HOUR_WEEKDAYS = (3, 4)


def hours_kept(day: int) -> bool:
    """Whether report_counts holds the hours of UTC ``day`` (days since the epoch)."""
    return day % 7 in HOUR_WEEKDAYS


def hours_by_kept(ranges: Iterable[tuple[float, float]]
                  ) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Hour ranges [lo, hi) (hours since the epoch) cut at day boundaries into the runs whose hours
    report_counts keeps and the runs it does not (those are read from the deliveries)."""
    kept: list[tuple[int, int]] = []
    other: list[tuple[int, int]] = []
    for lo, hi in ranges:
        h = int(lo)
        while h < hi:
            end = min(int(hi), (h // 24 + 1) * 24)
            (kept if hours_kept(h // 24) else other).append((h, end))
            h = end
    return [(int(a), int(b)) for a, b in _merged(kept)], [(int(a), int(b)) for a, b in _merged(other)]


def _kept_hour(p: str) -> str:
    """SQL: whether the hour of row ``p``'s due time is one report_counts keeps (hours_kept)."""
    return f"CAST({due(p)} / {DAY} AS INTEGER) % 7 IN ({', '.join(map(str, HOUR_WEEKDAYS))})"


def _counts(p: str, n: str) -> str:
    hour = f"CAST({due(p)} / {HOUR} AS INTEGER)"
    cols = {"channel": f"{p}.channel", "section": _section(p), "status": counted(p)}
    return "\n".join(_upsert("report_counts", {"span": str(span), "start": f"{hour} / {span} * {span}",
                                               **cols}, n, where)
                     for span, where in ((1, _kept_hour(p)), (24, "1")))


def _waits(p: str, n: str) -> str:
    day = f"CAST({due(p)} / {DAY} AS INTEGER)"
    cols = {"channel": f"{p}.channel", "section": _section(p), "second": _wait(p)}
    return (_upsert("report_waits", {"span": "1", "start": day, **cols}, n, f"{p}.status = 'sent'") + "\n"
            + _upsert("report_waits", {"span": str(BLOCK_DAYS),
                                       "start": f"{day} / {BLOCK_DAYS} * {BLOCK_DAYS}",
                                       **cols}, n, f"{p}.status = 'sent'"))


def _causes(p: str, n: str) -> str:
    return _upsert("report_causes", {"day": f"CAST({due(p)} / {DAY} AS INTEGER)", "channel": f"{p}.channel",
                                     "status": f"{p}.status", "error_kind": f"COALESCE({p}.error_kind, '')",
                                     "last_error": f"COALESCE({p}.last_error, '')"}, n,
                   f"{p}.status IN ('failed', 'unknown')")


def _release_day(p: str, n: str) -> str:
    """A delivery leaving its release's due day (``n`` -1): the day's row counts one less, goes
    when none is left, and the release's marks are recomputed (its first day may have gone)."""
    day = f"CAST({due(p)} / {DAY} AS INTEGER)"
    return (_upsert("report_release_days", {"day": day, "release_id": f"{p}.release_id",
                                            "section": _section(p)}, n, "1", "day, release_id")
            + f"\nDELETE FROM report_release_days WHERE day = {day} AND release_id = {p}.release_id "
            "AND n <= 0;"
            + f"\n{_FIRST.format(release=f'{p}.release_id')};")


def _release_day_added(p: str) -> str:
    """A delivery joining its release's due day, with the release's marks right before it: a day
    already there keeps its mark; a new day is first when no earlier one exists (and takes the mark
    from a later one: _later_days_unmarked). One statement where the full recomputation took three
    (issue 18: the insert trigger was most of a delivery INSERT's time), and the usual new release
    never enters report_release_days_later only to leave it at once (a page less written a release).
    VALUES, not INSERT ... SELECT: SQLite writes a SELECT's rows through a temporary b-tree when the
    target table has triggers (insert.c, useTempTable), and report_release_days has them."""
    day = f"CAST({due(p)} / {DAY} AS INTEGER)"
    release = f"{p}.release_id"
    first = f"NOT EXISTS (SELECT 1 FROM report_release_days WHERE release_id = {release} AND day < {day})"
    return (f"INSERT INTO report_release_days (day, release_id, section, first, n) VALUES ({day}, {release}, "
            f"{_section(p)}, {first}, 1) ON CONFLICT (day, release_id) DO UPDATE SET n = n + excluded.n;")


def _later_day(p: str) -> str:
    """Whether the release of row ``p`` has a due day after that row's (then that day loses its mark)."""
    return (f"EXISTS (SELECT 1 FROM report_release_days WHERE release_id = {p}.release_id "
            f"AND day > CAST({due(p)} / {DAY} AS INTEGER))")


def _later_days_unmarked(p: str) -> str:
    return (f"UPDATE report_release_days SET first = 0 WHERE release_id = {p}.release_id "
            f"AND day > CAST({due(p)} / {DAY} AS INTEGER) AND first = 1;")


# ``first`` marks a release's earliest due day: the releases of whole days [lo, hi) are the rows
# marked first in it plus the releases that started before lo (few: a channel scheduled days later).
_FIRST = ("UPDATE report_release_days SET first = (day = (SELECT MIN(day) FROM report_release_days "
          "WHERE release_id = {release})) WHERE release_id = {release}")


def _firsts(p: str, n: str) -> str:
    return _upsert("report_release_firsts", {"day": f"{p}.day", "section": f"{p}.section"}, n,
                   f"{p}.first = 1")


def _changed(*cols: str) -> str:
    return " OR ".join(f"old.{c} IS NOT new.{c}" for c in cols)


_DUE_MOVED = f"{due('old')} IS NOT {due('new')}"

# Migration (store.MIGRATIONS): tables, the indexes that make `status SLUG` and the report's
# part-buckets fast, the aggregates built from the log as it is, then the triggers.
MIGRATION: list[str] = [
    "CREATE TABLE report_counts (span INTEGER NOT NULL, start INTEGER NOT NULL, channel TEXT NOT NULL, "
    "section TEXT NOT NULL, status TEXT NOT NULL, n INTEGER NOT NULL, "
    "PRIMARY KEY (span, start, channel, section, status)) WITHOUT ROWID",
    "CREATE TABLE report_waits (span INTEGER NOT NULL, start INTEGER NOT NULL, channel TEXT NOT NULL, "
    "section TEXT NOT NULL, second INTEGER NOT NULL, n INTEGER NOT NULL, "
    "PRIMARY KEY (span, start, channel, section, second)) WITHOUT ROWID",
    "CREATE TABLE report_causes (day INTEGER NOT NULL, channel TEXT NOT NULL, status TEXT NOT NULL, "
    "error_kind TEXT NOT NULL, last_error TEXT NOT NULL, n INTEGER NOT NULL, "
    "PRIMARY KEY (day, channel, status, error_kind, last_error)) WITHOUT ROWID",
    "CREATE TABLE report_release_days (day INTEGER NOT NULL, release_id INTEGER NOT NULL, "
    "section TEXT NOT NULL, n INTEGER NOT NULL, first INTEGER NOT NULL DEFAULT 0, "
    "PRIMARY KEY (day, release_id)) WITHOUT ROWID",
    "CREATE INDEX report_release_days_release ON report_release_days(release_id, day)",
    "CREATE TABLE report_release_firsts (day INTEGER NOT NULL, section TEXT NOT NULL, n INTEGER NOT NULL, "
    "PRIMARY KEY (day, section)) WITHOUT ROWID",
    "CREATE INDEX report_release_days_later ON report_release_days(day) WHERE first = 0",
    # the report's part-buckets (and any period query) by due time
    f"CREATE INDEX deliveries_due_at ON deliveries({due('')})",
    # `status SLUG`: a release's corrections (ralat) without reading every release
    "CREATE INDEX releases_corrects ON releases(corrects) WHERE corrects IS NOT NULL",
    # `status` and `doctor`: the unknowns lookup gave up on, without reading every unknown
    "CREATE INDEX deliveries_unsettled ON deliveries(id) "
    "WHERE status = 'unknown' AND error_kind = 'unsettled'",
    # built from the log as it is (store.py runs these only when it holds deliveries: a query
    # here would let close()'s PRAGMA optimize analyse an empty log)
    *(f"INSERT INTO report_counts SELECT {span}, CAST({due('d')} / {HOUR} AS INTEGER) / {span} * {span}, "
      f"d.channel, r.section, {counted('d')}, COUNT(*) FROM deliveries d "
      "JOIN releases r ON r.id = d.release_id "
      f"WHERE {where} GROUP BY 1, 2, 3, 4, 5" for span, where in ((1, _kept_hour('d')), (24, "1"))),
    *(f"INSERT INTO report_waits SELECT {span}, CAST({due('d')} / {DAY} AS INTEGER) / {span} * {span}, "
      f"d.channel, r.section, {_wait('d')}, COUNT(*) FROM deliveries d "
      "JOIN releases r ON r.id = d.release_id "
      "WHERE d.status = 'sent' GROUP BY 1, 2, 3, 4, 5" for span in (1, BLOCK_DAYS)),
    f"INSERT INTO report_causes SELECT CAST({due('d')} / {DAY} AS INTEGER), d.channel, d.status, "
    "COALESCE(d.error_kind, ''), COALESCE(d.last_error, ''), COUNT(*) FROM deliveries d "
    "WHERE d.status IN ('failed', 'unknown') GROUP BY 1, 2, 3, 4, 5",
    f"INSERT INTO report_release_days SELECT CAST({due('d')} / {DAY} AS INTEGER), d.release_id, r.section, "
    "COUNT(*), 0 FROM deliveries d JOIN releases r ON r.id = d.release_id GROUP BY 1, 2",
    "UPDATE report_release_days AS x SET first = 1 FROM (SELECT release_id, MIN(day) AS day FROM "
    "report_release_days GROUP BY release_id) AS m WHERE x.release_id = m.release_id AND x.day = m.day",

    # kept from now on, in the transaction of each change
    "CREATE TRIGGER report_insert AFTER INSERT ON deliveries BEGIN\n"
    + "\n".join((_counts("new", "1"), _release_day_added("new"))) + "\nEND",
    # a delivery due before its release's other days (scheduled channels queued first, a retry):
    # rare, so its UPDATE (a temporary b-tree of the keys it changes) runs only then
    f"CREATE TRIGGER report_insert_later AFTER INSERT ON deliveries WHEN {_later_day('new')} BEGIN\n"
    + _later_days_unmarked("new") + "\nEND",
    # rows queued as sent, failed or unknown (a bulk load, a repair): their own triggers, so the
    # usual INSERT of a queued delivery runs no statement of theirs
    "CREATE TRIGGER report_insert_waits AFTER INSERT ON deliveries WHEN new.status = 'sent' BEGIN\n"
    + _waits("new", "1") + "\nEND",
    "CREATE TRIGGER report_insert_causes AFTER INSERT ON deliveries WHEN new.status IN ('failed', 'unknown') "
    "BEGIN\n" + _causes("new", "1") + "\nEND",
    "CREATE TRIGGER report_delete AFTER DELETE ON deliveries BEGIN\n"
    + "\n".join((_counts("old", "-1"), _waits("old", "-1"), _causes("old", "-1"), _release_day("old", "-1")))
    + "\nEND",
    "CREATE TRIGGER report_counts_update AFTER UPDATE OF status, queued_at, scheduled_at, release_id, "
    "channel "
    f"ON deliveries WHEN {counted('old')} IS NOT {counted('new')} OR {_changed('release_id', 'channel')} "
    f"OR {_DUE_MOVED} BEGIN\n"
    + _counts("old", "-1") + "\n" + _counts("new", "1") + "\nEND",
    "CREATE TRIGGER report_waits_update AFTER UPDATE OF status, sent_at, queued_at, scheduled_at, "
    "release_id, "
    "channel ON deliveries WHEN (old.status = 'sent' OR new.status = 'sent') AND "
    f"({_changed('status', 'sent_at', 'release_id', 'channel')} OR {_DUE_MOVED}) BEGIN\n"
    + _waits("old", "-1") + "\n" + _waits("new", "1") + "\nEND",
    "CREATE TRIGGER report_causes_update AFTER UPDATE OF status, error_kind, last_error, queued_at, "
    "scheduled_at, "
    "channel ON deliveries WHEN (old.status IN ('failed', 'unknown') OR new.status IN ('failed', 'unknown')) "
    f"AND ({_changed('status', 'error_kind', 'last_error', 'channel')} OR {_DUE_MOVED}) BEGIN\n"
    + _causes("old", "-1") + "\n" + _causes("new", "1") + "\nEND",
    "CREATE TRIGGER report_release_days_update AFTER UPDATE OF queued_at, scheduled_at, release_id "
    f"ON deliveries WHEN {_changed('release_id')} OR {_DUE_MOVED} BEGIN\n"
    + "\n".join((_release_day("old", "-1"), _release_day_added("new"), _later_days_unmarked("new")))
    + "\nEND",
    # releases by their first due day (the rows marked first), kept from the marks
    "CREATE TRIGGER report_first_insert AFTER INSERT ON report_release_days WHEN new.first = 1 BEGIN\n"
    + _firsts("new", "1") + "\nEND",
    "CREATE TRIGGER report_first_delete AFTER DELETE ON report_release_days WHEN old.first = 1 BEGIN\n"
    + _firsts("old", "-1") + "\nEND",
    "CREATE TRIGGER report_first_update AFTER UPDATE OF first, section, day ON report_release_days "
    f"WHEN (old.first = 1 OR new.first = 1) AND ({_changed('first', 'section', 'day')}) BEGIN\n"
    + _firsts("old", "-1") + "\n" + _firsts("new", "1") + "\nEND",
    # a release moved to another section takes its deliveries' figures along
    "CREATE TRIGGER report_section_update AFTER UPDATE OF section ON releases "
    "WHEN old.section IS NOT new.section "
    "BEGIN\n"
    + "\n".join(
        f"INSERT INTO report_counts (span, start, channel, section, status, n) SELECT {span}, "
        f"CAST({due('d')} / {HOUR} AS INTEGER) / {span} * {span}, d.channel, {sec}, {counted('d')}, "
        f"{sign}COUNT(*) FROM deliveries d WHERE d.release_id = new.id AND {where} GROUP BY 2, 3, 5 "
        "ON CONFLICT (span, start, channel, section, status) DO UPDATE SET n = n + excluded.n;"
        for span, where in ((1, _kept_hour('d')), (24, "1")) for sec, sign in (("old.section", "-"),
                                                                               ("new.section", "")))
    + "\n"
    + "\n".join(
        f"INSERT INTO report_waits (span, start, channel, section, second, n) SELECT {span}, "
        f"CAST({due('d')} / {DAY} AS INTEGER) / {span} * {span}, d.channel, {sec}, {_wait('d')}, "
        f"{sign}COUNT(*) "
        "FROM deliveries d WHERE d.release_id = new.id AND d.status = 'sent' GROUP BY 2, 3, 5 "
        "ON CONFLICT (span, start, channel, section, second) DO UPDATE SET n = n + excluded.n;"
        for span in (1, BLOCK_DAYS) for sec, sign in (("old.section", "-"), ("new.section", "")))
    + "\nUPDATE report_release_days SET section = new.section WHERE release_id = new.id;\nEND",
]


# The triggers issue 18 rewrote (fewer statements and pages a delivery queued): a later migration
# (store.MIGRATIONS) drops and recreates them on an existing log, as MIGRATION has them now.
REWRITTEN_TRIGGERS = ("report_insert", "report_insert_waits", "report_insert_causes",
                      "report_release_days_update")


# The triggers a later migration recreated (store.MIGRATIONS), with report_counts rebuilt: the
# engine's writes build no temporary b-tree per row (the release-day upsert as VALUES, its rare
# UPDATE in a trigger of its own), a claim moves no count (``counted``), and only Sundays and
# Mondays keep their hours (``hours_kept``).
RECODED_TRIGGERS = ("report_insert", "report_insert_later", "report_release_days_update",
                    "report_counts_update", "report_delete", "report_section_update")
COUNTS_BUILD = [s for s in MIGRATION if s.startswith("INSERT INTO report_counts ")]


def recreate_triggers(names: tuple[str, ...]) -> list[str]:
    """DROP then CREATE (as MIGRATION has them now) each named trigger."""
    creates = [s for s in MIGRATION for name in names if s.startswith(f"CREATE TRIGGER {name} ")]
    assert len(creates) == len(names), names
    return [*(f"DROP TRIGGER IF EXISTS {name}" for name in names), *creates]


# -- sent posts by their sending day (the engagement figures' definition) -------------------------
# The figures above count deliveries by due time; the engagement figures count posts by the moment
# they were sent, so they have their own table: ``report_sent`` sent deliveries by UTC day of
# ``sent_at``, channel and section, one upsert when a delivery becomes sent (a second trigger
# only when it stops being sent or moves). Part-days are read through ``deliveries_sent_at``, a
# partial index that holds only the sent deliveries, so any period is exact and cheap.
def _sent(p: str, n: str) -> str:
    return _upsert("report_sent", {"day": f"CAST({p}.sent_at / {DAY} AS INTEGER)", "channel": f"{p}.channel",
                                   "section": _section(p)}, n, "1")


_IS_SENT = "{p}.status = 'sent' AND {p}.sent_at IS NOT NULL"
_SENT_MOVED = _changed("status", "sent_at", "release_id", "channel")

# Migration (store.MIGRATIONS, the entry after MIGRATION's): built from the log as it is (the
# statement starting with BUILD), kept from then on by the triggers.
SENT_MIGRATION: list[str] = [
    "CREATE TABLE report_sent (day INTEGER NOT NULL, channel TEXT NOT NULL, section TEXT NOT NULL, "
    "n INTEGER NOT NULL, PRIMARY KEY (day, channel, section)) WITHOUT ROWID",
    "CREATE INDEX deliveries_sent_at ON deliveries(sent_at, channel, release_id) WHERE status = 'sent'",
    f"INSERT INTO report_sent SELECT CAST(d.sent_at / {DAY} AS INTEGER), d.channel, r.section, COUNT(*) "
    "FROM deliveries d JOIN releases r ON r.id = d.release_id WHERE d.status = 'sent' "
    "AND d.sent_at IS NOT NULL GROUP BY 1, 2, 3",
    f"CREATE TRIGGER report_sent_insert AFTER INSERT ON deliveries WHEN {_IS_SENT.format(p='new')} BEGIN\n"
    + _sent("new", "1") + "\nEND",
    f"CREATE TRIGGER report_sent_delete AFTER DELETE ON deliveries WHEN {_IS_SENT.format(p='old')} BEGIN\n"
    + _sent("old", "-1") + "\nEND",
    "CREATE TRIGGER report_sent_enter AFTER UPDATE OF status, sent_at, release_id, channel ON deliveries "
    f"WHEN {_IS_SENT.format(p='new')} AND ({_SENT_MOVED}) BEGIN\n" + _sent("new", "1") + "\nEND",
    "CREATE TRIGGER report_sent_leave AFTER UPDATE OF status, sent_at, release_id, channel ON deliveries "
    f"WHEN {_IS_SENT.format(p='old')} AND ({_SENT_MOVED}) BEGIN\n" + _sent("old", "-1") + "\nEND",
    "CREATE TRIGGER report_sent_section AFTER UPDATE OF section ON releases "
    "WHEN old.section IS NOT new.section BEGIN\n"
    + "\n".join(
        f"INSERT INTO report_sent (day, channel, section, n) SELECT CAST(d.sent_at / {DAY} AS INTEGER), "
        f"d.channel, {sec}, {sign}COUNT(*) FROM deliveries d WHERE d.release_id = new.id "
        "AND d.status = 'sent' AND d.sent_at IS NOT NULL GROUP BY 1, 2 "
        "ON CONFLICT (day, channel, section) DO UPDATE SET n = n + excluded.n;"
        for sec, sign in (("old.section", "-"), ("new.section", "")))
    + "\nEND",
]


# -- reading: which buckets are whole, which parts come from the deliveries themselves ----------
def split(start: float, end: float, unit: int, cuts: Iterable[float] = ()) -> tuple[
        tuple[int, int], set[int], list[tuple[float, float]]]:
    """[start, end) as whole ``unit`` buckets [lo, hi) less ``skip`` (buckets a cut falls inside),
    and the time ranges to read from the deliveries instead (the part-buckets)."""
    lo, hi = math.ceil(start / unit), math.floor(end / unit)
    if lo >= hi:
        return (0, 0), set(), [(start, end)]
    raw: list[tuple[float, float]] = []
    if start < lo * unit:
        raw.append((start, lo * unit))
    skip: set[int] = set()
    for cut in sorted(set(cuts)):
        if start < cut < end and cut % unit:
            k = math.floor(cut / unit)
            if lo <= k < hi and k not in skip:
                skip.add(k)
                raw.append((k * unit, (k + 1) * unit))
    if end > hi * unit:
        raw.append((hi * unit, end))
    return (lo, hi), skip, _merged(raw)


def _merged(ranges: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


# Signed ranges: [span, first, end, sign(, at)] rows of a table to add (+1) or take away (-1). A
# histogram or a count is a sum, so "the block less the days outside the period" is exact, and it
# reads fewer rows than the days inside it when most of the block is inside (issue 18: a day of a
# million-delivery log holds ~2,000 waiting-time rows, a 30-day block ~4,500).
def wait_ranges(lo_day: int, hi_day: int) -> list[list[int]]:
    """Whole days [lo, hi) as signed ranges of report_waits: whole 30-day blocks, and for a block
    the period only partly covers, its days inside, or the block less its days outside when
    fewer than ``10`` of its days are outside."""
    out: list[list[int]] = []
    k = lo_day // BLOCK_DAYS * BLOCK_DAYS
    while k < hi_day:
        a, b = max(k, lo_day), min(k + BLOCK_DAYS, hi_day)
        if b - a == BLOCK_DAYS or BLOCK_DAYS - (b - a) < 10:
            out.append([BLOCK_DAYS, k, k + 1, 1])
            out += [[1, x, y, -1] for x, y in ((k, a), (b, k + BLOCK_DAYS)) if x < y]
        elif a < b:
            out.append([1, a, b, 1])
        k += BLOCK_DAYS
    return out


def cut_day(day: int, cut: float, skip: Iterable[int]) -> list[list[Any]] | None:
    """A whole UTC ``day`` a week starts inside (at ``cut``) as signed ranges of report_counts:
    the day's row counted in one week (``at``: the time whose week it goes to), and its hours on
    the other side of the cut moved to their own week; ``skip`` hours (a cut inside the hour) are
    read from the deliveries, so they are only taken away. None when its 24 hours read fewer rows
    (a cut near either end of the day)."""
    h0, h1 = day * 24, day * 24 + 24
    sk = sorted(h for h in set(skip) if h0 <= h < h1)
    before, after = (h0, math.floor(cut / HOUR)), (math.ceil(cut / HOUR), h1)
    best: list[list[Any]] | None = None
    cost = 24 - len(sk)
    for (a, b), at in ((after, float(day * DAY)), (before, float(cut))):
        moved: list[list[Any]] = [[1, a, b, 1, None]] if a < b else []
        gone = _merged([(a, b), *((h, h + 1) for h in sk)])
        away: list[list[Any]] = [[1, x, y, -1, at] for x, y in gone if x < y]
        if 1 + 2 * (b - a) + len(sk) < cost:
            best, cost = [[24, h0, h1, 1, at], *moved, *away], 1 + 2 * (b - a) + len(sk)
    return best


def week_sql(expr: str, weeks: list[float]) -> str:
    """SQL for the index into ``weeks`` (the instants weeks start) of the time ``expr``."""
    if not weeks:
        return "0"
    if all(b - a == 604800 for a, b in zip(weeks, weeks[1:], strict=False)):
        return f"MAX(0, MIN({len(weeks) - 1}, CAST(({expr} - {float(weeks[0])!r}) / 604800 AS INTEGER)))"
    whens = " ".join(f"WHEN {expr} < {float(b)!r} THEN {i}" for i, b in enumerate(weeks[1:]))
    return f"CASE {whens} ELSE {len(weeks) - 1} END"


def percentile(hist: Mapping[float, int], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default) on a histogram value -> count,
    the same figure as on the sorted list of the values themselves."""
    total = sum(hist.values())
    if total <= 0:
        return None
    pos = q * (total - 1)
    lo_rank, hi_rank = math.floor(pos), math.ceil(pos)
    lo_val = hi_val = None
    seen = 0
    for value in sorted(hist):
        seen += hist[value]
        if lo_val is None and seen > lo_rank:
            lo_val = value
        if seen > hi_rank:
            hi_val = value
            break
    assert lo_val is not None and hi_val is not None
    return lo_val + (hi_val - lo_val) * (pos - lo_rank)
