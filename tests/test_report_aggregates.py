"""The report's aggregates (crosspost.aggregates) always equal a full recomputation from the
deliveries, whoever changed them: the store's own state changes, a retry that moves the due
time, a release moved to another section, a raw UPDATE or DELETE in the sqlite3 shell. And the
figures the report reads from them equal the ones counted on the deliveries themselves, for any
period and any week boundaries (whole buckets, part-buckets, a zone off the hour)."""

from __future__ import annotations

import math
import sqlite3
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crosspost import aggregates as A
from crosspost.models import Receipt, Release, Variant
from crosspost.store import MIGRATIONS, SCHEMA_VERSION, ChannelPolicy, Store

T0 = 1_780_000_000.0  # a Monday-ish start; the log spans ~70 days from here
SPAN = 70 * 86400.0
CHANNELS = ("website", "x", "fb")
SECTIONS = ("siaran-pers", "berita-foto")
POLICIES = {c: ChannelPolicy(deadline_seconds=1e9) for c in CHANNELS}

# Times cluster around a few anchors ~10 days apart (the log spans several 30-day blocks), on and
# just off hour and day boundaries, so that deliveries share buckets with the cuts of a period.
ANCHORS = [T0 + k * 9.7 * 86400 for k in range(8)]
times = st.builds(lambda a, k, off: a + k * 1800 + off, st.sampled_from(ANCHORS), st.integers(-4, 4),
                  st.sampled_from((0.0, 0.5, 600.0, 1799.0)))
op = st.one_of(
    st.tuples(st.just("publish"), st.integers(0, 2), st.sampled_from(SECTIONS), times,
              st.none() | st.floats(0, 5 * 86400), st.sets(st.sampled_from(CHANNELS), min_size=1)),
    st.tuples(st.just("send"), st.integers(1, 6), st.floats(0, 3000)),
    st.tuples(st.just("claim"), st.integers(1, 3)),  # left in flight (sending)
    st.tuples(st.just("fail_raw"), st.integers(1, 9), st.sampled_from(("failed", "unknown")),
              st.sampled_from(("rate limited; retry after 60 s", "text too long", "timeout"))),
    st.tuples(st.just("retry"), st.integers(1, 9), times),
    st.tuples(st.just("cancel"), st.integers(1, 9)),
    st.tuples(st.just("resolve"), st.integers(1, 9), st.floats(0, 900)),
    st.tuples(st.just("section"), st.integers(0, 2), st.sampled_from(SECTIONS)),
    st.tuples(st.just("delete_raw"), st.integers(1, 9)),
    st.tuples(st.just("move_raw"), st.integers(1, 9), times),
)


def apply(store: Store, path: Path, step: tuple) -> None:
    kind = step[0]
    raw = sqlite3.connect(str(path), isolation_level=None)  # the sqlite3 shell: triggers still run
    ids = [r[0] for r in raw.execute("SELECT id FROM deliveries ORDER BY status = 'sent' DESC, id")]
    if kind not in ("publish", "send", "section"):  # the k-th delivery in the log (sent ones first)
        step = (kind, ids[step[1] % len(ids)] if ids else 0, *step[2:])
    try:
        if kind == "publish":
            _k, r, section, at, later, channels = step
            release = Release(slug=f"r{r}", title=f"Rilis {r}", body="Isi.", section=section,
                              date=datetime(2026, 6, 1, tzinfo=UTC))
            rid = store.save_release(release, at)
            variants = [Variant(channel=c, kind="website" if c == "website" else "fake", text=f"{r} {c}")
                        for c in sorted(channels)]
            store.enqueue(rid, variants, at + later if later is not None else None, at)
        elif kind == "send":
            _k, n, after = step
            for _round in range(2):  # the website first, then the others
                claims, _ = store.claim(T0 + SPAN + 10 * 86400, 60, n, POLICIES)
                for c in claims:
                    store.record_sent(c.delivery.id, c.token, Receipt(f"p{c.delivery.id}", None),
                                      T0 + SPAN + 10 * 86400 + after)
        elif kind == "claim":
            store.claim(T0 + SPAN + 10 * 86400, 60, step[1], POLICIES)
        elif kind == "fail_raw":
            _k, did, status, message = step
            raw.execute("UPDATE deliveries SET status = ?, error_kind = 'permanent', last_error = ? "
                        "WHERE id = ?", (status, message, did))
        elif kind == "retry":
            _k, did, at = step
            try:
                store.retry(did, at)
            except Exception:
                pass
        elif kind == "cancel":
            try:
                store.cancel(step[1], T0)
            except Exception:
                pass
        elif kind == "resolve":
            _k, did, wait = step
            row = raw.execute("SELECT queued_at FROM deliveries WHERE id = ?", (did,)).fetchone()
            try:
                store.resolve(did, (row[0] if row else T0) + wait, Receipt(f"x{did}", "https://e.test/x"))
            except Exception:
                pass
        elif kind == "section":
            _k, r, section = step
            raw.execute("UPDATE releases SET section = ? WHERE slug = ?", (section, f"r{r}"))
        elif kind == "delete_raw":
            raw.execute("DELETE FROM events WHERE delivery_id = ?", (step[1],))
            raw.execute("DELETE FROM deliveries WHERE id = ?", (step[1],))
        elif kind == "move_raw":
            raw.execute("UPDATE deliveries SET scheduled_at = ? WHERE id = ?", (step[2], step[1]))
    finally:
        raw.close()


