"""Issue 3's "Done when": with credentials present, `crosspost publish` on the corpus's normal
releases (01, 02, 03) and the project's examples posts to all five channels through the real
SDKs, and the log shows each remote id and URL.

The real CLI runs in-process (crosspost.cli.main with sys.argv set), so `responses` answers
tweepy (api.x.com) and facebook-sdk / the Instagram Graph backend (graph.facebook.com), and
YouTube's googleapiclient talks to an HttpMockSequence handed in through the channel's
``http_factory`` hook. Credentials come from CROSSPOST_<CHANNEL>_<KEY> variables and a real
OAuth token file. Nothing reaches the internet; nothing sleeps.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from googleapiclient.http import HttpMockSequence
from PIL import Image

from crosspost import cli
from crosspost.channels.youtube import YouTubeChannel
from crosspost.channels.youtube_auth import SCOPES

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus" / "releases"
EXAMPLES = REPO / "examples"

PAGE = "104857600123456"
IG = "17841400000000001"
GRAPH = "https://graph.facebook.com/v26.0"
X_API = "https://api.x.com"
YT_UPLOAD = "https://youtube.googleapis.com/upload/youtube/v3/videos"
YT_SESSION = f"{YT_UPLOAD}?uploadType=resumable&upload_id=UP1"
CHANNELS = ("website", "twitter", "facebook", "instagram", "youtube")
SECRETS = {
    "CROSSPOST_TWITTER_API_KEY": "consumer-key",
    "CROSSPOST_TWITTER_API_SECRET": "CANARY-x-consumer-secret",
    "CROSSPOST_TWITTER_ACCESS_TOKEN": "42-CANARY-x-access",
    "CROSSPOST_TWITTER_ACCESS_TOKEN_SECRET": "CANARY-x-access-secret",
    "CROSSPOST_FACEBOOK_PAGE_ACCESS_TOKEN": "CANARY-fb-page-token",
    "CROSSPOST_INSTAGRAM_ACCESS_TOKEN": "CANARY-ig-token",
}
YT_TOKEN = "CANARY-yt-access-token"

CONFIG = f"""
timezone = "Asia/Jakarta"
database = "log.db"

[channels.website]
type = "website"
site_dir = "site"
base_url = "https://www.kemensos.go.id"

[channels.twitter]
type = "twitter"
username = "KemensosRI"

[channels.facebook]
type = "facebook"
page_id = "{PAGE}"

[channels.instagram]
type = "instagram"
backend = "graph"
ig_user_id = "{IG}"

