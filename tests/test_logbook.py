"""The log is never silently replaced: its id is recorded in the state folder and beside the site;
a missing or different log is exit 3 with what to do; another application's SQLite file is refused;
a worker whose log vanished mid-run does not exit 0; doctor checks it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import REPO, cli_env

from crosspost.channels.fake import read_posts
from crosspost.errors import StoreError
from crosspost.models import Release, Variant
from crosspost.store import Store

EXAMPLE = REPO / "examples" / "siaran-pers-lumbung-sosial.md"


def _state_marker(cli) -> dict:
    return json.loads((Path(cli.env["CROSSPOST_STATE_DIR"]) / "database.json").read_text("utf-8"))


def _site_id(cli) -> str | None:
    return json.loads((cli.cwd / "site" / "_articles.json").read_text("utf-8")).get("database_id")


def test_first_publish_creates_the_log_and_records_its_id(cli):
    assert not (cli.cwd / "log.db").exists()
    assert cli("publish", str(EXAMPLE)).returncode == 0
    db_id = Store.open(cli.cwd / "log.db").database_id
    assert len(db_id) == 32 and _state_marker(cli)["database_id"] == db_id
    assert cli("status").returncode == 0
    assert _site_id(cli) == db_id  # the site's manifest names the log it was published from
    assert cli("publish", str(EXAMPLE)).returncode == 0
    assert _site_id(cli) == db_id  # kept when the site is rewritten


def test_a_deleted_log_is_not_recreated(cli):
    assert cli("publish", str(EXAMPLE)).returncode == 0
    cli("status")
    (cli.cwd / "log.db").unlink()
    for command in (("publish", str(EXAMPLE)), ("run",), ("status",)):
        proc = cli(*command)
        assert proc.returncode == 3, (command, proc.stderr)
        assert "log.db is missing" in proc.stderr and "restore it from a backup" in proc.stderr
        assert not (cli.cwd / "log.db").exists()
    # the site alone still knows: a lost state folder does not let a new log in either
    shutil.rmtree(cli.env["CROSSPOST_STATE_DIR"])
    proc = cli("publish", str(EXAMPLE))
    assert proc.returncode == 3 and "_articles.json" in proc.stderr and not (cli.cwd / "log.db").exists()


def test_a_misspelled_database_is_missing_not_new(cli):
    assert cli("publish", str(EXAMPLE)).returncode == 0
    cli.env["CROSSPOST_DB"] = str(cli.cwd / "lgo.db")
    proc = cli("publish", str(EXAMPLE))
    assert proc.returncode == 3 and "lgo.db is missing" in proc.stderr
    assert not (cli.cwd / "lgo.db").exists()


def test_a_different_log_is_refused(cli):
    assert cli("publish", str(EXAMPLE)).returncode == 0
    (cli.cwd / "log.db").unlink()
    Store.open(cli.cwd / "log.db").close()  # another, empty crosspost log in its place
    proc = cli("publish", str(EXAMPLE))
    assert proc.returncode == 3 and "not the one this office used" in proc.stderr
    doctor = cli("doctor", "--offline")
    assert doctor.returncode == 1
    assert any(line.startswith("fail") and "database id" in line for line in doctor.stdout.splitlines())


def test_doctor_reports_a_missing_log(cli):
    assert cli("publish", str(EXAMPLE)).returncode == 0
    doctor = cli("doctor", "--offline")
    assert any(line.startswith("ok") and "database id" in line for line in doctor.stdout.splitlines())
    (cli.cwd / "log.db").unlink()
    doctor = cli("doctor", "--offline")
    assert doctor.returncode == 1
    [line] = [x for x in doctor.stdout.splitlines() if "database id" in x]
    assert line.startswith("fail") and "is missing" in line


def test_init_creates_the_log_and_records_it(tmp_path):
    env = cli_env(tmp_path)
    target = tmp_path / "kantor"
    proc = subprocess.run([sys.executable, "-m", "crosspost", "init", str(target)], env=env,
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    db = target / "crosspost.db"
    assert db.is_file()
    marker = json.loads((Path(env["CROSSPOST_STATE_DIR"]) / "database.json").read_text("utf-8"))
    assert marker["database_id"] == Store.open(db).database_id


def test_another_applications_sqlite_file_is_refused(cli, tmp_path):
    with sqlite3.connect(cli.cwd / "log.db") as c:
        c.execute("CREATE TABLE pelanggan (id INTEGER PRIMARY KEY, nama TEXT)")
        c.execute("INSERT INTO pelanggan (nama) VALUES ('Budi')")
    before = (cli.cwd / "log.db").read_bytes()
    proc = cli("publish", str(EXAMPLE))
    assert proc.returncode == 3 and "is not a crosspost delivery log" in proc.stderr
    assert "pelanggan" in proc.stderr
    assert (cli.cwd / "log.db").read_bytes() == before  # not a byte added
    with pytest.raises(StoreError, match="not a crosspost delivery log"):
        Store.open(cli.cwd / "log.db")
    other = tmp_path / "versioned.db"  # another application that also uses user_version
    with sqlite3.connect(other) as c:
        c.execute("CREATE TABLE notes (x)")
        c.execute("PRAGMA user_version = 2")
    with pytest.raises(StoreError, match="not a crosspost delivery log"):
        Store.open(other)


def test_an_empty_sqlite_file_becomes_a_log(tmp_path):
    sqlite3.connect(tmp_path / "empty.db").close()
    assert Store.open(tmp_path / "empty.db").database_id


def test_open_without_create_refuses_a_missing_file(tmp_path):
    with pytest.raises(StoreError, match="does not exist"):
        Store.open(tmp_path / "none.db", create=False)
    assert not (tmp_path / "none.db").exists()


def _stopped(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "T"
    except OSError:
        return False


def test_a_worker_whose_log_vanished_mid_run_does_not_exit_0(tmp_path):
    (tmp_path / "channels.toml").write_text('database = "log.db"\n[channels.fake]\ntype = "fake"\n')
    store = Store.open(tmp_path / "log.db")
    rid = store.save_release(Release(slug="rilis", title="Rilis", body="Isi.",
                                     date=datetime(2026, 11, 20, tzinfo=UTC)), time.time())
    store.enqueue(rid, [Variant(channel="fake", kind="fake", text="teks")], None, time.time())
    store.close()
    env = {**cli_env(tmp_path), "CROSSPOST_FAILPOINT": "stop_before_create"}
    worker = subprocess.Popen([sys.executable, "-m", "crosspost", "run", "--once"], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        end = time.monotonic() + 30
        while not _stopped(worker.pid):
            assert time.monotonic() < end and worker.poll() is None, "the worker never got to create"
            time.sleep(0.02)
        for name in ("log.db", "log.db-wal", "log.db-shm"):  # an operator's rm, an unmounted disk
            (tmp_path / name).unlink(missing_ok=True)
    finally:
        os.kill(worker.pid, signal.SIGCONT)
    out, err = worker.communicate(timeout=60)
    assert worker.returncode == 3, (out, err)
    assert "was deleted or replaced while" in err
    assert len(read_posts(tmp_path / "fake-posts.jsonl")) == 1  # the post went out; the log says so
    assert "accepted delivery #1 (rilis -> fake) as fake-1" in err and "resolve 1 --sent" in err
