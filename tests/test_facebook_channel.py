"""Facebook Page channel through facebook-sdk's real code path, with `responses` at the HTTP boundary."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs

import channel_helpers
import pytest
import requests
import responses
import urllib3
from channel_helpers import make_channel as build_channel
from channel_helpers import make_image

from crosspost.channels import outcomes
from crosspost.channels.facebook import OUTCOMES, FacebookChannel, Settings, retry_after
from crosspost.errors import (
    ConfigError,
    DeliveryError,
    Permanent,
    ReauthRequired,
    RetryLater,
    UnknownOutcome,
)
from crosspost.models import Media, Release, Variant

CANARY = "CANARY-fb-page-t0ken-5e4d3c"
PAGE = "1029384756"
GRAPH = f"https://graph.facebook.com/v26.0/{PAGE}"
FEED, PHOTOS, POSTS = f"{GRAPH}/feed", f"{GRAPH}/photos", f"{GRAPH}/posts"
WIB = timezone(timedelta(hours=7))
LINK = "https://www.kemensos.go.id/siaran-pers/bantuan-banjir-bekasi"
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=WIB).timestamp()
SHARED = Path(__file__).resolve().parents[2] / "shared"


def make_channel(tmp_path: Path, token: str = CANARY, **settings) -> FacebookChannel:
    env = {"CROSSPOST_FACEBOOK_PAGE_ACCESS_TOKEN": token} if token else {}
    settings.setdefault("page_id", PAGE)
    return build_channel(FacebookChannel, tmp_path, env=env, **settings)


def make_release(images: tuple[Media, ...] = (), **kw) -> Release:
    return Release(slug="bantuan-banjir", title="Bantuan Banjir Bekasi", body="Paragraf pertama.",
                   date=datetime(2026, 11, 20, 9, 0, tzinfo=WIB), link=LINK, images=images, **kw)


class Progress(channel_helpers.Progress):
    release, now = staticmethod(make_release), NOW


def photos(tmp_path: Path, n: int) -> tuple[Media, ...]:
    return tuple(Media(make_image(tmp_path / f"foto{i}.jpg"), alt=f"Foto {i}") for i in range(n))


def variant(media: tuple[Media, ...] = (), link: str | None = LINK) -> Variant:
    text = f"Bantuan Banjir Bekasi\n\nKemensos salurkan bantuan.\n\nSelengkapnya: {link}"
    return Variant(channel="facebook", kind="facebook", text=text, media=media, link=link)


def form(call) -> dict[str, str]:
    """The urlencoded body of a request, one value per key."""
    return {k: v[0] for k, v in parse_qs(call.request.body).items()}


def graph_error(code: int, subcode: int | None = None, message: str = "Error", status: int = 400,
                **extra) -> dict:
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "Ab1", **extra}
    if subcode:
        error["error_subcode"] = subcode
    return {"json": {"error": error}, "status": status}


def refused(url: str) -> requests.exceptions.ConnectionError:
    """What requests raises when the connect is refused (adapters.py: MaxRetryError wrapping
    urllib3's NewConnectionError)."""
    reason = urllib3.exceptions.NewConnectionError(
        None, "Failed to establish a new connection: [Errno 111] Connection refused")
    return requests.exceptions.ConnectionError(urllib3.exceptions.MaxRetryError(None, url, reason))


def assert_no_secret(exc: BaseException) -> None:
    """The canary token is in no text of the error, nor of a chained one a traceback would show."""
    assert exc.__cause__ is None and exc.__suppress_context__
    for text in (str(exc), repr(exc), repr(exc.args)):
        assert CANARY not in text


# -- publish -------------------------------------------------------------------------------

@responses.activate
def test_link_post(tmp_path):
    responses.add(responses.POST, FEED, json={"id": f"{PAGE}_555"})
    progress = Progress()
    receipt = make_channel(tmp_path).publish(variant(), progress.ctx())
    assert receipt.remote_id == f"{PAGE}_555"
    assert receipt.url == f"https://www.facebook.com/{PAGE}_555"
    (call,) = responses.calls
    assert call.request.url == FEED  # version and Page id in the path, token not in the URL
    body = form(call)
    assert body["message"].startswith("Bantuan Banjir Bekasi") and body["link"] == LINK
    assert body["access_token"] == CANARY
    assert "published" not in body and "scheduled_publish_time" not in body
    assert progress.saved == {"photos": [], "post_id": f"{PAGE}_555"}


@responses.activate
def test_configured_version_and_host(tmp_path):
    responses.add(responses.POST, f"http://127.0.0.1:8765/v25.0/{PAGE}/feed", json={"id": "9"})
    ch = make_channel(tmp_path, graph_version="v25.0", graph_url="http://127.0.0.1:8765/")
    assert ch.publish(variant(), Progress().ctx()).remote_id == "9"
    assert responses.calls[0].request.req_kwargs["timeout"] == 60.0


@responses.activate
def test_single_photo_is_multipart_with_caption(tmp_path):
    responses.add(responses.POST, PHOTOS, json={"id": "777", "post_id": f"{PAGE}_888"})
    receipt = make_channel(tmp_path).publish(variant(photos(tmp_path, 1)), Progress().ctx())
    assert receipt.remote_id == f"{PAGE}_888"
    (call,) = responses.calls
    assert call.request.headers["Content-Type"].startswith("multipart/form-data")
    body = call.request.body
    assert b'name="source"; filename="foto0.jpg"' in body
    assert b'name="message"' in body and b"Kemensos salurkan bantuan." in body
    assert b'name="published"' not in body and b'name="link"' not in body


class PhotoServer:
    """Answers POST /photos with increasing ids; records each upload's form fields."""

    def __init__(self, rsps, first: int = 7000, fail_at: int | None = None) -> None:
        self.fields: list[bytes] = []
        self.next_id, self.fail_at = first, fail_at
        rsps.add_callback(responses.POST, PHOTOS, callback=self)

    def __call__(self, request):
        self.fields.append(request.body)
        if self.fail_at is not None and len(self.fields) == self.fail_at:
            return 400, {"Content-Type": "application/json"}, json.dumps(graph_error(4)["json"])
        self.next_id += 1
        return 200, {"Content-Type": "application/json"}, json.dumps({"id": str(self.next_id)})


@responses.activate
def test_multi_photo_uploads_unpublished_then_one_feed_post(tmp_path):
    server = PhotoServer(responses.mock)
    responses.add(responses.POST, FEED, json={"id": f"{PAGE}_999"})
    progress = Progress()
    receipt = make_channel(tmp_path).publish(variant(photos(tmp_path, 3)), progress.ctx())
    assert len(server.fields) == 3
    for body in server.fields:
        assert b'name="published"\r\n\r\nfalse' in body and b'name="source"' in body
        assert b'name="message"' not in body and b'name="temporary"' not in body
    feed = form(responses.calls[3])
    assert responses.calls[3].request.url == FEED
    assert [json.loads(feed[f"attached_media[{i}]"]) for i in range(3)] == [
        {"media_fbid": "7001"}, {"media_fbid": "7002"}, {"media_fbid": "7003"}]
    assert "link" not in feed and feed["message"].startswith("Bantuan Banjir Bekasi")
    assert receipt.remote_id == f"{PAGE}_999" and receipt.extra["photos"] == ["7001", "7002", "7003"]
    assert progress.calls[:3] == [{"photos": ["7001"]}, {"photos": ["7001", "7002"]},
                                  {"photos": ["7001", "7002", "7003"]}]


@responses.activate
def test_multi_photo_retry_reuses_saved_uploads(tmp_path):
    media = photos(tmp_path, 3)
    server = PhotoServer(responses.mock, fail_at=3)
    ch, progress = make_channel(tmp_path), Progress()
    with pytest.raises(RetryLater):
        ch.publish(variant(media), progress.ctx())
    assert progress.saved == {"photos": ["7001", "7002"]}
    server.fail_at = None
    responses.add(responses.POST, FEED, json={"id": f"{PAGE}_42"})
    receipt = ch.publish(variant(media), progress.ctx())
    assert len(server.fields) == 4  # only the third photo was uploaded again
    assert b'filename="foto2.jpg"' in server.fields[3]
    feed = form(responses.calls[-1])
    assert [json.loads(feed[f"attached_media[{i}]"])["media_fbid"] for i in range(3)] == [
        "7001", "7002", "7003"]
    assert receipt.remote_id == f"{PAGE}_42"


@responses.activate
def test_feed_failure_after_uploads_then_retry_posts_without_uploading(tmp_path):
    media = photos(tmp_path, 2)
    server = PhotoServer(responses.mock)
    responses.add(responses.POST, FEED, body=refused(FEED))
    ch, progress = make_channel(tmp_path), Progress()
    with pytest.raises(RetryLater):
        ch.publish(variant(media), progress.ctx())
    responses.replace(responses.POST, FEED, json={"id": f"{PAGE}_43"})
    assert ch.publish(variant(media), progress.ctx()).remote_id == f"{PAGE}_43"
    assert len(server.fields) == 2


@responses.activate
def test_recorded_post_id_is_not_posted_again(tmp_path):
    progress = Progress()
    progress.saved = {"photos": [], "post_id": f"{PAGE}_1"}
    receipt = make_channel(tmp_path).publish(variant(), progress.ctx())
    assert receipt.remote_id == f"{PAGE}_1" and not responses.calls


# -- errors --------------------------------------------------------------------------------

@pytest.mark.parametrize("code, subcode, expected, words", [
    (4, None, RetryLater, "slow down"),
    (80001, None, RetryLater, "slow down"),
    (190, 463, ReauthRequired, "crosspost auth facebook"),
    (102, None, ReauthRequired, "crosspost auth facebook"),
    (100, 33, Permanent, "page_id"),
    (200, None, ReauthRequired, "pages_manage_posts"),
    (368, None, UnknownOutcome, "duplicate"),
    (1609005, None, Permanent, "link"),
    (506, None, UnknownOutcome, "duplicate"),
])
@responses.activate
def test_graph_errors_are_classified(tmp_path, code, subcode, expected, words):
    spec = graph_error(code, subcode, message=f"Facebook says no (token {CANARY})")
    responses.add(responses.POST, FEED, **spec)
    with pytest.raises(DeliveryError) as info:
        make_channel(tmp_path).publish(variant(), Progress().ctx())
    assert type(info.value) is expected
    assert words in str(info.value) and f"code {code}" in str(info.value)
    assert_no_secret(info.value)


@responses.activate
def test_rate_limit_wait_comes_from_usage_header(tmp_path):
    usage = {PAGE: [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 5}]}
    responses.add(responses.POST, FEED, headers={"X-Business-Use-Case-Usage": json.dumps(usage)},
                  **graph_error(80001))
    with pytest.raises(RetryLater) as info:
        make_channel(tmp_path).publish(variant(), Progress().ctx())
    assert info.value.retry_after == 300.0 and "in 300 s" in str(info.value)


