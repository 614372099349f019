"""YouTube channel through googleapiclient's real request code, with HttpMockSequence as the network.

The client is built from the discovery document shipped in the package; the OAuth token is
a real token file; every HTTP exchange (the resumable session, each chunk, the token endpoint)
is scripted and the request sequence asserted.
"""

from __future__ import annotations

import json
import os
import socket
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from channel_helpers import make_channel as build_channel
from googleapiclient.http import HttpMockSequence

from crosspost.channels.base import PublishContext
from crosspost.channels.youtube import (
    DOCUMENT,
    Limits,
    Settings,
    YouTubeChannel,
    discovery_document,
    tags_length,
    until_pacific_midnight,
)
from crosspost.channels.youtube_auth import SCOPES, authorize, load_credentials
from crosspost.errors import (
    ConfigError,
    DeliveryError,
    Permanent,
    ReauthRequired,
    RetryLater,
    UnknownOutcome,
)
from crosspost.models import Media, Release
from crosspost.secrets import SecretStore

CANARY = "CANARY-yt-access-t0ken-9f8e7d"
CANARY_REFRESH = "CANARY-yt-refresh-1a2b3c"
CANARY_CLIENT = "CANARY-yt-client-secret-4d5e"
WIB = timezone(timedelta(hours=7))
NOW = datetime(2026, 11, 28, 20, 0, tzinfo=UTC).timestamp()  # 12:00 PST
SESSION = "https://youtube.googleapis.com/upload/youtube/v3/videos?uploadType=resumable&upload_id=UP1"
TOKEN_URI = "https://oauth2.googleapis.com/token"
SHARED = Path(__file__).resolve().parents[2] / "shared"
KIB = 1024


def ok(body: dict | None = None, **headers: str) -> tuple[dict, str]:
    return {"status": "200", **headers}, json.dumps(body or {})


def error(status: int, reason: str, message: str = "refused") -> tuple[dict, str]:
    body = {"error": {"code": status, "message": message,
                      "errors": [{"domain": "youtube", "reason": reason, "message": message}]}}
    return {"status": str(status), "content-type": "application/json"}, json.dumps(body)


class Mock(HttpMockSequence):
    """HttpMockSequence that also records each body as sent (streams read at send time) and can
    raise a transport exception in place of a response."""

    def __init__(self, iterable):
        super().__init__(iterable)
        self.sent: list[tuple[str, str, bytes | str | None, bool]] = []

    def request(self, uri, method="GET", body=None, headers=None, redirections=1, connection_type=None):
        streamed = hasattr(body, "read")
        data = body.read() if streamed else body
        self.sent.append((uri, method, data, streamed))
        nxt = self._iterable[0]
        if isinstance(nxt, BaseException):
            self._iterable.pop(0)
            self.request_sequence.append((uri, method, data, headers))
            raise nxt
        return super().request(uri, method, data, headers, redirections, connection_type)


def write_token(path: Path, expiry: str = "2999-01-01T00:00:00Z", token: str = CANARY) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({
        "token": token, "refresh_token": CANARY_REFRESH, "client_id": "cid.apps.googleusercontent.com",
        "client_secret": CANARY_CLIENT, "token_uri": TOKEN_URI, "scopes": SCOPES, "expiry": expiry}))


def make_channel(tmp_path: Path, responses: list, **settings) -> tuple[YouTubeChannel, Mock]:
    ch = build_channel(YouTubeChannel, tmp_path, secrets_dir=tmp_path / "state", state_dir=tmp_path / "state",
                       **settings)
    write_token(ch.secrets.path("token"))
    mock = Mock(list(responses))
    ch.http_factory = lambda: mock
    return ch, mock


def video_file(tmp_path: Path, size: int) -> Path:
    path = tmp_path / "video.mp4"
    path.write_bytes(os.urandom(size))
    return path


def image_file(tmp_path: Path) -> Path:
    from PIL import Image

    path = tmp_path / "thumb.jpg"
    Image.new("RGB", (64, 36), (10, 120, 200)).save(path, "JPEG")
    return path


