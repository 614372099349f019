"""Each channel's comments() and metrics() through its real SDK at the HTTP boundary, with
answers shaped like the platform's: pagination, incremental cursors, deleted posts, insights not
yet available, rate limits. tweepy, facebook-sdk and the Instagram Graph backend through
`responses`; instagrapi's real Client on its requests transport; googleapiclient with
HttpMockSequence; the website from a real combined-format access log."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import responses
from channel_helpers import make_channel as build_channel

from crosspost.channels.facebook import FacebookChannel
from crosspost.channels.instagram import InstagramChannel
from crosspost.channels.twitter import TwitterChannel
from crosspost.channels.website import WebsiteChannel
from crosspost.engagement import NotAvailable
from crosspost.errors import RetryLater
from crosspost.models import Receipt

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC).timestamp()
HOUR = 3600.0


def iso(ts: float, fmt: str = "%Y-%m-%dT%H:%M:%S.000Z") -> str:
    return datetime.fromtimestamp(ts, UTC).strftime(fmt)


def q(call) -> dict[str, list[str]]:
    return parse_qs(urlparse(call.request.url).query)


# ---- X ------------------------------------------------------------------------------------
X = "https://api.x.com"
POST = "1862000000000000001"


def x_channel(tmp_path: Path) -> TwitterChannel:
    env = {
        "CROSSPOST_TWITTER_API_KEY": "ck",
        "CROSSPOST_TWITTER_API_SECRET": "cs",
        "CROSSPOST_TWITTER_ACCESS_TOKEN": "42-at",
        "CROSSPOST_TWITTER_ACCESS_TOKEN_SECRET": "ats",
    }
    return build_channel(TwitterChannel, tmp_path, env=env, username="KemensosRI")


def x_reply(tid: str, author: str, text: str, at: float, to: str = POST) -> dict:
    return {
        "id": tid,
        "text": text,
        "author_id": author,
        "conversation_id": POST,
        "created_at": iso(at),
        "in_reply_to_user_id": "42",
        "referenced_tweets": [{"type": "replied_to", "id": to}],
        "edit_history_tweet_ids": [tid],
    }


USERS = [
    {"id": "7", "name": "Siti Aminah", "username": "siti_a"},
    {"id": "8", "name": "Budi", "username": "budi88"},
    {"id": "42", "name": "Kemensos RI", "username": "KemensosRI"},
]


@responses.activate
def test_x_replies_are_paged_newest_first_and_the_next_fetch_asks_only_for_newer(tmp_path):
    search = f"{X}/2/tweets/search/recent"
    responses.get(
        search,
        json={
            "data": [
                x_reply("1862000000000000009", "7", "Pak, saya belum menerima BPNT", NOW - HOUR),
                x_reply("1862000000000000008", "8", "kapan cair?", NOW - 2 * HOUR, to="1862000000000000005"),
            ],
            "includes": {"users": USERS},
            "meta": {
                "newest_id": "1862000000000000009",
                "oldest_id": "1862000000000000008",
                "result_count": 2,
                "next_token": "b26v89c19zqg8o3fpzbkk",
            },
        },
    )
    responses.get(
        search,
        json={
            "data": [
                x_reply("1862000000000000002", "42", "(2/2) Selengkapnya: https://t.co/abc", NOW - 5 * HOUR),
                x_reply("1862000000000000003", "42", "Ralat: tanggal yang benar 3 Desember", NOW - 4 * HOUR),
            ],
            "includes": {"users": USERS},
            "meta": {
                "newest_id": "1862000000000000003",
                "oldest_id": "1862000000000000002",
                "result_count": 2,
            },
        },
    )
    ch = x_channel(tmp_path)
    receipt = Receipt(
        POST, f"https://x.com/KemensosRI/status/{POST}", extra={"parts": [POST, "1862000000000000002"]}
    )
    page = ch.comments(receipt, None, max_pages=5, now=NOW, sent_at=NOW - 6 * HOUR)
    assert [c.id for c in page.comments] == [
        "1862000000000000009",
        "1862000000000000008",
    ]  # own posts left out
    first = page.comments[0]
    assert (first.author, first.created_at, first.parent_id) == ("Siti Aminah (@siti_a)", NOW - HOUR, None)
    assert first.url == "https://x.com/siti_a/status/1862000000000000009"
    assert page.comments[1].parent_id == "1862000000000000005"
    assert page.cursor == "1862000000000000009" and page.complete
    one, two = responses.calls
    assert q(one)["query"] == [f"conversation_id:{POST}"] and q(one)["max_results"] == ["100"]
    assert "since_id" not in q(one) and q(two)["next_token"] == ["b26v89c19zqg8o3fpzbkk"]
    assert "author_id" in q(one)["expansions"][0]

    responses.reset()
    responses.get(search, json={"meta": {"result_count": 0}})
    again = ch.comments(receipt, NOW - HOUR, cursor=page.cursor, now=NOW, sent_at=NOW - 6 * HOUR)
    assert again.comments == () and again.cursor == "1862000000000000009"
    assert q(responses.calls[0])["since_id"] == ["1862000000000000009"]


@responses.activate
def test_x_without_a_username_leaves_out_the_accounts_own_replies_by_its_id(tmp_path):
    responses.get(
        f"{X}/2/users/me", json={"data": {"id": "42", "name": "Kemensos RI", "username": "KemensosRI"}}
    )
    responses.get(
        f"{X}/2/tweets/search/recent",
        json={
            "data": [
                x_reply("1862000000000000009", "7", "tolong dicek", NOW - HOUR),
                x_reply("1862000000000000003", "42", "Ralat: tanggal yang benar 3 Desember", NOW - 2 * HOUR),
            ],
            "includes": {"users": USERS},
            "meta": {"newest_id": "1862000000000000009", "result_count": 2},
        },
    )
    ch = x_channel(tmp_path)
    ch.settings = type(ch.settings)(type="twitter")  # no username configured
    page = ch.comments(Receipt(POST), None, now=NOW, sent_at=NOW - 3 * HOUR)
    assert [c.id for c in page.comments] == ["1862000000000000009"]
    ch.comments(Receipt(POST), None, now=NOW, sent_at=NOW - 3 * HOUR)
    assert sum(1 for c in responses.calls if c.request.url.endswith("/2/users/me")) == 1  # asked once


@responses.activate
def test_x_stops_at_the_page_cap_and_keeps_the_old_cursor(tmp_path):
    page = {
        "data": [x_reply("1862000000000000009", "7", "tolong", NOW)],
        "includes": {"users": USERS},
        "meta": {"newest_id": "1862000000000000009", "result_count": 1, "next_token": "more"},
    }
    responses.get(f"{X}/2/tweets/search/recent", json=page)
    got = x_channel(tmp_path).comments(
        Receipt(POST), None, cursor="1862000000000000001", max_pages=2, now=NOW, sent_at=NOW - HOUR
    )
    assert len(responses.calls) == 2 and not got.complete and got.cursor == "1862000000000000001"


@responses.activate
def test_x_beyond_seven_days_says_so_without_a_paid_call(tmp_path):
    with pytest.raises(NotAvailable, match="7 days"):
        x_channel(tmp_path).comments(Receipt(POST), None, now=NOW, sent_at=NOW - 8 * 24 * HOUR)
    assert len(responses.calls) == 0


@responses.activate
def test_x_rate_limit_is_retry_later_at_its_reset(tmp_path):
    reset = int(time.time()) + 600
    responses.get(
        f"{X}/2/tweets/search/recent",
        status=429,
        json={
            "title": "Too Many Requests",
            "detail": "Too Many Requests",
            "type": "about:blank",
            "status": 429,
        },
        headers={
            "x-rate-limit-limit": "450",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(reset),
        },
    )
    with pytest.raises(RetryLater) as err:
        x_channel(tmp_path).comments(Receipt(POST), None, now=NOW, sent_at=NOW - HOUR)
    assert err.value.retry_after and 500 < err.value.retry_after <= 600


@responses.activate
def test_x_figures_are_batched_by_100_and_a_deleted_post_is_none(tmp_path):
    ids = [str(1862000000000000000 + i) for i in range(150)]

    def answer(request):
        asked = q(responses.calls[-1])["ids"][0].split(",") if responses.calls else []
        asked = parse_qs(urlparse(request.url).query)["ids"][0].split(",")
        data = [
            {
                "id": i,
                "text": "t",
                "edit_history_tweet_ids": [i],
                "public_metrics": {
                    "retweet_count": 3,
                    "reply_count": 5,
                    "like_count": 40,
                    "quote_count": 1,
                    "bookmark_count": 2,
                    "impression_count": 1200,
                },
            }
            for i in asked
            if i != ids[7]
        ]
        errors = [
            {
                "value": ids[7],
                "detail": f"Could not find tweet with ids: [{ids[7]}].",
                "title": "Not Found Error",
                "resource_type": "tweet",
                "parameter": "ids",
                "resource_id": ids[7],
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            }
        ]
        return 200, {}, json.dumps({"data": data, **({"errors": errors} if ids[7] in asked else {})})

    responses.add_callback("GET", f"{X}/2/tweets", callback=answer)
    got = x_channel(tmp_path).metrics([Receipt(i) for i in ids])
    assert len(responses.calls) == 2
    assert [len(q(c)["ids"][0].split(",")) for c in responses.calls] == [100, 50]
    assert q(responses.calls[0])["tweet.fields"] == ["public_metrics"]
    assert got[ids[7]] is None
    assert got[ids[0]] == {
        "views": 1200.0,
        "likes": 40.0,
        "comments": 5.0,
        "shares": 3.0,
        "quotes": 1.0,
        "bookmarks": 2.0,
    }


# ---- Facebook ------------------------------------------------------------------------------
FB = "https://graph.facebook.com/v26.0"
FBPOST = "100000000000001_987654321"


def fb_channel(tmp_path: Path) -> FacebookChannel:
    return build_channel(
        FacebookChannel,
        tmp_path,
        env={"CROSSPOST_FACEBOOK_PAGE_ACCESS_TOKEN": "tok"},
        page_id="100000000000001",
    )


def fb_comment(cid: str, text: str, at: float, name: str | None = "Dewi Lestari", parent: str | None = None):
    c = {
        "id": cid,
        "message": text,
        "created_time": iso(at, "%Y-%m-%dT%H:%M:%S+0000"),
        "permalink_url": f"https://www.facebook.com/kemensos/posts/987654321?comment_id={cid.split('_')[1]}",
    }
    if name:
        c["from"] = {"name": name, "id": "5550001"}
    if parent:
        c["parent"] = {"id": parent, "message": "...", "created_time": c["created_time"]}
    return c


@responses.activate
def test_facebook_comments_stream_with_replies_and_paging(tmp_path):
    url = f"{FB}/{FBPOST}/comments"
    responses.get(
        url,
        json={
            "data": [
                fb_comment("987654321_11", "Bansos belum cair pak", NOW - HOUR),
                fb_comment(
                    "987654321_10",
                    "sama, di desa kami juga",
                    NOW - 2 * HOUR,
                    name=None,
                    parent="987654321_11",
                ),
            ],
            "paging": {"cursors": {"before": "QVFIUk", "after": "QVFIUl"}, "next": f"{url}?after=QVFIUl"},
        },
    )
    responses.get(
        url,
        json={
            "data": [fb_comment("987654321_9", "Terima kasih", NOW - 3 * HOUR)],
            "paging": {"cursors": {"before": "QVFIUm", "after": "QVFIUn"}},
        },
    )
    page = fb_channel(tmp_path).comments(
        Receipt(FBPOST, "https://www.facebook.com/987654321"), NOW - 6 * HOUR, now=NOW
    )
    assert [c.id for c in page.comments] == ["987654321_11", "987654321_10", "987654321_9"]
    assert page.comments[1].author == "" and page.comments[1].parent_id == "987654321_11"
    assert page.comments[0].author == "Dewi Lestari" and page.comments[0].created_at == NOW - HOUR
    first, second = (q(c) for c in responses.calls)
    assert first["filter"] == ["stream"] and first["order"] == ["reverse_chronological"]
    assert first["fields"] == ["id,from,message,created_time,parent,permalink_url"]
    assert first["since"] == [str(int(NOW - 6 * HOUR))] and second["after"] == ["QVFIUl"]


@responses.activate
def test_facebook_deleted_post_and_rate_limit(tmp_path):
    responses.get(
        f"{FB}/{FBPOST}/comments",
        status=400,
        json={
            "error": {
                "message": f"Unsupported get request. Object with ID '{FBPOST}' does not exist, "
                "cannot be loaded due to missing permissions, or does not support this operation.",
                "type": "GraphMethodException",
                "code": 100,
                "error_subcode": 33,
                "fbtrace_id": "AbC",
            }
        },
    )
    with pytest.raises(NotAvailable) as gone:
        fb_channel(tmp_path).comments(Receipt(FBPOST), None, now=NOW)
    assert gone.value.gone
    responses.reset()
    responses.get(
        f"{FB}/{FBPOST}/comments",
        status=400,
        json={
            "error": {
                "message": "(#4) Application request limit reached",
                "type": "OAuthException",
                "is_transient": True,
                "code": 4,
                "fbtrace_id": "AbD",
            }
        },
    )
    with pytest.raises(RetryLater):
        fb_channel(tmp_path).comments(Receipt(FBPOST), None, now=NOW)


@responses.activate
def test_facebook_figures_summaries_and_insights_not_yet_available(tmp_path):
    older, fresh = "100000000000001_1", "100000000000001_2"
    responses.get(
        f"{FB}/{older}",
        json={
            "id": older,
            "reactions": {"data": [], "summary": {"total_count": 120}},
            "comments": {"data": [], "summary": {"order": "ranked", "total_count": 14}},
            "shares": {"count": 9},
        },
    )
    responses.get(
        f"{FB}/{older}/insights",
        json={
            "data": [
                {
                    "name": "post_media_view",
                    "period": "lifetime",
                    "values": [{"value": 5400}],
                    "title": "Lifetime Post Views",
                    "id": f"{older}/insights/post_media_view/lifetime",
                },
                {
                    "name": "post_total_media_view_unique",
                    "period": "lifetime",
                    "values": [{"value": 3100}],
                    "title": "Lifetime Post Viewers",
                    "id": f"{older}/insights/post_total_media_view_unique/lifetime",
                },
            ],
            "paging": {},
        },
    )
    responses.get(
        f"{FB}/{fresh}",
        json={
            "id": fresh,
            "reactions": {"data": [], "summary": {"total_count": 2}},
            "comments": {"data": [], "summary": {"total_count": 0}},
        },
    )
    responses.get(f"{FB}/{fresh}/insights", json={"data": [], "paging": {}})
    got = fb_channel(tmp_path).metrics([Receipt(older), Receipt(fresh)])
    assert got[older] == {
        "reactions": 120.0,
        "comments": 14.0,
        "shares": 9.0,
        "views": 5400.0,
        "reach": 3100.0,
    }
    assert got[fresh] == {"reactions": 2.0, "comments": 0.0, "shares": 0.0}  # no views/reach yet: absent
    assert q(responses.calls[1])["metric"] == ["post_media_view,post_total_media_view_unique"]


@responses.activate
def test_facebook_a_refused_metric_does_not_lose_the_other(tmp_path):
    """Meta refusing the pair ("(#100) The value must be a valid insights metric") asks each alone;
    the one refused alone is not asked again for the next post."""
    first, second = "100000000000001_1", "100000000000001_2"
    invalid = {"error": {"message": "(#100) The value must be a valid insights metric",
                         "type": "OAuthException", "code": 100, "fbtrace_id": "AbC"}}

    def reach(post: str) -> dict:
        return {"data": [{"name": "post_total_media_view_unique", "period": "lifetime",
                          "values": [{"value": 3100}], "title": "Lifetime Post Viewers",
                          "id": f"{post}/insights/post_total_media_view_unique/lifetime"}], "paging": {}}

    def metric(name: str) -> list:
        return [responses.matchers.query_param_matcher({"metric": name}, strict_match=False)]

    summary = {"reactions": {"data": [], "summary": {"total_count": 3}},
               "comments": {"data": [], "summary": {"total_count": 1}}}
    for post in (first, second):
        responses.get(f"{FB}/{post}", json={"id": post, **summary})
    pair = "post_media_view,post_total_media_view_unique"
    responses.get(f"{FB}/{first}/insights", status=400, json=invalid, match=metric(pair))
    responses.get(f"{FB}/{first}/insights", status=400, json=invalid, match=metric("post_media_view"))
    for post in (first, second):
        responses.get(f"{FB}/{post}/insights", json=reach(post), match=metric("post_total_media_view_unique"))
    got = fb_channel(tmp_path).metrics([Receipt(first), Receipt(second)])
    assert got[first] == {"reactions": 3.0, "comments": 1.0, "shares": 0.0, "reach": 3100.0}
    assert got[second] == got[first]
    asked = [q(c)["metric"][0] for c in responses.calls if "/insights" in c.request.url]
    assert asked == [pair, "post_media_view", "post_total_media_view_unique", "post_total_media_view_unique"]


# ---- Instagram -----------------------------------------------------------------------------
IGG = "https://graph.facebook.com/v26.0"
MEDIA = "17900000000000001"


def ig_channel(tmp_path: Path, **settings) -> InstagramChannel:
    import requests

    ch = build_channel(
        InstagramChannel,
        tmp_path,
        env={"CROSSPOST_INSTAGRAM_ACCESS_TOKEN": "tok"},
        secrets_dir=tmp_path / "state",
        state_dir=tmp_path / "state",
        **{"ig_user_id": "17841400000000000", **settings},
    )
    ch.http_session = requests.Session()
    return ch


@responses.activate
def test_instagram_graph_comments_with_nested_replies_and_paging(tmp_path):
    url = f"{IGG}/{MEDIA}/comments"
    responses.get(
        url,
        json={
            "data": [
                {
                    "id": "18000000000000002",
                    "text": "Kapan pendaftaran dibuka?",
                    "username": "rina.w",
                    "timestamp": iso(NOW - HOUR, "%Y-%m-%dT%H:%M:%S+0000"),
                    "replies": {
                        "data": [
                            {
                                "id": "18000000000000003",
                                "text": "@rina.w cek di cekbansos",
                                "username": "kemensos.ri",
                                "timestamp": iso(NOW - 0.5 * HOUR, "%Y-%m-%dT%H:%M:%S+0000"),
                            }
                        ]
                    },
                }
            ],
            "paging": {"cursors": {"before": "QVFI", "after": "QVFJ"}, "next": f"{url}?after=QVFJ"},
        },
    )
    responses.get(
        url,
        json={
            "data": [
                {
                    "id": "18000000000000001",
                    "text": "Mantap",
                    "username": "agus",
                    "timestamp": iso(NOW - 30 * HOUR, "%Y-%m-%dT%H:%M:%S+0000"),
                }
            ],
            "paging": {"cursors": {"before": "QVFK", "after": "QVFL"}},
        },
    )
    page = ig_channel(tmp_path).comments(
        Receipt(MEDIA, "https://www.instagram.com/p/DAbc/"), NOW - 24 * HOUR, now=NOW
    )
    assert [(c.id, c.parent_id) for c in page.comments] == [
        ("18000000000000003", "18000000000000002"),
        ("18000000000000002", None),
    ]  # older one left
    assert q(responses.calls[0])["fields"] == [
        "id,text,username,timestamp,replies{id,text,username,timestamp}"
    ]
    assert q(responses.calls[1])["after"] == ["QVFJ"]
    assert page.comments[1].url == "https://www.instagram.com/p/DAbc/"


@responses.activate
def test_instagram_insights_current_metrics_empty_set_and_deleted(tmp_path):
    old, new, gone = "17900000000000001", "17900000000000002", "17900000000000003"
    responses.get(
        f"{IGG}/{old}/insights",
        json={
            "data": [
                {
                    "name": n,
                    "period": "lifetime",
                    "values": [{"value": v}],
                    "title": n,
                    "description": "",
                    "id": f"{old}/insights/{n}/lifetime",
                }
                for n, v in (
                    ("views", 8000),
                    ("reach", 5200),
                    ("likes", 300),
                    ("comments", 25),
                    ("shares", 12),
                    ("saved", 40),
                    ("total_interactions", 377),
                )
            ]
        },
    )
    responses.get(f"{IGG}/{new}/insights", json={"data": []})  # not available yet: empty, not 0
    responses.get(f"{IGG}/{new}", json={"like_count": 4, "comments_count": 1, "id": new})
    responses.get(
        f"{IGG}/{gone}/insights",
        status=400,
        json={
            "error": {
                "message": f"Unsupported get request. Object with ID '{gone}' does not exist",
                "type": "GraphMethodException",
                "code": 100,
                "error_subcode": 33,
                "fbtrace_id": "x",
            }
        },
    )
    got = ig_channel(tmp_path).metrics([Receipt(old), Receipt(new), Receipt(gone)])
    assert got[old] == {
        "views": 8000.0,
        "reach": 5200.0,
        "likes": 300.0,
        "comments": 25.0,
        "shares": 12.0,
        "saves": 40.0,
        "interactions": 377.0,
    }
    assert got[new] == {"likes": 4.0, "comments": 1.0} and got[gone] is None
    metric = q(responses.calls[0])["metric"][0].split(",")
    assert "impressions" not in metric and set(metric) == {
        "views",
        "reach",
        "likes",
        "comments",
        "shares",
        "saved",
        "total_interactions",
    }


@responses.activate
def test_instagram_rate_limit_is_retry_later(tmp_path):
    responses.get(
        f"{IGG}/{MEDIA}/comments",
        status=400,
        json={
            "error": {
                "message": "(#4) Application request limit reached",
                "type": "OAuthException",
                "code": 4,
                "is_transient": True,
                "fbtrace_id": "y",
            }
        },
    )
    with pytest.raises(RetryLater):
        ig_channel(tmp_path).comments(Receipt(MEDIA), None, now=NOW)


@responses.activate
def test_instagram_network_failure_is_retry_later_and_says_nothing_of_the_token(tmp_path):
    import requests

    responses.get(f"{IGG}/{MEDIA}/comments", body=requests.exceptions.ConnectionError("reset by peer"))
    with pytest.raises(RetryLater) as caught:
        ig_channel(tmp_path).comments(Receipt(MEDIA), None, now=NOW)
    assert "ConnectionError" in str(caught.value) and "tok" not in str(caught.value)


def private_channel(tmp_path: Path, monkeypatch) -> InstagramChannel:
    from instagrapi import Client

    monkeypatch.setattr(time, "sleep", lambda _s: None)
    ch = ig_channel(tmp_path, backend="instagrapi", username="kemensos.ri")
    seed = Client()
    seed.set_settings({**seed.get_settings(), "private_transport": "requests"})
    seed.authorization_data = {"ds_user_id": "4242", "sessionid": "sess"}
    path = ch.secrets.path("session")
    path.parent.mkdir(parents=True, exist_ok=True)
    seed.dump_settings(path)
    return ch


def ig_private_comment(pk: str, text: str, at: float, reply_to: str | None = None) -> dict:
    return {
        "pk": pk,
        "text": text,
        "created_at_utc": int(at),
        "content_type": "comment",
        "status": "Active",
        "user": {
            "pk": "9001",
            "username": "pak.joko",
            "full_name": "Joko Susilo",
            "profile_pic_url": "https://instagram.example/p.jpg",
        },
        **({"replied_to_comment_id": reply_to} if reply_to else {}),
    }


@responses.activate
def test_instagrapi_media_comments_through_its_real_client(tmp_path, monkeypatch):
    ch = private_channel(tmp_path, monkeypatch)
    media = "3470000000000000001_4242"
    url = f"https://i.instagram.com/api/v1/media/{media}/comments/"
    responses.get(
        url,
        json={
            "comments": [ig_private_comment("1801", "belum cair min", NOW - HOUR)],
            "has_more_comments": True,
            "next_max_id": "QVFD",
            "status": "ok",
        },
    )
    # instagrapi sends the next page's max_id as a signed form body, so that call is a POST
    responses.post(
        url,
        json={
            "comments": [ig_private_comment("1800", "siap", NOW - 2 * HOUR, "1801")],
            "has_more_comments": False,
            "status": "ok",
        },
    )
    page = ch.comments(Receipt(media, "https://www.instagram.com/p/DAbc/"), None, max_pages=3, now=NOW)
    assert [(c.id, c.author, c.parent_id) for c in page.comments] == [
        ("1801", "Joko Susilo (@pak.joko)", None),
        ("1800", "Joko Susilo (@pak.joko)", "1801"),
    ]
    assert "QVFD" in responses.calls[-1].request.body


# ---- YouTube -------------------------------------------------------------------------------
def yt_channel(tmp_path: Path, answers: list):
    from test_youtube_channel import make_channel as yt_make

    return yt_make(tmp_path, answers)


def yt_thread(cid: str, text: str, at: float, author: str = "@WargaBekasi") -> dict:
    return {
        "kind": "youtube#commentThread",
        "etag": "e",
        "id": cid,
        "snippet": {
            "channelId": "UCkemensos",
            "videoId": "dQw4w9WgXcQ",
            "canReply": True,
            "totalReplyCount": 0,
            "isPublic": True,
            "topLevelComment": {
                "kind": "youtube#comment",
                "etag": "e",
                "id": cid,
                "snippet": {
                    "channelId": "UCkemensos",
                    "videoId": "dQw4w9WgXcQ",
                    "textDisplay": text,
                    "textOriginal": text,
                    "authorDisplayName": author,
                    "authorChannelUrl": "http://www.youtube.com/@WargaBekasi",
                    "canRate": True,
                    "viewerRating": "none",
                    "likeCount": 0,
                    "publishedAt": iso(NOW - 0, "%Y-%m-%dT%H:%M:%SZ")
                    if at == NOW
                    else iso(at, "%Y-%m-%dT%H:%M:%SZ"),
                    "updatedAt": iso(at, "%Y-%m-%dT%H:%M:%SZ"),
                },
            },
        },
    }


def test_youtube_comment_threads_page_and_stop_at_the_last_fetch(tmp_path):
    from test_youtube_channel import ok

    page1 = {
        "kind": "youtube#commentThreadListResponse",
        "nextPageToken": "QURTSl9p",
        "pageInfo": {"totalResults": 2, "resultsPerPage": 100},
        "items": [
            yt_thread("Ugw1", "Kapan tahap 4 cair?", NOW - HOUR),
            yt_thread("Ugw2", "mantap", NOW - 2 * HOUR),
        ],
    }
    page2 = {
        "kind": "youtube#commentThreadListResponse",
        "pageInfo": {"totalResults": 2, "resultsPerPage": 100},
        "items": [yt_thread("Ugw3", "lama", NOW - 50 * HOUR)],
    }
    ch, mock = yt_channel(tmp_path, [ok(page1), ok(page2)])
    page = ch.comments(Receipt("dQw4w9WgXcQ"), NOW - 48 * HOUR, now=NOW)
    assert [c.id for c in page.comments] == ["Ugw1", "Ugw2"]
    assert page.comments[0].url == "https://www.youtube.com/watch?v=dQw4w9WgXcQ&lc=Ugw1"
    assert page.comments[0].author == "@WargaBekasi"
    asked = [parse_qs(urlparse(uri).query) for uri, *_ in mock.request_sequence]
    assert asked[0]["part"] == ["snippet,replies"] and asked[0]["videoId"] == ["dQw4w9WgXcQ"]
    assert asked[0]["order"] == ["time"] and asked[1]["pageToken"] == ["QURTSl9p"]


def yt_reply(thread: str, rid: str, text: str, at: float) -> dict:
    """A reply as docs/comments shows a comment resource: parentId names its thread's comment."""
    return {"kind": "youtube#comment", "etag": "e", "id": f"{thread}.{rid}",
            "snippet": {"channelId": "UCkemensos", "textDisplay": text, "textOriginal": text,
                        "parentId": thread, "authorDisplayName": "@Pendamping",
                        "authorChannelUrl": "http://www.youtube.com/@Pendamping",
                        "authorChannelId": {"value": "UCpendamping"}, "canRate": True,
                        "viewerRating": "none", "likeCount": 0,
                        "publishedAt": iso(at, "%Y-%m-%dT%H:%M:%SZ"),
                        "updatedAt": iso(at, "%Y-%m-%dT%H:%M:%SZ")}}


