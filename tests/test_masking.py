"""Masking before cutting: a platform error that echoes a secret anywhere in a long message
leaves no 4-character piece of it in what crosspost stores or prints, on every channel.

Each channel gets its SDK's real exception (facebook-sdk's GraphAPIError, googleapiclient's
HttpError, tweepy's HTTPException from a real requests.Response, the Graph API error document
for Instagram, instagrapi's exception classes) carrying ``TOKEN`` at every position of a message
longer than any cut, then goes through the engine's own path (retry.decide with the channel's
mask) into the text that would be stored as last_error.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

import pytest

from crosspost.retry import decide, safe_message
from crosspost.secrets import SecretStore

TOKEN = "EAAGzQ7xKv9WmT3pLr8Yb2Nd"  # 24 characters, none of them in the filler
FILLER = "-"
LENGTH = 720  # longer than every cut (Facebook 300, YouTube 200, instagrapi 200, the log 500)


def fragments(secret: str, size: int = 4) -> set[str]:
    return {secret[i:i + size] for i in range(len(secret) - size + 1)}


def echoes():
    """The whole token at every position of a long message."""
    for at in range(0, LENGTH + 1):
        yield at, FILLER * at + TOKEN + FILLER * (LENGTH - at)


def assert_no_fragment(text: str, at: int) -> None:
    leaked = sorted(f for f in fragments(TOKEN) if f in text)
    assert not leaked, f"token at {at}: {leaked} survive in {text!r}"


def stored(ch, exc: BaseException) -> str:
    """What the engine stores for this failure (retry.decide, the channel's mask) and shows."""
    decision = decide(exc, 0, ch.settings, 0.0, None, random.Random(1), channel=ch.name, delivery_id=1,
                      mask=ch.mask)
    return decision.message + "\n" + ch.mask(str(exc))


def test_safe_message_masks_before_it_cuts():
    for at, text in echoes():
        assert_no_fragment(safe_message(RuntimeError(text), mask=lambda t: t.replace(TOKEN, "****")), at)
    cut = safe_message(RuntimeError(FILLER * 490 + TOKEN))  # without a mask the cut leaves a piece
    assert any(f in cut for f in fragments(TOKEN))


def test_facebook(tmp_path):
    import facebook

    from crosspost.channels.facebook import FacebookChannel, Limits, Settings

    secrets = SecretStore("facebook", tmp_path, env={"CROSSPOST_FACEBOOK_PAGE_ACCESS_TOKEN": TOKEN},
                          use_keyring=False)
    ch = FacebookChannel("facebook", Settings(type="facebook", page_id="1"), Limits(), secrets=secrets,
                         base_dir=tmp_path, state_dir=tmp_path)
    for at, text in echoes():
        for code in (100, 190, 2, None):
            body = {"error": {"message": text, "type": "OAuthException", **({"code": code} if code else {})}}
            err = ch._classify(facebook.GraphAPIError(body), None, "create", "posting")
            assert_no_fragment(stored(ch, err), at)


def test_youtube(tmp_path):
    import httplib2
    from googleapiclient.errors import HttpError

    from crosspost.channels.youtube import Limits, Settings, YouTubeChannel

    secrets = SecretStore("youtube", tmp_path / "state", env={}, use_keyring=False)
    secrets.path("token").write_text(json.dumps({"token": TOKEN, "refresh_token": "1//refresh-Zk3",
                                                 "client_secret": "GOCSPX-abcdefgh", "client_id": "cid"}))
    ch = YouTubeChannel("youtube", Settings(type="youtube"), Limits(), secrets=secrets, base_dir=tmp_path,
                        state_dir=tmp_path / "state")
    for at, text in echoes():
        for status, reason in ((400, "invalidTitle"), (403, "quotaExceeded"), (401, "authError"), (503, "")):
            content = json.dumps({"error": {"code": status, "message": text,
                                            "errors": [{"reason": reason, "message": text}]}}).encode()
            exc = HttpError(httplib2.Response({"status": status}), content, uri="https://youtube/upload")
            err = ch.classify(exc, "upload", True, 0.0)
            assert_no_fragment(stored(ch, err), at)


def test_twitter(tmp_path):
    import requests
    import tweepy

    from crosspost.channels.base import PublishContext
    from crosspost.channels.twitter import Limits, Settings, TwitterChannel
    from crosspost.models import Release

    env = {"CROSSPOST_TWITTER_API_KEY": "consumer-key", "CROSSPOST_TWITTER_API_SECRET": TOKEN,
           "CROSSPOST_TWITTER_ACCESS_TOKEN": "42-access", "CROSSPOST_TWITTER_ACCESS_TOKEN_SECRET": "atsecret"}
    ch = TwitterChannel("twitter", Settings(type="twitter"), Limits(),
                        secrets=SecretStore("twitter", tmp_path, env=env, use_keyring=False),
                        base_dir=tmp_path, state_dir=tmp_path)
    release = Release(slug="r", title="t", body="b", date=datetime(2026, 1, 1, tzinfo=UTC))
    ctx = PublishContext(release=release)
    for at, text in echoes():
        for status, cls in ((400, tweepy.BadRequest), (403, tweepy.Forbidden)):
            response = requests.Response()
            response.status_code = status
            response._content = json.dumps({"errors": [{"message": text}], "detail": text}).encode()
            response.headers["content-type"] = "application/json"
            err = ch._classify(cls(response), ctx, "create", "posting")
            assert_no_fragment(stored(ch, err), at)


def test_instagram_graph(tmp_path):
    from crosspost.channels.instagram import InstagramChannel, Limits, Settings

    secrets = SecretStore("instagram", tmp_path / "state", env={"CROSSPOST_INSTAGRAM_ACCESS_TOKEN": TOKEN},
                          use_keyring=False)
    ch = InstagramChannel("instagram", Settings(type="instagram", ig_user_id="17", image_base_url="https://c"),
                          Limits(), secrets, tmp_path, tmp_path / "state")
    graph = ch.backend()
    for at, text in echoes():
        for status, code in ((400, 100), (400, 190), (500, 1), (400, 9007)):
            err = graph.classify(status, {"message": text, "code": code}, {}, True)
            assert_no_fragment(stored(ch, err), at)


def test_instagrapi(tmp_path):
    from instagrapi import exceptions as ie

    from crosspost.channels.instagram import InstagramChannel, Limits, Settings

    secrets = SecretStore("instagram", tmp_path / "state", env={"CROSSPOST_INSTAGRAM_PASSWORD": TOKEN},
                          use_keyring=False)
    ch = InstagramChannel("instagram", Settings(type="instagram", backend="instagrapi", username="humas"),
                          Limits(), secrets, tmp_path, tmp_path / "state")
    private = ch.backend()
    for at, text in echoes():
        for cls in (ie.UnknownError, ie.FeedbackRequired, ie.LoginRequired, ie.PleaseWaitFewMinutes):
            err = private.classify(cls(text), True)
            assert_no_fragment(stored(ch, err), at)


@pytest.mark.parametrize("kind", ["fake"])
def test_the_engine_stores_masked_text(tmp_path, kind):
    """Through the engine: a channel whose error echoes a secret past the 500-character cut."""
    from crosspost.channels.fake import FakeChannel
    from crosspost.clock import FakeClock
    from crosspost.deliver import Engine
    from crosspost.errors import Permanent
    from crosspost.models import Release, Variant
    from crosspost.store import Store

    class Echo(FakeChannel):
        def publish(self, variant, ctx):
            raise Permanent(FILLER * 490 + TOKEN)

    ch = Echo.create("fake", tmp_path)
    ch.secrets = SecretStore("fake", tmp_path, env={"CROSSPOST_FAKE_API_KEY": TOKEN},
                             use_keyring=False)
    store = Store.open(tmp_path / "log.db")
    release = Release(slug="r", title="t", body="b", date=datetime(2026, 1, 1, tzinfo=UTC))
    rid = store.save_release(release, 1.0)
    [d] = store.enqueue(rid, [Variant(channel="fake", kind=kind, text="t")], None, 1.0)
    Engine(store, {"fake": ch}, FakeClock(2.0)).run_once()
    assert_no_fragment(store.delivery(d.id).last_error, 490)
    assert all(TOKEN[:4] not in (e["detail"] or "") for e in store.events())
