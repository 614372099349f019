"""Instagram channel: adaptation, Graph API backend (through `responses`), instagrapi backend
(stub client raising instagrapi's real exception classes). Offline, no real sleeps."""

from __future__ import annotations

import json
import stat
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs

import pytest
import requests
import responses
from channel_helpers import make_channel as build_channel
from instagrapi import exceptions as ie
from PIL import Image

from crosspost.adapt import adapt_one
from crosspost.channels.base import PublishContext
from crosspost.channels.captions import count_hashtags
from crosspost.channels.instagram import InstagramChannel, Settings
from crosspost.errors import ConfigError, Permanent, ReauthRequired, RetryLater, UnknownOutcome
from crosspost.models import Media, Receipt, Release

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus" / "releases"
WIB = timezone(timedelta(hours=7))
CANARY = "CANARY-7f3a9c-secret-token"
G = "https://graph.facebook.com/v26.0"
IG = "17841400000000001"
CDN = "https://cdn.kemensos.go.id/ig"


# ---- helpers ----------------------------------------------------------------------------
def image(path: Path, size=(1200, 900)) -> Media:
    Image.new("RGB", size, (20, 120, 200)).save(path, "JPEG")
    return Media(path, alt=f"Foto {path.stem}")


def release(tmp_path: Path, n_images: int = 1, sizes=None, **kw) -> Release:
    imgs = tuple(image(tmp_path / f"foto-{i}.jpg", (sizes or {}).get(i, (1200, 900)))
                 for i in range(n_images))
    base = dict(slug="bansos-tahap-iv", title="Penyaluran Bansos Tahap IV Dimulai",
                body="Penyaluran bansos tahap IV dimulai pekan ini.\n\nPenerima dapat mengecek status.",
                date=datetime(2026, 11, 28, 8, 0, tzinfo=WIB), summary="",
                hashtags=("BansosTepatSasaran", "KemensosHadir"),
                link="https://www.kemensos.go.id/berita-terkini/bansos-tahap-iv", images=imgs)
    base.update(kw)
    return Release(**base)


def channel(tmp_path: Path, env: dict | None = None, **settings) -> InstagramChannel:
    settings.setdefault("ig_user_id", IG)
    settings.setdefault("image_base_url", CDN)
    env = {"CROSSPOST_INSTAGRAM_ACCESS_TOKEN": CANARY} if env is None else env
    ch = build_channel(InstagramChannel, tmp_path, env=env, secrets_dir=tmp_path / "state",
                       state_dir=tmp_path / "state", **settings)
    ch.http_session = requests.Session()
    ch.sleeps = []
    ch.sleep = ch.sleeps.append
    return ch


def variant_for(ch, rel):
    adapted = adapt_one(rel, ch)
    assert adapted.variant is not None
    return adapted.variant, list(adapted.problems)


class Ctx(PublishContext):
    """A PublishContext whose save_progress keeps what was saved, like the engine's store."""

    def __init__(self, release, progress=None, **kw):
        super().__init__(release=release, progress=dict(progress or {}), **kw)
        self.saved = []

        def save(p):
            self.saved.append(dict(p))
            self.progress = dict(p)

        self.save_progress = save


@pytest.fixture(autouse=True)
def no_real_sleep(monkeypatch):
    def boom(_s):
        raise AssertionError("a test slept for real")

    monkeypatch.setattr(time, "sleep", boom)


def form(call) -> dict:
    return {k: v[0] for k, v in parse_qs(call.request.body or "").items()}


def ok_tail(rsps, container="C1", media="M1", used=3):
    rsps.get(f"{G}/{container}", json={"status_code": "FINISHED", "status": "Finished: Media ok"})
    rsps.get(f"{G}/{IG}/content_publishing_limit",
             json={"data": [{"quota_usage": used, "config": {"quota_total": 50, "quota_duration": 86400}}]})
    rsps.post(f"{G}/{IG}/media_publish", json={"id": media})
    rsps.get(f"{G}/{media}", json={"permalink": f"https://www.instagram.com/p/{media}x/", "id": media})


def assert_no_canary(exc_info):
    assert CANARY not in str(exc_info.value)
    assert CANARY not in repr(exc_info.value.args)


# ---- adaptation -------------------------------------------------------------------------
def test_caption_from_template(tmp_path):
    ch = channel(tmp_path)
    v, problems = variant_for(ch, release(tmp_path))
    assert problems == []
    assert v.text.startswith("Penyaluran Bansos Tahap IV Dimulai\n\nPenyaluran bansos")
    assert "Selengkapnya: https://www.kemensos.go.id/berita-terkini/bansos-tahap-iv" in v.text
    assert v.text.endswith("#BansosTepatSasaran #KemensosHadir")
    assert v.counts["hashtags"] == 2 and v.counts["images"] == 1 and v.kind == "instagram"


def test_no_image_is_a_clear_problem(tmp_path):
    ch = channel(tmp_path)
    v, problems = variant_for(ch, release(tmp_path, n_images=0))
    assert [p.field for p in problems] == ["images"]
    assert "Instagram needs at least one image" in problems[0].message
    assert "exclude instagram" in problems[0].message
    with pytest.raises(Permanent):
        ch.publish(v, Ctx(release(tmp_path, n_images=0)))


def test_caption_too_long_hashtags_and_mentions(tmp_path):
    ch = channel(tmp_path)
    rel = release(tmp_path)
    text = ("kata " * 460) + " ".join(f"@akun{i}" for i in range(21)) + " " + \
        " ".join(f"#Tag{i}" for i in range(6)) + " https://x.id/a#frag humas@kemensos.go.id"
    v, problems = ch.build_variant(rel, text)
    by = {p.field: p for p in problems}
    assert by["text"].limit == 2200 and by["text"].actual == len(text.strip())
    assert by["hashtags"].limit == 5 and by["hashtags"].actual == 6
    assert by["mentions"].limit == 20 and by["mentions"].actual == 21
    assert all(p.severity == "error" for p in problems)


def test_more_than_ten_images_warns_and_keeps_ten(tmp_path):
    ch = channel(tmp_path)
    v, problems = variant_for(ch, release(tmp_path, n_images=12))
    assert len(v.media) == 10
    assert [(p.field, p.severity, p.actual) for p in problems] == [("images", "warning", 12)]


