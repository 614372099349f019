"""The hash chain over events, its verification against tampering, and the audit export."""

from __future__ import annotations

import csv
import getpass
import hashlib
import io
import json
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import REPO

from crosspost import audit
from crosspost.models import Receipt, Release, Variant
from crosspost.store import Store

WIB = ZoneInfo("Asia/Jakarta")
CANARY = "canary-Secret-7f3a9"


def at(text: str) -> float:
    return datetime.fromisoformat(text + "+07:00").timestamp()


def _release(slug: str) -> Release:
    return Release(slug=slug, title=f"Bansos {slug}", body="Isi.", source=Path(f"/humas/rilis/{slug}.md"),
                   date=datetime.fromisoformat("2026-07-01T09:00+07:00"))


def populate(db: Path) -> Store:
    """r1 in July: approved, sent to website, failed on X, paused meanwhile, corrected by r1-ralat.
    r2 in August: sent."""
    store = Store.open(db)
    r1 = store.save_release(_release("r1"), now=at("2026-07-01T08:00"))
    variants = [Variant("website", "website", "Teks situs r1", title="Judul r1"),
                Variant("twitter", "twitter", "Kemensos salurkan bansos r1 #BansosTepat")]
    d = {x.channel: x.id for x in store.enqueue(r1, variants, None, at("2026-07-01T09:00"),
                                                awaiting=("website", "twitter"))}
    store.approve("r1", "Kasubbag Publikasi", at("2026-07-01T09:05"), note="ok tayang")
    store.pause("masa berkabung", "Kepala Biro", at("2026-07-01T09:10"))
    store.resume("Kepala Biro", at("2026-07-01T10:00"))
    store.resolve(d["website"], at("2026-07-01T10:01"),
                  Receipt("r1-page", "https://www.kemensos.go.id/r1", {"status": 200}))
    with sqlite3.connect(db) as c:  # as the engine records a failure (the platform echoed a secret)
        c.execute("UPDATE deliveries SET status = 'failed', error_kind = 'auth', last_error = ? WHERE id = ?",
                  (f"401 invalid token {CANARY}", d["twitter"]))
    fix = store.save_release(_release("r1-ralat"), now=at("2026-07-03T08:00"))
    with sqlite3.connect(db) as c:
        c.execute("UPDATE releases SET corrects = ? WHERE id = ?", (r1, fix))
    r2 = store.save_release(_release("r2"), now=at("2026-08-05T08:00"))
    [d2] = store.enqueue(r2, [Variant("website", "website", "Teks r2")], None, at("2026-08-05T09:00"))
    store.resolve(d2.id, at("2026-08-05T09:01"), Receipt("r2-page", "https://www.kemensos.go.id/r2"))
    return store


@pytest.fixture
def db(tmp_path: Path) -> Path:
    populate(tmp_path / "log.db").close()
    return tmp_path / "log.db"