def test_youtube_replies_inline_and_the_rest_through_comments_list(tmp_path):
    from test_youtube_channel import ok

    small = yt_thread("Ugw1", "Kapan cair?", NOW - HOUR)
    small["snippet"]["totalReplyCount"] = 1
    small["replies"] = {"comments": [yt_reply("Ugw1", "a1", "Minggu depan, Bu.", NOW - HOUR / 2)]}
    big = yt_thread("Ugw2", "Bansos belum masuk, sudah lapor RT", NOW - 2 * HOUR)
    big["snippet"]["totalReplyCount"] = 3
    big["replies"] = {"comments": [yt_reply("Ugw2", "b1", "sama", NOW - 90 * 60)]}
    threads = {"kind": "youtube#commentThreadListResponse", "items": [small, big],
               "pageInfo": {"totalResults": 2, "resultsPerPage": 100}}
    more1 = {"kind": "youtube#commentListResponse", "nextPageToken": "Q2",
             "items": [yt_reply("Ugw2", "b1", "sama", NOW - 90 * 60),
                       yt_reply("Ugw2", "b0", "dari kemarin", NOW - 100 * HOUR)]}
    more2 = {"kind": "youtube#commentListResponse",
             "items": [yt_reply("Ugw2", "b2", "Silakan DM nomor NIK, kami cek.", NOW - 60 * 60)]}
    ch, mock = yt_channel(tmp_path, [ok(threads), ok(more1), ok(more2)])
    page = ch.comments(Receipt("dQw4w9WgXcQ"), NOW - 48 * HOUR, now=NOW)
    got = {c.id: c.parent_id for c in page.comments}
    assert got == {"Ugw1": None, "Ugw1.a1": "Ugw1", "Ugw2": None, "Ugw2.b1": "Ugw2", "Ugw2.b2": "Ugw2"}
    assert page.complete
    asked = [parse_qs(urlparse(uri).query) for uri, *_ in mock.request_sequence]
    assert [a.get("parentId") for a in asked] == [None, ["Ugw2"], ["Ugw2"]]
    assert asked[2]["pageToken"] == ["Q2"]
    # a budget of two calls reads the thread list and one page of replies, and says so
    ch, _ = yt_channel(tmp_path / "b", [ok(threads), ok(more1)])
    cut = ch.comments(Receipt("dQw4w9WgXcQ"), NOW - 48 * HOUR, max_pages=2, now=NOW)
    assert not cut.complete and "Ugw2.b1" in {c.id for c in cut.comments}