def make_release(tmp_path: Path, video: Path | None = None, **kw) -> Release:
    fields = dict(slug="atensi", title="Mengenal ATENSI", body="Paragraf pertama.\n\nParagraf kedua.",
                  date=datetime(2026, 11, 25, 15, 0, tzinfo=WIB), summary="Ringkasan video.",
                  tags=("rehabilitasi sosial", "ATENSI"), hashtags=("ATENSI",),
                  link="https://www.kemensos.go.id/berita-video/mengenal-atensi",
                  video=Media(video, kind="video") if video else None)
    fields.update(kw)
    return Release(**fields)


class Recorder:
    """What the engine hands publish(): keeps saved progress, progress callbacks and heartbeats."""

    def __init__(self, release: Release, progress: dict | None = None,
                 scheduled_at: datetime | None = None, now: float = NOW) -> None:
        self.saved: list[dict] = []
        self.progress_calls: list[tuple[int, int]] = []
        self.beats = 0

        def beat() -> None:
            self.beats += 1

        self.ctx = PublishContext(release=release, progress=dict(progress or {}),
                                  save_progress=lambda p: self.saved.append(dict(p)), heartbeat=beat,
                                  scheduled_at=scheduled_at,
                                  on_progress=lambda d, t: self.progress_calls.append((d, t)),
                                  now=lambda: now)


def variant_for(ch: YouTubeChannel, release: Release, text: str = "Deskripsi video.\n\n#ATENSI"):
    variant, problems = ch.build_variant(release, text)
    assert not [p for p in problems if p.severity == "error"], problems
    return variant


def assert_clean(exc: BaseException) -> None:
    shown = [str(exc), repr(exc.args), str(exc.__cause__ or "")]
    for secret in (CANARY, CANARY_REFRESH, CANARY_CLIENT):
        assert not any(secret in text for text in shown)


def query(uri: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(uri).query)