def table(c: sqlite3.Connection, sql: str) -> Counter:
    return Counter({tuple(r[:-1]): r[-1] for r in c.execute(sql) if r[-1]})


def assert_equal_to_recomputation(path: Path) -> None:
    c = sqlite3.connect(str(path))
    kept = {name: table(c, f"SELECT * FROM {name}") for name in
            ("report_counts", "report_waits", "report_causes", "report_release_firsts", "report_sent")}
    days = table(c, "SELECT day, release_id, section, first, n FROM report_release_days")
    c.execute("BEGIN")  # rebuild every aggregate from the deliveries alone, compare, roll back
    for name in (*kept, "report_release_days", "report_release_firsts"):
        c.execute(f"DELETE FROM {name}")
    for statement in (*A.MIGRATION, *A.SENT_MIGRATION):
        if statement.startswith(A.BUILD):
            c.execute(statement)
    fresh = {name: table(c, f"SELECT * FROM {name}") for name in kept}
    fresh_days = table(c, "SELECT day, release_id, section, first, n FROM report_release_days")
    c.execute("ROLLBACK")
    c.close()
    for name in kept:
        assert kept[name] == fresh[name], name
    assert days == fresh_days


def counted_statuses(path: Path) -> dict[str, dict[str, int]]:
    """`crosspost status`'s counts, counted on every delivery (sending ones apart from queued)."""
    c = sqlite3.connect(str(path))
    out: dict[str, dict[str, int]] = {}
    for channel, status, n in c.execute("SELECT channel, status, COUNT(*) FROM deliveries GROUP BY 1, 2"):
        out.setdefault(channel, {})[status] = n
    c.close()
    return out


def naive(path: Path, start: float, end: float, weeks: list[float]) -> dict:
    """The report's figures counted on every delivery, in Python."""
    c = sqlite3.connect(str(path))
    rows = c.execute("SELECT d.release_id, d.channel, r.section, d.status, d.error_kind, d.last_error, "
                     "d.queued_at, d.scheduled_at, d.sent_at FROM deliveries d JOIN releases r "
                     "ON r.id = d.release_id").fetchall()
    c.close()
    groups: Counter = Counter()
    waits: Counter = Counter()
    failures: Counter = Counter()
    releases: dict[str, set[int]] = {}
    for rid, channel, section, status, kind, error, queued, scheduled, sent_at in rows:
        due = max(queued, scheduled if scheduled is not None else queued)
        if not start <= due < end:
            continue
        week = max(0, max(i for i, w in enumerate(weeks) if w <= due) if due >= weeks[0] else 0)
        # the report counts a delivery in flight as queued (both are "other" in every figure)
        groups[(channel, section, "queued" if status == "sending" else status, week)] += 1
        if status == "sent":
            waits[(channel, section, math.floor(max(0.0, (sent_at or due) - due) + 0.5))] += 1
        if status in ("failed", "unknown"):
            failures[(channel, status, kind, error)] += 1
        releases.setdefault(section, set()).add(rid)
    return {"groups": groups, "waits": waits, "failures": failures,
            "releases": {s: len(ids) for s, ids in releases.items()}}