def test_youtube_comments_disabled_deleted_and_quota(tmp_path):
    from test_youtube_channel import error

    ch, _ = yt_channel(
        tmp_path,
        [
            error(
                403,
                "commentsDisabled",
                "The video identified by the videoId parameter has disabled comments.",
            )
        ],
    )
    with pytest.raises(NotAvailable, match="turned off"):
        ch.comments(Receipt("vid"), None, now=NOW)
    ch, _ = yt_channel(tmp_path / "b", [error(404, "videoNotFound", "The video could not be found.")])
    with pytest.raises(NotAvailable) as gone:
        ch.comments(Receipt("vid"), None, now=NOW)
    assert gone.value.gone
    ch, _ = yt_channel(tmp_path / "c", [error(403, "quotaExceeded", "quota")])
    with pytest.raises(RetryLater):
        ch.comments(Receipt("vid"), None, now=NOW)


def test_youtube_statistics_batched_hidden_likes_and_deleted(tmp_path):
    from test_youtube_channel import ok

    answer = {
        "kind": "youtube#videoListResponse",
        "items": [
            {
                "kind": "youtube#video",
                "id": "v1",
                "statistics": {
                    "viewCount": "1532",
                    "likeCount": "88",
                    "favoriteCount": "0",
                    "commentCount": "12",
                },
            },
            {
                "kind": "youtube#video",
                "id": "v2",
                "statistics": {"viewCount": "40", "favoriteCount": "0", "commentCount": "0"},
            },
        ],
        "pageInfo": {"totalResults": 2, "resultsPerPage": 2},
    }
    ch, mock = yt_channel(tmp_path, [ok(answer)])
    got = ch.metrics([Receipt("v1"), Receipt("v2"), Receipt("v3")])
    assert got == {
        "v1": {"views": 1532.0, "likes": 88.0, "comments": 12.0},
        "v2": {"views": 40.0, "comments": 0.0},
        "v3": None,
    }
    ((uri, *_),) = mock.request_sequence
    assert parse_qs(urlparse(uri).query)["id"] == ["v1,v2,v3"]