def test_images_are_fitted_into_derived_folder(tmp_path):
    ch = channel(tmp_path)
    rel = release(tmp_path, n_images=2, sizes={0: (3000, 600), 1: (1080, 1350)})
    before = rel.images[0].path.read_bytes()
    v, problems = variant_for(ch, rel)
    assert problems == []
    pano, portrait = v.media
    assert pano.path.parent == tmp_path / "state" / "derived"
    assert pano.width / pano.height <= 1.91 and pano.width <= 1440
    assert rel.images[0].path.read_bytes() == before
    # with image_base_url every image is staged in the one public folder
    assert portrait.path.parent == tmp_path / "state" / "derived"
    info = v.extra["images"]
    assert info[0]["original"] == [3000, 600] and info[0]["fitted"] == [pano.width, pano.height]
    assert info[0]["changed"] is True and info[1]["original"] == [1080, 1350]


def test_graph_without_public_folder_warns_about_unfittable_website_copy(tmp_path):
    ch = channel(tmp_path, image_base_url="")
    _, problems = variant_for(ch, release(tmp_path, sizes={0: (3000, 600)}))
    assert [(p.field, p.severity) for p in problems] == [("images", "warning")]
    assert "image_base_url" in problems[0].message


def test_settings_refuse_unknown_backend_and_fit():
    with pytest.raises(ConfigError, match="backend"):
        Settings(type="instagram", backend="scraper")
    with pytest.raises(ConfigError, match="fit"):
        Settings(type="instagram", fit="stretch")


def test_hashtag_count_ignores_url_fragments():
    assert count_hashtags("#A b #C https://x.id/#d e#f\n#G") == 3


# ---- corpus -----------------------------------------------------------------------------
def load_corpus(name: str) -> Release:
    import frontmatter

    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not beside the checkout")
    path = CORPUS / name
    post = frontmatter.load(path)
    images = tuple(Media((path.parent / i["path"]).resolve(), alt=i.get("alt", ""))
                   for i in post.get("images") or [])
    date = post["date"]
    if date.tzinfo is None:
        date = date.replace(tzinfo=WIB)
    return Release(slug=path.stem, title=post["title"], body=post.content, date=date,
                   summary=post.get("summary", ""), hashtags=tuple(str(h) for h in post.get("hashtags", [])),
                   images=images, link=post.get("link"))


def test_corpus_04_no_image(tmp_path):
    ch = channel(tmp_path)
    _, problems = variant_for(ch, load_corpus("04-berita-terkini-singkat.md"))
    assert any(p.field == "images" and p.severity == "error"
               and "needs at least one image" in p.message for p in problems)


def test_corpus_06_hashtags_and_panorama(tmp_path):
    ch = channel(tmp_path)
    rel = load_corpus("06-edge-banyak-tagar.md")
    v, problems = variant_for(ch, rel)
    tags = [p for p in problems if p.field == "hashtags"]
    assert len(tags) == 1 and tags[0].actual == 35 and tags[0].limit == 5
    (pano,) = v.media
    assert pano.width / pano.height <= 1.91 and 320 <= pano.width <= 1440
    assert v.extra["images"][0]["original"] == [3000, 600]
    assert pano.path.parent == tmp_path / "state" / "derived"


def test_corpus_02_carousel_is_clean(tmp_path):
    ch = channel(tmp_path, image_base_url="")
    v, problems = variant_for(ch, load_corpus("02-berita-foto-hari-disabilitas.md"))
    assert problems == []
    assert len(v.media) == 3 and all(m.width <= 1440 for m in v.media)
    assert all(i["website_copy_ok"] for i in v.extra["images"])


# ---- Graph API backend ------------------------------------------------------------------
@responses.activate
def test_graph_single_photo(tmp_path):
    ch = channel(tmp_path)
    rel = release(tmp_path)
    v, _ = variant_for(ch, rel)
    responses.post(f"{G}/{IG}/media", json={"id": "C1"})
    ok_tail(responses)
    ctx = Ctx(rel)
    receipt = ch.publish(v, ctx)
    assert receipt.remote_id == "M1" and receipt.url == "https://www.instagram.com/p/M1x/"
    create = form(responses.calls[0])
    assert create["image_url"] == f"{CDN}/{v.media[0].path.name}"
    assert create["caption"] == v.text and "alt_text" not in create
    assert form(responses.calls[3]) == {"creation_id": "C1"}
    for call in responses.calls:
        assert call.request.headers["Authorization"] == f"Bearer {CANARY}"
        assert CANARY not in call.request.url
    assert ctx.saved[0] == {"container_id": "C1"}
    assert ctx.saved[-1] == {"container_id": "C1", "media_id": "M1"}
    assert ch.sleeps == []


@responses.activate
def test_graph_alt_text_when_enabled(tmp_path):
    ch = channel(tmp_path, send_alt_text=True)
    rel = release(tmp_path, n_images=2)
    v, _ = variant_for(ch, rel)
    for cid in ("K1", "K2", "C1"):
        responses.post(f"{G}/{IG}/media", json={"id": cid})
    ok_tail(responses)
    ch.publish(v, Ctx(rel))
    assert [form(c).get("alt_text") for c in responses.calls[:2]] == ["Foto foto-0", "Foto foto-1"]


@responses.activate
def test_graph_carousel_of_three(tmp_path):
    ch = channel(tmp_path)
    rel = release(tmp_path, n_images=3)
    v, _ = variant_for(ch, rel)
    for cid in ("K1", "K2", "K3", "C1"):
        responses.post(f"{G}/{IG}/media", json={"id": cid})
    ok_tail(responses)
    receipt = ch.publish(v, Ctx(rel))
    assert receipt.remote_id == "M1"
    children = [form(c) for c in responses.calls[:3]]
    assert [c["image_url"] for c in children] == [f"{CDN}/{m.path.name}" for m in v.media]
    assert all(c["is_carousel_item"] == "true" and "caption" not in c for c in children)
    parent = form(responses.calls[3])
    assert parent == {"media_type": "CAROUSEL", "children": "K1,K2,K3", "caption": v.text}


@responses.activate
def test_graph_uses_website_image_urls(tmp_path):
    ch = channel(tmp_path, image_base_url="")
    rel = release(tmp_path)
    v, _ = variant_for(ch, rel)
    url = "https://www.kemensos.go.id/media/bansos-tahap-iv/foto-0.jpg"
    responses.post(f"{G}/{IG}/media", json={"id": "C1"})
    ok_tail(responses)
    ctx = Ctx(rel, sibling_receipts={"website": Receipt("w1", "https://x", extra={"image_urls": [url]})})
    ch.publish(v, ctx)
    assert form(responses.calls[0])["image_url"] == url


