"""`crosspost inbox` and `crosspost metrics` end to end, as real processes on real files: two
simulated platforms (one answering 429), the website without an access log; the log a SQLite file
or a real PostgreSQL (``database = "postgresql://..."``)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from conftest import REPO, Cli, cli_env
from pg_helpers import drop_schema, fresh_schema, require_pg

EXAMPLE = REPO / "examples" / "siaran-pers-lumbung-sosial.md"


@pytest.fixture(params=["sqlite", "postgres"])
def office(request, tmp_path) -> Iterator[Cli]:
    """The office's folder; its log a SQLite file, or a fresh schema on the test PostgreSQL."""
    database, extra, schema = "log.db", {}, None
    if request.param == "postgres":
        import psycopg
        from psycopg import sql

        url, password = require_pg()
        schema = fresh_schema()
        with psycopg.connect(url, password=password, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        database = f"{url}?options={quote(f'-csearch_path={schema}')}"
        extra = {"CROSSPOST_DATABASE_PASSWORD": password}
    work = tmp_path / "work"
    work.mkdir()
    (work / "channels.toml").write_text(
        f'timezone = "Asia/Jakarta"\ndatabase = "{database}"\n'
        '[inbox]\naduan_extra = ["beras basi"]\n'
        '[channels.website]\ntype = "website"\nsite_dir = "site"\nbase_url = "https://www.kemensos.go.id"\n'
        '[channels.fb]\ntype = "fake"\nposts_file = "fb-posts.jsonl"\nengagement_file = "fb.json"\n'
        'url_base = "https://fb.example/posts/"\n'
        '[channels.yt]\ntype = "fake"\nposts_file = "yt-posts.jsonl"\nengagement_file = "yt.json"\n',
        encoding="utf-8",
    )
    yield Cli(work, cli_env(tmp_path, **extra))
    if schema:
        assert not (work / "log.db").exists()  # it ran on PostgreSQL, not on a file beside it
        drop_schema(schema)


def test_fetch_list_done_purge_and_metrics(office: Cli) -> None:
    code, doc = office.json("publish", str(EXAMPLE))
    assert code == 0, doc
    now = time.time()
    comments = [
        {"id": "c1", "author": "Siti Aminah", "text": "Pak, bantuan saya belum cair", "created_at": now - 60},
        {"id": "c2", "author": "Budi", "text": "Kapan pendaftaran dibuka?", "created_at": now - 120},
        {"id": "c3", "author": "Agus", "text": "Mantap, terima kasih", "created_at": now - 180},
        {"id": "c0", "author": "Lama", "text": "beras basi di gudang", "created_at": now - 400 * 86400},
    ]
    (office.cwd / "fb.json").write_text(
        json.dumps(
            {
                "fake-1": {
                    "comments": comments,
                    "metrics": {"views": 1000, "reach": 700, "likes": 40, "comments": 4, "shares": 3},
                }
            }
        )
    )
    (office.cwd / "yt.json").write_text(json.dumps({"fake-1": {"fail": "429"}}))

    code, doc = office.json("inbox", "fetch")
    assert code == 6, doc  # yt waits for its rate limit; fb went on regardless
    runs = {r["channel"]: r for r in doc["channels"]}
    assert (runs["fb"]["new"], runs["fb"]["aduan"], runs["fb"]["error"]) == (4, 2, None)
    assert runs["yt"]["error_kind"] == "retry" and "website" not in runs
    code, doc = office.json("inbox", "fetch", "-c", "fb")
    assert code == 0 and doc["channels"][0]["new"] == 0  # incremental: nothing new

    code, doc = office.json("inbox", "--aduan")
    assert code == 0
    assert [r["text"] for r in doc["replies"]] == ["Pak, bantuan saya belum cair", "beras basi di gudang"]
    first = doc["replies"][0]
    assert first["post_url"] == "https://fb.example/posts/fake-1" and first["reply_url"].endswith("#cc1")
    code, doc = office.json("inbox", "--release", "#1", "--channel", "fb", "--pertanyaan")
    assert [r["author"] for r in doc["replies"]] == ["Budi"]
    plain = office("inbox", "-n", "2")
    assert plain.returncode == 0 and "ADUAN" in plain.stdout and "TANYA" in plain.stdout
    assert "https://fb.example/posts/fake-1" in plain.stdout

    code, doc = office.json("inbox", "done", f"#{first['id']}", "--by", "Rina", "--note", "dihubungi via DM")
    assert code == 0 and doc["reply"]["handled"]["by"] == "Rina"
    code, doc = office.json("inbox", "--aduan", "--open")
    assert [r["text"] for r in doc["replies"]] == ["beras basi di gudang"]
    missing = office("inbox", "done", "999", "--by", "Rina")
    assert missing.returncode == 2 and "999" in missing.stderr

    code, doc = office.json("metrics", "fetch")
    assert code == 6, doc
    runs = {r["channel"]: r for r in doc["channels"]}
    assert runs["fb"]["new"] == 1 and runs["yt"]["error_kind"] == "retry"
    assert runs["website"]["skipped"] and "access_log" in runs["website"]["skipped"][0]

    code, doc = office.json("inbox", "purge")
    assert code == 0 and doc["deleted"] == 1 and doc["keep_days"] == 365
    audit = office("audit")
    assert audit.returncode == 0
    release = next(json.loads(line) for line in audit.stdout.splitlines() if '"type": "release"' in line)
    assert release["inbox"] == {"replies": 3, "handled": 1, "aduan": 1, "pertanyaan": 1, "lainnya": 1}
    assert "Siti Aminah" not in audit.stdout and "belum cair" not in audit.stdout


def test_an_unknown_inbox_key_is_refused(office: Cli) -> None:
    toml = office.cwd / "channels.toml"
    toml.write_text(toml.read_text().replace("aduan_extra", "aduan_ekstra"))
    proc = office("inbox")
    assert proc.returncode == 2 and "aduan_ekstra" in proc.stderr