# ---- website -------------------------------------------------------------------------------
LOG = [
    '203.0.113.5 - - [28/Nov/2026:09:00:01 +0700] "GET /siaran-pers/bansos-tahap-iv/ HTTP/1.1" 200 5120 '
    '"https://www.facebook.com/" "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile"',
    '203.0.113.6 - - [28/Nov/2026:09:00:02 +0700] "GET /siaran-pers/bansos-tahap-iv/index.html?utm_source=x '
    'HTTP/2.0" 304 0 "-" "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1) Safari/604.1"',
    '66.249.66.1 - - [28/Nov/2026:09:00:03 +0700] "GET /siaran-pers/bansos-tahap-iv/ HTTP/1.1" 200 5120 "-" '
    '"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"',
    '31.13.1.1 - - [28/Nov/2026:09:00:04 +0700] "GET /siaran-pers/bansos-tahap-iv/ HTTP/1.1" 200 5120 "-" '
    '"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"',
    '203.0.113.7 - - [28/Nov/2026:09:00:05 +0700] "HEAD /siaran-pers/bansos-tahap-iv/ HTTP/1.1" 200 0 "-" '
    '"Mozilla/5.0"',
    '203.0.113.8 - - [28/Nov/2026:09:00:06 +0700] "GET /siaran-pers/bansos-tahap-iv/ HTTP/1.1" 404 0 "-" '
    '"Mozilla/5.0"',
    "garbage line",
]