def naive_sent(path: Path, start: float, end: float) -> tuple[Counter, list[int]]:
    """Posts sent in [start, end) by channel and section (the engagement figures' definition), and
    the ids of the releases with a delivery due in the period, both counted on every delivery."""
    c = sqlite3.connect(str(path))
    rows = c.execute("SELECT d.channel, r.section, d.status, d.sent_at, d.release_id, "
                     f"{A.due('d')} FROM deliveries d JOIN releases r ON r.id = d.release_id").fetchall()
    c.close()
    sent = Counter((ch, sec) for ch, sec, status, at, _r, _d in rows
                   if status == "sent" and at is not None and start <= at < end)
    return sent, sorted({rid for *_x, rid, due in rows if start <= due < end})


def read(store: Store, start: float, end: float, weeks: list[float]) -> dict:
    got = store.report_figures(start, end, weeks)
    return {"groups": Counter({(r["channel"], r["section"], r["status"], r["week"]): r["n"]
                               for r in got["groups"]}),
            "waits": Counter({(r["channel"], r["section"], r["second"]): r["n"] for r in got["waits"]}),
            "failures": Counter({(r["channel"], r["status"], r["error_kind"], r["last_error"]): r["n"]
                                 for r in got["failures"]}),
            "releases": {s: n for s, n in got["releases"].items() if n}}


# (start, end, a week start): each may fall on a delivery's own time, the zone off the hour or not
instant = st.tuples(st.integers(0, 60), st.sampled_from((0.0, 0.5, -0.5, 1.0))) | times
period = st.tuples(instant, instant, instant)


