"""The CLI end to end, as real processes on real files."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from conftest import REPO, cli_env

EXAMPLE = REPO / "examples" / "siaran-pers-lumbung-sosial.md"
SDKS = ("tweepy", "facebook", "instagrapi", "googleapiclient")


def loaded_sdks(tmp_path, *argv: str) -> list[str]:
    code = ("import sys\nfrom crosspost.cli import main\nsys.argv = ['crosspost', *sys.argv[1:]]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            f"print('MODULES', sorted({{m.split('.')[0] for m in sys.modules}} & set({SDKS!r})))")
    proc = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True,
                          env=cli_env(tmp_path), cwd=tmp_path, timeout=60)
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("MODULES")][-1]
    return eval(line.split(" ", 1)[1])


def test_help_and_preview_import_no_sdk(tmp_path):
    assert loaded_sdks(tmp_path, "--help") == []
    assert loaded_sdks(tmp_path, "preview", str(EXAMPLE), "--json") == []


def test_help_teaches_the_commands(cli):
    proc = cli("--help")
    assert proc.returncode == 0
    for command in ("preview", "publish", "status", "log", "auth", "init"):
        assert command in proc.stdout


def test_preview_json_has_every_configured_channel(cli):
    code, doc = cli.json("preview", str(EXAMPLE))
    assert code == 0, doc
    shown = [(v["channel"], v["enabled"]) for v in doc["variants"]]
    assert shown == [("website", True), ("instagram", False)]
    assert doc["variants"][0]["problems"] == []
    assert doc["release"]["slug"]


def test_publish_writes_site_and_log_then_is_idempotent(cli):
    code, doc = cli.json("publish", str(EXAMPLE))
    assert code == 0, doc
    [delivery] = doc["deliveries"]
    assert delivery["status"] == "sent"
    assert delivery["url"].startswith("https://www.kemensos.go.id/")
    assert (cli.cwd / "site" / "index.html").is_file()
    db = sqlite3.connect(cli.cwd / "log.db")
    events_before = db.execute("select count(*) from events").fetchone()[0]
    code, again = cli.json("publish", str(EXAMPLE))
    assert code == 0
    assert again["deliveries"][0]["url"] == delivery["url"]
    assert db.execute("select count(*) from deliveries").fetchone()[0] == 1
    assert db.execute("select count(*) from events").fetchone()[0] == events_before
    code, rows = cli.json("status")
    assert [r["status"] for r in rows] == ["sent"]
    code, events = cli.json("log")
    assert any(e["to_status"] == "sent" for e in events)


def test_dry_run_writes_nothing(cli):
    proc = cli("publish", str(EXAMPLE), "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert not (cli.cwd / "log.db").exists()
    assert not (cli.cwd / "site").exists()


def test_bad_release_exit_2_names_file_and_queues_nothing(cli, corpus):
    proc = cli("publish", str(corpus / "08-edge-yaml-rusak.md"))
    assert proc.returncode == 2
    assert "08-edge-yaml-rusak.md" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (cli.cwd / "log.db").exists()


def test_problem_on_an_enabled_channel_blocks_the_whole_release(cli, corpus):
    proc = cli("publish", str(corpus / "04-berita-terkini-singkat.md"), "--channel", "website",
               "--channel", "instagram")
    assert proc.returncode == 2
    assert "instagram" in proc.stderr and "nothing queued" in proc.stderr
    assert not (cli.cwd / "log.db").exists()
    # leaving the channel out lets the rest go
    proc = cli("publish", str(corpus / "04-berita-terkini-singkat.md"), "--channel", "website")
    assert proc.returncode == 0, proc.stderr


def test_scheduled_publish_says_when_in_both_zones_and_who_sends_it(cli):
    proc = cli("--lang", "en", "publish", str(EXAMPLE), "--at", "2099-12-01 09:00 WITA")
    assert proc.returncode == 0, proc.stderr
    said = " ".join(proc.stdout.split())
    assert "scheduled for 2099-12-01 09:00 WITA (2099-12-01 08:00 WIB)" in said
    assert "`crosspost run` (cron) sends it then" in said


def test_a_time_already_past_is_refused_and_nothing_is_queued(cli):
    proc = cli("--lang", "en", "publish", str(EXAMPLE), "--at", "2020-01-01 09:00")
    assert proc.returncode == 2 and "already past" in proc.stderr
    assert not (cli.cwd / "log.db").exists() or not sqlite3.connect(cli.cwd / "log.db").execute(
        "SELECT count(*) FROM deliveries").fetchone()[0]


def test_scheduled_publish_queues_without_sending(cli):
    code, doc = cli.json("publish", str(EXAMPLE), "--at", "2099-12-01 09:00 WITA")
    assert code == 0, doc
    [d] = doc["deliveries"]
    assert d["status"] == "queued"
    assert d["not_before"] == datetime(2099, 12, 1, 1, 0, tzinfo=UTC).timestamp()
    assert not (cli.cwd / "site").exists()


def test_unknown_channel_and_missing_file(cli):
    proc = cli("preview", str(EXAMPLE), "--channel", "tiktok")
    assert proc.returncode == 2 and "tiktok" in proc.stderr
    proc = cli("preview", "nope.md")
    assert proc.returncode == 2 and "nope.md" in proc.stderr


def test_init_scaffolds_and_refuses_to_overwrite(tmp_path):
    env = cli_env(tmp_path)
    target = tmp_path / "kantor"
    proc = subprocess.run([sys.executable, "-m", "crosspost", "init", str(target)], env=env,
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (target / "channels.toml").is_file() and (target / "templates" / "website.j2").is_file()
    examples = sorted((target / "examples").glob("*.md"))
    assert examples
    again = subprocess.run([sys.executable, "-m", "crosspost", "init", str(target)], env=env,
                           capture_output=True, text=True, cwd=tmp_path)
    assert again.returncode == 2 and "refusing to overwrite" in again.stderr
    # the scaffolded folder works as it is
    proc = subprocess.run([sys.executable, "-m", "crosspost", "preview", str(examples[0]), "--json"],
                          env=env, capture_output=True, text=True, cwd=target)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["variants"][0]["channel"] == "website"


def test_preview_html_for_the_approver(cli):
    out = cli.cwd / "pratinjau.html"
    proc = cli("preview", str(EXAMPLE), "--html", str(out))
    assert proc.returncode == 0, proc.stderr
    page = out.read_text("utf-8")
    assert '<html lang="id"' in page and "Lumbung Sosial" in page
    assert "<script" not in page.lower()
    # a photo story goes to no YouTube channel: the approver's page says so, and why
    with open(cli.cwd / "channels.toml", "a", encoding="utf-8") as fh:
        fh.write('[channels.youtube]\ntype = "youtube"\n')
    proc = cli("preview", str(REPO / "examples" / "berita-foto-hksn-2026.md"), "--html", str(out))
    page = out.read_text("utf-8")
    assert re.search(r'<li class="dilewati">– youtube: tidak diterbitkan \([^)]*video', page), page[-3000:]


def test_publish_at_flags_credentials_that_expire_before_the_post(cli, tmp_path):
    """A YouTube app still in Google's "Testing" mode loses its refresh token 7 days after
    consent: a post scheduled later than that is flagged when it is scheduled."""
    with open(cli.cwd / "channels.toml", "a", encoding="utf-8") as fh:
        fh.write('[channels.youtube]\ntype = "youtube"\ntesting_app = true\n')
    secrets = tmp_path / "state" / "secrets"
    secrets.mkdir(parents=True)
    (secrets / "youtube.token").write_text("{}")
    (secrets / "youtube.token_issued").write_text(str(datetime(2099, 1, 1, tzinfo=UTC).timestamp()))
    proc = cli("publish", str(EXAMPLE), "--set", "video_id=abc123XYZ", "--at", "2099-03-01 09:00")
    assert proc.returncode == 0, proc.stderr
    assert "youtube" in proc.stderr and "crosspost auth youtube" in proc.stderr
    quiet = cli("publish", str(EXAMPLE), "--set", "video_id=abc123XYZ", "--at", "2099-01-02 09:00")
    assert "crosspost auth youtube" not in quiet.stderr  # before the expiry: nothing to say


def test_init_says_cd_first_and_ignores_secrets_log_and_site(tmp_path):
    env = cli_env(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "crosspost", "--lang", "en", "init", "kantor"], env=env,
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    steps = proc.stdout.split("next steps:", 1)[1].splitlines()
    assert steps[1].strip() == "1. cd kantor"
    assert "crosspost preview examples/" in steps[3]  # a path that works after the cd
    ignored = (tmp_path / "kantor" / ".gitignore").read_text("utf-8").split()
    assert {".crosspost/", "*.db", "site/"} <= set(ignored)


def test_config_is_found_in_a_parent_folder_and_the_command_says_so(tmp_path):
    office = tmp_path / "kantor"
    (office / "rilis" / "2026").mkdir(parents=True)
    (office / "channels.toml").write_text('database = "log.db"\n[channels.website]\ntype = "website"\n'
                                          'site_dir = "site"\n', encoding="utf-8")
    env = cli_env(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "crosspost", "--lang", "en", "status"], env=env,
                          capture_output=True, text=True, cwd=office / "rilis" / "2026")
    assert proc.returncode == 0, proc.stderr
    assert f"using {office / 'channels.toml'} (log: {office / 'log.db'})" in " ".join(proc.stderr.split())


def test_config_beside_the_release_file_is_found_from_another_folder(tmp_path):
    office = tmp_path / "kantor"
    office.mkdir()
    (office / "channels.toml").write_text('[channels.website]\ntype = "website"\nsite_dir = "situs"\n',
                                          encoding="utf-8")
    shutil.copytree(EXAMPLE.parent, office / "examples")
    release = office / "examples" / EXAMPLE.name
    elsewhere = tmp_path / "lain"
    elsewhere.mkdir()
    env = cli_env(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "crosspost", "--lang", "en", "preview", str(release),
                           "--json"], env=env, capture_output=True, text=True, cwd=elsewhere)
    assert proc.returncode in (0, 1), proc.stderr
    assert "using " + str(office / "channels.toml") in " ".join(proc.stderr.split())


def test_without_any_config_the_builtin_one_is_named_with_its_folder(tmp_path):
    env = cli_env(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "crosspost", "--lang", "en", "status"], env=env,
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    said = " ".join(proc.stderr.split())
    assert "using the built-in one" in said and str(tmp_path / "state") in said


def test_a_release_is_named_by_number_slug_start_or_file(cli):
    other = REPO / "examples" / "berita-foto-hksn-2026.md"
    for release in (EXAMPLE, other):
        assert cli("publish", str(release), "--now").returncode == 0
    ids = dict(sqlite3.connect(cli.cwd / "log.db").execute("SELECT slug, id FROM releases").fetchall())
    lumbung = next(s for s in ids if s.startswith("kemensos-resmikan"))
    for handle in (str(ids[lumbung]), f"#{ids[lumbung]}", "kemensos-res", lumbung, str(EXAMPLE)):
        code, got = cli.json("status", handle)
        assert code == 0 and {r["release"] for r in got} == {lumbung}, handle
    assert f"#{ids[lumbung]} " in " ".join(cli("status").stdout.split())  # the number is shown
    proc = cli("--lang", "en", "status", "zzz-tidak-ada")
    assert proc.returncode == 2 and "no release 'zzz-tidak-ada'" in proc.stderr
    proc = cli("--lang", "en", "log", "--release", "")
    assert proc.returncode == 0  # no filter given: every release


def test_an_ambiguous_start_of_a_slug_is_refused_with_the_candidates(tmp_path):
    from crosspost.config import load_config
    from crosspost.errors import InputError
    from crosspost.models import Release
    from crosspost.publishing import release_slug
    from crosspost.store import Store

    store = Store.open(tmp_path / "log.db")
    for slug in ("bantuan-banjir-bekasi", "bantuan-banjir-bogor"):
        when = datetime(2026, 12, 1, tzinfo=UTC)
        store.save_release(Release(slug=slug, title=slug, body="Isi.", date=when))
    cfg = load_config(REPO / "channels.toml")
    assert release_slug(cfg, store, "bantuan-banjir-bo") == "bantuan-banjir-bogor"
    with pytest.raises(InputError, match="bantuan-banjir-bekasi, bantuan-banjir-bogor"):
        release_slug(cfg, store, "bantuan-banjir")


def test_who_did_it_is_the_office_person_not_only_the_os_login(cli):
    """--by, else CROSSPOST_USER, else [office] operator: every mutating command records the person."""
    toml = cli.cwd / "channels.toml"
    toml.write_text(toml.read_text("utf-8") + '[office]\nname = "Kemensos"\noperator = "Sari"\n', "utf-8")
    assert cli("publish", str(EXAMPLE), "--at", "2099-12-01 09:00").returncode == 0
    assert cli("pause", "--reason", "masa berkabung").returncode == 0  # no --by: the operator
    cli.env["CROSSPOST_USER"] = "Budi"
    assert cli("resume").returncode == 0
    assert cli("cancel", "#1").returncode == 0
    assert cli("pause", "--reason", "krisis", "--by", "Rina").returncode == 0
    db = sqlite3.connect(cli.cwd / "log.db")
    pauses = db.execute("SELECT actor, lifted_by FROM pauses ORDER BY id").fetchall()
    assert pauses[0] == ("Sari", "Budi") and pauses[1][0] == "Rina"
    actors = [a for (a,) in db.execute("SELECT actor FROM events WHERE to_status = 'cancelled'")]
    assert actors and set(actors) == {"Budi"}
    queued = [a for (a,) in db.execute("SELECT actor FROM events WHERE to_status = 'queued'")]
    assert queued and set(queued) == {"Sari"}  # publish too: the person, not the OS account


def test_links_are_printed_whole_on_an_80_column_terminal(cli):
    cli.env["COLUMNS"] = "80"
    proc = cli("--lang", "id", "publish", str(EXAMPLE))
    assert proc.returncode == 0, proc.stderr
    url = json.loads(cli("status", "--json").stdout)[0]["url"]
    assert len(url) > 40
    lines = proc.stdout.splitlines()
    assert "Tautan:" in lines and any(line.strip().endswith(url) for line in lines), proc.stdout
    assert "…" not in proc.stdout
    status = cli("--lang", "id", "status").stdout
    assert any(line.strip().endswith(url) for line in status.splitlines()), status


def test_preview_shows_every_configured_channel_and_a_summary(cli):
    """The shipped layout: the website on, instagram off. Both are shown; only the website decides."""
    proc = cli("--lang", "id", "preview", str(EXAMPLE))
    assert proc.returncode == 0, proc.stderr
    out = " ".join(proc.stdout.split())
    assert "instagram (instagram)" in out and "nonaktif: tidak akan dikirim" in out
    assert "<p>" not in proc.stdout, "the website panel is readable text, not HTML"
    last = proc.stdout.strip().splitlines()[-1]
    assert last == "2/2 siap"
    code, doc = cli.json("preview", str(EXAMPLE))
    by = {v["channel"]: v for v in doc["variants"]}
    assert by["website"]["enabled"] and not by["instagram"]["enabled"]
    assert by["website"]["text"].lstrip().startswith("<")  # JSON keeps the HTML


def test_preview_summary_names_each_problem_and_a_disabled_one_does_not_fail(cli, tmp_path):
    text_only = tmp_path / "rilis.md"
    text_only.write_text("---\ntitle: Rilis Tanpa Foto\ndate: 2026-12-01T09:00:00+07:00\n---\nIsi rilis.\n",
                         encoding="utf-8")
    proc = cli("--lang", "id", "preview", str(text_only))
    assert proc.returncode == 0, proc.stdout + proc.stderr  # instagram cannot carry it: skipped
    *_, summary, last = proc.stdout.strip().splitlines()
    assert summary == "1/1 siap" and last.startswith("instagram: ") and "gambar" in last
    proc = cli("--lang", "id", "preview", str(text_only), "-c", "instagram")
    assert proc.returncode == 1  # asked for by name: its problem counts


def test_auth_check_says_missing_or_refused_and_exits_1(cli):
    toml = cli.cwd / "channels.toml"
    toml.write_text(toml.read_text("utf-8") + '[channels.twitter]\ntype = "twitter"\n'
                    '[channels.situs]\ntype = "wordpress"\nurl = "http://127.0.0.1:9"\nusername = "humas"\n',
                    "utf-8")
    proc = cli("--lang", "en", "auth", "twitter", "--check")
    assert proc.returncode == 1 and "api_key: missing (CROSSPOST_TWITTER_API_KEY)" in proc.stdout
    secret = "abcd EFGH ijkl MNOP qrst UVWX"
    cli.env["CROSSPOST_SITUS_APPLICATION_PASSWORD"] = secret
    proc = cli("--lang", "en", "auth", "situs", "--check", "--offline")
    assert proc.returncode == 0 and "not verified with the platform (offline)" in proc.stdout
    proc = cli("--lang", "en", "auth", "situs", "--check")  # nothing listens on port 9
    assert proc.returncode == 1 and "not accepted by the platform" in proc.stdout, proc.stdout + proc.stderr
    assert secret not in proc.stdout + proc.stderr