def test_website_page_views_from_the_access_log_without_bots(tmp_path):
    import gzip

    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "access.log").write_text("\n".join(LOG) + "\n")
    with gzip.open(tmp_path / "logs" / "access.log.2.gz", "wt") as fh:
        fh.write(LOG[0] + "\n")
    ch = build_channel(
        WebsiteChannel, tmp_path, access_log="logs/access.log*", base_url="https://www.kemensos.go.id"
    )
    got = ch.metrics(
        [
            Receipt("siaran-pers/bansos-tahap-iv", "https://www.kemensos.go.id/siaran-pers/bansos-tahap-iv/"),
            Receipt("other", "https://www.kemensos.go.id/berita-foto/lain/"),
        ]
    )
    assert got == {"siaran-pers/bansos-tahap-iv": {"views": 3.0}, "other": {"views": 0.0}}
    with pytest.raises(NotAvailable):
        build_channel(WebsiteChannel, tmp_path).metrics([Receipt("x", "https://a/b/")])


def test_graph_paging_follows_after_until_next_is_missing_and_says_when_cut_short():
    from crosspost.channels.graph_paging import read_pages

    pages = {None: {"data": [1], "paging": {"cursors": {"after": "A"}, "next": "u1"}},
             "A": {"data": [2], "paging": {"cursors": {"after": "B"}, "next": "u2"}},
             "B": {"data": [3], "paging": {"cursors": {"after": "C"}}}}
    asked: list[dict] = []

    def get(args: dict) -> dict:
        asked.append(args)
        return pages[args.get("after")]

    bodies, complete = read_pages(get, {"limit": 2}, max_pages=5)
    assert [b["data"] for b in bodies] == [[1], [2], [3]] and complete
    assert [a.get("after") for a in asked] == [None, "A", "B"] and all(a["limit"] == 2 for a in asked)
    bodies, complete = read_pages(get, {"limit": 2}, max_pages=2)
    assert len(bodies) == 2 and not complete


