"""`crosspost db migrate --to postgresql://...` through the real CLI: an office's SQLite log
(sent, queued and failed deliveries, an approval, a lifted pause) copied into a real
PostgreSQL, ids and hashes as they were, the chain verified on arrival; a non-empty target
refused; and after the switch a `run` sends only what was still queued: nothing twice."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import Cli, cli_env
from pg_helpers import drop_schema, fresh_schema, pg_store, require_pg

from crosspost import audit
from crosspost.channels.fake import read_posts
from crosspost.models import Receipt, Release, Variant
from crosspost.store import ChannelPolicy, Store


@pytest.fixture
def target():
    url, password = require_pg()
    schema = fresh_schema()
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, password=password, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    yield f"{url}?options={quote(f'-csearch_path={schema}')}", password, schema
    drop_schema(schema)


def office(tmp_path: Path, database: str, password: str, office_id: str = "") -> Cli:
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    table = f'[office]\nid = "{office_id}"\n' if office_id else ""
    (work / "channels.toml").write_text(
        f'timezone = "Asia/Jakarta"\ndatabase = "{database}"\n{table}'
        '[channels.fake]\ntype = "fake"\n', encoding="utf-8")
    return Cli(work, cli_env(tmp_path, CROSSPOST_DATABASE_PASSWORD=password))


def seed_sqlite(path: Path) -> Store:
    store = Store.open(path)
    now = time.time() - 600
    pol = {"fake": ChannelPolicy()}
    for i in range(3):
        rid = store.save_release(Release(slug=f"rilis-{i}", title=f"Rilis {i}", body="Isi.",
                                         date=datetime(2026, 11, 20, tzinfo=UTC)), now)
        store.enqueue(rid, [Variant(channel="fake", kind="fake", text=f"rilis-{i}@fake")], None, now)
    [c], _ = store.claim(now, 60, 1, pol)
    store.record_sent(c.delivery.id, c.token, Receipt("old-1", "https://fake/old-1"), now)
    sent = c.delivery.id
    [c], _ = store.claim(now, 60, 1, pol)
    store.record(c.delivery.id, c.token, "failed", now, error="refused", error_kind="permanent",
                 count_attempt=True)
    rid = store.save_release(Release(slug="butuh-izin", title="Butuh izin", body="Isi.",
                                     date=datetime(2026, 11, 20, tzinfo=UTC)), now)
    store.enqueue(rid, [Variant(channel="fake", kind="fake", text="butuh-izin@fake")], None, now,
                  awaiting={"fake"})
    store.approve("butuh-izin", "Rina", now)
    store.pause("uji", "Rina", now)
    store.resume("Rina", now)
    # the inbox: two replies on the sent post (one handled), its reply cursor, two figure snapshots
    store.save_replies(sent, "fake", [
        {"platform_id": "k1", "author": "Warga", "text": "bansos belum cair", "created_at": now - 60,
         "kind": "aduan"},
        {"platform_id": "k2", "author": "Siti", "text": "kapan dibuka?", "created_at": now - 30,
         "kind": "pertanyaan"}], now, cursor="k2")
    store.mark_reply_done(store.replies(kinds=["aduan"])[0]["id"], "Rina", now, note="ditelepon")
    store.save_metrics([(sent, {"views": 10.0})], now)
    store.save_metrics([(sent, {"views": 25.0, "likes": 3.0})], now + 1)
    return store


def test_migrate_copies_verifies_and_sends_nothing_twice(tmp_path: Path, target) -> None:
    url, password, schema = target
    source = seed_sqlite(tmp_path / "work" / "log.db")
    before = {d.id: (d.status, d.url, d.attempts) for d in source.deliveries()}
    head, n_events = source.audit_chain_head(), len(source.events())
    replies, sent = source.replies(), source.replies()[0]["delivery_id"]
    snapshots, targets = source.metric_snapshots(sent), source.engagement_targets(0.0)
    database_id = source.database_id
    source.close()
    cli = office(tmp_path, "log.db", password)
    code, out = cli.json("db", "migrate", "--to", url)
    assert code == 0, out
    assert out["copied"]["deliveries"] == 4 and out["copied"]["events"] == n_events
    assert out["chain_head"] == head and out["database_id"] == database_id
    assert password not in str(out)
    pg = pg_store(schema, clock="database")
    assert {d.id: (d.status, d.url, d.attempts) for d in pg.deliveries()} == before
    assert audit.verify(pg).ok and pg.audit_chain_head() == head and pg.database_id == database_id
    assert [a["actor"] for a in pg.approvals("butuh-izin")] == ["Rina"] and len(pg.pauses()) == 1
    # the inbox arrives with its ids and handling, the cursor and the snapshots as they were
    assert (out["copied"]["replies"], out["copied"]["reply_cursors"], out["copied"]["metric_snapshots"]) \
        == (2, 1, 2)
    assert pg.replies() == replies and pg.replies(open_only=True)[0]["platform_id"] == "k2"
    assert [r["handled_by"] for r in pg.replies(kinds=["aduan"])] == ["Rina"]
    assert pg.engagement_targets(0.0) == targets and targets[0]["cursor"] == "k2"
    assert pg.metric_snapshots(sent) == snapshots and len(snapshots) == 2
    # and the ids go on after the copied ones (the identity sequences were moved past them)
    assert pg.save_replies(sent, "fake", [{"platform_id": "k1", "created_at": 1.0, "kind": "aduan"},
                                          {"platform_id": "k3", "created_at": 2.0, "kind": "lainnya"}],
                           time.time()) == 1
    # (a skipped duplicate uses up an identity value on PostgreSQL: ids may have gaps, never repeat)
    assert [r["platform_id"] for r in pg.replies() if r["id"] > max(r["id"] for r in replies)] == ["k3"]
    pg.save_metrics([(sent, {"views": 30.0})], time.time())
    (post,) = [p for p in pg.engagement_posts(0.0, time.time()) if p["delivery_id"] == sent]
    assert post["metrics_json"] == '{"views": 30.0}' and post["replies"] == 3

    again = cli("db", "migrate", "--to", url)  # never merged into a log that exists
    assert again.returncode == 2 and "not empty" in again.stderr + again.stdout

    # the office switches: the markers (same database id) match, and run sends only the queued two
    (cli.cwd / "channels.toml").write_text((cli.cwd / "channels.toml").read_text().replace(
        'database = "log.db"', f'database = "{url}"'))
    run = cli("run", "--once")
    assert run.returncode == 0, run.stderr
    posts = read_posts(cli.cwd / "fake-posts.jsonl")
    assert sorted(p["marker"] for p in posts) == ["butuh-izin@fake", "rilis-2@fake"]
    statuses = {d.release_slug: d.status for d in pg.deliveries()}
    assert statuses == {"rilis-0": "sent", "rilis-1": "failed", "rilis-2": "sent", "butuh-izin": "sent"}
    assert audit.verify(pg).ok
    pg.close()


def test_an_office_with_an_id_brings_its_releases_as_its_own(tmp_path: Path, target) -> None:
    """A one-office log (office NULL) migrated by `[office] id = "humas-kemensos"` arrives as that
    office's: a second office sharing the PostgreSQL log later sees none of it."""
    url, password, schema = target
    seed_sqlite(tmp_path / "work" / "log.db").close()
    code, out = office(tmp_path, "log.db", password, office_id="humas-kemensos").json(
        "db", "migrate", "--to", url)
    assert code == 0, out
    mine, theirs = pg_store(schema), pg_store(schema)
    mine.office, theirs.office = "humas-kemensos", "humas-dinsos-bekasi"
    assert len(mine.deliveries()) == 4 and theirs.deliveries() == []
    assert audit.verify(mine).ok
    mine.close()
    theirs.close()


def test_a_password_in_the_url_is_refused(tmp_path: Path) -> None:
    require_pg()
    cli = office(tmp_path, "log.db", "")
    Store.open(cli.cwd / "log.db").close()
    proc = cli("db", "migrate", "--to", "postgresql://humas:rahasia@127.0.0.1:1/x")
    assert proc.returncode == 3 and "rahasia" not in proc.stdout + proc.stderr