@responses.activate
def test_graph_waits_for_website_and_refuses_unfitted_copy_without_public_dir(tmp_path):
    # A website receipt without public_dir (e.g. a website that is not the static site): the
    # fitted copy has nowhere public to go, so the unfittable original is refused.
    ch = channel(tmp_path, image_base_url="")
    rel = release(tmp_path, sizes={0: (3000, 600)})
    v, _ = variant_for(ch, rel)
    with pytest.raises(RetryLater, match="website"):
        ch.publish(v, Ctx(rel))
    site = Receipt("w1", extra={"image_urls": ["https://www.kemensos.go.id/m/foto-0.jpg"]})
    with pytest.raises(Permanent, match="image_base_url"):
        ch.publish(v, Ctx(rel, sibling_receipts={"website": site}))
    assert len(responses.calls) == 0


def website_receipt(tmp_path: Path, n: int = 1) -> tuple[Receipt, Path]:
    folder = tmp_path / "site" / "berita-terkini" / "bansos-tahap-iv"
    folder.mkdir(parents=True)
    base = "https://www.kemensos.go.id/berita-terkini/bansos-tahap-iv/"
    return Receipt("berita-terkini/bansos-tahap-iv", base, extra={
        "image_urls": [f"{base}foto-{i}.jpg" for i in range(n)], "public_dir": str(folder),
        "public_url": base}), folder


@responses.activate
def test_graph_copies_fitted_images_beside_the_website_article(tmp_path):
    ch = channel(tmp_path, image_base_url="")
    # image 0 is a panorama (padded), image 1 only too wide (scaled), image 2 needs no fitting
    rel = release(tmp_path, n_images=3, sizes={0: (3000, 600), 1: (1600, 1200), 2: (1080, 1080)})
    v, _ = variant_for(ch, rel)
    assert [i["changed"] for i in v.extra["images"]] == [True, True, False]
    site, folder = website_receipt(tmp_path, 3)
    for cid in ("K1", "K2", "K3", "C1"):
        responses.post(f"{G}/{IG}/media", json={"id": cid})
    ok_tail(responses)
    receipt = ch.publish(v, Ctx(rel, sibling_receipts={"website": site}))
    assert receipt.remote_id == "M1"
    urls = [form(c)["image_url"] for c in responses.calls[:3]]
    names = [f"ig-{m.path.name}" for m in v.media[:2]]
    assert urls == [site.url + names[0], site.url + names[1], site.extra["image_urls"][2]]
    for name, m in zip(names, v.media[:2], strict=True):
        assert (folder / name).read_bytes() == m.path.read_bytes()  # the fitted copy, not the original
        with Image.open(folder / name) as im:
            assert im.format == "JPEG" and 320 <= im.width <= 1440 and 0.8 <= im.width / im.height <= 1.91
    assert sorted(p.name for p in folder.iterdir()) == sorted(names)  # no temporary file left


def test_graph_fitted_copy_into_a_missing_folder_is_permanent(tmp_path):
    ch = channel(tmp_path, image_base_url="")
    rel = release(tmp_path, sizes={0: (3000, 600)})
    v, _ = variant_for(ch, rel)
    site, folder = website_receipt(tmp_path)
    folder.rmdir()
    with pytest.raises(Permanent, match="image_base_url"):
        ch.backend().image_urls(v, Ctx(rel, sibling_receipts={"website": site}))


@responses.activate
def test_graph_container_error_is_dropped_and_a_new_one_made(tmp_path):
    """A container in ERROR (the image could not be fetched: the website was not live yet) was
    never published: it leaves the progress, and the next attempt (or `crosspost retry`) makes a
    new container instead of polling the dead one for ever."""
    ch = channel(tmp_path)
    rel = release(tmp_path)
    v, _ = variant_for(ch, rel)
    responses.post(f"{G}/{IG}/media", json={"id": "C1"})
    responses.get(f"{G}/C1", json={"status_code": "ERROR", "status": "Error: 2207026"})
    ctx = Ctx(rel)
    with pytest.raises(RetryLater, match="2207026") as info:
        ch.publish(v, ctx)
    assert info.value.retry_after is None  # counted: a bad image stops after max_attempts
    assert not any("media_publish" in c.request.url for c in responses.calls)
    assert ctx.progress == {}
    # the engine's next attempt, with the progress the store kept
    responses.replace(responses.POST, f"{G}/{IG}/media", json={"id": "C2"})
    ok_tail(responses, container="C2")
    assert ch.publish(v, Ctx(rel, progress=ctx.progress)).remote_id == "M1"
    publish = [c for c in responses.calls if "media_publish" in c.request.url]
    assert [form(c) for c in publish] == [{"creation_id": "C2"}]


@responses.activate
def test_graph_saved_error_container_is_replaced_at_once(tmp_path):
    """`crosspost retry` keeps the progress: a saved container in ERROR is dropped and a new one
    made in the same attempt."""
    ch = channel(tmp_path)
    rel = release(tmp_path)
    v, _ = variant_for(ch, rel)
    responses.get(f"{G}/C9", json={"status_code": "ERROR", "status": "Error: 2207003"})
    responses.post(f"{G}/{IG}/media", json={"id": "C1"})
    ok_tail(responses)
    ctx = Ctx(rel, progress={"container_id": "C9"})
    assert ch.publish(v, ctx).remote_id == "M1"
    assert ctx.saved[:2] == [{}, {"container_id": "C1"}]


@responses.activate
def test_graph_polls_with_injected_sleep(tmp_path):
    ch = channel(tmp_path, container_poll_interval=2.5)
    rel = release(tmp_path)
    v, _ = variant_for(ch, rel)
    responses.post(f"{G}/{IG}/media", json={"id": "C1"})
    responses.get(f"{G}/C1", json={"status_code": "IN_PROGRESS"})
    responses.get(f"{G}/C1", json={"status_code": "IN_PROGRESS"})
    ok_tail(responses)
    beats = []
    assert ch.publish(v, Ctx(rel, heartbeat=lambda: beats.append(1))).remote_id == "M1"
    assert ch.sleeps == [2.5, 2.5] and len(beats) >= 3


@responses.activate
def test_graph_container_never_finishing_is_retry_later_and_reused(tmp_path):
    ch = channel(tmp_path, container_poll_max=3)
    rel = release(tmp_path)
    v, _ = variant_for(ch, rel)
    responses.post(f"{G}/{IG}/media", json={"id": "C1"})
    responses.get(f"{G}/C1", json={"status_code": "IN_PROGRESS"})
    ctx = Ctx(rel)
    with pytest.raises(RetryLater):
        ch.publish(v, ctx)
    assert ch.sleeps == [3.0, 3.0]
    assert ctx.progress == {"container_id": "C1"}
    assert not any("media_publish" in c.request.url for c in responses.calls)


