"""Issue 12: the X outcome table (crosspost.channels.twitter.OUTCOMES), row by row, through
tweepy's real Client and requests' real transport (`responses` at the HTTP boundary): every
failure create_tweet and the media upload can surface lands in the state the table names."""

from __future__ import annotations

import json

import pytest
import requests
import responses
from channel_helpers import refused, unresolvable
from test_twitter_channel import API, TWEETS, UPLOAD, Progress, make_channel, make_release, single
from urllib3.exceptions import ProtocolError

from crosspost.channels.twitter import FAILED, OUTCOMES, REAUTH, RETRY, UNKNOWN, failure_of
from crosspost.errors import Permanent, ReauthRequired, RetryLater, UnknownOutcome
from crosspost.models import Media, Variant

STATE = {RETRY: RetryLater, UNKNOWN: UnknownOutcome, FAILED: Permanent, REAUTH: ReauthRequired}
NOW = 1_000_000  # Progress.now
DUPLICATE = "You are not allowed to create a Tweet with duplicate content."


def _problem(status: int, detail: str, kind: str = "about:blank", title: str = "Forbidden") -> dict:
    return {"status": status, "body": json.dumps({"title": title, "detail": detail, "type": kind,
                                                  "status": status}),
            "content_type": "application/json"}


# Each row's failure as X or the network produces it: keyword arguments for responses.add.
FAULTS: dict[str, list[dict]] = {
    "connect_refused": [{"body": refused()}, {"body": unresolvable()},
                        {"body": requests.exceptions.SSLError("[SSL: CERTIFICATE_VERIFY_FAILED]")}],
    "connect_timeout": [{"body": requests.exceptions.ConnectTimeout("connect timeout=60")}],
    "read_timeout": [{"body": requests.exceptions.ReadTimeout("Read timed out. (read timeout=60)")}],
    "connection_broken": [
        {"body": requests.exceptions.ConnectionError(ProtocolError(
            "Connection aborted.", ConnectionResetError(104, "Connection reset by peer")))},
        {"body": requests.exceptions.ConnectionError(ProtocolError(
            "Connection aborted.", "RemoteDisconnected('Remote end closed connection without response')"))},
        {"body": requests.exceptions.ChunkedEncodingError(ProtocolError(
            "Response ended prematurely"))}],
    "server_error": [{"status": 500, "json": {"title": "Internal Server Error"}},
                     {"status": 503, "json": {"title": "Service Unavailable"}}],
    "rate_limit": [{"status": 429, "json": {"title": "Too Many Requests"},
                    "headers": {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(NOW + 900)}}],
    "daily_cap": [{"status": 429, "json": {"title": "Too Many Requests"},
                   "headers": {"x-rate-limit-remaining": "10", "x-rate-limit-reset": str(NOW + 900),
                               "x-user-limit-24hour-limit": "17", "x-user-limit-24hour-remaining": "0",
                               "x-user-limit-24hour-reset": str(NOW + 20_000)}},
                  {"status": 429, "json": {"title": "Too Many Requests"},
                   "headers": {"x-rate-limit-remaining": "10", "x-rate-limit-reset": str(NOW + 900),
                               "x-app-limit-24hour-remaining": "0",
                               "x-app-limit-24hour-reset": str(NOW + 30_000)}}],
    "duplicate": [_problem(403, DUPLICATE)],
    "read_only_app": [_problem(403, "Your client app is not configured with the appropriate oauth1 app "
                               "permissions for this endpoint.", "https://api.twitter.com/2/problems/"
                               "oauth1-permissions")],
    "unauthorized": [{"status": 401, "json": {"title": "Unauthorized", "detail": "Unauthorized"}}],
    "no_credits": [_problem(402, "Your enrolled account does not have any credits to fulfill this request.",
                            title="CreditsDepleted")],
    "forbidden": [_problem(403, "You are not permitted to perform this action.")],
    "bad_request": [{"status": 400, "json": {"errors": [{"message": "text is too long"}]}}],
    "unreadable": [{"status": 200, "body": "<html>proxy error</html>", "content_type": "text/html"}],
    "file": [],  # a media file that cannot be read: below
    "unexpected": [{"body": RuntimeError("something nobody expected")}],
}
WAITS = {"rate_limit": 900, "daily_cap": None}