def raw(db: Path, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(db) as c:
        return c.execute(sql, args).fetchall()


def test_every_event_is_chained_by_sha256(db):
    rows = raw(db, "SELECT at, delivery_id, release_id, from_status, to_status, detail, actor, payload, hash "
                   "FROM events ORDER BY id")
    assert len(rows) >= 6
    prev = ""
    for *fields, digest in rows:  # recomputed independently of crosspost.audit
        body = dict(zip(["at", "delivery_id", "release_id", "from_status", "to_status", "detail", "actor",
                         "payload"], fields, strict=True))
        if body["payload"] is None:  # events without a payload hash exactly as before schema 5
            del body["payload"]
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert digest == hashlib.sha256(f"{prev}\n{canonical}".encode()).hexdigest()
        prev = digest
    actors = {r[6] for r in rows}
    assert getpass.getuser() in actors and "Kepala Biro" in actors


def test_verify_ok_on_an_untouched_log(db):
    store = Store.open(db)
    result = audit.verify(store)
    count = raw(db, "SELECT count(*) FROM events")[0][0]
    assert result.ok and result.events == count and result.legacy == 0
    assert result.head == raw(db, "SELECT hash FROM events ORDER BY id DESC LIMIT 1")[0][0]
    assert result.message().startswith(f"ok, {count} events; approvals, pauses and the exact text of every "
                                       f"delivery are covered from event #1 on; head {result.head}")


def test_verify_finds_an_edited_detail(db):
    raw(db, "UPDATE events SET detail = 'diubah' WHERE id = 3")
    result = audit.verify(Store.open(db))
    assert not result.ok and result.bad_event == 3 and result.events == 2
    assert "event #3 does not match" in result.message()


def test_verify_finds_an_edited_time_or_actor(db):
    [(actor,)] = raw(db, "SELECT actor FROM events WHERE id = 5")
    raw(db, "UPDATE events SET actor = 'orang lain' WHERE id = 5")
    assert audit.verify(Store.open(db)).bad_event == 5
    raw(db, "UPDATE events SET actor = ?, at = at + 1 WHERE id = 5", actor)
    assert audit.verify(Store.open(db)).bad_event == 5
    raw(db, "UPDATE events SET at = at - 1 WHERE id = 5")
    assert audit.verify(Store.open(db)).ok


def test_verify_finds_a_deleted_row(db):
    raw(db, "DELETE FROM events WHERE id = 4")
    result = audit.verify(Store.open(db))
    assert not result.ok and result.bad_event == 5 and "#4 are missing" in result.problem


def test_verify_finds_an_erased_hash(db):
    raw(db, "UPDATE events SET hash = NULL WHERE id = 2")
    result = audit.verify(Store.open(db))
    assert not result.ok and result.bad_event == 2 and "no hash" in result.problem


def test_erasing_every_hash_is_tampering(db):
    raw(db, "UPDATE events SET hash = NULL")
    result = audit.verify(Store.open(db))
    assert not result.ok and result.bad_event == 1 and "event #1 has no hash" in result.problem


def test_erasing_the_newest_hash_is_tampering(db):
    [(last,)] = raw(db, "SELECT MAX(id) FROM events")
    raw(db, "UPDATE events SET hash = NULL WHERE id = ?", last)
    assert audit.verify(Store.open(db)).bad_event == last


def test_deleting_the_first_event_names_event_1(db):
    raw(db, "DELETE FROM events WHERE id = 1")
    result = audit.verify(Store.open(db))
    assert not result.ok and result.bad_event == 2
    assert "event(s) #1 are missing before event #2" in result.problem


def test_deleting_the_first_events_names_them_all(db):
    raw(db, "DELETE FROM events WHERE id <= 3")
    assert "event(s) #1..#3 are missing" in audit.verify(Store.open(db)).problem


def test_dropping_the_chain_record_is_tampering(db):
    raw(db, "DELETE FROM meta WHERE key = 'covers_from'")
    raw(db, "DELETE FROM meta")
    assert "meta table" in audit.verify(Store.open(db)).problem


@pytest.mark.parametrize("sql,problem", [
    ("UPDATE approvals SET note = 'tidak pernah disetujui'", "approval #1 was changed after event #"),
    ("UPDATE approvals SET actor = 'orang lain'", "approval #1 was changed"),
    ("UPDATE approvals SET variants_json = '[]'", "approval #1 was changed"),
    ("INSERT INTO approvals (release_id, content_hash, decision, actor, at) VALUES (1, 'h', 'approved', "
     "'palsu', 1.0)", "approval #2 is not in the chain"),
    ("DELETE FROM approvals", "approval #1, recorded by event #"),
    ("UPDATE pauses SET reason = 'tidak ada'", "pause #1 was changed"),
    ("UPDATE pauses SET lifted_by = 'orang lain'", "pause #1 was changed"),
    ("UPDATE deliveries SET variant_json = json_set(variant_json, '$.text', 'teks lain') WHERE id = 1",
     "the text of delivery #1 was changed"),
])
def test_approvals_pauses_and_the_text_sent_are_in_the_chain(db, sql, problem):
    assert audit.verify(Store.open(db)).ok
    raw(db, sql)
    result = audit.verify(Store.open(db))
    assert not result.ok and problem in result.problem, result.problem


def test_a_rewritten_tail_is_caught_only_against_a_noted_head(db):
    noted = audit.verify(Store.open(db)).head
    raw(db, "UPDATE events SET detail = 'diubah' WHERE id = 3")
    rows = raw(db, "SELECT id, at, delivery_id, release_id, from_status, to_status, detail, actor, payload "
                   "FROM events WHERE id >= 3 ORDER BY id")
    prev = raw(db, "SELECT hash FROM events WHERE id = 2")[0][0]
    keys = ["id", "at", "delivery_id", "release_id", "from_status", "to_status", "detail", "actor", "payload"]
    for row in rows:  # a forger who knows the scheme recomputes every later hash
        prev = audit.row_hash(prev, dict(zip(keys, row, strict=True)))
        raw(db, "UPDATE events SET hash = ? WHERE id = ?", prev, row[0])
    assert audit.verify(Store.open(db)).ok
    result = audit.verify(Store.open(db), expect_head=noted)
    assert not result.ok and "is not in the chain" in result.problem


def test_events_before_the_chain_are_hashed_by_the_upgrade(tmp_path):
    """A log from before schema 3 (no hashes) and schema 3 events after it: the upgrade hashes the
    old events, brings the approvals, pauses and texts under the chain, and says from where."""
    from crosspost.store import MIGRATIONS

    db = tmp_path / "old.db"
    with sqlite3.connect(db) as c:
        for statements in MIGRATIONS[:4]:
            for statement in statements:
                c.execute(statement)
        c.execute("PRAGMA user_version = 4")
        c.execute("INSERT INTO releases (slug, title, section, release_json, created_at, updated_at) "
                  "VALUES ('x', 't', 'siaran-pers', '{}', 1, 1)")
        c.execute("INSERT INTO deliveries (release_id, channel, kind, status, not_before, variant_json, "
                  "queued_at, updated_at) VALUES (1, 'website', 'website', 'queued', 1, ?, 1, 1)",
                  ('{"text": "t"}',))
        c.execute("INSERT INTO events (at, detail) VALUES (1.0, 'before version 3'), (2.0, 'also old')")
        c.execute("INSERT INTO events (at, detail, actor, hash) VALUES (3.0, 'first of v3', 'humas', ?)",
                  (audit.event_hash(None, at=3.0, delivery_id=None, release_id=None, from_status=None,
                                    to_status=None, detail="first of v3", actor="humas"),))
        c.execute("INSERT INTO pauses (reason, actor, at) VALUES ('berkabung', 'Rina', 2.5)")
    store = Store.open(db)
    result = audit.verify(store)
    assert result.ok, result.message()
    assert (result.legacy, result.events, result.covers_from) == (2, 4, 4)
    assert "2 older events" in result.message() and "covered from event #4 on" in result.message()
    [(detail,)] = raw(db, "SELECT detail FROM events WHERE id = 4")
    assert "1 pause(s), 1 delivery text(s)" in detail
    raw(db, "UPDATE pauses SET reason = 'diubah'")
    assert audit.verify(Store.open(db)).problem == "pause #1 was changed after event #4 recorded it"


def test_chain_stays_linear_across_processes(tmp_path):
    db = tmp_path / "shared.db"
    Store.open(db).close()
    code = ("import sys\nfrom crosspost.store import Store\nfrom crosspost.models import Release, Variant\n"
            "from datetime import datetime, timezone\ns = Store.open(sys.argv[1])\n"
            "for i in range(40):\n"
            "    r = s.save_release(Release(f'{sys.argv[2]}-{i}', 't', 'b', datetime.now(timezone.utc)))\n"
            "    s.enqueue(r, [Variant('a', 'fake', 't'), Variant('b', 'fake', 't')], None, 1.0 + i)\n")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(db), name], cwd=REPO)
             for name in ("p", "q", "r")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    result = audit.verify(Store.open(db))
    assert result.ok and result.events == 3 * 40 * 2