[channels.youtube]
type = "youtube"
privacy = "public"
"""


# ---- fake platforms -----------------------------------------------------------------------
def _multipart_field(body: bytes | str | None, name: str) -> str | None:
    raw = body if isinstance(body, bytes) else (body or "").encode()
    found = re.search(rb'name="' + name.encode() + rb'"\r\n\r\n([^\r]*)\r\n', raw)
    return found.group(1).decode() if found else None


def _form(body: bytes | str | None) -> dict[str, str]:
    text = body.decode() if isinstance(body, bytes) else (body or "")
    return {k: v[0] for k, v in parse_qs(text).items()}


class Platforms:
    """X, Facebook and Instagram Graph answered by `responses`; ids count up per platform."""

    def __init__(self, rsps: responses.RequestsMock) -> None:
        self.rsps = rsps
        self.n = 0
        self.tweets: list[dict] = []
        self.fb_photos: list[dict] = []
        self.fb_feed: list[dict] = []
        self.ig_images: list[str] = []
        self.ig_carousels: list[dict] = []
        self.ig_published: list[str] = []
        rsps.add_callback(responses.POST, f"{X_API}/2/media/upload", callback=self.x_upload)
        rsps.add_callback(responses.POST, f"{X_API}/2/media/metadata",
                          callback=lambda r: (200, {}, json.dumps({"data": {"id": "ok"}})))
        rsps.add_callback(responses.POST, f"{X_API}/2/tweets", callback=self.x_tweet)
        rsps.add_callback(responses.POST, f"{GRAPH}/{PAGE}/photos", callback=self.fb_photo)
        rsps.add_callback(responses.POST, f"{GRAPH}/{PAGE}/feed", callback=self.fb_post)
        rsps.add_callback(responses.POST, f"{GRAPH}/{IG}/media", callback=self.ig_container)
        rsps.add_callback(responses.POST, f"{GRAPH}/{IG}/media_publish", callback=self.ig_publish)
        ig_get = re.compile(rf"{re.escape(GRAPH)}/[^/?]+(/content_publishing_limit)?")
        rsps.add_callback(responses.GET, ig_get, callback=self.ig_get)

    def next(self) -> int:
        self.n += 1
        return self.n

    @staticmethod
    def ok(body: dict, status: int = 200):
        return status, {"content-type": "application/json"}, json.dumps(body)

    # X
    def x_upload(self, request):
        assert request.headers["Authorization"].startswith("OAuth ")
        return self.ok({"data": {"id": f"77{self.next():04d}", "media_key": "3_1"}})

    def x_tweet(self, request):
        assert request.headers["Authorization"].startswith("OAuth ")
        body = json.loads(request.body)
        self.tweets.append(body)
        return self.ok({"data": {"id": f"19{self.next():05d}", "text": body["text"]}}, 201)

    # Facebook Page
    def fb_photo(self, request):
        published = _multipart_field(request.body, "published")
        self.fb_photos.append({"published": published, "message": _multipart_field(request.body, "message")})
        n = self.next()
        if published == "false":
            return self.ok({"id": f"55{n:04d}"})
        return self.ok({"id": f"55{n:04d}", "post_id": f"{PAGE}_88{n:04d}"})

    def fb_post(self, request):
        self.fb_feed.append(_form(request.body))
        return self.ok({"id": f"{PAGE}_99{self.next():04d}"})

    # Instagram Graph
    def ig_container(self, request):
        form = _form(request.body)
        if form.get("media_type") == "CAROUSEL":
            self.ig_carousels.append(form)
        else:
            self.ig_images.append(form["image_url"])
        assert request.headers["Authorization"] == f"Bearer {SECRETS['CROSSPOST_INSTAGRAM_ACCESS_TOKEN']}"
        return self.ok({"id": f"C{self.next()}"})

    def ig_publish(self, request):
        media = f"179{self.next():05d}"
        self.ig_published.append(_form(request.body)["creation_id"])
        return self.ok({"id": media})

    def ig_get(self, request):
        path = urlsplit(request.url).path.rsplit("/", 2)
        if path[-1] == "content_publishing_limit":
            return self.ok({"data": [{"quota_usage": 2, "config": {"quota_total": 50}}]})
        ident = path[-1]
        if ident.startswith("C"):
            return self.ok({"status_code": "FINISHED", "status": "Finished"})
        return self.ok({"id": ident, "permalink": f"https://www.instagram.com/p/IG{ident}/"})


class YouTube:
    """The http_factory: each client() gets the next scripted HttpMockSequence."""

    def __init__(self) -> None:
        self.scripts: list[list] = []
        self.mocks: list[HttpMockSequence] = []

    def __call__(self) -> HttpMockSequence:
        assert self.scripts, "YouTube was called but no exchange was scripted"
        mock = HttpMockSequence(self.scripts.pop(0))
        self.mocks.append(mock)
        return mock

    def expect_upload(self, video_id: str, thumbnail: bool = True) -> None:
        script = [({"status": "200", "location": YT_SESSION}, ""),
                  ({"status": "200"}, json.dumps({"id": video_id, "status": {"privacyStatus": "public"}}))]
        if thumbnail:
            script.append(({"status": "200"}, json.dumps({"kind": "youtube#thumbnailSetResponse"})))
        self.scripts.append(script)

    def expect_update(self, video_id: str) -> None:
        snippet = {"title": "Video lama", "description": "", "categoryId": "22", "channelTitle": "Kemensos"}
        found = {"items": [{"id": video_id, "snippet": snippet}]}
        self.scripts.append([({"status": "200"}, json.dumps(found)),
                             ({"status": "200"}, json.dumps({"id": video_id, "snippet": snippet}))])

    @property
    def requests(self) -> list[tuple[str, str]]:
        return [(method, uri.split("?")[0]) for m in self.mocks for uri, method, _b, _h in m.request_sequence]


# ---- the CLI in-process -------------------------------------------------------------------
@pytest.fixture
def world(tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    (work / "channels.toml").write_text(CONFIG, encoding="utf-8")
    state = tmp_path / "state"
    for key in [k for k in __import__("os").environ if k.startswith("CROSSPOST_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("CROSSPOST_CONFIG", str(work / "channels.toml"))
    monkeypatch.setenv("CROSSPOST_STATE_DIR", str(state))
    monkeypatch.setenv("CROSSPOST_NO_KEYRING", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    for key, value in SECRETS.items():
        monkeypatch.setenv(key, value)
    token = state / "secrets" / "youtube.token"  # SecretStore("youtube").path("token")
    token.parent.mkdir(parents=True, mode=0o700)
    token.write_text(json.dumps({
        "token": YT_TOKEN, "refresh_token": "CANARY-yt-refresh",
        "client_id": "cid.apps.googleusercontent.com", "client_secret": "CANARY-yt-client", "token_uri": "https://oauth2.googleapis.com/token",
        "scopes": SCOPES, "expiry": "2999-01-01T00:00:00Z"}))
    token.chmod(0o600)
    youtube = YouTube()
    monkeypatch.setattr(YouTubeChannel, "http_factory", staticmethod(youtube))
    monkeypatch.chdir(work)

    def no_sleep(_s):
        raise AssertionError("a test slept for real")

    monkeypatch.setattr(time, "sleep", no_sleep)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield World(work, Platforms(rsps), youtube, rsps, monkeypatch)


class World:
    def __init__(self, work: Path, platforms: Platforms, youtube: YouTube, rsps, monkeypatch) -> None:
        self.work, self.platforms, self.youtube, self.rsps = work, platforms, youtube, rsps
        self.monkeypatch = monkeypatch
        self.transcript: list[str] = []

    def run(self, *args: str, capsys) -> tuple[int, str, str]:
        self.monkeypatch.setattr(sys, "argv", ["crosspost", *args])
        try:
            cli.main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out, err = capsys.readouterr()
        self.transcript += [out, err]
        return code, out, err

    def json(self, *args: str, capsys):
        code, out, err = self.run(*args, "--json", capsys=capsys)
        assert out, err
        return code, json.loads(out)

    @property
    def http_calls(self) -> int:
        return len(self.rsps.calls) + sum(len(m.request_sequence) for m in self.youtube.mocks)


# ---- the releases ------------------------------------------------------------------------
def corpus(name: str) -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not beside the checkout")
    return CORPUS / name


class Case:
    def __init__(self, path, images: int, youtube: tuple[str, str], *extra: str) -> None:
        self.path, self.images, self.youtube, self.extra = path, images, youtube, list(extra)


# Releases without a video update an existing video's snippet (video_id), as a Humas team does
# for a video uploaded by hand; release 03 uploads its own video.
CASES = {
    "01-banjir": Case(lambda: corpus("01-siaran-pers-banjir-bekasi.md"), 1, ("update", "bnjrBks2026"),
                      "--set", "video_id=bnjrBks2026"),
    "02-hdi-carousel": Case(lambda: corpus("02-berita-foto-hari-disabilitas.md"), 3,
                            ("update", "hdi2026Vid"), "--set", "video_id=hdi2026Vid", "--now"),
    "03-atensi-video": Case(lambda: corpus("03-berita-video-atensi.md"), 1, ("upload", "atensiVid01")),
    "example-hksn": Case(lambda: EXAMPLES / "berita-foto-hksn-2026.md", 2, ("update", "hksnVid2026"),
                         "--set", "video_id=hksnVid2026", "--now"),
    "example-lumbung": Case(lambda: EXAMPLES / "siaran-pers-lumbung-sosial.md", 1,
                            ("update", "lumbungVid1"), "--set", "video_id=lumbungVid1"),
    "example-docx": Case(lambda: EXAMPLES / "siaran-pers-sekolah-rakyat.docx", 1,
                         ("update", "sekolahVid1"), "--set", "video_id=sekolahVid1"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_publish_posts_to_all_five_channels_and_logs_every_link(world, capsys, case):
    c = CASES[case]
    path, extra, (yt_mode, yt_id), n_images = c.path(), c.extra, c.youtube, c.images
    if yt_mode == "upload":
        world.youtube.expect_upload(yt_id)
    else:
        world.youtube.expect_update(yt_id)

    code, out = world.json("publish", str(path), *extra, capsys=capsys)
    assert code == 0, out
    by_channel = {d["channel"]: d for d in out["deliveries"]}
    assert sorted(by_channel) == sorted(CHANNELS)
    assert {c: d["status"] for c, d in by_channel.items()} == dict.fromkeys(CHANNELS, "sent"), out
    slug = out["release"]["slug"]
    section = out["release"]["section"]
    p = world.platforms

    # website: the article on disk, its URL recorded
    site = by_channel["website"]
    assert site["remote_id"] == f"{section}/{slug}"
    assert site["url"] == f"https://www.kemensos.go.id/{section}/{slug}/"
    assert (world.work / "site" / section / slug / "index.html").is_file()

    # X: a post (or thread) with the release's images; the first part's id and URL
    x = by_channel["twitter"]
    first_tweet = x["remote_id"]
    assert re.fullmatch(r"19\d{5}", first_tweet)
    assert x["url"] == f"https://x.com/KemensosRI/status/{first_tweet}"
    assert p.tweets and "media" in p.tweets[0]
    assert all(t.get("reply") for t in p.tweets[1:])  # the rest of a thread replies in a chain

    # Facebook: photo post (one image) or unpublished photos attached to one feed post
    fb = by_channel["facebook"]
    assert re.fullmatch(rf"{PAGE}_(88|99)\d{{4}}", fb["remote_id"])
    assert fb["url"] == f"https://www.facebook.com/{fb['remote_id']}"
    if n_images > 1:
        assert [ph["published"] for ph in p.fb_photos] == ["false"] * n_images
        assert len(p.fb_feed) == 1 and "attached_media[0]" in p.fb_feed[0]
    else:
        assert len(p.fb_photos) == 1 and p.fb_feed == []

    # Instagram (Graph): containers from public URLs on the website, then media_publish
    ig = by_channel["instagram"]
    assert re.fullmatch(r"179\d{5}", ig["remote_id"])
    assert ig["url"] == f"https://www.instagram.com/p/IG{ig['remote_id']}/"
    assert len(p.ig_published) == 1
    article = site["url"]
    assert len(p.ig_images) == n_images and all(u.startswith(article) for u in p.ig_images)
    assert len(p.ig_carousels) == (1 if n_images > 1 else 0)
    for url in p.ig_images:  # each URL the Graph API fetches: a file in the article folder that
        with Image.open(world.work / "site" / section / slug / url[len(article):]) as im:  # it accepts
            assert im.format == "JPEG" and 320 <= im.width <= 1440 and 0.8 <= im.width / im.height <= 1.91

    # YouTube: uploaded (resumable) or the existing video's snippet updated
    yt = by_channel["youtube"]
    assert yt["remote_id"] == yt_id and yt["url"] == f"https://www.youtube.com/watch?v={yt_id}"
    if yt_mode == "upload":
        assert world.youtube.requests == [("POST", YT_UPLOAD), ("PUT", YT_UPLOAD),
                                          ("POST", f"{YT_UPLOAD.replace('/videos', '')}/thumbnails/set")]
    else:
        assert world.youtube.requests == [
            ("GET", "https://youtube.googleapis.com/youtube/v3/videos"),
            ("PUT", "https://youtube.googleapis.com/youtube/v3/videos")]
    for mock in world.youtube.mocks:
        assert all(h.get("authorization") == f"Bearer {YT_TOKEN}" for _u, _m, _b, h in mock.request_sequence)

    # status --json tells the same
    code, status = world.json("status", slug, capsys=capsys)
    assert code == 0
    assert {d["channel"]: (d["status"], d["remote_id"], d["url"]) for d in status} == {
        c: ("sent", d["remote_id"], d["url"]) for c, d in by_channel.items()}

    # the log shows each remote id and URL
    code, events = world.json("log", "--release", slug, capsys=capsys)
    assert code == 0
    sent = {e["channel"]: e["detail"] for e in events if e["to_status"] == "sent"}
    assert sorted(sent) == sorted(CHANNELS)
    for channel, d in by_channel.items():
        assert d["remote_id"] in sent[channel] and d["url"] in sent[channel]
    world.monkeypatch.setenv("COLUMNS", "1000")  # the table folds long cells at narrower widths
    code, text, _err = world.run("log", "--release", slug, capsys=capsys)
    assert code == 0
    for d in by_channel.values():
        assert f"{d['remote_id']} {d['url']}" in text

    # publishing again posts nothing: zero HTTP calls, the same links
    before = world.http_calls
    code, again = world.json("publish", str(path), *extra, capsys=capsys)
    assert code == 0
    assert world.http_calls == before
    assert {d["channel"]: (d["status"], d["remote_id"], d["url"]) for d in again["deliveries"]} == {
        c: ("sent", d["remote_id"], d["url"]) for c, d in by_channel.items()}

    # no secret reached the database or the output
    db = (world.work / "log.db").read_bytes()
    for value in [v for v in (*SECRETS.values(), YT_TOKEN) if "CANARY" in v]:
        assert value.encode() not in db
        assert all(value not in text for text in world.transcript)


def test_fitted_images_reach_instagram_within_its_limits(world, capsys):
    """Corpus 01's photo is 1600 px wide (Instagram takes 320-1440): the Graph API must fetch
    the fitted copy put beside the article, not the website's original."""
    path = corpus("01-siaran-pers-banjir-bekasi.md")
    world.youtube.expect_update("bnjrBks2026")
    code, out = world.json("publish", str(path), "--set", "video_id=bnjrBks2026", capsys=capsys)
    assert code == 0, out
    site = next(d for d in out["deliveries"] if d["channel"] == "website")
    folder = world.work / "site" / site["remote_id"]
    [url] = world.platforms.ig_images
    name = url[len(site["url"]):]
    assert name.startswith("ig-banjir-bekasi-1-") and name.endswith(".jpg")
    with Image.open(folder / name) as im:
        assert im.format == "JPEG" and im.size == (1440, 1080)
    with Image.open(folder / "banjir-bekasi-1.jpg") as im:  # the article keeps the original
        assert im.size == (1600, 1200)