@responses.activate
def test_x_posts_beyond_recent_search_are_not_asked_nor_listed_every_run(tmp_path):
    """Of two X posts in the 14-day inbox window, the 9-day-old one is past recent search's 7
    days: `inbox fetch` asks X only about the fresh one and lists no "not available" line."""
    from types import SimpleNamespace

    from crosspost.inbox.fetch import fetch_inbox
    from crosspost.inbox.settings import InboxSettings
    from crosspost.models import Release, Variant
    from crosspost.store import ChannelPolicy, Store

    channel = x_channel(tmp_path)
    store = Store.open(tmp_path / "log.db")
    fresh_id, old_id = "1862000000000000100", "1862000000000000050"
    for slug, post, at in (("lama", old_id, NOW - 9 * 24 * HOUR), ("baru", fresh_id, NOW - HOUR)):
        release = Release(slug=slug, title=slug, body="Isi.", date=datetime(2026, 11, 1, tzinfo=UTC))
        rid = store.save_release(release, at)
        store.enqueue(rid, [Variant(channel=channel.name, kind="twitter", text=slug)], None, at)
        [c], _ = store.claim(at, 60, 1, {channel.name: ChannelPolicy()})
        url = f"https://x.com/KemensosRI/status/{post}"
        store.record_sent(c.delivery.id, c.token, Receipt(post, url), at)
    responses.get(f"{X}/2/tweets/search/recent", json={
        "data": [x_reply("1862000000000000109", "7", "bansos belum cair", NOW - 60, to=fresh_id)],
        "includes": {"users": USERS}, "meta": {"newest_id": "1862000000000000109", "result_count": 1}})
    cfg = SimpleNamespace(inbox=InboxSettings(), channels=lambda names=None: [channel])
    result = fetch_inbox(cfg, store, NOW)
    (run,) = result.runs
    assert run.posts == 1 and run.new == 1 and run.skipped == []
    (call,) = responses.calls
    assert parse_qs(urlparse(call.request.url).query)["query"] == [f"conversation_id:{fresh_id}"]
    store.close()