# -- client ----------------------------------------------------------------------------------
def test_client_is_built_from_the_shipped_document_without_network(tmp_path, monkeypatch):
    import googleapiclient.discovery

    def no_network(*_a, **_k):
        raise AssertionError("building the YouTube client tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(googleapiclient.discovery, "build", no_network)
    ch, mock = make_channel(tmp_path, [])
    youtube = ch.client()
    assert DOCUMENT.is_file() and DOCUMENT.parent.name == "channels"  # shipped inside the package
    assert json.loads(discovery_document())["name"] == "youtube"
    assert youtube._baseUrl == "https://youtube.googleapis.com/"
    request = youtube.videos().list(part="snippet", id="abc")
    assert request.uri.startswith("https://youtube.googleapis.com/youtube/v3/videos?")
    assert mock.request_sequence == []


def test_settings_are_validated_and_chunks_rounded(tmp_path):
    with pytest.raises(ConfigError, match="privacy"):
        Settings(type="youtube", privacy="friends")
    with pytest.raises(ConfigError, match="category_id"):
        Settings(type="youtube", category_id="news")
    ch, _ = make_channel(tmp_path, [], chunk_mb=1.1)
    assert ch.chunk_size() == 1024 * KIB  # 1.1 MiB rounded down to 256 KiB steps
    ch2, _ = make_channel(tmp_path, [], chunk_mb=0.01)
    assert ch2.chunk_size() == 256 * KIB


# -- upload ----------------------------------------------------------------------------------
def test_multi_chunk_resumable_upload_with_progress_and_thumbnail(tmp_path):
    size = 600 * KIB
    video = video_file(tmp_path, size)
    thumb = image_file(tmp_path)
    ch, mock = make_channel(tmp_path, [
        ({"status": "200", "location": SESSION}, ""),
        ({"status": "308", "range": "bytes=0-262143"}, ""),
        ({"status": "308", "range": "bytes=0-524287"}, ""),
        ok({"id": "vid123", "status": {"privacyStatus": "public"}}),
        ok({"kind": "youtube#thumbnailSetResponse"}),
    ], chunk_mb=0.25, privacy="unlisted")
    release = make_release(tmp_path, video, images=(Media(thumb, alt="x"),))
    rec = Recorder(release)
    receipt = ch.publish(variant_for(ch, release), rec.ctx)

    assert receipt.remote_id == "vid123"
    assert receipt.url == "https://www.youtube.com/watch?v=vid123"
    assert "warnings" not in receipt.extra
    uris = [(m, u.split("?")[0]) for u, m, _b, _h in mock.request_sequence]
    assert uris == [("POST", "https://youtube.googleapis.com/upload/youtube/v3/videos"),
                    ("PUT", "https://youtube.googleapis.com/upload/youtube/v3/videos"),
                    ("PUT", "https://youtube.googleapis.com/upload/youtube/v3/videos"),
                    ("PUT", "https://youtube.googleapis.com/upload/youtube/v3/videos"),
                    ("POST", "https://youtube.googleapis.com/upload/youtube/v3/thumbnails/set")]
    start_uri, _m, start_body, start_headers = mock.request_sequence[0]
    assert query(start_uri)["part"] == ["snippet,status"]
    assert query(start_uri)["uploadType"] == ["resumable"]
    assert start_headers["X-Upload-Content-Length"] == str(size)
    assert start_headers["authorization"] == f"Bearer {CANARY}"
    body = json.loads(start_body)
    assert body["status"] == {"privacyStatus": "unlisted", "selfDeclaredMadeForKids": False}
    assert body["snippet"]["categoryId"] == "25"
    assert body["snippet"]["tags"] == ["rehabilitasi sosial", "ATENSI"]
    assert body["snippet"]["defaultLanguage"] == "id"
    assert body["snippet"]["title"] == "Mengenal ATENSI"
    ranges = [h["Content-Range"] for _u, _m, _b, h in mock.request_sequence[1:4]]
    assert ranges == [f"bytes 0-262143/{size}", f"bytes 262144-524287/{size}",
                      f"bytes 524288-{size - 1}/{size}"]
    chunks = mock.sent[1:4]
    assert all(streamed for *_x, streamed in chunks)  # streamed from the file, never read whole
    assert b"".join(data for _u, _m, data, _s in chunks) == video.read_bytes()
    assert rec.progress_calls == [(262144, size), (524288, size), (size, size)]
    assert rec.beats >= 3
    assert rec.saved[0] == {"upload_uri": SESSION, "size": size}
    assert rec.saved[-1] == {"video_id": "vid123"}
    assert query(mock.request_sequence[4][0])["videoId"] == ["vid123"]


def test_receipt_records_the_privacy_youtube_answered_and_thumbnail_failure_is_a_warning(tmp_path):
    video = video_file(tmp_path, 40 * KIB)
    thumb = image_file(tmp_path)
    ch, mock = make_channel(tmp_path, [
        ({"status": "200", "location": SESSION}, ""),
        ok({"id": "vid9", "status": {"privacyStatus": "private", "uploadStatus": "uploaded"}}),
        error(403, "forbidden", "The authenticated user doesn't have permissions to upload thumbnails"),
    ], privacy="public")
    release = make_release(tmp_path, video, images=(Media(thumb),))
    rec = Recorder(release)
    receipt = ch.publish(variant_for(ch, release), rec.ctx)
    status = json.loads(mock.request_sequence[0][2])["status"]
    assert status["privacyStatus"] == "public" and "publishAt" not in status
    # an unverified API project's uploads are locked private: the receipt says what YouTube did
    assert receipt.remote_id == "vid9" and receipt.extra["privacy"] == "private"
    [warning] = receipt.extra["warnings"]
    assert "thumbnail" in warning and "403" in warning and CANARY not in warning
    assert rec.progress_calls == [(40 * KIB, 40 * KIB)]


def test_retry_resumes_the_saved_upload_session(tmp_path):
    size = 300 * KIB
    video = video_file(tmp_path, size)
    ch, mock = make_channel(tmp_path, [
        ({"status": "308", "range": "bytes=0-262143"}, ""),  # the server has the first chunk
        ok({"id": "vidR"}),
    ], chunk_mb=0.25, thumbnail=False)
    release = make_release(tmp_path, video)
    rec = Recorder(release, progress={"upload_uri": SESSION, "size": size})
    receipt = ch.publish(variant_for(ch, release), rec.ctx)
    assert receipt.remote_id == "vidR"
    (u1, m1, _b1, h1), (u2, m2, _b2, h2) = mock.request_sequence
    assert (u1, m1, h1["Content-Range"]) == (SESSION, "PUT", f"bytes */{size}")
    assert (u2, m2, h2["Content-Range"]) == (SESSION, "PUT", f"bytes 262144-{size - 1}/{size}")
    assert mock.sent[1][2] == video.read_bytes()[262144:]


def test_recorded_video_id_is_returned_without_any_request(tmp_path):
    ch, mock = make_channel(tmp_path, [])
    release = make_release(tmp_path, video_file(tmp_path, 10))
    receipt = ch.publish(variant_for(ch, release), Recorder(release, progress={"video_id": "done1"}).ctx)
    assert receipt.remote_id == "done1" and mock.request_sequence == []


# -- update of an existing video --------------------------------------------------------------
def test_existing_video_id_lists_then_updates_the_full_snippet(tmp_path):
    old = {"title": "Lama", "description": "lama", "tags": ["x"], "categoryId": "22",
           "defaultLanguage": "en", "channelId": "UC1", "defaultAudioLanguage": "id"}
    ch, mock = make_channel(tmp_path, [
        ok({"items": [{"id": "abc", "snippet": old}]}),
        ok({"id": "abc", "snippet": {}}),
    ])
    release = make_release(tmp_path, None, video_id="abc")
    variant = variant_for(ch, release)
    assert variant.media == () and variant.extra["video_id"] == "abc"
    receipt = ch.publish(variant, Recorder(release).ctx)
    assert receipt.remote_id == "abc" and receipt.url == "https://www.youtube.com/watch?v=abc"
    (u1, m1, _b, _h), (u2, m2, b2, _h2) = mock.request_sequence
    assert m1 == "GET" and query(u1)["part"] == ["snippet"] and query(u1)["id"] == ["abc"]
    assert m2 == "PUT" and query(u2)["part"] == ["snippet"]
    sent = json.loads(b2)
    assert sent["id"] == "abc"
    assert sent["snippet"] == {**old, "title": "Mengenal ATENSI", "description": variant.text,
                               "tags": ["rehabilitasi sosial", "ATENSI"], "categoryId": "25"}


def test_update_of_a_missing_video_is_permanent(tmp_path):
    ch, _ = make_channel(tmp_path, [ok({"items": []})])
    release = make_release(tmp_path, None, video_id="nope")
    with pytest.raises(Permanent, match="nope"):
        ch.publish(variant_for(ch, release), Recorder(release).ctx)


# -- errors ----------------------------------------------------------------------------------
def upload_error(tmp_path, responses, now: float = NOW, **settings) -> tuple[DeliveryError, Recorder]:
    ch, _ = make_channel(tmp_path, responses, thumbnail=False, **settings)
    release = make_release(tmp_path, video_file(tmp_path, 300 * KIB))
    rec = Recorder(release, now=now)
    with pytest.raises(DeliveryError) as info:
        ch.publish(variant_for(ch, release), rec.ctx)
    assert_clean(info.value)
    return info.value, rec


def test_quota_exceeded_waits_until_pacific_midnight(tmp_path):
    exc, _ = upload_error(tmp_path, [error(403, "quotaExceeded", "The request cannot be completed "
                                                                 "because you have exceeded your quota.")])
    assert isinstance(exc, RetryLater)
    assert exc.retry_after == 12 * 3600  # 12:00 PST -> midnight PST
    assert "quota" in str(exc) and "Pacific" in str(exc)


def test_until_pacific_midnight_follows_daylight_saving():
    summer = datetime(2026, 7, 1, 6, 59, tzinfo=UTC).timestamp()  # 23:59 PDT
    assert until_pacific_midnight(summer) == 60
    winter = datetime(2026, 1, 15, 8, 0, tzinfo=UTC).timestamp()  # 00:00 PST: a full day
    assert until_pacific_midnight(winter) == 24 * 3600


def test_upload_limit_and_rate_limit_are_retry_later(tmp_path):
    exc, _ = upload_error(tmp_path, [error(400, "uploadLimitExceeded")])
    assert isinstance(exc, RetryLater) and exc.retry_after == 24 * 3600
    exc, _ = upload_error(tmp_path, [({**error(403, "rateLimitExceeded")[0], "retry-after": "30"},
                                      error(403, "rateLimitExceeded")[1])])
    assert isinstance(exc, RetryLater) and exc.retry_after == 30


def test_other_400_is_permanent_with_the_reason(tmp_path):
    exc, _ = upload_error(tmp_path, [error(400, "invalidTitle", "Invalid video title")])
    assert isinstance(exc, Permanent) and not isinstance(exc, RetryLater)
    assert "invalidTitle" in str(exc) and "Invalid video title" in str(exc)


def test_401_with_a_revoked_refresh_token_needs_reauth(tmp_path):
    exc, _ = upload_error(tmp_path, [
        error(401, "authError", "Invalid Credentials"),
        ({"status": "400", "content-type": "application/json"},
         json.dumps({"error": "invalid_grant", "error_description": "Token has been expired or revoked."})),
    ])
    assert isinstance(exc, ReauthRequired)
    assert "invalid_grant" in str(exc) and "crosspost auth youtube" in str(exc)


def test_401_that_persists_after_refresh_needs_reauth(tmp_path):
    fresh = ok({"access_token": "fresh-token", "expires_in": 3600})
    denied = error(401, "authError", "Invalid Credentials")
    exc, _ = upload_error(tmp_path, [denied, fresh, denied, fresh, denied])
    assert isinstance(exc, ReauthRequired) and "401" in str(exc)


def test_500_on_the_last_chunk_is_unknown_and_keeps_the_session(tmp_path):
    exc, rec = upload_error(tmp_path, [
        ({"status": "200", "location": SESSION}, ""),
        ({"status": "308", "range": "bytes=0-262143"}, ""),
        error(500, "backendError", "Backend Error"),
    ], chunk_mb=0.25)
    assert isinstance(exc, UnknownOutcome)
    assert rec.saved == [{"upload_uri": SESSION, "size": 300 * KIB}]
    assert "upload_id" not in str(exc)


def test_500_before_the_session_exists_is_retry_later(tmp_path):
    exc, rec = upload_error(tmp_path, [error(503, "backendError", "Backend Error")])
    assert isinstance(exc, RetryLater) and rec.saved == []


def test_timeout_after_the_upload_started_is_unknown(tmp_path):
    exc, _ = upload_error(tmp_path, [({"status": "200", "location": SESSION}, ""), TimeoutError("timed out")])
    assert isinstance(exc, UnknownOutcome)


def test_connection_refused_before_anything_was_sent_is_retry_later(tmp_path):
    exc, _ = upload_error(tmp_path, [ConnectionRefusedError(111, "Connection refused")])
    assert isinstance(exc, RetryLater) and "nothing was sent" in str(exc)


def test_expired_session_on_resume_starts_a_new_session(tmp_path):
    """404 on the saved session URI: nothing was published through it, so the progress is
    forgotten and a new session uploads the video in the same attempt."""
    new = SESSION.replace("UP1", "UP2")
    ch, mock = make_channel(tmp_path, [error(404, "notFound", "Not Found"),
                                       ({"status": "200", "location": new}, ""),
                                       ok({"id": "vidN", "status": {"privacyStatus": "public"}})],
                            thumbnail=False)
    release = make_release(tmp_path, video_file(tmp_path, 20 * KIB))
    rec = Recorder(release, progress={"upload_uri": SESSION, "size": 20 * KIB})
    receipt = ch.publish(variant_for(ch, release), rec.ctx)
    assert receipt.remote_id == "vidN"
    assert rec.saved[0] == {} and {"upload_uri": new, "size": 20 * KIB} in rec.saved
    assert [m for _, m, _, _ in mock.request_sequence] == ["PUT", "POST", "PUT"]


def test_a_session_that_is_gone_twice_is_retry_later(tmp_path):
    ch, _ = make_channel(tmp_path, [error(404, "notFound", "Not Found"),
                                    ({"status": "200", "location": SESSION}, ""),
                                    error(410, "gone", "Gone")], thumbnail=False)
    release = make_release(tmp_path, video_file(tmp_path, 20 * KIB))
    rec = Recorder(release, progress={"upload_uri": SESSION, "size": 20 * KIB})
    with pytest.raises(RetryLater, match="session is gone"):
        ch.publish(variant_for(ch, release), rec.ctx)
    assert rec.saved[-1] == {}


# -- adapt -----------------------------------------------------------------------------------
def problems_of(tmp_path, release, text="Deskripsi.", **limits):
    ch = YouTubeChannel("youtube", Settings(type="youtube"), Limits(**limits), base_dir=tmp_path)
    return ch.build_variant(release, text)


def test_title_over_100_characters_is_cut_at_a_word_with_a_warning(tmp_path):
    title = "Menteri Sosial " + "x" * 90
    variant, problems = problems_of(tmp_path, make_release(tmp_path, video_file(tmp_path, 10), title=title))
    [p] = [p for p in problems if p.field == "title"]
    assert (p.limit, p.actual, p.severity) == (100, len(title), "warning")
    assert variant.title == "Menteri Sosial…"  # the 90-letter word does not fit: cut before it
    _v, ok_problems = problems_of(tmp_path, make_release(tmp_path, video_file(tmp_path, 10), title="x" * 100))
    assert ok_problems == []


def test_angle_brackets_name_the_field(tmp_path):
    release = make_release(tmp_path, video_file(tmp_path, 10), title="Tarif <Gratis>")
    _v, problems = problems_of(tmp_path, release, "biaya < Rp1.000")
    fields = sorted(p.field for p in problems if "<" in p.message)
    assert fields == ["description", "title"]


def test_description_bytes_and_tags_are_measured_like_youtube(tmp_path):
    assert tags_length(["a b", "cd"]) == 3 + 2 + 1 + 2
    release = make_release(tmp_path, video_file(tmp_path, 10), tags=("kata kunci",) * 40)
    text = "é" * 2600  # 2,600 characters but 5,200 bytes
    _v, problems = problems_of(tmp_path, release, text)
    by_field = {p.field: p for p in problems}
    assert (by_field["description"].limit, by_field["description"].actual) == (5000, 5200)
    assert (by_field["tags"].limit, by_field["tags"].actual) == (500, tags_length(["kata kunci"] * 40))


def test_no_video_and_no_video_id_is_a_problem(tmp_path):
    variant, problems = problems_of(tmp_path, make_release(tmp_path, None))
    assert [p.message for p in problems] == [
        "YouTube needs a video file (video:) or an existing video id (video_id:)"]
    assert variant.media == ()


def test_corpus_chapters_stay_on_their_own_lines(tmp_path):
    corpus = SHARED / "corpus" / "releases"
    if not corpus.is_dir():
        pytest.skip("../shared/corpus is not beside the checkout")
    from crosspost.adapt import adapt_one
    from crosspost.release import load_release

    ch = YouTubeChannel("youtube", Settings(type="youtube"), Limits(), base_dir=tmp_path)
    adapted = adapt_one(load_release(corpus / "03-berita-video-atensi.md"), ch)
    lines = adapted.variant.text.splitlines()
    for chapter in ("00:00 Pembuka", "00:45 Apa itu ATENSI?", "04:30 Cara mengajukan permohonan"):
        assert chapter in lines
    assert adapted.variant.text.count("00:45") == 1
    assert adapted.ok and adapted.variant.extra["thumbnail"].endswith("atensi-thumb.jpg")
    long = adapt_one(load_release(corpus / "07-edge-judul-panjang.md"), ch)
    assert [p.field for p in long.problems] == ["title"]


# -- lookup ----------------------------------------------------------------------------------
def uploads(*titles: tuple[str, str]) -> list:
    return [ok({"items": [{"contentDetails": {"relatedPlaylists": {"uploads": "UUabc"}}}]}),
            ok({"items": [{"snippet": {"title": t, "resourceId": {"kind": "youtube#video", "videoId": v}}}
                          for v, t in titles]})]


def test_lookup_finds_the_upload_by_title(tmp_path):
    ch, mock = make_channel(tmp_path, uploads(("v1", "Lain"), ("v2", "Mengenal ATENSI")))
    release = make_release(tmp_path, video_file(tmp_path, 10))
    found = ch.lookup(variant_for(ch, release), Recorder(release).ctx)
    assert found is not None and found.remote_id == "v2" and found.url.endswith("v=v2")
    assert query(mock.request_sequence[0][0])["mine"] == ["true"]
    assert query(mock.request_sequence[1][0])["playlistId"] == ["UUabc"]


def test_lookup_without_a_match_is_none(tmp_path):
    ch, _ = make_channel(tmp_path, uploads(("v1", "Lain")))
    release = make_release(tmp_path, video_file(tmp_path, 10))
    assert ch.lookup(variant_for(ch, release), Recorder(release).ctx) is None


# -- OAuth token -----------------------------------------------------------------------------
class FakeTokenEndpoint:
    """A google.auth transport request answering the token endpoint."""

    def __init__(self, status: int, body: dict) -> None:
        self.status, self.body, self.calls = status, body, 0

    def __call__(self, url, method="GET", body=None, headers=None, timeout=None, **kw):
        self.calls += 1
        assert url == TOKEN_URI and method == "POST"
        status, data = self.status, json.dumps(self.body).encode()

        class Response:
            pass

        r = Response()
        r.status, r.headers, r.data = status, {"content-type": "application/json"}, data
        return r


def test_load_credentials_keeps_a_valid_token_without_refreshing(tmp_path):
    token = tmp_path / "token.json"
    write_token(token)
    endpoint = FakeTokenEndpoint(500, {})
    creds = load_credentials(token, endpoint)
    assert creds.token == CANARY and endpoint.calls == 0


def test_load_credentials_refreshes_and_saves_0600(tmp_path):
    token = tmp_path / "token.json"
    write_token(token, expiry="2020-01-01T00:00:00Z")
    endpoint = FakeTokenEndpoint(200, {"access_token": "renewed-token", "expires_in": 3600})
    creds = load_credentials(token, endpoint)
    assert creds.token == "renewed-token" and endpoint.calls == 1
    assert json.loads(token.read_text())["token"] == "renewed-token"
    assert json.loads(token.read_text())["refresh_token"] == CANARY_REFRESH
    assert token.stat().st_mode & 0o777 == 0o600


def test_revoked_refresh_token_needs_reauth_without_leaking(tmp_path):
    token = tmp_path / "token.json"
    write_token(token, expiry="2020-01-01T00:00:00Z")
    endpoint = FakeTokenEndpoint(400, {"error": "invalid_grant", "error_description": "Token has been "
                                       f"expired or revoked. {CANARY_REFRESH}"})
    with pytest.raises(ReauthRequired, match="invalid_grant") as info:
        load_credentials(token, endpoint, channel="youtube-humas")
    assert "crosspost auth youtube-humas" in str(info.value)
    assert_clean(info.value)


def test_missing_token_needs_auth(tmp_path):
    with pytest.raises(ReauthRequired, match="crosspost auth youtube"):
        load_credentials(tmp_path / "absent.json")


def test_authorize_runs_the_installed_app_flow_and_stores_0600(tmp_path, monkeypatch):
    import google_auth_oauthlib.flow

    client = tmp_path / "client_secret.json"
    client.write_text("{}")
    seen = {}

    class Creds:
        def to_json(self) -> str:
            return json.dumps({"token": CANARY, "refresh_token": CANARY_REFRESH})

    class Flow:
        def run_local_server(self, port):
            seen["port"] = port
            return Creds()

    def from_file(path, scopes):
        seen.update(path=path, scopes=scopes)
        return Flow()

    monkeypatch.setattr(google_auth_oauthlib.flow.InstalledAppFlow, "from_client_secrets_file", from_file)
    secrets = SecretStore("youtube", tmp_path / "state", env={}, use_keyring=False)
    ch = YouTubeChannel("youtube", Settings(type="youtube", client_secrets_file="client_secret.json"),
                        Limits(), secrets=secrets, base_dir=tmp_path, state_dir=tmp_path / "state")
    ch.authorize()
    token = secrets.path("token")
    assert seen == {"path": str(client), "scopes": ["https://www.googleapis.com/auth/youtube.force-ssl"],
                    "port": 0}
    assert json.loads(token.read_text())["refresh_token"] == CANARY_REFRESH
    assert token.stat().st_mode & 0o777 == 0o600
    with pytest.raises(ConfigError, match="does not exist"):
        authorize(tmp_path / "missing.json", token)


# -- the outcome table, row by row, through googleapiclient's real request code -----------------
from crosspost.channels import outcomes  # noqa: E402
from crosspost.channels.youtube import OUTCOMES  # noqa: E402

SCOPE_BODY = {"error": {"code": 403, "message": "Request had insufficient authentication scopes.",
                        "errors": [{"message": "Insufficient Permission", "domain": "global",
                                    "reason": "insufficientPermissions"}],
                        "status": "PERMISSION_DENIED",
                        "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                     "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                                     "domain": "googleapis.com",
                                     "metadata": {"service": "youtube.googleapis.com"}}]}}


