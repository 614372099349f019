"""X/Twitter channel through tweepy's real code path, with `responses` at the HTTP boundary."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import channel_helpers
import pytest
import requests
import responses
from channel_helpers import make_channel as build_channel
from channel_helpers import make_image, refused
from urllib3.exceptions import ProtocolError
from x_api import XAccount

from crosspost.channels.twitter import Limits, Settings, TwitterChannel
from crosspost.channels.twitter_thread import weighted_length
from crosspost.errors import DeliveryError, Permanent, ReauthRequired, RetryLater, UnknownOutcome
from crosspost.models import Media, Release, Variant
from crosspost.secrets import SecretStore

API = "https://api.x.com"
TWEETS = f"{API}/2/tweets"
UPLOAD = f"{API}/2/media/upload"
METADATA = f"{API}/2/media/metadata"
CANARY = "CANARY-s3cr3t-9f8e7d"
WIB = timezone(timedelta(hours=7))
LINK = "https://www.kemensos.go.id/siaran-pers/bantuan-banjir-bekasi"


def make_channel(tmp_path: Path, **settings) -> TwitterChannel:
    env = {"CROSSPOST_TWITTER_API_KEY": "consumer-key", "CROSSPOST_TWITTER_API_SECRET": CANARY,
           "CROSSPOST_TWITTER_ACCESS_TOKEN": "42-access-token",
           "CROSSPOST_TWITTER_ACCESS_TOKEN_SECRET": CANARY + "-token"}
    return build_channel(TwitterChannel, tmp_path, env=env, **settings)


def make_release(body: str = "Paragraf pertama.", images: tuple[Media, ...] = (), **kw) -> Release:
    return Release(slug="bantuan-banjir", title="Bantuan Banjir Bekasi", body=body,
                   date=datetime(2026, 11, 20, 9, 0, tzinfo=WIB), link=LINK, images=images, **kw)


class Progress(channel_helpers.Progress):
    release = staticmethod(make_release)


def single(text: str = "Kemensos salurkan bantuan untuk korban banjir.") -> Variant:
    return Variant(channel="twitter", kind="twitter", text=text, link=None)


def thread(n: int = 3) -> Variant:
    parts = tuple(f"Bagian {i} dari utas tentang bantuan banjir. ({i}/{n})" for i in range(1, n + 1))
    return Variant(channel="twitter", kind="twitter", text="utas", parts=parts)


class TweetServer:
    """Answers POST /2/tweets with increasing ids and records each request body."""

    def __init__(self, rsps: responses.RequestsMock, first_id: int = 1000) -> None:
        self.bodies: list[dict] = []
        self.next_id = first_id
        rsps.add_callback(responses.POST, TWEETS, callback=self)

    def __call__(self, request):
        body = json.loads(request.body)
        self.bodies.append(body)
        self.next_id += 1
        return 201, {}, json.dumps({"data": {"id": str(self.next_id), "text": body["text"]}})


# -- publish -------------------------------------------------------------------------------

@responses.activate
def test_single_post(tmp_path):
    server = TweetServer(responses.mock)
    progress = Progress()
    receipt = make_channel(tmp_path).publish(single(), progress.ctx())
    assert receipt.remote_id == "1001"
    assert receipt.url == "https://x.com/i/web/status/1001"
    assert receipt.extra["parts"] == ["1001"]
    assert server.bodies == [{"text": "Kemensos salurkan bantuan untuk korban banjir."}]
    auth = responses.calls[0].request.headers["Authorization"]
    assert auth.startswith("OAuth ") and 'oauth_consumer_key="consumer-key"' in auth
    assert progress.saved == {"parts": ["1001"]}
    assert responses.calls[0].request.req_kwargs["timeout"] == 60.0  # tweepy itself sets none


@responses.activate
def test_url_uses_username_when_known(tmp_path):
    TweetServer(responses.mock)
    receipt = make_channel(tmp_path, username="@KemensosRI").publish(single(), Progress().ctx())
    assert receipt.url == "https://x.com/KemensosRI/status/1001"


@responses.activate
def test_post_with_images_uploads_and_attaches(tmp_path):
    images = tuple(Media(make_image(tmp_path / f"foto{i}.jpg"), alt=f"Foto {i}") for i in range(2))
    uploaded = iter(["7001", "7002"])
    responses.add_callback(responses.POST, UPLOAD, callback=lambda r: (
        200, {}, json.dumps({"data": {"id": next(uploaded), "media_key": "3_x"}})))
    responses.add(responses.POST, METADATA, json={"data": {"id": "x"}}, status=200)
    server = TweetServer(responses.mock)
    variant = Variant(channel="twitter", kind="twitter", text="Foto kegiatan.", media=images)
    make_channel(tmp_path).publish(variant, Progress().ctx())
    uploads = [c for c in responses.calls if c.request.url == UPLOAD]
    assert len(uploads) == 2
    assert b'name="media"; filename="foto0.jpg"' in uploads[0].request.body
    assert b"tweet_image" in uploads[0].request.body
    assert uploads[0].request.headers["Authorization"].startswith("OAuth ")
    metas = [json.loads(c.request.body) for c in responses.calls if c.request.url == METADATA]
    assert metas[0] == {"id": "7001", "metadata": {"alt_text": {"text": "Foto 0"}}}
    assert server.bodies == [{"text": "Foto kegiatan.", "media": {"media_ids": ["7001", "7002"]}}]


@responses.activate
def test_thread_is_a_reply_chain(tmp_path):
    server = TweetServer(responses.mock)
    progress = Progress()
    receipt = make_channel(tmp_path).publish(thread(3), progress.ctx())
    assert [b.get("reply") for b in server.bodies] == [
        None, {"in_reply_to_tweet_id": "1001"}, {"in_reply_to_tweet_id": "1002"}]
    assert receipt.remote_id == "1001" and receipt.extra["parts"] == ["1001", "1002", "1003"]
    assert progress.calls == [{"parts": ["1001"]}, {"parts": ["1001", "1002"]},
                              {"parts": ["1001", "1002", "1003"]}]


@responses.activate
def test_thread_failing_at_part_two_resumes_without_duplicates(tmp_path):
    channel, variant, progress = make_channel(tmp_path), thread(3), Progress()
    responses.add(responses.POST, TWEETS, json={"data": {"id": "1001", "text": "p1"}}, status=201)
    responses.add(responses.POST, TWEETS, body=refused())
    with pytest.raises(RetryLater) as info:
        channel.publish(variant, progress.ctx())
    assert "part 2 of 3" in str(info.value) and "retry continues" in str(info.value)
    assert progress.saved == {"parts": ["1001"]}

    responses.reset()
    server = TweetServer(responses.mock, first_id=2000)
    receipt = channel.publish(variant, progress.ctx())
    texts = [b["text"] for b in server.bodies]
    assert texts == list(variant.parts[1:])  # part 1 is not posted again
    assert server.bodies[0]["reply"] == {"in_reply_to_tweet_id": "1001"}
    assert server.bodies[1]["reply"] == {"in_reply_to_tweet_id": "2001"}
    assert receipt.remote_id == "1001" and receipt.extra["parts"] == ["1001", "2001", "2002"]


@responses.activate
def test_resumed_thread_does_not_upload_media_again(tmp_path):
    images = (Media(make_image(tmp_path / "a.jpg"), alt="A"),)
    variant = Variant(channel="twitter", kind="twitter", text="u", parts=("a (1/2)", "b (2/2)"),
                      media=images)
    progress = Progress()
    progress.saved = {"parts": ["1001"]}
    server = TweetServer(responses.mock, first_id=1001)
    make_channel(tmp_path).publish(variant, progress.ctx())
    assert not any(c.request.url == UPLOAD for c in responses.calls)
    assert server.bodies == [{"text": "b (2/2)", "reply": {"in_reply_to_tweet_id": "1001"}}]


# -- errors --------------------------------------------------------------------------------

def _raise(tmp_path, variant=None, now=1_000_000.0) -> DeliveryError:
    with pytest.raises(DeliveryError) as info:
        make_channel(tmp_path).publish(variant or single(), Progress().ctx(now=now))
    err = info.value
    assert CANARY not in str(err) and CANARY not in repr(err.args)
    assert err.__cause__ is None or CANARY not in str(err.__cause__)
    return err


@responses.activate
def test_429_waits_until_reset(tmp_path):
    responses.add(responses.POST, TWEETS, status=429, json={"title": "Too Many Requests"},
                  headers={"x-rate-limit-reset": "1000150"})
    err = _raise(tmp_path, now=1_000_000.0)
    assert isinstance(err, RetryLater) and err.retry_after == 150


@responses.activate
def test_429_without_reset_header(tmp_path):
    responses.add(responses.POST, TWEETS, status=429, json={"title": "Too Many Requests"})
    err = _raise(tmp_path)
    assert isinstance(err, RetryLater) and err.retry_after is None


@responses.activate
def test_401_needs_reauth(tmp_path):
    responses.add(responses.POST, TWEETS, status=401, json={"title": "Unauthorized", "status": 401,
                                                           "detail": "Unauthorized"})
    err = _raise(tmp_path)
    assert isinstance(err, ReauthRequired) and "crosspost auth twitter" in str(err)


def test_missing_secret_needs_reauth(tmp_path):
    channel = TwitterChannel("twitter", Settings(type="twitter"), Limits(),
                             secrets=SecretStore("twitter", tmp_path, env={}, use_keyring=False))
    with pytest.raises(ReauthRequired, match="crosspost auth twitter"):
        channel.publish(single(), Progress().ctx())


@responses.activate
def test_403_duplicate_is_unknown(tmp_path):
    responses.add(responses.POST, TWEETS, status=403, json={
        "detail": "You are not allowed to create a Tweet with duplicate content.",
        "type": "about:blank", "title": "Forbidden", "status": 403})
    assert isinstance(_raise(tmp_path), UnknownOutcome)


@responses.activate
def test_403_other_is_permanent_with_platform_message(tmp_path):
    responses.add(responses.POST, TWEETS, status=403, json={
        "detail": "You are not permitted to perform this action.", "title": "Forbidden", "status": 403})
    err = _raise(tmp_path)
    assert isinstance(err, Permanent) and "not permitted to perform this action" in str(err)


@responses.activate
def test_400_is_permanent(tmp_path):
    responses.add(responses.POST, TWEETS, status=400, json={
        "errors": [{"message": "Your media IDs are invalid."}], "title": "Invalid Request"})
    err = _raise(tmp_path)
    assert isinstance(err, Permanent) and "media IDs are invalid" in str(err)


@responses.activate
def test_503_on_create_is_unknown(tmp_path):
    responses.add(responses.POST, TWEETS, status=503, body="Service Unavailable")
    assert isinstance(_raise(tmp_path), UnknownOutcome)


@responses.activate
def test_read_timeout_on_create_is_unknown(tmp_path):
    responses.add(responses.POST, TWEETS, body=requests.exceptions.ReadTimeout("read timed out"))
    assert isinstance(_raise(tmp_path), UnknownOutcome)


@responses.activate
def test_connection_reset_on_create_is_unknown(tmp_path):
    responses.add(responses.POST, TWEETS, body=requests.exceptions.ConnectionError(ProtocolError(
        "Connection aborted.", ConnectionResetError(104, "Connection reset by peer"))))
    assert isinstance(_raise(tmp_path), UnknownOutcome)


@responses.activate
def test_connection_refused_is_retry(tmp_path):
    responses.add(responses.POST, TWEETS, body=refused())
    assert isinstance(_raise(tmp_path), RetryLater)


@responses.activate
def test_connect_timeout_is_retry(tmp_path):
    responses.add(responses.POST, TWEETS, body=requests.exceptions.ConnectTimeout("connect timed out"))
    assert isinstance(_raise(tmp_path), RetryLater)


@responses.activate
def test_media_upload_failure_is_retry_and_posts_nothing(tmp_path):
    images = (Media(make_image(tmp_path / "a.jpg"), alt="A"),)
    responses.add(responses.POST, UPLOAD, status=503, body="busy")
    variant = Variant(channel="twitter", kind="twitter", text="Foto.", media=images)
    err = _raise(tmp_path, variant)
    assert isinstance(err, RetryLater) and "a.jpg" in str(err)
    assert not any(c.request.url == TWEETS for c in responses.calls)


@responses.activate
def test_canary_never_in_errors_even_if_platform_echoes_it(tmp_path):
    responses.add(responses.POST, TWEETS, status=400, json={"detail": f"bad signature {CANARY}-token"})
    err = _raise(tmp_path)
    assert isinstance(err, Permanent) and "***" in str(err)


# -- lookup --------------------------------------------------------------------------------
# X answers the timeline as X API v2 JSON (tests/x_api.py): t.co links with entities, created_at,
# referenced_tweets. A lookup sees only posts made after this delivery was claimed (CLAIMED).
CLAIMED = 1_000_000.0


def lookup_ctx(progress: Progress | None = None, claimed_at: float | None = CLAIMED):
    ctx = (progress or Progress()).ctx()
    ctx.claimed_at = claimed_at
    return ctx


def account(rsps=None) -> XAccount:
    x = XAccount(lambda: CLAIMED + 5)
    x.install(rsps or responses.mock)
    return x


@responses.activate
def test_lookup_finds_post_with_tco_link(tmp_path):
    text = f"Kemensos salurkan bantuan Rp1,2 miliar & paket sandang untuk korban banjir.\n\n{LINK}"
    x = account()
    x.add("Unggahan lain", CLAIMED + 1)
    mine = x.add(text, CLAIMED + 2)
    assert "t.co" in mine["text"] and "&amp;" in mine["text"]
    receipt = make_channel(tmp_path).lookup(single(text), lookup_ctx())
    assert receipt is not None and receipt.remote_id == mine["id"]
    params = responses.calls[1].request.params
    assert params["max_results"] == "100" and "referenced_tweets" in params["tweet.fields"]
    assert params["start_time"].startswith("1970-01-12T")  # the claim, less the clock slack


@responses.activate
def test_lookup_unwraps_bare_domains_and_drops_the_media_link(tmp_path):
    text = "Info lengkap di kemensos.go.id dan cekbansos.kemensos.go.id #KemensosHadir"
    x = account()
    mine = x.add(text, CLAIMED + 2, media=True)
    assert "kemensos.go.id" not in mine["text"]  # X wrapped the bare domains too
    receipt = make_channel(tmp_path).lookup(single(text), lookup_ctx())
    assert receipt is not None and receipt.remote_id == mine["id"]


@responses.activate
def test_lookup_finds_nothing(tmp_path):
    x = account()
    x.add("Unggahan lain", CLAIMED + 1)
    x.add("Sosialisasi program PKH di Sumba", CLAIMED + 2)
    assert make_channel(tmp_path).lookup(single(), lookup_ctx()) is None


@responses.activate
def test_lookup_ignores_the_same_text_posted_before_the_claim(tmp_path):
    x = account()
    x.add(single().text, CLAIMED - 3600)  # last week's identical post is not this delivery's
    assert make_channel(tmp_path).lookup(single(), lookup_ctx()) is None


@responses.activate
def test_lookup_needs_the_whole_text_not_its_opening(tmp_path):
    x = account()
    x.add(single().text + " Tambahan kalimat.", CLAIMED + 1)
    assert make_channel(tmp_path).lookup(single(), lookup_ctx()) is None


def test_lookup_without_a_claim_time_cannot_tell(tmp_path):
    with pytest.raises(UnknownOutcome, match="no claim time"):
        make_channel(tmp_path).lookup(single(), lookup_ctx(claimed_at=None))


@responses.activate
def test_lookup_partial_thread_records_progress_and_returns_none(tmp_path):
    variant, progress = thread(3), Progress()
    x = account()
    first = x.add(variant.parts[0], CLAIMED + 1)
    x.add("Unggahan lain", CLAIMED + 2)
    second = x.add(variant.parts[1], CLAIMED + 3, reply_to=first["id"])
    progress.saved = {"parts": [first["id"]]}
    assert make_channel(tmp_path).lookup(variant, lookup_ctx(progress)) is None
    assert progress.saved == {"parts": [first["id"], second["id"]]}


@responses.activate
def test_lookup_full_thread(tmp_path):
    variant = thread(2)
    x = account()
    first = x.add(variant.parts[0], CLAIMED + 1)
    second = x.add(variant.parts[1], CLAIMED + 2, reply_to=first["id"])
    receipt = make_channel(tmp_path).lookup(variant, lookup_ctx())
    assert receipt is not None and receipt.extra["parts"] == [first["id"], second["id"]]


@responses.activate
def test_lookup_reply_text_with_the_leading_mention_x_adds(tmp_path):
    variant = thread(2)
    x = account()
    first = x.add(variant.parts[0], CLAIMED + 1)
    second = x.add("@KemensosRI " + variant.parts[1], CLAIMED + 2, reply_to=first["id"])
    receipt = make_channel(tmp_path).lookup(variant, lookup_ctx())
    assert receipt is not None and receipt.extra["parts"] == [first["id"], second["id"]]


@responses.activate
def test_lookup_part_must_reply_to_the_previous_part(tmp_path):
    variant = thread(2)
    x = account()
    first = x.add(variant.parts[0], CLAIMED + 1)
    x.add(variant.parts[1], CLAIMED + 2, reply_to="999")  # same text, another chain
    x.add(variant.parts[1], CLAIMED + 3)  # same text, no reply at all
    progress = Progress()
    assert make_channel(tmp_path).lookup(variant, lookup_ctx(progress)) is None
    assert progress.saved == {"parts": [first["id"]]}


@responses.activate
def test_lookup_reads_every_page_since_the_claim(tmp_path):
    x = account()
    mine = x.add(single().text, CLAIMED + 1)
    for i in range(30):
        x.add(f"Unggahan lain {i}", CLAIMED + 2 + i)
    receipt = make_channel(tmp_path, lookup_limit=10).lookup(single(), lookup_ctx())
    assert receipt is not None and receipt.remote_id == mine["id"]


@responses.activate
def test_lookup_with_more_posts_than_it_reads_cannot_tell(tmp_path):
    x = account()
    for i in range(60):
        x.add(f"Unggahan lain {i}", CLAIMED + 2 + i)
    with pytest.raises(UnknownOutcome, match="cannot read them all"):
        make_channel(tmp_path, lookup_limit=10).lookup(single(), lookup_ctx())


@responses.activate
def test_lookup_correction_must_reply_to_the_original(tmp_path):
    ralat = Variant(channel="twitter", kind="twitter", text="RALAT: yang benar 12.000 penerima.",
                    extra={"action": "correct",
                           "original": {"remote_id": "500", "extra": {"parts": ["500"]}}})
    x = account()
    x.add(ralat.text, CLAIMED + 1, reply_to="400")  # the same words under another post
    ch = make_channel(tmp_path)
    assert ch.lookup_correction(ralat, lookup_ctx()) is None
    mine = x.add(ralat.text, CLAIMED + 2, reply_to="500")
    receipt = ch.lookup_correction(ralat, lookup_ctx())
    assert receipt is not None and receipt.remote_id == mine["id"]


def test_lookup_with_every_part_recorded_needs_no_call(tmp_path):
    progress = Progress()
    progress.saved = {"parts": ["1001", "1002"]}
    with responses.RequestsMock() as rsps:  # any HTTP call would fail: none is registered
        receipt = make_channel(tmp_path).lookup(thread(2), lookup_ctx(progress))
        assert len(rsps.calls) == 0
    assert receipt is not None and receipt.extra["parts"] == ["1001", "1002"]


@responses.activate
def test_lookup_rate_limited_is_retry(tmp_path):
    responses.add(responses.GET, f"{API}/2/users/me", status=429, json={},
                  headers={"x-rate-limit-reset": "1000060"})
    with pytest.raises(RetryLater) as info:
        make_channel(tmp_path).lookup(single(), lookup_ctx())
    assert info.value.retry_after == 60


# -- build_variant -------------------------------------------------------------------------

LONG_BODY = "\n\n".join(
    f"Paragraf {i}: Kementerian Sosial menyalurkan bantuan logistik bagi warga terdampak banjir di "
    f"Kabupaten Bekasi. Petugas Tagana membantu evakuasi dan pendataan di tujuh kecamatan." for i in range(6))


def test_build_variant_long_release_is_numbered_thread_with_link_once(tmp_path):
    channel = make_channel(tmp_path)
    variant, problems = channel.build_variant(make_release(LONG_BODY), LONG_BODY)
    assert not [p for p in problems if p.severity == "error"]
    assert len(variant.parts) > 1 and variant.kind == "twitter" and variant.link == LINK
    assert sum(p.count(LINK) for p in variant.parts) == 1 and LINK in variant.parts[-1]
    for i, part in enumerate(variant.parts, 1):
        assert part.endswith(f"({i}/{len(variant.parts)})") and weighted_length(part) <= 280
    assert variant.counts["weighted"] == [weighted_length(p) for p in variant.parts]


def test_build_variant_link_first(tmp_path):
    variant, _ = make_channel(tmp_path, link_part="first").build_variant(make_release(LONG_BODY), LONG_BODY)
    assert LINK in variant.parts[0] and not any(LINK in p for p in variant.parts[1:])


def test_build_variant_short_is_single_post_with_link(tmp_path):
    variant, problems = make_channel(tmp_path).build_variant(make_release(), "Bantuan Banjir Bekasi")
    assert problems == [] and variant.parts == ()
    assert variant.text == f"Bantuan Banjir Bekasi\n\nSelengkapnya: {LINK}"


def test_build_variant_too_long_without_thread_is_a_problem(tmp_path):
    _, problems = make_channel(tmp_path, thread=False).build_variant(make_release(LONG_BODY), LONG_BODY)
    assert [p.field for p in problems if p.severity == "error"] == ["text"]
    assert problems[0].limit == 280 and problems[0].actual > 280


def test_build_variant_too_many_parts(tmp_path):
    _, problems = make_channel(tmp_path, max_parts=2).build_variant(make_release(LONG_BODY), LONG_BODY)
    (p,) = [p for p in problems if p.field == "parts"]
    assert p.limit == 2 and p.actual > 2 and p.severity == "error"


def test_build_variant_images(tmp_path):
    small = [Media(make_image(tmp_path / f"f{i}.jpg"), alt="foto") for i in range(5)]
    big = tmp_path / "besar.jpg"
    big.write_bytes(b"\xff\xd8" + b"0" * (5 * 1024 * 1024 + 10))
    release = make_release(images=(Media(big, alt="besar"), *small))
    variant, problems = make_channel(tmp_path).build_variant(release, "Foto kegiatan.")
    assert len(variant.media) == 4 and variant.media[0].path == big
    assert any(p.field == "media" and p.severity == "warning" and p.actual == 6 for p in problems)
    (too_big,) = [p for p in problems if p.severity == "error"]
    assert too_big.field == "media" and too_big.actual > too_big.limit == 5 * 1024 * 1024


def test_build_variant_without_link_is_fine(tmp_path):
    release = Release(slug="s", title="T", body="b", date=datetime(2026, 11, 20, tzinfo=WIB))
    variant, problems = make_channel(tmp_path).build_variant(release, "Judul singkat.")
    assert problems == [] and variant.link is None and variant.text == "Judul singkat."


def test_template_renders_and_fits(tmp_path):
    from crosspost.adapt import adapt_one

    body = LONG_BODY + "\n\n" + LONG_BODY
    release = make_release(body, summary="Kemensos menyalurkan bantuan logistik bagi korban banjir.",
                           hashtags=("KemensosHadir", "TanggapBencana", "BanjirBekasi", "Keempat"))
    adapted = adapt_one(release, make_channel(tmp_path))
    v = adapted.variant
    assert adapted.ok, adapted.problems
    assert v.text.startswith("Bantuan Banjir Bekasi\n\nKemensos menyalurkan bantuan logistik")
    assert "#KemensosHadir #TanggapBencana #BanjirBekasi" in v.text and "#Keempat" not in v.text
    assert LINK not in v.text  # the template leaves the link to the channel
    assert 1 < len(v.parts) <= 6


def test_corpus_release_01_fits(tmp_path):
    shared = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "releases"
    src = shared / "01-siaran-pers-banjir-bekasi.md"
    if not src.is_file():
        pytest.skip("../shared/corpus is absent")
    import frontmatter

    from crosspost.adapt import adapt_one

    post = frontmatter.loads(src.read_text("utf-8"))
    release = make_release(post.content, summary=post["summary"], hashtags=tuple(post["hashtags"]))
    adapted = adapt_one(release, make_channel(tmp_path))
    assert adapted.ok, adapted.problems
    assert all(n <= 280 for n in adapted.variant.counts["weighted"])