def test_youtube_a_new_reply_under_an_older_thread_on_a_page_read_is_kept(tmp_path):
    """The thread began before the last fetch (so the fetch stops after its page), but a citizen
    replied since: that reply, and the rest of its thread's new replies, are read; the old top
    comment and the thread without new replies are not."""
    from test_youtube_channel import ok

    fresh = yt_thread("Ugw1", "Kapan cair?", NOW - HOUR)
    old = yt_thread("Ugw9", "Pendaftaran di mana?", NOW - 60 * HOUR)
    old["snippet"]["totalReplyCount"] = 3
    old["replies"] = {"comments": [yt_reply("Ugw9", "c2", "Sudah dua minggu belum ada kabar",
                                            NOW - 2 * HOUR)]}
    quiet = yt_thread("Ugw8", "lama", NOW - 70 * HOUR)
    quiet["snippet"]["totalReplyCount"] = 1
    quiet["replies"] = {"comments": [yt_reply("Ugw8", "d1", "ok", NOW - 69 * HOUR)]}
    threads = {"kind": "youtube#commentThreadListResponse", "nextPageToken": "QURT",
               "items": [fresh, old, quiet], "pageInfo": {"totalResults": 3, "resultsPerPage": 100}}
    rest = {"kind": "youtube#commentListResponse",
            "items": [yt_reply("Ugw9", "c0", "di kelurahan", NOW - 59 * HOUR),
                      yt_reply("Ugw9", "c1", "Saya juga belum", NOW - 3 * HOUR),
                      yt_reply("Ugw9", "c2", "Sudah dua minggu belum ada kabar", NOW - 2 * HOUR)]}
    ch, mock = yt_channel(tmp_path, [ok(threads), ok(rest)])
    page = ch.comments(Receipt("dQw4w9WgXcQ"), NOW - 48 * HOUR, now=NOW)
    assert {c.id: c.parent_id for c in page.comments} == {"Ugw1": None, "Ugw9.c1": "Ugw9",
                                                           "Ugw9.c2": "Ugw9"}
    asked = [parse_qs(urlparse(uri).query) for uri, *_ in mock.request_sequence]
    assert [a.get("parentId") for a in asked] == [None, ["Ugw9"]]  # no second page of threads
