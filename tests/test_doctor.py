"""`crosspost doctor` and the credential-expiry warnings, on real files, real HTTP clients
(`responses`) and a loopback HTTP server. Nothing reaches the internet."""

from __future__ import annotations

import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest
import responses
from conftest import REPO

from crosspost import credentials, doctor
from crosspost.adapt import adapt_one
from crosspost.channels.base import PublishContext
from crosspost.channels.facebook import FacebookChannel
from crosspost.channels.facebook import Limits as FbLimits
from crosspost.channels.facebook import Settings as FbSettings
from crosspost.channels.twitter import Limits as XLimits
from crosspost.channels.twitter import Settings as XSettings
from crosspost.channels.twitter import TwitterChannel
from crosspost.channels.youtube import Limits as YtLimits
from crosspost.channels.youtube import Settings as YtSettings
from crosspost.channels.youtube import YouTubeChannel
from crosspost.config import load_config
from crosspost.release import load_release
from crosspost.secrets import SecretStore
from crosspost.store import Store

EXAMPLE = REPO / "examples" / "siaran-pers-lumbung-sosial.md"
BASE = "https://www.kemensos.go.id"
TOKEN = "EAAGcanarytokenDoNotPrint123"
X_ENV = {"CROSSPOST_TWITTER_API_KEY": "k-canary", "CROSSPOST_TWITTER_API_SECRET": "s-canary",
         "CROSSPOST_TWITTER_ACCESS_TOKEN": "t-canary", "CROSSPOST_TWITTER_ACCESS_TOKEN_SECRET": "ts-canary"}
PLENTY = SimpleNamespace(free=50 * doctor.GB)
NOW = 1_800_000_000.0


def plenty(_path: Path) -> SimpleNamespace:
    return PLENTY


def no_network(url: str, method: str, timeout: float) -> int:
    raise AssertionError(f"doctor reached the network for {url}")