def records(db: Path, start: str = "2026-07-01T00:00", end: str = "2026-08-01T00:00") -> list[dict]:
    return list(audit.records(Store.open(db), at(start), at(end), WIB))


def test_export_has_the_whole_story_of_each_release(db):
    recs = records(db)
    assert [r["type"] for r in recs] == ["release", "release", "pause", "office_event", "office_event",
                                         "chain"]
    r1, fix = recs[0], recs[1]
    assert (r1["release"], fix["release"]) == ("r1", "r1-ralat")
    assert r1["drafted"] == {"source": "/humas/rilis/r1.md", "by": getpass.getuser(),
                             "at": "2026-07-01T09:00:00+07:00"}
    assert [(a["decision"], a["by"], a["note"]) for a in r1["approvals"]] == [
        ("approved", "Kasubbag Publikasi", "ok tayang")]
    assert [(p["reason"], p["by"], p["lifted_by"]) for p in r1["paused"]] == [
        ("masa berkabung", "Kepala Biro", "Kepala Biro")]
    assert (r1["corrected_by"], fix["corrects"]) == (["r1-ralat"], "r1")
    web, tw = r1["deliveries"]
    assert (web["status"], web["sent"]["text"], web["sent"]["title"]) == ("sent", "Teks situs r1", "Judul r1")
    assert (web["remote_id"], web["url"]) == ("r1-page", "https://www.kemensos.go.id/r1")
    assert web["receipt"]["remote_id"] == "r1-page" and web["sent_at"] == "2026-07-01T10:01:00+07:00"
    assert (tw["status"], tw["error_kind"], tw["sent"]["text"]) == (
        "failed", "auth", "Kemensos salurkan bansos r1 #BansosTepat")
    hashes = {h for (h,) in raw(db, "SELECT hash FROM events WHERE release_id = 1")}
    assert set(r1["event_hashes"]) == hashes and len(hashes) == 5
    assert set(web["event_hashes"]) < hashes
    event = r1["events"][0]
    assert event["hash"] == audit.event_hash(
        event["prev_hash"], at=event["ts"], delivery_id=event["delivery_id"], release_id=event["release_id"],
        from_status=event["from"], to_status=event["to"], detail=event["detail"], actor=event["actor"],
        payload=event["payload"])
    assert recs[-1]["head"] == raw(db, "SELECT hash FROM events ORDER BY id DESC LIMIT 1")[0][0]
    assert "office-wide pause: masa berkabung" in recs[3]["detail"]