@responses.activate
def test_rate_limit_without_hint_has_no_wait(tmp_path):
    responses.add(responses.POST, FEED, **graph_error(4))
    with pytest.raises(RetryLater) as info:
        make_channel(tmp_path).publish(variant(), Progress().ctx())
    assert info.value.retry_after is None


def test_retry_after_header_wins():
    assert retry_after({"Retry-After": "120"}) == 120.0
    assert retry_after({"X-App-Usage": "not json"}) is None
    assert retry_after({}) is None


@responses.activate
def test_answer_without_content_type_on_create_is_unknown(tmp_path):
    responses.add(responses.POST, FEED, body='{"id": "1"}', content_type=None, status=200)
    with pytest.raises(UnknownOutcome, match="without a content type"):
        make_channel(tmp_path).publish(variant(), Progress().ctx())


@responses.activate
def test_answer_without_content_type_on_upload_is_retry(tmp_path):
    responses.add(responses.POST, PHOTOS, body="", content_type=None, status=502)
    with pytest.raises(RetryLater):
        make_channel(tmp_path).publish(variant(photos(tmp_path, 2)), Progress().ctx())


@responses.activate
def test_html_server_error_on_create_is_unknown(tmp_path):
    responses.add(responses.POST, FEED, body="<html>Bad gateway</html>", content_type="text/html",
                  status=502)
    with pytest.raises(UnknownOutcome, match="HTTP 502"):
        make_channel(tmp_path).publish(variant(), Progress().ctx())