def provoke(failure: str) -> list:
    """The responses (or transport exceptions) that make the failing call fail this way."""
    http = {"reason:quotaExceeded": error(403, "quotaExceeded"),
            "reason:uploadLimitExceeded": error(400, "uploadLimitExceeded"),
            "reason:rateLimitExceeded": error(403, "rateLimitExceeded"),
            "http:429": error(429, "tooManyRequests"),
            "reason:reauth": ({"status": "403", "content-type": "application/json"}, json.dumps(SCOPE_BODY)),
            "http:4xx": error(400, "invalidTitle"), "http:5xx": error(500, "backendError"),
            "http:404": error(404, "notFound"), "http:410": error(410, "gone")}
    if failure in http:
        return [http[failure]]
    if failure == "http:401":  # google-auth refreshes twice, then gives up
        denied, fresh = error(401, "unknownAuth"), ok({"access_token": "fresh", "expires_in": 3600})
        return [denied, fresh, denied, fresh, denied]
    return [{"connect_refused": ConnectionRefusedError(111, "Connection refused"),
             "dns": socket.gaierror(-2, "Name or service not known"),
             "timeout": TimeoutError("timed out"),
             "connection_broken": ConnectionResetError(104, "Connection reset by peer"),
             "unexpected": RuntimeError("an answer nothing expected")}[failure]]


