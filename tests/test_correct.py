"""Corrections (ralat): the ralat file, the plan, each channel's correct(), and the CLI end to end."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs

import pytest
import requests
import responses
from conftest import REPO, Cli, cli_env

from crosspost.adapt import adapt
from crosspost.channels.base import PublishContext
from crosspost.channels.facebook import FacebookChannel
from crosspost.channels.facebook import Limits as FbLimits
from crosspost.channels.facebook import Settings as FbSettings
from crosspost.channels.instagram import InstagramChannel
from crosspost.channels.instagram import Limits as IgLimits
from crosspost.channels.instagram import Settings as IgSettings
from crosspost.channels.twitter import Limits as XLimits
from crosspost.channels.twitter import Settings as XSettings
from crosspost.channels.twitter import TwitterChannel
from crosspost.channels.website import Limits as WebLimits
from crosspost.channels.website import Settings as WebSettings
from crosspost.channels.website import WebsiteChannel
from crosspost.clock import FakeClock
from crosspost.correct import Ralat, correction_slug, load_ralat, plan_correction
from crosspost.deliver import Engine
from crosspost.errors import InputError, UnknownOutcome
from crosspost.models import Receipt, Release, Variant
from crosspost.release import load_release
from crosspost.secrets import SecretStore
from crosspost.store import Store

WIB = timezone(timedelta(hours=7))
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=WIB).timestamp()  # a Monday
SLUG = "bantuan-banjir-bekasi"
LINK = "https://www.kemensos.go.id/siaran-pers/bantuan-banjir-bekasi/"
NOTE = "Tertulis 1.200 penerima; yang benar **12.000** penerima."
GRAPH = "https://graph.facebook.com/v26.0"
EXAMPLE = REPO / "examples" / "siaran-pers-lumbung-sosial.md"


def release(**kw) -> Release:
    base = dict(slug=SLUG, title="Bantuan Banjir Bekasi",
                body="Kemensos menyalurkan bantuan.\n\nParagraf dua.",
                date=datetime(2026, 11, 28, 9, 0, tzinfo=WIB), link=LINK)
    base.update(kw)
    return Release(**base)


def original(store: Store, items: list[tuple[Variant, Receipt | None]], rel: Release | None = None,
             not_sent: tuple[str, ...] = ()) -> None:
    """The original release in the log: each variant sent with its receipt, except `not_sent`."""
    rid = store.save_release(rel or release(), now=NOW - 3600)
    for d, (v, r) in zip(store.enqueue(rid, [v for v, _ in items], None, NOW - 3600), items, strict=True):
        if v.channel in not_sent:
            store.cancel(d.id, NOW - 3500)
        else:
            store.resolve(d.id, NOW - 3500, r)


def plan(store: Store, channels: dict, note: str = NOTE, **kw):
    return plan_correction(store, channels.__getitem__, SLUG, Ralat(note, **kw), NOW, "Asia/Jakarta")


def ctx(rel: Release, progress: dict | None = None) -> PublishContext:
    return PublishContext(release=rel, progress=dict(progress or {}), now=lambda: NOW)


# -- the ralat file ---------------------------------------------------------------------------------
def test_ralat_file_with_bom_crlf_and_title(tmp_path):
    path = tmp_path / "ralat.md"
    path.write_bytes(b"\xef\xbb\xbf---\r\ntitle: Ralat jumlah penerima\r\n---\r\n" + NOTE.encode() + b"\r\n")
    ralat = load_ralat(path)
    assert ralat.title == "Ralat jumlah penerima"
    assert ralat.note == NOTE
    assert ralat.plain == "Tertulis 1.200 penerima; yang benar 12.000 penerima."


def test_ralat_file_without_front_matter_in_cp1252(tmp_path):
    path = tmp_path / "ralat.txt"
    path.write_bytes("Nama pejabat yang benar: Dra. Siti \u2013 Direktur.".encode("cp1252"))
    ralat = load_ralat(path)
    assert ralat.title == "" and "\u2013" in ralat.note
    assert ralat.warnings  # it says the file should be saved as UTF-8


def test_ralat_errors_name_file_and_line(tmp_path):
    path = tmp_path / "ralat.md"
    path.write_text("---\ntitle: Ralat\ndate: 2026-11-30\n---\nTeks.\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"ralat\.md:3: unknown key 'date'"):
        load_ralat(path)
    path.write_text("---\ntitle: Ralat\n---\n\n", encoding="utf-8")
    with pytest.raises(InputError, match="the ralat is empty"):
        load_ralat(path)


# -- website --------------------------------------------------------------------------------------
def website(tmp_path: Path) -> WebsiteChannel:
    return WebsiteChannel("website", WebSettings(type="website", site_dir="site",
                                                 base_url="https://www.kemensos.go.id"),
                          WebLimits(), base_dir=tmp_path, state_dir=tmp_path)


def test_website_correction_keeps_the_original_and_updates_the_feed(tmp_path):
    clock = FakeClock(NOW - 3600)
    web = website(tmp_path)
    rel = load_release(EXAMPLE)
    store = Store.open(tmp_path / "log.db")
    [adapted] = adapt(rel, [web])
    rid = store.save_release(rel, now=clock.now())
    store.enqueue(rid, [adapted.variant], None, clock.now())
    assert Engine(store, {"website": web}, clock).run_once().exit_code == 0
    folder = tmp_path / "site" / rel.section / rel.slug
    before = (folder / "index.html").read_text("utf-8")
    feed_before = (tmp_path / "site" / "feed.xml").read_text("utf-8")

    clock.set(NOW)
    p = plan_correction(store, {"website": web}.__getitem__, rel.slug,
                        Ralat("Tertulis 25 lumbung; yang benar <b>26</b> lumbung.<script>x()</script>"),
                        clock.now(), "Asia/Jakarta")
    assert p.ok and [v.kind for v in p.variants] == ["website"]
    _id, deliveries = store.save_correction(rel.slug, p.release, p.variants, clock.now())
    report = Engine(store, p.channels, clock).run_once(delivery_ids=[d.id for d in deliveries])
    [d] = report.deliveries
    assert d.status == "sent" and d.url.endswith(f"/{rel.slug}/#ralat-1")

    page = (folder / "index.html").read_text("utf-8")
    assert "Ralat, Senin, 30 November 2026:" in page
    assert "<b>26</b>" in page and "<script>" not in page  # the note is sanitised
    assert 'href="versi-1.html"' in page
    body_start = before.index('<div class="isi">')
    assert before[body_start + 200: body_start + 600] in page  # the article itself is unchanged
    history = (folder / "versi-1.html").read_text("utf-8")
    assert "Ralat, Senin" not in history and 'content="noindex"' in history
    assert before[body_start: body_start + 600] in history  # the original wording, kept
    entry = json.loads((tmp_path / "site" / "_articles.json").read_text())["articles"][0]
    assert entry["corrections"][0]["number"] == 1 and entry["corrections"][0]["previous"] == "versi-1.html"
    assert entry["updated"] != entry["published"]
    feed = (tmp_path / "site" / "feed.xml").read_text("utf-8")
    updated = re.search(r"<entry>.*?<updated>(.*?)</updated>", feed, re.S).group(1)
    assert updated == "2026-11-30T03:00:00+00:00" and updated not in feed_before
    assert (folder / "lumbung-sosial-kupang.jpg").is_file()  # media are not pruned

    # republishing the original (e.g. a retry) keeps the ralat and the history
    web.publish(adapted.variant, ctx(rel))
    assert "Ralat, Senin, 30 November 2026:" in (folder / "index.html").read_text("utf-8")
    assert (folder / "versi-1.html").is_file()
    # lookup sees the ralat; a second ralat gets number 2 and its own history file
    assert web.lookup_correction(p.variants[0], ctx(p.release)).remote_id.endswith("#ralat-1")
    p2 = plan_correction(store, {"website": web}.__getitem__, rel.slug, Ralat("Ralat kedua."),
                         clock.now(), "Asia/Jakarta")
    assert p2.release.slug == correction_slug(rel.slug, 2)
    assert web.lookup_correction(p2.variants[0], ctx(p2.release)) is None
    web.correct(p2.variants[0], ctx(p2.release))
    page = (folder / "index.html").read_text("utf-8")
    assert page.index('id="ralat-2"') < page.index('id="ralat-1"')  # newest first
    assert "Ralat, Senin" in (folder / "versi-2.html").read_text("utf-8")


# -- Facebook ---------------------------------------------------------------------------------------
def facebook(tmp_path: Path) -> FacebookChannel:
    secrets = SecretStore("facebook", tmp_path, env={"CROSSPOST_FACEBOOK_PAGE_ACCESS_TOKEN": "tok-fb"},
                          use_keyring=False)
    return FacebookChannel("facebook", FbSettings(type="facebook", page_id="1029"), FbLimits(),
                           secrets=secrets, base_dir=tmp_path, state_dir=tmp_path)


FB_TEXT = "Bantuan Banjir Bekasi\n\nKemensos menyalurkan bantuan. " + LINK


@responses.activate
def test_facebook_post_is_edited_with_the_ralat_first(tmp_path):
    fb = facebook(tmp_path)
    store = Store.open(tmp_path / "log.db")
    original(store, [(Variant("facebook", "facebook", FB_TEXT, link=LINK),
                      Receipt("1029_555", "https://www.facebook.com/1029_555"))])
    p = plan(store, {"facebook": fb})
    [v] = p.variants
    responses.post(f"{GRAPH}/1029_555", json={"success": True})
    receipt = fb.correct(v, ctx(p.release))
    message = parse_qs(responses.calls[0].request.body)["message"][0]
    assert message.startswith("RALAT: Tertulis 1.200 penerima; yang benar 12.000 penerima. Selengkapnya: "
                              + LINK)
    assert message.endswith(FB_TEXT)  # the original wording stays below the ralat
    assert receipt.remote_id == "1029_555" and receipt.extra["edited"] is True
    assert "tok-fb" not in message

    # lookup: not edited yet -> None (editing again is harmless); edited -> the post
    responses.get(f"{GRAPH}/1029_555", json={"id": "1029_555", "message": FB_TEXT})
    assert fb.lookup_correction(v, ctx(p.release)) is None
    responses.replace(responses.GET, f"{GRAPH}/1029_555", json={"id": "1029_555", "message": message,
                                                                 "permalink_url": "https://fb.example/p"})
    assert fb.lookup_correction(v, ctx(p.release)).url == "https://fb.example/p"


def test_second_facebook_ralat_builds_on_the_first(tmp_path):
    fb = facebook(tmp_path)
    store = Store.open(tmp_path / "log.db")
    original(store, [(Variant("facebook", "facebook", FB_TEXT), Receipt("1029_555"))])
    first = plan(store, {"facebook": fb})
    _rid, [d] = store.save_correction(SLUG, first.release, first.variants, NOW)
    store.resolve(d.id, NOW, Receipt("1029_555"))
    second = plan(store, {"facebook": fb}, note="Tanggal yang benar 29 November.")
    assert second.release.slug == f"{SLUG}--ralat-2"
    text = second.variants[0].text
    assert text.startswith("RALAT: Tanggal yang benar") and first.variants[0].text in text


@responses.activate
def test_facebook_edit_rate_limit_is_retry_not_unknown(tmp_path):
    from crosspost.errors import RetryLater

    fb = facebook(tmp_path)
    store = Store.open(tmp_path / "log.db")
    original(store, [(Variant("facebook", "facebook", FB_TEXT), Receipt("1029_555"))])
    [v] = plan(store, {"facebook": fb}).variants
    responses.post(f"{GRAPH}/1029_555", body=requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(RetryLater):  # an edit is idempotent: safe to do again
        fb.correct(v, ctx(release()))


# -- X ----------------------------------------------------------------------------------------------
def twitter(tmp_path: Path, **settings) -> TwitterChannel:
    env = {"CROSSPOST_X_API_KEY": "ck", "CROSSPOST_X_API_SECRET": "cs",
           "CROSSPOST_X_ACCESS_TOKEN": "42-at", "CROSSPOST_X_ACCESS_TOKEN_SECRET": "ats"}
    return TwitterChannel("x", XSettings(type="twitter", username="kemensos", **settings), XLimits(),
                          secrets=SecretStore("x", tmp_path, env=env, use_keyring=False),
                          base_dir=tmp_path, state_dir=tmp_path)


@responses.activate
def test_x_gets_a_reply_to_the_first_part_of_the_thread(tmp_path):
    x = twitter(tmp_path)
    store = Store.open(tmp_path / "log.db")
    original(store, [(Variant("x", "twitter", "utas", parts=("a (1/2)", "b (2/2)")),
                      Receipt("111", "https://x.com/kemensos/status/111", {"parts": ["111", "112"]}))])
    p = plan(store, {"x": x})
    [v] = p.variants
    assert v.text == f"RALAT: Tertulis 1.200 penerima; yang benar 12.000 penerima. Selengkapnya: {LINK}"
    bodies = []

    def answer(request):
        bodies.append(json.loads(request.body))
        return 201, {}, json.dumps({"data": {"id": "999", "text": "RALAT"}})

    responses.add_callback(responses.POST, "https://api.x.com/2/tweets", callback=answer)
    saved = {}
    c = ctx(p.release)
    c.save_progress = saved.update
    receipt = x.correct(v, c)
    assert bodies == [{"text": v.text, "reply": {"in_reply_to_tweet_id": "111"}}]
    assert receipt.remote_id == "999" and receipt.url == "https://x.com/kemensos/status/999"
    assert saved == {"parts": ["999"]}
    # a retry after the reply was recorded does not reply twice
    assert x.correct(v, ctx(p.release, {"parts": ["999"]})).remote_id == "999"
    assert len(bodies) == 1


@responses.activate
def test_x_reply_timeout_is_unknown_never_blind_retry(tmp_path):
    x = twitter(tmp_path)
    store = Store.open(tmp_path / "log.db")
    original(store, [(Variant("x", "twitter", "satu"), Receipt("111"))])
    [v] = plan(store, {"x": x}).variants
    responses.post("https://api.x.com/2/tweets", body=requests.exceptions.ReadTimeout("timed out"))
    with pytest.raises(UnknownOutcome):
        x.correct(v, ctx(release()))


def test_x_reply_too_long_is_a_problem(tmp_path):
    store = Store.open(tmp_path / "log.db")
    original(store, [(Variant("x", "twitter", "satu"), Receipt("111"))])
    p = plan(store, {"x": twitter(tmp_path)}, note="kata " * 80)
    assert not p.ok
    assert p.problems[0].channel == "x" and p.problems[0].limit == 280


# -- Instagram --------------------------------------------------------------------------------------
def instagram(tmp_path: Path, **settings) -> InstagramChannel:
    settings.setdefault("ig_user_id", "1784")
    env = {"CROSSPOST_IG_ACCESS_TOKEN": "tok-ig", "CROSSPOST_IG_PASSWORD": "pw"}
    ch = InstagramChannel("ig", IgSettings(type="instagram", **settings), IgLimits(),
                          SecretStore("ig", tmp_path / "state", env=env, use_keyring=False),
                          tmp_path, tmp_path / "state")
    ch.http_session = requests.Session()
    ch.sleep = lambda _s: None
    return ch


@responses.activate
def test_instagram_graph_comment_on_the_original(tmp_path):
    ig = instagram(tmp_path)
    store = Store.open(tmp_path / "log.db")
    original(store, [(Variant("ig", "instagram", "caption"),
                      Receipt("M1", "https://www.instagram.com/p/M1x/"))])
    p = plan(store, {"ig": ig})
    [v] = p.variants
    responses.post(f"{GRAPH}/M1/comments", json={"id": "C77"})
    receipt = ig.correct(v, ctx(p.release))
    form = {k: val[0] for k, val in parse_qs(responses.calls[0].request.body).items()}
    assert form["message"] == v.text and v.text.startswith("RALAT: Tertulis")
    assert receipt.remote_id == "C77" and receipt.url == "https://www.instagram.com/p/M1x/"
    # reconcile finds the comment by its text
    responses.get(f"{GRAPH}/M1/comments", json={"data": [{"id": "C1", "text": "mantap"},
                                                         {"id": "C77", "text": v.text}]})
    assert ig.lookup_correction(v, ctx(p.release)).remote_id == "C77"


def test_instagram_private_comment_through_instagrapi(tmp_path):
    ig = instagram(tmp_path, backend="instagrapi", username="kemensos.ri", image_base_url="")
    calls = []

    class Stub:
        user_id = 1

        def login(self, username, password, relogin=False):
            calls.append(("login", username))

        def dump_settings(self, path):
            Path(path).write_text("{}")

        def media_comment(self, media_id, text):
            calls.append(("media_comment", media_id, text))
            return SimpleNamespace(pk=555, text=text)

    ig.client_factory = Stub
    store = Store.open(tmp_path / "log.db")
    original(store, [(Variant("ig", "instagram", "caption"), Receipt("3100_4242", "https://ig/p/x/"))])
    [v] = plan(store, {"ig": ig}).variants
    assert ig.correct(v, ctx(release())).remote_id == "555"
    assert calls[-1] == ("media_comment", "3100_4242", v.text)


# -- YouTube ----------------------------------------------------------------------------------------
def youtube(tmp_path: Path, answers: list):
    from googleapiclient.http import HttpMockSequence

    from crosspost.channels.youtube import Limits as YtLimits
    from crosspost.channels.youtube import Settings as YtSettings
    from crosspost.channels.youtube import YouTubeChannel
    from crosspost.channels.youtube_auth import SCOPES

    secrets = SecretStore("yt", tmp_path / "state", env={}, use_keyring=False)
    token = secrets.path("token")
    token.parent.mkdir(parents=True, exist_ok=True)
    token.write_text(json.dumps({"token": "tok-yt", "refresh_token": "r", "client_id": "c",
                                 "client_secret": "s", "token_uri": "https://oauth2.googleapis.com/token",
                                 "scopes": SCOPES,
                                 "expiry": "2999-01-01T00:00:00Z"}))
    ch = YouTubeChannel("yt", YtSettings(type="youtube"), YtLimits(), secrets=secrets, base_dir=tmp_path,
                        state_dir=tmp_path / "state")
    mock = HttpMockSequence([({"status": "200"}, json.dumps(body)) for body in answers])
    ch.http_factory = lambda: mock
    return ch, mock


def test_youtube_description_is_updated_keeping_the_snippet(tmp_path):
    old = {"title": "Mengenal ATENSI", "description": "Deskripsi lama.", "tags": ["ATENSI"],
           "categoryId": "25", "defaultLanguage": "id", "channelId": "UC1"}
    yt, mock = youtube(tmp_path, [{"items": [{"id": "abc", "snippet": old}]}, {"id": "abc"}])
    store = Store.open(tmp_path / "log.db")
    original(store, [(Variant("yt", "youtube", "Deskripsi lama.", title="Mengenal ATENSI",
                              extra={"tags": ["ATENSI"]}),
                      Receipt("abc", "https://www.youtube.com/watch?v=abc"))])
    p = plan(store, {"yt": yt})
    assert p.ok
    [v] = p.variants
    receipt = yt.correct(v, ctx(p.release))
    assert receipt.remote_id == "abc" and receipt.extra["edited"] is True
    (u1, m1, _b1, _h1), (u2, m2, b2, _h2) = mock.request_sequence
    assert m1 == "GET" and "id=abc" in u1
    assert m2 == "PUT" and "part=snippet" in u2
    sent = json.loads(b2)
    assert sent["id"] == "abc"
    assert sent["snippet"] == {**old, "description": v.text}
    assert v.text.startswith("RALAT: Tertulis 1.200") and v.text.endswith("\n\nDeskripsi lama.")


def test_youtube_description_may_not_get_angle_brackets(tmp_path):
    yt, _ = youtube(tmp_path, [])
    store = Store.open(tmp_path / "log.db")
    original(store, [(Variant("yt", "youtube", "Deskripsi."), Receipt("abc"))])
    p = plan(store, {"yt": yt}, note="Yang benar: usia <18 tahun.")
    assert not p.ok and "< or >" in p.problems[0].message


# -- planning rules -------------------------------------------------------------------------------
def test_only_sent_channels_are_corrected_and_others_noted(tmp_path):
    fb, x = facebook(tmp_path), twitter(tmp_path)
    store = Store.open(tmp_path / "log.db")
    original(store, [(Variant("facebook", "facebook", FB_TEXT), Receipt("1029_555")),
                     (Variant("x", "twitter", "satu"), Receipt("111"))], not_sent=("x",))
    p = plan(store, {"facebook": fb, "x": x})
    assert [v.channel for v in p.variants] == ["facebook"]
    assert [(s.channel, "cancelled" in s.reason) for s in p.skipped] == [("x", True)]
    assert p.release.title == "Ralat: Bantuan Banjir Bekasi"
    assert p.variants[0].extra["original"]["remote_id"] == "1029_555"


def test_never_sent_release_cannot_be_corrected(tmp_path):
    store = Store.open(tmp_path / "log.db")
    original(store, [(Variant("x", "twitter", "satu"), None)], not_sent=("x",))
    with pytest.raises(InputError, match="never published"):
        plan(store, {"x": twitter(tmp_path)})
    with pytest.raises(InputError, match="no release 'nope'"):
        plan_correction(store, {}.__getitem__, "nope", Ralat(NOTE), NOW, "Asia/Jakarta")


# -- the CLI, end to end ------------------------------------------------------------------------------
@pytest.fixture
def site_and_fakes(tmp_path: Path) -> Cli:
    work = tmp_path / "work"
    work.mkdir()
    (work / "channels.toml").write_text(
        'timezone = "Asia/Jakarta"\ndatabase = "log.db"\n'
        '[channels.website]\ntype = "website"\nsite_dir = "site"\nbase_url = "https://www.kemensos.go.id"\n'
        '[channels.fakex]\ntype = "fake"\nposts_file = "posts.jsonl"\n'
        '[channels.fakebad]\ntype = "fake"\nposts_file = "bad.jsonl"\nscript = ["rejected"]\n'
        'max_attempts = 1\n', encoding="utf-8")
    (work / "ralat.md").write_bytes(b"---\r\ntitle: Ralat jumlah lumbung\r\n---\r\n"
                                    b"Tertulis 25 lumbung; yang benar 26 lumbung.\r\n")
    return Cli(work, cli_env(tmp_path))


def test_cli_correct_end_to_end(site_and_fakes):
    cli = site_and_fakes
    code, published = cli.json("publish", str(EXAMPLE))
    assert code == 1  # fakebad rejected the original
    slug = published["release"]["slug"]
    assert {d["channel"]: d["status"] for d in published["deliveries"]} == {
        "website": "sent", "fakex": "sent", "fakebad": "failed"}

    proc = cli("correct", slug, "--file", "ralat.md", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert "RALAT: Tertulis 25 lumbung" in proc.stdout and "fakebad" in proc.stderr
    db = sqlite3.connect(cli.cwd / "log.db")
    assert db.execute("select count(*) from releases").fetchone()[0] == 1  # dry run wrote nothing

    code, doc = cli.json("correct", slug, "--file", "ralat.md")
    assert code == 0, doc
    assert doc["correction"] == f"{slug}--ralat-1"
    assert {d["channel"]: d["status"] for d in doc["deliveries"]} == {"website": "sent", "fakex": "sent"}
    assert [s["channel"] for s in doc["skipped"]] == ["fakebad"]
    posts = [json.loads(line) for line in (cli.cwd / "posts.jsonl").read_text().splitlines()]
    assert len(posts) == 2
    assert posts[1]["text"].startswith("RALAT: Tertulis 25 lumbung; yang benar 26 lumbung.")
    assert "/siaran-pers/" in posts[1]["text"]  # it links the corrected article
    page = next((cli.cwd / "site").glob(f"*/{slug}/index.html")).read_text("utf-8")
    assert "Tertulis 25 lumbung; yang benar 26 lumbung." in page
    row = db.execute("select corrects from releases where slug = ?", (f"{slug}--ralat-1",)).fetchone()
    assert row[0] == 1

    code, rows = cli.json("status", slug)  # the original's status lists its correction too
    assert [(r["release"] == slug, r["channel"], r["status"]) for r in rows] == [
        (True, "website", "sent"), (True, "fakex", "sent"), (True, "fakebad", "failed"),
        (False, "website", "sent"), (False, "fakex", "sent")]
    code, events = cli.json("log", "--release", slug)
    assert any(e["release"] == slug and "ralat" in (e["detail"] or "") and e["delivery_id"] is None
               for e in events)
    assert any(e["release"] == f"{slug}--ralat-1" and e["to_status"] == "sent" for e in events)

    # the same ralat again: refused with its links, nothing posted, no second note (issue 12)
    proc = cli("correct", slug, "--file", "ralat.md")
    assert proc.returncode == 2 and f"{slug}--ralat-1" in proc.stderr and "--again" in proc.stderr
    assert "https://www.kemensos.go.id/" in proc.stderr  # the existing link
    assert len((cli.cwd / "posts.jsonl").read_text().splitlines()) == 2
    assert page.count("yang benar 26 lumbung") == next(
        (cli.cwd / "site").glob(f"*/{slug}/index.html")).read_text("utf-8").count("yang benar 26 lumbung")
    assert db.execute("select count(*) from releases").fetchone()[0] == 2
    proc = cli("correct", slug, "--file", "ralat.md", "--dry-run")  # a dry run says so too
    assert proc.returncode == 2

    code, again = cli.json("correct", slug, "--file", "ralat.md", "--again")  # on purpose: its own row
    assert code == 0 and again["correction"] == f"{slug}--ralat-2"
    assert len((cli.cwd / "posts.jsonl").read_text().splitlines()) == 3

    proc = cli("correct", f"{slug}--ralat-1", "--file", "ralat.md")
    assert proc.returncode == 2 and "itself a correction" in proc.stderr


def test_cli_correct_refuses_a_release_never_sent(site_and_fakes):
    cli = site_and_fakes
    proc = cli("publish", str(EXAMPLE), "--at", "2030-01-01 09:00")
    assert proc.returncode == 0, proc.stderr
    slug = json.loads(cli("status", "--json").stdout)[0]["release"]
    db = sqlite3.connect(cli.cwd / "log.db")
    before = db.execute("select count(*) from deliveries").fetchone()[0]
    proc = cli("correct", slug, "--file", "ralat.md")
    assert proc.returncode == 2
    assert "never published" in proc.stderr and "Traceback" not in proc.stderr
    assert db.execute("select count(*) from deliveries").fetchone()[0] == before
    assert db.execute("select count(*) from releases").fetchone()[0] == 1
    proc = cli("correct", "tidak-ada", "--file", "ralat.md")
    assert proc.returncode == 2 and "no release 'tidak-ada'" in proc.stderr


def test_correction_waits_for_approval_where_the_channel_requires_it(tmp_path):
    fb, x = facebook(tmp_path), twitter(tmp_path)
    store = Store.open(tmp_path / "log.db")
    original(store, [(Variant("facebook", "facebook", FB_TEXT), Receipt("1029_555")),
                     (Variant("x", "twitter", "satu"), Receipt("111"))])
    p = plan(store, {"facebook": fb, "x": x})
    _rid, rows = store.save_correction(SLUG, p.release, p.variants, NOW, awaiting={"x"})
    assert [(d.channel, d.status) for d in rows] == [("facebook", "queued"), ("x", "awaiting_approval")]
    assert [d.release_slug for d in store.deliveries(release=SLUG)] == [SLUG, SLUG, p.release.slug,
                                                                         p.release.slug]
    with pytest.raises(InputError, match="already exists"):  # a concurrent second ralat must re-plan
        store.save_correction(SLUG, p.release, p.variants, NOW)


def test_disabled_channel_is_skipped_with_a_note(tmp_path):
    x = TwitterChannel("x", XSettings(type="twitter", enabled=False), XLimits(), base_dir=tmp_path)
    store = Store.open(tmp_path / "log.db")
    original(store, [(Variant("facebook", "facebook", FB_TEXT), Receipt("1029_555")),
                     (Variant("x", "twitter", "satu"), Receipt("111"))])
    p = plan(store, {"facebook": facebook(tmp_path), "x": x})
    assert [v.channel for v in p.variants] == ["facebook"]
    assert p.skipped[0].channel == "x" and "disabled" in p.skipped[0].reason