@responses.activate
def test_read_timeout_on_create_is_unknown(tmp_path):
    responses.add(responses.POST, PHOTOS, body=requests.exceptions.ReadTimeout(f"read timed out {CANARY}"))
    with pytest.raises(UnknownOutcome) as info:
        make_channel(tmp_path).publish(variant(photos(tmp_path, 1)), Progress().ctx())
    assert "may exist" in str(info.value)
    assert_no_secret(info.value)


@responses.activate
def test_read_timeout_on_unpublished_upload_is_retry(tmp_path):
    responses.add(responses.POST, PHOTOS, body=requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(RetryLater):
        make_channel(tmp_path).publish(variant(photos(tmp_path, 2)), Progress().ctx())


def test_missing_token_asks_for_auth(tmp_path):
    with pytest.raises(ReauthRequired, match="crosspost auth facebook"):
        make_channel(tmp_path, token="").publish(variant(), Progress().ctx())


def test_missing_photo_is_permanent(tmp_path):
    media = (Media(tmp_path / "hilang.jpg"),)
    with pytest.raises(Permanent, match="hilang.jpg"):
        make_channel(tmp_path).publish(variant(media), Progress().ctx())


# -- reconcile and edit ----------------------------------------------------------------------

@responses.activate
def test_lookup_finds_only_this_deliverys_own_post(tmp_path):
    """Issue 12: a post sharing the link or the opening line is another release's; only the same
    whole message, created after the claim, is this delivery's."""
    claimed = datetime(2026, 11, 20, 2, 0, tzinfo=UTC).timestamp()
    mine = variant().text
    responses.add(responses.GET, POSTS, json={"data": [
        {"id": f"{PAGE}_1", "message": f"Judul lain\n\nSelengkapnya: {LINK}",
         "created_time": "2026-11-20T02:05:00+0000"},
        {"id": f"{PAGE}_2", "message": "Bantuan Banjir Bekasi\n\nteks lain",
         "created_time": "2026-11-20T02:06:00+0000"},
        {"id": f"{PAGE}_3", "message": mine, "created_time": "2026-11-19T09:00:00+0000"},  # before the claim
        {"id": f"{PAGE}_4", "message": mine.replace("\n\n", "\n  \n"),
         "created_time": "2026-11-20T02:07:00+0000", "permalink_url": f"https://www.facebook.com/kemensos/posts/{PAGE}_4"}]})
    ctx = Progress().ctx()
    ctx.claimed_at = claimed
    receipt = make_channel(tmp_path).lookup(variant(), ctx)
    assert receipt is not None and receipt.remote_id == f"{PAGE}_4"
    assert receipt.url == f"https://www.facebook.com/kemensos/posts/{PAGE}_4"
    query = parse_qs(responses.calls[0].request.url.split("?", 1)[1])
    assert query["fields"] == ["id,message,permalink_url,created_time"] and query["limit"] == ["25"]
    assert responses.calls[0].request.url.startswith(POSTS)


@responses.activate
def test_lookup_ignores_posts_that_only_share_the_link_or_the_first_line(tmp_path):
    responses.add(responses.GET, POSTS, json={"data": [
        {"id": f"{PAGE}_1", "message": f"Judul lain\n\nSelengkapnya: {LINK}"},
        {"id": f"{PAGE}_3", "message": "Bantuan  Banjir Bekasi\n\nteks yang disunting"}]})
    assert make_channel(tmp_path).lookup(variant(), Progress().ctx()) is None


@responses.activate
def test_lookup_not_found(tmp_path):
    responses.add(responses.GET, POSTS, json={"data": [{"id": f"{PAGE}_1", "message": "Kabar lain"}]})
    assert make_channel(tmp_path).lookup(variant(), Progress().ctx()) is None


@responses.activate
def test_lookup_expired_token_is_reauth_and_token_not_leaked(tmp_path):
    responses.add(responses.GET, POSTS, **graph_error(190, 463, message="Session has expired"))
    with pytest.raises(ReauthRequired) as info:
        make_channel(tmp_path).lookup(variant(), Progress().ctx())
    assert_no_secret(info.value)
    assert f"access_token={CANARY}" in responses.calls[0].request.url  # the SDK puts it there


@responses.activate
def test_edit_replaces_message(tmp_path):
    responses.add(responses.POST, f"https://graph.facebook.com/v26.0/{PAGE}_5", json={"success": True})
    receipt = make_channel(tmp_path).edit(f"{PAGE}_5", "Ralat: teks baru")
    assert form(responses.calls[0])["message"] == "Ralat: teks baru"
    assert receipt.remote_id == f"{PAGE}_5"


# -- adapt ---------------------------------------------------------------------------------

def test_settings_are_checked():
    with pytest.raises(ConfigError, match="post_type"):
        Settings(type="facebook", post_type="video")
    with pytest.raises(ConfigError, match="v26.0"):
        Settings(type="facebook", graph_version="26.0")


def test_build_variant_photo_link_and_problems(tmp_path):
    ch = make_channel(tmp_path)
    media = photos(tmp_path, 12)
    v, problems = ch.build_variant(make_release(images=media), "Judul\n\nIsi")
    assert v.extra["post_type"] == "photo" and len(v.media) == 10 and v.link == LINK
    assert [p.severity for p in problems] == ["warning"]
    v, problems = ch.build_variant(make_release(), "Judul\n\nIsi")
    assert v.extra["post_type"] == "link" and v.media == () and not problems
    v, problems = make_channel(tmp_path, post_type="link").build_variant(make_release(images=media), "x")
    assert v.media == () and v.extra["post_type"] == "link"
    long = "kata " * 13000
    _, problems = ch.build_variant(make_release(), long)
    (p,) = problems
    assert p.field == "text" and p.limit == 63206 and p.actual == len(long.strip())
    _, problems = make_channel(tmp_path, page_id="").build_variant(make_release(), "x")
    assert [p.field for p in problems] == ["page_id"]
    _, problems = make_channel(tmp_path, post_type="photo").build_variant(make_release(), "x")
    assert [p.field for p in problems] == ["media"]


def test_template_on_corpus_releases(tmp_path):
    corpus = SHARED / "corpus" / "releases"
    if not corpus.is_dir():
        pytest.skip("../shared/corpus is not beside the checkout")
    from crosspost.adapt import adapt_one
    from crosspost.release import load_release

    ch = make_channel(tmp_path)
    foto = adapt_one(load_release(corpus / "02-berita-foto-hari-disabilitas.md"), ch)
    assert foto.ok, foto.problems
    text = foto.variant.text
    assert text.startswith("Peringatan Hari Disabilitas Internasional 2026")
    assert "Pameran menampilkan lukisan" in text  # the full text, not a cut
    assert "Selengkapnya: https://www.kemensos.go.id/berita-foto/peringatan-hdi-2026" in text
    assert text.rstrip().endswith("#HDI2026 #InklusiTanpaBatas #KemensosHadir")
    assert [m.path.name for m in foto.variant.media] == ["hdi-1.jpg", "hdi-2.jpg", "hdi-3.jpg"]
    short = adapt_one(load_release(corpus / "04-berita-terkini-singkat.md"), ch)
    assert short.ok and short.variant.extra["post_type"] == "link" and short.variant.media == ()
    video = adapt_one(load_release(corpus / "03-berita-video-atensi.md"), ch)
    assert video.ok and any("video" in p.message for p in video.problems)


# -- the outcome table, row by row, through facebook-sdk and requests -----------------------

import faultserver  # noqa: E402

# Transport failures made real on 127.0.0.1 (faultserver's modes), and the two a loopback cannot
# make (a connect timeout, a DNS failure), raised exactly as requests/adapters.py builds them.
LOOPBACK = {"connect_refused": "refused", "empty_reply": "empty", "reset": "reset",
            "read_timeout": "hang", "tls": "notls", "connection_broken": "garbage"}


def shaped(failure: str, url: str) -> BaseException:
    if failure == "connect_timeout":
        reason = urllib3.exceptions.ConnectTimeoutError(
            None, "Connection to graph.facebook.com timed out. (connect timeout=60)")
        return requests.exceptions.ConnectTimeout(urllib3.exceptions.MaxRetryError(None, url, reason))
    assert failure == "dns", failure
    reason = urllib3.exceptions.NameResolutionError("graph.facebook.com", None,
                                                    OSError(-2, "Name or service not known"))
    return requests.exceptions.ConnectionError(urllib3.exceptions.MaxRetryError(None, url, reason))


# An answer shaped exactly like Graph's error JSON (or like what a proxy sends), per failure key.
def answer(failure: str) -> dict:
    if failure.startswith("graph:"):
        key = failure.split(":", 1)[1]
        special = {"200-299": (200, 403, {}), "transient": (1200, 500, {"is_transient": True}),
                   "other_5xx": (9007, 500, {}), "other_4xx": (803, 404, {}),
                   "1": (1, 500, {"is_transient": False}), "2": (2, 500, {"is_transient": True}),
                   "368": (368, 400, {}), "190": (190, 400, {})}
        code, status, extra = special.get(key, (int(key) if key.isdigit() else 0, 400, {}))
        return graph_error(code, status=status, message=f"Graph says {failure}", **extra)
    return {"http_4xx_unreadable": {"body": "<html>Not found</html>", "content_type": "text/html",
                                    "status": 404},
            "http_5xx_unreadable": {"body": "<html>Bad gateway</html>", "content_type": "text/html",
                                    "status": 502},
            "no_content_type": {"body": '{"id": "1"}', "content_type": None, "status": 200},
            # content-type says JSON, the body is not: requests' JSONDecodeError inside the SDK
            "unexpected": {"body": "{not json", "content_type": "application/json", "status": 200},
            }[failure]


ROOT = "https://graph.facebook.com/v26.0"
ENDPOINTS = {"create": ("POST", FEED), "upload": ("POST", PHOTOS), "read": ("GET", POSTS),
             "edit": ("POST", f"{ROOT}/{PAGE}_5")}


def drive(ch: FacebookChannel, call: str, tmp_path: Path) -> None:
    if call == "create":
        ch.publish(variant(), Progress().ctx())
    elif call == "upload":  # the first unpublished photo of a multi-photo post
        ch.publish(variant(photos(tmp_path, 2)), Progress().ctx())
    elif call == "read":
        ch.lookup(variant(), Progress().ctx())
    else:
        ch.edit(f"{PAGE}_5", "Ralat: teks baru")


CELLS = [(row.call if row.call != "*" else call, row) for row in OUTCOMES
         for call in (ENDPOINTS if row.call == "*" else (row.call,))]


def test_outcome_table_is_well_formed():
    assert not outcomes.check_table(OUTCOMES)
    assert all(row.source for row in OUTCOMES)
    # every documented code the issue names has a cell on create
    for failure in ("graph:1", "graph:2", "graph:transient", "graph:4", "graph:17", "graph:32",
                    "graph:613", "graph:190", "graph:10", "graph:200-299", "graph:100", "graph:368",
                    "graph:506", "connect_refused", "tls", "connect_timeout", "read_timeout", "reset",
                    "empty_reply"):
        assert any(r.failure == failure and r.call in ("create", "*") for r in OUTCOMES), failure


@pytest.mark.parametrize("call, row", CELLS, ids=[f"{c}-{r.failure}" for c, r in CELLS])
def test_fault_matrix(tmp_path, call, row):
    """Each cell of OUTCOMES, provoked through facebook-sdk's real request path: the delivery goes
    where the table says, and the SDK sent the create request once (no hidden retry)."""
    expected = outcomes.ERRORS[row.state]
    if row.failure in LOOPBACK:
        with faultserver.FaultServer(LOOPBACK[row.failure]) as server:
            scheme = "https" if row.failure == "tls" else "http"
            ch = make_channel(tmp_path, graph_url=server.url(scheme), timeout=0.5)
            with pytest.raises(DeliveryError) as info:
                drive(ch, call, tmp_path)
            if row.failure not in ("connect_refused", "tls"):
                assert server.requests == 1  # it was sent, once
    else:
        with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
            method, url = ENDPOINTS[call]
            if row.failure in ("connect_timeout", "dns"):
                rsps.add(method, url, body=shaped(row.failure, url))
            else:
                rsps.add(method, url, **answer(row.failure))
            with pytest.raises(DeliveryError) as info:
                drive(make_channel(tmp_path), call, tmp_path)
            assert len(rsps.calls) == 1
    assert type(info.value) is expected, (row, str(info.value))
    assert info.value.failure == row.failure  # the SDK's failure was read as this row, not another
    assert_no_secret(info.value)