SIZE = 300 * KIB  # two chunks of 256 KiB


def before(call: str) -> list:
    session = ({"status": "200", "location": SESSION}, "")
    first = ({"status": "308", "range": "bytes=0-262143"}, "")
    return {"session": [], "chunk": [session], "final": [session, first],
            "resume": [], "update": [ok({"items": [{"id": "abc", "snippet": {"title": "x"}}]})],
            "read": []}[call]


def drive(ch, call, tmp_path, rec):
    if call == "update":
        release = make_release(tmp_path, None, video_id="abc")
        return ch.publish(variant_for(ch, release), Recorder(release).ctx)
    release = make_release(tmp_path, video_file(tmp_path, SIZE))
    if call == "read":
        return ch.lookup(variant_for(ch, release), Recorder(release).ctx)
    return ch.publish(variant_for(ch, release), rec.ctx)


CALLS = ("session", "chunk", "final", "resume", "update", "read")
CELLS = [(call, row) for row in OUTCOMES for call in (CALLS if row.call == "*" else (row.call,))]


@pytest.mark.parametrize("call, row", CELLS, ids=[f"{c}-{r.failure}" for c, r in CELLS])
def test_fault_matrix(tmp_path, call, row):
    """Each cell of OUTCOMES: the failing call answered (or broken) as the table says, through
    googleapiclient's resumable upload and google-auth's authorized http."""
    steps = before(call) + provoke(row.failure)
    gone = call == "resume" and row.failure in ("http:404", "http:410")
    if gone:  # the dead session is replaced by a new one at once
        steps += [({"status": "200", "location": SESSION + "2"}, ""),
                  ({"status": "308", "range": "bytes=0-262143"}, ""), ok({"id": "vidNew"})]
    ch, mock = make_channel(tmp_path, steps, thumbnail=False, chunk_mb=0.25)
    release = make_release(tmp_path, video_file(tmp_path, SIZE))
    rec = Recorder(release, progress={"upload_uri": SESSION, "size": SIZE} if call == "resume" else None)
    if gone:
        receipt = drive(ch, call, tmp_path, rec)
        assert receipt.remote_id == "vidNew" and rec.saved[0] == {}
        return
    with pytest.raises(DeliveryError) as info:
        drive(ch, call, tmp_path, rec)
    assert info.value.failure == row.failure, str(info.value)
    assert type(info.value) is outcomes.ERRORS[row.state], (row, str(info.value))
    assert_clean(info.value)
    assert not mock._iterable, "every scripted answer was used: the failing call was the one meant"