def write_config(folder: Path, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "channels.toml"
    path.write_text('timezone = "Asia/Jakarta"\ndatabase = "log.db"\n'
                    f'[channels.website]\ntype = "website"\nsite_dir = "site"\nbase_url = "{BASE}"\n'
                    + extra, encoding="utf-8")
    return path


def publish_site(config: Path) -> Path:
    """Publish the example release into the tmp site folder, in process."""
    cfg = load_config(config)
    channel = cfg.channel("website")
    release = load_release(EXAMPLE, cfg.timezone)
    adapted = adapt_one(release, channel, cfg.templates_dir)
    assert adapted.ok, adapted.problems
    channel.publish(adapted.variant, PublishContext(release=release))
    Store.open(cfg.database).close()
    return channel.site_dir


@pytest.fixture
def healthy(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("CROSSPOST_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("CROSSPOST_NO_KEYRING", "1")
    for key in list(os.environ):
        if key.startswith("CROSSPOST_") and key not in ("CROSSPOST_STATE_DIR", "CROSSPOST_NO_KEYRING"):
            monkeypatch.delenv(key)
    config = write_config(tmp_path / "work")
    publish_site(config)
    return config


def by_name(checks: list[doctor.Check]) -> dict[str, doctor.Check]:
    return {c.name: c for c in checks}


# -- the whole run ---------------------------------------------------------------------------
def test_healthy_setup_is_all_ok(healthy):
    checks = doctor.run_checks(healthy, doctor.Options(disk_usage=plenty, fetch=no_network))
    assert [c for c in checks if c.status != "ok"] == []
    names = set(by_name(checks))
    assert {"config", "credentials website", "template website", "database", "disk database",
            "website website"} <= names
    assert "integrity ok" in by_name(checks)["database"].detail
    assert "every internal link" in by_name(checks)["website website"].detail
    assert doctor.exit_code(checks) == 0


def test_cli_healthy_exit_0_and_json_parses(cli):
    site_cfg = cli.cwd / "channels.toml"
    publish_site_env(cli, site_cfg)
    proc = cli("doctor", "--offline")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "fail" not in [line.split()[0] for line in proc.stdout.splitlines()[:-1]]
    code, doc = cli.json("doctor", "--offline")
    assert code == 0
    assert isinstance(doc, list) and doc
    assert {"name", "status", "detail", "fix"} <= set(doc[0])
    assert any(c["name"] == "website website" and c["status"] == "ok" for c in doc)


def publish_site_env(cli, config: Path) -> None:
    import subprocess
    import sys

    code = ("import sys; sys.path.insert(0, sys.argv[1]); sys.path.insert(0, sys.argv[2])\n"
            "from pathlib import Path\nimport test_doctor\ntest_doctor.publish_site(Path(sys.argv[3]))\n")
    proc = subprocess.run([sys.executable, "-c", code, str(REPO), str(REPO / "tests"), str(config)],
                          cwd=cli.cwd, env=cli.env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_cli_missing_credentials_fail_with_auth_fix(cli):
    toml = cli.cwd / "channels.toml"
    toml.write_text(toml.read_text("utf-8") + '[channels.twitter]\ntype = "twitter"\n', encoding="utf-8")
    proc = cli("doctor", "--offline")
    assert proc.returncode == 1
    line = next(ln for ln in proc.stdout.splitlines() if "credentials twitter" in ln)
    assert line.startswith("fail")
    assert "missing api_key" in line and "crosspost auth twitter" in line
    assert "CROSSPOST_TWITTER_ACCESS_TOKEN" in line


def test_bad_channel_key_is_a_fail_line(tmp_path, monkeypatch):
    monkeypatch.setenv("CROSSPOST_STATE_DIR", str(tmp_path / "state"))
    config = write_config(tmp_path / "w", '[channels.facebook]\ntype = "facebook"\nenabled = false\n'
                          'colour = "red"\n')
    checks = by_name(doctor.run_checks(config, doctor.Options(offline=True, disk_usage=plenty)))
    bad = checks["config facebook"]
    assert bad.status == "fail" and "colour" in bad.detail and "[channels.facebook]" in bad.fix
    assert "config" not in checks  # no "all valid" line when something is not
    assert checks["website website"].status == "ok"  # the rest is still checked


def test_wrong_type_and_unknown_top_level_key(tmp_path, monkeypatch):
    monkeypatch.setenv("CROSSPOST_STATE_DIR", str(tmp_path / "state"))
    config = write_config(tmp_path / "w", "[doctor]\nexpiry_warning_days = \"soon\"\n")
    [check] = doctor.run_checks(config, doctor.Options(offline=True))
    assert check.status == "fail" and "expiry_warning_days must be int" in check.detail
    config.write_text("colour = 1\n" + config.read_text("utf-8").replace('"soon"', "3"), encoding="utf-8")
    [check] = doctor.run_checks(config, doctor.Options(offline=True))
    assert check.status == "fail" and "colour" in check.detail


def test_doctor_settings_are_read(tmp_path, monkeypatch):
    monkeypatch.setenv("CROSSPOST_STATE_DIR", str(tmp_path / "state"))
    cfg = load_config(write_config(tmp_path / "w", "[doctor]\nexpiry_warning_days = 3\ntimeout = 2\n"))
    assert cfg.doctor.expiry_warning_days == 3 and cfg.doctor.timeout == 2.0


# -- the website ---------------------------------------------------------------------------
def test_missing_image_fails_naming_page_and_link(healthy):
    site = healthy.parent / "site"
    [image] = list(site.glob("siaran-pers/*/*.jpg"))
    image.unlink()
    checks = by_name(doctor.run_checks(healthy, doctor.Options(offline=True, disk_usage=plenty)))
    bad = checks["website website"]
    assert bad.status == "fail"
    article = f"siaran-pers/{image.parent.name}/index.html"
    assert f"{article} -> {image.name} (image)" in bad.detail
    assert "index.html -> siaran-pers/" in bad.detail  # the home page's card image too


def test_broken_link_and_feed_entry(healthy):
    site = healthy.parent / "site"
    home = site / "index.html"
    home.write_text(home.read_text("utf-8").replace("</main>", '<a href="tidak-ada/index.html">x</a></main>'),
                    encoding="utf-8")
    scan = doctor.linkcheck.scan_site(site, BASE)
    assert [(b.page, b.link, b.kind) for b in scan.broken] == [("index.html", "tidak-ada/index.html", "link")]
    [article] = [p for p in site.glob("siaran-pers/*/") if p.is_dir()]
    for file in article.iterdir():
        file.unlink()
    article.rmdir()
    kinds = {b.kind for b in doctor.linkcheck.scan_site(site, BASE).broken if b.page == "feed.xml"}
    assert kinds == {"feed entry"}


def test_site_not_generated_yet_is_ok(tmp_path):
    [check] = doctor.check_site("website", tmp_path / "site", BASE, offline=True)
    assert check.status == "ok" and "not generated yet" in check.detail


class _Handler(BaseHTTPRequestHandler):
    hits: list[tuple[str, str]] = []

    def _answer(self, body: bool) -> None:
        self.hits.append((self.command, self.path))
        status = 200 if self.path == "/ada" else 405 if self.path == "/no-head" and self.command == "HEAD" \
            else 200 if self.path == "/no-head" else 404
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        if body:
            self.wfile.write(b"ok")

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(False)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(True)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def loopback():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Handler.hits = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_external_links_against_loopback_server(tmp_path, loopback):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(
        f'<html><body><a href="{loopback}/ada">ok</a> <a href="{loopback}/hilang">gone</a>'
        f'<a href="{loopback}/no-head">head refused</a> <a href="mailto:humas@example.go.id">m</a>'
        '</body></html>', encoding="utf-8")
    checks = doctor.check_site("website", site, BASE, timeout=5)
    internal, links = checks
    assert internal.status == "ok"
    assert links.status == "warn" and links.name == "links website"
    assert f"index.html -> {loopback}/hilang (HTTP 404)" in links.detail
    assert "1 of 3" in links.detail and "/ada" not in links.detail and "no-head" not in links.detail
    assert ("HEAD", "/ada") in _Handler.hits and ("GET", "/ada") not in _Handler.hits
    assert ("GET", "/no-head") in _Handler.hits  # HEAD refused: GET decides
    offline = doctor.check_site("website", site, BASE, offline=True)
    assert [c.name for c in offline] == ["website website"]


def test_external_link_cap_and_unreachable(tmp_path):
    calls: list[str] = []

    def fetch(url, method, timeout):
        calls.append(url)
        raise ConnectionRefusedError("refused")

    results, skipped = doctor.linkcheck.check_external(
        [f"http://127.0.0.1:9/{i}" for i in range(5)], timeout=1, workers=2, limit=3, fetch=fetch)
    assert skipped == 2 and len(results) == 3
    assert all(not good and "no answer" in detail for _u, good, detail in results)
    assert len(calls) == 6  # HEAD then GET for each of the 3


# -- credentials work ---------------------------------------------------------------------------
def twitter(tmp_path: Path) -> TwitterChannel:
    env = {k: v for k, v in X_ENV.items()}
    return TwitterChannel("twitter", XSettings(type="twitter"), XLimits(),
                          secrets=SecretStore("twitter", tmp_path, env=env, use_keyring=False))


def facebook(tmp_path: Path, page_id: str = "1234") -> FacebookChannel:
    secrets = SecretStore("facebook", tmp_path, env={"CROSSPOST_FACEBOOK_PAGE_ACCESS_TOKEN": TOKEN},
                          use_keyring=False)
    return FacebookChannel("facebook", FbSettings(type="facebook", page_id=page_id), FbLimits(),
                           secrets=secrets)


@responses.activate
def test_twitter_whoami(tmp_path):
    responses.get("https://api.x.com/2/users/me",
                  json={"data": {"id": "42", "name": "Kemensos RI", "username": "KemensosRI"}})
    check = doctor.check_whoami(twitter(tmp_path), 5)
    assert check == doctor.Check("login twitter", "ok", "logged in as @KemensosRI")
    assert "OAuth" in responses.calls[0].request.headers["Authorization"]
    responses.replace(responses.GET, "https://api.x.com/2/users/me", status=401,
                      json={"title": "Unauthorized", "detail": "Unauthorized", "status": 401})
    check = doctor.check_whoami(twitter(tmp_path), 5)
    assert check.status == "fail" and "crosspost auth twitter" in check.fix
    assert not any(v in check.detail for v in X_ENV.values())


@responses.activate
def test_facebook_whoami_and_wrong_token(tmp_path):
    url = "https://graph.facebook.com/v26.0/me"
    responses.get(url, json={"id": "1234", "name": "Kementerian Sosial RI"})
    check = doctor.check_whoami(facebook(tmp_path), 5)
    assert check.status == "ok" and "Kementerian Sosial RI (Page 1234)" in check.detail
    assert responses.calls[0].request.params["fields"] == "id,name"
    check = doctor.check_whoami(facebook(tmp_path, page_id="999"), 5)
    assert check.status == "fail" and "not for Page 999" in check.detail
    responses.replace(responses.GET, url, status=400, json={"error": {
        "message": "Error validating access token: Session has expired", "type": "OAuthException",
        "code": 190}})
    check = doctor.check_whoami(facebook(tmp_path), 5)
    assert check.status == "fail" and "crosspost auth facebook" in check.fix
    assert TOKEN not in check.detail + check.fix


def test_whoami_that_hangs_is_a_warning(tmp_path):
    channel = twitter(tmp_path)
    release = threading.Event()
    channel.whoami = lambda timeout: release.wait(5)  # type: ignore[method-assign]
    started = time.monotonic()
    check = doctor.check_whoami(channel, 0.05)
    release.set()
    assert time.monotonic() - started < 3
    assert check.status == "warn" and "no answer" in check.detail


# -- credential expiry -------------------------------------------------------------------------
@responses.activate
def test_facebook_token_expiring_soon_warns(tmp_path):
    now = time.time()
    responses.get("https://graph.facebook.com/v26.0/debug_token", json={"data": {
        "is_valid": True, "expires_at": 0, "data_access_expires_at": int(now + 3 * 86400)}})
    channel = facebook(tmp_path)
    [check] = doctor.check_expiry(channel, now, 14)
    assert check.status == "warn" and "(in 3 day(s))" in check.detail
    assert "crosspost auth facebook" in check.fix
    request = responses.calls[0].request
    assert request.params["input_token"] == TOKEN and request.params["access_token"] == TOKEN
    assert TOKEN not in check.detail
    [check] = doctor.check_expiry(channel, now, 1)
    assert check.status == "ok"
    [check] = doctor.check_expiry(channel, now + 4 * 86400, 14)
    assert check.status == "fail" and "expired" in check.detail


@responses.activate
def test_facebook_token_that_never_expires(tmp_path):
    responses.get("https://graph.facebook.com/v26.0/debug_token",
                  json={"data": {"is_valid": True, "expires_at": 0, "data_access_expires_at": 0}})
    assert facebook(tmp_path).credentials_expire_at() is None
    [check] = doctor.check_expiry(facebook(tmp_path), time.time(), 14)
    assert check.status == "ok" and "do not expire" in check.detail


@responses.activate
def test_expiry_warnings_cache_schedule_and_once_per(tmp_path):
    now = time.time()
    responses.get("https://graph.facebook.com/v26.0/debug_token", json={"data": {
        "is_valid": True, "expires_at": int(now + 20 * 86400)}})
    channel = facebook(tmp_path)
    channel.state_dir = tmp_path / "state"
    assert credentials.expiry_warnings([channel], now, 14) == []
    assert len(responses.calls) == 1
    [line] = credentials.expiry_warnings([channel], now, 14, scheduled_at=now + 25 * 86400)
    assert line.startswith("facebook: the credentials expire on ") and "before the post scheduled" in line
    assert len(responses.calls) == 1  # answered from <state_dir>/expiry.json
    assert TOKEN not in (tmp_path / "state" / "expiry.json").read_text("utf-8")
    [line] = credentials.expiry_warnings([channel], now, 30, once_per=86400)
    assert "crosspost auth facebook" in line
    assert credentials.expiry_warnings([channel], now + 60, 30, once_per=86400) == []  # said already today
    assert len(credentials.expiry_warnings([channel], now + 60, 30)) == 1
    # new credentials: the cached answer is not reused
    channel.secrets.env = {"CROSSPOST_FACEBOOK_PAGE_ACCESS_TOKEN": TOKEN + "new"}
    credentials.expiry_warnings([channel], now + 120, 14)
    assert len(responses.calls) == 2


def test_expiry_warnings_never_raise(tmp_path):
    channel = facebook(tmp_path)
    channel.state_dir = tmp_path / "state"

    def broken():
        raise RuntimeError("network down")

    channel.credentials_expire_at = broken  # type: ignore[method-assign]
    assert credentials.expiry_warnings([channel], time.time(), 14) == []


def youtube(tmp_path: Path, testing: bool = True) -> YouTubeChannel:
    return YouTubeChannel("youtube", YtSettings(type="youtube", testing_app=testing), YtLimits(),
                          secrets=SecretStore("youtube", tmp_path, env={}, use_keyring=False))


def test_youtube_testing_app_refresh_token_lasts_7_days(tmp_path):
    channel = youtube(tmp_path)
    assert channel.credentials_expire_at() is None  # not authorized yet
    channel.secrets.path("token").write_text("{}", encoding="utf-8")
    channel.record_token_issued(NOW)
    assert channel.credentials_expire_at() == NOW + 7 * 86400
    [check] = doctor.check_expiry(channel, NOW + 6.5 * 86400, 14)
    assert check.status == "warn" and "(in 12 hour(s))" in check.detail
    assert youtube(tmp_path, testing=False).credentials_expire_at() is None
    channel.secrets.path("token_issued").unlink()  # authorized before crosspost recorded the time
    assert abs(channel.credentials_expire_at() - (time.time() + 7 * 86400)) < 60


def test_instagrapi_session_age(tmp_path):
    from crosspost.channels.instagram import InstagramChannel
    from crosspost.channels.instagram import Limits as IgLimits
    from crosspost.channels.instagram import Settings as IgSettings

    channel = InstagramChannel("ig", IgSettings(type="instagram", backend="instagrapi", username="humas",
                                                session_max_days=30), IgLimits(),
                               secrets=SecretStore("ig", tmp_path, env={}, use_keyring=False))
    assert channel.credentials_expire_at() is None
    channel.secrets.path("session").write_text(json.dumps({"last_login": NOW}), encoding="utf-8")
    assert channel.credentials_expire_at() == NOW + 30 * 86400
    assert doctor.check_credentials(channel).status == "ok"
    assert doctor.expiry_is_local(channel)


def test_twitter_tokens_do_not_expire(tmp_path):
    assert twitter(tmp_path).credentials_expire_at() is None


# -- offline, templates, database, disk -----------------------------------------------------------
def test_offline_skips_every_network_check(healthy, monkeypatch):
    toml = healthy.read_text("utf-8") + ('[channels.twitter]\ntype = "twitter"\n'
                                         '[channels.facebook]\ntype = "facebook"\npage_id = "1"\n')
    healthy.write_text(toml, encoding="utf-8")
    for key, value in X_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("CROSSPOST_FACEBOOK_PAGE_ACCESS_TOKEN", TOKEN)
    home = healthy.parent / "site" / "index.html"
    home.write_text(home.read_text("utf-8").replace("</main>", '<a href="https://example.org/">x</a></main>'),
                    encoding="utf-8")

    def boom(*_a, **_k):
        raise AssertionError("network used offline")

    originals = [(cls, name, getattr(cls, name)) for cls, name in (
        (TwitterChannel, "whoami"), (FacebookChannel, "whoami"), (FacebookChannel, "credentials_expire_at"))]
    for cls, name, _original in originals:
        monkeypatch.setattr(cls, name, boom)
    checks = by_name(doctor.run_checks(healthy, doctor.Options(offline=True, disk_usage=plenty,
                                                               fetch=no_network)))
    assert checks["credentials twitter"].status == "ok" and checks["credentials facebook"].status == "ok"
    assert not any(n.startswith(("login ", "links ", "expiry facebook")) for n in checks)
    assert checks["expiry twitter"].status == "ok"  # local: X tokens do not expire
    for cls, name, original in originals:
        monkeypatch.setattr(cls, name, original)
    with responses.RequestsMock() as mocked:  # online: the who-am-I calls do happen
        mocked.get("https://api.x.com/2/users/me", json={"data": {"id": "1", "name": "n", "username": "u"}})
        mocked.get("https://graph.facebook.com/v26.0/me", json={"id": "1", "name": "Page"})
        mocked.get("https://graph.facebook.com/v26.0/debug_token", json={"data": {"expires_at": 0}})
        seen: list[str] = []
        online = by_name(doctor.run_checks(healthy, doctor.Options(
            disk_usage=plenty, fetch=lambda url, method, timeout: seen.append(url) or 200)))
    assert online["login twitter"].status == "ok" and online["login facebook"].status == "ok"
    assert online["links website"].status == "ok" and seen == ["https://example.org/"]


def test_broken_template_fails(tmp_path, monkeypatch):
    monkeypatch.setenv("CROSSPOST_STATE_DIR", str(tmp_path / "state"))
    config = write_config(tmp_path / "w", "")
    config.write_text('templates = "templates"\n' + config.read_text("utf-8"), encoding="utf-8")
    (tmp_path / "w" / "templates").mkdir()
    (tmp_path / "w" / "templates" / "website.j2").write_text("{{ release.body }\n", encoding="utf-8")
    checks = by_name(doctor.run_checks(config, doctor.Options(offline=True, disk_usage=plenty)))
    bad = checks["template website"]
    assert bad.status == "fail" and "website.j2 does not render" in bad.detail
    assert not (tmp_path / "state" / "derived").exists()  # the sample leaves nothing behind


def test_template_problem_on_sample_fails(tmp_path):
    channel = facebook(tmp_path, page_id="")
    check = doctor.check_template(channel, None)
    assert check.status == "fail" and "page_id" in check.detail


def test_database_missing_then_ok(tmp_path):
    db = tmp_path / "log.db"
    check = doctor.check_database(db)
    assert check.status == "ok" and "not created yet" in check.detail and not db.exists()
    Store.open(db).close()
    assert "integrity ok" in doctor.check_database(db).detail
    db.write_bytes(b"this is not a database" * 100)
    assert doctor.check_database(db).status == "fail"


def test_disk_thresholds(tmp_path):
    def free(n):
        return lambda _p: SimpleNamespace(free=n)

    assert doctor.check_disk("db", tmp_path / "not" / "yet", usage=free(2 * doctor.GB)).status == "ok"
    low = doctor.check_disk("db", tmp_path, usage=free(500 * doctor.MB))
    assert low.status == "warn" and "500 MB" in low.detail
    assert doctor.check_disk("db", tmp_path, usage=free(50 * doctor.MB)).status == "fail"
    assert doctor.check_disk("db", tmp_path, warn_bytes=10, fail_bytes=5, usage=free(7)).status == "warn"


def test_format_line_says_what_to_do():
    line = doctor.format_line(doctor.fail("credentials x", "missing api_key", "run `crosspost auth x`"))
    assert line == "fail  credentials x: missing api_key -> run `crosspost auth x`"
    assert doctor.exit_code([doctor.ok("a", "b"), doctor.warn("c", "d")]) == 0


# -- run prints the warnings ------------------------------------------------------------------
def test_run_warns_about_expiring_youtube_token(cli):
    toml = cli.cwd / "channels.toml"
    toml.write_text(toml.read_text("utf-8") + '[channels.youtube]\ntype = "youtube"\ntesting_app = true\n'
                    "[doctor]\nexpiry_warning_days = 3\n", encoding="utf-8")
    secrets = Path(cli.env["CROSSPOST_STATE_DIR"]) / "secrets"
    secrets.mkdir(parents=True)
    (secrets / "youtube.token").write_text("{}", encoding="utf-8")
    (secrets / "youtube.token_issued").write_text(str(time.time() - 5 * 86400), encoding="utf-8")
    proc = cli("run", "--quiet")
    assert "warning: youtube: the credentials expire on" in proc.stderr
    assert "(in 2 day(s)): run `crosspost auth youtube` before then" in proc.stderr
    assert "warning" not in cli("run", "--quiet").stderr  # once a day under cron
    assert "warning: youtube" in cli("run").stderr  # every time at a terminal


def test_overdue_deliveries_ask_whether_cron_runs(tmp_path):
    """A queued delivery past its time by more than the grace means nobody runs `crosspost run`."""
    from datetime import UTC, datetime

    from crosspost.models import Release, Variant
    from crosspost.store import Store

    store = Store.open(tmp_path / "log.db")
    now = 1_800_000_000.0
    for slug, due in (("telat", now - 12 * 60), ("baru", now - 60), ("nanti", now + 3600)):
        rid = store.save_release(Release(slug=slug, title=slug, body="Isi.",
                                         date=datetime(2026, 12, 1, tzinfo=UTC)))
        store.enqueue(rid, [Variant(channel="x", kind="fake", text="t")], due, now - 3600)
    assert doctor.overdue(store, now) == [12 * 60]
    store.pause("krisis", "Rina", now - 10)
    assert doctor.overdue(store, now) == [], "the pause is why, not cron"