@responses.activate
def test_graph_retry_reuses_saved_container(tmp_path):
    ch = channel(tmp_path)
    rel = release(tmp_path)
    v, _ = variant_for(ch, rel)
    create = responses.post(f"{G}/{IG}/media", json={"id": "NEW"})
    ok_tail(responses, container="C9")
    receipt = ch.publish(v, Ctx(rel, progress={"container_id": "C9"}))
    assert receipt.remote_id == "M1" and create.call_count == 0
    publish = [c for c in responses.calls if "media_publish" in c.request.url]
    assert form(publish[0]) == {"creation_id": "C9"}


@responses.activate
def test_graph_expired_container_is_replaced(tmp_path):
    ch = channel(tmp_path)
    rel = release(tmp_path)
    v, _ = variant_for(ch, rel)
    responses.get(f"{G}/C9", json={"status_code": "EXPIRED"})
    responses.post(f"{G}/{IG}/media", json={"id": "C1"})
    ok_tail(responses)
    ctx = Ctx(rel, progress={"container_id": "C9"})
    assert ch.publish(v, ctx).remote_id == "M1"
    assert ctx.saved[:2] == [{}, {"container_id": "C1"}]


@responses.activate
def test_graph_quota_exhausted_is_retry_later(tmp_path):
    ch = channel(tmp_path)
    rel = release(tmp_path)
    v, _ = variant_for(ch, rel)
    responses.post(f"{G}/{IG}/media", json={"id": "C1"})
    ok_tail(responses, used=50)
    with pytest.raises(RetryLater, match="50 posts") as info:
        ch.publish(v, Ctx(rel))
    assert info.value.retry_after and info.value.retry_after > 0
    assert not any("media_publish" in c.request.url for c in responses.calls)


@responses.activate
def test_graph_quota_error_code_on_publish_is_retry_later(tmp_path):
    ch = channel(tmp_path)
    rel = release(tmp_path)
    v, _ = variant_for(ch, rel)
    responses.post(f"{G}/{IG}/media", json={"id": "C1"})
    responses.get(f"{G}/C1", json={"status_code": "FINISHED"})
    responses.get(f"{G}/{IG}/content_publishing_limit", json={"data": [{"quota_usage": 1}]})
    responses.post(f"{G}/{IG}/media_publish", status=400, json={"error": {
        "message": "Application request limit reached", "code": 9, "error_subcode": 2207042}})
    with pytest.raises(RetryLater, match="publishing limit"):
        ch.publish(v, Ctx(rel))


@responses.activate
def test_graph_expired_token_is_reauth(tmp_path):
    ch = channel(tmp_path)
    rel = release(tmp_path)
    v, _ = variant_for(ch, rel)
    responses.post(f"{G}/{IG}/media", status=400, json={"error": {
        "message": f"Error validating access token: {CANARY} has expired", "type": "OAuthException",
        "code": 190, "error_subcode": 463}})
    with pytest.raises(ReauthRequired, match="crosspost auth instagram") as info:
        ch.publish(v, Ctx(rel))
    assert_no_canary(info)


def test_graph_missing_token_is_reauth(tmp_path):
    ch = channel(tmp_path, env={})
    rel = release(tmp_path)
    v, _ = variant_for(ch, rel)
    with pytest.raises(ReauthRequired, match="crosspost auth instagram"):
        ch.publish(v, Ctx(rel))


@responses.activate
def test_graph_rate_limit_code_4_is_retry_later_with_wait(tmp_path):
    ch = channel(tmp_path)
    rel = release(tmp_path)
    v, _ = variant_for(ch, rel)
    usage = json.dumps({IG: [{"type": "instagram", "call_count": 100, "estimated_time_to_regain_access": 7}]})
    responses.post(f"{G}/{IG}/media", status=400, headers={"X-Business-Use-Case-Usage": usage},
                   json={"error": {"message": "Application request limit reached", "code": 4}})
    with pytest.raises(RetryLater) as info:
        ch.publish(v, Ctx(rel))
    assert info.value.retry_after == 420


@responses.activate
def test_graph_invalid_parameter_is_permanent(tmp_path):
    ch = channel(tmp_path)
    rel = release(tmp_path)
    v, _ = variant_for(ch, rel)
    responses.post(f"{G}/{IG}/media", status=400, json={"error": {
        "message": "Invalid parameter", "code": 100, "error_subcode": 2207009,
        "error_user_msg": "The aspect ratio is not supported."}})
    with pytest.raises(Permanent, match="aspect ratio"):
        ch.publish(v, Ctx(rel))


@responses.activate
@pytest.mark.parametrize("failure", [
    {"status": 500, "json": {"error": {"message": "An unknown error occurred", "code": 1}}},
    {"status": 502, "body": "Bad Gateway"},
    {"body": requests.exceptions.ReadTimeout("read timed out")},
])
def test_graph_ambiguous_media_publish_is_unknown(tmp_path, failure):
    ch = channel(tmp_path)
    rel = release(tmp_path)
    v, _ = variant_for(ch, rel)
    responses.post(f"{G}/{IG}/media", json={"id": "C1"})
    responses.get(f"{G}/C1", json={"status_code": "FINISHED"})
    responses.get(f"{G}/{IG}/content_publishing_limit", json={"data": [{"quota_usage": 1}]})
    responses.post(f"{G}/{IG}/media_publish", **failure)
    ctx = Ctx(rel)
    with pytest.raises(UnknownOutcome) as info:
        ch.publish(v, ctx)
    assert_no_canary(info)
    assert ctx.progress == {"container_id": "C1"}


@responses.activate
@pytest.mark.parametrize("failure", [
    {"status": 500, "json": {"error": {"message": "An unknown error occurred", "code": 1}}},
    {"body": requests.exceptions.ReadTimeout("read timed out")},
])
def test_graph_failures_before_publish_are_retry_later(tmp_path, failure):
    ch = channel(tmp_path)
    rel = release(tmp_path)
    v, _ = variant_for(ch, rel)
    responses.post(f"{G}/{IG}/media", **failure)
    with pytest.raises(RetryLater):
        ch.publish(v, Ctx(rel))


@responses.activate
def test_graph_refused_connection_on_publish_is_retry_later(tmp_path):
    ch = channel(tmp_path)
    rel = release(tmp_path)
    v, _ = variant_for(ch, rel)
    responses.get(f"{G}/C1", json={"status_code": "FINISHED"})
    responses.get(f"{G}/{IG}/content_publishing_limit", json={"data": [{"quota_usage": 1}]})
    responses.post(f"{G}/{IG}/media_publish", body=requests.exceptions.ConnectTimeout("connect timeout"))
    with pytest.raises(RetryLater):
        ch.publish(v, Ctx(rel, progress={"container_id": "C1"}))