def test_every_row_has_a_fault_and_a_reason():
    assert {row[0] for row in OUTCOMES} == set(FAULTS)
    for name, create, upload, why in OUTCOMES:
        assert create in STATE and upload in STATE and len(why) > 20, name


CASES = [(name, i, fault) for name, faults in FAULTS.items() for i, fault in enumerate(faults)]


@pytest.mark.parametrize("name,i,fault", CASES, ids=[f"{n}-{i}" for n, i, _f in CASES])
def test_create_tweet_follows_the_table(tmp_path, name, i, fault):
    row = next(r for r in OUTCOMES if r[0] == name)
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, TWEETS, **fault)
        with pytest.raises(STATE[row[1]]) as info:
            make_channel(tmp_path).publish(single(), Progress().ctx())
    err = info.value
    _check_wait(name, i, err)
    if name == "read_only_app":
        assert "Read and write" in str(err) and "regenerate the access token" in str(err)
    if name == "no_credits":
        assert "402" in str(err) and "credits" in str(err)
    if row[1] == UNKNOWN:
        assert "looks for it on X" in str(err)


@pytest.mark.parametrize("name,i,fault", CASES, ids=[f"{n}-{i}" for n, i, _f in CASES])
def test_media_upload_follows_the_table(tmp_path, name, i, fault):
    from channel_helpers import make_image

    row = next(r for r in OUTCOMES if r[0] == name)
    image = make_image(tmp_path / "foto.jpg")
    variant = Variant(channel="twitter", kind="twitter", text="Dengan foto.",
                      media=(Media(path=image, alt="Foto"),))
    with responses.RequestsMock() as rsps:  # no create_tweet is registered: it must not be called
        rsps.add(responses.POST, UPLOAD, **fault)
        with pytest.raises(STATE[row[2]]) as info:
            make_channel(tmp_path).publish(variant, Progress().ctx(make_release(images=variant.media)))
    _check_wait(name, i, info.value)


def test_an_unreadable_media_file_is_failed(tmp_path):
    variant = Variant(channel="twitter", kind="twitter", text="Dengan foto.",
                      media=(Media(path=tmp_path / "hilang.jpg", alt="Foto"),))
    with responses.RequestsMock():
        with pytest.raises(Permanent, match="cannot read a file"):
            make_channel(tmp_path).publish(variant, Progress().ctx())
    assert failure_of(FileNotFoundError("x"), creating=False) == "file"


def _check_wait(name: str, i: int, err: Exception) -> None:
    if name == "rate_limit":
        assert err.retry_after == 900  # type: ignore[attr-defined]
    elif name == "daily_cap":  # the 24-hour cap's own reset, not the 15-minute window
        assert err.retry_after == (20_000, 30_000)[i]  # type: ignore[attr-defined]
    elif isinstance(err, RetryLater):
        assert err.retry_after is None


def test_a_gif_goes_to_x_as_tweet_gif(tmp_path):
    from PIL import Image

    gif = tmp_path / "animasi.gif"
    Image.new("RGB", (32, 32), (10, 200, 10)).save(gif, "GIF")
    variant = Variant(channel="twitter", kind="twitter", text="Animasi.", media=(Media(path=gif, alt=""),))
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, UPLOAD, json={"data": {"id": "77"}})
        rsps.add(responses.POST, TWEETS, json={"data": {"id": "5", "text": "Animasi."}}, status=201)
        make_channel(tmp_path).publish(variant, Progress().ctx())
        body, url = rsps.calls[0].request.body, rsps.calls[0].request.url
    assert b'name="media_category"\r\n\r\ntweet_gif' in body and url.startswith(API)