# ---- upload progress ----------------------------------------------------------------------
def test_publish_shows_an_upload_bar_for_the_youtube_video(world, capsys, monkeypatch):
    import io

    from crosspost.cli import progress as upload_progress

    made: list[upload_progress.UploadBars] = []

    class Bars(upload_progress.UploadBars):
        def __init__(self) -> None:
            super().__init__(io.StringIO())
            made.append(self)

    monkeypatch.setattr(upload_progress, "UploadBars", Bars)
    monkeypatch.setattr(upload_progress, "wanted", lambda as_json, stream=None: not as_json)
    world.youtube.expect_upload("atensiVid01")
    path = corpus("03-berita-video-atensi.md")
    code, _out, _err = world.run("publish", str(path), capsys=capsys)
    assert code == 0
    [bars] = made
    [task] = bars.progress.tasks  # only YouTube reported bytes: one row
    size = (path.parent / "video" / "atensi.mp4").stat().st_size
    assert task.description.startswith("youtube: ") and (task.completed, task.total) == (size, size)
    assert not bars.started  # stopped after the run


def test_no_upload_bar_with_json_or_without_a_terminal():
    import io

    from crosspost.cli import progress as upload_progress

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert upload_progress.wanted(False, Tty()) is True
    assert upload_progress.wanted(True, Tty()) is False
    assert upload_progress.wanted(False, io.StringIO()) is False