@responses.activate
def test_graph_lookup(tmp_path):
    ch = channel(tmp_path)
    rel = release(tmp_path)
    v, _ = variant_for(ch, rel)
    listing = responses.get(f"{G}/{IG}/media", json={"data": [
        {"id": "M0", "caption": "Kabar lain\n\n#Lain", "permalink": "https://www.instagram.com/p/zero/"},
        {"id": "M7", "caption": v.text, "permalink": "https://www.instagram.com/p/seven/",
         "timestamp": "2026-11-28T01:00:00+0000"}]})
    found = ch.lookup(v, Ctx(rel))
    assert found == Receipt("M7", "https://www.instagram.com/p/seven/")
    params = parse_qs(listing.calls[0].request.url.split("?", 1)[1])
    assert params["fields"] == ["id,caption,permalink,timestamp"] and params["limit"] == ["20"]


@responses.activate
def test_graph_lookup_not_found_and_unpublished_container(tmp_path):
    ch = channel(tmp_path)
    rel = release(tmp_path)
    v, _ = variant_for(ch, rel)
    listing = responses.get(f"{G}/{IG}/media", json={"data": [{"id": "M0", "caption": "Lain"}]})
    assert ch.lookup(v, Ctx(rel)) is None
    responses.get(f"{G}/C1", json={"status_code": "FINISHED"})
    assert ch.lookup(v, Ctx(rel, progress={"container_id": "C1"})) is None
    assert listing.call_count == 1  # a FINISHED (unpublished) container settles it without listing


@responses.activate
def test_graph_published_container_on_retry_finds_the_post(tmp_path):
    ch = channel(tmp_path)
    rel = release(tmp_path)
    v, _ = variant_for(ch, rel)
    responses.get(f"{G}/C1", json={"status_code": "PUBLISHED"})
    responses.get(f"{G}/{IG}/media", json={"data": [{"id": "M7", "caption": v.text,
                                                       "permalink": "https://www.instagram.com/p/s/"}]})
    publish = responses.post(f"{G}/{IG}/media_publish", json={"id": "DUP"})
    assert ch.publish(v, Ctx(rel, progress={"container_id": "C1"})).remote_id == "M7"
    assert publish.call_count == 0


# ---- instagrapi backend -----------------------------------------------------------------
class StubClient:
    """Stands in for instagrapi.Client; ``fail`` maps a method name to an exception to raise."""

    def __init__(self, log: list, fail: dict | None = None):
        self.log, self.fail = log, dict(fail or {})
        self.user_id = 4242

    def _maybe_fail(self, name):
        exc = self.fail.pop(name, None)
        if exc is not None:
            raise exc

    def load_settings(self, path):
        self.log.append(("load_settings", json.loads(Path(path).read_text())))

    def dump_settings(self, path):
        self.log.append(("dump_settings", str(path)))
        with open(path, "w") as fh:
            json.dump({"authorization_data": {"sessionid": "sess-1"}}, fh)
        return True

    def login(self, username, password, relogin=False):
        self.log.append(("login", username, password, relogin))
        self._maybe_fail("login")
        return True

    def photo_upload(self, path, caption):
        self.log.append(("photo_upload", Path(path), caption))
        self._maybe_fail("photo_upload")
        return SimpleNamespace(id="3100_4242", pk="3100", code="DAbc1")

    def album_upload(self, paths, caption):
        self.log.append(("album_upload", [Path(p) for p in paths], caption))
        self._maybe_fail("album_upload")
        return SimpleNamespace(id="3200_4242", pk="3200", code="DAlb2")

    def video_upload(self, path, caption):
        self.log.append(("video_upload", Path(path), caption))
        return SimpleNamespace(id="3300_4242", pk="3300", code="DVid3")

    def user_medias(self, user_id, amount=0):
        self.log.append(("user_medias", user_id, amount))
        return [SimpleNamespace(id="1_4242", code="old", caption_text="Lain"),
                SimpleNamespace(id="3100_4242", code="DAbc1", caption_text=self.caption)]


def private_channel(tmp_path, fail=None, env=None):
    env = {"CROSSPOST_INSTAGRAM_PASSWORD": CANARY} if env is None else env
    ch = channel(tmp_path, env=env, backend="instagrapi", username="kemensos.ri", image_base_url="")
    ch.log = []
    ch.stubs = []

    def factory():
        stub = StubClient(ch.log, fail)
        ch.stubs.append(stub)
        return stub

    ch.client_factory = factory
    return ch


def test_instagrapi_photo_login_then_session_reuse(tmp_path):
    ch = private_channel(tmp_path)
    rel = release(tmp_path)
    v, _ = variant_for(ch, rel)
    receipt = ch.publish(v, Ctx(rel))
    assert receipt == Receipt("3100_4242", "https://www.instagram.com/p/DAbc1/")
    assert ("login", "kemensos.ri", CANARY, False) in ch.log
    assert ("photo_upload", v.media[0].path, v.text) in ch.log
    session = ch.secrets.path("session")
    assert stat.S_IMODE(session.stat().st_mode) == 0o600
    # non-interactive: a challenge raises instead of reading stdin
    with pytest.raises(ie.ChallengeRequired):
        ch.stubs[0].challenge_code_handler("kemensos.ri", "email")
    ch.log.clear()
    ch.publish(v, Ctx(rel))
    assert ch.log[0] == ("load_settings", {"authorization_data": {"sessionid": "sess-1"}})
    assert not any(e[0] == "login" for e in ch.log)
    assert stat.S_IMODE(session.stat().st_mode) == 0o600


def test_instagrapi_album_and_video(tmp_path):
    ch = private_channel(tmp_path)
    rel = release(tmp_path, n_images=3)
    v, _ = variant_for(ch, rel)
    assert ch.publish(v, Ctx(rel)).remote_id == "3200_4242"
    assert ("album_upload", [m.path for m in v.media], v.text) in ch.log
    video = tmp_path / "video.mp4"
    video.write_bytes(b"\0" * 16)
    rel_v = release(tmp_path, n_images=0, video=Media(video, kind="video"))
    v2, problems = variant_for(ch, rel_v)
    assert problems == []
    assert ch.publish(v2, Ctx(rel_v)).url == "https://www.instagram.com/p/DVid3/"


def test_instagrapi_expired_session_logs_in_once_and_retries(tmp_path):
    ch = private_channel(tmp_path)
    rel = release(tmp_path)
    v, _ = variant_for(ch, rel)
    ch.publish(v, Ctx(rel))  # creates the session file
    ch.log.clear()
    ch.client_factory = lambda: StubClient(ch.log, {"photo_upload": ie.LoginRequired("login_required")})
    assert ch.publish(v, Ctx(rel)).remote_id == "3100_4242"
    assert [e[0] for e in ch.log if e[0] in ("login", "photo_upload")] == ["photo_upload", "login",
                                                                            "photo_upload"]