def test_export_period_selects_releases(db):
    assert [r["release"] for r in records(db, "2026-08-01T00:00", "2026-09-01T00:00")
            if r["type"] == "release"] == ["r2"]
    assert [r["type"] for r in records(db, "2025-01-01T00:00", "2025-02-01T00:00")] == ["chain"]


def test_csv_export_one_row_per_delivery(db):
    buf = io.StringIO()
    assert audit.write(records(db), "csv", buf) == 2
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert [(r["release"], r["channel"]) for r in rows] == [("r1", "website"), ("r1", "twitter"),
                                                           ("r1-ralat", "")]
    assert rows[0]["approved_by"] == "Kasubbag Publikasi" and rows[0]["text_sent"] == "Teks situs r1"
    assert rows[0]["url"] == "https://www.kemensos.go.id/r1" and rows[2]["corrects"] == "r1"
    assert "masa berkabung" in rows[1]["paused"] and rows[1]["last_error"].startswith("401")
    assert len(rows[0]["event_hashes"].split()) == 3


def test_cli_audit_export_and_verify(cli):
    populate(cli.cwd / "log.db").close()
    cli.env["CROSSPOST_TWITTER_API_SECRET"] = CANARY
    proc = cli("audit", "--from", "2026-07-01", "--to", "2026-07-31", "-o", "audit.jsonl")
    assert proc.returncode == 0, proc.stderr
    assert "2 release(s) written to audit.jsonl" in proc.stderr
    text = (cli.cwd / "audit.jsonl").read_text("utf-8")
    lines = [json.loads(line) for line in text.splitlines()]
    assert lines[0]["release"] == "r1" and lines[-1]["type"] == "chain"
    assert CANARY not in text and "401 invalid token ****" in text
    proc = cli("audit", "--from", "2026-07-01", "--to", "2026-07-31", "-o", "audit.csv")
    text = (cli.cwd / "audit.csv").read_text("utf-8")
    assert proc.returncode == 0 and len(list(csv.DictReader(io.StringIO(text)))) == 3 and CANARY not in text
    proc = cli("audit", "-o", "-", "--format", "csv")
    assert proc.returncode == 0 and proc.stdout.startswith("release,title,section") and "r2" in proc.stdout

    proc = cli("audit", "--verify")
    assert proc.returncode == 0 and proc.stdout.startswith("ok, ")
    head = proc.stdout.split("head ")[1].split()[0]
    assert cli("audit", "--verify", "--head", head).returncode == 0
    raw(cli.cwd / "log.db", "UPDATE events SET detail = 'tidak pernah terjadi' WHERE id = 2")
    proc = cli("audit", "--verify")
    assert proc.returncode == 1 and "TAMPERED: event #2" in proc.stderr
    code, doc = cli.json("audit", "--verify")
    assert code == 1 and (doc["ok"], doc["bad_event"], doc["covers_from"]) == (False, 2, 1)
    proc = cli("audit", "-o", "audit.txt")
    assert proc.returncode == 2 and "--format" in proc.stderr