def test_engine_hands_each_delivery_its_progress_callback(tmp_path):
    from datetime import UTC, datetime

    from crosspost.channels.fake import FakeChannel
    from crosspost.clock import FakeClock
    from crosspost.deliver import Engine
    from crosspost.models import Release, Variant
    from crosspost.store import Store

    seen: dict[str, object] = {}

    class Uploading(FakeChannel):
        def publish(self, variant, ctx):
            seen[self.name] = ctx.on_progress
            if ctx.on_progress is not None:
                ctx.on_progress(512, 1024)
                ctx.on_progress(1024, 1024)
            return super().publish(variant, ctx)

    clock = FakeClock(1_800_000_000.0)
    store = Store.open(tmp_path / "log.db")
    channels = {n: Uploading.create(n, tmp_path, posts_file=f"{n}.jsonl") for n in ("video", "text")}
    rid = store.save_release(Release(slug="rilis", title="Judul", body="Isi.",
                                     date=datetime(2026, 11, 20, tzinfo=UTC)))
    deliveries = store.enqueue(rid, [Variant(channel=n, kind="fake", text=n) for n in channels], None,
                               clock.now())
    calls: dict[tuple[int, str], list[tuple[int, int]]] = {}

    def factory(delivery):
        if delivery.channel != "video":
            return None
        got = calls.setdefault((delivery.id, delivery.channel), [])
        return lambda done, total: got.append((done, total))

    report = Engine(store, channels, clock, progress=factory).run_once()
    assert report.counts["sent"] == 2
    video = next(d for d in deliveries if d.channel == "video")
    assert calls == {(video.id, "video"): [(512, 1024), (1024, 1024)]}
    assert seen["text"] is None
    # without a factory (cron, --json) channels get no callback
    seen.clear()
    rid2 = store.save_release(Release(slug="rilis-2", title="Judul", body="Isi.",
                                      date=datetime(2026, 11, 20, tzinfo=UTC)))
    store.enqueue(rid2, [Variant(channel="video", kind="fake", text="v")], None, clock.now())
    Engine(store, channels, clock).run_once()
    assert seen == {"video": None}