@pytest.mark.parametrize("exc, expected, words", [
    (ie.PleaseWaitFewMinutes("Please wait a few minutes"), RetryLater, "slow down"),
    (ie.ClientThrottledError("429"), RetryLater, "slow down"),
    (ie.RateLimitError("rate"), RetryLater, "slow down"),
    (ie.FeedbackRequired("feedback_required"), Permanent, "Instagram app"),
    (ie.SentryBlock("sentry_block"), Permanent, "Instagram app"),
    (ie.ChallengeRequired("challenge_required"), ReauthRequired, "crosspost auth instagram"),
    (ie.TwoFactorRequired("two_factor_required"), ReauthRequired, "crosspost auth instagram"),
    (ie.BadPassword(f"bad password {CANARY}"), ReauthRequired, "crosspost auth instagram"),
    (requests.exceptions.ReadTimeout("read timed out"), UnknownOutcome, "may exist"),
    (ie.ClientBadRequestError("media_needs_reupload"), Permanent, "refused"),
])
def test_instagrapi_upload_errors(tmp_path, exc, expected, words):
    ch = private_channel(tmp_path, fail={"photo_upload": exc})
    rel = release(tmp_path)
    v, _ = variant_for(ch, rel)
    with pytest.raises(expected, match=words) as info:
        ch.publish(v, Ctx(rel))
    assert type(info.value) is expected
    assert_no_canary(info)


@pytest.mark.parametrize("exc, expected", [
    (ie.BadPassword(f"The password you entered is incorrect {CANARY}"), ReauthRequired),
    (ie.TwoFactorRequired("Two-factor authentication required"), ReauthRequired),
    (ie.ChallengeRequired("challenge_required"), ReauthRequired),
    (ie.PleaseWaitFewMinutes("Please wait"), RetryLater),
])
def test_instagrapi_login_errors(tmp_path, exc, expected):
    ch = private_channel(tmp_path, fail={"login": exc})
    rel = release(tmp_path)
    v, _ = variant_for(ch, rel)
    with pytest.raises(expected) as info:
        ch.publish(v, Ctx(rel))
    assert_no_canary(info)
    assert not any(e[0] == "photo_upload" for e in ch.log)


def test_instagrapi_without_password_is_reauth(tmp_path):
    ch = private_channel(tmp_path, env={})
    rel = release(tmp_path)
    v, _ = variant_for(ch, rel)
    with pytest.raises(ReauthRequired, match="crosspost auth instagram"):
        ch.publish(v, Ctx(rel))


def test_instagrapi_lookup(tmp_path):
    ch = private_channel(tmp_path)
    rel = release(tmp_path)
    v, _ = variant_for(ch, rel)
    StubClient.caption = v.text
    try:
        found = ch.lookup(v, Ctx(rel))
        assert found == Receipt("3100_4242", "https://www.instagram.com/p/DAbc1/")
        assert ("user_medias", 4242, 20) in ch.log
        StubClient.caption = "Something else"
        assert ch.lookup(v, Ctx(rel)) is None
    finally:
        del StubClient.caption


