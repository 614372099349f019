"""The wordpress channel offline: `responses` at the HTTP boundary of the real `requests` code.

Every error body here is one WordPress 6.1 really sends (captured from the Debian package that
tests/test_wordpress_real.py runs, or read in wp-includes/): the code, the message and the
``data.status``. The real-WordPress tests prove the flow; these pin each answer's class.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests
import responses
from channel_helpers import refused
from conftest import REPO

from crosspost.channels.base import PublishContext
from crosspost.channels.wordpress import (
    Limits,
    Settings,
    WordPressChannel,
    delivery_key,
    key_tag,
    media_token,
    predicted_link,
)
from crosspost.errors import Permanent, ReauthRequired, RetryLater, UnknownOutcome
from crosspost.models import Media, Release
from crosspost.secrets import SecretStore

SITE = "https://www.kemensos.go.id"
API = f"{SITE}/wp-json/wp/v2"
PASSWORD = "abcd EFGH ijkl MNOP qrst UVWX"
WIB = timezone(timedelta(hours=7))
IMAGE = REPO / "examples" / "img" / "hksn-upacara.jpg"

# WordPress's own answers (wp-includes/rest-api/endpoints/*, wp-includes/user.php)
def wp_error(code: str, message: str, status: int, **data) -> dict:
    return {"code": code, "message": message, "data": {"status": status, **data}}


NOT_LOGGED_IN = wp_error("rest_not_logged_in", "You are not currently logged in.", 401)
BAD_APP_PASSWORD = wp_error("incorrect_password", "The provided password is an invalid application password.",
                            401)
CANNOT_PUBLISH = wp_error("rest_cannot_publish", "Sorry, you are not allowed to publish posts in this post "
                          "type.", 403)
CANNOT_CREATE = wp_error("rest_cannot_create", "Sorry, you are not allowed to create posts as this user.",
                         403)
NOT_IN_ENUM = "status is not one of publish, future, draft, pending, and private."
INVALID_PARAM = wp_error("rest_invalid_param", "Invalid parameter(s): status", 400,
                         params={"status": NOT_IN_ENUM},
                         details={"status": {"code": "rest_not_in_enum", "message": NOT_IN_ENUM,
                                             "data": None}})
INSERT_ERROR = wp_error("db_insert_error", "Could not insert post into the database.", 500)
INVALID_ID = wp_error("rest_post_invalid_id", "Invalid post ID.", 404)
TERM_EXISTS = {**wp_error("term_exists", "A term with the name provided already exists in this taxonomy.",
                          400, term_id=4), "additional_data": [4, 4]}
SIDELOAD = wp_error("rest_upload_sideload_error",
                    "The uploaded file could not be moved to wp-content/uploads/2026/12.", 500)
DRA = wp_error("rest_cannot_access", "DRA: Only authenticated users can access the REST API.", 401)


def channel(tmp_path: Path, **settings) -> WordPressChannel:
    s = Settings(type="wordpress", url=SITE, username="humas", **settings)
    secrets = SecretStore("situs", tmp_path, env={"CROSSPOST_SITUS_APPLICATION_PASSWORD": PASSWORD},
                          use_keyring=False)
    return WordPressChannel("situs", s, Limits(), secrets, tmp_path, tmp_path)


def release(images: bool = True) -> Release:
    return Release(slug="bantuan-banjir", title="Kemensos Salurkan Bantuan", body="Paragraf **satu**.",
                   date=datetime(2026, 11, 20, 9, 0, tzinfo=WIB), section="siaran-pers", summary="Ringkas.",
                   tags=("banjir",), content_hash="c0ffee",
                   images=(Media(IMAGE, alt="Petugas menurunkan paket"),) if images else ())


def variant_ctx(ch: WordPressChannel, rel: Release, **ctx):
    from crosspost.adapt import adapt_one

    adapted = adapt_one(rel, ch)
    assert adapted.ok, adapted.problems
    return adapted.variant, PublishContext(release=rel, delivery_id=7, now=lambda: 1_800_000_000.0, **ctx)


class FakeWordPress:
    """Answers like a WordPress without posts; ``fail`` maps (method, path) to one error answer."""

    def __init__(self, rsps: responses.RequestsMock, fail: dict | None = None):
        self.fail = dict(fail or {})
        self.posts: list[dict] = []
        self.media: list[dict] = []
        self.terms: dict[str, list[dict]] = {"tags": [], "categories": [{"id": 3, "slug": "siaran-pers"}]}
        rsps.add_callback(responses.GET, re.compile(f"{re.escape(API)}/.*"), self.get)
        rsps.add_callback(responses.POST, re.compile(f"{re.escape(API)}/.*"), self.post)

    def _failed(self, method: str, path: str):
        answer = self.fail.pop((method, path), None)
        if answer is None:
            return None
        if isinstance(answer, Exception):
            raise answer
        status, body = answer
        return (status, {}, body if isinstance(body, str) else json.dumps(body))

    def get(self, request):
        path, query = _split(request)
        failed = self._failed("GET", path)
        if failed:
            return failed
        if path in self.terms:
            if "include" in query:
                wanted = {int(i) for i in query["include"].split(",")}
                return 200, {}, json.dumps([t for t in self.terms[path] if t["id"] in wanted])
            found = [t for t in self.terms[path] if query.get("slug") in (None, t["slug"])]
            return 200, {}, json.dumps(found if "slug" in query else [])
        if path == "posts":
            if "tags" in query:
                found = [p for p in self.posts if int(query["tags"]) in p["tags"]]
            else:
                found = [p for p in self.posts if p["slug"] == query.get("slug")]
            return 200, {}, json.dumps(found)
        if path == "media":
            return 200, {}, json.dumps([m for m in self.media if query["search"] in m["description"]["raw"]])
        return 404, {}, json.dumps({"code": "rest_no_route", "message": "No route was found matching the URL "
                                    "and request method.", "data": {"status": 404}})

    def post(self, request):
        path, query = _split(request)
        failed = self._failed("POST", path)
        if failed:
            return failed
        if path in self.terms:
            body = json.loads(request.body)
            term = {"id": 100 + len(self.terms[path]), "slug": body["slug"], "name": body["name"]}
            self.terms[path].append(term)
            return 201, {}, json.dumps(term)
        if path == "media":
            item = {"id": 40 + len(self.media), "source_url": f"{SITE}/wp-content/uploads/2026/12/foto.jpg",
                    "description": {"raw": query["description"]}, "alt_text": query["alt_text"],
                    "headers": dict(request.headers)}
            self.media.append(item)
            return 201, {}, json.dumps(item)
        if path == "posts":
            body = json.loads(request.body)
            post = {**body, "id": 500 + len(self.posts), "status": body["status"],
                    "link": f"{SITE}/siaran-pers/{body['slug']}/"}
            self.posts.append(post)
            return 201, {}, json.dumps(post)
        return 200, {}, json.dumps({"id": int(path.split("/")[-1])})


def _split(request) -> tuple[str, dict]:
    from urllib.parse import parse_qsl, urlsplit

    parts = urlsplit(request.url)
    return parts.path.split("/wp/v2/", 1)[1], dict(parse_qsl(parts.query))


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as r:
        yield r


def test_a_post_is_sent_the_way_the_handbook_says(tmp_path, rsps):
    ch, rel = channel(tmp_path), release()
    wp = FakeWordPress(rsps)
    saved: list[dict] = []
    variant, ctx = variant_ctx(ch, rel, save_progress=lambda p: saved.append(json.loads(json.dumps(p))))
    receipt = ch.publish(variant, ctx)
    [post] = wp.posts
    key = delivery_key("situs", rel, 7)
    assert post["title"] == "Kemensos Salurkan Bantuan" and post["slug"] == "bantuan-banjir"
    assert post["content"].startswith("<p>Paragraf <strong>satu</strong>.</p>")
    assert post["excerpt"] == "Ringkas." and post["status"] == "publish"
    assert post["date_gmt"] == "2026-11-20T02:00:00" and post["categories"] == [3]
    tags = {t["id"]: t["slug"] for t in wp.terms["tags"]}
    assert sorted(tags[t] for t in post["tags"]) == ["banjir", key_tag(key)]
    [media] = wp.media
    assert post["featured_media"] == media["id"] and media["alt_text"] == "Petugas menurunkan paket"
    assert media["description"]["raw"] == media_token(key, 0)
    assert media["headers"]["Content-Disposition"] == 'attachment; filename="hksn-upacara.jpg"'
    assert receipt.remote_id == str(post["id"]) and receipt.url == post["link"]
    assert receipt.extra["image_urls"] == [media["source_url"]]
    # the media id is saved before the post is created, then the post id
    assert saved[0] == {"media": {"0": {"id": media["id"], "source_url": media["source_url"]}}}
    assert saved[-1]["post_id"] == post["id"]
    auth = rsps.calls[0].request.headers["Authorization"]
    assert auth.startswith("Basic ") and PASSWORD not in json.dumps(post)


def test_scheduled_and_future_dates(tmp_path, rsps):
    wp = FakeWordPress(rsps)
    ch = channel(tmp_path, status="future")
    rel = release(images=False)
    at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    variant, ctx = variant_ctx(ch, rel, scheduled_at=at)
    ch.publish(variant, ctx)
    assert wp.posts[0]["date_gmt"] == "2026-12-01T09:00:00" and wp.posts[0]["status"] == "publish"
    # "publish" with a release dated ahead: now, not the release's date (WordPress would hide it as future)
    ch2 = channel(tmp_path)
    later = Release(**{**rel.__dict__, "slug": "lain", "date": datetime(2027, 6, 1, tzinfo=UTC)})
    variant, ctx = variant_ctx(ch2, later)
    ch2.publish(variant, ctx)
    assert wp.posts[1]["date_gmt"] == datetime.fromtimestamp(1_800_000_000, UTC).strftime("%Y-%m-%dT%H:%M:%S")


def test_an_existing_post_with_the_key_is_not_created_again(tmp_path, rsps):
    wp = FakeWordPress(rsps)
    ch, rel = channel(tmp_path), release()
    key = delivery_key("situs", rel, 7)
    wp.terms["tags"].append({"id": 9, "slug": key_tag(key), "name": key_tag(key)})
    wp.posts.append({"id": 77, "slug": "bantuan-banjir-2", "status": "publish", "tags": [9],
                     "link": f"{SITE}/siaran-pers/bantuan-banjir-2/"})
    variant, ctx = variant_ctx(ch, rel)
    receipt = ch.publish(variant, ctx)
    assert receipt.remote_id == "77" and len(wp.posts) == 1 and wp.media == []
    assert ch.lookup(variant, ctx).url == f"{SITE}/siaran-pers/bantuan-banjir-2/"


def test_a_hand_made_post_with_the_slug_stops_the_delivery(tmp_path, rsps):
    wp = FakeWordPress(rsps)
    wp.posts.append({"id": 12, "slug": "bantuan-banjir", "status": "draft", "tags": [],
                     "link": f"{SITE}/?p=12"})
    ch, rel = channel(tmp_path), release()
    variant, ctx = variant_ctx(ch, rel)
    with pytest.raises(Permanent, match="did not make.*crosspost resolve"):
        ch.publish(variant, ctx)
    assert len(wp.posts) == 1 and wp.media == []


def test_a_post_of_another_delivery_with_the_slug_is_named_as_such(tmp_path, rsps):
    wp = FakeWordPress(rsps)
    wp.terms["tags"].append({"id": 5, "slug": "crosspost-0123456789ab", "name": "crosspost-0123456789ab"})
    wp.posts.append({"id": 12, "slug": "bantuan-banjir", "status": "publish", "tags": [5],
                     "link": f"{SITE}/siaran-pers/bantuan-banjir/"})
    ch, rel = channel(tmp_path), release()
    variant, ctx = variant_ctx(ch, rel)
    with pytest.raises(Permanent, match="from another crosspost delivery"):
        ch.publish(variant, ctx)
    assert len(wp.posts) == 1


def test_an_image_uploaded_before_a_crash_is_found_by_its_token(tmp_path, rsps):
    wp = FakeWordPress(rsps)
    ch, rel = channel(tmp_path), release()
    key = delivery_key("situs", rel, 7)
    wp.media.append({"id": 41, "source_url": f"{SITE}/wp-content/uploads/foto.jpg",
                     "description": {"raw": media_token(key, 0)}})
    variant, ctx = variant_ctx(ch, rel)
    ch.publish(variant, ctx)
    assert len(wp.media) == 1 and wp.posts[0]["featured_media"] == 41


@pytest.mark.parametrize("answer,error,words", [
    ((401, NOT_LOGGED_IN), ReauthRequired, "rest_not_logged_in: You are not currently logged in. (HTTP 401)"),
    ((401, BAD_APP_PASSWORD), ReauthRequired, "incorrect_password"),
    ((401, DRA), ReauthRequired, "DRA: Only authenticated users"),
    ((403, CANNOT_PUBLISH), ReauthRequired, "rest_cannot_publish: Sorry, you are not allowed to publish"),
    ((403, CANNOT_CREATE), ReauthRequired, "Editor role"),
    ((403, "<html><body>403 Forbidden - Wordfence</body></html>"), ReauthRequired, "security plugin"),
    ((400, INVALID_PARAM), Permanent, "rest_invalid_param: Invalid parameter(s): status (status is not one"),
    ((500, INSERT_ERROR), UnknownOutcome, "db_insert_error: Could not insert post into the database."),
    ((502, "<html>Bad Gateway</html>"), UnknownOutcome, "HTTP 502"),
    ((413, "<html>413 Request Entity Too Large</html>"), Permanent, "too big"),
    ((404, "<html>Not Found</html>"), Permanent, "not WordPress's REST API"),
])
def test_create_answers_are_classified(tmp_path, rsps, answer, error, words):
    FakeWordPress(rsps, fail={("POST", "posts"): answer})
    ch, rel = channel(tmp_path), release(images=False)
    variant, ctx = variant_ctx(ch, rel)
    with pytest.raises(error) as exc:
        ch.publish(variant, ctx)
    assert words in str(exc.value)


def test_an_author_without_upload_files_is_told_what_is_missing(tmp_path, rsps):
    # WP_REST_Attachments_Controller::create_item_permissions_check answers this one with a 400.
    no_uploads = wp_error("rest_cannot_create", "Sorry, you are not allowed to upload media on this site.",
                          400)
    FakeWordPress(rsps, fail={("POST", "media"): (400, no_uploads)})
    ch, rel = channel(tmp_path), release()
    variant, ctx = variant_ctx(ch, rel)
    with pytest.raises(Permanent, match="not allowed to upload media.*Editor role"):
        ch.publish(variant, ctx)


def test_too_many_requests_waits_as_told(tmp_path, rsps):
    rsps.add(responses.GET, f"{API}/tags", status=429, headers={"Retry-After": "120"},
             json={"code": "too_many", "message": "Slow down", "data": {"status": 429}})
    ch, rel = channel(tmp_path), release(images=False)
    variant, ctx = variant_ctx(ch, rel)
    with pytest.raises(RetryLater) as exc:
        ch.publish(variant, ctx)
    assert exc.value.retry_after == 120.0


def test_read_timeout_on_create_is_unknown_and_refused_is_retry(tmp_path, rsps):
    FakeWordPress(rsps, fail={("POST", "posts"): requests.exceptions.ReadTimeout("read timed out")})
    ch, rel = channel(tmp_path), release(images=False)
    variant, ctx = variant_ctx(ch, rel)
    with pytest.raises(UnknownOutcome, match="did not answer within 30 s"):
        ch.publish(variant, ctx)
    rsps.reset()
    rsps.add(responses.GET, f"{API}/tags", body=refused(f"{API}/tags"))
    with pytest.raises(RetryLater, match="Connection refused"):
        ch.publish(variant, ctx)


def test_a_failed_upload_is_unknown_and_a_failed_read_is_retry(tmp_path, rsps):
    FakeWordPress(rsps, fail={("POST", "media"): (500, SIDELOAD)})
    ch, rel = channel(tmp_path), release()
    variant, ctx = variant_ctx(ch, rel)
    with pytest.raises(UnknownOutcome, match="rest_upload_sideload_error"):
        ch.publish(variant, ctx)
    rsps.reset()
    FakeWordPress(rsps, fail={("GET", "posts"): (503, "<html>Service Unavailable</html>")})
    with pytest.raises(RetryLater, match="HTTP 503"):
        ch.lookup(variant, ctx)


def test_an_existing_term_is_used_not_created_twice(tmp_path, rsps):
    wp = FakeWordPress(rsps, fail={("POST", "tags"): (400, TERM_EXISTS)})
    ch = channel(tmp_path)
    assert ch.term_id("tags", "HKSN", "HKSN") == 4
    assert wp.terms["tags"] == []


def test_the_password_never_shows(tmp_path, rsps):
    echo = wp_error("rest_invalid_param", f"bad header Basic humas:{PASSWORD}", 400)
    FakeWordPress(rsps, fail={("POST", "posts"): (400, echo)})
    ch, rel = channel(tmp_path), release(images=False)
    variant, ctx = variant_ctx(ch, rel)
    with pytest.raises(Permanent) as exc:
        ch.publish(variant, ctx)
    assert PASSWORD not in str(exc.value) and "****" in str(exc.value)


def test_correction_puts_the_ralat_on_top_once(tmp_path, rsps):
    state = {"raw": "<p>Isi.</p>", "revisions": 0}

    def get(request):
        path, _q = _split(request)
        if path.endswith("/revisions"):
            return 200, {}, json.dumps([{"id": 1}] * state["revisions"])
        return 200, {}, json.dumps({"id": 77, "status": "publish", "link": f"{SITE}/siaran-pers/x/",
                                    "title": {"raw": "Judul"}, "content": {"raw": state["raw"]}})

    def post(request):
        body = json.loads(request.body)
        state["revisions"] += 1
        state["raw"] = body.get("content", state["raw"])
        return 200, {}, json.dumps({"id": 77, "status": "publish", "link": f"{SITE}/siaran-pers/x/",
                                    "content": {"raw": state["raw"]}})

    rsps.add_callback(responses.GET, re.compile(f"{re.escape(API)}/posts/77.*"), get)
    rsps.add_callback(responses.POST, re.compile(f"{re.escape(API)}/posts/77.*"), post)
    from crosspost.models import Variant

    ch = channel(tmp_path)
    v = Variant(channel="situs", kind="wordpress", text="RALAT: ...", extra={
        "action": "correct", "note": "Yang benar **12.000**.", "number": 1,
        "label": "Senin, 30 November 2026",
        "original": {"remote_id": "77"}})
    ctx = PublishContext(release=release(images=False))
    assert ch.lookup_correction(v, ctx) is None
    receipt = ch.correct(v, ctx)
    assert receipt.remote_id == "77#ralat-1" and receipt.url == f"{SITE}/siaran-pers/x/#ralat-1"
    assert state["raw"].startswith('<div class="crosspost-ralat" id="ralat-1"><p><strong>Ralat, Senin, 30 '
                                   'November 2026:</strong></p><p>Yang benar <strong>12.000</strong>.</p>'
                                   '</div>')
    assert state["raw"].endswith("<p>Isi.</p>") and state["revisions"] == 2  # the original kept first
    ch.correct(v, ctx)
    assert state["raw"].count('id="ralat-1"') == 1 and ch.lookup_correction(v, ctx) is not None


def test_an_update_puts_the_new_text_under_the_note(tmp_path, rsps):
    """`publish --update` (crosspost.edits): the post's content becomes the note and the new text;
    WordPress keeps the published text as a revision."""
    state = {"raw": "<p>Isi lama.</p>", "revisions": 1}

    def get(request):
        return 200, {}, json.dumps({"id": 77, "status": "publish", "link": f"{SITE}/siaran-pers/x/",
                                    "title": {"raw": "Judul"}, "content": {"raw": state["raw"]}})

    def post(request):
        sent = json.loads(request.body)
        state["raw"], state["title"] = sent["content"], sent.get("title")
        return 200, {}, json.dumps({"id": 77, "status": "publish", "link": f"{SITE}/siaran-pers/x/",
                                    "content": {"raw": state["raw"]}})

    rsps.add_callback(responses.GET, re.compile(f"{re.escape(API)}/posts/77.*"), get)
    rsps.add_callback(responses.POST, re.compile(f"{re.escape(API)}/posts/77.*"), post)
    from crosspost.models import Variant

    v = Variant(channel="situs", kind="wordpress", text="<p>Isi baru.</p>", title="Judul baru", extra={
        "action": "correct", "update": True, "note": "Artikel ini diperbarui.", "number": 1,
        "label": "Senin, 30 November 2026", "original": {"remote_id": "77"}})
    channel(tmp_path).correct(v, PublishContext(release=release(images=False)))
    assert state["raw"].endswith("<p>Isi baru.</p>") and "Isi lama" not in state["raw"]
    assert "Artikel ini diperbarui." in state["raw"] and state["title"] == "Judul baru"

    # What the post held after the text it was sent with (its second picture, the video link, as
    # content() put them) stays under the new text; a post edited by hand keeps only the new text.
    tail = ('\n<figure class="wp-block-image"><img src="https://humas.example/foto-2.jpg" alt="Posko"/>'
            '<figcaption>Posko</figcaption></figure>\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n')
    state["raw"] = "<p>Isi lama.</p>" + tail
    sent = replace(v, extra={**v.extra, "sent_text": "<p>Isi lama.</p>", "number": 2})
    channel(tmp_path / "2").correct(sent, PublishContext(release=release(images=False)))
    assert state["raw"].endswith("<p>Isi baru.</p>" + tail) and "Isi lama" not in state["raw"]
    state["raw"] = "<p>Isi lama, disunting di WordPress.</p>" + tail
    channel(tmp_path / "3").correct(replace(sent, extra={**sent.extra, "number": 3}),
                                    PublishContext(release=release(images=False)))
    assert state["raw"].endswith("<p>Isi baru.</p>") and "disunting" not in state["raw"]


def test_a_deleted_post_cannot_be_corrected(tmp_path, rsps):
    rsps.add(responses.GET, f"{API}/posts/77", status=404, json=INVALID_ID)
    from crosspost.models import Variant

    v = Variant(channel="situs", kind="wordpress", text="",
                extra={"action": "correct", "note": "x", "number": 1, "original": {"remote_id": "77"}})
    with pytest.raises(Permanent, match="is gone"):
        channel(tmp_path).correct(v, PublishContext(release=release(images=False)))


def test_whoami_checks_the_rights_and_the_mapped_categories(tmp_path, rsps):
    me = {"id": 2, "username": "kontributor", "name": "kontributor", "roles": ["contributor"],
          "capabilities": {"edit_posts": True, "read": True, "level_1": True, "level_0": True,
                           "delete_posts": True, "contributor": True}}
    index = {"name": "Kemensos", "namespaces": ["oembed/1.0", "wp/v2"],
             "authentication": {"application-passwords": {"endpoints": {
                 "authorization": f"{SITE}/wp-admin/authorize-application.php"}}}}
    rsps.add(responses.GET, f"{SITE}/wp-json/", json={**index, "namespaces": ["oembed/1.0"]})
    with pytest.raises(Permanent, match="disables WordPress's REST API"):
        channel(tmp_path).whoami(5)
    rsps.reset()
    rsps.add(responses.GET, f"{SITE}/wp-json/", json={**index, "authentication": []})
    with pytest.raises(Permanent, match="no application passwords"):
        channel(tmp_path).whoami(5)
    rsps.reset()
    rsps.add(responses.GET, f"{SITE}/wp-json/", json=index)
    rsps.add(responses.GET, f"{API}/users/me", json=me)
    with pytest.raises(Permanent, match="lacks publish_posts, upload_files"):
        channel(tmp_path).whoami(5)
    rsps.reset()
    rsps.add(responses.GET, f"{SITE}/wp-json/", json=index)
    editor = {**me, "username": "humas", "roles": ["editor"],
              "capabilities": {"publish_posts": True, "upload_files": True}}
    rsps.add(responses.GET, f"{API}/users/me", json=editor)
    rsps.add(responses.GET, f"{API}/categories", json=[])
    with pytest.raises(Permanent, match="maps siaran-pers to 'rilis'"):
        channel(tmp_path, categories={"siaran-pers": "rilis"}).whoami(5)
    assert channel(tmp_path).whoami(5) == "humas (editor)"


def test_build_variant_checks_settings_and_predicts_the_link(tmp_path):
    from crosspost.adapt import adapt_one

    bad = WordPressChannel("situs", Settings(type="wordpress", url="ftp://x", status="draft"), Limits(),
                           None, tmp_path, tmp_path)
    fields = {p.field for p in adapt_one(release(), bad).problems if p.severity == "error"}
    assert {"url", "username", "status"} <= fields
    ok = channel(tmp_path, base_url="https://kemensos.go.id", categories={"siaran-pers": "rilis"})
    adapted = adapt_one(release(), ok)
    assert adapted.ok and adapted.variant.link == "https://kemensos.go.id/rilis/bantuan-banjir/"
    when = datetime(2026, 11, 20, 9, 0, tzinfo=WIB)
    assert predicted_link(SITE, "/%year%/%monthnum%/%postname%/", "c", "s", when) == f"{SITE}/2026/11/s/"
    assert predicted_link(SITE, "/?p=%post_id%", "c", "s", when) is None


def test_a_connection_cut_after_sending_the_post_is_unknown(tmp_path, rsps):
    from http.client import RemoteDisconnected

    from urllib3.exceptions import ProtocolError

    # requests/adapters.py: ``except (ProtocolError, OSError) as err: raise ConnectionError(err)``
    cuts = [ProtocolError("Connection aborted.", RemoteDisconnected("Remote end closed connection")),
            ProtocolError("Connection aborted.", ConnectionResetError(104, "Connection reset by peer")),
            OSError(113, "a socket error crosspost has no name for")]
    for cut in cuts:
        rsps.reset()
        FakeWordPress(rsps, fail={("POST", "posts"): requests.exceptions.ConnectionError(cut)})
        ch, rel = channel(tmp_path), release(images=False)
        variant, ctx = variant_ctx(ch, rel)
        with pytest.raises(UnknownOutcome, match="broke after the request was sent"):
            ch.publish(variant, ctx)


def test_social_posts_link_to_the_wordpress_article(tmp_path):
    """A release without link: goes to X pointing at the post WordPress will publish (the
    permalink is predicted from the site's structure; the claim sends WordPress first)."""
    from crosspost.adapt import adapt
    from crosspost.channels.twitter import TwitterChannel

    wp = channel(tmp_path)
    x = TwitterChannel("twitter", TwitterChannel.Settings(type="twitter"), TwitterChannel.Limits())
    adapted = {a.channel.name: a for a in adapt(release(images=False), [x, wp])}
    article = adapted["situs"].variant.link
    assert article and article.startswith(SITE)
    tweet = adapted["twitter"].variant
    assert article in tweet.text or any(article in part for part in tweet.parts)