def resolve(path: Path, when: float | tuple[int, float]) -> float:
    """A time, or (k, offset): the k-th delivery's due time plus the offset."""
    if not isinstance(when, tuple):
        return when
    c = sqlite3.connect(str(path))
    dues = [r[0] for r in c.execute(f"SELECT {A.due('d')} FROM deliveries d ORDER BY id")]
    c.close()
    return dues[when[0] % len(dues)] + when[1] if dues else T0


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(op, max_size=30), periods=st.lists(period, min_size=1, max_size=3))
def test_aggregates_equal_a_full_recomputation(steps: list, periods: list) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "log.db"
        store = Store.open(path)
        try:
            for step in steps:
                apply(store, path, step)
            assert_equal_to_recomputation(path)
            assert store.status_counts() == counted_statuses(path)
            for a, b, cut in periods:
                a, b, cut = resolve(path, a), resolve(path, b), resolve(path, cut)
                start, end = min(a, b), max(a, b) + 1
                first = cut - math.ceil((cut - start) / 604800) * 604800  # weeks through ``cut``
                weeks = [first + 604800 * i for i in range(int((end - first) // 604800) + 1)]
                assert read(store, start, end, weeks) == naive(path, start, end, weeks)
                sent, releases = naive_sent(path, start, end)
                assert Counter({(g["channel"], g["section"]): g["n"] for g in
                                store.engagement_counts(start, end)["groups"]}) == sent
                for limit in (1, 3, 1000):
                    listed = store.report_release_links(start, end, limit)
                    assert [r["id"] for r in listed] == releases[-limit:]
        finally:
            store.close()


def test_migration_builds_them_for_an_existing_log(tmp_path: Path) -> None:
    """A log written before the aggregates existed gets them, equal to a recomputation."""
    path = tmp_path / "log.db"
    store = Store.open(path)
    for i in range(6):
        apply(store, path, ("publish", i, SECTIONS[i % 2], T0 + i * 40_000, 3600.0 if i % 3 else None,
                            set(CHANNELS)))
    apply(store, path, ("send", 3, 12.0))
    apply(store, path, ("fail_raw", 5, "failed", "text too long"))
    before = read(store, T0, T0 + SPAN, [T0])
    sent_before = store.engagement_counts(T0, T0 + SPAN)
    store.close()
    back_to_before(path, A.MIGRATION[0], ("report_counts", "report_waits", "report_causes",
                                          "report_release_days", "report_release_firsts", "report_sent"),
                   ("deliveries_due_at", "releases_corrects", "deliveries_unsettled", "deliveries_sent_at"))
    store = Store.open(path)
    try:
        assert store.schema_version == SCHEMA_VERSION
        assert_equal_to_recomputation(path)
        assert read(store, T0, T0 + SPAN, [T0]) == before == naive(path, T0, T0 + SPAN, [T0])
        assert store.engagement_counts(T0, T0 + SPAN) == sent_before
    finally:
        store.close()


def back_to_before(path: Path, first_statement: str, tables: tuple[str, ...],
                   indexes: tuple[str, ...]) -> None:
    """The log as it was before the migration that starts with ``first_statement`` (and every one
    after it): their tables, indexes and triggers gone, user_version set back."""
    version = next(i for i, m in enumerate(MIGRATIONS) if m and m[0] == first_statement)
    c = sqlite3.connect(str(path))
    keep = {s.split()[2] for m in MIGRATIONS[:version] for s in m
            if isinstance(s, str) and s.startswith("CREATE TRIGGER")}
    for name in [r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")]:
        if name not in keep:
            c.execute(f"DROP TRIGGER {name}")
    for name in tables:
        c.execute(f"DROP TABLE {name}")
    for name in indexes:
        c.execute(f"DROP INDEX {name}")
    c.execute(f"PRAGMA user_version = {version}")
    c.commit()
    c.close()


def test_sent_migration_builds_them_for_a_log_with_the_first_aggregates(tmp_path: Path) -> None:
    """A log upgraded before report_sent existed gets it, equal to a recomputation, and the
    engagement counts read from it equal the ones counted on the deliveries."""
    path = tmp_path / "log.db"
    store = Store.open(path)
    for i in range(6):
        apply(store, path, ("publish", i, SECTIONS[i % 2], T0 + i * 40_000, None, set(CHANNELS)))
    apply(store, path, ("send", 4, 100.0))
    rows = store.engagement_counts(T0, T0 + SPAN + 20 * 86400)
    store.close()
    back_to_before(path, A.SENT_MIGRATION[0], ("report_sent",), ("deliveries_sent_at",))
    store = Store.open(path)
    try:
        assert store.schema_version == SCHEMA_VERSION
        assert_equal_to_recomputation(path)
        got = store.engagement_counts(T0, T0 + SPAN + 20 * 86400)
        assert got == rows and sum(g["n"] for g in got["groups"]) > 0
        assert Counter({(g["channel"], g["section"]): g["n"] for g in got["groups"]}) == naive_sent(
            path, T0, T0 + SPAN + 20 * 86400)[0]
    finally:
        store.close()


@given(day=st.integers(19000, 21000), minute=st.integers(1, 24 * 60 - 1), half=st.booleans())
def test_a_cut_day_moves_exactly_the_hours_past_its_cut(day: int, minute: int, half: bool) -> None:
    """cut_day's signed ranges put every hour of the day in the week it belongs to, once, and take
    the skipped hour (a cut inside it, read from the deliveries) out entirely."""
    cut = day * 86400.0 + minute * 60 + (30.0 if half else 0.0)
    skip = {math.floor(cut / 3600)} if cut % 3600 else set()
    week_of = {h: int(h * 3600 >= cut) for h in range(day * 24, day * 24 + 24)}
    expect = Counter({(h, w): 1 for h, w in week_of.items() if h not in skip})
    ranges = A.cut_day(day, cut, skip)
    if ranges is None:  # reading the 24 hours is cheaper: nothing to check
        return
    got: Counter = Counter()
    for span, lo, hi, sign, at in ranges:
        for h in range(lo, hi) if span == 1 else range(lo, lo + 24):
            got[(h, int((at if at is not None else h * 3600) >= cut))] += sign
    assert +got == expect and -got == Counter()


@given(lo=st.integers(19000, 21000), length=st.integers(0, 400))
def test_wait_ranges_cover_each_day_once(lo: int, length: int) -> None:
    got: Counter = Counter()
    for span, first, end, sign in A.wait_ranges(lo, lo + length):
        for k in range(first, end):
            for day in range(k, k + span):
                got[day] += sign
    assert +got == Counter(range(lo, lo + length)) and -got == Counter()


def test_histogram_percentile_is_the_list_percentile() -> None:
    from crosspost.report import percentile

    values = [30, 45, 60, 90, 120, 300, 600, 45, 45]
    hist = Counter(float(v) for v in values)
    for q in (0, 0.1, 0.5, 0.9, 1):
        assert A.percentile(hist, q) == percentile(sorted(values), q)
    assert A.percentile(Counter(), 0.5) is None


def _install_old_triggers(path: Path) -> None:
    """The log as the release before issue 18's trigger rewrite left it: the insert trigger with
    every statement (the full recomputation of the first-day marks), the old overview and
    queued_at indexes, and its user_version."""
    c = sqlite3.connect(str(path))
    for name in A.REWRITTEN_TRIGGERS:
        c.execute(f"DROP TRIGGER IF EXISTS {name}")
    c.execute("CREATE TRIGGER report_insert AFTER INSERT ON deliveries BEGIN\n"
              + "\n".join((A._counts("new", "1"), A._waits("new", "1"), A._causes("new", "1"),
                           A._release_day("new", "1"))) + "\nEND")
    c.execute("CREATE TRIGGER report_release_days_update AFTER UPDATE OF queued_at, scheduled_at, release_id "
              f"ON deliveries WHEN {A._changed('release_id')} OR {A._DUE_MOVED} BEGIN\n"
              + A._release_day("old", "-1") + "\n" + A._release_day("new", "1") + "\nEND")
    c.execute("DROP INDEX deliveries_overview")
    c.execute("CREATE INDEX deliveries_overview ON deliveries(channel, status, queued_at, scheduled_at, "
              "sent_at, release_id)")
    c.execute("CREATE INDEX deliveries_queued_at ON deliveries(queued_at)")
    c.execute("DROP INDEX releases_office")
    c.execute("CREATE INDEX releases_office ON releases(office)")
    c.execute(f"PRAGMA user_version = {TRIGGER_REWRITE}")
    c.commit()
    c.close()


# the migration that rewrote those triggers (later ones follow it)
TRIGGER_REWRITE = next(i for i, m in enumerate(MIGRATIONS)
                       if "DROP INDEX IF EXISTS deliveries_queued_at" in m)


def _unmigrated(path: Path) -> Store:
    """A Store on the log as it is (Store.open would migrate it first)."""
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    return Store(conn, path)


def test_a_log_from_before_the_trigger_rewrite_keeps_exact_aggregates(tmp_path: Path) -> None:
    """Deliveries queued, moved, sent and deleted under the old triggers and then under the
    rewritten ones (the migration in between) leave every aggregate equal to a recomputation and
    the report equal to one counted on the deliveries."""
    path = tmp_path / "log.db"
    Store.open(path).close()
    _install_old_triggers(path)
    old = _unmigrated(path)
    for step in [("publish", 0, SECTIONS[0], T0, 3 * 86400.0, {"x"}),  # scheduled 3 days on
                 ("publish", 1, SECTIONS[1], T0 + 40_000, None, set(CHANNELS)),
                 ("move_raw", 1, T0 - 2 * 86400)]:
        apply(old, path, step)
    assert old.schema_version == TRIGGER_REWRITE
    old.close()
    store = Store.open(path)  # the migration: triggers rewritten, indexes replaced
    try:
        assert store.schema_version == SCHEMA_VERSION
        names = {r[0] for r in store._conn.execute("SELECT name FROM sqlite_master")}
        assert {"report_insert_waits", "report_insert_causes"} <= names
        assert "deliveries_queued_at" not in names
        for step in [("send", 2, 50.0), ("delete_raw", 4),
                     ("publish", 2, SECTIONS[0], T0 + 90_000, 86400.0, {"x", "fb"}),
                     ("move_raw", 2, T0 + 5 * 86400), ("move_raw", 3, T0 - 86400), ("send", 3, 10.0),
                     ("delete_raw", 1), ("retry", 2, T0 + 3 * 86400),
                     ("publish", 0, SECTIONS[0], T0, None, {"website", "fb"})]:  # an earlier first day
            apply(store, path, step)
        assert_equal_to_recomputation(path)
        assert read(store, T0 - 5 * 86400, T0 + SPAN, [T0]) == naive(path, T0 - 5 * 86400, T0 + SPAN, [T0])
    finally:
        store.close()