def test_channel_modules_import_no_sdk(monkeypatch):
    import subprocess
    import sys

    monkeypatch.undo()  # subprocess.run polls with time.sleep

    code = ("import sys, crosspost.channels.instagram, crosspost.channels.instagram_graph, "
            "crosspost.channels.instagram_private, crosspost.imagefit\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'instagrapi', 'requests'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[1], timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# ---- the Graph backend's outcome table, row by row ----------------------------------------
import faultserver  # noqa: E402
import urllib3  # noqa: E402

from crosspost.channels import instagram_graph, instagram_private, outcomes  # noqa: E402
from crosspost.errors import DeliveryError  # noqa: E402

LOOPBACK = {"connect_refused": "refused", "empty_reply": "empty", "reset": "reset",
            "read_timeout": "hang", "tls": "notls", "connection_broken": "garbage"}
GRAPH_ANSWERS = {
    "graph:200-299": (200, 403, {}), "graph:transient": (1200, 500, {"is_transient": True}),
    "graph:other_5xx": (9007, 500, {}), "graph:other_4xx": (803, 404, {}),
    "graph:1": (1, 500, {}), "graph:2": (2, 503, {"is_transient": True}),
    "graph:quota": (9, 400, {"error_subcode": 2207042}),
}


def graph_answer(failure: str) -> dict:
    if failure == "http_4xx_unreadable":
        return {"body": "<html>Not found</html>", "content_type": "text/html", "status": 404}
    if failure == "http_5xx_unreadable":
        return {"body": "<html>Bad gateway</html>", "content_type": "text/html", "status": 502}
    if failure == "unexpected":  # what requests raises when the answer's body is cut
        return {"body": requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead")}
    code, status, extra = GRAPH_ANSWERS.get(failure, (None, 400, {}))
    code = code if code is not None else int(failure.split(":")[1])
    return {"status": status, "json": {"error": {"message": f"Graph says {failure}", "type": "OAuthException",
                                                 "code": code, "fbtrace_id": "A1", **extra}}}


def shaped(failure: str, url: str) -> BaseException:
    if failure == "connect_timeout":
        reason = urllib3.exceptions.ConnectTimeoutError(None, "Connection to graph.facebook.com timed out.")
        return requests.exceptions.ConnectTimeout(urllib3.exceptions.MaxRetryError(None, url, reason))
    reason = urllib3.exceptions.NameResolutionError("graph.facebook.com", None, OSError(-2, "Name or "
                                                                                       "service not known"))
    return requests.exceptions.ConnectionError(urllib3.exceptions.MaxRetryError(None, url, reason))


GRAPH_CALLS = {"container": ("POST", f"{IG}/media"), "publish": ("POST", f"{IG}/media_publish"),
               "comment": ("POST", "M1/comments"), "read": ("GET", f"{IG}/media")}


def drive_graph(ch, call, rel, v, base, rsps):
    """The call under test is the one that fails; the steps before it are answered."""
    if call == "container":
        ch.publish(v, Ctx(rel))
    elif call == "publish":
        ok_before_publish(rsps, base)
        ch.publish(v, Ctx(rel, progress={"container_id": "C1"}))
    elif call == "comment":
        ralat = replace_variant(v)
        ch.correct(ralat, Ctx(rel))
    else:
        ch.lookup(v, Ctx(rel))


def ok_before_publish(rsps, base):
    rsps.get(f"{base}/C1", json={"status_code": "FINISHED"})
    rsps.get(f"{base}/{IG}/content_publishing_limit", json={"data": [{"quota_usage": 1}]})


def replace_variant(v):
    from dataclasses import replace

    return replace(v, text="RALAT: angka yang benar 25 lumbung.",
                   extra={**v.extra, "action": "correct", "original": {"remote_id": "M1", "url": "u"}})


GRAPH_CELLS = [(call, row) for row in instagram_graph.OUTCOMES
               for call in (GRAPH_CALLS if row.call == "*" else (row.call,))]


@pytest.mark.parametrize("call, row", GRAPH_CELLS, ids=[f"{c}-{r.failure}" for c, r in GRAPH_CELLS])
def test_graph_fault_matrix(tmp_path, call, row):
    """Every cell of instagram_graph.OUTCOMES through the backend's real requests session: transport
    faults from a real loopback socket (graph_base points there; the steps before the failing call
    are answered by `responses`, the failing call passes through), Graph answers shaped like Graph's
    error JSON."""
    expected = outcomes.ERRORS[row.state]
    method, path = GRAPH_CALLS[call]
    with faultserver.FaultServer(LOOPBACK.get(row.failure, "refused")) as server, \
            responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        scheme = "https" if row.failure == "tls" else "http"
        base = server.url(scheme).rstrip("/") + "/v26.0"
        ch = channel(tmp_path, graph_base=server.url(scheme).rstrip("/"), request_timeout=0.5)
        rel = release(tmp_path)
        v, _ = variant_for(ch, rel)
        url = f"{base}/{path}"
        if row.failure in LOOPBACK:
            rsps.add_passthru(url)
        elif row.failure in ("connect_timeout", "dns"):
            rsps.add(method, url, body=shaped(row.failure, url))
        else:
            rsps.add(method, url, **graph_answer(row.failure))
        with pytest.raises(DeliveryError) as info:
            drive_graph(ch, call, rel, v, base, rsps)
        if row.failure in LOOPBACK and row.failure not in ("connect_refused", "tls"):
            assert server.requests == 1
    assert type(info.value) is expected, (row, str(info.value))
    assert info.value.failure == row.failure
    assert CANARY not in str(info.value)



# ---- instagrapi's outcome table, through its real Client and its real curl transport -------
from curl_cffi import CurlError, CurlHttpVersion  # noqa: E402
from curl_cffi.requests.exceptions import code2error  # noqa: E402

# libcurl's own words for the codes a loopback cannot produce here, as curl_cffi formats them
# (curl_cffi/curl.py Curl._get_error); raised the way curl_cffi's Session.request raises them
# (requests/session.py: error = code2error(e.code, str(e)); raise error(str(e), e.code, rsp) from e).
CURL_WORDS = {
    5: "Could not resolve proxy: proxy.kemensos.go.id", 6: "Could not resolve host: i.instagram.com",
    35: "TLS connect error: error:0A000410:SSL routines::ssl/tls alert handshake failure",
    60: "SSL certificate problem: self-signed certificate in certificate chain",
    97: "CONNECT tunnel failed, response 403", 8: "Weird server reply",
    18: "end of response with 1840 bytes missing", 52: "Empty reply from server",
    55: "Send failure: Broken pipe", 92: "HTTP/2 stream 1 was not closed cleanly: PROTOCOL_ERROR (err 1)",
    26: "Failed to open/read local data from file/application",
    7: "Failed to connect to i.instagram.com port 443 after 3 ms: Could not connect to server",
    16: "Error in the HTTP2 framing layer", 56: "Recv failure: Connection reset by peer",
    28: "Operation timed out after 25000 milliseconds with 0 bytes received",
}
# Real libcurl failures on 127.0.0.1 (checked: refused -> 7, reset -> 56, an answer that is not
# HTTP/2 -> 16, a request never answered -> 28 "Operation timed out", a full listen backlog -> 28
# "Connection timed out after").
CURL_LOOPBACK = {"curl:7": "refused", "curl:56": "reset", "curl:16": "garbage", "curl:28": "hang",
                 "curl:28-connect": "backlog"}
IG_ANSWERS = {  # (status, body) that instagrapi's _send_private_request maps to the class
    "ig:PleaseWaitFewMinutes": (400, {"message": "Please wait a few minutes before you try again.",
                                      "status": "fail"}),
    "ig:ClientThrottledError": (429, {"message": "", "status": "fail"}),
    "ig:RateLimitError": (400, {"message": "rate", "error_type": "rate_limit_error", "status": "fail"}),
    "ig:ClientRequestTimeout": (408, {"message": "", "status": "fail"}),
    "ig:FeedbackRequired": (400, {"message": "feedback_required", "feedback_message": "blocked",
                                  "status": "fail"}),
    "ig:SentryBlock": (400, {"message": "sentry", "error_type": "sentry_block", "status": "fail"}),
    "ig:LoginRequired": (403, {"message": "login_required", "status": "fail"}),
    "ig:ChallengeRequired": (400, {"message": "challenge_required", "status": "fail",
                                   "challenge": {"api_path": "/challenge/1/"}}),
    "ig:TwoFactorRequired": (400, {"message": "", "two_factor_info": {"username": "kemensos.ri"},
                                   "status": "fail"}),
    "ig:BadPassword": (400, {"message": "bad", "error_type": "bad_password", "status": "fail"}),
    "ig:ClientError4xx": (400, {"status": "fail"}),
    "ig:ClientError5xx": (500, {"message": "oops", "status": "fail"}),
    "ig:ClientJSONDecodeError": (200, "<html>oops</html>"),
    "ig:ConfigureError": (200, {"status": "ok"}),  # configure without media, nothing new in the feed
    "ig:PhotoNotUpload": (500, {"status": "fail"}),
}
MARK = {"upload": "/rupload_igphoto/", "configure": "/media/configure/", "read": "/accounts/current_user/"}


def answered(status, body, http_version=CurlHttpVersion.V2_0):
    content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    kind = "text/html" if isinstance(body, str) else "application/json"
    return SimpleNamespace(http_version=http_version, status_code=status, reason="X", content=content,
                           headers=SimpleNamespace(multi_items=lambda: [("content-type", kind)]))


def full_backlog():
    """A port whose listen queue is full: SYNs are dropped, a connect times out."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(3):
        c = socket.socket()
        c.setblocking(False)
        try:
            c.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(c)
    return port, [listener, *fillers]


def real_instagrapi(tmp_path, monkeypatch, call, failure):
    """The private channel with instagrapi's real Client: its real curl adapter and curl_cffi
    session; only the failing request is sent to a loopback fault (or raises libcurl's error), the
    others are answered."""
    from instagrapi import Client

    monkeypatch.setattr(time, "sleep", lambda _s: None)  # instagrapi's own delays, not real waits
    ch = channel(tmp_path, env={}, backend="instagrapi", username="kemensos.ri", image_base_url="")
    seed = Client()
    seed.authorization_data = {"ds_user_id": "4242", "sessionid": "sess"}
    session = ch.secrets.path("session")
    session.parent.mkdir(parents=True, exist_ok=True)
    seed.dump_settings(session)
    cleanup = []
    target = None
    # On the upload libcurl is still sending the image when the server answers or resets, and then
    # says 55 (send failure) for the same server: there only the before-sending faults are looped.
    looped = failure in CURL_LOOPBACK and (call != "upload" or failure in ("curl:7", "curl:28-connect"))
    if looped:
        if CURL_LOOPBACK[failure] == "backlog":
            port, socks = full_backlog()
            cleanup += [s.close for s in socks]
            target = f"http://127.0.0.1:{port}"
        else:
            server = faultserver.FaultServer(CURL_LOOPBACK[failure])
            cleanup.append(server.close)
            target = server.url().rstrip("/")

    def factory():
        cl = Client()
        adapter = cl.private.adapters["https://"]
        real = adapter.client.request

        def request(method, url, **kw):
            if MARK[call] not in url:
                if "/rupload_igphoto/" in url:
                    return answered(200, {"upload_id": "1", "status": "ok"})
                return answered(200, {"items": [], "more_available": False, "status": "ok",
                                      "user": {"pk": "4242", "username": "kemensos.ri"}})
            if target is not None:  # real libcurl against the loopback fault
                path = url.split("i.instagram.com", 1)[1]
                timeout = (0.5, 5) if failure == "curl:28-connect" else 0.5
                return real(method, target + path, **{**kw, "timeout": timeout})
            if failure.startswith("curl:"):
                code = 26 if failure == "curl:other" else int(failure.split(":")[1].split("-")[0])
                words = ("Connection timed out after 10001 milliseconds" if failure == "curl:28-connect"
                         else CURL_WORDS[code])
                try:
                    raise CurlError(f"Failed to perform, curl: ({code}) {words}. See "
                                    "https://curl.se/libcurl/c/libcurl-errors.html first for more "
                                    "details.", code)
                except CurlError as e:
                    raise code2error(e.code, str(e))(str(e), e.code, None) from e
            if failure == "not_h2":
                return answered(200, {"status": "ok"}, http_version=CurlHttpVersion.V1_1)
            status, body = IG_ANSWERS[failure]
            return answered(status, body)

        adapter.client.request = request
        return cl

    ch.client_factory = factory
    return ch, cleanup


def drive_instagrapi(ch, call, tmp_path):
    rel = release(tmp_path)
    v, _ = variant_for(ch, rel)
    if call == "read":
        ch.whoami(5.0)
    else:
        ch.publish(v, Ctx(rel))


def drivable(row):
    if row.call != "*":
        return (row.call,)
    if row.failure.startswith("ig:"):
        return ("configure", "read")  # rupload is no private_request: its answers are PhotoNotUpload
    return ("upload", "configure", "read")


IG_CELLS = [(call, row) for row in instagram_private.OUTCOMES
            if row.failure not in ("transport", "ig:BadCredentials", "unexpected")
            for call in drivable(row)]


@pytest.mark.parametrize("call, row", IG_CELLS, ids=[f"{c}-{r.failure}" for c, r in IG_CELLS])
def test_instagrapi_fault_matrix(tmp_path, monkeypatch, call, row):
    ch, cleanup = real_instagrapi(tmp_path, monkeypatch, call, row.failure)
    try:
        with pytest.raises(DeliveryError) as info:
            drive_instagrapi(ch, call, tmp_path)
    finally:
        for close in cleanup:
            close()
    assert info.value.failure == row.failure, str(info.value)
    assert type(info.value) is outcomes.ERRORS[row.state], (row, str(info.value))


def test_instagrapi_rows_outside_the_curl_transport(tmp_path, monkeypatch):
    """The rows the curl transport itself cannot produce: BadCredentials (instagrapi's login
    refuses an empty password before any request), a ConnectionError of another transport, and
    an exception with no request to place it."""
    from instagrapi import Client

    ch = channel(tmp_path, env={}, backend="instagrapi", username="kemensos.ri", image_base_url="")
    backend = ch.backend()
    with pytest.raises(ie.BadCredentials) as bad:
        Client().login("kemensos.ri", "")
    got = backend.classify(bad.value, publishing=False)
    assert got.failure == "ig:BadCredentials" and isinstance(got, ReauthRequired)
    other = ie.ClientConnectionError("ConnectionError ('Connection aborted.', ConnectionResetError(104))")
    assert isinstance(backend.classify(other, publishing=True), UnknownOutcome)
    assert isinstance(backend.classify(other, publishing=False), RetryLater)
    assert isinstance(backend.classify(RuntimeError("boom"), publishing=True), UnknownOutcome)
    assert isinstance(backend.classify(RuntimeError("boom"), publishing=False), RetryLater)
    covered = {(c, r.failure) for c, r in IG_CELLS}
    rest = [r for r in instagram_private.OUTCOMES if (r.call, r.failure) not in covered
            and not any(f == r.failure for _, f in covered if r.call == "*")]
    assert {r.failure for r in rest} <= {"transport", "ig:BadCredentials", "unexpected"}


def test_lookup_matches_only_the_whole_caption_made_after_the_claim():
    """Issue 12: a stock first line (or the hashtags) shared with another release's post is not it."""
    from datetime import UTC, datetime

    from crosspost.channels.captions import made_after, same_caption

    mine = "Kemensos Hadir\n\nBantuan untuk korban banjir Bekasi.\n\n#KemensosHadir"
    assert same_caption(mine, "Kemensos  Hadir\n\nBantuan untuk korban banjir Bekasi.\n#KemensosHadir")
    assert not same_caption(mine, "Kemensos Hadir\n\nBantuan untuk korban banjir Bogor.\n\n#KemensosHadir")
    assert not same_caption(mine, None)
    claimed = datetime(2026, 11, 20, 2, 0, tzinfo=UTC).timestamp()
    assert made_after("2026-11-20T02:05:00+0000", claimed)
    assert not made_after("2026-11-19T09:00:00+0000", claimed)
    assert made_after(datetime(2026, 11, 20, 1, 59, tzinfo=UTC), claimed)  # within the clock slack
    assert made_after("2026-11-19T09:00:00+0000", None)  # no claim time known: the caption decides
