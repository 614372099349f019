"""Long bodies on X (issue 17): the thread says where it stops, the preview says how much of the
body it carries, images beyond 4 ride on later parts (4 each), through tweepy's real client."""

from __future__ import annotations

import json
from pathlib import Path

import responses
from channel_helpers import make_image
from test_twitter_channel import METADATA, UPLOAD, Progress, TweetServer, make_channel, make_release

from crosspost.adapt import adapt_one
from crosspost.models import Media, Variant

PARAGRAPH = ("Kementerian Sosial menyalurkan bantuan logistik bagi warga terdampak banjir di {n} "
             "kecamatan, berupa makanan siap saji, selimut, tenda keluarga dan perlengkapan bayi. "
             "Bantuan diterima langsung oleh petugas di posko pengungsian setempat.")


def long_body(n: int = 14) -> str:
    return "\n\n".join(PARAGRAPH.format(n=i + 1) for i in range(n))


def test_a_thread_that_stops_short_says_so(tmp_path: Path):
    adapted = adapt_one(make_release(long_body()), make_channel(tmp_path))
    v = adapted.variant
    assert v is not None and len(v.parts) > 1
    assert any("… selengkapnya di tautan" in p for p in v.parts)
    assert v.parts[-1].split(" (")[0].endswith(v.link) or v.link in v.parts[-1]
    body = v.counts["body"]
    assert body["limit"] == 14 and 0 < body["actual"] < 14 and body["unit"] == "paragraphs"
    warning = [p for p in adapted.problems if p.field == "body"]
    assert warning and warning[0].severity == "warning"
    assert (warning[0].actual, warning[0].limit) == (body["actual"], 14)
    assert adapted.ok  # a warning, not a refusal


def test_a_thread_carrying_the_whole_body_says_nothing(tmp_path: Path):
    adapted = adapt_one(make_release(long_body(2)), make_channel(tmp_path))
    v = adapted.variant
    assert v is not None
    assert not any("selengkapnya di tautan" in p for p in (v.parts or (v.text,)))
    assert v.counts["body"] == {"actual": 2, "limit": 2, "unit": "paragraphs"}
    assert not [p for p in adapted.problems if p.field == "body"]


def test_more_text_is_a_setting(tmp_path: Path):
    channel = make_channel(tmp_path, more_text="(baca lengkap di situs)")
    adapted = adapt_one(make_release(long_body()), channel)
    assert any("(baca lengkap di situs)" in p for p in adapted.variant.parts)


def _images(tmp_path: Path, n: int) -> tuple[Media, ...]:
    return tuple(Media(make_image(tmp_path / f"foto{i}.jpg"), alt=f"Foto {i}") for i in range(n))


def test_images_beyond_four_ride_on_later_parts(tmp_path: Path):
    adapted = adapt_one(make_release(long_body(), images=_images(tmp_path, 6)), make_channel(tmp_path))
    v = adapted.variant
    assert len(v.parts) >= 2 and len(v.media) == 6
    assert not [p for p in adapted.problems if p.field == "media"]


def test_more_images_than_the_thread_can_carry_are_cut_with_a_warning(tmp_path: Path):
    adapted = adapt_one(make_release("Satu paragraf pendek.", images=_images(tmp_path, 6)),
                        make_channel(tmp_path))
    v = adapted.variant
    assert not v.parts and len(v.media) == 4
    cut = [p for p in adapted.problems if p.field == "media"]
    assert cut and cut[0].severity == "warning" and (cut[0].limit, cut[0].actual) == (4, 6)


@responses.activate
def test_publish_puts_four_images_a_post(tmp_path: Path):
    ids = iter(str(7001 + i) for i in range(10))
    responses.add_callback(responses.POST, UPLOAD, callback=lambda r: (
        200, {}, json.dumps({"data": {"id": next(ids), "media_key": "3_x"}})))
    responses.add(responses.POST, METADATA, json={"data": {"id": "x"}}, status=200)
    server = TweetServer(responses.mock)
    variant = Variant(channel="twitter", kind="twitter", text="utas", media=_images(tmp_path, 6),
                      parts=("a (1/3)", "b (2/3)", "c (3/3)"))
    make_channel(tmp_path).publish(variant, Progress().ctx())
    assert [b.get("media") for b in server.bodies] == [
        {"media_ids": ["7001", "7002", "7003", "7004"]}, {"media_ids": ["7005", "7006"]}, None]
    assert server.bodies[1]["reply"] == {"in_reply_to_tweet_id": "1001"}


@responses.activate
def test_a_resumed_thread_uploads_only_the_images_of_the_parts_left(tmp_path: Path):
    ids = iter(["8001", "8002"])
    responses.add_callback(responses.POST, UPLOAD, callback=lambda r: (
        200, {}, json.dumps({"data": {"id": next(ids), "media_key": "3_x"}})))
    responses.add(responses.POST, METADATA, json={"data": {"id": "x"}}, status=200)
    variant = Variant(channel="twitter", kind="twitter", text="utas", media=_images(tmp_path, 6),
                      parts=("a (1/2)", "b (2/2)"))
    progress = Progress()
    progress.saved = {"parts": ["1001"]}  # part 1 and its four images are on X already
    server = TweetServer(responses.mock, first_id=1001)
    make_channel(tmp_path).publish(variant, progress.ctx())
    uploads = [c for c in responses.calls if c.request.url == UPLOAD]
    assert len(uploads) == 2 and b'filename="foto4.jpg"' in uploads[0].request.body
    assert server.bodies == [{"text": "b (2/2)", "media": {"media_ids": ["8001", "8002"]},
                              "reply": {"in_reply_to_tweet_id": "1001"}}]
